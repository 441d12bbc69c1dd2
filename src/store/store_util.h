// Helpers every Store backend shares (not part of the public interface): one page limit, one
// page check and one way of naming a row in an error, so both backends say the same thing.
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace pw::store_util {

inline constexpr int kMaxPageLimit = 10'000;

// Names a row in an error message: `person 17`, `person "s-17"` or just `person` (new, no ids).
inline std::string Who(std::string_view kind, Id id, std::string_view source_id) {
  if (id != kNoId) return fmt::format("{} {}", kind, id);
  if (!source_id.empty()) return fmt::format("{} \"{}\"", kind, source_id);
  return std::string(kind);
}

inline Status CheckPage(const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return InvalidArgumentError("page limit {} is outside 1..{}", page.limit, kMaxPageLimit);
  }
  if (page.after < 0) return InvalidArgumentError("page after {} is negative", page.after);
  return OkStatus();
}

}  // namespace pw::store_util
