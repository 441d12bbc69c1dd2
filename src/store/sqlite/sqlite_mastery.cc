// SqliteStore: mastery rows, course credits and stated interests (store/mastery.h).
#include <unordered_set>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace pw {

using sqlite::OptText;
using sqlite::Ref;
using sqlite::Stmt;

namespace {

constexpr char kMasteryColumns[] =
    "student_id, competency_id, p, attempts, independent, correct, last_evidence_ms, "
    "last_activity_id, state, mastered_ms, override_state, override_reason, override_by, "
    "override_ms";

MasteryRecord ReadMasteryRow(const Stmt& st) {
  MasteryRecord m;
  m.student_id = st.Int(0);
  m.competency_id = st.Int(1);
  m.p = st.Real(2);
  m.attempts = static_cast<std::int32_t>(st.Int(3));
  m.independent = static_cast<std::int32_t>(st.Int(4));
  m.correct = static_cast<std::int32_t>(st.Int(5));
  m.last_evidence = Timestamp{st.Int(6)};
  m.last_activity_id = st.Int(7);
  m.state = st.Text(8);
  if (!st.IsNull(9)) m.mastered_at = Timestamp{st.Int(9)};
  m.override_state = st.Text(10);
  m.override_reason = st.Text(11);
  m.override_by = st.Text(12);
  if (!st.IsNull(13)) m.override_at = Timestamp{st.Int(13)};
  return m;
}

}  // namespace

Result<std::vector<MasteryRecord>> SqliteStore::GetMastery(
    std::span<const std::pair<Id, Id>> pairs) {
  std::vector<MasteryRecord> out;
  out.reserve(pairs.size());
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format(
                                   "SELECT {} FROM mastery WHERE student_id = ? AND "
                                   "competency_id = ?",
                                   kMasteryColumns)));
  for (const auto& [student, competency] : pairs) {
    st.Bind(student, competency);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) out.push_back(ReadMasteryRow(st));
    st.Reset();
  }
  return out;
}

Result<std::vector<MasteryRecord>> SqliteStore::ListMastery(Id student_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format(
                                   "SELECT {} FROM mastery WHERE student_id = ? ORDER BY "
                                   "competency_id",
                                   kMasteryColumns)));
  st.Bind(student_id);
  return sqlite::ReadAll<MasteryRecord>(
      st, [](const Stmt& s) -> Result<MasteryRecord> { return ReadMasteryRow(s); });
}

Status SqliteStore::PutMastery(std::span<const MasteryRecord> rows) {
  if (rows.empty()) return OkStatus();
  return Transaction([&]() -> Status {
    // Each distinct student and competency is checked once (the foreign keys alone would let
    // a teacher's id through).
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
    PW_ASSIGN_OR_RETURN(
        Stmt st,
        db_->Prepare(fmt::format(
            "INSERT INTO mastery({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(student_id, competency_id) DO UPDATE SET p = excluded.p, attempts = "
            "excluded.attempts, independent = excluded.independent, correct = excluded.correct, "
            "last_evidence_ms = excluded.last_evidence_ms, last_activity_id = "
            "excluded.last_activity_id, state = excluded.state, mastered_ms = "
            "excluded.mastered_ms, override_state = excluded.override_state, override_reason = "
            "excluded.override_reason, override_by = excluded.override_by, override_ms = "
            "excluded.override_ms",
            kMasteryColumns)));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const MasteryRecord& m = rows[i];
      st.Bind(m.student_id, m.competency_id, m.p, static_cast<std::int64_t>(m.attempts),
              static_cast<std::int64_t>(m.independent), static_cast<std::int64_t>(m.correct),
              m.last_evidence.millis, Ref{m.last_activity_id}, m.state,
              Ref{m.mastered_at ? m.mastered_at->millis : kNoId}, OptText{m.override_state},
              OptText{m.override_reason}, OptText{m.override_by},
              Ref{m.override_at ? m.override_at->millis : kNoId});
      if (Status s = st.Run(); !s.ok()) return s.WithPrefix(fmt::format("mastery {}", i));
    }
    return OkStatus();
  });
}

Result<bool> SqliteStore::PutCourseCredit(const CourseCredit& credit) {
  bool created = false;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("courses", credit.course_id, "course credit", "course_id"));
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(credit.student_id));
    if (!problem.empty()) return InvalidArgumentError("course credit: {}", problem);
    PW_RETURN_IF_ERROR(db_->Run(
        "INSERT INTO course_credits(student_id, course_id, credited_ms, evidence) VALUES (?, ?, "
        "?, ?) ON CONFLICT(student_id, course_id) DO NOTHING",
        credit.student_id, credit.course_id, credit.credited_at.millis, credit.evidence));
    created = db_->Changes() > 0;
    return OkStatus();
  }));
  return created;
}

Result<std::vector<CourseCredit>> SqliteStore::ListCourseCredits(Id student_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT student_id, course_id, credited_ms, evidence "
                                            "FROM course_credits WHERE student_id = ? ORDER BY "
                                            "credited_ms, course_id"));
  st.Bind(student_id);
  return sqlite::ReadAll<CourseCredit>(st, [](const Stmt& s) -> Result<CourseCredit> {
    return CourseCredit{s.Int(0), s.Int(1), Timestamp{s.Int(2)}, s.Text(3)};
  });
}

Status SqliteStore::SetInterests(Id student_id, std::span<const std::string> interests) {
  return Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(student_id));
    if (!problem.empty()) return InvalidArgumentError("interests: {}", problem);
    for (std::size_t i = 0; i < interests.size(); ++i) {
      if (interests[i].empty()) return InvalidArgumentError("interests {}: empty", i);
    }
    PW_RETURN_IF_ERROR(db_->Run("DELETE FROM student_interests WHERE student_id = ?", student_id));
    for (std::size_t i = 0; i < interests.size(); ++i) {
      PW_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO student_interests(student_id, position, interest) VALUES (?, ?, ?)",
          student_id, static_cast<std::int64_t>(i), interests[i]));
    }
    return OkStatus();
  });
}

Result<std::vector<std::string>> SqliteStore::ListInterests(Id student_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT interest FROM student_interests WHERE "
                                            "student_id = ? ORDER BY position"));
  st.Bind(student_id);
  return sqlite::ReadAll<std::string>(
      st, [](const Stmt& s) -> Result<std::string> { return s.Text(0); });
}

}  // namespace pw
