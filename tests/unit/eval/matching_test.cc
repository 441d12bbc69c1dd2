#include "eval/matching.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/random.h"

namespace pw::eval {
namespace {

TEST(MatchingTest, NearestNeighbourWithinGradeWithoutReplacement) {
  // Pretest only. Treated rows 0 (grade A, 10) and 1 (grade B, 10); comparisons 2 (A, 11),
  // 3 (B, 30), 4 (B, 10.5), 5 (A, 10.2).
  Eigen::MatrixXd x(6, 1);
  x << 10, 10, 11, 30, 10.5, 10.2;
  std::vector<int> treated{1, 1, 0, 0, 0, 0};
  std::vector<int> grade{0, 1, 0, 1, 1, 0};
  MatchOptions o;
  o.tighten_caliper = false;
  auto m = MatchNearest(x, {"pretest"}, treated, grade, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->partner[0], 5);
  EXPECT_EQ(m->partner[1], 4);
  EXPECT_EQ(m->partner[5], 0);
  EXPECT_EQ(m->n_matched, 2);
  EXPECT_TRUE(m->dropped_treated.empty());
}

TEST(MatchingTest, TighteningDropsTheUnmatchableAndSaysSo) {
  // Treated students with pretest 0..9 and one at 100; comparisons close to 0..9 and one at 20.
  const int n = 22;
  Eigen::MatrixXd x(n, 1);
  std::vector<int> treated(n);
  for (int i = 0; i < 10; ++i) {
    x(i, 0) = i;
    treated[i] = 1;
    x(10 + i, 0) = i + 0.1;
    treated[10 + i] = 0;
  }
  x(20, 0) = 100;
  treated[20] = 1;
  x(21, 0) = 20;
  treated[21] = 0;
  auto m = MatchNearest(x, {"pretest"}, treated, {}, {});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->balanced);
  EXPECT_GT(m->tightening_steps, 0);
  ASSERT_EQ(m->dropped_treated.size(), 1u);
  EXPECT_EQ(m->dropped_treated[0], 20);
  EXPECT_LE(std::fabs(m->balance_after[0].std_diff), 0.25);
  EXPECT_GT(std::fabs(m->balance_before[0].std_diff), 0.25);
}

// The O(n log n) propensity-score matcher gives exactly the pairs of a brute-force greedy scan
// (closest unused comparison, ties to the first in data order), with many tied scores.
TEST(MatchingTest, PropensityMatcherEqualsBruteForce) {
  Rng rng(17);
  const int n = 400;
  Eigen::MatrixXd x(n, 2);
  std::vector<int> treated(n), grade(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = static_cast<double>(rng.Below(8));  // discrete: many ties
    x(i, 1) = rng.Bernoulli(0.5);
    treated[i] = rng.Bernoulli(0.3 + 0.05 * x(i, 0));
    grade[i] = static_cast<int>(rng.Below(2));
  }
  MatchOptions o;
  o.distance = MatchDistance::kPropensity;
  o.tighten_caliper = false;
  o.caliper = 0.05;
  auto m = MatchNearest(x, {"pre", "girl"}, treated, grade, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& ps = m->propensity;
  double mean = 0, ss = 0;
  for (double v : ps) mean += v / n;
  for (double v : ps) ss += (v - mean) * (v - mean);
  const double caliper = 0.05 * std::sqrt(ss / (n - 1));
  std::vector<int> order;
  for (int i = 0; i < n; ++i)
    if (treated[i]) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return ps[a] > ps[b]; });
  std::vector<int> partner(n, -1);
  std::vector<char> used(n, 0);
  for (int t : order) {
    int best = -1;
    double best_d = INFINITY;
    for (int c = 0; c < n; ++c) {
      if (treated[c] || used[c] || grade[c] != grade[t]) continue;
      const double d = std::fabs(ps[t] - ps[c]);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    if (best >= 0 && best_d <= caliper) {
      used[best] = 1;
      partner[t] = best;
      partner[best] = t;
    }
  }
  EXPECT_EQ(m->partner, partner);
  EXPECT_GT(m->n_matched, 50);
}

TEST(MatchingTest, Errors) {
  Eigen::MatrixXd x(3, 1);
  x << 1, 2, 3;
  EXPECT_EQ(MatchNearest(x, {"pretest"}, std::vector<int>{1, 1, 1}, {}, {}).status().message(),
            "matching: there are no comparison students to match to");
  EXPECT_EQ(MatchNearest(x, {"pretest"}, std::vector<int>{0, 0, 0}, {}, {}).status().message(),
            "matching: there are no treated students");
  // Perfect separation in the propensity model.
  Eigen::MatrixXd s(6, 1);
  s << 1, 2, 3, 10, 11, 12;
  MatchOptions o;
  o.distance = MatchDistance::kPropensity;
  auto r = MatchNearest(s, {"pretest"}, std::vector<int>{0, 0, 0, 1, 1, 1}, {}, o);
  EXPECT_NE(r.status().message().find("propensity model did not converge"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace pw::eval
