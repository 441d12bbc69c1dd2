// Learner profiles from the store: the one place the server and the CLI assemble a profile, a
// guardian report, a class's flags or a mastery override (profile/ has the algorithms; this
// file loads their inputs and stores their results).
//
//   ProfileLoader loader(store);
//   PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, loader.Load(student_id, clock.Now()));
//   nlohmann::json j = ProfileJson(p);
//
// Per framework, BKT parameters come from meta "kt.params.framework.<id>" (written by
// `pathwise kt fit --db`) and mastery options from "profile.options.framework.<id>"; both
// fall back to the documented defaults (profile/kt_params.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "profile/kt_params.h"
#include "profile/profile.h"
#include "profile/report.h"
#include "server/api.h"
#include "store/store.h"

namespace pw::server {

struct FrameworkSettings {
  profile::FrameworkKtParams kt;
  profile::MasteryOptions mastery;
};

// Reads (and parses, cached by the stored text) a framework's settings. A malformed stored
// value is InvalidArgument naming the meta key.
Result<std::shared_ptr<const FrameworkSettings>> LoadFrameworkSettings(Store& store,
                                                                       Id framework_id);

// Stored row <-> the profile's view. A row with an unknown state text is Internal.
Result<profile::StoredMastery> FromRecord(const MasteryRecord& row);
MasteryRecord ToRecord(Id student_id, Id competency_id, const profile::StoredMastery& m);

// Brings the mastery of every (student, competency) the events touch up to date (the events
// are already appended; RecordEvidence calls this in the same transaction), and credits
// courses whose required competencies all became mastered.
Status UpdateMasteryForEvidence(Store& store, std::span<const EvidenceEvent> events);

// After evidence was withdrawn (deleted; e.g. a voided xAPI statement's), recomputes the
// mastery of every (student, competency) it was about from the student's remaining evidence,
// as if it had never arrived; overrides stay. Course credits already given are kept.
Status RecomputeMasteryAfterWithdrawal(Store& store, std::span<const EvidenceEvent> withdrawn);

// Credits every course of the student's classes whose required competencies are all mastered
// (stored state or override) and that is not credited yet; returns the courses credited.
Result<std::vector<Id>> CreditCompletedCourses(Store& store, Id student_id, Timestamp now);

// The student by internal id ("17") or sourcedId ("sim-student-17"); NotFound
// "student \"x\" not found" otherwise (also for a person who is not a student).
Result<Person> ResolveStudent(Store& store, std::string_view id_or_source_id);

// Loads profile inputs from the store, caching what students share (graphs, settings, courses,
// classes, sessions, activities) — reuse one loader for a class or a batch.
class ProfileLoader {
 public:
  explicit ProfileLoader(Store& store, profile::ProfileOptions options = {})
      : store_(store), options_(options) {}

  // NotFound "student 9 not found" when there is no such student.
  Result<profile::LearnerProfile> Load(Id student_id, Timestamp now);
  // The same plus up to `max_examples` recent evidence on mastered and in-progress
  // competencies, and the mastery options of the student's main framework.
  Result<profile::GuardianReport> LoadGuardianReport(Id student_id, Timestamp now);

 private:
  struct Loaded {
    profile::ProfileInputs inputs;
    std::vector<std::shared_ptr<const CompetencyGraph>> graphs;
    std::vector<EvidenceEvent> recent;  // newest last, at most 50
  };
  Result<Loaded> LoadInputs(Id student_id, Timestamp now);
  Result<std::shared_ptr<const CompetencyGraph>> Graph(Id framework_id);
  Result<const Activity*> GetActivity(Id id);

  Store& store_;
  profile::ProfileOptions options_;
  std::unordered_map<Id, std::shared_ptr<const CompetencyGraph>> graphs_;
  std::unordered_map<Id, Id> framework_of_;  // competency -> framework (from loaded graphs)
  std::optional<std::unordered_map<Id, Course>> courses_;
  std::optional<std::vector<AcademicSession>> sessions_;
  std::unordered_map<Id, ClassSection> classes_;
  std::unordered_map<Id, std::optional<Activity>> activities_;
};

// A teacher's (or administrator's) override of one mastery state, with a reason; `state`
// nullopt removes the override. Errors: NotFound "competency 9 not found"; InvalidArgument
// "reason: required" / "reason: at most 500 characters".
Status OverrideMastery(Store& store, Id student_id, Id competency_id,
                       std::optional<profile::MasteryState> state, std::string_view reason,
                       std::string_view by, Timestamp at);

struct StudentFlags {
  Person student;
  std::vector<profile::Flag> flags;
};

// The flags of every student of the class as of the end of `date` (mastery is the stored,
// newest estimate, decayed to that day). NotFound "class 9 does not exist".
Result<std::vector<StudentFlags>> ClassFlags(Store& store, Id class_id, Date date,
                                             const profile::ProfileOptions& options = {});

// JSON views for the API and `--json`.
nlohmann::json ProfileJson(const profile::LearnerProfile& p);
nlohmann::json ReportJson(const profile::GuardianReport& r);
nlohmann::json FlagsJson(Id class_id, Date date, const std::vector<StudentFlags>& flags);

// GET /api/v1/students/{id}/profile, GET /api/v1/students/{id}/report,
// POST /api/v1/students/{id}/mastery/{competency_id}/override, GET /api/v1/classes/{id}/flags
// (routes_profile.cc).
std::vector<Route> ProfileRoutes();

}  // namespace pw::server
