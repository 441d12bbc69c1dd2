#include "sim/framework_gen.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pw::sim {
namespace {

TEST(FrameworkGenTest, IdsCodesAndAcyclicEdges) {
  Rng rng(3);
  SyntheticFramework f = GenerateFramework({.competencies = 40}, rng);
  ASSERT_EQ(f.competencies.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(f.competencies[i].id, i + 1);
    EXPECT_EQ(f.competencies[i].framework_id, 1);
  }
  EXPECT_EQ(f.competencies[0].code, "S.001");
  EXPECT_EQ(f.competencies[39].code, "S.040");
  ASSERT_FALSE(f.edges.empty());
  for (const CompetencyEdge& e : f.edges) {
    EXPECT_LT(e.from, e.to);
    EXPECT_GE(e.from, e.to - 8) << "prerequisites come from the window before";
    EXPECT_EQ(e.kind, EdgeKind::kPrerequisite);
  }
  Result<CompetencyGraph> g = CompetencyGraph::Build(f.competencies, f.edges);
  PW_ASSERT_OK(g);
  EXPECT_EQ(g->Prerequisites(0).size(), 0u);
  // Chains dominate: most competencies have a prerequisite, and depth grows.
  int with_pre = 0, depth = 0;
  for (int i = 0; i < g->size(); ++i) {
    with_pre += g->Prerequisites(i).empty() ? 0 : 1;
    depth = std::max(depth, g->Depth(i));
  }
  EXPECT_GE(with_pre, 30);
  EXPECT_GE(depth, 10);
}

TEST(FrameworkGenTest, DeterministicForASeedAndDifferentAcrossSeeds) {
  auto edges = [](std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::pair<Id, Id>> out;
    for (const CompetencyEdge& e : GenerateFramework({.competencies = 60}, rng).edges) {
      out.emplace_back(e.from, e.to);
    }
    return out;
  };
  EXPECT_EQ(edges(11), edges(11));
  EXPECT_NE(edges(11), edges(12));
}

TEST(FrameworkGenTest, WideCodesForLargeFrameworks) {
  Rng rng(1);
  SyntheticFramework f = GenerateFramework({.competencies = 1200, .code_prefix = "M"}, rng);
  EXPECT_EQ(f.competencies[0].code, "M.0001");
  EXPECT_EQ(f.competencies[1199].code, "M.1200");
}

TEST(FrameworkGenTest, RejectsEmptyFramework) {
  Rng rng(1);
  Result<CompetencyGraph> g = GenerateFrameworkGraph({.competencies = 0}, rng);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "framework needs at least 1 competency, got 0");
}

}  // namespace
}  // namespace pw::sim
