// Name tables and validation for the small domain types.
#include <cmath>

#include "core/activity.h"
#include "core/enum_names.h"
#include "core/evidence.h"
#include "core/wellbeing.h"

namespace pw {
namespace {

constexpr EnumNames<Modality, 6> kModalities{{{
    {"teacher-led", Modality::kTeacherLed},
    {"small-group", Modality::kSmallGroup},
    {"collaborative", Modality::kCollaborative},
    {"independent-digital", Modality::kIndependentDigital},
    {"tutoring", Modality::kTutoring},
    {"project", Modality::kProject},
}}};
constexpr EnumNames<OutcomeKind, 4> kOutcomeKinds{{{
    {"correct", OutcomeKind::kCorrect},
    {"incorrect", OutcomeKind::kIncorrect},
    {"score", OutcomeKind::kScore},
    {"rubric", OutcomeKind::kRubric},
}}};
constexpr EnumNames<AttendanceStatus, 4> kAttendance{{{
    {"present", AttendanceStatus::kPresent},
    {"tardy", AttendanceStatus::kTardy},
    {"excused", AttendanceStatus::kExcusedAbsence},
    {"unexcused", AttendanceStatus::kUnexcusedAbsence},
}}};

}  // namespace

std::string_view ModalityName(Modality m) { return kModalities.Name(m); }
Result<Modality> ParseModality(std::string_view s) { return kModalities.Parse(s, "modality"); }
std::string_view OutcomeKindName(OutcomeKind k) { return kOutcomeKinds.Name(k); }
Result<OutcomeKind> ParseOutcomeKind(std::string_view s) {
  return kOutcomeKinds.Parse(s, "outcome kind");
}
std::string_view AttendanceStatusName(AttendanceStatus s) { return kAttendance.Name(s); }
Result<AttendanceStatus> ParseAttendanceStatus(std::string_view s) {
  return kAttendance.Parse(s, "attendance status");
}

Status ValidateEvidence(const EvidenceEvent& e) {
  if (e.student_id == kNoId) return InvalidArgumentError("evidence: student is missing");
  if (e.activity_id == kNoId && e.competency_id == kNoId) {
    return InvalidArgumentError("evidence: needs an activity or a competency");
  }
  if (!std::isfinite(e.score) || e.score < 0.0 || e.score > 1.0) {
    return InvalidArgumentError("evidence: score {} is outside [0, 1]", e.score);
  }
  switch (e.kind) {
    case OutcomeKind::kCorrect:
      if (e.score != 1.0) return InvalidArgumentError("evidence: a correct answer has score 1");
      break;
    case OutcomeKind::kIncorrect:
      if (e.score != 0.0) return InvalidArgumentError("evidence: an incorrect answer has score 0");
      break;
    case OutcomeKind::kRubric:
      if (e.rubric_max <= 0 || e.rubric_level < 0 || e.rubric_level > e.rubric_max) {
        return InvalidArgumentError("evidence: rubric level {} is not within 0..{}", e.rubric_level,
                                    e.rubric_max);
      }
      break;
    case OutcomeKind::kScore:
      break;
  }
  return OkStatus();
}

}  // namespace pw
