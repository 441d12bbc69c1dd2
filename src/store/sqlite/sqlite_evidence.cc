// SqliteStore: evidence (the big table, with its bulk path) and the non-achievement records
// (attendance, behavior, social-emotional scores).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"
#include "store/store_util.h"

namespace pw {

using sqlite::Null;
using sqlite::OptText;
using sqlite::Ref;
using sqlite::Stmt;

namespace {

// Outcome kinds are stored as these integers (docs/store.md); never renumber.
constexpr int KindCode(OutcomeKind k) { return static_cast<int>(k); }
constexpr int kMaxKindCode = static_cast<int>(OutcomeKind::kRubric);


// The WHERE clause of an evidence filter, with parameters ?1..?5 bound by BindEvidenceFilter.
std::string EvidenceWhere(const EvidenceFilter& f) {
  std::string where = "WHERE 1";
  if (f.student_id) where += " AND student_id = ?1";
  if (f.competency_id) where += " AND competency_id = ?2";
  if (f.activity_id) where += " AND activity_id = ?3";
  if (f.since) where += " AND time_ms >= ?4";
  if (f.until) where += " AND time_ms < ?5";
  return where;
}

void BindEvidenceFilter(Stmt& st, const EvidenceFilter& f) {
  if (f.student_id) st.BindOne(1, *f.student_id);
  if (f.competency_id) st.BindOne(2, *f.competency_id);
  if (f.activity_id) st.BindOne(3, *f.activity_id);
  if (f.since) st.BindOne(4, f.since->millis);
  if (f.until) st.BindOne(5, f.until->millis);
}

constexpr char kEvidenceColumns[] =
    "id, student_id, activity_id, competency_id, time_ms, kind, score, rubric_level, rubric_max, "
    "source_system_id, source_record, duration_ms";

}  // namespace

// ---- source systems

Result<std::int64_t> SqliteStore::SourceSystemId(const std::string& name) {
  if (auto it = source_ids_.find(name); it != source_ids_.end()) return it->second;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM source_systems WHERE name = ?"));
    st.Bind(name);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      const std::int64_t id = st.Int(0);
      source_ids_[name] = id;
      source_names_[id] = name;
      return id;
    }
  }
  // Only called inside a transaction; a rollback clears both caches again.
  PW_RETURN_IF_ERROR(db_->Run("INSERT INTO source_systems(name) VALUES (?)", name));
  const std::int64_t id = db_->LastInsertId();
  source_ids_[name] = id;
  source_names_[id] = name;
  return id;
}

Result<std::string> SqliteStore::SourceSystemName(std::int64_t id) {
  if (auto it = source_names_.find(id); it != source_names_.end()) return it->second;
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT name FROM source_systems WHERE id = ?"));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return InternalError("evidence names source system {}, which does not exist", id);
  std::string name = st.Text(0);
  source_names_[id] = name;
  return name;
}

// ---- evidence

namespace {

constexpr std::size_t kEvidenceRowsAStatement = 64;

// "INSERT OR IGNORE INTO evidence(...) VALUES (...), ..." for `n` rows (1 to
// kEvidenceRowsAStatement).
const std::string& EvidenceInsertSql(std::size_t n) {
  static const sqlite::MultiRowInsert kSql(
      "INSERT OR IGNORE INTO evidence(student_id, activity_id, competency_id, time_ms, kind, "
      "score, rubric_level, rubric_max, source_system_id, source_record, duration_ms)",
      11, kEvidenceRowsAStatement);
  return kSql.For(n);
}

}  // namespace

Status SqliteStore::AppendEvidence(std::span<EvidenceEvent> events) {
  if (events.empty()) return OkStatus();
  return Transaction([&]() -> Status {
    // 1. Validate every event before writing any (store_util.h).
    PW_RETURN_IF_ERROR(store_util::CheckEvidenceBatch(
        events, [&](Id id) { return StudentProblem(id); },
        [&](const char* table, Id id) { return Exists(table, id); }));

    // 2. Rows kEvidenceRowsAStatement to an INSERT: SQLite opens the table's and its index's
    // cursors once for the lot (evidence has no foreign key to check row by row: migration 17).
    // OR IGNORE: a statement that cannot abort keeps no statement journal (a copy of every
    // index page it first touches). Nothing is ignored in fact -- the id is assigned and every
    // NOT NULL column is bound from a value -- and a count short of the rows fails the call.
    const std::string* last_system = nullptr;
    std::int64_t system_id = 0;
    for (std::size_t from = 0; from < events.size(); from += kEvidenceRowsAStatement) {
      const std::size_t n = std::min(kEvidenceRowsAStatement, events.size() - from);
      PW_ASSIGN_OR_RETURN(Stmt insert, db_->Prepare(EvidenceInsertSql(n)));
      sqlite3_stmt* st = insert.handle();
      for (std::size_t i = 0; i < n; ++i) {
        const EvidenceEvent& e = events[from + i];
        if (last_system == nullptr || *last_system != e.source_system) {
          if (e.source_system.empty()) {
            system_id = 0;
          } else {
            PW_ASSIGN_OR_RETURN(system_id, SourceSystemId(e.source_system));
          }
          last_system = &e.source_system;
        }
        const int at = static_cast<int>(i) * 11;
        sqlite3_bind_int64(st, at + 1, e.student_id);
        if (e.activity_id != kNoId) {
          sqlite3_bind_int64(st, at + 2, e.activity_id);
        } else {
          sqlite3_bind_null(st, at + 2);
        }
        if (e.competency_id != kNoId) {
          sqlite3_bind_int64(st, at + 3, e.competency_id);
        } else {
          sqlite3_bind_null(st, at + 3);
        }
        sqlite3_bind_int64(st, at + 4, e.time.millis);
        sqlite3_bind_int(st, at + 5, KindCode(e.kind));
        sqlite3_bind_double(st, at + 6, e.score);
        sqlite3_bind_int(st, at + 7, e.rubric_level);
        sqlite3_bind_int(st, at + 8, e.rubric_max);
        if (system_id != 0) {
          sqlite3_bind_int64(st, at + 9, system_id);
        } else {
          sqlite3_bind_null(st, at + 9);
        }
        if (!e.source_record.empty()) {
          // STATIC: the event outlives the step below.
          sqlite3_bind_text(st, at + 10, e.source_record.data(),
                            static_cast<int>(e.source_record.size()), SQLITE_STATIC);
        } else {
          sqlite3_bind_null(st, at + 10);
        }
        if (e.duration_ms) {
          sqlite3_bind_int64(st, at + 11, *e.duration_ms);
        } else {
          sqlite3_bind_null(st, at + 11);
        }
      }
      const int rc = sqlite3_step(st);
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);  // no pointer into `events` stays behind
      if (rc != SQLITE_DONE) {
        return sqlite::SqliteStatus(db_->handle(), rc,
                                    fmt::format("evidence {}..{}", from, from + n - 1));
      }
      if (db_->Changes() != static_cast<int>(n)) {
        return InternalError("evidence {}..{}: {} of {} rows stored", from, from + n - 1,
                             db_->Changes(), n);
      }
      // One statement's rows take consecutive ids, the largest last.
      const std::int64_t last = sqlite3_last_insert_rowid(db_->handle());
      for (std::size_t i = 0; i < n; ++i) {
        events[from + i].id = last - static_cast<std::int64_t>(n - 1 - i);
      }
    }
    return OkStatus();
  });
}

namespace {

// Reads one evidence row (kEvidenceColumns order) into `e`, reusing its strings; the source
// system is resolved by the caller.
Status ReadEvidenceRow(const Stmt& st, EvidenceEvent* e, std::int64_t* system_id) {
  e->id = st.Int(0);
  e->student_id = st.Int(1);
  e->activity_id = st.Int(2);
  e->competency_id = st.Int(3);
  e->time = Timestamp{st.Int(4)};
  const std::int64_t kind = st.Int(5);
  if (kind < 0 || kind > kMaxKindCode) {
    return InternalError("evidence {}: stored outcome kind {} is unknown", e->id, kind);
  }
  e->kind = static_cast<OutcomeKind>(kind);
  e->score = st.Real(6);
  e->rubric_level = static_cast<std::int16_t>(st.Int(7));
  e->rubric_max = static_cast<std::int16_t>(st.Int(8));
  *system_id = st.Int(9);
  if (st.IsNull(10)) {
    e->source_record.clear();
  } else {
    e->source_record = st.Text(10);
  }
  if (st.IsNull(11)) {
    e->duration_ms.reset();
  } else {
    e->duration_ms = st.Int(11);
  }
  return OkStatus();
}

}  // namespace

Result<Page<EvidenceEvent>> SqliteStore::ListEvidence(const EvidenceFilter& filter,
                                                      PageRequest page) {
  PW_RETURN_IF_ERROR(sqlite::CheckPage(page));
  PW_ASSIGN_OR_RETURN(Stmt st,
                      db_->Prepare(fmt::format("SELECT {} FROM evidence {} AND id > ?6 ORDER BY id "
                                               "LIMIT ?7",
                                               kEvidenceColumns, EvidenceWhere(filter))));
  BindEvidenceFilter(st, filter);
  st.BindOne(6, page.after);
  st.BindOne(7, page.limit + 1);
  return sqlite::ReadPage<EvidenceEvent>(
      st, page.limit, [&](const Stmt& s) -> Result<EvidenceEvent> {
        std::int64_t system_id = 0;
        EvidenceEvent e;
        PW_RETURN_IF_ERROR(ReadEvidenceRow(s, &e, &system_id));
        if (system_id != 0) {
          PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
        }
        return e;
      });
}

Status SqliteStore::ScanEvidence(const EvidenceFilter& filter,
                                 const std::function<Status(const EvidenceEvent&)>& fn) {
  PW_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare(fmt::format("SELECT {} FROM evidence {} ORDER BY student_id, time_ms, "
                                        "id",
                                        kEvidenceColumns, EvidenceWhere(filter))));
  BindEvidenceFilter(st, filter);
  // The hot loop of profile recomputes: one event object reused for every row, and the
  // source-system name looked up only when it changes from the previous row's.
  EvidenceEvent e;
  std::int64_t last_system = 0;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::int64_t system_id = 0;
    PW_RETURN_IF_ERROR(ReadEvidenceRow(st, &e, &system_id));
    if (system_id != last_system) {
      if (system_id == 0) {
        e.source_system.clear();
      } else {
        PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
      }
      last_system = system_id;
    }
    PW_RETURN_IF_ERROR(fn(e));
  }
  return OkStatus();
}

Result<std::vector<EvidenceEvent>> SqliteStore::DeleteEvidence(std::span<const Id> ids) {
  std::vector<EvidenceEvent> out;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(Stmt read, db_->Prepare(fmt::format("SELECT {} FROM evidence WHERE id = ?",
                                                            kEvidenceColumns)));
    PW_ASSIGN_OR_RETURN(Stmt del, db_->Prepare("DELETE FROM evidence WHERE id = ?"));
    for (Id id : ids) {
      read.Reset();
      read.Bind(id);
      PW_ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) continue;
      EvidenceEvent e;
      std::int64_t system_id = 0;
      PW_RETURN_IF_ERROR(ReadEvidenceRow(read, &e, &system_id));
      if (system_id != 0) {
        PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
      }
      del.Reset();
      del.Bind(id);
      PW_RETURN_IF_ERROR(del.Run());
      out.push_back(std::move(e));
    }
    return OkStatus();
  }));
  return out;
}

Result<std::int64_t> SqliteStore::CountEvidence(const EvidenceFilter& filter) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT count(*) FROM evidence {}",
                                                        EvidenceWhere(filter))));
  BindEvidenceFilter(st, filter);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

// ---- attendance

namespace {

// Attendance rows per multi-row INSERT: fewer statement executions (a third of the CPU time
// of a bulk import at one row each), 256 parameters (under SQLite's limit of 999 in old builds).
constexpr std::size_t kAttendanceChunk = 64;
// A batch at least this large runs with SqliteOptions::bulk_cache_mib of page cache.
constexpr std::size_t kBulkRows = 10'000;

// Inclusive day bounds of a DateRange as SQL parameters (open ends become the extremes).
std::int64_t FromDay(const DateRange& r) { return r.from ? r.from->days : INT32_MIN; }
std::int64_t ToDay(const DateRange& r) { return r.to ? r.to->days : INT32_MAX; }

}  // namespace

Status SqliteStore::PutAttendance(std::span<const AttendanceRecord> records) {
  return PutAttendanceCounted(records).status();
}

Result<PutCounts> SqliteStore::PutAttendanceCounted(std::span<const AttendanceRecord> records) {
  PutCounts counts;
  if (records.empty()) return counts;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    store_util::IdChecks students;
    auto lookup = [&](Id id) { return StudentProblem(id); };
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].student_id == kNoId) {
        return InvalidArgumentError("attendance {}: student_id is missing", i);
      }
      PW_ASSIGN_OR_RETURN(const std::string* problem,
                          students.Check(records[i].student_id, lookup));
      if (!problem->empty()) return InvalidArgumentError("attendance {}: {}", i, *problem);
    }
    if (records.size() >= kBulkRows) PW_RETURN_IF_ERROR(UseBulkCache());

    // Written in key order (of two records for one day the later still wins):
    // the inserts then walk the primary-key B-tree from one end to the other instead of
    // jumping around it (a file is usually day by day, the key student by student).
    struct Key {
      Id student_id;
      std::int32_t day;
      std::uint32_t index;  // the tie-break that keeps the file's order
    };
    std::vector<Key> keys(records.size());
    for (std::uint32_t i = 0; i < keys.size(); ++i) {
      keys[i] = Key{records[i].student_id, records[i].date.days, i};
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      if (a.student_id != b.student_id) return a.student_id < b.student_id;
      if (a.day != b.day) return a.day < b.day;
      return a.index < b.index;
    });
    std::vector<std::uint32_t> order(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
    keys = {};

    // Chunks of kAttendanceChunk rows go in with one multi-row INSERT OR IGNORE. When all rows
    // of a chunk were new (a first import), that is all. Otherwise each row of the chunk is
    // then updated where it differs, in order: a row the INSERT just created compares equal
    // (unless an earlier row of the file had the same day), so the counts are exactly those of
    // writing row by row: created = rows the INSERT added, updated = rows an UPDATE changed.
    PW_ASSIGN_OR_RETURN(Stmt up, db_->Prepare("UPDATE attendance SET status = ?3, source_system = "
                                              "?4 WHERE student_id = ?1 AND day = ?2 AND (status "
                                              "IS NOT ?3 OR source_system IS NOT ?4)"));
    auto bind = [](sqlite3_stmt* st, int first, const AttendanceRecord& r) {
      // STATIC: the records outlive every step below.
      const std::string_view status = AttendanceStatusName(r.status);
      sqlite3_bind_int64(st, first, r.student_id);
      sqlite3_bind_int64(st, first + 1, r.date.days);
      sqlite3_bind_text(st, first + 2, status.data(), static_cast<int>(status.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(st, first + 3, r.source_system.data(),
                        static_cast<int>(r.source_system.size()), SQLITE_STATIC);
    };
    for (std::size_t begin = 0; begin < order.size(); begin += kAttendanceChunk) {
      const std::size_t n = std::min(kAttendanceChunk, order.size() - begin);
      std::string sql =
          "INSERT OR IGNORE INTO attendance(student_id, day, status, source_system) "
          "VALUES (?, ?, ?, ?)";
      for (std::size_t k = 1; k < n; ++k) sql += ", (?, ?, ?, ?)";
      PW_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare(sql));  // cached: one per chunk size
      for (std::size_t k = 0; k < n; ++k) {
        bind(ins.handle(), static_cast<int>(4 * k + 1), records[order[begin + k]]);
      }
      PW_RETURN_IF_ERROR(ins.Run());
      const std::int64_t created = db_->Changes();
      counts.created += created;
      if (created == static_cast<std::int64_t>(n)) continue;
      for (std::size_t k = 0; k < n; ++k) {
        bind(up.handle(), 1, records[order[begin + k]]);
        PW_RETURN_IF_ERROR(up.Run());
        counts.updated += db_->Changes();
      }
      counts.unchanged += static_cast<std::int64_t>(n) - created;
    }
    counts.unchanged -= counts.updated;
    return OkStatus();
  }));
  return counts;
}

Result<std::vector<AttendanceRecord>> SqliteStore::ListAttendance(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT student_id, day, status, source_system FROM "
                                            "attendance WHERE student_id = ? AND day >= ? AND day "
                                            "<= ? ORDER BY day"));
  st.Bind(student_id, FromDay(range), ToDay(range));
  return sqlite::ReadAll<AttendanceRecord>(st, [](const Stmt& s) -> Result<AttendanceRecord> {
    AttendanceRecord r;
    r.student_id = s.Int(0);
    r.date = Date{static_cast<std::int32_t>(s.Int(1))};
    PW_ASSIGN_OR_RETURN(r.status, ParseAttendanceStatus(s.Text(2)));
    r.source_system = s.Text(3);
    return r;
  });
}

// ---- behavior

Result<PutOutcome> SqliteStore::PutBehavior(BehaviorIncident& b) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("behavior incident", b.id, b.source_record);
  if (b.id < 0) return InvalidArgumentError("{}: id {} is negative", who, b.id);
  if (b.severity < 1 || b.severity > 3) {
    return InvalidArgumentError("{}: severity {} is outside 1..3", who, b.severity);
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    if (b.student_id == kNoId) return InvalidArgumentError("{}: student_id is missing", who);
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(b.student_id));
    if (!problem.empty()) return InvalidArgumentError("{}: {}", who, problem);
    // The incident's identity: its id, else (source_system, source_record).
    Target t{b.id, false};
    if (b.id != kNoId) {
      PW_ASSIGN_OR_RETURN(t.exists, Exists("behavior", b.id));
    }
    if (!b.source_record.empty()) {
      PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM behavior WHERE source_system = ? "
                                                "AND source_record = ?"));
      st.Bind(b.source_system, b.source_record);
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) {
        const Id found = st.Int(0);
        if (b.id == kNoId) {
          t = Target{found, true};
        } else if (found != b.id) {
          return AlreadyExistsError("{}: source record \"{}\" of \"{}\" already belongs to id {}",
                                    who, b.source_record, b.source_system, found);
        }
      }
    }
    PW_ASSIGN_OR_RETURN(
        Stmt st,
        db_->Prepare(t.exists ? "UPDATE behavior SET student_id = ?2, time_ms = ?3, category = ?4, "
                                "severity = ?5, description = ?6, source_system = ?7, "
                                "source_record = ?8 WHERE id = ?1 AND (student_id IS NOT ?2 OR "
                                "time_ms IS NOT ?3 OR category IS NOT ?4 OR severity IS NOT ?5 OR "
                                "description IS NOT ?6 OR source_system IS NOT ?7 OR "
                                "source_record IS NOT ?8)"
                              : "INSERT INTO behavior(id, student_id, time_ms, category, "
                                "severity, description, source_system, source_record) VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    st.Bind(Ref{t.id}, b.student_id, b.time.millis, b.category, b.severity, b.description,
            b.source_system, OptText{b.source_record});
    PW_RETURN_IF_ERROR(st.Run());
    if (t.exists) {
      b.id = t.id;
      outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    } else {
      b.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
    }
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<BehaviorIncident>> SqliteStore::ListBehavior(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id, student_id, time_ms, category, severity, "
                                            "description, source_system, source_record FROM "
                                            "behavior WHERE student_id = ? AND time_ms >= ? AND "
                                            "time_ms < ? ORDER BY time_ms, id"));
  const std::int64_t from = range.from ? StartOf(*range.from).millis : INT64_MIN;
  const std::int64_t to = range.to ? StartOf(Date{range.to->days + 1}).millis : INT64_MAX;
  st.Bind(student_id, from, to);
  return sqlite::ReadAll<BehaviorIncident>(st, [](const Stmt& s) -> Result<BehaviorIncident> {
    BehaviorIncident b;
    b.id = s.Int(0);
    b.student_id = s.Int(1);
    b.time = Timestamp{s.Int(2)};
    b.category = s.Text(3);
    b.severity = static_cast<int>(s.Int(4));
    b.description = s.Text(5);
    b.source_system = s.Text(6);
    b.source_record = s.Text(7);
    return b;
  });
}

// ---- social-emotional scores

Status SqliteStore::PutSel(std::span<const SelScore> scores) {
  return PutSelCounted(scores).status();
}

Result<PutCounts> SqliteStore::PutSelCounted(std::span<const SelScore> scores) {
  PutCounts counts;
  if (scores.empty()) return counts;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    store_util::IdChecks students;
    auto lookup = [&](Id id) { return StudentProblem(id); };
    for (size_t i = 0; i < scores.size(); ++i) {
      const SelScore& s = scores[i];
      if (s.student_id == kNoId) return InvalidArgumentError("sel {}: student_id is missing", i);
      PW_ASSIGN_OR_RETURN(const std::string* problem, students.Check(s.student_id, lookup));
      if (!problem->empty()) return InvalidArgumentError("sel {}: {}", i, *problem);
      if (s.scale.empty()) return InvalidArgumentError("sel {}: scale is missing", i);
      if (!std::isfinite(s.scale_min) || !std::isfinite(s.scale_max) ||
          s.scale_min >= s.scale_max) {
        return InvalidArgumentError("sel {}: scale range {}..{} is empty or not finite", i,
                                    s.scale_min, s.scale_max);
      }
      if (!std::isfinite(s.score) || s.score < s.scale_min || s.score > s.scale_max) {
        return InvalidArgumentError("sel {}: score {} is outside the scale {}..{}", i, s.score,
                                    s.scale_min, s.scale_max);
      }
    }
    PW_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT OR IGNORE INTO sel_scores(student_id, "
                                               "day, scale, score, scale_min, scale_max, "
                                               "source_system) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    PW_ASSIGN_OR_RETURN(Stmt up, db_->Prepare("UPDATE sel_scores SET score = ?4, scale_min = ?5, "
                                              "scale_max = ?6, source_system = ?7 WHERE "
                                              "student_id = ?1 AND day = ?2 AND scale = ?3 AND "
                                              "(score IS NOT ?4 OR scale_min IS NOT ?5 OR "
                                              "scale_max IS NOT ?6 OR source_system IS NOT ?7)"));
    for (const SelScore& s : scores) {
      ins.Bind(s.student_id, static_cast<std::int64_t>(s.date.days), s.scale, s.score,
               s.scale_min, s.scale_max, s.source_system);
      PW_RETURN_IF_ERROR(ins.Run());
      if (db_->Changes() > 0) {
        ++counts.created;
        continue;
      }
      up.Bind(s.student_id, static_cast<std::int64_t>(s.date.days), s.scale, s.score, s.scale_min,
              s.scale_max, s.source_system);
      PW_RETURN_IF_ERROR(up.Run());
      if (db_->Changes() > 0) {
        ++counts.updated;
      } else {
        ++counts.unchanged;
      }
    }
    return OkStatus();
  }));
  return counts;
}

Result<std::vector<SelScore>> SqliteStore::ListSel(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT student_id, day, scale, score, scale_min, "
                                            "scale_max, source_system FROM sel_scores WHERE "
                                            "student_id = ? AND day >= ? AND day <= ? ORDER BY "
                                            "day, scale"));
  st.Bind(student_id, FromDay(range), ToDay(range));
  return sqlite::ReadAll<SelScore>(st, [](const Stmt& s) -> Result<SelScore> {
    SelScore r;
    r.student_id = s.Int(0);
    r.date = Date{static_cast<std::int32_t>(s.Int(1))};
    r.scale = s.Text(2);
    r.score = s.Real(3);
    r.scale_min = s.Real(4);
    r.scale_max = s.Real(5);
    r.source_system = s.Text(6);
    return r;
  });
}

}  // namespace pw
