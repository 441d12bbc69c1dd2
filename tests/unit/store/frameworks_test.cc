// Frameworks, competencies, the prerequisite graph, activities and goals (both backends).
#include "fixture.h"

namespace pw::testing {
namespace {

TEST_P(StoreTest, FrameworkAndCompetencyRoundTrip) {
  Framework f{0, "urn:case:doc-1", "Math", "mathematics", "CC BY 4.0, Example Org"};
  PW_ASSERT_OK(store_->PutFramework(f));
  auto gf = store_->GetFramework(f.id);
  PW_ASSERT_OK(gf);
  EXPECT_EQ(gf->source_id, "urn:case:doc-1");
  EXPECT_EQ(gf->title, "Math");
  EXPECT_EQ(gf->subject, "mathematics");
  EXPECT_EQ(gf->attribution, "CC BY 4.0, Example Org");
  EXPECT_EQ(store_->ListFrameworks()->size(), 1u);

  Competency domain;
  domain.framework_id = f.id;
  domain.code = "6.EE";
  domain.statement = "Expressions & equations";
  domain.grade = "6";
  PW_ASSERT_OK(store_->PutCompetency(domain));
  Competency c;
  c.framework_id = f.id;
  c.source_id = "urn:case:item-7";
  c.code = "6.EE.A.2";
  c.statement = "Write, read, and evaluate expressions in which letters stand for numbers.";
  c.grade = "6";
  c.parent_id = domain.id;
  auto r = store_->PutCompetency(c);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  auto gc = store_->GetCompetency(c.id);
  PW_ASSERT_OK(gc);
  EXPECT_EQ(gc->framework_id, f.id);
  EXPECT_EQ(gc->source_id, "urn:case:item-7");
  EXPECT_EQ(gc->code, "6.EE.A.2");
  EXPECT_EQ(gc->statement, c.statement);
  EXPECT_EQ(gc->grade, "6");
  EXPECT_EQ(gc->parent_id, domain.id);

  // Upsert by (framework, code) when there is no id.
  Competency by_code;
  by_code.framework_id = f.id;
  by_code.code = "6.EE";
  by_code.statement = "Expressions and equations";
  r = store_->PutCompetency(by_code);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kUpdated);
  EXPECT_EQ(by_code.id, domain.id);
  by_code.id = kNoId;
  EXPECT_EQ(*store_->PutCompetency(by_code), PutOutcome::kUnchanged);

  // A code used by another row of the framework.
  Competency clash = *store_->GetCompetency(c.id);
  clash.code = "6.EE";
  EXPECT_EQ(store_->PutCompetency(clash).status(),
            AlreadyExistsError(fmt::format(
                "competency {}: code \"6.EE\" already belongs to competency {} in framework {}",
                c.id, domain.id, f.id)));
  Competency orphan;
  orphan.code = "X.1";
  EXPECT_EQ(store_->PutCompetency(orphan).status(),
            InvalidArgumentError("competency \"X.1\": framework_id is missing"));
  Competency no_code;
  no_code.framework_id = f.id;
  EXPECT_EQ(store_->PutCompetency(no_code).status(),
            InvalidArgumentError("competency: code is missing"));

  auto list = store_->ListCompetencies(f.id);
  PW_ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].statement, "Expressions and equations");
}

TEST_P(StoreTest, EdgesAndGraph) {
  SeedSchool(0);
  const Id a = competencies_[0], b = competencies_[1], c = competencies_[2];
  std::vector<CompetencyEdge> edges = {
      {a, b, EdgeKind::kPrerequisite}, {b, c, EdgeKind::kPrerequisite}, {a, c, EdgeKind::kRelated}};
  PW_ASSERT_OK(store_->SetEdges(framework_.id, edges));
  auto stored = store_->ListEdges(framework_.id);
  PW_ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 3u);
  EXPECT_EQ((*stored)[2].from, a);
  EXPECT_EQ((*stored)[2].to, c);
  EXPECT_EQ((*stored)[2].kind, EdgeKind::kRelated);
  auto graph = store_->LoadGraph(framework_.id);
  PW_ASSERT_OK(graph);
  EXPECT_EQ(graph->size(), 3);
  EXPECT_EQ(graph->Depth(graph->IndexOf(c)), 2);

  // A cycle is rejected, named, and the stored edges stay as they were.
  std::vector<CompetencyEdge> cyclic = {{a, b, EdgeKind::kPrerequisite},
                                        {b, a, EdgeKind::kPrerequisite}};
  Status s = store_->SetEdges(framework_.id, cyclic);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), fmt::format("framework {}: cycle in prerequisites: 6.EE.A.1 -> 6.EE.A.2 "
                                     "-> 6.EE.A.1",
                                     framework_.id))
      << s.message();
  EXPECT_EQ(store_->ListEdges(framework_.id)->size(), 3u);

  // An edge to another framework's competency.
  Framework other{0, "", "Other", "", ""};
  PW_ASSERT_OK(store_->PutFramework(other));
  Competency foreign;
  foreign.framework_id = other.id;
  foreign.code = "F.1";
  PW_ASSERT_OK(store_->PutCompetency(foreign));
  std::vector<CompetencyEdge> cross = {{a, foreign.id, EdgeKind::kPrerequisite}};
  EXPECT_EQ(store_->SetEdges(framework_.id, cross),
            InvalidArgumentError(fmt::format("framework {}: edge 0: competency {} is not in this "
                                             "framework",
                                             framework_.id, foreign.id)));
  EXPECT_EQ(store_->SetEdges(999, {}), NotFoundError("framework 999 does not exist"));
  EXPECT_EQ(store_->LoadGraph(999).status(), NotFoundError("framework 999 does not exist"));

  // A cycle that reached the database by another route is reported, not hidden.
  ExecRawSql(
      fmt::format("INSERT INTO competency_edges(framework_id, from_id, to_id, kind, position) "
                  "VALUES ({}, {}, {}, 'prerequisite', 99)",
                  framework_.id, c, a));
  auto broken = store_->LoadGraph(framework_.id);
  EXPECT_EQ(broken.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(broken.status().message(),
            fmt::format("framework {}: the stored prerequisite graph is invalid: cycle in "
                        "prerequisites: 6.EE.A.1 -> 6.EE.A.2 -> 6.EE.A.3 -> 6.EE.A.1",
                        framework_.id))
      << broken.status().message();
}

TEST_P(StoreTest, ActivityRoundTripAndChildLists) {
  SeedSchool(0);
  Activity a;
  a.source_id = "https://example.org/xapi/activities/ratios-1";
  a.title = "Ratio tables";
  a.modality = Modality::kSmallGroup;
  a.duration_minutes = 25;
  a.competencies = {competencies_[1], competencies_[0]};
  a.difficulty = -0.75;
  a.tags = {"sports", "money"};
  auto r = store_->PutActivity(a);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  auto found = store_->FindActivityBySourceId(a.source_id);
  PW_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const Activity& g = **found;
  EXPECT_EQ(g.id, a.id);
  EXPECT_EQ(g.title, "Ratio tables");
  EXPECT_EQ(g.modality, Modality::kSmallGroup);
  EXPECT_EQ(g.duration_minutes, 25);
  EXPECT_EQ(g.competencies, a.competencies);
  EXPECT_EQ(g.difficulty, -0.75);
  EXPECT_EQ(g.tags, a.tags);
  EXPECT_EQ(*store_->PutActivity(a), PutOutcome::kUnchanged);
  a.tags = {"money"};
  EXPECT_EQ(*store_->PutActivity(a), PutOutcome::kUpdated);
  a.difficulty = 0.1 + 0.2;  // not representable exactly: must still round-trip bit for bit
  EXPECT_EQ(*store_->PutActivity(a), PutOutcome::kUpdated);
  EXPECT_EQ(store_->GetActivity(a.id)->difficulty, 0.1 + 0.2);
  EXPECT_EQ(*store_->PutActivity(a), PutOutcome::kUnchanged);

  auto all = store_->ListActivities();
  PW_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);  // two seeded
  EXPECT_EQ((*all)[2].tags, std::vector<std::string>{"money"});
  EXPECT_EQ((*all)[0].competencies, std::vector<Id>{competencies_[0]});
  EXPECT_TRUE((*all)[0].tags.empty());
  EXPECT_FALSE(store_->FindActivityBySourceId("nope")->has_value());

  Activity bad;
  bad.title = "Bad";
  bad.competencies = {competencies_[0], 4242};
  EXPECT_EQ(store_->PutActivity(bad).status(),
            InvalidArgumentError("activity: competencies[1] 4242 does not exist"));
  bad.competencies.clear();
  bad.duration_minutes = -5;
  EXPECT_EQ(store_->PutActivity(bad).status(),
            InvalidArgumentError("activity: duration_minutes -5 is negative"));
}

TEST_P(StoreTest, Goals) {
  SeedSchool(1);
  Goal g;
  g.student_id = students_[0];
  g.description = "Master one-step equations";
  g.competencies = {competencies_[2]};
  g.target = DateFromCivil(2026, 12, 1);
  g.status = GoalStatus::kActive;
  g.set_by = teacher_;
  g.created = Timestamp{1'790'000'000'123};
  auto r = store_->PutGoal(g);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  Goal plain;
  plain.student_id = students_[0];
  plain.description = "Read every day";
  PW_ASSERT_OK(store_->PutGoal(plain));
  auto goals = store_->ListGoals(students_[0]);
  PW_ASSERT_OK(goals);
  ASSERT_EQ(goals->size(), 2u);
  const Goal& s = (*goals)[0];
  EXPECT_EQ(s.id, g.id);
  EXPECT_EQ(s.description, g.description);
  EXPECT_EQ(s.competencies, g.competencies);
  EXPECT_EQ(s.target, g.target);
  EXPECT_EQ(s.status, GoalStatus::kActive);
  EXPECT_EQ(s.set_by, teacher_);
  EXPECT_EQ(s.created, g.created);
  EXPECT_EQ((*goals)[1].target, std::nullopt);
  EXPECT_EQ((*goals)[1].set_by, kNoId);
  EXPECT_EQ(*store_->PutGoal(g), PutOutcome::kUnchanged);
  g.status = GoalStatus::kMet;
  EXPECT_EQ(*store_->PutGoal(g), PutOutcome::kUpdated);
  EXPECT_EQ(store_->ListGoals(students_[0])->front().status, GoalStatus::kMet);
  Goal for_teacher;
  for_teacher.student_id = teacher_;
  EXPECT_EQ(store_->PutGoal(for_teacher).status(),
            InvalidArgumentError(
                fmt::format("goal: student_id {} is a teacher, not a student", teacher_)));
}

}  // namespace
}  // namespace pw::testing
