// PgStore: mastery rows, course credits and stated interests (store/mastery.h).
#ifdef PATHWISE_HAVE_POSTGRES

#include <string>
#include <unordered_map>
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

// One query for all the pairs, the rows in the order of `pairs`.
Result<std::vector<MasteryRecord>> PgStore::GetMastery(std::span<const std::pair<Id, Id>> pairs) {
  std::vector<MasteryRecord> out;
  if (pairs.empty()) return out;
  pg::Array students, competencies;
  for (const auto& [student, competency] : pairs) {
    students.Add(student);
    competencies.Add(competency);
  }
  // kMasteryColumns on the table's alias (the pairs' columns have the same names); built once.
  static const std::string sql = [] {
    std::string columns = std::string("m.") + kMasteryColumns;
    for (std::size_t at = columns.find(", "); at != std::string::npos;
         at = columns.find(", ", at + 4)) {
      columns.replace(at, 2, ", m.");
    }
    return fmt::format("SELECT {} FROM unnest($1::BIGINT[], $2::BIGINT[]) WITH ORDINALITY AS "
                       "p(student_id, competency_id, n) JOIN mastery m ON m.student_id = "
                       "p.student_id AND m.competency_id = p.competency_id ORDER BY p.n",
                       columns);
  }();
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, students.str(), competencies.str()));
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(ReadMasteryRow(row));
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

// A few round trips however many rows: the students and competencies checked by one query each,
// the rows upserted by one unnest() statement (a pair given twice: the last row wins, as
// writing them one by one would leave it).
Status PgStore::PutMastery(std::span<const MasteryRecord> rows) {
  if (rows.empty()) return OkStatus();
  return Transaction([&]() -> Status {
    // Checked first: a failed statement would abort the PostgreSQL transaction.
    std::unordered_set<Id> students, competencies;
    for (const MasteryRecord& m : rows) {
      students.insert(m.student_id);
      competencies.insert(m.competency_id);
    }
    PW_ASSIGN_OR_RETURN(auto roles, RolesOf(students));
    PW_ASSIGN_OR_RETURN(std::unordered_set<Id> known, ExistingIds("competencies", competencies));
    std::unordered_map<Id, std::unordered_map<Id, std::size_t>> last;  // pair -> its last row
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string problem = StudentProblemOf(rows[i].student_id, roles);
      if (!problem.empty()) return InvalidArgumentError("mastery {}: {}", i, problem);
      if (!known.contains(rows[i].competency_id)) {
        return InvalidArgumentError("mastery {}: competency_id {} does not exist", i,
                                    rows[i].competency_id);
      }
      last[rows[i].student_id][rows[i].competency_id] = i;
    }
    pg::Array student, competency, p, attempts, independent, correct, last_evidence,
        last_activity, state, mastered, override_state, override_reason, override_by,
        override_at;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const MasteryRecord& m = rows[i];
      if (last[m.student_id][m.competency_id] != i) continue;
      student.Add(m.student_id);
      competency.Add(m.competency_id);
      p.Add(m.p);
      attempts.Add(m.attempts);
      independent.Add(m.independent);
      correct.Add(m.correct);
      last_evidence.Add(m.last_evidence.millis);
      last_activity.Add(Ref(m.last_activity_id));
      state.Add(m.state);
      mastered.Add(OptMillis(m.mastered_at));
      override_state.Add(OptText(m.override_state));
      override_reason.Add(OptText(m.override_reason));
      override_by.Add(OptText(m.override_by));
      override_at.Add(OptMillis(m.override_at));
    }
    return db_
        ->Exec(fmt::format(
                   "INSERT INTO mastery({}) SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], "
                   "$3::DOUBLE PRECISION[], $4::INTEGER[], $5::INTEGER[], $6::INTEGER[], "
                   "$7::BIGINT[], $8::BIGINT[], $9::TEXT[], $10::BIGINT[], $11::TEXT[], "
                   "$12::TEXT[], $13::TEXT[], $14::BIGINT[]) ON CONFLICT(student_id, "
                   "competency_id) DO UPDATE SET p = excluded.p, attempts = excluded.attempts, "
                   "independent = excluded.independent, correct = excluded.correct, "
                   "last_evidence_ms = excluded.last_evidence_ms, last_activity_id = "
                   "excluded.last_activity_id, state = excluded.state, mastered_ms = "
                   "excluded.mastered_ms, override_state = excluded.override_state, "
                   "override_reason = excluded.override_reason, override_by = "
                   "excluded.override_by, override_ms = excluded.override_ms",
                   kMasteryColumns),
               student.str(), competency.str(), p.str(), attempts.str(), independent.str(),
               correct.str(), last_evidence.str(), last_activity.str(), state.str(),
               mastered.str(), override_state.str(), override_reason.str(), override_by.str(),
               override_at.str())
        .status()
        .WithPrefix("mastery");
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
