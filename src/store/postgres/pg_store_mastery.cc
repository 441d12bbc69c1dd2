// PgStore: mastery rows, course credits and stated interests (store/mastery.h).
#ifdef PATHWISE_HAVE_POSTGRES

#include <unordered_set>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_util.h"

namespace pw {

using pg::OptText;
using pg::Ref;

namespace {

constexpr char kMasteryColumns[] =
    "student_id, competency_id, p, attempts, independent, correct, last_evidence_ms, "
    "last_activity_id, state, mastered_ms, override_state, override_reason, override_by, "
    "override_ms";

MasteryRecord ReadMasteryRow(const pqxx::row& r) {
  MasteryRecord m;
  m.student_id = pg::Int(r, 0);
  m.competency_id = pg::Int(r, 1);
  m.p = pg::Real(r, 2);
  m.attempts = static_cast<std::int32_t>(pg::Int(r, 3));
  m.independent = static_cast<std::int32_t>(pg::Int(r, 4));
  m.correct = static_cast<std::int32_t>(pg::Int(r, 5));
  m.last_evidence = Timestamp{pg::Int(r, 6)};
  m.last_activity_id = pg::Int(r, 7);
  m.state = pg::Text(r, 8);
  if (!pg::IsNull(r, 9)) m.mastered_at = Timestamp{pg::Int(r, 9)};
  m.override_state = pg::Text(r, 10);
  m.override_reason = pg::Text(r, 11);
  m.override_by = pg::Text(r, 12);
  if (!pg::IsNull(r, 13)) m.override_at = Timestamp{pg::Int(r, 13)};
  return m;
}

std::optional<std::int64_t> OptMillis(const std::optional<Timestamp>& t) {
  return t ? std::optional<std::int64_t>(t->millis) : std::nullopt;
}

}  // namespace

Result<std::vector<MasteryRecord>> PgStore::GetMastery(std::span<const std::pair<Id, Id>> pairs) {
  std::vector<MasteryRecord> out;
  out.reserve(pairs.size());
  const std::string sql = fmt::format(
      "SELECT {} FROM mastery WHERE student_id = $1 AND competency_id = $2", kMasteryColumns);
  for (const auto& [student, competency] : pairs) {
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, student, competency));
    if (!r.empty()) out.push_back(ReadMasteryRow(r[0]));
  }
  return out;
}

Result<std::vector<MasteryRecord>> PgStore::ListMastery(Id student_id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM mastery WHERE student_id = $1 ORDER BY competency_id",
                            kMasteryColumns),
                student_id));
  std::vector<MasteryRecord> out;
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(ReadMasteryRow(row));
  return out;
}

Status PgStore::PutMastery(std::span<const MasteryRecord> rows) {
  if (rows.empty()) return OkStatus();
  return Transaction([&]() -> Status {
    // Checked first: a failed statement would abort the PostgreSQL transaction.
    std::unordered_set<Id> students, competencies;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (students.insert(rows[i].student_id).second) {
        PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(rows[i].student_id));
        if (!problem.empty()) return InvalidArgumentError("mastery {}: {}", i, problem);
      }
      if (competencies.insert(rows[i].competency_id).second) {
        PW_ASSIGN_OR_RETURN(bool found, Exists("competencies", rows[i].competency_id));
        if (!found) {
          return InvalidArgumentError("mastery {}: competency_id {} does not exist", i,
                                      rows[i].competency_id);
        }
      }
    }
    const std::string sql = fmt::format(
        "INSERT INTO mastery({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
        "$14) ON CONFLICT(student_id, competency_id) DO UPDATE SET p = excluded.p, attempts = "
        "excluded.attempts, independent = excluded.independent, correct = excluded.correct, "
        "last_evidence_ms = excluded.last_evidence_ms, last_activity_id = "
        "excluded.last_activity_id, state = excluded.state, mastered_ms = excluded.mastered_ms, "
        "override_state = excluded.override_state, override_reason = excluded.override_reason, "
        "override_by = excluded.override_by, override_ms = excluded.override_ms",
        kMasteryColumns);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const MasteryRecord& m = rows[i];
      Status s = db_->Exec(sql, m.student_id, m.competency_id, m.p, m.attempts, m.independent,
                           m.correct, m.last_evidence.millis, Ref(m.last_activity_id), m.state,
                           OptMillis(m.mastered_at), OptText(m.override_state),
                           OptText(m.override_reason), OptText(m.override_by),
                           OptMillis(m.override_at))
                     .status();
      if (!s.ok()) return s.WithPrefix(fmt::format("mastery {}", i));
    }
    return OkStatus();
  });
}

Result<bool> PgStore::PutCourseCredit(const CourseCredit& credit) {
  bool created = false;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("courses", credit.course_id, "course credit", "course_id"));
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(credit.student_id));
    if (!problem.empty()) return InvalidArgumentError("course credit: {}", problem);
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("INSERT INTO course_credits(student_id, course_id, credited_ms, evidence) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT(student_id, course_id) DO NOTHING "
                  "RETURNING 1",
                  credit.student_id, credit.course_id, credit.credited_at.millis,
                  credit.evidence));
    created = !r.empty();
    return OkStatus();
  }));
  return created;
}

Result<std::vector<CourseCredit>> PgStore::ListCourseCredits(Id student_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT student_id, course_id, credited_ms, evidence FROM "
                                "course_credits WHERE student_id = $1 ORDER BY credited_ms, "
                                "course_id",
                                student_id));
  std::vector<CourseCredit> out;
  for (const auto& row : r) {
    out.push_back(CourseCredit{pg::Int(row, 0), pg::Int(row, 1), Timestamp{pg::Int(row, 2)},
                               pg::Text(row, 3)});
  }
  return out;
}

Status PgStore::SetInterests(Id student_id, std::span<const std::string> interests) {
  return Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(student_id));
    if (!problem.empty()) return InvalidArgumentError("interests: {}", problem);
    for (std::size_t i = 0; i < interests.size(); ++i) {
      if (interests[i].empty()) return InvalidArgumentError("interests {}: empty", i);
    }
    PW_RETURN_IF_ERROR(
        db_->Exec("DELETE FROM student_interests WHERE student_id = $1", student_id).status());
    for (std::size_t i = 0; i < interests.size(); ++i) {
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO student_interests(student_id, position, "
                                   "interest) VALUES ($1, $2, $3)",
                                   student_id, static_cast<int>(i), interests[i])
                             .status());
    }
    return OkStatus();
  });
}

Result<std::vector<std::string>> PgStore::ListInterests(Id student_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT interest FROM student_interests WHERE "
                                                "student_id = $1 ORDER BY position",
                                                student_id));
  std::vector<std::string> out;
  for (const auto& row : r) out.push_back(pg::Text(row, 0));
  return out;
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
