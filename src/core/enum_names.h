// Name tables for enums that travel as text (CSV columns, JSON fields, CLI flags).
//
//   constexpr EnumNames<Modality, 2> kModalities{{{"independent", Modality::kIndependent}, ...}};
//   Result<Modality> m = kModalities.Parse(text, "modality");
//   std::string_view s = kModalities.Name(m);
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace pw {

template <typename E, size_t N>
struct EnumNames {
  std::array<std::pair<std::string_view, E>, N> entries;

  std::string_view Name(E v) const {
    for (const auto& [name, value] : entries) {
      if (value == v) return name;
    }
    return "?";
  }

  // `what` names the field in the error: unknown modality "x" (expected one of: a, b).
  Result<E> Parse(std::string_view s, std::string_view what) const {
    for (const auto& [name, value] : entries) {
      if (name == s) return value;
    }
    return InvalidArgumentError("unknown {} \"{}\" (expected one of: {})", what, s, Expected());
  }

  std::string Expected() const {
    std::string out;
    for (const auto& [name, value] : entries) {
      if (!out.empty()) out += ", ";
      out += name;
    }
    return out;
  }
};

}  // namespace pw
