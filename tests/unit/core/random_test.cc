#include "core/random.h"

#include <gtest/gtest.h>

namespace pw {
namespace {

TEST(RngTest, DeterministicForASeed) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
}

TEST(RngTest, DistributionsLookRight) {
  Rng r(1);
  const int n = 200000;
  double sum = 0, sum2 = 0, usum = 0;
  int below = 0;
  for (int i = 0; i < n; ++i) {
    double z = r.Normal();
    sum += z;
    sum2 += z * z;
    double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    usum += u;
    ASSERT_LT(r.Below(10), 10u);
    below += r.Bernoulli(0.3);
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.02);
  EXPECT_NEAR(usum / n, 0.5, 0.005);
  EXPECT_NEAR(static_cast<double>(below) / n, 0.3, 0.005);
}

}  // namespace
}  // namespace pw
