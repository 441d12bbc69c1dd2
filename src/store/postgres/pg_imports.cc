// PgStore: what imports need beyond the roster (store/import_records.h): demographics,
// assessment scores with sub-scores, CASE associations, and the deletions OneRoster delta
// files ask for. Same contracts and messages as sqlite/sqlite_imports.cc.
#ifdef PATHWISE_HAVE_POSTGRES

#include <climits>
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "store/store_util.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_util.h"

namespace pw {
namespace {

std::int64_t FromDay(const DateRange& r) { return r.from ? r.from->days : INT32_MIN; }
std::int64_t ToDay(const DateRange& r) { return r.to ? r.to->days : INT32_MAX; }

std::optional<std::int64_t> OptDay(const std::optional<Date>& d) {
  return d ? std::optional<std::int64_t>(d->days) : std::nullopt;
}

Result<std::vector<SubScore>> ReadSubScores(const pqxx::result& r) {
  return pg::ReadAll<SubScore>(r, [](const pqxx::row& row) -> Result<SubScore> {
    return SubScore{pg::Text(row, 0), pg::Int(row, 1), pg::Real(row, 2)};
  });
}

}  // namespace

Result<bool> PgStore::DeleteEnrollment(Id enrollment_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("DELETE FROM enrollments WHERE id = $1", enrollment_id));
  return r.affected_rows() > 0;
}

Result<bool> PgStore::DeleteGuardianLink(Id guardian_id, Id student_id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec("DELETE FROM guardian_links WHERE guardian_id = $1 AND student_id = $2",
                guardian_id, student_id));
  return r.affected_rows() > 0;
}

Result<PutOutcome> PgStore::PutDemographics(const Demographics& d) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = fmt::format("demographics of person {}", d.person_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("people", d.person_id, who, "person_id"));
    PW_ASSIGN_OR_RETURN(std::optional<Demographics> old, GetDemographics(d.person_id));
    if (old && *old == d) return OkStatus();
    PW_RETURN_IF_ERROR(
        db_->Exec("INSERT INTO demographics(person_id, birth_day, sex, races, hispanic_latino, "
                  "country_of_birth, state_of_birth, city_of_birth, residence_status) VALUES "
                  "($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT(person_id) DO UPDATE SET "
                  "birth_day = excluded.birth_day, sex = excluded.sex, races = excluded.races, "
                  "hispanic_latino = excluded.hispanic_latino, country_of_birth = "
                  "excluded.country_of_birth, state_of_birth = excluded.state_of_birth, "
                  "city_of_birth = excluded.city_of_birth, residence_status = "
                  "excluded.residence_status",
                  d.person_id, OptDay(d.birth_date), d.sex, d.races, d.hispanic_or_latino,
                  d.country_of_birth, d.state_of_birth, d.city_of_birth,
                  d.public_school_residence_status)
            .status());
    outcome = old ? PutOutcome::kUpdated : PutOutcome::kCreated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::optional<Demographics>> PgStore::GetDemographics(Id person_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT birth_day, sex, races, hispanic_latino, "
                                "country_of_birth, state_of_birth, city_of_birth, "
                                "residence_status FROM demographics WHERE person_id = $1",
                                person_id));
  if (r.empty()) return std::optional<Demographics>();
  const pqxx::row row = r[0];
  Demographics d;
  d.person_id = person_id;
  if (!pg::IsNull(row, 0)) d.birth_date = Date{static_cast<std::int32_t>(pg::Int(row, 0))};
  d.sex = pg::Text(row, 1);
  d.races = pg::Text(row, 2);
  if (!pg::IsNull(row, 3)) d.hispanic_or_latino = row[3].as<bool>();
  d.country_of_birth = pg::Text(row, 4);
  d.state_of_birth = pg::Text(row, 5);
  d.city_of_birth = pg::Text(row, 6);
  d.public_school_residence_status = pg::Text(row, 7);
  return std::optional<Demographics>(std::move(d));
}

Result<PutOutcome> PgStore::PutAssessmentScore(AssessmentScore& s) {
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
    PW_ASSIGN_OR_RETURN(pqxx::result f,
                        db_->Exec("SELECT id FROM assessment_scores WHERE student_id = $1 AND "
                                  "assessment = $2 AND day = $3",
                                  s.student_id, s.assessment, s.date.days));
    const Id found = f.empty() ? kNoId : pg::Int(f[0], 0);
    if (s.id != kNoId && found != kNoId && found != s.id) {
      return AlreadyExistsError("{}: student, assessment and date belong to score {}", who, found);
    }
    const Id target = s.id != kNoId ? s.id : found;
    bool exists = found != kNoId;
    if (s.id != kNoId && !exists) {
      PW_ASSIGN_OR_RETURN(exists, Exists("assessment_scores", s.id));
    }
    if (exists) {
      PW_ASSIGN_OR_RETURN(pqxx::result r,
                          db_->Exec("SELECT id, student_id, assessment, day, scale_score, sem, "
                                    "source_system FROM assessment_scores WHERE id = $1",
                                    target));
      AssessmentScore old;
      if (!r.empty()) {
        const pqxx::row row = r[0];
        old.id = pg::Int(row, 0);
        old.student_id = pg::Int(row, 1);
        old.assessment = pg::Text(row, 2);
        old.date = Date{static_cast<std::int32_t>(pg::Int(row, 3))};
        old.scale_score = pg::Real(row, 4);
        if (!pg::IsNull(row, 5)) old.sem = pg::Real(row, 5);
        old.source_system = pg::Text(row, 6);
      }
      PW_ASSIGN_OR_RETURN(pqxx::result subs,
                          db_->Exec("SELECT name, competency_id, score FROM assessment_subscores "
                                    "WHERE score_id = $1 ORDER BY position",
                                    target));
      PW_ASSIGN_OR_RETURN(old.sub_scores, ReadSubScores(subs));
      s.id = target;
      if (old == s) return OkStatus();
      PW_RETURN_IF_ERROR(
          db_->Exec("DELETE FROM assessment_subscores WHERE score_id = $1", target).status());
      PW_RETURN_IF_ERROR(db_->Exec("UPDATE assessment_scores SET student_id = $1, assessment = "
                                   "$2, day = $3, scale_score = $4, sem = $5, source_system = $6 "
                                   "WHERE id = $7",
                                   s.student_id, s.assessment, s.date.days, s.scale_score, s.sem,
                                   s.source_system, target)
                             .status());
      outcome = PutOutcome::kUpdated;
    } else if (target != kNoId) {
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO assessment_scores(id, student_id, assessment, "
                                   "day, scale_score, sem, source_system) VALUES ($1, $2, $3, "
                                   "$4, $5, $6, $7)",
                                   target, s.student_id, s.assessment, s.date.days, s.scale_score,
                                   s.sem, s.source_system)
                             .status());
      PW_RETURN_IF_ERROR(BumpSequence("assessment_scores", target));
      s.id = target;
      outcome = PutOutcome::kCreated;
    } else {
      PW_ASSIGN_OR_RETURN(
          s.id, InsertReturningId("INSERT INTO assessment_scores(student_id, assessment, day, "
                                  "scale_score, sem, source_system) VALUES ($1, $2, $3, $4, "
                                  "$5, $6) RETURNING id",
                                  s.student_id, s.assessment, s.date.days, s.scale_score, s.sem,
                                  s.source_system));
      outcome = PutOutcome::kCreated;
    }
    for (std::size_t i = 0; i < s.sub_scores.size(); ++i) {
      const SubScore& x = s.sub_scores[i];
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO assessment_subscores(score_id, position, name, "
                                   "competency_id, score) VALUES ($1, $2, $3, $4, $5)",
                                   s.id, static_cast<std::int64_t>(i), x.name,
                                   pg::Ref(x.competency_id), x.score)
                             .status());
    }
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<AssessmentScore>> PgStore::ListAssessmentScores(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, student_id, assessment, day, scale_score, sem, "
                                "source_system FROM assessment_scores WHERE student_id = $1 AND "
                                "day >= $2 AND day <= $3 ORDER BY day, assessment",
                                student_id, FromDay(range), ToDay(range)));
  PW_ASSIGN_OR_RETURN(
      std::vector<AssessmentScore> out,
      pg::ReadAll<AssessmentScore>(r, [](const pqxx::row& row) -> Result<AssessmentScore> {
        AssessmentScore a;
        a.id = pg::Int(row, 0);
        a.student_id = pg::Int(row, 1);
        a.assessment = pg::Text(row, 2);
        a.date = Date{static_cast<std::int32_t>(pg::Int(row, 3))};
        a.scale_score = pg::Real(row, 4);
        if (!pg::IsNull(row, 5)) a.sem = pg::Real(row, 5);
        a.source_system = pg::Text(row, 6);
        return a;
      }));
  for (AssessmentScore& a : out) {
    PW_ASSIGN_OR_RETURN(pqxx::result subs,
                        db_->Exec("SELECT name, competency_id, score FROM assessment_subscores "
                                  "WHERE score_id = $1 ORDER BY position",
                                  a.id));
    PW_ASSIGN_OR_RETURN(a.sub_scores, ReadSubScores(subs));
  }
  return out;
}

Status PgStore::SetAssociations(Id framework_id,
                                std::span<const CompetencyAssociation> associations) {
  return Transaction([&]() -> Status {
    const std::string who = fmt::format("framework {}", framework_id);
    PW_RETURN_IF_ERROR(CheckRequiredRef("frameworks", framework_id, who, "id"));
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("SELECT id FROM competencies WHERE framework_id = $1", framework_id));
    std::unordered_set<Id> members;
    for (const auto& row : r) members.insert(pg::Int(row, 0));
    PW_RETURN_IF_ERROR(store_util::CheckAssociations(who, members, associations));
    PW_RETURN_IF_ERROR(
        db_->Exec("DELETE FROM competency_associations WHERE framework_id = $1", framework_id)
            .status());
    for (std::size_t i = 0; i < associations.size(); ++i) {
      const CompetencyAssociation& a = associations[i];
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO competency_associations(framework_id, position, "
                                   "competency_id, kind, target_id, target) VALUES ($1, $2, $3, "
                                   "$4, $5, $6)",
                                   framework_id, static_cast<std::int64_t>(i), a.competency_id,
                                   a.kind, pg::Ref(a.target_id), a.target)
                             .status());
    }
    return OkStatus();
  });
}

Result<std::vector<CompetencyAssociation>> PgStore::ListAssociations(Id framework_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT competency_id, kind, target_id, target FROM "
                                "competency_associations WHERE framework_id = $1 ORDER BY "
                                "position",
                                framework_id));
  return pg::ReadAll<CompetencyAssociation>(
      r, [](const pqxx::row& row) -> Result<CompetencyAssociation> {
        return CompetencyAssociation{pg::Int(row, 0), pg::Text(row, 1), pg::Int(row, 2),
                                     pg::Text(row, 3)};
      });
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
