// Non-achievement data: attendance, behavior and social-emotional surveys. These reach the
// learner profile and the flags, so a teacher sees them beside mastery.
#pragma once

#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace pw {

enum class AttendanceStatus { kPresent, kTardy, kExcusedAbsence, kUnexcusedAbsence };
std::string_view AttendanceStatusName(AttendanceStatus s);
Result<AttendanceStatus> ParseAttendanceStatus(std::string_view s);
inline bool IsAbsence(AttendanceStatus s) {
  return s == AttendanceStatus::kExcusedAbsence || s == AttendanceStatus::kUnexcusedAbsence;
}

// One student on one school day.
struct AttendanceRecord {
  Id student_id = kNoId;
  Date date;
  AttendanceStatus status = AttendanceStatus::kPresent;
  std::string source_system;
};

struct BehaviorIncident {
  Id id = kNoId;
  Id student_id = kNoId;
  Timestamp time;
  std::string category;  // as the district codes it: "disruption", "tardy", ...
  int severity = 1;      // 1 (minor) .. 3 (major)
  std::string description;
  std::string source_system;
  std::string source_record;
};

// A social-emotional survey scale score (e.g. CORE districts' self-management, growth mindset).
struct SelScore {
  Id student_id = kNoId;
  Date date;
  std::string scale;  // "self-management", "growth-mindset", ...
  double score = 0;   // on the survey's own scale
  double scale_min = 1;
  double scale_max = 5;
  std::string source_system;
};

}  // namespace pw
