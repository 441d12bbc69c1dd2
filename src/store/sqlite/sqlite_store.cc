// SqliteStore: connection, migrations, transactions, meta and the roster tables. Frameworks,
// activities and goals are in sqlite_frameworks.cc; evidence and wellbeing in sqlite_evidence.cc.
#include "store/sqlite/sqlite_store.h"

#include <chrono>
#include <exception>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_util.h"

namespace pw {

using sqlite::Null;
using sqlite::OptText;
using sqlite::Ref;
using sqlite::Stmt;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const SqliteOptions& options) {
  if (path.empty()) return InvalidArgumentError("sqlite: the database path is empty");
  PW_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteDb> db,
                      sqlite::SqliteDb::Open(path, options.busy_timeout_ms, options.cache_mib));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), options));
}

// ---- schema and transactions

Status SqliteStore::Migrate() {
  if (tx_.active()) return FailedPreconditionError("Migrate cannot run inside a transaction");
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  return sqlite::ApplyMigrations(*db_, sqlite::SchemaMigrations(), now_ms);
}

Result<int> SqliteStore::SchemaVersion() { return sqlite::ReadSchemaVersion(*db_); }

Status SqliteStore::Transaction(const std::function<Status()>& fn) {
  // IMMEDIATE: take the write lock now (waiting up to busy_timeout) rather than failing with
  // SQLITE_BUSY halfway through when a read would have to be upgraded.
  return tx_.Run(
      fn,
      [&] {
        writer_turn_ = db_->LockWriter();
        Status s = db_->Exec("BEGIN IMMEDIATE");
        if (!s.ok()) EndWriterTurn();
        return s;
      },
      [&] {
        if (mapping_inputs_changed_) {
          PW_RETURN_IF_ERROR(
              db_->Run("UPDATE xapi_mapping_generation SET generation = generation + 1"));
          mapping_inputs_changed_ = false;
        }
        Status s = db_->Exec("COMMIT");
        checked_generation_read_ = false;
        if (s.ok()) {
          EndWriterTurn();
          RestoreCache();  // a failed COMMIT is rolled back (and restored) next
        }
        return s;
      },
      [&] {
        db_->Exec("ROLLBACK").IgnoreError();
        EndWriterTurn();
        mapping_inputs_changed_ = false;
        checked_generation_read_ = false;
        for (auto& ids : checked_) ids.clear();
        RestoreCache();
        // Source systems added by the rolled-back transaction are gone again.
        source_ids_.clear();
        source_names_.clear();
        ForgetXapiKeys();
      });
}

void SqliteStore::EndWriterTurn() {
  if (writer_turn_) db_->UnlockWriter();
  writer_turn_ = false;
}

Status SqliteStore::UseBulkCache() {
  if (bulk_cache_ || !tx_.active() || options_.bulk_cache_mib <= options_.cache_mib) {
    return OkStatus();
  }
  PW_RETURN_IF_ERROR(
      db_->Exec(fmt::format("PRAGMA cache_size=-{}", options_.bulk_cache_mib * 1024)));
  bulk_cache_ = true;
  return OkStatus();
}

void SqliteStore::RestoreCache() {
  if (!bulk_cache_) return;
  bulk_cache_ = false;
  // Shrinking the cache frees the pages above the limit.
  db_->Exec(fmt::format("PRAGMA cache_size=-{}", options_.cache_mib * 1024)).IgnoreError();
}

// ---- meta

Result<std::optional<std::string>> SqliteStore::GetMeta(std::string_view key) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT value FROM meta WHERE key = ?"));
  st.Bind(key);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.Text(0));
}

Status SqliteStore::SetMeta(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgumentError("meta: the key is empty");
  return Transaction([&] {
    return db_->Run(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        key, value);
  });
}

// ---- shared helpers

Result<bool> SqliteStore::Exists(const char* table, Id id) {
  const std::string_view name(table);
  const CheckedKind kind = name == "activities"     ? kCheckedActivity
                           : name == "competencies" ? kCheckedCompetency
                                                    : kCheckedKinds;
  if (kind != kCheckedKinds && CheckedBefore(kind, id)) return true;
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT 1 FROM {} WHERE id = ?", table)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool found, st.Step());
  if (found && kind != kCheckedKinds) NoteChecked(kind, id);
  return found;
}

bool SqliteStore::CheckedBefore(CheckedKind kind, Id id) {
  if (!tx_.active() || mapping_inputs_changed_) return false;
  if (!checked_generation_read_) {
    Result<XapiStore::MappingGeneration> now = xapi()->GetMappingGeneration();
    if (!now.ok()) return false;  // the check itself then runs (and reports any error)
    if (now->generation != checked_generation_) {
      for (auto& ids : checked_) ids.clear();
      checked_generation_ = now->generation;
    }
    checked_generation_read_ = true;
  }
  return checked_generation_ >= 0 && checked_[kind].contains(id);
}

void SqliteStore::NoteChecked(CheckedKind kind, Id id) {
  // Only what this transaction read from rows it did not change, for the generation read in it.
  if (!tx_.active() || mapping_inputs_changed_ || !checked_generation_read_) return;
  if (checked_[kind].size() >= 1'000'000) checked_[kind].clear();
  checked_[kind].insert(id);
}

Status SqliteStore::CheckRef(const char* table, Id id, std::string_view who,
                             std::string_view field) {
  if (id == kNoId) return OkStatus();
  PW_ASSIGN_OR_RETURN(bool found, Exists(table, id));
  if (!found) return InvalidArgumentError("{}: {} {} does not exist", who, field, id);
  return OkStatus();
}

Status SqliteStore::CheckRequiredRef(const char* table, Id id, std::string_view who,
                                     std::string_view field) {
  if (id == kNoId) return InvalidArgumentError("{}: {} is missing", who, field);
  return CheckRef(table, id, who, field);
}

Status SqliteStore::CheckRefs(const char* table, const std::vector<Id>& ids, std::string_view who,
                              std::string_view field) {
  for (size_t i = 0; i < ids.size(); ++i) {
    PW_RETURN_IF_ERROR(CheckRequiredRef(table, ids[i], who, fmt::format("{}[{}]", field, i)));
  }
  return OkStatus();
}

Result<SqliteStore::Target> SqliteStore::ResolveTarget(const char* table, std::string_view who,
                                                       Id id, std::string_view source_id) {
  if (id < 0) return InvalidArgumentError("{}: id {} is negative", who, id);
  Id by_source = kNoId;
  if (!source_id.empty()) {
    PW_ASSIGN_OR_RETURN(Stmt st,
                        db_->Prepare(fmt::format("SELECT id FROM {} WHERE source_id = ?", table)));
    st.Bind(source_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) by_source = st.Int(0);
  }
  if (id == kNoId) return Target{by_source, by_source != kNoId};
  if (by_source != kNoId && by_source != id) {
    return AlreadyExistsError("{}: source_id \"{}\" already belongs to id {}", who, source_id,
                              by_source);
  }
  PW_ASSIGN_OR_RETURN(bool exists, Exists(table, id));
  return Target{id, exists};
}

Result<std::vector<Id>> SqliteStore::LoadIdList(const char* table, const char* owner_col,
                                                Id owner_id, const char* value_col) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM {} WHERE {} = ? ORDER BY "
                                                        "position",
                                                        value_col, table, owner_col)));
  st.Bind(owner_id);
  std::vector<Id> out;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.Int(0));
  }
  return out;
}

Result<std::unordered_map<Id, std::vector<Id>>> SqliteStore::LoadAllIdLists(const char* table,
                                                                            const char* owner_col,
                                                                            const char* value_col) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {}, {} FROM {} ORDER BY {}, "
                                                        "position",
                                                        owner_col, value_col, table, owner_col)));
  std::unordered_map<Id, std::vector<Id>> out;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Int(0)].push_back(st.Int(1));
  }
  return out;
}

Result<bool> SqliteStore::ReplaceIdList(const char* table, const char* owner_col, Id owner_id,
                                        const char* value_col, const std::vector<Id>& values) {
  PW_ASSIGN_OR_RETURN(std::vector<Id> stored, LoadIdList(table, owner_col, owner_id, value_col));
  if (stored == values) return false;
  PW_RETURN_IF_ERROR(
      db_->Run(fmt::format("DELETE FROM {} WHERE {} = ?", table, owner_col), owner_id));
  const std::string insert =
      fmt::format("INSERT INTO {}({}, position, {}) VALUES (?, ?, ?)", table, owner_col, value_col);
  for (size_t i = 0; i < values.size(); ++i) {
    PW_RETURN_IF_ERROR(db_->Run(insert, owner_id, static_cast<std::int64_t>(i), values[i]));
  }
  return true;
}

Result<std::string> SqliteStore::StudentProblem(Id id) {
  if (CheckedBefore(kCheckedStudent, id)) return std::string();
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT role FROM people WHERE id = ?"));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return fmt::format("student_id {} does not exist", id);
  std::string role = st.Text(0);
  if (role != RoleName(Role::kStudent)) {
    return fmt::format("student_id {} is a {}, not a student", id, role);
  }
  NoteChecked(kCheckedStudent, id);
  return std::string();
}

// ---- orgs

namespace {

constexpr char kOrgColumns[] = "id, source_id, name, type, parent_id";

Result<Org> ReadOrg(const Stmt& st) {
  Org o;
  o.id = st.Int(0);
  o.source_id = st.Text(1);
  o.name = st.Text(2);
  PW_ASSIGN_OR_RETURN(o.type, ParseOrgType(st.Text(3)));
  o.parent_id = st.Int(4);
  return o;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutOrg(Org& org) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("org", org.id, org.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", org.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("orgs", who, org.id, org.source_id));
    if (!t.exists) {
      PW_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO orgs(id, source_id, name, type, parent_id) VALUES (?, ?, ?, ?, ?)",
          Ref{t.id}, OptText{org.source_id}, org.name, OrgTypeName(org.type), Ref{org.parent_id}));
      org.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE orgs SET source_id = ?2, name = ?3, type = ?4, parent_id = ?5 WHERE id = ?1 AND "
        "(source_id IS NOT ?2 OR name IS NOT ?3 OR type IS NOT ?4 OR parent_id IS NOT ?5)",
        t.id, OptText{org.source_id}, org.name, OrgTypeName(org.type), Ref{org.parent_id}));
    org.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Org> SqliteStore::GetOrg(Id id) {
  PW_ASSIGN_OR_RETURN(Stmt st,
                      db_->Prepare(fmt::format("SELECT {} FROM orgs WHERE id = ?", kOrgColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("org {} does not exist", id);
  return ReadOrg(st);
}

Result<std::vector<Org>> SqliteStore::ListOrgs() {
  PW_ASSIGN_OR_RETURN(Stmt st,
                      db_->Prepare(fmt::format("SELECT {} FROM orgs ORDER BY id", kOrgColumns)));
  return sqlite::ReadAll<Org>(st, ReadOrg);
}

// ---- sessions

namespace {

Result<AcademicSession> ReadSession(const Stmt& st) {
  AcademicSession s;
  s.id = st.Int(0);
  s.source_id = st.Text(1);
  s.title = st.Text(2);
  PW_ASSIGN_OR_RETURN(s.type, ParseSessionType(st.Text(3)));
  s.start = Date{static_cast<std::int32_t>(st.Int(4))};
  s.end = Date{static_cast<std::int32_t>(st.Int(5))};
  s.parent_id = st.Int(6);
  s.school_year = static_cast<int>(st.Int(7));
  return s;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutSession(AcademicSession& session) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("session", session.id, session.source_id);
  if (session.end < session.start) {
    return InvalidArgumentError("{}: end {} is before start {}", who, FormatDate(session.end),
                                FormatDate(session.start));
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("sessions", session.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("sessions", who, session.id, session.source_id));
    const auto type = SessionTypeName(session.type);
    if (!t.exists) {
      PW_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO sessions(id, source_id, title, type, start_day, end_day, parent_id, "
          "school_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          Ref{t.id}, OptText{session.source_id}, session.title, type, session.start.days,
          session.end.days, Ref{session.parent_id}, session.school_year));
      session.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE sessions SET source_id = ?2, title = ?3, type = ?4, start_day = ?5, end_day = ?6, "
        "parent_id = ?7, school_year = ?8 WHERE id = ?1 AND (source_id IS NOT ?2 OR title IS NOT "
        "?3 OR type IS NOT ?4 OR start_day IS NOT ?5 OR end_day IS NOT ?6 OR parent_id IS NOT ?7 "
        "OR school_year IS NOT ?8)",
        t.id, OptText{session.source_id}, session.title, type, session.start.days, session.end.days,
        Ref{session.parent_id}, session.school_year));
    session.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<AcademicSession>> SqliteStore::ListSessions() {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id, source_id, title, type, start_day, "
                                            "end_day, parent_id, school_year FROM sessions ORDER "
                                            "BY id"));
  return sqlite::ReadAll<AcademicSession>(st, ReadSession);
}

// ---- people

namespace {

constexpr char kPersonColumns[] =
    "p.id, p.source_id, p.given_name, p.family_name, p.role, p.email, p.grade, p.org_id";

Result<Person> ReadPerson(const Stmt& st) {
  Person p;
  p.id = st.Int(0);
  p.source_id = st.Text(1);
  p.given_name = st.Text(2);
  p.family_name = st.Text(3);
  PW_ASSIGN_OR_RETURN(p.role, ParseRole(st.Text(4)));
  p.email = st.Text(5);
  p.grade = st.Text(6);
  p.org_id = st.Int(7);
  return p;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutPerson(Person& person) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("person", person.id, person.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", person.org_id, who, "org_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("people", who, person.id, person.source_id));
    const auto role = RoleName(person.role);
    if (!t.exists) {
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO people(id, source_id, given_name, family_name, role, email, grade, "
                   "org_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   Ref{t.id}, OptText{person.source_id}, person.given_name, person.family_name,
                   role, person.email, person.grade, Ref{person.org_id}));
      person.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      NoteMappingInputsChanged();
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE people SET source_id = ?2, given_name = ?3, family_name = ?4, role = ?5, email = "
        "?6, grade = ?7, org_id = ?8 WHERE id = ?1 AND (source_id IS NOT ?2 OR given_name IS NOT "
        "?3 OR family_name IS NOT ?4 OR role IS NOT ?5 OR email IS NOT ?6 OR grade IS NOT ?7 OR "
        "org_id IS NOT ?8)",
        t.id, OptText{person.source_id}, person.given_name, person.family_name, role, person.email,
        person.grade, Ref{person.org_id}));
    person.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    if (outcome == PutOutcome::kUpdated) NoteMappingInputsChanged();
    return OkStatus();
  }));
  return outcome;
}

Result<Person> SqliteStore::GetPerson(Id id) {
  PW_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare(fmt::format("SELECT {} FROM people p WHERE p.id = ?", kPersonColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("person {} does not exist", id);
  return ReadPerson(st);
}

Result<std::optional<Person>> SqliteStore::FindPersonBySourceId(std::string_view source_id) {
  if (source_id.empty()) return std::optional<Person>();
  PW_ASSIGN_OR_RETURN(
      Stmt st,
      db_->Prepare(fmt::format("SELECT {} FROM people p WHERE p.source_id = ?", kPersonColumns)));
  st.Bind(source_id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Person>();
  PW_ASSIGN_OR_RETURN(Person p, ReadPerson(st));
  return std::optional<Person>(std::move(p));
}

Result<Page<Person>> SqliteStore::ListPeople(const PersonFilter& filter, PageRequest page) {
  PW_RETURN_IF_ERROR(sqlite::CheckPage(page));
  std::string sql = fmt::format("SELECT {} FROM people p WHERE p.id > ?1", kPersonColumns);
  if (filter.role) sql += " AND p.role = ?2";
  if (filter.org_id) sql += " AND p.org_id = ?3";
  if (filter.class_id) {
    sql += " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.person_id = p.id AND e.class_id = ?4)";
  }
  sql += " ORDER BY p.id LIMIT ?5";
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(sql));
  st.Bind(page.after, filter.role ? RoleName(*filter.role) : std::string_view(),
          filter.org_id.value_or(0), filter.class_id.value_or(0), page.limit + 1);
  return sqlite::ReadPage<Person>(st, page.limit, ReadPerson);
}

// ---- courses

namespace {

constexpr char kCourseColumns[] = "id, source_id, title, code, org_id, framework_id";

Result<Course> ReadCourse(const Stmt& st) {
  Course c;
  c.id = st.Int(0);
  c.source_id = st.Text(1);
  c.title = st.Text(2);
  c.code = st.Text(3);
  c.org_id = st.Int(4);
  c.framework_id = st.Int(5);
  return c;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutCourse(Course& course) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("course", course.id, course.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", course.org_id, who, "org_id"));
    PW_RETURN_IF_ERROR(CheckRef("frameworks", course.framework_id, who, "framework_id"));
    PW_RETURN_IF_ERROR(
        CheckRefs("competencies", course.required_competencies, who, "required_competencies"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("courses", who, course.id, course.source_id));
    if (!t.exists) {
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO courses(id, source_id, title, code, org_id, framework_id) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   Ref{t.id}, OptText{course.source_id}, course.title, course.code,
                   Ref{course.org_id}, Ref{course.framework_id}));
      course.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
    } else {
      PW_RETURN_IF_ERROR(db_->Run(
          "UPDATE courses SET source_id = ?2, title = ?3, code = ?4, org_id = ?5, framework_id = "
          "?6 WHERE id = ?1 AND (source_id IS NOT ?2 OR title IS NOT ?3 OR code IS NOT ?4 OR "
          "org_id IS NOT ?5 OR framework_id IS NOT ?6)",
          t.id, OptText{course.source_id}, course.title, course.code, Ref{course.org_id},
          Ref{course.framework_id}));
      course.id = t.id;
      outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    PW_ASSIGN_OR_RETURN(bool changed, ReplaceIdList("course_competencies", "course_id", course.id,
                                                    "competency_id", course.required_competencies));
    if (changed && outcome == PutOutcome::kUnchanged) outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<Course> SqliteStore::GetCourse(Id id) {
  PW_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare(fmt::format("SELECT {} FROM courses WHERE id = ?", kCourseColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("course {} does not exist", id);
  PW_ASSIGN_OR_RETURN(Course c, ReadCourse(st));
  st = Stmt();
  PW_ASSIGN_OR_RETURN(c.required_competencies,
                      LoadIdList("course_competencies", "course_id", id, "competency_id"));
  return c;
}

Result<std::vector<Course>> SqliteStore::ListCourses() {
  PW_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare(fmt::format("SELECT {} FROM courses ORDER BY id", kCourseColumns)));
  PW_ASSIGN_OR_RETURN(std::vector<Course> courses, sqlite::ReadAll<Course>(st, ReadCourse));
  PW_ASSIGN_OR_RETURN(auto lists,
                      LoadAllIdLists("course_competencies", "course_id", "competency_id"));
  for (Course& c : courses) {
    auto it = lists.find(c.id);
    if (it != lists.end()) c.required_competencies = std::move(it->second);
  }
  return courses;
}

// ---- classes

namespace {

constexpr char kClassColumns[] =
    "c.id, c.source_id, c.title, c.course_id, c.school_id, "
    "c.session_id, c.period";

Result<ClassSection> ReadClass(const Stmt& st) {
  ClassSection c;
  c.id = st.Int(0);
  c.source_id = st.Text(1);
  c.title = st.Text(2);
  c.course_id = st.Int(3);
  c.school_id = st.Int(4);
  c.session_id = st.Int(5);
  c.period = st.Text(6);
  return c;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutClass(ClassSection& cls) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("class", cls.id, cls.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("courses", cls.course_id, who, "course_id"));
    PW_RETURN_IF_ERROR(CheckRef("orgs", cls.school_id, who, "school_id"));
    PW_RETURN_IF_ERROR(CheckRef("sessions", cls.session_id, who, "session_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("classes", who, cls.id, cls.source_id));
    if (!t.exists) {
      PW_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO classes(id, source_id, title, course_id, school_id, session_id, period) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
          Ref{t.id}, OptText{cls.source_id}, cls.title, Ref{cls.course_id}, Ref{cls.school_id},
          Ref{cls.session_id}, cls.period));
      cls.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE classes SET source_id = ?2, title = ?3, course_id = ?4, school_id = ?5, "
        "session_id = ?6, period = ?7 WHERE id = ?1 AND (source_id IS NOT ?2 OR title IS NOT ?3 "
        "OR course_id IS NOT ?4 OR school_id IS NOT ?5 OR session_id IS NOT ?6 OR period IS NOT "
        "?7)",
        t.id, OptText{cls.source_id}, cls.title, Ref{cls.course_id}, Ref{cls.school_id},
        Ref{cls.session_id}, cls.period));
    cls.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<ClassSection> SqliteStore::GetClass(Id id) {
  PW_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare(fmt::format("SELECT {} FROM classes c WHERE c.id = ?", kClassColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("class {} does not exist", id);
  return ReadClass(st);
}

Result<std::vector<ClassSection>> SqliteStore::ListClasses(const ClassFilter& filter) {
  std::string sql = fmt::format("SELECT {} FROM classes c WHERE 1", kClassColumns);
  if (filter.school_id) sql += " AND c.school_id = ?1";
  if (filter.person_id) {
    sql += " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.class_id = c.id AND e.person_id = ?2)";
  }
  sql += " ORDER BY c.id";
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(sql));
  if (filter.school_id) st.BindOne(1, *filter.school_id);
  if (filter.person_id) st.BindOne(2, *filter.person_id);
  return sqlite::ReadAll<ClassSection>(st, ReadClass);
}

// ---- enrollments

namespace {

constexpr char kEnrollmentColumns[] =
    "id, source_id, class_id, person_id, role, is_primary, begin_day, end_day";

Result<Enrollment> ReadEnrollment(const Stmt& st) {
  Enrollment e;
  e.id = st.Int(0);
  e.source_id = st.Text(1);
  e.class_id = st.Int(2);
  e.person_id = st.Int(3);
  PW_ASSIGN_OR_RETURN(e.role, ParseEnrollmentRole(st.Text(4)));
  e.primary = st.Int(5) != 0;
  if (!st.IsNull(6)) e.begin = Date{static_cast<std::int32_t>(st.Int(6))};
  if (!st.IsNull(7)) e.end = Date{static_cast<std::int32_t>(st.Int(7))};
  return e;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutEnrollment(Enrollment& enrollment) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("enrollment", enrollment.id, enrollment.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("classes", enrollment.class_id, who, "class_id"));
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", enrollment.person_id, who, "person_id"));
    PW_ASSIGN_OR_RETURN(Target t,
                        ResolveTarget("enrollments", who, enrollment.id, enrollment.source_id));
    if (!t.exists && enrollment.id == kNoId && enrollment.source_id.empty()) {
      // No id of any kind: the natural key (class, person) decides.
      PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM enrollments WHERE class_id = ? "
                                                "AND person_id = ? AND source_id IS NULL "
                                                "ORDER BY id LIMIT 1"));
      st.Bind(enrollment.class_id, enrollment.person_id);
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) t = Target{st.Int(0), true};
    }
    const auto role = EnrollmentRoleName(enrollment.role);
    // Day 0 (1970-01-01) is a real date, so dates bind explicitly rather than through Ref.
    auto bind_dates = [&](Stmt& st) {
      if (enrollment.begin) {
        st.BindOne(7, static_cast<std::int64_t>(enrollment.begin->days));
      } else {
        st.BindOne(7, Null{});
      }
      if (enrollment.end) {
        st.BindOne(8, static_cast<std::int64_t>(enrollment.end->days));
      } else {
        st.BindOne(8, Null{});
      }
    };
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("INSERT INTO enrollments(id, source_id, class_id, "
                                                "person_id, role, is_primary, begin_day, end_day) "
                                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
      st.Bind(Ref{t.id}, OptText{enrollment.source_id}, enrollment.class_id, enrollment.person_id,
              role, enrollment.primary);
      bind_dates(st);
      PW_RETURN_IF_ERROR(st.Run());
      enrollment.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_ASSIGN_OR_RETURN(
        Stmt st,
        db_->Prepare("UPDATE enrollments SET source_id = ?2, class_id = ?3, person_id = ?4, role = "
                     "?5, is_primary = ?6, begin_day = ?7, end_day = ?8 WHERE id = ?1 AND "
                     "(source_id IS NOT ?2 OR class_id IS NOT ?3 OR person_id IS NOT ?4 OR role "
                     "IS NOT ?5 OR is_primary IS NOT ?6 OR begin_day IS NOT ?7 OR end_day IS NOT "
                     "?8)"));
    st.Bind(t.id, OptText{enrollment.source_id}, enrollment.class_id, enrollment.person_id, role,
            enrollment.primary);
    bind_dates(st);
    PW_RETURN_IF_ERROR(st.Run());
    enrollment.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<Enrollment>> SqliteStore::ListEnrollments(std::optional<Id> class_id,
                                                             std::optional<Id> person_id) {
  std::string sql = fmt::format("SELECT {} FROM enrollments WHERE 1", kEnrollmentColumns);
  if (class_id) sql += " AND class_id = ?1";
  if (person_id) sql += " AND person_id = ?2";
  sql += " ORDER BY id";
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(sql));
  if (class_id) st.BindOne(1, *class_id);
  if (person_id) st.BindOne(2, *person_id);
  return sqlite::ReadAll<Enrollment>(st, ReadEnrollment);
}

// ---- guardian links

Result<PutOutcome> SqliteStore::PutGuardianLink(const GuardianLink& link) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = fmt::format("guardian link {} -> {}", link.guardian_id, link.student_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", link.guardian_id, who, "guardian_id"));
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", link.student_id, who, "student_id"));
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT relation FROM guardian_links WHERE "
                                              "guardian_id = ? AND student_id = ?"));
    st.Bind(link.guardian_id, link.student_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      st = Stmt();
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO guardian_links(guardian_id, student_id, relation) VALUES (?, ?, ?)",
                   link.guardian_id, link.student_id, link.relation));
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    if (st.Text(0) == link.relation) return OkStatus();
    st = Stmt();
    PW_RETURN_IF_ERROR(
        db_->Run("UPDATE guardian_links SET relation = ? WHERE guardian_id = ? AND student_id = ?",
                 link.relation, link.guardian_id, link.student_id));
    outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<GuardianLink>> SqliteStore::ListGuardianLinks(std::optional<Id> student_id,
                                                                 std::optional<Id> guardian_id) {
  std::string sql = "SELECT guardian_id, student_id, relation FROM guardian_links WHERE 1";
  if (student_id) sql += " AND student_id = ?1";
  if (guardian_id) sql += " AND guardian_id = ?2";
  sql += " ORDER BY guardian_id, student_id";
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(sql));
  if (student_id) st.BindOne(1, *student_id);
  if (guardian_id) st.BindOne(2, *guardian_id);
  return sqlite::ReadAll<GuardianLink>(st, [](const Stmt& s) -> Result<GuardianLink> {
    return GuardianLink{s.Int(0), s.Int(1), s.Text(2)};
  });
}

}  // namespace pw
