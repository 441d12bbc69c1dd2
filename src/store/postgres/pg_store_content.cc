// PgStore: frameworks, competencies and edges, activities, goals, evidence and the
// non-achievement records.
#ifdef PATHWISE_HAVE_POSTGRES

#include <cmath>
#include <tuple>
#include <unordered_set>

#include "core/enum_names.h"
#include "store/store_util.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_util.h"

namespace pw {

using pg::OptText;
using pg::Ref;

namespace {

constexpr EnumNames<EdgeKind, 2> kEdgeKinds{{{
    {"prerequisite", EdgeKind::kPrerequisite},
    {"related", EdgeKind::kRelated},
}}};
constexpr EnumNames<GoalStatus, 3> kGoalStatuses{{{
    {"active", GoalStatus::kActive},
    {"met", GoalStatus::kMet},
    {"dropped", GoalStatus::kDropped},
}}};

Result<Framework> ReadFramework(const pqxx::row& r) {
  return Framework{pg::Int(r, 0), pg::Text(r, 1), pg::Text(r, 2), pg::Text(r, 3), pg::Text(r, 4)};
}

Result<Competency> ReadCompetency(const pqxx::row& r) {
  Competency c;
  c.id = pg::Int(r, 0);
  c.framework_id = pg::Int(r, 1);
  c.source_id = pg::Text(r, 2);
  c.code = pg::Text(r, 3);
  c.statement = pg::Text(r, 4);
  c.grade = pg::Text(r, 5);
  c.parent_id = pg::Int(r, 6);
  return c;
}

constexpr char kCompetencyColumns[] =
    "id, framework_id, source_id, code, statement, grade, parent_id";

}  // namespace

// ---- frameworks

Result<PutOutcome> PgStore::PutFramework(Framework& f) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("framework", f.id, f.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("frameworks", who, f.id, f.source_id));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          f.id,
          InsertReturningId("INSERT INTO frameworks(id, source_id, title, subject, "
                            "attribution) VALUES (coalesce($1, "
                            "nextval('frameworks_id_seq')), $2, $3, $4, $5) RETURNING id",
                            Ref(t.id), OptText(f.source_id), f.title, f.subject, f.attribution));
      outcome = PutOutcome::kCreated;
      return BumpSequence("frameworks", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE frameworks SET source_id = $2, title = $3, subject = $4, attribution = "
                  "$5 WHERE id = $1 AND (source_id IS DISTINCT FROM $2 OR title IS DISTINCT FROM "
                  "$3 OR subject IS DISTINCT FROM $4 OR attribution IS DISTINCT FROM $5)",
                  t.id, OptText(f.source_id), f.title, f.subject, f.attribution));
    f.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Framework> PgStore::GetFramework(Id id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, source_id, title, subject, attribution FROM "
                                "frameworks WHERE id = $1",
                                id));
  if (r.empty()) return NotFoundError("framework {} does not exist", id);
  return ReadFramework(r[0]);
}

Result<std::vector<Framework>> PgStore::ListFrameworks() {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT id, source_id, title, subject, "
                                                "attribution FROM frameworks ORDER BY id"));
  return pg::ReadAll<Framework>(r, ReadFramework);
}

// ---- competencies

Result<PutOutcome> PgStore::PutCompetency(Competency& c) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("competency", c.id, !c.code.empty() ? c.code : c.source_id);
  if (c.code.empty()) return InvalidArgumentError("{}: code is missing", who);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("frameworks", c.framework_id, who, "framework_id"));
    PW_RETURN_IF_ERROR(CheckRef("competencies", c.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("competencies", who, c.id, c.source_id));
    PW_ASSIGN_OR_RETURN(
        pqxx::result found,
        db_->Exec("SELECT id FROM competencies WHERE framework_id = $1 AND code = $2",
                  c.framework_id, c.code));
    const Id by_code = found.empty() ? kNoId : pg::Int(found[0], 0);
    if (!t.exists && c.id == kNoId && by_code != kNoId) t = Target{by_code, true};
    if (by_code != kNoId && by_code != t.id) {
      return AlreadyExistsError("{}: code \"{}\" already belongs to competency {} in framework {}",
                                who, c.code, by_code, c.framework_id);
    }
    if (c.parent_id != kNoId && c.parent_id == t.id) {
      return InvalidArgumentError("{}: a competency cannot be its own parent", who);
    }
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          c.id, InsertReturningId("INSERT INTO competencies(id, framework_id, source_id, code, "
                                  "statement, grade, parent_id) VALUES (coalesce($1, "
                                  "nextval('competencies_id_seq')), $2, $3, $4, $5, $6, $7) "
                                  "RETURNING id",
                                  Ref(t.id), c.framework_id, OptText(c.source_id), c.code,
                                  c.statement, c.grade, Ref(c.parent_id)));
      outcome = PutOutcome::kCreated;
      return BumpSequence("competencies", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE competencies SET framework_id = $2, source_id = $3, code = $4, "
                  "statement = $5, grade = $6, parent_id = $7 WHERE id = $1 AND (framework_id IS "
                  "DISTINCT FROM $2 OR source_id IS DISTINCT FROM $3 OR code IS DISTINCT FROM $4 "
                  "OR statement IS DISTINCT FROM $5 OR grade IS DISTINCT FROM $6 OR parent_id IS "
                  "DISTINCT FROM $7)",
                  t.id, c.framework_id, OptText(c.source_id), c.code, c.statement, c.grade,
                  Ref(c.parent_id)));
    c.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Competency> PgStore::GetCompetency(Id id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM competencies WHERE id = $1", kCompetencyColumns), id));
  if (r.empty()) return NotFoundError("competency {} does not exist", id);
  return ReadCompetency(r[0]);
}

Result<std::vector<Competency>> PgStore::ListCompetencies(Id framework_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec(fmt::format("SELECT {} FROM competencies WHERE framework_id = $1 "
                                            "ORDER BY id",
                                            kCompetencyColumns),
                                framework_id));
  return pg::ReadAll<Competency>(r, ReadCompetency);
}

// ---- edges and the graph

Status PgStore::SetEdges(Id framework_id, std::span<const CompetencyEdge> edges) {
  const std::string who = fmt::format("framework {}", framework_id);
  return Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(bool exists, Exists("frameworks", framework_id));
    if (!exists) return NotFoundError("{} does not exist", who);
    PW_ASSIGN_OR_RETURN(std::vector<Competency> competencies, ListCompetencies(framework_id));
    std::unordered_set<Id> members;
    for (const Competency& c : competencies) members.insert(c.id);
    for (size_t i = 0; i < edges.size(); ++i) {
      for (Id end : {edges[i].from, edges[i].to}) {
        if (!members.contains(end)) {
          return InvalidArgumentError("{}: edge {}: competency {} is not in this framework", who, i,
                                      end);
        }
      }
    }
    Result<CompetencyGraph> graph = CompetencyGraph::Build(
        std::move(competencies), std::vector<CompetencyEdge>(edges.begin(), edges.end()));
    if (!graph.ok()) return graph.status().WithPrefix(who);
    PW_RETURN_IF_ERROR(
        db_->Exec("DELETE FROM competency_edges WHERE framework_id = $1", framework_id).status());
    for (size_t i = 0; i < edges.size(); ++i) {
      PW_RETURN_IF_ERROR(db_->Exec("INSERT INTO competency_edges(framework_id, from_id, to_id, "
                                   "kind, position) VALUES ($1, $2, $3, $4, $5)",
                                   framework_id, edges[i].from, edges[i].to,
                                   std::string(kEdgeKinds.Name(edges[i].kind)), static_cast<int>(i))
                             .status());
    }
    return OkStatus();
  });
}

Result<std::vector<CompetencyEdge>> PgStore::ListEdges(Id framework_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT from_id, to_id, kind FROM competency_edges WHERE "
                                "framework_id = $1 ORDER BY position",
                                framework_id));
  return pg::ReadAll<CompetencyEdge>(r, [](const pqxx::row& row) -> Result<CompetencyEdge> {
    PW_ASSIGN_OR_RETURN(EdgeKind kind, kEdgeKinds.Parse(pg::Text(row, 2), "edge kind"));
    return CompetencyEdge{pg::Int(row, 0), pg::Int(row, 1), kind};
  });
}

Result<CompetencyGraph> PgStore::LoadGraph(Id framework_id) {
  PW_ASSIGN_OR_RETURN(bool exists, Exists("frameworks", framework_id));
  if (!exists) return NotFoundError("framework {} does not exist", framework_id);
  PW_ASSIGN_OR_RETURN(std::vector<Competency> competencies, ListCompetencies(framework_id));
  PW_ASSIGN_OR_RETURN(std::vector<CompetencyEdge> edges, ListEdges(framework_id));
  Result<CompetencyGraph> graph = CompetencyGraph::Build(std::move(competencies), std::move(edges));
  if (!graph.ok()) {
    return FailedPreconditionError("framework {}: the stored prerequisite graph is invalid: {}",
                                   framework_id, graph.status().message());
  }
  return graph;
}

// ---- activities

namespace {

Result<Activity> ReadActivity(const pqxx::row& r) {
  Activity a;
  a.id = pg::Int(r, 0);
  a.source_id = pg::Text(r, 1);
  a.title = pg::Text(r, 2);
  PW_ASSIGN_OR_RETURN(a.modality, ParseModality(pg::Text(r, 3)));
  a.duration_minutes = static_cast<int>(pg::Int(r, 4));
  a.difficulty = pg::Real(r, 5);
  return a;
}

constexpr char kActivityColumns[] = "id, source_id, title, modality, duration_minutes, difficulty";

}  // namespace

Result<bool> PgStore::ReplaceTagList(Id activity_id, const std::vector<std::string>& tags) {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT tag FROM activity_tags WHERE activity_id "
                                                "= $1 ORDER BY position",
                                                activity_id));
  std::vector<std::string> stored;
  for (const auto& row : r) stored.push_back(pg::Text(row, 0));
  if (stored == tags) return false;
  PW_RETURN_IF_ERROR(
      db_->Exec("DELETE FROM activity_tags WHERE activity_id = $1", activity_id).status());
  for (size_t i = 0; i < tags.size(); ++i) {
    PW_RETURN_IF_ERROR(
        db_->Exec("INSERT INTO activity_tags(activity_id, position, tag) VALUES ($1, $2, $3)",
                  activity_id, static_cast<int>(i), tags[i])
            .status());
  }
  return true;
}

Result<PutOutcome> PgStore::PutActivity(Activity& a) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("activity", a.id, a.source_id);
  if (a.duration_minutes < 0) {
    return InvalidArgumentError("{}: duration_minutes {} is negative", who, a.duration_minutes);
  }
  if (!std::isfinite(a.difficulty)) {
    return InvalidArgumentError("{}: difficulty is not a finite number", who);
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRefs("competencies", a.competencies, who, "competencies"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("activities", who, a.id, a.source_id));
    const std::string modality(ModalityName(a.modality));
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          a.id, InsertReturningId("INSERT INTO activities(id, source_id, title, modality, "
                                  "duration_minutes, difficulty) VALUES (coalesce($1, "
                                  "nextval('activities_id_seq')), $2, $3, $4, $5, $6) RETURNING "
                                  "id",
                                  Ref(t.id), OptText(a.source_id), a.title, modality,
                                  a.duration_minutes, a.difficulty));
      outcome = PutOutcome::kCreated;
      PW_RETURN_IF_ERROR(BumpSequence("activities", t.id));
    } else {
      PW_ASSIGN_OR_RETURN(
          pqxx::result r,
          db_->Exec("UPDATE activities SET source_id = $2, title = $3, modality = $4, "
                    "duration_minutes = $5, difficulty = $6 WHERE id = $1 AND (source_id IS "
                    "DISTINCT FROM $2 OR title IS DISTINCT FROM $3 OR modality IS DISTINCT FROM "
                    "$4 OR duration_minutes IS DISTINCT FROM $5 OR difficulty IS DISTINCT FROM "
                    "$6)",
                    t.id, OptText(a.source_id), a.title, modality, a.duration_minutes,
                    a.difficulty));
      a.id = t.id;
      outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    PW_ASSIGN_OR_RETURN(bool competencies_changed,
                        ReplaceIdList("activity_competencies", "activity_id", a.id, "competency_id",
                                      a.competencies));
    PW_ASSIGN_OR_RETURN(bool tags_changed, ReplaceTagList(a.id, a.tags));
    if ((competencies_changed || tags_changed) && outcome == PutOutcome::kUnchanged) {
      outcome = PutOutcome::kUpdated;
    }
    return OkStatus();
  }));
  return outcome;
}

Result<Activity> PgStore::GetActivity(Id id) {
  PW_ASSIGN_OR_RETURN(
      pqxx::result r,
      db_->Exec(fmt::format("SELECT {} FROM activities WHERE id = $1", kActivityColumns), id));
  if (r.empty()) return NotFoundError("activity {} does not exist", id);
  PW_ASSIGN_OR_RETURN(Activity a, ReadActivity(r[0]));
  PW_ASSIGN_OR_RETURN(a.competencies,
                      LoadIdList("activity_competencies", "activity_id", id, "competency_id"));
  PW_ASSIGN_OR_RETURN(
      pqxx::result tags,
      db_->Exec("SELECT tag FROM activity_tags WHERE activity_id = $1 ORDER BY position", id));
  for (const auto& row : tags) a.tags.push_back(pg::Text(row, 0));
  return a;
}

Result<std::optional<Activity>> PgStore::FindActivityBySourceId(std::string_view source_id) {
  if (source_id.empty()) return std::optional<Activity>();
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec("SELECT id FROM activities WHERE source_id = $1",
                                                std::string(source_id)));
  if (r.empty()) return std::optional<Activity>();
  PW_ASSIGN_OR_RETURN(Activity a, GetActivity(pg::Int(r[0], 0)));
  return std::optional<Activity>(std::move(a));
}

Result<std::vector<Activity>> PgStore::ListActivities() {
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(fmt::format("SELECT {} FROM activities ORDER BY id",
                                                            kActivityColumns)));
  PW_ASSIGN_OR_RETURN(std::vector<Activity> activities, pg::ReadAll<Activity>(r, ReadActivity));
  PW_ASSIGN_OR_RETURN(auto competencies,
                      LoadAllIdLists("activity_competencies", "activity_id", "competency_id"));
  PW_ASSIGN_OR_RETURN(pqxx::result tag_rows, db_->Exec("SELECT activity_id, tag FROM activity_tags "
                                                       "ORDER BY activity_id, position"));
  std::unordered_map<Id, std::vector<std::string>> tags;
  for (const auto& row : tag_rows) tags[pg::Int(row, 0)].push_back(pg::Text(row, 1));
  for (Activity& a : activities) {
    if (auto it = competencies.find(a.id); it != competencies.end()) a.competencies = it->second;
    if (auto it = tags.find(a.id); it != tags.end()) a.tags = it->second;
  }
  return activities;
}

// ---- goals

Result<PutOutcome> PgStore::PutGoal(Goal& goal) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("goal", goal.id, "");
  if (goal.id < 0) return InvalidArgumentError("{}: id {} is negative", who, goal.id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    if (goal.student_id == kNoId) return InvalidArgumentError("{}: student_id is missing", who);
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(goal.student_id));
    if (!problem.empty()) return InvalidArgumentError("{}: {}", who, problem);
    PW_RETURN_IF_ERROR(CheckRef("people", goal.set_by, who, "set_by"));
    PW_RETURN_IF_ERROR(CheckRefs("competencies", goal.competencies, who, "competencies"));
    bool exists = false;
    if (goal.id != kNoId) {
      PW_ASSIGN_OR_RETURN(exists, Exists("goals", goal.id));
    }
    const std::string status(kGoalStatuses.Name(goal.status));
    const std::optional<int> target =
        goal.target ? std::optional<int>(goal.target->days) : std::nullopt;
    if (!exists) {
      const Id explicit_id = goal.id;
      PW_ASSIGN_OR_RETURN(
          goal.id, InsertReturningId("INSERT INTO goals(id, student_id, description, target_day, "
                                     "status, set_by, created_ms) VALUES (coalesce($1, "
                                     "nextval('goals_id_seq')), $2, $3, $4, $5, $6, $7) "
                                     "RETURNING id",
                                     Ref(goal.id), goal.student_id, goal.description, target,
                                     status, Ref(goal.set_by), goal.created.millis));
      outcome = PutOutcome::kCreated;
      PW_RETURN_IF_ERROR(BumpSequence("goals", explicit_id));
    } else {
      PW_ASSIGN_OR_RETURN(
          pqxx::result r,
          db_->Exec("UPDATE goals SET student_id = $2, description = $3, target_day = $4, status "
                    "= $5, set_by = $6, created_ms = $7 WHERE id = $1 AND (student_id IS DISTINCT "
                    "FROM $2 OR description IS DISTINCT FROM $3 OR target_day IS DISTINCT FROM $4 "
                    "OR status IS DISTINCT FROM $5 OR set_by IS DISTINCT FROM $6 OR created_ms IS "
                    "DISTINCT FROM $7)",
                    goal.id, goal.student_id, goal.description, target, status, Ref(goal.set_by),
                    goal.created.millis));
      outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    PW_ASSIGN_OR_RETURN(bool changed, ReplaceIdList("goal_competencies", "goal_id", goal.id,
                                                    "competency_id", goal.competencies));
    if (changed && outcome == PutOutcome::kUnchanged) outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<Goal>> PgStore::ListGoals(Id student_id) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, student_id, description, target_day, status, set_by, "
                                "created_ms FROM goals WHERE student_id = $1 ORDER BY id",
                                student_id));
  PW_ASSIGN_OR_RETURN(
      std::vector<Goal> goals, pg::ReadAll<Goal>(r, [](const pqxx::row& row) -> Result<Goal> {
        Goal g;
        g.id = pg::Int(row, 0);
        g.student_id = pg::Int(row, 1);
        g.description = pg::Text(row, 2);
        if (!pg::IsNull(row, 3)) {
          g.target = Date{static_cast<std::int32_t>(pg::Int(row, 3))};
        }
        PW_ASSIGN_OR_RETURN(g.status, kGoalStatuses.Parse(pg::Text(row, 4), "goal status"));
        g.set_by = pg::Int(row, 5);
        g.created = Timestamp{pg::Int(row, 6)};
        return g;
      }));
  for (Goal& g : goals) {
    PW_ASSIGN_OR_RETURN(g.competencies,
                        LoadIdList("goal_competencies", "goal_id", g.id, "competency_id"));
  }
  return goals;
}

// ---- evidence

namespace {


constexpr char kEvidenceColumns[] =
    "id, student_id, activity_id, competency_id, time_ms, kind, score, rubric_level, rubric_max, "
    "source_system_id, source_record, duration_ms";

std::string EvidenceWhere(const EvidenceFilter& f, pg::Params& params) {
  std::string where = "WHERE true";
  if (f.student_id) where += " AND student_id = " + params.Add(*f.student_id);
  if (f.competency_id) where += " AND competency_id = " + params.Add(*f.competency_id);
  if (f.activity_id) where += " AND activity_id = " + params.Add(*f.activity_id);
  if (f.since) where += " AND time_ms >= " + params.Add(f.since->millis);
  if (f.until) where += " AND time_ms < " + params.Add(f.until->millis);
  return where;
}

Result<EvidenceEvent> ReadEvidenceRow(const pqxx::row& r, std::int64_t* system_id) {
  EvidenceEvent e;
  e.id = pg::Int(r, 0);
  e.student_id = pg::Int(r, 1);
  e.activity_id = pg::Int(r, 2);
  e.competency_id = pg::Int(r, 3);
  e.time = Timestamp{pg::Int(r, 4)};
  const std::int64_t kind = pg::Int(r, 5);
  if (kind < 0 || kind > static_cast<int>(OutcomeKind::kRubric)) {
    return InternalError("evidence {}: stored outcome kind {} is unknown", e.id, kind);
  }
  e.kind = static_cast<OutcomeKind>(kind);
  e.score = pg::Real(r, 6);
  e.rubric_level = static_cast<std::int16_t>(pg::Int(r, 7));
  e.rubric_max = static_cast<std::int16_t>(pg::Int(r, 8));
  *system_id = pg::Int(r, 9);
  e.source_record = pg::Text(r, 10);
  if (!r[11].is_null()) e.duration_ms = r[11].as<std::int64_t>();
  return e;
}

}  // namespace

Result<std::int64_t> PgStore::SourceSystemId(const std::string& name) {
  if (auto it = source_ids_.find(name); it != source_ids_.end()) return it->second;
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("INSERT INTO source_systems(name) VALUES ($1) ON CONFLICT(name) "
                                "DO UPDATE SET name = excluded.name RETURNING id",
                                name));
  const std::int64_t id = pg::Int(r[0], 0);
  source_ids_[name] = id;
  source_names_[id] = name;
  return id;
}

Result<std::string> PgStore::SourceSystemName(std::int64_t id) {
  if (auto it = source_names_.find(id); it != source_names_.end()) return it->second;
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT name FROM source_systems WHERE id = $1", id));
  if (r.empty()) return InternalError("evidence names source system {}, which does not exist", id);
  source_names_[id] = pg::Text(r[0], 0);
  return source_names_[id];
}

// A few round trips however many events: the students, activities and competencies they name
// are read in one query each (then checked in order, with the messages of CheckEvidenceBatch),
// the ids come from the sequence in one, and the rows go in by one unnest() INSERT.
Status PgStore::AppendEvidence(std::span<EvidenceEvent> events) {
  if (events.empty()) return OkStatus();
  return Transaction([&]() -> Status {
    std::unordered_set<Id> students, activities, competencies;
    for (const EvidenceEvent& e : events) {
      students.insert(e.student_id);
      if (e.activity_id != kNoId) activities.insert(e.activity_id);
      if (e.competency_id != kNoId) competencies.insert(e.competency_id);
    }
    PW_ASSIGN_OR_RETURN(auto roles, RolesOf(students));
    PW_ASSIGN_OR_RETURN(std::unordered_set<Id> known_activities,
                        ExistingIds("activities", activities));
    PW_ASSIGN_OR_RETURN(std::unordered_set<Id> known_competencies,
                        ExistingIds("competencies", competencies));
    PW_RETURN_IF_ERROR(store_util::CheckEvidenceBatch(
        events, [&](Id id) -> Result<std::string> { return StudentProblemOf(id, roles); },
        [&](const char* table, Id id) -> Result<bool> {
          return std::string_view(table) == "activities" ? known_activities.contains(id)
                                                         : known_competencies.contains(id);
        }));
    PW_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids,
                        pg::NextValues(*db_, "evidence_id_seq", events.size()));
    pg::Array id, student, activity, competency, time, kind, score, level, max, system, record,
        duration;
    for (size_t i = 0; i < events.size(); ++i) {
      const EvidenceEvent& e = events[i];
      std::optional<std::int64_t> system_id;
      if (!e.source_system.empty()) {
        PW_ASSIGN_OR_RETURN(system_id, SourceSystemId(e.source_system));
      }
      id.Add(ids[i]);
      student.Add(e.student_id);
      activity.Add(Ref(e.activity_id));
      competency.Add(Ref(e.competency_id));
      time.Add(e.time.millis);
      kind.Add(static_cast<int>(e.kind));
      score.Add(e.score);
      level.Add(static_cast<int>(e.rubric_level));
      max.Add(static_cast<int>(e.rubric_max));
      system.Add(system_id);
      record.Add(OptText(e.source_record));
      duration.Add(e.duration_ms);
    }
    PW_RETURN_IF_ERROR(
        db_->Exec("INSERT INTO evidence(id, student_id, activity_id, competency_id, time_ms, kind, "
                  "score, rubric_level, rubric_max, source_system_id, source_record, duration_ms) "
                  "SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], "
                  "$5::BIGINT[], $6::SMALLINT[], $7::DOUBLE PRECISION[], $8::SMALLINT[], "
                  "$9::SMALLINT[], $10::BIGINT[], $11::TEXT[], $12::BIGINT[])",
                  id.str(), student.str(), activity.str(), competency.str(), time.str(),
                  kind.str(), score.str(), level.str(), max.str(), system.str(), record.str(),
                  duration.str())
            .status()
            .WithPrefix("evidence"));
    for (size_t i = 0; i < events.size(); ++i) events[i].id = ids[i];
    return OkStatus();
  });
}

Result<Page<EvidenceEvent>> PgStore::ListEvidence(const EvidenceFilter& filter, PageRequest page) {
  PW_RETURN_IF_ERROR(pg::CheckPage(page));
  pg::Params params;
  std::string sql =
      fmt::format("SELECT {} FROM evidence {}", kEvidenceColumns, EvidenceWhere(filter, params));
  sql += " AND id > " + params.Add(page.after);
  sql += " ORDER BY id LIMIT " + params.Add(page.limit + 1);
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::ReadPage<EvidenceEvent>(
      r, page.limit, [&](const pqxx::row& row) -> Result<EvidenceEvent> {
        std::int64_t system_id = 0;
        PW_ASSIGN_OR_RETURN(EvidenceEvent e, ReadEvidenceRow(row, &system_id));
        if (system_id != 0) {
          PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
        }
        return e;
      });
}

Status PgStore::ScanEvidence(const EvidenceFilter& filter,
                             const std::function<Status(const EvidenceEvent&)>& fn) {
  // Streams in chunks by keyset on (student_id, time_ms, id), so memory stays bounded however
  // much matches.
  constexpr int kChunk = 2000;
  std::optional<std::tuple<Id, std::int64_t, Id>> last;
  while (true) {
    pg::Params params;
    std::string sql =
        fmt::format("SELECT {} FROM evidence {}", kEvidenceColumns, EvidenceWhere(filter, params));
    if (last) {
      sql += fmt::format(" AND (student_id, time_ms, id) > ({}, {}, {})",
                         params.Add(std::get<0>(*last)), params.Add(std::get<1>(*last)),
                         params.Add(std::get<2>(*last)));
    }
    sql += " ORDER BY student_id, time_ms, id LIMIT " + params.Add(kChunk);
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
    for (const auto& row : r) {
      std::int64_t system_id = 0;
      PW_ASSIGN_OR_RETURN(EvidenceEvent e, ReadEvidenceRow(row, &system_id));
      if (system_id != 0) {
        PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
      }
      last = std::make_tuple(e.student_id, e.time.millis, e.id);
      PW_RETURN_IF_ERROR(fn(e));
    }
    if (static_cast<int>(r.size()) < kChunk) return OkStatus();
  }
}

Result<std::int64_t> PgStore::CountEvidence(const EvidenceFilter& filter) {
  pg::Params params;
  const std::string sql =
      fmt::format("SELECT count(*) FROM evidence {}", EvidenceWhere(filter, params));
  PW_ASSIGN_OR_RETURN(pqxx::result r, db_->Exec(sql, params.dynamic()));
  return pg::Int(r[0], 0);
}

Result<std::vector<EvidenceEvent>> PgStore::DeleteEvidence(std::span<const Id> ids) {
  std::vector<EvidenceEvent> out;
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    for (Id id : ids) {
      PW_ASSIGN_OR_RETURN(
          pqxx::result r,
          db_->Exec(fmt::format("DELETE FROM evidence WHERE id = $1 RETURNING {}", kEvidenceColumns),
                    id));
      if (r.empty()) continue;
      std::int64_t system_id = 0;
      PW_ASSIGN_OR_RETURN(EvidenceEvent e, ReadEvidenceRow(r[0], &system_id));
      if (system_id != 0) {
        PW_ASSIGN_OR_RETURN(e.source_system, SourceSystemName(system_id));
      }
      out.push_back(std::move(e));
    }
    return OkStatus();
  }));
  return out;
}

// ---- attendance, behavior, SEL

namespace {

std::int64_t FromDay(const DateRange& r) { return r.from ? r.from->days : INT32_MIN; }
std::int64_t ToDay(const DateRange& r) { return r.to ? r.to->days : INT32_MAX; }

}  // namespace

Status PgStore::PutAttendance(std::span<const AttendanceRecord> records) {
  return PutAttendanceCounted(records).status();
}

// Counts: the upsert updates only a row that differs, and RETURNING (xmax = 0) tells an
// inserted row from an updated one; no row back means unchanged.
Result<PutCounts> PgStore::PutAttendanceCounted(std::span<const AttendanceRecord> records) {
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
    for (const AttendanceRecord& r : records) {
      PW_ASSIGN_OR_RETURN(
          pqxx::result res,
          db_->Exec("INSERT INTO attendance AS a (student_id, day, status, source_system) VALUES "
                    "($1, $2, $3, $4) ON CONFLICT(student_id, day) DO UPDATE SET status = "
                    "excluded.status, source_system = excluded.source_system WHERE a.status IS "
                    "DISTINCT FROM excluded.status OR a.source_system IS DISTINCT FROM "
                    "excluded.source_system RETURNING (xmax = 0)",
                    r.student_id, r.date.days, std::string(AttendanceStatusName(r.status)),
                    r.source_system));
      if (res.empty()) {
        ++counts.unchanged;
      } else if (res[0][0].as<bool>()) {
        ++counts.created;
      } else {
        ++counts.updated;
      }
    }
    return OkStatus();
  }));
  return counts;
}

Result<std::vector<AttendanceRecord>> PgStore::ListAttendance(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT student_id, day, status, source_system FROM attendance "
                                "WHERE student_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
                                student_id, FromDay(range), ToDay(range)));
  return pg::ReadAll<AttendanceRecord>(r, [](const pqxx::row& row) -> Result<AttendanceRecord> {
    AttendanceRecord a;
    a.student_id = pg::Int(row, 0);
    a.date = Date{static_cast<std::int32_t>(pg::Int(row, 1))};
    PW_ASSIGN_OR_RETURN(a.status, ParseAttendanceStatus(pg::Text(row, 2)));
    a.source_system = pg::Text(row, 3);
    return a;
  });
}

Result<PutOutcome> PgStore::PutBehavior(BehaviorIncident& b) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = pg::Who("behavior incident", b.id, b.source_record);
  if (b.id < 0) return InvalidArgumentError("{}: id {} is negative", who, b.id);
  if (b.severity < 1 || b.severity > 3) {
    return InvalidArgumentError("{}: severity {} is outside 1..3", who, b.severity);
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    if (b.student_id == kNoId) return InvalidArgumentError("{}: student_id is missing", who);
    PW_ASSIGN_OR_RETURN(std::string problem, StudentProblem(b.student_id));
    if (!problem.empty()) return InvalidArgumentError("{}: {}", who, problem);
    Target t{b.id, false};
    if (b.id != kNoId) {
      PW_ASSIGN_OR_RETURN(t.exists, Exists("behavior", b.id));
    }
    if (!b.source_record.empty()) {
      PW_ASSIGN_OR_RETURN(pqxx::result r,
                          db_->Exec("SELECT id FROM behavior WHERE source_system = $1 AND "
                                    "source_record = $2",
                                    b.source_system, b.source_record));
      if (!r.empty()) {
        const Id found = pg::Int(r[0], 0);
        if (b.id == kNoId) {
          t = Target{found, true};
        } else if (found != b.id) {
          return AlreadyExistsError("{}: source record \"{}\" of \"{}\" already belongs to id {}",
                                    who, b.source_record, b.source_system, found);
        }
      }
    }
    if (!t.exists) {
      PW_ASSIGN_OR_RETURN(
          b.id, InsertReturningId("INSERT INTO behavior(id, student_id, time_ms, category, "
                                  "severity, description, source_system, source_record) VALUES "
                                  "(coalesce($1, nextval('behavior_id_seq')), $2, $3, $4, $5, $6, "
                                  "$7, $8) RETURNING id",
                                  Ref(t.id), b.student_id, b.time.millis, b.category, b.severity,
                                  b.description, b.source_system, OptText(b.source_record)));
      outcome = PutOutcome::kCreated;
      return BumpSequence("behavior", t.id);
    }
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_->Exec("UPDATE behavior SET student_id = $2, time_ms = $3, category = $4, severity = "
                  "$5, description = $6, source_system = $7, source_record = $8 WHERE id = $1 AND "
                  "(student_id IS DISTINCT FROM $2 OR time_ms IS DISTINCT FROM $3 OR category IS "
                  "DISTINCT FROM $4 OR severity IS DISTINCT FROM $5 OR description IS DISTINCT "
                  "FROM $6 OR source_system IS DISTINCT FROM $7 OR source_record IS DISTINCT FROM "
                  "$8)",
                  t.id, b.student_id, b.time.millis, b.category, b.severity, b.description,
                  b.source_system, OptText(b.source_record)));
    b.id = t.id;
    outcome = r.affected_rows() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<BehaviorIncident>> PgStore::ListBehavior(Id student_id, DateRange range) {
  const std::int64_t from = range.from ? StartOf(*range.from).millis : INT64_MIN;
  const std::int64_t to = range.to ? StartOf(Date{range.to->days + 1}).millis : INT64_MAX;
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT id, student_id, time_ms, category, severity, description, "
                                "source_system, source_record FROM behavior WHERE student_id = $1 "
                                "AND time_ms >= $2 AND time_ms < $3 ORDER BY time_ms, id",
                                student_id, from, to));
  return pg::ReadAll<BehaviorIncident>(r, [](const pqxx::row& row) -> Result<BehaviorIncident> {
    BehaviorIncident b;
    b.id = pg::Int(row, 0);
    b.student_id = pg::Int(row, 1);
    b.time = Timestamp{pg::Int(row, 2)};
    b.category = pg::Text(row, 3);
    b.severity = static_cast<int>(pg::Int(row, 4));
    b.description = pg::Text(row, 5);
    b.source_system = pg::Text(row, 6);
    b.source_record = pg::Text(row, 7);
    return b;
  });
}

Status PgStore::PutSel(std::span<const SelScore> scores) {
  return PutSelCounted(scores).status();
}

Result<PutCounts> PgStore::PutSelCounted(std::span<const SelScore> scores) {
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
    for (const SelScore& s : scores) {
      PW_ASSIGN_OR_RETURN(
          pqxx::result res,
          db_->Exec("INSERT INTO sel_scores AS x (student_id, day, scale, score, scale_min, "
                    "scale_max, source_system) VALUES ($1, $2, $3, $4, $5, $6, $7) ON "
                    "CONFLICT(student_id, day, scale) DO UPDATE SET score = excluded.score, "
                    "scale_min = excluded.scale_min, scale_max = excluded.scale_max, "
                    "source_system = excluded.source_system WHERE x.score IS DISTINCT FROM "
                    "excluded.score OR x.scale_min IS DISTINCT FROM excluded.scale_min OR "
                    "x.scale_max IS DISTINCT FROM excluded.scale_max OR x.source_system IS "
                    "DISTINCT FROM excluded.source_system RETURNING (xmax = 0)",
                    s.student_id, s.date.days, s.scale, s.score, s.scale_min, s.scale_max,
                    s.source_system));
      if (res.empty()) {
        ++counts.unchanged;
      } else if (res[0][0].as<bool>()) {
        ++counts.created;
      } else {
        ++counts.updated;
      }
    }
    return OkStatus();
  }));
  return counts;
}

Result<std::vector<SelScore>> PgStore::ListSel(Id student_id, DateRange range) {
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db_->Exec("SELECT student_id, day, scale, score, scale_min, scale_max, "
                                "source_system FROM sel_scores WHERE student_id = $1 AND day >= "
                                "$2 AND day <= $3 ORDER BY day, scale",
                                student_id, FromDay(range), ToDay(range)));
  return pg::ReadAll<SelScore>(r, [](const pqxx::row& row) -> Result<SelScore> {
    SelScore s;
    s.student_id = pg::Int(row, 0);
    s.date = Date{static_cast<std::int32_t>(pg::Int(row, 1))};
    s.scale = pg::Text(row, 2);
    s.score = pg::Real(row, 3);
    s.scale_min = pg::Real(row, 4);
    s.scale_max = pg::Real(row, 5);
    s.source_system = pg::Text(row, 6);
    return s;
  });
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
