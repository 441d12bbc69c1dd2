// The PostgreSQL backend of the Store (store/store.h): one PgStore is one connection to one
// database. The same contracts as the SQLite backend, tested by the same suite against a real
// server (tests/unit/store). docs/store.md describes the schema; the PostgreSQL DDL mirrors it
// (BIGSERIAL ids, DOUBLE PRECISION, BOOLEAN).
//
// Only built when libpqxx is found (PATHWISE_HAVE_POSTGRES); otherwise OpenStore answers
// Unimplemented for postgresql:// URLs.
#pragma once

#ifdef PATHWISE_HAVE_POSTGRES

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/accounts.h"
#include "store/postgres/pg_db.h"
#include "store/store.h"
#include "store/store_util.h"
#include "store/xapi_store.h"

namespace pw {

class PgStore final : public Store {
 public:
  // Connects (does not migrate). `url` is a libpq URI: postgresql://USER@HOST/DB?...
  static Result<std::unique_ptr<PgStore>> Open(const std::string& url);

  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Status Transaction(const std::function<Status()>& fn) override;

  Result<std::optional<std::string>> GetMeta(std::string_view key) override;
  Status SetMeta(std::string_view key, std::string_view value) override;

  Result<PutOutcome> PutOrg(Org& org) override;
  Result<Org> GetOrg(Id id) override;
  Result<std::vector<Org>> ListOrgs() override;

  Result<PutOutcome> PutSession(AcademicSession& session) override;
  Result<std::vector<AcademicSession>> ListSessions() override;

  Result<PutOutcome> PutPerson(Person& person) override;
  Result<Person> GetPerson(Id id) override;
  Result<std::optional<Person>> FindPersonBySourceId(std::string_view source_id) override;
  Result<Page<Person>> ListPeople(const PersonFilter& filter, PageRequest page) override;

  Result<PutOutcome> PutCourse(Course& course) override;
  Result<Course> GetCourse(Id id) override;
  Result<std::vector<Course>> ListCourses() override;

  Result<PutOutcome> PutClass(ClassSection& cls) override;
  Result<ClassSection> GetClass(Id id) override;
  Result<std::vector<ClassSection>> ListClasses(const ClassFilter& filter) override;

  Result<PutOutcome> PutEnrollment(Enrollment& enrollment) override;
  Result<std::vector<Enrollment>> ListEnrollments(std::optional<Id> class_id,
                                                  std::optional<Id> person_id) override;

  Result<PutOutcome> PutGuardianLink(const GuardianLink& link) override;
  Result<std::vector<GuardianLink>> ListGuardianLinks(std::optional<Id> student_id,
                                                      std::optional<Id> guardian_id) override;
  Result<bool> DeleteEnrollment(Id enrollment_id) override;
  Result<bool> DeleteGuardianLink(Id guardian_id, Id student_id) override;
  Result<PutOutcome> PutDemographics(const Demographics& demographics) override;
  Result<std::optional<Demographics>> GetDemographics(Id person_id) override;

  Result<PutOutcome> PutFramework(Framework& framework) override;
  Result<Framework> GetFramework(Id id) override;
  Result<std::vector<Framework>> ListFrameworks() override;
  Result<PutOutcome> PutCompetency(Competency& competency) override;
  Result<Competency> GetCompetency(Id id) override;
  Result<std::vector<Competency>> ListCompetencies(Id framework_id) override;
  Status SetEdges(Id framework_id, std::span<const CompetencyEdge> edges) override;
  Result<std::vector<CompetencyEdge>> ListEdges(Id framework_id) override;
  Result<CompetencyGraph> LoadGraph(Id framework_id) override;
  Status SetAssociations(Id framework_id,
                         std::span<const CompetencyAssociation> associations) override;
  Result<std::vector<CompetencyAssociation>> ListAssociations(Id framework_id) override;

  Result<PutOutcome> PutActivity(Activity& activity) override;
  Result<Activity> GetActivity(Id id) override;
  Result<std::optional<Activity>> FindActivityBySourceId(std::string_view source_id) override;
  Result<std::vector<Activity>> ListActivities() override;

  Status AppendEvidence(std::span<EvidenceEvent> events) override;
  Result<Page<EvidenceEvent>> ListEvidence(const EvidenceFilter& filter, PageRequest page) override;
  Status ScanEvidence(const EvidenceFilter& filter,
                      const std::function<Status(const EvidenceEvent&)>& fn) override;
  Result<std::int64_t> CountEvidence(const EvidenceFilter& filter) override;
  Result<std::vector<EvidenceEvent>> DeleteEvidence(std::span<const Id> ids) override;

  Status PutAttendance(std::span<const AttendanceRecord> records) override;
  Result<PutCounts> PutAttendanceCounted(std::span<const AttendanceRecord> records) override;
  Result<std::vector<AttendanceRecord>> ListAttendance(Id student_id, DateRange range) override;
  Result<PutOutcome> PutBehavior(BehaviorIncident& incident) override;
  Result<std::vector<BehaviorIncident>> ListBehavior(Id student_id, DateRange range) override;
  Status PutSel(std::span<const SelScore> scores) override;
  Result<PutCounts> PutSelCounted(std::span<const SelScore> scores) override;
  Result<std::vector<SelScore>> ListSel(Id student_id, DateRange range) override;
  Result<PutOutcome> PutAssessmentScore(AssessmentScore& score) override;
  Result<std::vector<AssessmentScore>> ListAssessmentScores(Id student_id,
                                                            DateRange range) override;

  Result<PutOutcome> PutGoal(Goal& goal) override;
  Result<std::vector<Goal>> ListGoals(Id student_id) override;

  Result<std::vector<MasteryRecord>> GetMastery(std::span<const std::pair<Id, Id>> pairs) override;
  Result<std::vector<MasteryRecord>> ListMastery(Id student_id) override;
  Status PutMastery(std::span<const MasteryRecord> rows) override;
  Result<bool> PutCourseCredit(const CourseCredit& credit) override;
  Result<std::vector<CourseCredit>> ListCourseCredits(Id student_id) override;
  Status SetInterests(Id student_id, std::span<const std::string> interests) override;
  Result<std::vector<std::string>> ListInterests(Id student_id) override;

  AccountStore* accounts() override;  // pg_accounts.cc
  XapiStore* xapi() override;          // pg_xapi.cc

 private:
  explicit PgStore(std::unique_ptr<pg::PgDb> db) : db_(std::move(db)) {}

  struct Target {
    Id id = kNoId;
    bool exists = false;
  };
  Result<Target> ResolveTarget(const char* table, std::string_view who, Id id,
                               std::string_view source_id);
  Result<bool> Exists(const char* table, Id id);
  Status CheckRef(const char* table, Id id, std::string_view who, std::string_view field);
  Status CheckRequiredRef(const char* table, Id id, std::string_view who, std::string_view field);
  Status CheckRefs(const char* table, const std::vector<Id>& ids, std::string_view who,
                   std::string_view field);
  // After a row was inserted with an explicit id, moves the table's id sequence past it.
  Status BumpSequence(const char* table, Id explicit_id);
  Result<bool> ReplaceIdList(const char* table, const char* owner_col, Id owner_id,
                             const char* value_col, const std::vector<Id>& values);
  Result<bool> ReplaceTagList(Id activity_id, const std::vector<std::string>& tags);
  Result<std::vector<Id>> LoadIdList(const char* table, const char* owner_col, Id owner_id,
                                     const char* value_col);
  Result<std::unordered_map<Id, std::vector<Id>>> LoadAllIdLists(const char* table,
                                                                 const char* owner_col,
                                                                 const char* value_col);
  Result<std::string> StudentProblem(Id id);
  // Batch forms, one query each: the role of each of `ids` that exists; which of `ids` exist in
  // `table`; and StudentProblem's answer from such roles.
  Result<std::unordered_map<Id, std::string>> RolesOf(const std::unordered_set<Id>& ids);
  Result<std::unordered_set<Id>> ExistingIds(const char* table, const std::unordered_set<Id>& ids);
  static std::string StudentProblemOf(Id id, const std::unordered_map<Id, std::string>& roles);
  Result<std::int64_t> SourceSystemId(const std::string& name);
  Result<std::string> SourceSystemName(std::int64_t id);
  // Runs a statement that returns the new row's id.
  template <typename... Args>
  Result<Id> InsertReturningId(const std::string& sql, const Args&... args) {
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, args...));
    if (r.empty()) return InternalError("postgresql: an INSERT returned no id");
    return pg::Int(r[0], 0);
  }

  std::unique_ptr<pg::PgDb> db_;
  std::unique_ptr<AccountStore> accounts_;  // pg_accounts.cc, created on first use
  std::unique_ptr<XapiStore> xapi_;         // pg_xapi.cc, created on first use
  store_util::TransactionNesting tx_;
  std::unordered_map<std::string, std::int64_t> source_ids_;
  std::unordered_map<std::int64_t, std::string> source_names_;
};

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
