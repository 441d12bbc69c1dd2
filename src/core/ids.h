// Identifiers. Internal ids are 64-bit integers assigned by the store (0 = none / not yet
// stored). External ids (OneRoster sourcedId, CASE identifier, xAPI IRI) are kept as given in
// the `source_id` fields of the domain types.
#pragma once

#include <cstdint>

namespace pw {

using Id = std::int64_t;
inline constexpr Id kNoId = 0;

}  // namespace pw
