// The Store: every persistent read and write in Pathwise goes through this interface.
//
//   PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore("sqlite:pathwise.db"));
//   PW_RETURN_IF_ERROR(store->Migrate());
//   PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
//     PW_ASSIGN_OR_RETURN(PutOutcome o, store->PutPerson(student));
//     return store->AppendEvidence(events);
//   }));
//
// Backends: SQLite (`sqlite:PATH`, the embedded default) and PostgreSQL (`postgresql://...`,
// the scale-out store). Callers never see which one they have.
//
// Contracts:
// - One Store object is one database connection. It is not thread-safe: use it from one thread
//   at a time (the server keeps a StorePool). Several Store objects may share one database.
// - Every write method is atomic on its own. Transaction() groups several writes into one
//   all-or-nothing unit (imports); nested Transaction() calls join the outer one. A failure
//   anywhere inside (an inner Transaction() or any write method returning an error) rolls back
//   the whole outermost transaction, even if the caller ignores that error and carries on:
//   Transaction() then returns the first failure.
// - Put* methods upsert: when `id` is 0 and `source_id` is set, the row with that source_id is
//   updated (or created); when `id` is set, that row is updated. They fill in `id` and say
//   whether the row was created, updated or unchanged (so imports can report counts).
//   When `id` is set but no row has it yet, the row is inserted with exactly that id
//   (kCreated): the simulator and the demo load a fresh database with pre-assigned ids. A
//   source_id that already belongs to a different row is AlreadyExists. References to other
//   rows (org_id, class_id, competencies, ...) must exist, else InvalidArgument naming the
//   field (`person "s-1": org_id 9 does not exist`). Rows without a source_id have their own
//   natural keys where noted (competency: framework_id + code; enrollment: class_id +
//   person_id; behavior incident: source_system + source_record).
// - Ids filled in by a write are final once the outermost transaction commits.
// - List* methods that can grow with the district are paged by keyset (ids ascending): pass the
//   last id seen as `after`; the result's `next_after` is set while more rows remain.
// - Timestamps are stored as UTC milliseconds, dates as ISO text or day numbers; both
//   backends round-trip every field exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/activity.h"
#include "core/competency.h"
#include "core/competency_graph.h"
#include "core/evidence.h"
#include "core/goal.h"
#include "core/ids.h"
#include "core/roster.h"
#include "core/status.h"
#include "core/time.h"
#include "core/wellbeing.h"
#include "store/mastery.h"
#include "store/import_records.h"

namespace pw {

class AccountStore;  // store/accounts.h
class XapiStore;     // store/xapi_store.h

enum class PutOutcome { kCreated, kUpdated, kUnchanged };

// What a batch upsert did, row by row.
struct PutCounts {
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
};

struct PageRequest {
  Id after = kNoId;  // return rows with id > after
  int limit = 100;   // 1..10000
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<Id> next_after;  // set when more rows remain
};

// Filters: every field is optional (designated initializers such as {.role = Role::kStudent}
// leave the others unset); set fields combine with AND.
struct PersonFilter {
  std::optional<Role> role = std::nullopt;
  std::optional<Id> org_id = std::nullopt;    // people whose primary org is this
  std::optional<Id> class_id = std::nullopt;  // people enrolled in this class (any enrollment role)
};

struct ClassFilter {
  std::optional<Id> school_id = std::nullopt;
  std::optional<Id> person_id =
      std::nullopt;  // classes this person is enrolled in (student or teacher)
};

struct EvidenceFilter {
  std::optional<Id> student_id = std::nullopt;
  std::optional<Id> competency_id = std::nullopt;
  std::optional<Id> activity_id = std::nullopt;
  std::optional<Timestamp> since = std::nullopt;  // inclusive
  std::optional<Timestamp> until = std::nullopt;  // exclusive
};

struct DateRange {
  std::optional<Date> from = std::nullopt;  // inclusive
  std::optional<Date> to = std::nullopt;    // inclusive
};

// Parsed form of a --db URL.
struct StoreUrl {
  enum class Kind { kSqlite, kPostgres } kind = Kind::kSqlite;
  std::string target;  // the file path for SQLite; the whole URL for PostgreSQL
};

// "sqlite:PATH" (also "sqlite://PATH") or "postgresql://..." / "postgres://...".
// InvalidArgument otherwise: --db "x": expected sqlite:PATH or postgresql://USER@HOST/DB
Result<StoreUrl> ParseStoreUrl(std::string_view url);

class Store {
 public:
  virtual ~Store() = default;

  // ---- schema and transactions
  // Creates the schema or upgrades it to the newest version; idempotent.
  virtual Status Migrate() = 0;
  // 0 for an empty database.
  virtual Result<int> SchemaVersion() = 0;
  virtual Status Transaction(const std::function<Status()>& fn) = 0;

  // ---- small key/value settings (demo seed, framework defaults, ...)
  virtual Result<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  virtual Status SetMeta(std::string_view key, std::string_view value) = 0;

  // ---- roster
  virtual Result<PutOutcome> PutOrg(Org& org) = 0;
  virtual Result<Org> GetOrg(Id id) = 0;
  virtual Result<std::vector<Org>> ListOrgs() = 0;

  virtual Result<PutOutcome> PutSession(AcademicSession& session) = 0;
  virtual Result<std::vector<AcademicSession>> ListSessions() = 0;

  virtual Result<PutOutcome> PutPerson(Person& person) = 0;
  virtual Result<Person> GetPerson(Id id) = 0;
  virtual Result<std::optional<Person>> FindPersonBySourceId(std::string_view source_id) = 0;
  virtual Result<Page<Person>> ListPeople(const PersonFilter& filter, PageRequest page) = 0;

  virtual Result<PutOutcome> PutCourse(Course& course) = 0;
  virtual Result<Course> GetCourse(Id id) = 0;
  virtual Result<std::vector<Course>> ListCourses() = 0;

  virtual Result<PutOutcome> PutClass(ClassSection& cls) = 0;
  virtual Result<ClassSection> GetClass(Id id) = 0;
  virtual Result<std::vector<ClassSection>> ListClasses(const ClassFilter& filter) = 0;

  virtual Result<PutOutcome> PutEnrollment(Enrollment& enrollment) = 0;
  virtual Result<std::vector<Enrollment>> ListEnrollments(std::optional<Id> class_id,
                                                          std::optional<Id> person_id) = 0;

  virtual Result<PutOutcome> PutGuardianLink(const GuardianLink& link) = 0;
  // Links where the student is `student_id` (guardians of a child) or the guardian is
  // `guardian_id` (children of a guardian).
  virtual Result<std::vector<GuardianLink>> ListGuardianLinks(std::optional<Id> student_id,
                                                              std::optional<Id> guardian_id) = 0;
  // Removals for OneRoster delta files (status=tobedeleted); false when there was no such row.
  virtual Result<bool> DeleteEnrollment(Id enrollment_id) = 0;
  virtual Result<bool> DeleteGuardianLink(Id guardian_id, Id student_id) = 0;

  // ---- demographics (OneRoster demographics.csv), one row per person
  virtual Result<PutOutcome> PutDemographics(const Demographics& demographics) = 0;
  virtual Result<std::optional<Demographics>> GetDemographics(Id person_id) = 0;

  // ---- competency frameworks
  virtual Result<PutOutcome> PutFramework(Framework& framework) = 0;
  virtual Result<Framework> GetFramework(Id id) = 0;
  virtual Result<std::vector<Framework>> ListFrameworks() = 0;
  // Upserts by (framework_id, code) when id is 0; fills ids in.
  virtual Result<PutOutcome> PutCompetency(Competency& competency) = 0;
  virtual Result<Competency> GetCompetency(Id id) = 0;
  virtual Result<std::vector<Competency>> ListCompetencies(Id framework_id) = 0;
  // Replaces the framework's edges (both ends must belong to it).
  virtual Status SetEdges(Id framework_id, std::span<const CompetencyEdge> edges) = 0;
  virtual Result<std::vector<CompetencyEdge>> ListEdges(Id framework_id) = 0;
  // Competencies and edges of a framework, validated (a stored cycle is reported, not hidden).
  virtual Result<CompetencyGraph> LoadGraph(Id framework_id) = 0;
  // Replaces the framework's other associations (CASE exactMatchOf, isRelatedTo, ...); every
  // competency_id (and target_id, when set) must belong to the framework.
  virtual Status SetAssociations(Id framework_id,
                                 std::span<const CompetencyAssociation> associations) = 0;
  virtual Result<std::vector<CompetencyAssociation>> ListAssociations(Id framework_id) = 0;

  // ---- activities
  virtual Result<PutOutcome> PutActivity(Activity& activity) = 0;
  virtual Result<Activity> GetActivity(Id id) = 0;
  virtual Result<std::optional<Activity>> FindActivityBySourceId(std::string_view source_id) = 0;
  virtual Result<std::vector<Activity>> ListActivities() = 0;

  // ---- evidence (the big table)
  // Bulk append, one transaction (or part of the caller's); fills in ids. Incoming ids are
  // ignored: every event is a new row with a new id. Each event must pass ValidateEvidence and
  // name an existing student (role student) and existing activities/competencies; otherwise
  // nothing is written and the error names the event's index and field:
  //   evidence 17: competency_id 99 does not exist
  //   evidence 3: score 1.5 is outside [0, 1]
  virtual Status AppendEvidence(std::span<EvidenceEvent> events) = 0;
  virtual Result<Page<EvidenceEvent>> ListEvidence(const EvidenceFilter& filter,
                                                   PageRequest page) = 0;
  // Streams matching evidence ordered by (student_id, time, id) without materializing it; the
  // callback may stop the scan by returning a non-OK status, which ScanEvidence returns.
  // The callback must not write evidence (reads through the same Store are fine).
  virtual Status ScanEvidence(const EvidenceFilter& filter,
                              const std::function<Status(const EvidenceEvent&)>& fn) = 0;
  virtual Result<std::int64_t> CountEvidence(const EvidenceFilter& filter) = 0;
  // Deletes these evidence rows (withdrawn evidence, e.g. of a voided xAPI statement) and
  // returns them as they were, by id; ids that do not exist are skipped.
  virtual Result<std::vector<EvidenceEvent>> DeleteEvidence(std::span<const Id> ids) = 0;

  // ---- non-achievement records
  // Attendance is keyed by (student, date): a second record for the same day replaces the first.
  virtual Status PutAttendance(std::span<const AttendanceRecord> records) = 0;
  // The same, saying how many rows were created, updated (status or source changed) or left as
  // they were (imports report these).
  virtual Result<PutCounts> PutAttendanceCounted(std::span<const AttendanceRecord> records) = 0;
  virtual Result<std::vector<AttendanceRecord>> ListAttendance(Id student_id, DateRange range) = 0;
  virtual Result<PutOutcome> PutBehavior(BehaviorIncident& incident) = 0;
  virtual Result<std::vector<BehaviorIncident>> ListBehavior(Id student_id, DateRange range) = 0;
  // SEL scores are keyed by (student, date, scale).
  virtual Status PutSel(std::span<const SelScore> scores) = 0;
  virtual Result<PutCounts> PutSelCounted(std::span<const SelScore> scores) = 0;
  virtual Result<std::vector<SelScore>> ListSel(Id student_id, DateRange range) = 0;
  // Upserts by (student_id, assessment, date) (or by id when set); fills in id. The student
  // must exist with role student; sub-score competency ids must exist; scores finite.
  virtual Result<PutOutcome> PutAssessmentScore(AssessmentScore& score) = 0;
  // Ordered by date, then assessment.
  virtual Result<std::vector<AssessmentScore>> ListAssessmentScores(Id student_id,
                                                                    DateRange range) = 0;

  // ---- goals
  virtual Result<PutOutcome> PutGoal(Goal& goal) = 0;
  virtual Result<std::vector<Goal>> ListGoals(Id student_id) = 0;

  // ---- mastery, course credits and interests (store/mastery.h; the learner profile)
  // The stored rows of these (student, competency) pairs, in the order given; pairs without
  // a row are left out.
  virtual Result<std::vector<MasteryRecord>> GetMastery(
      std::span<const std::pair<Id, Id>> pairs) = 0;
  // Every row of one student, by competency id.
  virtual Result<std::vector<MasteryRecord>> ListMastery(Id student_id) = 0;
  // Upserts by (student, competency), all or nothing. A student or competency that does not
  // exist is InvalidArgument "mastery 3: competency_id 99 does not exist".
  virtual Status PutMastery(std::span<const MasteryRecord> rows) = 0;
  // Records a credit unless the student already has one for the course; returns whether it
  // was created.
  virtual Result<bool> PutCourseCredit(const CourseCredit& credit) = 0;
  virtual Result<std::vector<CourseCredit>> ListCourseCredits(Id student_id) = 0;
  // A student's stated interests (topic tags, as the student gave them), replacing the old.
  virtual Status SetInterests(Id student_id, std::span<const std::string> interests) = 0;
  virtual Result<std::vector<std::string>> ListInterests(Id student_id) = 0;

  // ---- accounts, sessions, API clients, audit log (store/accounts.h); owned by the Store,
  // nullptr when the backend has none yet.
  virtual AccountStore* accounts() { return nullptr; }
  // ---- the Learning Record Store (store/xapi_store.h); nullptr when the backend has none yet.
  virtual XapiStore* xapi() { return nullptr; }
};

// Opens (and creates, for SQLite) the database named by `url`. Does not migrate. InvalidArgument
// for a malformed URL or a file that cannot be opened; Unavailable when a PostgreSQL server
// cannot be reached; Unimplemented for postgresql:// in a build without libpqxx.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

// A fixed set of connections to one database for a multi-threaded server. Acquire() blocks
// until a connection is free; the lease returns it when destroyed.
class StorePool {
 public:
  static Result<std::unique_ptr<StorePool>> Open(std::string_view url, int size);

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<Store> store) : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), store_(std::move(other.store_)) {}
    // Returns the connection held so far to its pool, then takes over `other`'s.
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Store& operator*() { return *store_; }
    Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };

  Lease Acquire();
  // Every Lease must have been destroyed before the pool is.
  ~StorePool();

 private:
  struct State;
  explicit StorePool(std::unique_ptr<State> state);
  void Release(std::unique_ptr<Store> store);
  std::unique_ptr<State> state_;
};

}  // namespace pw
