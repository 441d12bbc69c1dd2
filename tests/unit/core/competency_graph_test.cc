#include "core/competency_graph.h"

#include <gtest/gtest.h>

namespace pw {
namespace {

std::vector<Competency> Chain() {
  return {{1, 1, "", "5.NF.B.4", "", "5"}, {2, 1, "", "6.EE.A.1", "", "6"},
          {3, 1, "", "6.EE.A.2", "", "6"}, {4, 1, "", "7.EE.A.1", "", "7"}};
}

TEST(CompetencyGraphTest, OrdersPrerequisites) {
  auto g = CompetencyGraph::Build(Chain(), {{1, 3}, {2, 3}, {3, 4}, {1, 2, EdgeKind::kRelated}});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<int> pos(4);
  for (size_t i = 0; i < 4; ++i) pos[g->TopologicalOrder()[i]] = static_cast<int>(i);
  EXPECT_LT(pos[0], pos[2]);
  EXPECT_LT(pos[1], pos[2]);
  EXPECT_LT(pos[2], pos[3]);
  EXPECT_EQ(g->Depth(3), 2);
  EXPECT_EQ(g->Prerequisites(2).size(), 2u);
  EXPECT_EQ(g->Related(0).size(), 1u);
  EXPECT_EQ(g->IndexOfCode("6.EE.A.2"), 2);
  EXPECT_EQ(g->IndexOf(99), -1);
  // Nothing mastered: the two roots are ready. 5.NF.B.4 and 6.EE.A.1 mastered: 6.EE.A.2 opens.
  EXPECT_EQ(g->ReadyToLearn({false, false, false, false}), (std::vector<int>{0, 1}));
  EXPECT_EQ(g->ReadyToLearn({true, true, false, false}), (std::vector<int>{2}));
}

TEST(CompetencyGraphTest, NamesTheCycle) {
  auto g = CompetencyGraph::Build(Chain(), {{1, 2}, {2, 3}, {3, 1}});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "cycle in prerequisites: 5.NF.B.4 -> 6.EE.A.1 -> 6.EE.A.2 -> 5.NF.B.4");
}

TEST(CompetencyGraphTest, RejectsBadEdges) {
  EXPECT_EQ(CompetencyGraph::Build(Chain(), {{1, 9}}).status().message(),
            "edge 5.NF.B.4 -> 9 names an unknown competency");
  EXPECT_EQ(CompetencyGraph::Build(Chain(), {{2, 2}}).status().message(),
            "competency 6.EE.A.1 is its own prerequisite");
  auto dup = Chain();
  dup[1].code = "5.NF.B.4";
  EXPECT_EQ(CompetencyGraph::Build(dup, {}).status().message(),
            "competency code \"5.NF.B.4\" appears twice");
}

}  // namespace
}  // namespace pw
