// Helpers every Store backend shares (not part of the public interface): one page limit, one
// page check and one way of naming a row in an error, so both backends say the same thing.
#pragma once

#include <fmt/core.h>

#include <cmath>
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

// The value checks PutAssessmentScore makes before touching the database; `who` names the row.
inline Status CheckScoreValues(const AssessmentScore& s, const std::string& who) {
  if (s.assessment.empty()) return InvalidArgumentError("{}: assessment is missing", who);
  if (!std::isfinite(s.scale_score)) {
    return InvalidArgumentError("{}: scale_score is not finite", who);
  }
  if (s.sem && (!std::isfinite(*s.sem) || *s.sem < 0)) {
    return InvalidArgumentError("{}: sem {} is not a finite number >= 0", who, *s.sem);
  }
  for (std::size_t i = 0; i < s.sub_scores.size(); ++i) {
    if (!std::isfinite(s.sub_scores[i].score)) {
      return InvalidArgumentError("{}: sub_scores[{}] is not finite", who, i);
    }
  }
  return OkStatus();
}

// How PutAssessmentScore names a score in errors.
inline std::string ScoreWho(const AssessmentScore& s) {
  return s.id != kNoId ? fmt::format("assessment score {}", s.id)
                       : fmt::format("assessment score \"{}\" of student {} on {}", s.assessment,
                                     s.student_id, FormatDate(s.date));
}

}  // namespace pw::store_util
