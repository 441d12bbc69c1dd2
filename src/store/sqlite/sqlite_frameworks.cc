// SqliteStore: competency frameworks (competencies, prerequisite edges), activities and goals.
#include <cmath>
#include <unordered_set>

#include "core/enum_names.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace pw {

using sqlite::Null;
using sqlite::OptText;
using sqlite::Ref;
using sqlite::Stmt;

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

}  // namespace

// ---- frameworks

namespace {

constexpr char kFrameworkColumns[] = "id, source_id, title, subject, attribution";

Result<Framework> ReadFramework(const Stmt& st) {
  Framework f;
  f.id = st.Int(0);
  f.source_id = st.Text(1);
  f.title = st.Text(2);
  f.subject = st.Text(3);
  f.attribution = st.Text(4);
  return f;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutFramework(Framework& framework) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("framework", framework.id, framework.source_id);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(Target t,
                        ResolveTarget("frameworks", who, framework.id, framework.source_id));
    if (!t.exists) {
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO frameworks(id, source_id, title, subject, attribution) "
                   "VALUES (?, ?, ?, ?, ?)",
                   Ref{t.id}, OptText{framework.source_id}, framework.title, framework.subject,
                   framework.attribution));
      framework.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE frameworks SET source_id = ?2, title = ?3, subject = ?4, attribution = ?5 WHERE "
        "id = ?1 AND (source_id IS NOT ?2 OR title IS NOT ?3 OR subject IS NOT ?4 OR attribution "
        "IS NOT ?5)",
        t.id, OptText{framework.source_id}, framework.title, framework.subject,
        framework.attribution));
    framework.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Framework> SqliteStore::GetFramework(Id id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM frameworks WHERE id = ?",
                                                        kFrameworkColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("framework {} does not exist", id);
  return ReadFramework(st);
}

Result<std::vector<Framework>> SqliteStore::ListFrameworks() {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM frameworks ORDER BY id",
                                                        kFrameworkColumns)));
  return sqlite::ReadAll<Framework>(st, ReadFramework);
}

// ---- competencies

namespace {

constexpr char kCompetencyColumns[] =
    "id, framework_id, source_id, code, statement, grade, parent_id";

Result<Competency> ReadCompetency(const Stmt& st) {
  Competency c;
  c.id = st.Int(0);
  c.framework_id = st.Int(1);
  c.source_id = st.Text(2);
  c.code = st.Text(3);
  c.statement = st.Text(4);
  c.grade = st.Text(5);
  c.parent_id = st.Int(6);
  return c;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutCompetency(Competency& c) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("competency", c.id, !c.code.empty() ? c.code : c.source_id);
  if (c.code.empty()) return InvalidArgumentError("{}: code is missing", who);
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRequiredRef("frameworks", c.framework_id, who, "framework_id"));
    PW_RETURN_IF_ERROR(CheckRef("competencies", c.parent_id, who, "parent_id"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("competencies", who, c.id, c.source_id));
    // (framework_id, code) is the natural key: it finds the row when no id does, and it must
    // not name a different row than the ids do.
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM competencies WHERE framework_id = ? "
                                              "AND code = ?"));
    st.Bind(c.framework_id, c.code);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    const Id by_code = row ? st.Int(0) : kNoId;
    st = Stmt();
    if (!t.exists && c.id == kNoId && by_code != kNoId) t = Target{by_code, true};
    if (by_code != kNoId && by_code != t.id) {
      return AlreadyExistsError("{}: code \"{}\" already belongs to competency {} in framework {}",
                                who, c.code, by_code, c.framework_id);
    }
    if (c.parent_id != kNoId && c.parent_id == t.id) {
      return InvalidArgumentError("{}: a competency cannot be its own parent", who);
    }
    if (!t.exists) {
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO competencies(id, framework_id, source_id, code, statement, grade, "
                   "parent_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   Ref{t.id}, c.framework_id, OptText{c.source_id}, c.code, c.statement, c.grade,
                   Ref{c.parent_id}));
      c.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
      return OkStatus();
    }
    PW_RETURN_IF_ERROR(db_->Run(
        "UPDATE competencies SET framework_id = ?2, source_id = ?3, code = ?4, statement = ?5, "
        "grade = ?6, parent_id = ?7 WHERE id = ?1 AND (framework_id IS NOT ?2 OR source_id IS "
        "NOT ?3 OR code IS NOT ?4 OR statement IS NOT ?5 OR grade IS NOT ?6 OR parent_id IS NOT "
        "?7)",
        t.id, c.framework_id, OptText{c.source_id}, c.code, c.statement, c.grade,
        Ref{c.parent_id}));
    c.id = t.id;
    outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    return OkStatus();
  }));
  return outcome;
}

Result<Competency> SqliteStore::GetCompetency(Id id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM competencies WHERE id = ?",
                                                        kCompetencyColumns)));
  st.Bind(id);
  PW_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("competency {} does not exist", id);
  return ReadCompetency(st);
}

Result<std::vector<Competency>> SqliteStore::ListCompetencies(Id framework_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format(
                                   "SELECT {} FROM competencies WHERE framework_id = ? ORDER BY id",
                                   kCompetencyColumns)));
  st.Bind(framework_id);
  return sqlite::ReadAll<Competency>(st, ReadCompetency);
}

// ---- edges and the graph

Status SqliteStore::SetEdges(Id framework_id, std::span<const CompetencyEdge> edges) {
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
    // A cycle is rejected before anything is written, with the cycle named by codes.
    Result<CompetencyGraph> graph = CompetencyGraph::Build(
        std::move(competencies), std::vector<CompetencyEdge>(edges.begin(), edges.end()));
    if (!graph.ok()) return graph.status().WithPrefix(who);
    PW_RETURN_IF_ERROR(
        db_->Run("DELETE FROM competency_edges WHERE framework_id = ?", framework_id));
    for (size_t i = 0; i < edges.size(); ++i) {
      PW_RETURN_IF_ERROR(
          db_->Run("INSERT INTO competency_edges(framework_id, from_id, to_id, kind, position) "
                   "VALUES (?, ?, ?, ?, ?)",
                   framework_id, edges[i].from, edges[i].to, kEdgeKinds.Name(edges[i].kind),
                   static_cast<std::int64_t>(i)));
    }
    return OkStatus();
  });
}

Result<std::vector<CompetencyEdge>> SqliteStore::ListEdges(Id framework_id) {
  PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT from_id, to_id, kind FROM competency_edges "
                                            "WHERE framework_id = ? ORDER BY position"));
  st.Bind(framework_id);
  return sqlite::ReadAll<CompetencyEdge>(st, [](const Stmt& s) -> Result<CompetencyEdge> {
    PW_ASSIGN_OR_RETURN(EdgeKind kind, kEdgeKinds.Parse(s.Text(2), "edge kind"));
    return CompetencyEdge{s.Int(0), s.Int(1), kind};
  });
}

Result<CompetencyGraph> SqliteStore::LoadGraph(Id framework_id) {
  PW_ASSIGN_OR_RETURN(bool exists, Exists("frameworks", framework_id));
  if (!exists) return NotFoundError("framework {} does not exist", framework_id);
  PW_ASSIGN_OR_RETURN(std::vector<Competency> competencies, ListCompetencies(framework_id));
  PW_ASSIGN_OR_RETURN(std::vector<CompetencyEdge> edges, ListEdges(framework_id));
  Result<CompetencyGraph> graph = CompetencyGraph::Build(std::move(competencies), std::move(edges));
  if (!graph.ok()) {
    // Stored data that no longer forms a valid graph (written by an older version or by hand):
    // report it rather than hand out a half-built graph.
    return FailedPreconditionError("framework {}: the stored prerequisite graph is invalid: {}",
                                   framework_id, graph.status().message());
  }
  return graph;
}

// ---- activities

namespace {

constexpr char kActivityColumns[] = "id, source_id, title, modality, duration_minutes, difficulty";

Result<Activity> ReadActivity(const Stmt& st) {
  Activity a;
  a.id = st.Int(0);
  a.source_id = st.Text(1);
  a.title = st.Text(2);
  PW_ASSIGN_OR_RETURN(a.modality, ParseModality(st.Text(3)));
  a.duration_minutes = static_cast<int>(st.Int(4));
  a.difficulty = st.Real(5);
  return a;
}

}  // namespace

Result<bool> SqliteStore::ReplaceTagList(Id activity_id, const std::vector<std::string>& tags) {
  std::vector<std::string> stored;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT tag FROM activity_tags WHERE activity_id = ? "
                                              "ORDER BY position"));
    st.Bind(activity_id);
    while (true) {
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      stored.push_back(st.Text(0));
    }
  }
  if (stored == tags) return false;
  PW_RETURN_IF_ERROR(db_->Run("DELETE FROM activity_tags WHERE activity_id = ?", activity_id));
  for (size_t i = 0; i < tags.size(); ++i) {
    PW_RETURN_IF_ERROR(
        db_->Run("INSERT INTO activity_tags(activity_id, position, tag) VALUES (?, ?, ?)",
                 activity_id, static_cast<std::int64_t>(i), tags[i]));
  }
  return true;
}

Result<PutOutcome> SqliteStore::PutActivity(Activity& a) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("activity", a.id, a.source_id);
  if (a.duration_minutes < 0) {
    return InvalidArgumentError("{}: duration_minutes {} is negative", who, a.duration_minutes);
  }
  if (!std::isfinite(a.difficulty)) {
    return InvalidArgumentError("{}: difficulty is not a finite number", who);
  }
  PW_RETURN_IF_ERROR(Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(CheckRefs("competencies", a.competencies, who, "competencies"));
    PW_ASSIGN_OR_RETURN(Target t, ResolveTarget("activities", who, a.id, a.source_id));
    const auto modality = ModalityName(a.modality);
    if (!t.exists) {
      PW_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO activities(id, source_id, title, modality, duration_minutes, difficulty) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          Ref{t.id}, OptText{a.source_id}, a.title, modality, a.duration_minutes, a.difficulty));
      a.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
    } else {
      PW_RETURN_IF_ERROR(db_->Run(
          "UPDATE activities SET source_id = ?2, title = ?3, modality = ?4, duration_minutes = "
          "?5, difficulty = ?6 WHERE id = ?1 AND (source_id IS NOT ?2 OR title IS NOT ?3 OR "
          "modality IS NOT ?4 OR duration_minutes IS NOT ?5 OR difficulty IS NOT ?6)",
          t.id, OptText{a.source_id}, a.title, modality, a.duration_minutes, a.difficulty));
      a.id = t.id;
      outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    PW_ASSIGN_OR_RETURN(bool competencies_changed,
                        ReplaceIdList("activity_competencies", "activity_id", a.id, "competency_id",
                                      a.competencies));
    PW_ASSIGN_OR_RETURN(bool tags_changed, ReplaceTagList(a.id, a.tags));
    if ((competencies_changed || tags_changed) && outcome == PutOutcome::kUnchanged) {
      outcome = PutOutcome::kUpdated;
    }
    if (outcome != PutOutcome::kUnchanged) NoteMappingInputsChanged();
    return OkStatus();
  }));
  return outcome;
}

Result<Activity> SqliteStore::GetActivity(Id id) {
  Activity a;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM activities WHERE id = ?",
                                                          kActivityColumns)));
    st.Bind(id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NotFoundError("activity {} does not exist", id);
    PW_ASSIGN_OR_RETURN(a, ReadActivity(st));
  }
  PW_ASSIGN_OR_RETURN(a.competencies,
                      LoadIdList("activity_competencies", "activity_id", id, "competency_id"));
  PW_ASSIGN_OR_RETURN(Stmt tags, db_->Prepare("SELECT tag FROM activity_tags WHERE activity_id = ? "
                                              "ORDER BY position"));
  tags.Bind(id);
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, tags.Step());
    if (!row) break;
    a.tags.push_back(tags.Text(0));
  }
  return a;
}

Result<std::optional<Activity>> SqliteStore::FindActivityBySourceId(std::string_view source_id) {
  if (source_id.empty()) return std::optional<Activity>();
  Id id = kNoId;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id FROM activities WHERE source_id = ?"));
    st.Bind(source_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Activity>();
    id = st.Int(0);
  }
  PW_ASSIGN_OR_RETURN(Activity a, GetActivity(id));
  return std::optional<Activity>(std::move(a));
}

Result<std::vector<Activity>> SqliteStore::ListActivities() {
  std::vector<Activity> activities;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare(fmt::format("SELECT {} FROM activities ORDER BY id",
                                                          kActivityColumns)));
    PW_ASSIGN_OR_RETURN(activities, sqlite::ReadAll<Activity>(st, ReadActivity));
  }
  PW_ASSIGN_OR_RETURN(auto competencies,
                      LoadAllIdLists("activity_competencies", "activity_id", "competency_id"));
  std::unordered_map<Id, std::vector<std::string>> tags;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT activity_id, tag FROM activity_tags ORDER BY "
                                              "activity_id, position"));
    while (true) {
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      tags[st.Int(0)].push_back(st.Text(1));
    }
  }
  for (Activity& a : activities) {
    if (auto it = competencies.find(a.id); it != competencies.end()) {
      a.competencies = std::move(it->second);
    }
    if (auto it = tags.find(a.id); it != tags.end()) a.tags = std::move(it->second);
  }
  return activities;
}

// ---- goals

namespace {

Result<Goal> ReadGoal(const Stmt& st) {
  Goal g;
  g.id = st.Int(0);
  g.student_id = st.Int(1);
  g.description = st.Text(2);
  if (!st.IsNull(3)) g.target = Date{static_cast<std::int32_t>(st.Int(3))};
  PW_ASSIGN_OR_RETURN(g.status, kGoalStatuses.Parse(st.Text(4), "goal status"));
  g.set_by = st.Int(5);
  g.created = Timestamp{st.Int(6)};
  return g;
}

}  // namespace

Result<PutOutcome> SqliteStore::PutGoal(Goal& goal) {
  PutOutcome outcome = PutOutcome::kUnchanged;
  const std::string who = sqlite::Who("goal", goal.id, "");
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
    const auto status = kGoalStatuses.Name(goal.status);
    PW_ASSIGN_OR_RETURN(
        Stmt st,
        db_->Prepare(exists ? "UPDATE goals SET student_id = ?2, description = ?3, target_day = "
                              "?4, status = ?5, set_by = ?6, created_ms = ?7 WHERE id = ?1 AND "
                              "(student_id IS NOT ?2 OR description IS NOT ?3 OR target_day IS "
                              "NOT ?4 OR status IS NOT ?5 OR set_by IS NOT ?6 OR created_ms IS "
                              "NOT ?7)"
                            : "INSERT INTO goals(id, student_id, description, target_day, status, "
                              "set_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    st.Bind(Ref{goal.id}, goal.student_id, goal.description, Null{}, status, Ref{goal.set_by},
            goal.created.millis);
    if (goal.target) st.BindOne(4, static_cast<std::int64_t>(goal.target->days));
    PW_RETURN_IF_ERROR(st.Run());
    if (!exists) {
      goal.id = db_->LastInsertId();
      outcome = PutOutcome::kCreated;
    } else {
      outcome = db_->Changes() > 0 ? PutOutcome::kUpdated : PutOutcome::kUnchanged;
    }
    st = Stmt();
    PW_ASSIGN_OR_RETURN(bool changed, ReplaceIdList("goal_competencies", "goal_id", goal.id,
                                                    "competency_id", goal.competencies));
    if (changed && outcome == PutOutcome::kUnchanged) outcome = PutOutcome::kUpdated;
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<Goal>> SqliteStore::ListGoals(Id student_id) {
  std::vector<Goal> goals;
  {
    PW_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT id, student_id, description, target_day, "
                                              "status, set_by, created_ms FROM goals WHERE "
                                              "student_id = ? ORDER BY id"));
    st.Bind(student_id);
    PW_ASSIGN_OR_RETURN(goals, sqlite::ReadAll<Goal>(st, ReadGoal));
  }
  for (Goal& g : goals) {
    PW_ASSIGN_OR_RETURN(g.competencies,
                        LoadIdList("goal_competencies", "goal_id", g.id, "competency_id"));
  }
  return goals;
}

}  // namespace pw
