// PgStore: connection, migrations, transactions, meta and the roster tables. Frameworks,
// activities, goals, evidence and wellbeing are in pg_store_content.cc.
#ifdef PATHWISE_HAVE_POSTGRES

#include "store/postgres/pg_store.h"

#include <array>
#include <chrono>

#include "store/postgres/pg_util.h"

namespace pw {

using pg::OptText;
using pg::Ref;

namespace {

// The PostgreSQL form of schema version 1 (docs/store.md): the same tables, columns and
// indexes as the SQLite schema.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orgs (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
  parent_id BIGINT REFERENCES orgs(id));
CREATE TABLE sessions (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, title TEXT NOT NULL, type TEXT NOT NULL,
  start_day INTEGER NOT NULL, end_day INTEGER NOT NULL, parent_id BIGINT REFERENCES sessions(id),
  school_year INTEGER NOT NULL);
CREATE TABLE people (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, given_name TEXT NOT NULL,
  family_name TEXT NOT NULL, role TEXT NOT NULL, email TEXT NOT NULL, grade TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id));
CREATE INDEX people_by_role ON people(role);
CREATE INDEX people_by_org ON people(org_id);
CREATE TABLE frameworks (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, title TEXT NOT NULL, subject TEXT NOT NULL,
  attribution TEXT NOT NULL);
CREATE TABLE competencies (
  id BIGSERIAL PRIMARY KEY, framework_id BIGINT NOT NULL REFERENCES frameworks(id),
  source_id TEXT UNIQUE, code TEXT NOT NULL, statement TEXT NOT NULL, grade TEXT NOT NULL,
  parent_id BIGINT REFERENCES competencies(id), UNIQUE (framework_id, code));
CREATE INDEX competencies_by_parent ON competencies(parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE competency_edges (
  framework_id BIGINT NOT NULL REFERENCES frameworks(id),
  from_id BIGINT NOT NULL REFERENCES competencies(id),
  to_id BIGINT NOT NULL REFERENCES competencies(id), kind TEXT NOT NULL,
  position INTEGER NOT NULL, PRIMARY KEY (framework_id, position));
CREATE INDEX competency_edges_by_from ON competency_edges(from_id);
CREATE INDEX competency_edges_by_to ON competency_edges(to_id);
CREATE TABLE courses (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, title TEXT NOT NULL, code TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id), framework_id BIGINT REFERENCES frameworks(id));
CREATE TABLE course_competencies (
  course_id BIGINT NOT NULL REFERENCES courses(id), position INTEGER NOT NULL,
  competency_id BIGINT NOT NULL REFERENCES competencies(id), PRIMARY KEY (course_id, position));
CREATE INDEX course_competencies_by_competency ON course_competencies(competency_id);
CREATE TABLE classes (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, title TEXT NOT NULL,
  course_id BIGINT REFERENCES courses(id), school_id BIGINT REFERENCES orgs(id),
  session_id BIGINT REFERENCES sessions(id), period TEXT NOT NULL);
CREATE INDEX classes_by_school ON classes(school_id);
CREATE INDEX classes_by_course ON classes(course_id);
CREATE TABLE enrollments (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE,
  class_id BIGINT NOT NULL REFERENCES classes(id), person_id BIGINT NOT NULL REFERENCES people(id),
  role TEXT NOT NULL, is_primary BOOLEAN NOT NULL, begin_day INTEGER, end_day INTEGER);
CREATE INDEX enrollments_by_class ON enrollments(class_id, person_id);
CREATE INDEX enrollments_by_person ON enrollments(person_id, class_id);
CREATE TABLE guardian_links (
  guardian_id BIGINT NOT NULL REFERENCES people(id),
  student_id BIGINT NOT NULL REFERENCES people(id), relation TEXT NOT NULL,
  PRIMARY KEY (guardian_id, student_id));
CREATE INDEX guardian_links_by_student ON guardian_links(student_id, guardian_id);
CREATE TABLE activities (
  id BIGSERIAL PRIMARY KEY, source_id TEXT UNIQUE, title TEXT NOT NULL, modality TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL, difficulty DOUBLE PRECISION NOT NULL);
CREATE TABLE activity_competencies (
  activity_id BIGINT NOT NULL REFERENCES activities(id), position INTEGER NOT NULL,
  competency_id BIGINT NOT NULL REFERENCES competencies(id), PRIMARY KEY (activity_id, position));
CREATE INDEX activity_competencies_by_competency ON activity_competencies(competency_id);
CREATE TABLE activity_tags (
  activity_id BIGINT NOT NULL REFERENCES activities(id), position INTEGER NOT NULL,
  tag TEXT NOT NULL, PRIMARY KEY (activity_id, position));
CREATE INDEX activity_tags_by_tag ON activity_tags(tag);
CREATE TABLE source_systems (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE evidence (
  id BIGSERIAL PRIMARY KEY, student_id BIGINT NOT NULL REFERENCES people(id),
  activity_id BIGINT REFERENCES activities(id), competency_id BIGINT REFERENCES competencies(id),
  time_ms BIGINT NOT NULL, kind SMALLINT NOT NULL, score DOUBLE PRECISION NOT NULL,
  rubric_level SMALLINT NOT NULL, rubric_max SMALLINT NOT NULL,
  source_system_id BIGINT REFERENCES source_systems(id), source_record TEXT);
CREATE INDEX evidence_by_student_time ON evidence(student_id, time_ms);
CREATE INDEX evidence_by_competency ON evidence(competency_id) WHERE competency_id IS NOT NULL;
CREATE INDEX evidence_by_activity ON evidence(activity_id) WHERE activity_id IS NOT NULL;
CREATE TABLE attendance (
  student_id BIGINT NOT NULL REFERENCES people(id), day INTEGER NOT NULL, status TEXT NOT NULL,
  source_system TEXT NOT NULL, PRIMARY KEY (student_id, day));
CREATE TABLE behavior (
  id BIGSERIAL PRIMARY KEY, student_id BIGINT NOT NULL REFERENCES people(id),
  time_ms BIGINT NOT NULL, category TEXT NOT NULL, severity INTEGER NOT NULL,
  description TEXT NOT NULL, source_system TEXT NOT NULL, source_record TEXT,
  UNIQUE (source_system, source_record));
CREATE INDEX behavior_by_student_time ON behavior(student_id, time_ms);
CREATE TABLE sel_scores (
  student_id BIGINT NOT NULL REFERENCES people(id), day INTEGER NOT NULL, scale TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, scale_min DOUBLE PRECISION NOT NULL,
  scale_max DOUBLE PRECISION NOT NULL, source_system TEXT NOT NULL,
  PRIMARY KEY (student_id, day, scale));
CREATE TABLE goals (
  id BIGSERIAL PRIMARY KEY, student_id BIGINT NOT NULL REFERENCES people(id),
  description TEXT NOT NULL, target_day INTEGER, status TEXT NOT NULL,
  set_by BIGINT REFERENCES people(id), created_ms BIGINT NOT NULL);
CREATE INDEX goals_by_student ON goals(student_id);
CREATE TABLE goal_competencies (
  goal_id BIGINT NOT NULL REFERENCES goals(id), position INTEGER NOT NULL,
  competency_id BIGINT NOT NULL REFERENCES competencies(id), PRIMARY KEY (goal_id, position));
)sql";

// Learner profiles (store/mastery.h): the same tables as SQLite schema version 4.
constexpr std::string_view kSchemaMastery = R"sql(
CREATE TABLE mastery (
  student_id BIGINT NOT NULL REFERENCES people(id),
  competency_id BIGINT NOT NULL REFERENCES competencies(id),
  p DOUBLE PRECISION NOT NULL, attempts INTEGER NOT NULL, independent INTEGER NOT NULL,
  correct INTEGER NOT NULL, last_evidence_ms BIGINT NOT NULL, last_activity_id BIGINT,
  state TEXT NOT NULL, mastered_ms BIGINT, override_state TEXT, override_reason TEXT,
  override_by TEXT, override_ms BIGINT, PRIMARY KEY (student_id, competency_id));
CREATE TABLE course_credits (
  student_id BIGINT NOT NULL REFERENCES people(id),
  course_id BIGINT NOT NULL REFERENCES courses(id), credited_ms BIGINT NOT NULL,
  evidence TEXT NOT NULL, PRIMARY KEY (student_id, course_id));
CREATE TABLE student_interests (
  student_id BIGINT NOT NULL REFERENCES people(id), position INTEGER NOT NULL,
  interest TEXT NOT NULL, PRIMARY KEY (student_id, position));
)sql";

// Imports (docs/imports.md): demographics, assessment scores with sub-scores, CASE
// associations other than the hierarchy and prerequisites.
constexpr std::string_view kSchemaV3Imports = R"sql(
CREATE TABLE demographics (
  person_id BIGINT PRIMARY KEY REFERENCES people(id), birth_day INTEGER, sex TEXT NOT NULL,
  races TEXT NOT NULL, hispanic_latino BOOLEAN, country_of_birth TEXT NOT NULL,
  state_of_birth TEXT NOT NULL, city_of_birth TEXT NOT NULL, residence_status TEXT NOT NULL);
CREATE TABLE assessment_scores (
  id BIGSERIAL PRIMARY KEY, student_id BIGINT NOT NULL REFERENCES people(id),
  assessment TEXT NOT NULL, day INTEGER NOT NULL, scale_score DOUBLE PRECISION NOT NULL,
  sem DOUBLE PRECISION, source_system TEXT NOT NULL, UNIQUE (student_id, assessment, day));
CREATE TABLE assessment_subscores (
  score_id BIGINT NOT NULL REFERENCES assessment_scores(id), position INTEGER NOT NULL,
  name TEXT NOT NULL, competency_id BIGINT REFERENCES competencies(id),
  score DOUBLE PRECISION NOT NULL, PRIMARY KEY (score_id, position));
CREATE TABLE competency_associations (
  framework_id BIGINT NOT NULL REFERENCES frameworks(id), position INTEGER NOT NULL,
  competency_id BIGINT NOT NULL REFERENCES competencies(id), kind TEXT NOT NULL,
  target_id BIGINT REFERENCES competencies(id), target TEXT NOT NULL,
  PRIMARY KEY (framework_id, position));
CREATE INDEX competency_associations_by_competency ON competency_associations(competency_id);
)sql";

// Accounts (store/accounts.h, docs/security.md): the same tables, constraints and indexes as
// SQLite schema version 2. Logins are unique ignoring ASCII case, as SQLite's COLLATE NOCASE:
// the unique index is on lower() under the "C" collation, which folds A-Z only, whatever the
// database's locale. The audit log has no foreign keys on purpose: it outlives the users and
// students it mentions.
constexpr std::string_view kSchemaAccounts = R"sql(
CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY, login TEXT NOT NULL, role TEXT NOT NULL,
  person_id BIGINT REFERENCES people(id), password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE, created_ms BIGINT NOT NULL);
CREATE UNIQUE INDEX users_by_login ON users (lower(login COLLATE "C"));
CREATE INDEX users_by_person ON users(person_id) WHERE person_id IS NOT NULL;
CREATE TABLE auth_sessions (
  id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE);
CREATE INDEX auth_sessions_by_user ON auth_sessions(user_id);
CREATE TABLE api_clients (
  id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL, scope TEXT NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_ms BIGINT NOT NULL);
CREATE TABLE login_throttle (
  subject TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until_ms BIGINT NOT NULL);
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL, user_id BIGINT, actor TEXT NOT NULL,
  action TEXT NOT NULL, student_id BIGINT, target TEXT NOT NULL, status INTEGER NOT NULL,
  address TEXT NOT NULL);
CREATE INDEX audit_log_by_student ON audit_log(student_id, id) WHERE student_id IS NOT NULL;
CREATE INDEX audit_log_by_actor ON audit_log(actor, id);
CREATE INDEX audit_log_by_time ON audit_log(time_ms);
)sql";

// The learning record store (store/xapi_store.h; the SQLite tables of migrations 3-14 in their
// plain form): keys as text instead of interned integers, JSON as text (no dictionary packing),
// every index entry written with its row (no tail). What mapping statements to evidence reads --
// people, activities and their competencies -- bumps xapi_mapping_generation by statement-level
// triggers, in the writing transaction, so a cached look-up is dropped exactly when its
// transaction commits.
constexpr std::string_view kSchemaXapi = R"sql(
CREATE TABLE xapi_statements (
  seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, stored_ms BIGINT NOT NULL,
  actor_key TEXT, object_agent_key TEXT, verb_id TEXT NOT NULL, object_activity TEXT,
  registration TEXT, object_ref TEXT, voided BOOLEAN NOT NULL DEFAULT FALSE,
  evidence_count INTEGER NOT NULL DEFAULT 0, evidence_first BIGINT, unmapped_reason TEXT,
  json TEXT NOT NULL);
CREATE INDEX xapi_statements_by_actor_verb ON xapi_statements(actor_key, verb_id, seq)
  WHERE actor_key IS NOT NULL;
CREATE INDEX xapi_statements_by_object_agent ON xapi_statements(object_agent_key, seq)
  WHERE object_agent_key IS NOT NULL;
CREATE INDEX xapi_statements_by_verb ON xapi_statements(verb_id, seq);
CREATE INDEX xapi_statements_by_activity ON xapi_statements(object_activity, seq)
  WHERE object_activity IS NOT NULL;
CREATE INDEX xapi_statements_by_registration ON xapi_statements(registration, seq)
  WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_by_object_ref ON xapi_statements(object_ref)
  WHERE object_ref IS NOT NULL;
CREATE INDEX xapi_statements_unmapped ON xapi_statements(seq) WHERE evidence_count = 0;
-- No foreign key to the statements (never deleted): a check per row is a third of its insert.
CREATE TABLE xapi_related (key TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (key, seq));
CREATE INDEX xapi_people_by_email ON people(lower(email)) WHERE role = 'student';
CREATE TABLE xapi_attachments (
  sha2 TEXT PRIMARY KEY, content_type TEXT NOT NULL, content BYTEA NOT NULL);
CREATE TABLE xapi_activities (id TEXT PRIMARY KEY, definition TEXT NOT NULL, last_object TEXT);
CREATE TABLE xapi_documents (
  kind SMALLINT NOT NULL, activity_id TEXT NOT NULL, agent_key TEXT NOT NULL,
  registration TEXT NOT NULL, doc_id TEXT NOT NULL, content BYTEA NOT NULL,
  content_type TEXT NOT NULL, etag TEXT NOT NULL, updated_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, activity_id, agent_key, registration, doc_id));
CREATE TABLE xapi_mapping_generation (
  one INTEGER PRIMARY KEY CHECK (one = 1), database_id BIGINT NOT NULL,
  generation BIGINT NOT NULL);
INSERT INTO xapi_mapping_generation(one, database_id, generation)
  VALUES (1, (random() * 9.0e18)::BIGINT, 0);
CREATE FUNCTION xapi_bump_mapping_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE xapi_mapping_generation SET generation = generation + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER people_mapping_generation AFTER INSERT OR UPDATE OR DELETE ON people
  FOR EACH STATEMENT EXECUTE FUNCTION xapi_bump_mapping_generation();
CREATE TRIGGER activities_mapping_generation AFTER INSERT OR UPDATE OR DELETE ON activities
  FOR EACH STATEMENT EXECUTE FUNCTION xapi_bump_mapping_generation();
CREATE TRIGGER activity_competencies_mapping_generation
  AFTER INSERT OR UPDATE OR DELETE ON activity_competencies
  FOR EACH STATEMENT EXECUTE FUNCTION xapi_bump_mapping_generation();
)sql";

struct PgMigration {
  int version;
  std::string_view description;
  std::string_view sql;
};
constexpr std::array kPgMigrations = {
    PgMigration{1, "initial schema: roster, frameworks, activities, evidence, wellbeing, goals",
                kSchemaV1},
    PgMigration{2, "learner profiles: mastery per student and competency, course credits, interests",
                kSchemaMastery},
    PgMigration{3, "imports: demographics, assessment scores, competency associations",
                kSchemaV3Imports},
    PgMigration{4, "accounts: users, sessions, API clients, login throttling, audit log",
                kSchemaAccounts},
    PgMigration{5, "evidence: time on task", "ALTER TABLE evidence ADD COLUMN duration_ms BIGINT;"},
    // As SQLite migration 14: nothing reads evidence by competency or activity alone.
    PgMigration{6, "evidence: no indexes by competency or activity (nothing reads by them)",
                "DROP INDEX evidence_by_competency; DROP INDEX evidence_by_activity;"},
    PgMigration{7, "xAPI learning record store: statements, attachments, documents, activities",
                kSchemaXapi},
};
// Serializes concurrent migrators (any constant unique to Pathwise).
constexpr std::int64_t kMigrationLock = 0x7061746877697365;

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& url) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgDb> db, pg::PgDb::Open(url));
  return std::unique_ptr<PgStore>(new PgStore(std::move(db)));
}

// ---- schema and transactions

Result<int> PgStore::SchemaVersion() {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT to_regclass('schema_version') IS NULL"));
  if (r[0][0].as<bool>()) return 0;
  PW_ASSIGN_OR_RETURN(r, db_->Exec("SELECT coalesce(max(version), 0) FROM schema_version"));
  return static_cast<int>(pg::Int(r[0], 0));
}

Status PgStore::Migrate() {
  if (tx_.active()) return FailedPreconditionError("Migrate cannot run inside a transaction");
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const int newest = kPgMigrations.back().version;
  for (const PgMigration& m : kPgMigrations) {
    PW_RETURN_IF_ERROR(db_->ExecScript("BEGIN"));
    Status s = [&]() -> Status {
      PW_RETURN_IF_ERROR(db_->Exec("SELECT pg_advisory_xact_lock($1)", kMigrationLock).status());
      PW_RETURN_IF_ERROR(db_->ExecScript(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description "
          "TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)"));
      PW_ASSIGN_OR_RETURN(int current, SchemaVersion());
      if (current > newest) {
        return FailedPreconditionError(
            "postgresql: the database has schema version {}, newer than this pathwise knows ({}); "
            "upgrade pathwise",
            current, newest);
      }
      if (current >= m.version) return OkStatus();
      Status applied = db_->ExecScript(std::string(m.sql));
      if (!applied.ok()) {
        return applied.WithPrefix(
            fmt::format("schema migration {} ({})", m.version, m.description));
      }
      return db_
          ->Exec(
              "INSERT INTO schema_version(version, description, applied_at_ms) VALUES ($1, $2, "
              "$3)",
              m.version, std::string(m.description), now_ms)
          .status();
    }();
    if (!s.ok()) {
      db_->ExecScript("ROLLBACK").IgnoreError();
      return s;
    }
    PW_RETURN_IF_ERROR(db_->ExecScript("COMMIT"));
  }
  return OkStatus();
}

Status PgStore::Transaction(const std::function<Status()>& fn) {
  return tx_.Run(
      fn, [&] { return db_->ExecScript("BEGIN"); },
      [&] { return db_->ExecScript("COMMIT"); },
      [&] {
        db_->ExecScript("ROLLBACK").IgnoreError();
        // Source systems added by the rolled-back transaction are gone again.
        source_ids_.clear();
        source_names_.clear();
      });
}

// ---- meta

Result<std::optional<std::string>> PgStore::GetMeta(std::string_view key) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT value FROM meta WHERE key = $1", std::string(key)));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(pg::Text(r[0], 0));
}

Status PgStore::SetMeta(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgumentError("meta: the key is empty");
  return Transaction([&] {
    return db_
        ->Exec(
            "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value "
            "= excluded.value",
            std::string(key), std::string(value))
        .status();
  });
}

// ---- helpers

Result<bool> PgStore::Exists(const char* table, Id id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec(fmt::format("SELECT 1 FROM {} WHERE id = $1", table), id));
  return !r.empty();
}

Status PgStore::CheckRef(const char* table, Id id, std::string_view who, std::string_view field) {
  if (id == kNoId) return OkStatus();
  PW_ASSIGN_OR_RETURN(bool found, Exists(table, id));
  if (!found) return InvalidArgumentError("{}: {} {} does not exist", who, field, id);
  return OkStatus();
}

Status PgStore::CheckRequiredRef(const char* table, Id id, std::string_view who,
                                 std::string_view field) {
  if (id == kNoId) return InvalidArgumentError("{}: {} is missing", who, field);
  return CheckRef(table, id, who, field);
}

Status PgStore::CheckRefs(const char* table, const std::vector<Id>& ids, std::string_view who,
                          std::string_view field) {
  for (size_t i = 0; i < ids.size(); ++i) {
    PW_RETURN_IF_ERROR(CheckRequiredRef(table, ids[i], who, fmt::format("{}[{}]", field, i)));
  }
  return OkStatus();
}

Status PgStore::BumpSequence(const char* table, Id explicit_id) {
  if (explicit_id == kNoId) return OkStatus();
  return db_
      ->Exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), "
                         "greatest((SELECT max(id) FROM {0}), 1))",
                         table))
      .status();
}

Result<PgStore::Target> PgStore::ResolveTarget(const char* table, std::string_view who, Id id,
                                               std::string_view source_id) {
  if (id < 0) return InvalidArgumentError("{}: id {} is negative", who, id);
  Id by_source = kNoId;
  if (!source_id.empty()) {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_->Exec(fmt::format("SELECT id FROM {} WHERE source_id = $1", table),
                                  std::string(source_id)));
    if (!r.empty()) by_source = pg::Int(r[0], 0);
  }
  if (id == kNoId) return Target{by_source, by_source != kNoId};
  if (by_source != kNoId && by_source != id) {
    return AlreadyExistsError("{}: source_id \"{}\" already belongs to id {}", who, source_id,
                              by_source);
  }
  PW_ASSIGN_OR_RETURN(bool exists, Exists(table, id));
  return Target{id, exists};
}

Result<std::vector<Id>> PgStore::LoadIdList(const char* table, const char* owner_col, Id owner_id,
                                            const char* value_col) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec(fmt::format("SELECT {} FROM {} WHERE {} = $1 ORDER BY position",
                                            value_col, table, owner_col),
                                owner_id));
  std::vector<Id> out;
  for (const auto& row : r) out.push_back(pg::Int(row, 0));
  return out;
}

Result<std::unordered_map<Id, std::vector<Id>>> PgStore::LoadAllIdLists(const char* table,
                                                                        const char* owner_col,
                                                                        const char* value_col) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec(fmt::format("SELECT {}, {} FROM {} ORDER BY {}, position",
                                            owner_col, value_col, table, owner_col)));
  std::unordered_map<Id, std::vector<Id>> out;
  for (const auto& row : r) out[pg::Int(row, 0)].push_back(pg::Int(row, 1));
  return out;
}

Result<bool> PgStore::ReplaceIdList(const char* table, const char* owner_col, Id owner_id,
                                    const char* value_col, const std::vector<Id>& values) {
  PW_ASSIGN_OR_RETURN(std::vector<Id> stored, LoadIdList(table, owner_col, owner_id, value_col));
  if (stored == values) return false;
  PW_RETURN_IF_ERROR(
      db_->Exec(fmt::format("DELETE FROM {} WHERE {} = $1", table, owner_col), owner_id).status());
  const std::string insert = fmt::format("INSERT INTO {}({}, position, {}) VALUES ($1, $2, $3)",
                                         table, owner_col, value_col);
  for (size_t i = 0; i < values.size(); ++i) {
    PW_RETURN_IF_ERROR(db_->Exec(insert, owner_id, static_cast<int>(i), values[i]).status());
  }
  return true;
}

Result<std::string> PgStore::StudentProblem(Id id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT role FROM people WHERE id = $1", id));
  std::unordered_map<Id, std::string> roles;
  if (!r.empty()) roles.emplace(id, pg::Text(r[0], 0));
  return StudentProblemOf(id, roles);
}

std::string PgStore::StudentProblemOf(Id id, const std::unordered_map<Id, std::string>& roles) {
  auto it = roles.find(id);
  if (it == roles.end()) return fmt::format("student_id {} does not exist", id);
  if (it->second != RoleName(Role::kStudent)) {
    return fmt::format("student_id {} is a {}, not a student", id, it->second);
  }
  return std::string();
}

Result<std::unordered_map<Id, std::string>> PgStore::RolesOf(const std::unordered_set<Id>& ids) {
  std::unordered_map<Id, std::string> out;
  if (ids.empty()) return out;
  pg::Array list;
  for (Id id : ids) list.Add(id);
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT id, role FROM people WHERE id = "
                                                "ANY($1::BIGINT[])",
                                                list.str()));
  for (const auto& row : r) out.emplace(pg::Int(row, 0), pg::Text(row, 1));
  return out;
}

Result<std::unordered_set<Id>> PgStore::ExistingIds(const char* table,
                                                    const std::unordered_set<Id>& ids) {
  std::unordered_set<Id> out;
  if (ids.empty()) return out;
  pg::Array list;
  for (Id id : ids) list.Add(id);
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec(fmt::format("SELECT id FROM {} WHERE id = ANY($1::BIGINT[])", table),
                                list.str()));
  for (const auto& row : r) out.insert(pg::Int(row, 0));
  return out;
}

// ---- orgs

namespace {

Result<Org> ReadOrg(const pqxx::row& r) {
  Org o;
  o.id = pg::Int(r, 0);
  o.source_id = pg::Text(r, 1);
  o.name = pg::Text(r, 2);
  PW_ASSIGN_OR_RETURN(o.type, ParseOrgType(pg::Text(r, 3)));
  o.parent_id = pg::Int(r, 4);
  return o;
}

}  // namespace

Result<PutOutcome> PgStore::PutOrg(Org& org) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("org", org.id, org.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", org.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("orgs", who, org.id, org.source_id));
    const std::string type(OrgTypeName(org.type));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          org.id,
          InsertReturningId("INSERT INTO orgs(id, source_id, name, type, parent_id) "
                            "VALUES (coalesce($1, nextval('orgs_id_seq')), $2, $3, $4, "
                            "$5) RETURNING id",
                            Ref(t.id), OptText(org.source_id), org.name, type, Ref(org.parent_id)));
      outcome = PutOutcome::kCreated;
      return BumpSequence("orgs", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE orgs SET source_id = $2, name = $3, type = $4, parent_id = $5 WHERE id = "
                  "$1 AND (source_id IS DISTINCT FROM $2 OR name IS DISTINCT FROM $3 OR type IS "
                  "DISTINCT FROM $4 OR parent_id IS DISTINCT FROM $5)",
                  t.id, OptText(org.source_id), org.name, type, Ref(org.parent_id)));
    org.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Org> PgStore::GetOrg(Id id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec("SELECT id, source_id, name, type, parent_id FROM orgs WHERE id = $1", id));
  if (r.empty()) return NotFoundError("org {} does not exist", id);
  return ReadOrg(r[0]);
}

Result<std::vector<Org>> PgStore::ListOrgs() {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec("SELECT id, source_id, name, type, parent_id FROM orgs ORDER BY id"));
  return pg::ReadAll<Org>(r, ReadOrg);
}

// ---- sessions

Result<PutOutcome> PgStore::PutSession(AcademicSession& s) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("session", s.id, s.source_id);
  if (s.end < s.start) {
    return InvalidArgumentError("{}: end {} is before start {}", who, FormatDate(s.end),
                                FormatDate(s.start));
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("sessions", s.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("sessions", who, s.id, s.source_id));
    const std::string type(SessionTypeName(s.type));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          s.id, InsertReturningId("INSERT INTO sessions(id, source_id, title, type, start_day, "
                                  "end_day, parent_id, school_year) VALUES (coalesce($1, "
                                  "nextval('sessions_id_seq')), $2, $3, $4, $5, $6, $7, $8) "
                                  "RETURNING id",
                                  Ref(t.id), OptText(s.source_id), s.title, type, s.start.days,
                                  s.end.days, Ref(s.parent_id), s.school_year));
      outcome = PutOutcome::kCreated;
      return BumpSequence("sessions", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE sessions SET source_id = $2, title = $3, type = $4, start_day = $5, "
                  "end_day = $6, parent_id = $7, school_year = $8 WHERE id = $1 AND (source_id IS "
                  "DISTINCT FROM $2 OR title IS DISTINCT FROM $3 OR type IS DISTINCT FROM $4 OR "
                  "start_day IS DISTINCT FROM $5 OR end_day IS DISTINCT FROM $6 OR parent_id IS "
                  "DISTINCT FROM $7 OR school_year IS DISTINCT FROM $8)",
                  t.id, OptText(s.source_id), s.title, type, s.start.days, s.end.days,
                  Ref(s.parent_id), s.school_year));
    s.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<AcademicSession>> PgStore::ListSessions() {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, source_id, title, type, start_day, end_day, "
                                "parent_id, school_year FROM sessions ORDER BY id"));
  return pg::ReadAll<AcademicSession>(r, [](const pqxx::row& row) -> Result<AcademicSession> {
    AcademicSession s;
    s.id = pg::Int(row, 0);
    s.source_id = pg::Text(row, 1);
    s.title = pg::Text(row, 2);
    PW_ASSIGN_OR_RETURN(s.type, ParseSessionType(pg::Text(row, 3)));
    s.start = Date{static_cast<std::int32_t>(pg::Int(row, 4))};
    s.end = Date{static_cast<std::int32_t>(pg::Int(row, 5))};
    s.parent_id = pg::Int(row, 6);
    s.school_year = static_cast<int>(pg::Int(row, 7));
    return s;
  });
}

// ---- people

namespace {

constexpr char kPersonColumns[] =
    "p.id, p.source_id, p.given_name, p.family_name, p.role, p.email, p.grade, p.org_id";

Result<Person> ReadPerson(const pqxx::row& r) {
  Person p;
  p.id = pg::Int(r, 0);
  p.source_id = pg::Text(r, 1);
  p.given_name = pg::Text(r, 2);
  p.family_name = pg::Text(r, 3);
  PW_ASSIGN_OR_RETURN(p.role, ParseRole(pg::Text(r, 4)));
  p.email = pg::Text(r, 5);
  p.grade = pg::Text(r, 6);
  p.org_id = pg::Int(r, 7);
  return p;
}

}  // namespace

Result<PutOutcome> PgStore::PutPerson(Person& p) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("person", p.id, p.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", p.org_id, who, "org_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("people", who, p.id, p.source_id));
    const std::string role(RoleName(p.role));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          p.id, InsertReturningId("INSERT INTO people(id, source_id, given_name, family_name, "
                                  "role, email, grade, org_id) VALUES (coalesce($1, "
                                  "nextval('people_id_seq')), $2, $3, $4, $5, $6, $7, $8) "
                                  "RETURNING id",
                                  Ref(t.id), OptText(p.source_id), p.given_name, p.family_name,
                                  role, p.email, p.grade, Ref(p.org_id)));
      outcome = PutOutcome::kCreated;
      return BumpSequence("people", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE people SET source_id = $2, given_name = $3, family_name = $4, role = $5, "
                  "email = $6, grade = $7, org_id = $8 WHERE id = $1 AND (source_id IS DISTINCT "
                  "FROM $2 OR given_name IS DISTINCT FROM $3 OR family_name IS DISTINCT FROM $4 "
                  "OR role IS DISTINCT FROM $5 OR email IS DISTINCT FROM $6 OR grade IS DISTINCT "
                  "FROM $7 OR org_id IS DISTINCT FROM $8)",
                  t.id, OptText(p.source_id), p.given_name, p.family_name, role, p.email, p.grade,
                  Ref(p.org_id)));
    p.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Person> PgStore::GetPerson(Id id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM people p WHERE p.id = $1", kPersonColumns), id));
  if (r.empty()) return NotFoundError("person {} does not exist", id);
  return ReadPerson(r[0]);
}

Result<std::optional<Person>> PgStore::FindPersonBySourceId(std::string_view source_id) {
  if (source_id.empty()) return std::optional<Person>();
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM people p WHERE p.source_id = $1", kPersonColumns),
                std::string(source_id)));
  if (r.empty()) return std::optional<Person>();
  PW_ASSIGN_OR_RETURN(Person p, ReadPerson(r[0]));
  return std::optional<Person>(std::move(p));
}

Result<Page<Person>> PgStore::ListPeople(const PersonFilter& filter, PageRequest page) {
  PW_RETURN_IF_ERROR(pg::CheckPage(page));
  pg::Params params;
  std::string sql = fmt::format("SELECT {} FROM people p WHERE p.id > {}", kPersonColumns,
                                params.Add(page.after));
  if (filter.role) sql += " AND p.role = " + params.Add(std::string(RoleName(*filter.role)));
  if (filter.org_id) sql += " AND p.org_id = " + params.Add(*filter.org_id);
  if (filter.class_id) {
    sql += " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.person_id = p.id AND e.class_id = " +
           params.Add(*filter.class_id) + ")";
  }
  sql += " ORDER BY p.id LIMIT " + params.Add(page.limit + 1);
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::ReadPage<Person>(r, page.limit, ReadPerson);
}

// ---- courses

namespace {

Result<Course> ReadCourse(const pqxx::row& r) {
  Course c;
  c.id = pg::Int(r, 0);
  c.source_id = pg::Text(r, 1);
  c.title = pg::Text(r, 2);
  c.code = pg::Text(r, 3);
  c.org_id = pg::Int(r, 4);
  c.framework_id = pg::Int(r, 5);
  return c;
}

}  // namespace

Result<PutOutcome> PgStore::PutCourse(Course& c) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("course", c.id, c.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("orgs", c.org_id, who, "org_id"));
    PW_RETURN_IF_ERROR(CheckRef("frameworks", c.framework_id, who, "framework_id"));
    PW_RETURN_IF_ERROR(
        CheckRefs("competencies", c.required_competencies, who, "required_competencies"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("courses", who, c.id, c.source_id));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          c.id, InsertReturningId("INSERT INTO courses(id, source_id, title, code, org_id, "
                                  "framework_id) VALUES (coalesce($1, "
                                  "nextval('courses_id_seq')), $2, $3, $4, $5, $6) RETURNING id",
                                  Ref(t.id), OptText(c.source_id), c.title, c.code, Ref(c.org_id),
                                  Ref(c.framework_id)));
      outcome = PutOutcome::kCreated;
      PW_RETURN_IF_ERROR(BumpSequence("courses", t.id));
    } else {
      PW_ASSIGN_OR_RETURN(
          pqxx::result r,
          db_->Exec("UPDATE courses SET source_id = $2, title = $3, code = $4, org_id = $5, "
                    "framework_id = $6 WHERE id = $1 AND (source_id IS DISTINCT FROM $2 OR title "
                    "IS DISTINCT FROM $3 OR code IS DISTINCT FROM $4 OR org_id IS DISTINCT FROM "
                    "$5 OR framework_id IS DISTINCT FROM $6)",
                    t.id, OptText(c.source_id), c.title, c.code, Ref(c.org_id),
                    Ref(c.framework_id)));
      c.id = t.id;
      outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    PW_ASSIGN_OR_RETURN(bool changed, ReplaceIdList("course_competencies", "course_id", c.id,
                                                    "competency_id", c.required_competencies));
    if (changed && outcome == PutOutcome::kUnchanged) outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<Course> PgStore::GetCourse(Id id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, source_id, title, code, org_id, framework_id FROM "
                                "courses WHERE id = $1",
                                id));
  if (r.empty()) return NotFoundError("course {} does not exist", id);
  PW_ASSIGN_OR_RETURN(Course c, ReadCourse(r[0]));
  PW_ASSIGN_OR_RETURN(c.required_competencies,
                      LoadIdList("course_competencies", "course_id", id, "competency_id"));
  return c;
}

Result<std::vector<Course>> PgStore::ListCourses() {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, source_id, title, code, org_id, framework_id FROM "
                                "courses ORDER BY id"));
  PW_ASSIGN_OR_RETURN(std::vector<Course> courses, pg::ReadAll<Course>(r, ReadCourse));
  PW_ASSIGN_OR_RETURN(auto lists,
                      LoadAllIdLists("course_competencies", "course_id", "competency_id"));
  for (Course& c : courses) {
    if (auto it = lists.find(c.id); it != lists.end()) c.required_competencies = it->second;
  }
  return courses;
}

// ---- classes

namespace {

constexpr char kClassColumns[] =
    "c.id, c.source_id, c.title, c.course_id, c.school_id, c.session_id, c.period";

Result<ClassSection> ReadClass(const pqxx::row& r) {
  return ClassSection{pg::Int(r, 0), pg::Text(r, 1), pg::Text(r, 2), pg::Int(r, 3),
                      pg::Int(r, 4), pg::Int(r, 5),  pg::Text(r, 6)};
}

}  // namespace

Result<PutOutcome> PgStore::PutClass(ClassSection& c) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("class", c.id, c.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRef("courses", c.course_id, who, "course_id"));
    PW_RETURN_IF_ERROR(CheckRef("orgs", c.school_id, who, "school_id"));
    PW_RETURN_IF_ERROR(CheckRef("sessions", c.session_id, who, "session_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("classes", who, c.id, c.source_id));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          c.id, InsertReturningId("INSERT INTO classes(id, source_id, title, course_id, "
                                  "school_id, session_id, period) VALUES (coalesce($1, "
                                  "nextval('classes_id_seq')), $2, $3, $4, $5, $6, $7) RETURNING "
                                  "id",
                                  Ref(t.id), OptText(c.source_id), c.title, Ref(c.course_id),
                                  Ref(c.school_id), Ref(c.session_id), c.period));
      outcome = PutOutcome::kCreated;
      return BumpSequence("classes", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE classes SET source_id = $2, title = $3, course_id = $4, school_id = $5, "
                  "session_id = $6, period = $7 WHERE id = $1 AND (source_id IS DISTINCT FROM $2 "
                  "OR title IS DISTINCT FROM $3 OR course_id IS DISTINCT FROM $4 OR school_id IS "
                  "DISTINCT FROM $5 OR session_id IS DISTINCT FROM $6 OR period IS DISTINCT FROM "
                  "$7)",
                  t.id, OptText(c.source_id), c.title, Ref(c.course_id), Ref(c.school_id),
                  Ref(c.session_id), c.period));
    c.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<ClassSection> PgStore::GetClass(Id id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM classes c WHERE c.id = $1", kClassColumns), id));
  if (r.empty()) return NotFoundError("class {} does not exist", id);
  return ReadClass(r[0]);
}

Result<std::vector<ClassSection>> PgStore::ListClasses(const ClassFilter& filter) {
  pg::Params params;
  std::string sql = fmt::format("SELECT {} FROM classes c WHERE true", kClassColumns);
  if (filter.school_id) sql += " AND c.school_id = " + params.Add(*filter.school_id);
  if (filter.person_id) {
    sql += " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.class_id = c.id AND e.person_id = " +
           params.Add(*filter.person_id) + ")";
  }
  sql += " ORDER BY c.id";
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::ReadAll<ClassSection>(r, ReadClass);
}

// ---- enrollments

namespace {

Result<Enrollment> ReadEnrollment(const pqxx::row& r) {
  Enrollment e;
  e.id = pg::Int(r, 0);
  e.source_id = pg::Text(r, 1);
  e.class_id = pg::Int(r, 2);
  e.person_id = pg::Int(r, 3);
  PW_ASSIGN_OR_RETURN(e.role, ParseEnrollmentRole(pg::Text(r, 4)));
  e.primary = r[5].as<bool>();
  if (!pg::IsNull(r, 6)) e.begin = Date{static_cast<std::int32_t>(pg::Int(r, 6))};
  if (!pg::IsNull(r, 7)) e.end = Date{static_cast<std::int32_t>(pg::Int(r, 7))};
  return e;
}

std::optional<int> OptDay(const std::optional<Date>& d) {
  return d ? std::optional<int>(d->days) : std::nullopt;
}

}  // namespace

Result<PutOutcome> PgStore::PutEnrollment(Enrollment& e) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("enrollment", e.id, e.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("classes", e.class_id, who, "class_id"));
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", e.person_id, who, "person_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("enrollments", who, e.id, e.source_id));
    if (!t.exists && e.id == kNoId && e.source_id.empty()) {
      PW_ASSIGN_OR_RETURN(pqxx::result r,
                          db_->Exec("SELECT id FROM enrollments WHERE class_id = $1 AND person_id "
                                    "= $2 AND source_id IS NULL ORDER BY id LIMIT 1",
                                    e.class_id, e.person_id));
      if (!r.empty()) t = Target{pg::Int(r[0], 0), true};
    }
    const std::string role(EnrollmentRoleName(e.role));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          e.id, InsertReturningId("INSERT INTO enrollments(id, source_id, class_id, person_id, "
                                  "role, is_primary, begin_day, end_day) VALUES (coalesce($1, "
                                  "nextval('enrollments_id_seq')), $2, $3, $4, $5, $6, $7, $8) "
                                  "RETURNING id",
                                  Ref(t.id), OptText(e.source_id), e.class_id, e.person_id, role,
                                  e.primary, OptDay(e.begin), OptDay(e.end)));
      outcome = PutOutcome::kCreated;
      return BumpSequence("enrollments", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE enrollments SET source_id = $2, class_id = $3, person_id = $4, role = "
                  "$5, is_primary = $6, begin_day = $7, end_day = $8 WHERE id = $1 AND (source_id "
                  "IS DISTINCT FROM $2 OR class_id IS DISTINCT FROM $3 OR person_id IS DISTINCT "
                  "FROM $4 OR role IS DISTINCT FROM $5 OR is_primary IS DISTINCT FROM $6 OR "
                  "begin_day IS DISTINCT FROM $7 OR end_day IS DISTINCT FROM $8)",
                  t.id, OptText(e.source_id), e.class_id, e.person_id, role, e.primary,
                  OptDay(e.begin), OptDay(e.end)));
    e.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<Enrollment>> PgStore::ListEnrollments(std::optional<Id> class_id,
                                                         std::optional<Id> person_id) {
  pg::Params params;
  std::string sql =
      "SELECT id, source_id, class_id, person_id, role, is_primary, begin_day, end_day FROM "
      "enrollments WHERE true";
  if (class_id) sql += " AND class_id = " + params.Add(*class_id);
  if (person_id) sql += " AND person_id = " + params.Add(*person_id);
  sql += " ORDER BY id";
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::ReadAll<Enrollment>(r, ReadEnrollment);
}

// ---- guardian links

Result<PutOutcome> PgStore::PutGuardianLink(const GuardianLink& link) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = fmt::format("guardian link {} -> {}", link.guardian_id, link.student_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", link.guardian_id, who, "guardian_id"));
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", link.student_id, who, "student_id"));
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_->Exec("SELECT relation FROM guardian_links WHERE guardian_id = $1 AND "
                                  "student_id = $2",
                                  link.guardian_id, link.student_id));
    if (r.empty()) {
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO guardian_links(guardian_id, student_id, relation) "
                                   "VALUES ($1, $2, $3)",
                                   link.guardian_id, link.student_id, link.relation)
                             .status());
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    if (pg::Text(r[0], 0) == link.relation) return OkStatus();
    PW_RETURN_IF_ERROR(db_->Exec("UPDATE guardian_links SET relation = $1 WHERE guardian_id = $2 "
                                 "AND student_id = $3",
                                 link.relation, link.guardian_id, link.student_id)
                           .status());
    outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<GuardianLink>> PgStore::ListGuardianLinks(std::optional<Id> student_id,
                                                             std::optional<Id> guardian_id) {
  pg::Params params;
  std::string sql = "SELECT guardian_id, student_id, relation FROM guardian_links WHERE true";
  if (student_id) sql += " AND student_id = " + params.Add(*student_id);
  if (guardian_id) sql += " AND guardian_id = " + params.Add(*guardian_id);
  sql += " ORDER BY guardian_id, student_id";
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::ReadAll<GuardianLink>(r, [](const pqxx::row& row) -> Result<GuardianLink> {
    return GuardianLink{pg::Int(row, 0), pg::Int(row, 1), pg::Text(row, 2)};
  });
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
