#include "store/sqlite/migrations.h"

#include <array>

namespace pw::sqlite {
namespace {

// Conventions (docs/store.md): ids are INTEGER PRIMARY KEY (the rowid); a missing reference
// (kNoId) and an empty source_id are NULL, so UNIQUE(source_id) only binds real ids; enums that
// people read in SQL are their text names, the evidence kind is a small integer; timestamps are
// UTC milliseconds (`*_ms`), dates are days since 1970-01-01 (`*_day`).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE orgs (
  id        INTEGER PRIMARY KEY,
  source_id TEXT UNIQUE,
  name      TEXT NOT NULL,
  type      TEXT NOT NULL,
  parent_id INTEGER REFERENCES orgs(id)
);

CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  source_id   TEXT UNIQUE,
  title       TEXT NOT NULL,
  type        TEXT NOT NULL,
  start_day   INTEGER NOT NULL,
  end_day     INTEGER NOT NULL,
  parent_id   INTEGER REFERENCES sessions(id),
  school_year INTEGER NOT NULL
);

CREATE TABLE people (
  id          INTEGER PRIMARY KEY,
  source_id   TEXT UNIQUE,
  given_name  TEXT NOT NULL,
  family_name TEXT NOT NULL,
  role        TEXT NOT NULL,
  email       TEXT NOT NULL,
  grade       TEXT NOT NULL,
  org_id      INTEGER REFERENCES orgs(id)
);
CREATE INDEX people_by_role ON people(role);
CREATE INDEX people_by_org ON people(org_id);

CREATE TABLE frameworks (
  id          INTEGER PRIMARY KEY,
  source_id   TEXT UNIQUE,
  title       TEXT NOT NULL,
  subject     TEXT NOT NULL,
  attribution TEXT NOT NULL
);

CREATE TABLE competencies (
  id           INTEGER PRIMARY KEY,
  framework_id INTEGER NOT NULL REFERENCES frameworks(id),
  source_id    TEXT UNIQUE,
  code         TEXT NOT NULL,
  statement    TEXT NOT NULL,
  grade        TEXT NOT NULL,
  parent_id    INTEGER REFERENCES competencies(id),
  UNIQUE (framework_id, code)
);
CREATE INDEX competencies_by_parent ON competencies(parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE competency_edges (
  framework_id INTEGER NOT NULL REFERENCES frameworks(id),
  from_id      INTEGER NOT NULL REFERENCES competencies(id),
  to_id        INTEGER NOT NULL REFERENCES competencies(id),
  kind         TEXT NOT NULL,
  position     INTEGER NOT NULL,
  PRIMARY KEY (framework_id, position)
);
CREATE INDEX competency_edges_by_from ON competency_edges(from_id);
CREATE INDEX competency_edges_by_to ON competency_edges(to_id);

CREATE TABLE courses (
  id           INTEGER PRIMARY KEY,
  source_id    TEXT UNIQUE,
  title        TEXT NOT NULL,
  code         TEXT NOT NULL,
  org_id       INTEGER REFERENCES orgs(id),
  framework_id INTEGER REFERENCES frameworks(id)
);

CREATE TABLE course_competencies (
  course_id     INTEGER NOT NULL REFERENCES courses(id),
  position      INTEGER NOT NULL,
  competency_id INTEGER NOT NULL REFERENCES competencies(id),
  PRIMARY KEY (course_id, position)
);
CREATE INDEX course_competencies_by_competency ON course_competencies(competency_id);

CREATE TABLE classes (
  id         INTEGER PRIMARY KEY,
  source_id  TEXT UNIQUE,
  title      TEXT NOT NULL,
  course_id  INTEGER REFERENCES courses(id),
  school_id  INTEGER REFERENCES orgs(id),
  session_id INTEGER REFERENCES sessions(id),
  period     TEXT NOT NULL
);
CREATE INDEX classes_by_school ON classes(school_id);
CREATE INDEX classes_by_course ON classes(course_id);

CREATE TABLE enrollments (
  id         INTEGER PRIMARY KEY,
  source_id  TEXT UNIQUE,
  class_id   INTEGER NOT NULL REFERENCES classes(id),
  person_id  INTEGER NOT NULL REFERENCES people(id),
  role       TEXT NOT NULL,
  is_primary INTEGER NOT NULL,
  begin_day  INTEGER,
  end_day    INTEGER
);
CREATE INDEX enrollments_by_class ON enrollments(class_id, person_id);
CREATE INDEX enrollments_by_person ON enrollments(person_id, class_id);

CREATE TABLE guardian_links (
  guardian_id INTEGER NOT NULL REFERENCES people(id),
  student_id  INTEGER NOT NULL REFERENCES people(id),
  relation    TEXT NOT NULL,
  PRIMARY KEY (guardian_id, student_id)
);
CREATE INDEX guardian_links_by_student ON guardian_links(student_id, guardian_id);

CREATE TABLE activities (
  id               INTEGER PRIMARY KEY,
  source_id        TEXT UNIQUE,
  title            TEXT NOT NULL,
  modality         TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL,
  difficulty       REAL NOT NULL
);

CREATE TABLE activity_competencies (
  activity_id   INTEGER NOT NULL REFERENCES activities(id),
  position      INTEGER NOT NULL,
  competency_id INTEGER NOT NULL REFERENCES competencies(id),
  PRIMARY KEY (activity_id, position)
);
CREATE INDEX activity_competencies_by_competency ON activity_competencies(competency_id);

CREATE TABLE activity_tags (
  activity_id INTEGER NOT NULL REFERENCES activities(id),
  position    INTEGER NOT NULL,
  tag         TEXT NOT NULL,
  PRIMARY KEY (activity_id, position)
);
CREATE INDEX activity_tags_by_tag ON activity_tags(tag);

-- Source systems are few and repeated on every evidence row: stored once, referenced by id.
CREATE TABLE source_systems (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE evidence (
  id               INTEGER PRIMARY KEY,
  student_id       INTEGER NOT NULL REFERENCES people(id),
  activity_id      INTEGER REFERENCES activities(id),
  competency_id    INTEGER REFERENCES competencies(id),
  time_ms          INTEGER NOT NULL,
  kind             INTEGER NOT NULL,
  score            REAL NOT NULL,
  rubric_level     INTEGER NOT NULL,
  rubric_max       INTEGER NOT NULL,
  source_system_id INTEGER REFERENCES source_systems(id),
  source_record    TEXT
);
CREATE INDEX evidence_by_student_time ON evidence(student_id, time_ms);
CREATE INDEX evidence_by_competency ON evidence(competency_id) WHERE competency_id IS NOT NULL;
CREATE INDEX evidence_by_activity ON evidence(activity_id) WHERE activity_id IS NOT NULL;

CREATE TABLE attendance (
  student_id    INTEGER NOT NULL REFERENCES people(id),
  day           INTEGER NOT NULL,
  status        TEXT NOT NULL,
  source_system TEXT NOT NULL,
  PRIMARY KEY (student_id, day)
);

CREATE TABLE behavior (
  id            INTEGER PRIMARY KEY,
  student_id    INTEGER NOT NULL REFERENCES people(id),
  time_ms       INTEGER NOT NULL,
  category      TEXT NOT NULL,
  severity      INTEGER NOT NULL,
  description   TEXT NOT NULL,
  source_system TEXT NOT NULL,
  source_record TEXT,
  UNIQUE (source_system, source_record)
);
CREATE INDEX behavior_by_student_time ON behavior(student_id, time_ms);

CREATE TABLE sel_scores (
  student_id    INTEGER NOT NULL REFERENCES people(id),
  day           INTEGER NOT NULL,
  scale         TEXT NOT NULL,
  score         REAL NOT NULL,
  scale_min     REAL NOT NULL,
  scale_max     REAL NOT NULL,
  source_system TEXT NOT NULL,
  PRIMARY KEY (student_id, day, scale)
);

CREATE TABLE goals (
  id          INTEGER PRIMARY KEY,
  student_id  INTEGER NOT NULL REFERENCES people(id),
  description TEXT NOT NULL,
  target_day  INTEGER,
  status      TEXT NOT NULL,
  set_by      INTEGER REFERENCES people(id),
  created_ms  INTEGER NOT NULL
);
CREATE INDEX goals_by_student ON goals(student_id);

CREATE TABLE goal_competencies (
  goal_id       INTEGER NOT NULL REFERENCES goals(id),
  position      INTEGER NOT NULL,
  competency_id INTEGER NOT NULL REFERENCES competencies(id),
  PRIMARY KEY (goal_id, position)
);
)sql";

// Accounts, sessions, API clients, login throttling and the audit log (store/accounts.h,
// docs/security.md). Secrets are stored only as hashes. The audit log has no foreign keys on
// purpose: it outlives the users and students it mentions.
constexpr std::string_view kSchemaV2Accounts = R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL,
  person_id     INTEGER REFERENCES people(id),
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL
);
CREATE INDEX users_by_person ON users(person_id) WHERE person_id IS NOT NULL;

CREATE TABLE auth_sessions (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX auth_sessions_by_user ON auth_sessions(user_id);

CREATE TABLE api_clients (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  key         TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  scope       TEXT NOT NULL,
  disabled    INTEGER NOT NULL DEFAULT 0,
  created_ms  INTEGER NOT NULL
);

CREATE TABLE login_throttle (
  subject         TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  time_ms    INTEGER NOT NULL,
  user_id    INTEGER,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  student_id INTEGER,
  target     TEXT NOT NULL,
  status     INTEGER NOT NULL,
  address    TEXT NOT NULL
);
CREATE INDEX audit_log_by_student ON audit_log(student_id, id) WHERE student_id IS NOT NULL;
CREATE INDEX audit_log_by_actor ON audit_log(actor, id);
CREATE INDEX audit_log_by_time ON audit_log(time_ms);
)sql";

// The Learning Record Store (store/xapi_store.h). Statements keep their JSON as sent (plus the
// LRS-set id, stored, authority, version); the columns beside it are what GET filters on.
// (actor_key, verb_id) answers the common "this learner's answers" query from the index alone;
// the rowid (seq) is the storage order, so every index also orders by it. object_ref is the
// target of a StatementRef object (voiding statements included): filters also match the
// statements that refer to a matching one. Related agents and
// activities (related_agents / related_activities) are rows of xapi_related keyed "A:<agent>"
// or "O:<activity id>".
constexpr std::string_view kSchemaV3Xapi = R"sql(
CREATE TABLE xapi_statements (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  stored_ms        INTEGER NOT NULL,
  actor_key        TEXT,
  object_agent_key TEXT,
  verb_id          TEXT NOT NULL,
  object_activity  TEXT,
  registration     TEXT,
  voids            TEXT,
  object_ref       TEXT,
  voided           INTEGER NOT NULL DEFAULT 0,
  evidence_count   INTEGER NOT NULL DEFAULT 0,
  unmapped_reason  TEXT,
  json             TEXT NOT NULL
);
CREATE INDEX xapi_statements_by_actor_verb ON xapi_statements(actor_key, verb_id);
CREATE INDEX xapi_statements_by_object_agent ON xapi_statements(object_agent_key)
  WHERE object_agent_key IS NOT NULL;
CREATE INDEX xapi_statements_by_verb ON xapi_statements(verb_id);
CREATE INDEX xapi_statements_by_activity ON xapi_statements(object_activity)
  WHERE object_activity IS NOT NULL;
CREATE INDEX xapi_statements_by_registration ON xapi_statements(registration)
  WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_by_object_ref ON xapi_statements(object_ref)
  WHERE object_ref IS NOT NULL;
CREATE INDEX xapi_statements_unmapped ON xapi_statements(evidence_count) WHERE evidence_count = 0;

CREATE INDEX xapi_people_by_email ON people(lower(email)) WHERE role = 'student';

CREATE TABLE xapi_related (
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (key, seq)
) WITHOUT ROWID;

CREATE TABLE xapi_attachments (
  sha2         TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  content      BLOB NOT NULL
);

CREATE TABLE xapi_activities (
  id         TEXT PRIMARY KEY,
  definition TEXT NOT NULL
);

CREATE TABLE xapi_documents (
  kind         INTEGER NOT NULL,
  activity_id  TEXT NOT NULL,
  agent_key    TEXT NOT NULL,
  registration TEXT NOT NULL,
  doc_id       TEXT NOT NULL,
  content      BLOB NOT NULL,
  content_type TEXT NOT NULL,
  etag         TEXT NOT NULL,
  updated_ms   INTEGER NOT NULL,
  PRIMARY KEY (kind, activity_id, agent_key, registration, doc_id)
);
)sql";

// Learner profiles (store/mastery.h, docs/profiles.md): mastery per (student, competency) kept
// online as evidence arrives, course credits, stated interests.
constexpr std::string_view kSchemaV4Mastery = R"sql(
CREATE TABLE mastery (
  student_id       INTEGER NOT NULL REFERENCES people(id),
  competency_id    INTEGER NOT NULL REFERENCES competencies(id),
  p                REAL NOT NULL,
  attempts         INTEGER NOT NULL,
  independent      INTEGER NOT NULL,
  correct          INTEGER NOT NULL,
  last_evidence_ms INTEGER NOT NULL,
  last_activity_id INTEGER,
  state            TEXT NOT NULL,
  mastered_ms      INTEGER,
  override_state   TEXT,
  override_reason  TEXT,
  override_by      TEXT,
  override_ms      INTEGER,
  PRIMARY KEY (student_id, competency_id)
) WITHOUT ROWID;

CREATE TABLE course_credits (
  student_id  INTEGER NOT NULL REFERENCES people(id),
  course_id   INTEGER NOT NULL REFERENCES courses(id),
  credited_ms INTEGER NOT NULL,
  evidence    TEXT NOT NULL,
  PRIMARY KEY (student_id, course_id)
);

CREATE TABLE student_interests (
  student_id INTEGER NOT NULL REFERENCES people(id),
  position   INTEGER NOT NULL,
  interest   TEXT NOT NULL,
  PRIMARY KEY (student_id, position)
);
)sql";

// Imports (docs/imports.md): OneRoster demographics, assessment scale scores with competency
// sub-scores, and CASE associations other than the hierarchy and prerequisites.
constexpr std::string_view kSchemaV5Imports = R"sql(
CREATE TABLE demographics (
  person_id         INTEGER PRIMARY KEY REFERENCES people(id),
  birth_day         INTEGER,
  sex               TEXT NOT NULL,
  races             TEXT NOT NULL,
  hispanic_latino   INTEGER,
  country_of_birth  TEXT NOT NULL,
  state_of_birth    TEXT NOT NULL,
  city_of_birth     TEXT NOT NULL,
  residence_status  TEXT NOT NULL
);

CREATE TABLE assessment_scores (
  id            INTEGER PRIMARY KEY,
  student_id    INTEGER NOT NULL REFERENCES people(id),
  assessment    TEXT NOT NULL,
  day           INTEGER NOT NULL,
  scale_score   REAL NOT NULL,
  sem           REAL,
  source_system TEXT NOT NULL,
  UNIQUE (student_id, assessment, day)
);

CREATE TABLE assessment_subscores (
  score_id      INTEGER NOT NULL REFERENCES assessment_scores(id),
  position      INTEGER NOT NULL,
  name          TEXT NOT NULL,
  competency_id INTEGER REFERENCES competencies(id),
  score         REAL NOT NULL,
  PRIMARY KEY (score_id, position)
);

CREATE TABLE competency_associations (
  framework_id  INTEGER NOT NULL REFERENCES frameworks(id),
  position      INTEGER NOT NULL,
  competency_id INTEGER NOT NULL REFERENCES competencies(id),
  kind          TEXT NOT NULL,
  target_id     INTEGER REFERENCES competencies(id),
  target        TEXT NOT NULL,
  PRIMARY KEY (framework_id, position)
);
CREATE INDEX competency_associations_by_competency ON competency_associations(competency_id);
)sql";

// Attendance keyed by its primary key alone (WITHOUT ROWID): one B-tree instead of a rowid
// table plus the key's index, so a bulk import does one B-tree insert per row instead of two
// and the table is a third smaller (docs/imports.md, bench_import).
constexpr std::string_view kSchemaV6AttendanceByKey = R"sql(
CREATE TABLE attendance_by_key (
  student_id    INTEGER NOT NULL REFERENCES people(id),
  day           INTEGER NOT NULL,
  status        TEXT NOT NULL,
  source_system TEXT NOT NULL,
  PRIMARY KEY (student_id, day)
) WITHOUT ROWID;
INSERT INTO attendance_by_key(student_id, day, status, source_system)
  SELECT student_id, day, status, source_system FROM attendance;
DROP TABLE attendance;
ALTER TABLE attendance_by_key RENAME TO attendance;
)sql";

// xAPI: the text of the last activity object merged into each definition, so that a batch that
// sends the same object again skips the merge (merging an object twice changes nothing).
constexpr std::string_view kSchemaV7XapiActivityObjects = R"sql(
ALTER TABLE xapi_activities ADD COLUMN last_object TEXT;
)sql";

// xAPI statements keyed by integers. Every agent, verb and activity a statement names is stored
// once in xapi_keys ("A:<agent key>", "V:<verb id>", "O:<activity id>") and the statement row and
// its index entries hold the key's integer: the five statement indexes and the related rows
// shrink from IRIs of 30-60 bytes to integers of 1-3, so a commit of 1,000 statements dirties
// and rewrites far fewer pages. xapi_related no longer repeats the actor, the object agent or
// the object activity (the statement's own columns answer those): only the other related agents
// and activities (context, sub-statement, authority, group members) get rows. bench_xapi: raw
// inserts of the same 200,000 statements went from 18,000 to 48,000 per second.
constexpr std::string_view kSchemaV8XapiKeys = R"sql(
CREATE TABLE xapi_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO xapi_keys(key)
  SELECT 'A:' || actor_key FROM xapi_statements WHERE actor_key IS NOT NULL
  UNION SELECT 'A:' || object_agent_key FROM xapi_statements WHERE object_agent_key IS NOT NULL
  UNION SELECT 'V:' || verb_id FROM xapi_statements
  UNION SELECT 'O:' || object_activity FROM xapi_statements WHERE object_activity IS NOT NULL
  UNION SELECT key FROM xapi_related;

CREATE TABLE xapi_statements_v8 (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  stored_ms        INTEGER NOT NULL,
  actor            INTEGER,
  object_agent     INTEGER,
  verb             INTEGER NOT NULL,
  activity         INTEGER,
  registration     TEXT,
  voids            TEXT,
  object_ref       TEXT,
  voided           INTEGER NOT NULL DEFAULT 0,
  evidence_count   INTEGER NOT NULL DEFAULT 0,
  unmapped_reason  TEXT,
  json             TEXT NOT NULL
);
INSERT INTO xapi_statements_v8(seq, id, stored_ms, actor, object_agent, verb, activity,
                               registration, voids, object_ref, voided, evidence_count,
                               unmapped_reason, json)
  SELECT s.seq, s.id, s.stored_ms,
         (SELECT k.id FROM xapi_keys k WHERE k.key = 'A:' || s.actor_key),
         (SELECT k.id FROM xapi_keys k WHERE k.key = 'A:' || s.object_agent_key),
         (SELECT k.id FROM xapi_keys k WHERE k.key = 'V:' || s.verb_id),
         (SELECT k.id FROM xapi_keys k WHERE k.key = 'O:' || s.object_activity),
         s.registration, s.voids, s.object_ref, s.voided, s.evidence_count, s.unmapped_reason,
         s.json
  FROM xapi_statements s ORDER BY s.seq;

CREATE TABLE xapi_related_v8 (
  key INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (key, seq)
) WITHOUT ROWID;
INSERT INTO xapi_related_v8(key, seq)
  SELECT k.id, r.seq FROM xapi_related r JOIN xapi_keys k ON k.key = r.key
  JOIN xapi_statements_v8 s ON s.seq = r.seq
  WHERE k.id IS NOT s.actor AND k.id IS NOT s.object_agent AND k.id IS NOT s.activity;

DROP TABLE xapi_related;
DROP TABLE xapi_statements;
ALTER TABLE xapi_statements_v8 RENAME TO xapi_statements;
ALTER TABLE xapi_related_v8 RENAME TO xapi_related;
CREATE INDEX xapi_statements_by_actor_verb ON xapi_statements(actor, verb);
CREATE INDEX xapi_statements_by_object_agent ON xapi_statements(object_agent)
  WHERE object_agent IS NOT NULL;
CREATE INDEX xapi_statements_by_verb ON xapi_statements(verb);
CREATE INDEX xapi_statements_by_activity ON xapi_statements(activity) WHERE activity IS NOT NULL;
CREATE INDEX xapi_statements_by_registration ON xapi_statements(registration)
  WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_by_object_ref ON xapi_statements(object_ref)
  WHERE object_ref IS NOT NULL;
CREATE INDEX xapi_statements_unmapped ON xapi_statements(evidence_count) WHERE evidence_count = 0;
)sql";

// xAPI statement JSON compressed with zstd and a dictionary trained on this database's own
// statements (sqlite_xapi.cc): xapi_statements.json then holds a BLOB (a zstd frame naming its
// dictionary) instead of TEXT; rows stored before the first dictionary stay TEXT. id is the
// dictionary's zstd id.
constexpr std::string_view kSchemaV9XapiDictionaries = R"sql(
CREATE TABLE xapi_dictionaries (
  id         INTEGER PRIMARY KEY,
  dictionary BLOB NOT NULL,
  samples    INTEGER NOT NULL,
  trained_ms INTEGER NOT NULL
);
)sql";

// xAPI: the id of a statement's first evidence row (its evidence_count rows are consecutive),
// so voiding it can withdraw exactly that evidence without an index on evidence.source_record.
constexpr std::string_view kSchemaV10XapiEvidenceFirst = R"sql(
ALTER TABLE xapi_statements ADD COLUMN evidence_first INTEGER;
)sql";

// Evidence: the time on task its source reported (xAPI result.duration), in milliseconds.
constexpr std::string_view kSchemaV11EvidenceDuration = R"sql(
ALTER TABLE evidence ADD COLUMN duration_ms INTEGER;
)sql";

// xAPI statements rebuilt for ingest (bench_xapi, docs/xapi.md "Storage"):
// - Index entries written in bulk. A statement's agent, activity and registration entries land
//   on random pages of their indexes; written 1,000 at a time (one batch), every commit rewrote
//   nearly every page of those indexes. Now a new statement stores those keys negated (the
//   indexes are partial on "> 0", so it has no entry yet) and joins the tail: the statements
//   after xapi_index_tail.indexed_through, which queries read by seq. When the tail reaches
//   XapiStore::kIndexTailRows statements, one UPDATE flips their keys' sign and writes the
//   entries of many batches in one pass.
// - Ids (and StatementRef targets) as their 16 bytes instead of 36 characters: the unique id
//   index is the one index every statement must enter at once (duplicates are found through
//   it), and half-size entries halve the pages each commit rewrites (pw_uuid_bytes:
//   sqlite_db.h).
// - Registrations as interned keys ("R:<registration>"), like agents and activities.
// - No voids column (the verb and object_ref say it).
constexpr std::string_view kSchemaV12XapiIndexTail = R"sql(
INSERT OR IGNORE INTO xapi_keys(key)
  SELECT DISTINCT 'R:' || registration FROM xapi_statements WHERE registration IS NOT NULL;
CREATE TABLE xapi_statements_v12 (
  seq              INTEGER PRIMARY KEY,
  id               BLOB NOT NULL UNIQUE,
  stored_ms        INTEGER NOT NULL,
  actor            INTEGER,
  object_agent     INTEGER,
  verb             INTEGER NOT NULL,
  activity         INTEGER,
  registration     INTEGER,
  object_ref       BLOB,
  voided           INTEGER NOT NULL DEFAULT 0,
  evidence_count   INTEGER NOT NULL DEFAULT 0,
  evidence_first   INTEGER,
  unmapped_reason  TEXT,
  json             TEXT NOT NULL
);
INSERT INTO xapi_statements_v12(seq, id, stored_ms, actor, object_agent, verb, activity,
                                registration, object_ref, voided, evidence_count,
                                evidence_first, unmapped_reason, json)
  SELECT s.seq, pw_uuid_bytes(s.id), s.stored_ms, s.actor, s.object_agent, s.verb, s.activity,
         (SELECT k.id FROM xapi_keys k WHERE k.key = 'R:' || s.registration),
         pw_uuid_bytes(s.object_ref), s.voided, s.evidence_count, s.evidence_first,
         s.unmapped_reason, s.json
  FROM xapi_statements s ORDER BY s.seq;
DROP TABLE xapi_statements;
ALTER TABLE xapi_statements_v12 RENAME TO xapi_statements;
CREATE INDEX xapi_statements_by_actor_verb ON xapi_statements(actor, verb) WHERE actor > 0;
CREATE INDEX xapi_statements_by_object_agent ON xapi_statements(object_agent)
  WHERE object_agent IS NOT NULL;
CREATE INDEX xapi_statements_by_verb ON xapi_statements(verb);
CREATE INDEX xapi_statements_by_activity ON xapi_statements(activity) WHERE activity > 0;
CREATE INDEX xapi_statements_by_registration ON xapi_statements(registration)
  WHERE registration > 0;
CREATE INDEX xapi_statements_by_object_ref ON xapi_statements(object_ref)
  WHERE object_ref IS NOT NULL;
CREATE INDEX xapi_statements_unmapped ON xapi_statements(evidence_count) WHERE evidence_count = 0;
CREATE TABLE xapi_index_tail (
  one             INTEGER PRIMARY KEY CHECK (one = 1),
  indexed_through INTEGER NOT NULL
);
INSERT INTO xapi_index_tail(one, indexed_through)
  SELECT 1, coalesce(max(seq), 0) FROM xapi_statements;
)sql";

// xAPI: what statement -> evidence mapping reads (people, activities and their competencies)
// has a generation, bumped in the same transaction by every SqliteStore write that changes one
// of them (PutPerson, PutActivity, deleting a student), and a random id telling databases
// apart. A server keeps its mapping look-ups across batches while both are unchanged
// (ingest/xapi_mapping.h MappingCache): a batch of 1,000 statements otherwise looked up ~800
// students and ~400 activities again (4 us a statement). Not triggers: a trigger that writes
// makes SQLite keep a statement journal for every row an import inserts (a OneRoster import of
// 100,000 students went from 6 s to 10 s).
constexpr std::string_view kSchemaV13XapiMappingGeneration = R"sql(
CREATE TABLE xapi_mapping_generation (
  one         INTEGER PRIMARY KEY CHECK (one = 1),
  database_id INTEGER NOT NULL,
  generation  INTEGER NOT NULL
);
INSERT INTO xapi_mapping_generation(one, database_id, generation) VALUES (1, random(), 0);
)sql";

// Evidence: no indexes by competency or by activity. Every evidence read filters by student (a
// student's evidence, profiles, recomputes, privacy exports) or reads it all, and competencies
// and activities are never deleted (no foreign-key check needs them), so they were written on
// every event -- two more random B-tree inserts each -- and read by nothing.
constexpr std::string_view kSchemaV14EvidenceIndexes = R"sql(
DROP INDEX evidence_by_competency;
DROP INDEX evidence_by_activity;
)sql";

// Evidence: only the student is a foreign key. Activities, competencies and source systems are
// never deleted (only people are, by privacy erasure), and every writer of evidence checks the
// activity and competency itself, once per distinct id of its batch (store_util.h
// CheckEvidenceBatch) -- where SQLite looked each one up again on every row: 3.7 k instructions
// of the xAPI writer's ~85 k a statement (callgrind, bench_xapi). A table rebuild: SQLite cannot
// drop a column's REFERENCES clause in place.
constexpr std::string_view kSchemaV15EvidenceReferences = R"sql(
CREATE TABLE evidence_v15 (
  id               INTEGER PRIMARY KEY,
  student_id       INTEGER NOT NULL REFERENCES people(id),
  activity_id      INTEGER,
  competency_id    INTEGER,
  time_ms          INTEGER NOT NULL,
  kind             INTEGER NOT NULL,
  score            REAL NOT NULL,
  rubric_level     INTEGER NOT NULL,
  rubric_max       INTEGER NOT NULL,
  source_system_id INTEGER,
  source_record    TEXT,
  duration_ms      INTEGER
);
INSERT INTO evidence_v15(id, student_id, activity_id, competency_id, time_ms, kind, score,
                         rubric_level, rubric_max, source_system_id, source_record, duration_ms)
  SELECT id, student_id, activity_id, competency_id, time_ms, kind, score, rubric_level,
         rubric_max, source_system_id, source_record, duration_ms
  FROM evidence ORDER BY id;
DROP TABLE evidence;
ALTER TABLE evidence_v15 RENAME TO evidence;
CREATE INDEX evidence_by_student_time ON evidence(student_id, time_ms);
)sql";

// xAPI: related rows as runs of consecutive statements. A statement's related agents and
// activities that are not its own columns (the authority the LRS adds, a parent course) were a
// (key, seq) row each, two a statement from a typical app -- 9 k of the writer's ~82 k
// instructions a statement (callgrind, bench_xapi, the rows left out) for keys that nearly every
// statement of a batch shares. Now a row holds a key and a run of consecutive statements
// [first_seq, last_seq] that all relate to it: one row a key per chunk of a request instead of
// one a statement. Queries expand a key's runs back into statement numbers.
constexpr std::string_view kSchemaV16XapiRelatedRuns = R"sql(
CREATE TABLE xapi_related_v16 (
  key       INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq  INTEGER NOT NULL,
  PRIMARY KEY (key, first_seq)
) WITHOUT ROWID;
INSERT INTO xapi_related_v16(key, first_seq, last_seq)
  SELECT key, min(seq), max(seq)
  FROM (SELECT key, seq, seq - row_number() OVER (PARTITION BY key ORDER BY seq) AS island
        FROM xapi_related)
  GROUP BY key, island;
DROP TABLE xapi_related;
ALTER TABLE xapi_related_v16 RENAME TO xapi_related;
)sql";

// Evidence and mastery: no foreign keys. SQLite looks up the parent row of every row either
// table gets (the student for evidence; the student and the competency for each new mastery
// row), and every writer checks those already, once per distinct id of its batch (evidence:
// store_util.h CheckEvidenceBatch; mastery: PutMastery) inside the same write transaction, so
// nothing can delete the parent in between; erasing a student deletes both tables' rows first
// (DeleteStudentData). The look-ups were 5.6 % of the xAPI writer's instructions (callgrind,
// bench_xapi, one sender: 65.2 k -> 61.5 k a statement), and without them evidence rows can go
// in many to an INSERT. PostgreSQL keeps its foreign keys (its writers send rows in arrays).
constexpr std::string_view kSchemaV17EvidenceMasteryUnreferenced = R"sql(
CREATE TABLE evidence_v17 (
  id               INTEGER PRIMARY KEY,
  student_id       INTEGER NOT NULL,
  activity_id      INTEGER,
  competency_id    INTEGER,
  time_ms          INTEGER NOT NULL,
  kind             INTEGER NOT NULL,
  score            REAL NOT NULL,
  rubric_level     INTEGER NOT NULL,
  rubric_max       INTEGER NOT NULL,
  source_system_id INTEGER,
  source_record    TEXT,
  duration_ms      INTEGER
);
INSERT INTO evidence_v17(id, student_id, activity_id, competency_id, time_ms, kind, score,
                         rubric_level, rubric_max, source_system_id, source_record, duration_ms)
  SELECT id, student_id, activity_id, competency_id, time_ms, kind, score, rubric_level,
         rubric_max, source_system_id, source_record, duration_ms
  FROM evidence ORDER BY id;
DROP TABLE evidence;
ALTER TABLE evidence_v17 RENAME TO evidence;
CREATE INDEX evidence_by_student_time ON evidence(student_id, time_ms);
CREATE TABLE mastery_v17 (
  student_id       INTEGER NOT NULL,
  competency_id    INTEGER NOT NULL,
  p                REAL NOT NULL,
  attempts         INTEGER NOT NULL,
  independent      INTEGER NOT NULL,
  correct          INTEGER NOT NULL,
  last_evidence_ms INTEGER NOT NULL,
  last_activity_id INTEGER,
  state            TEXT NOT NULL,
  mastered_ms      INTEGER,
  override_state   TEXT,
  override_reason  TEXT,
  override_by      TEXT,
  override_ms      INTEGER,
  PRIMARY KEY (student_id, competency_id)
) WITHOUT ROWID;
INSERT INTO mastery_v17(student_id, competency_id, p, attempts, independent, correct,
                        last_evidence_ms, last_activity_id, state, mastered_ms, override_state,
                        override_reason, override_by, override_ms)
  SELECT student_id, competency_id, p, attempts, independent, correct, last_evidence_ms,
         last_activity_id, state, mastered_ms, override_state, override_reason, override_by,
         override_ms
  FROM mastery ORDER BY student_id, competency_id;
DROP TABLE mastery;
ALTER TABLE mastery_v17 RENAME TO mastery;
)sql";

// xAPI: a generation of the activity definitions, bumped by every write of one (SqliteXapi::
// PutActivityDefinition). The group writer keeps the last object merged into each activity
// across its transactions while the generation stands (server/xapi_service.cc WriteGroup):
// looking each of a batch's ~430 activities up again was 4.6 % of the writer's instructions
// (callgrind, bench_xapi).
constexpr std::string_view kSchemaV18XapiDefinitionsGeneration = R"sql(
ALTER TABLE xapi_mapping_generation ADD COLUMN definitions INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "initial schema: roster, frameworks, activities, evidence, wellbeing, goals",
              kSchemaV1},
    Migration{2, "accounts: users, sessions, API clients, login throttling, audit log",
              kSchemaV2Accounts},
    Migration{3, "xAPI learning record store: statements, attachments, documents",
              kSchemaV3Xapi},
    Migration{4, "learner profiles: mastery per student and competency, course credits, interests",
              kSchemaV4Mastery},
    Migration{5, "imports: demographics, assessment scores, competency associations",
              kSchemaV5Imports},
    Migration{6, "attendance stored by its key (WITHOUT ROWID) for bulk imports",
              kSchemaV6AttendanceByKey},
    Migration{7, "xAPI: last activity object merged into each definition",
              kSchemaV7XapiActivityObjects},
    Migration{8, "xAPI: statements and related rows keyed by interned integers",
              kSchemaV8XapiKeys},
    Migration{9, "xAPI: zstd dictionaries for the stored statement JSON",
              kSchemaV9XapiDictionaries},
    Migration{10, "xAPI: the first evidence row of each statement",
              kSchemaV10XapiEvidenceFirst},
    Migration{11, "evidence: time on task", kSchemaV11EvidenceDuration},
    Migration{12, "xAPI: index entries written in bulk, ids as bytes, registrations as keys",
              kSchemaV12XapiIndexTail},
    Migration{13, "xAPI: a generation of the people and activities that mapping reads",
              kSchemaV13XapiMappingGeneration},
    Migration{14, "evidence: no indexes by competency or activity (nothing reads by them)",
              kSchemaV14EvidenceIndexes},
    Migration{15, "evidence: the student its only foreign key (the others are checked per batch)",
              kSchemaV15EvidenceReferences},
    Migration{16, "xAPI: related agents and activities as runs of consecutive statements",
              kSchemaV16XapiRelatedRuns},
    Migration{17, "evidence and mastery: no foreign keys (every writer checks the student)",
              kSchemaV17EvidenceMasteryUnreferenced},
    Migration{18, "xAPI: a generation of the activity definitions",
              kSchemaV18XapiDefinitionsGeneration},
};

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version       INTEGER PRIMARY KEY,
  description   TEXT NOT NULL,
  applied_at_ms INTEGER NOT NULL
);
)sql";

}  // namespace

std::span<const Migration> SchemaMigrations() { return kMigrations; }

Result<int> ReadSchemaVersion(SqliteDb& db) {
  PW_ASSIGN_OR_RETURN(
      Stmt exists,
      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"));
  PW_ASSIGN_OR_RETURN(bool has_table, exists.Step());
  if (!has_table) return 0;
  exists = Stmt();
  PW_ASSIGN_OR_RETURN(Stmt max, db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version"));
  PW_ASSIGN_OR_RETURN(bool row, max.Step());
  return row ? static_cast<int>(max.Int(0)) : 0;
}

Status ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations, std::int64_t now_ms) {
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  for (const Migration& m : migrations) {
    // IMMEDIATE takes the write lock first, so a concurrent migrator waits (busy_timeout) and
    // then sees the version this one wrote.
    PW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      PW_RETURN_IF_ERROR(db.Exec(kCreateVersionTable));
      PW_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(db));
      if (current > newest) {
        return FailedPreconditionError(
            "sqlite:{}: the database has schema version {}, newer than this pathwise knows ({}); "
            "upgrade pathwise",
            db.path(), current, newest);
      }
      if (current >= m.version) return OkStatus();
      if (current != m.version - 1) {
        return InternalError("schema migration {} follows version {}, but the database is at {}",
                             m.version, m.version - 1, current);
      }
      Status applied = db.Exec(m.sql);
      if (!applied.ok()) {
        return applied.WithPrefix(
            fmt::format("schema migration {} ({})", m.version, m.description));
      }
      return db.Run(
          "INSERT INTO schema_version(version, description, applied_at_ms) VALUES (?, ?, ?)",
          m.version, m.description, now_ms);
    }();
    if (!s.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return s;
    }
    PW_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  if (migrations.empty()) {
    PW_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(db));
    if (current > 0) {
      return FailedPreconditionError(
          "sqlite:{}: the database has schema version {}, newer than this pathwise knows (0)",
          db.path(), current);
    }
  }
  return OkStatus();
}

}  // namespace pw::sqlite
