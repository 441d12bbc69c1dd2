// SqliteStore: what imports need beyond the roster (store/import_records.h): demographics,
// assessment scores with sub-scores, CASE associations, and the deletions OneRoster delta
// files ask for.
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "store/store_util.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace pw {

using sqlite::Null;
using sqlite::Ref;
using sqlite::Stmt;

namespace {

std::int64_t FromDay(const DateRange& r) { return r.from ? r.from->days : INT32_MIN; }
std::int64_t ToDay(const DateRange& r) { return r.to ? r.to->days : INT32_MAX; }

}  // namespace

Result<bool> SqliteStore::DeleteEnrollment(Id enrollment_id) {
  PW_RETURN_IF_ERROR(db_->Run("DELETE FROM enrollments WHERE id = ?", enrollment_id));
  return db_->Changes() > 0;
}

Result<bool> SqliteStore::DeleteGuardianLink(Id guardian_id, Id student_id) {
  PW_RETURN_IF_ERROR(db_->Run("DELETE FROM guardian_links WHERE guardian_id = ? AND student_id = ?",
                              guardian_id, student_id));
  return db_->Changes() > 0;
}

// ---- demographics

Result<PutOutcome> SqliteStore::PutDemographics(const Demographics& d) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = fmt::format("demographics of person {}", d.person_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", d.person_id, who, "person_id"));
    PW_ASSIGN_OR_RETURN(std::optional<Demographics> old, GetDemographics(d.person_id));
    if (old && *old == d) return OkStatus();
    Stmt st;
    PW_ASSIGN_OR_RETURN(
        st, db_->Prepare("INSERT INTO demographics(person_id, birth_day, sex, races, "
                         "hispanic_latino, country_of_birth, state_of_birth, city_of_birth, "
                         "residence_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
                         "CONFLICT(person_id) DO UPDATE SET birth_day = excluded.birth_day, "
                         "sex = excluded.sex, races = excluded.races, hispanic_latino = "
                         "excluded.hispanic_latino, country_of_birth = excluded.country_of_birth, "
                         "state_of_birth = excluded.state_of_birth, city_of_birth = "
                         "excluded.city_of_birth, residence_status = excluded.residence_status"));
    st.Bind(d.person_id);
    if (d.birth_date) {
      st.BindOne(2, static_cast<std::int64_t>(d.birth_date->days));
    } else {
      st.BindOne(2, Null{});
    }
    st.BindOne(3, d.sex);
    st.BindOne(4, d.races);
    if (d.hispanic_or_latino) {
      st.BindOne(5, *d.hispanic_or_latino);
    } else {
      st.BindOne(5, Null{});
    }
    st.BindOne(6, d.country_of_birth);
    st.BindOne(7, d.state_of_birth);
    st.BindOne(8, d.city_of_birth);
    st.BindOne(9, d.public_school_residence_status);
    PW_RETURN_IF_ERROR(st.Run());
    outcome = old ? PutOutcome::kUpdated : PutOutcome::kCreated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::optional<Demographics>> SqliteStore::GetDemographics(Id person_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT birth_day, sex, races, hispanic_latino, "
                                            "country_of_birth, state_of_birth, city_of_birth, "
                                            "residence_status FROM demographics WHERE "
                                            "person_id = ?"));
  st.Bind(person_id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Demographics>();
  Demographics d;
  d.person_id = person_id;
  if (!st.IsNull(0)) d.birth_date = Date{static_cast<std::int32_t>(st.Int(0))};
  d.sex = st.Text(1);
  d.races = st.Text(2);
  if (!st.IsNull(3)) d.hispanic_or_latino = st.Int(3) != 0;
  d.country_of_birth = st.Text(4);
  d.state_of_birth = st.Text(5);
  d.city_of_birth = st.Text(6);
  d.public_school_residence_status = st.Text(7);
  return std::optional<Demographics>(std::move(d));
}

// ---- assessment scores

Result<PutOutcome> SqliteStore::PutAssessmentScore(AssessmentScore& s) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = store_util::ScoreWho(s);
  PW_RETURN_IF_ERROR(store_util::CheckScoreValues(s, who));
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(s.student_id));
    if (!problem.empty()) return InvalidArgumentError("{}: {}", who, problem);
    for (std::size_t i = 0; i < s.sub_scores.size(); ++i) {
      PW_RETURN_IF_ERROR(CheckRef("competencies", s.sub_scores[i].competency_id, who,
                                  fmt::format("sub_scores[{}].competency_id", i)));
    }
    Id found = kNoId;
    {
      PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM assessment_scores WHERE "
                                                "student_id = ? AND assessment = ? AND day = ?"));
      st.Bind(s.student_id, s.assessment, static_cast<std::int64_t>(s.date.days));
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) found = st.Int(0);
    }
    if (s.id != kNoId && found != kNoId && found != s.id) {
      return AlreadyExistsError("{}: student, assessment and date belong to score {}", who, found);
    }
    const Id target = s.id != kNoId ? s.id : found;
    bool exists = found != kNoId;
    if (s.id != kNoId && !exists) {
      PW_ASSIGN_OR_RETURN(exists, Exists("assessment_scores", s.id));
    }
    if (exists) {
      PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id, student_id, assessment, day, "
                                                "scale_score, sem, source_system FROM "
                                                "assessment_scores WHERE id = ?"));
      st.Bind(target);
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      AssessmentScore old;
      if (row) {
        old.id = st.Int(0);
        old.student_id = st.Int(1);
        old.assessment = st.Text(2);
        old.date = Date{static_cast<std::int32_t>(st.Int(3))};
        old.scale_score = st.Real(4);
        if (!st.IsNull(5)) old.sem = st.Real(5);
        old.source_system = st.Text(6);
      }
      st = Stmt();
      PW_ASSIGN_OR_RETURN(Stmt subs, db_->Prepare("SELECT name, competency_id, score FROM "
                                                  "assessment_subscores WHERE score_id = ? "
                                                  "ORDER BY position"));
      subs.Bind(target);
      PW_ASSIGN_OR_RETURN(old.sub_scores,
                          sqlite::ReadAll<SubScore>(subs, [](const Stmt& r) -> Result<SubScore> {
                            return SubScore{r.Text(0), r.Int(1), r.Real(2)};
                          }));
      subs = Stmt();
      s.id = target;
      if (old == s) return OkStatus();
      PW_RETURN_IF_ERROR(db_->Run("DELETE FROM assessment_subscores WHERE score_id = ?", target));
      PW_ASSIGN_OR_RETURN(Stmt up, db_->Prepare("UPDATE assessment_scores SET student_id = ?, "
                                                "assessment = ?, day = ?, scale_score = ?, "
                                                "sem = ?, source_system = ? WHERE id = ?"));
      up.Bind(s.student_id, s.assessment, static_cast<std::int64_t>(s.date.days), s.scale_score);
      if (s.sem) {
        up.BindOne(5, *s.sem);
      } else {
        up.BindOne(5, Null{});
      }
      up.BindOne(6, s.source_system);
      up.BindOne(7, target);
      PW_RETURN_IF_ERROR(up.Run());
      outcome = PutOutcome::kUpdated;
    } else {
      PW_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO assessment_scores(id, student_id, "
                                                 "assessment, day, scale_score, sem, "
                                                 "source_system) VALUES (?, ?, ?, ?, ?, ?, ?)"));
      ins.Bind(Ref{target}, s.student_id, s.assessment, static_cast<std::int64_t>(s.date.days),
               s.scale_score);
      if (s.sem) {
        ins.BindOne(6, *s.sem);
      } else {
        ins.BindOne(6, Null{});
      }
      ins.BindOne(7, s.source_system);
      PW_RETURN_IF_ERROR(ins.Run());
      s.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
    }
    PW_ASSIGN_OR_RETURN(Stmt sub, db_->Prepare("INSERT INTO assessment_subscores(score_id, "
                                               "position, name, competency_id, score) VALUES "
                                               "(?, ?, ?, ?, ?)"));
    for (std::size_t i = 0; i < s.sub_scores.size(); ++i) {
      const SubScore& x = s.sub_scores[i];
      sub.Bind(s.id, static_cast<std::int64_t>(i), x.name, Ref{x.competency_id}, x.score);
      PW_RETURN_IF_ERROR(sub.Run());
    }
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<AssessmentScore>> SqliteStore::ListAssessmentScores(Id student_id,
                                                                       DateRange range) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id, student_id, assessment, day, "
                                            "scale_score, sem, source_system FROM "
                                            "assessment_scores WHERE student_id = ? AND day >= ? "
                                            "AND day <= ? ORDER BY day, assessment"));
  st.Bind(student_id, FromDay(range), ToDay(range));
  PW_ASSIGN_OR_RETURN(
      std::vector<AssessmentScore> out,
      sqlite::ReadAll<AssessmentScore>(st, [](const Stmt& r) -> Result<AssessmentScore> {
        AssessmentScore a;
        a.id = r.Int(0);
        a.student_id = r.Int(1);
        a.assessment = r.Text(2);
        a.date = Date{static_cast<std::int32_t>(r.Int(3))};
        a.scale_score = r.Real(4);
        if (!r.IsNull(5)) a.sem = r.Real(5);
        a.source_system = r.Text(6);
        return a;
      }));
  st = Stmt();
  for (AssessmentScore& a : out) {
    PW_ASSIGN_OR_RETURN(Stmt subs, db_->Prepare("SELECT name, competency_id, score FROM "
                                                "assessment_subscores WHERE score_id = ? ORDER "
                                                "BY position"));
    subs.Bind(a.id);
    PW_ASSIGN_OR_RETURN(a.sub_scores,
                        sqlite::ReadAll<SubScore>(subs, [](const Stmt& r) -> Result<SubScore> {
                          return SubScore{r.Text(0), r.Int(1), r.Real(2)};
                        }));
  }
  return out;
}

// ---- competency associations

Status SqliteStore::SetAssociations(Id framework_id,
                                    std::span<const CompetencyAssociation> associations) {
  return Transaction([&]() -> Status {
    const std::string who = fmt::format("framework {}", framework_id);
    PW_RETURN_IF_ERROR(CheckRequiredRef("frameworks", framework_id, who, "id"));
    std::unordered_set<Id> members;
    {
      PW_ASSIGN_OR_RETURN(Stmt st,
                          db_->Prepare("SELECT id FROM competencies WHERE framework_id = ?"));
      st.Bind(framework_id);
      while (true) {
        PW_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        members.insert(st.Int(0));
      }
    }
    PW_RETURN_IF_ERROR(store_util::CheckAssociations(who, members, associations));
    PW_RETURN_IF_ERROR(
        db_->Run("DELETE FROM competency_associations WHERE framework_id = ?", framework_id));
    PW_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO competency_associations(framework_id, "
                                               "position, competency_id, kind, target_id, "
                                               "target) VALUES (?, ?, ?, ?, ?, ?)"));
    for (std::size_t i = 0; i < associations.size(); ++i) {
      const CompetencyAssociation& a = associations[i];
      ins.Bind(framework_id, static_cast<std::int64_t>(i), a.competency_id, a.kind,
               Ref{a.target_id}, a.target);
      PW_RETURN_IF_ERROR(ins.Run());
    }
    return OkStatus();
  });
}

Result<std::vector<CompetencyAssociation>> SqliteStore::ListAssociations(Id framework_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT competency_id, kind, target_id, target FROM "
                                            "competency_associations WHERE framework_id = ? "
                                            "ORDER BY position"));
  st.Bind(framework_id);
  return sqlite::ReadAll<CompetencyAssociation>(
      st, [](const Stmt& r) -> Result<CompetencyAssociation> {
        return CompetencyAssociation{r.Int(0), r.Text(1), r.Int(2), r.Text(3)};
      });
}

}  // namespace pw
