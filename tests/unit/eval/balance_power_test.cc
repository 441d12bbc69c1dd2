#include <gtest/gtest.h>

#include <cmath>

#include "eval/balance.h"
#include "eval/distributions.h"
#include "eval/power.h"
#include "eval/randomize.h"

namespace pw::eval {
namespace {

TEST(BalanceTest, HedgesGAndCoxIndexByHand) {
  // Continuous: treated {1,2,3}, comparison {2,3,4}: means 2 and 3, SDs 1, pooled 1,
  // omega = 1 - 3/(4*6-9) = 0.8 -> g = -0.8. Binary: 2/3 vs 1/3 -> ln(2/0.5)/1.65.
  Eigen::MatrixXd x(6, 2);
  x << 1, 1, 2, 1, 3, 0, 2, 1, 3, 0, 4, 0;
  std::vector<int> t{1, 1, 1, 0, 0, 0};
  auto rows = BalanceTable(x, {"pre", "girl"}, t);
  EXPECT_NEAR(rows[0].std_diff, -0.8, 1e-12);
  EXPECT_FALSE(rows[0].binary);
  EXPECT_EQ(rows[0].band, WwcBand::kNotSatisfied);
  EXPECT_TRUE(rows[1].binary);
  EXPECT_NEAR(rows[1].std_diff, std::log(4.0) / 1.65, 1e-12);
  EXPECT_EQ(WwcBandFor(0.05), WwcBand::kSatisfied);
  EXPECT_EQ(WwcBandFor(-0.2), WwcBand::kNeedsAdjustment);
  EXPECT_EQ(WwcBandFor(0.2501), WwcBand::kNotSatisfied);
}

TEST(PowerTest, IndividualAndClusterMdeByHand) {
  PowerOptions o;
  o.students = 400;
  auto r = ComputePower(o);
  ASSERT_TRUE(r.ok());
  const double m = TQuantile(0.975, 398) + TQuantile(0.8, 398);
  EXPECT_NEAR(r->mde, m * std::sqrt(1.0 / (0.25 * 400)), 1e-12);

  PowerOptions c;
  c.students = 20;
  c.clusters = 40;
  c.icc = 0.2;
  c.r2_student = 0.5;
  c.r2_cluster = 0.5;
  c.effect = 0.2;
  auto rc = ComputePower(c);
  ASSERT_TRUE(rc.ok());
  const double se = std::sqrt(0.2 * 0.5 / (0.25 * 40) + 0.8 * 0.5 / (0.25 * 40 * 20));
  EXPECT_NEAR(rc->se, se, 1e-12);
  EXPECT_NEAR(rc->mde, (TQuantile(0.975, 38) + TQuantile(0.8, 38)) * se, 1e-12);
  EXPECT_LT(rc->power_at_effect, 0.8);
  EXPECT_GT(rc->required, 40);
  // At the required number of clusters the power reaches 80%, one fewer does not.
  c.clusters = static_cast<int>(rc->required);
  EXPECT_GE(ComputePower(c)->power_at_effect, 0.8);
  c.clusters -= 1;
  EXPECT_LT(ComputePower(c)->power_at_effect, 0.8);
  // The MDE has 80% power by construction (up to the one-tail approximation).
  c.clusters = 40;
  c.effect = rc->mde;
  EXPECT_NEAR(ComputePower(c)->power_at_effect, 0.8, 1e-3);
}

TEST(PowerTest, Errors) {
  PowerOptions o;
  o.students = 2;
  EXPECT_EQ(ComputePower(o).status().message(),
            "power: 2 students is too few (need at least 3 with 0 covariates)");
  o.students = 100;
  o.clusters = 10;
  o.icc = 1.5;
  EXPECT_EQ(ComputePower(o).status().message(), "power: --icc must be in [0, 1), got 1.5");
}

TEST(RandomizeTest, BlockedDeterministicAndBalanced) {
  const int n = 120;
  Eigen::MatrixXd x(n, 1);
  std::vector<std::string> block(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = (i * 37) % 101;
    block[i] = i < 61 ? "A" : "B";  // 61 and 59 students
  }
  AssignOptions o;
  o.seed = 42;
  auto a = AssignBlocked(block, x, {"pre"}, o);
  auto b = AssignBlocked(block, x, {"pre"}, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->treated, b->treated);
  EXPECT_TRUE(a->balanced);
  EXPECT_LE(std::fabs(a->balance[0].std_diff), 0.05);
  int in_a = 0, in_b = 0;
  for (int i = 0; i < n; ++i) (i < 61 ? in_a : in_b) += a->treated[i];
  EXPECT_TRUE(in_a == 30 || in_a == 31);
  EXPECT_TRUE(in_b == 29 || in_b == 30);
  o.seed = 43;
  EXPECT_NE(AssignBlocked(block, x, {"pre"}, o)->treated, a->treated);
}

}  // namespace
}  // namespace pw::eval
