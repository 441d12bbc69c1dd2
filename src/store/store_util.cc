#include "store/store_util.h"

#include <unordered_map>

namespace pw::store_util {

Status CheckEvidenceBatch(std::span<const EvidenceEvent> events,
                          const std::function<Result<std::string>(Id)>& student_problem,
                          const std::function<Result<bool>(const char* table, Id)>& exists) {
  IdChecks students, activities, competencies;
  auto exists_lookup = [&](const char* table, const char* field) {
    return [&exists, table, field](Id id) -> Result<std::string> {
      PW_ASSIGN_OR_RETURN(bool found, exists(table, id));
      return found ? std::string() : fmt::format("{} {} does not exist", field, id);
    };
  };
  auto activity_lookup = exists_lookup("activities", "activity_id");
  auto competency_lookup = exists_lookup("competencies", "competency_id");
  for (size_t i = 0; i < events.size(); ++i) {
    const EvidenceEvent& e = events[i];
    if (Status v = ValidateEvidence(e); !v.ok()) {
      std::string_view msg = v.message();
      constexpr std::string_view kPrefix = "evidence: ";
      if (msg.starts_with(kPrefix)) msg.remove_prefix(kPrefix.size());
      return InvalidArgumentError("evidence {}: {}", i, msg);
    }
    PW_ASSIGN_OR_RETURN(const std::string* problem, students.Check(e.student_id, student_problem));
    if (!problem->empty()) return InvalidArgumentError("evidence {}: {}", i, *problem);
    if (e.activity_id != kNoId) {
      PW_ASSIGN_OR_RETURN(problem, activities.Check(e.activity_id, activity_lookup));
      if (!problem->empty()) return InvalidArgumentError("evidence {}: {}", i, *problem);
    }
    if (e.competency_id != kNoId) {
      PW_ASSIGN_OR_RETURN(problem, competencies.Check(e.competency_id, competency_lookup));
      if (!problem->empty()) return InvalidArgumentError("evidence {}: {}", i, *problem);
    }
  }
  return OkStatus();
}

}  // namespace pw::store_util
