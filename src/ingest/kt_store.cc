#include "ingest/kt_store.h"

#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pw::ingest {

Result<KtLog> ReadKtLogFromStore(Store& store, Id framework_id, const KtReadOptions& options,
                                 KtVocab& vocab) {
  PW_ASSIGN_OR_RETURN(std::vector<Competency> competencies, store.ListCompetencies(framework_id));
  std::unordered_set<Id> in_framework;
  for (const Competency& c : competencies) in_framework.insert(c.id);
  PW_ASSIGN_OR_RETURN(std::vector<Activity> activities, store.ListActivities());
  std::unordered_map<Id, std::vector<Id>> aligned;  // activity -> its competencies here
  for (const Activity& a : activities) {
    std::vector<Id>& ks = aligned[a.id];
    for (Id c : a.competencies) {
      if (in_framework.count(c) != 0) ks.push_back(c);
    }
  }

  KtLog log;
  std::vector<std::int32_t> skills;
  std::unordered_map<Id, std::int32_t> skill_index, student_index, activity_index,
      competency_item_index;
  auto intern = [](std::unordered_map<Id, std::int32_t>& cache, KtInterner& in, Id id,
                   const char* prefix) {
    auto [it, fresh] = cache.try_emplace(id, 0);
    if (fresh) it->second = in.Intern(fmt::format("{}{}", prefix, id));
    return it->second;
  };
  Status scan = store.ScanEvidence({}, [&](const EvidenceEvent& e) -> Status {
    skills.clear();
    if (e.competency_id != kNoId) {
      if (in_framework.count(e.competency_id) != 0) {
        skills.push_back(intern(skill_index, vocab.skills, e.competency_id, ""));
      }
    } else if (auto it = aligned.find(e.activity_id); it != aligned.end()) {
      for (Id c : it->second) skills.push_back(intern(skill_index, vocab.skills, c, ""));
    }
    if (skills.empty()) {
      ++log.skipped_rows;
      return OkStatus();
    }
    if (options.max_answers > 0 && static_cast<std::int64_t>(log.size()) >= options.max_answers) {
      return ResourceExhaustedError("evidence: more than {} answers (the --max-answers limit)",
                                    options.max_answers);
    }
    const std::int32_t student = intern(student_index, vocab.students, e.student_id, "");
    const std::int32_t item =
        e.activity_id != kNoId ? intern(activity_index, vocab.items, e.activity_id, "a")
                               : intern(competency_item_index, vocab.items, e.competency_id, "c");
    log.Add(student, item, e.time.millis / 1000, e.correct(), skills);
    return OkStatus();
  });
  PW_RETURN_IF_ERROR(scan);
  return log;
}

}  // namespace pw::ingest
