// The SQLite backend of the Store (store/store.h): one SqliteStore is one connection to one
// database file. docs/store.md describes the schema, the settings and why.
//
//   PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, SqliteStore::Open("pathwise.db"));
//
// Callers normally go through OpenStore("sqlite:PATH") instead of naming this class.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/accounts.h"
#include "store/sqlite/sqlite_db.h"
#include "store/xapi_store.h"
#include "store/store.h"
#include "store/store_util.h"

namespace pw {

struct SqliteOptions {
  // How long a writer waits for another connection's write lock before failing with
  // Unavailable. Long enough for any single import batch on the same machine.
  int busy_timeout_ms = 10'000;
  // Page cache per connection, in MiB (SQLite's default is 2). Bulk evidence inserts touch
  // index pages all over the file; a cache that holds them avoids rewriting them repeatedly.
  // Memory is taken only as pages are used.
  int cache_mib = 64;
  // Page cache while a bulk write (an attendance or SEL import batch) runs, in MiB; back to
  // cache_mib when the outermost transaction ends. Such a batch upserts into a primary-key
  // B-tree all over the table; when the table outgrows the cache, every batch spills and
  // rewrites the same pages into the WAL again (10 M attendance rows: 110 s of mostly I/O with
  // 64 MiB, against 18 s with the table held in memory). Memory is taken only as pages are used.
  int bulk_cache_mib = 1024;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the file (does not migrate). ":memory:" gives a private in-memory database.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const SqliteOptions& options = {});

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

  AccountStore* accounts() override;
  XapiStore* xapi() override;  // sqlite_xapi.cc

  // The underlying connection, for tests and tools that need raw SQL.
  sqlite::SqliteDb& db() { return *db_; }

  // Notes that this transaction changed people, activities or their competencies: its commit
  // bumps xapi_mapping_generation (migration 13), so mapping look-ups kept elsewhere are
  // dropped. Every write to those tables calls it.
  void NoteMappingInputsChanged() { mapping_inputs_changed_ = true; }

 private:
  SqliteStore(std::unique_ptr<sqlite::SqliteDb> db, const SqliteOptions& options)
      : db_(std::move(db)), options_(options) {}

  // Inside a transaction: raises the page cache to options_.bulk_cache_mib until the outermost
  // transaction ends (RestoreCache).
  Status UseBulkCache();
  void RestoreCache();
  // Forgets the xAPI key ids cached by xapi() (sqlite_xapi.cc): a rolled-back transaction may
  // have created some of them.
  void ForgetXapiKeys();
  // Gives back the writer turn (SqliteDb::LockWriter) if this transaction holds it.
  void EndWriterTurn();

  // Which row a Put* writes: an existing row (exists) or a new one with `id` (kNoId = assign).
  struct Target {
    Id id = kNoId;
    bool exists = false;
  };
  // The id/source_id rule of store.h for a table with a UNIQUE source_id column. `who` names
  // the row in errors ("person \"s-17\"").
  Result<Target> ResolveTarget(const char* table, std::string_view who, Id id,
                               std::string_view source_id);
  Result<bool> Exists(const char* table, Id id);
  // OK when `id` is kNoId or names a row of `table`; else InvalidArgument
  // "<who>: <field> <id> does not exist".
  Status CheckRef(const char* table, Id id, std::string_view who, std::string_view field);
  Status CheckRequiredRef(const char* table, Id id, std::string_view who, std::string_view field);
  Status CheckRefs(const char* table, const std::vector<Id>& ids, std::string_view who,
                   std::string_view field);
  // Replaces the ordered child list (position, value) of `owner_id` in `table` when it differs
  // from what is stored; returns whether it changed.
  Result<bool> ReplaceIdList(const char* table, const char* owner_col, Id owner_id,
                             const char* value_col, const std::vector<Id>& values);
  Result<bool> ReplaceTagList(Id activity_id, const std::vector<std::string>& tags);
  Result<std::vector<Id>> LoadIdList(const char* table, const char* owner_col, Id owner_id,
                                     const char* value_col);
  Result<std::unordered_map<Id, std::vector<Id>>> LoadAllIdLists(const char* table,
                                                                 const char* owner_col,
                                                                 const char* value_col);
  // Checks that `id` is a stored student: "" when it is, else the reason.
  Result<std::string> StudentProblem(Id id);
  // Which ids StudentProblem / Exists found valid, kept across transactions while
  // xapi_mapping_generation is unchanged (every change to people and activities bumps it, and
  // no student, activity or competency row is ever deleted without it): a stream of evidence
  // batches checks each student, activity and competency once, not once a batch. Used only
  // inside a transaction that has not itself changed those tables.
  enum CheckedKind { kCheckedStudent, kCheckedActivity, kCheckedCompetency, kCheckedKinds };
  bool CheckedBefore(CheckedKind kind, Id id);
  void NoteChecked(CheckedKind kind, Id id);

  // Source-system names of evidence <-> their ids in source_systems.
  Result<std::int64_t> SourceSystemId(const std::string& name);
  Result<std::string> SourceSystemName(std::int64_t id);

  std::unique_ptr<sqlite::SqliteDb> db_;
  SqliteOptions options_;
  bool bulk_cache_ = false;
  std::unique_ptr<AccountStore> accounts_;  // sqlite_accounts.cc, created on first use
  std::unique_ptr<XapiStore> xapi_;  // sqlite_xapi.cc, created on first use
  store_util::TransactionNesting tx_;
  bool writer_turn_ = false;  // this connection's transaction holds SqliteDb::LockWriter
  bool mapping_inputs_changed_ = false;  // NoteMappingInputsChanged in this transaction
  std::unordered_set<Id> checked_[kCheckedKinds];  // CheckedBefore
  std::int64_t checked_generation_ = -1;           // the generation checked_ holds for
  bool checked_generation_read_ = false;           // in this transaction
  std::unordered_map<std::string, std::int64_t> source_ids_;
  std::unordered_map<std::int64_t, std::string> source_names_;
};

}  // namespace pw
