// Goals a student sets with their teacher, tracked against competencies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace pw {

enum class GoalStatus { kActive, kMet, kDropped };

struct Goal {
  Id id = kNoId;
  Id student_id = kNoId;
  std::string description;
  std::vector<Id> competencies;  // met when these are mastered
  std::optional<Date> target;
  GoalStatus status = GoalStatus::kActive;
  Id set_by = kNoId;  // person who set it
  Timestamp created;
};

}  // namespace pw
