#include "eval/reml.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"

namespace pw::eval {
namespace {

const std::vector<std::string> kNames{"(Intercept)", "pre"};

void Simulate(int n, int groups, double sd_u, std::uint64_t seed, Eigen::MatrixXd* x,
              Eigen::VectorXd* y, std::vector<int>* g) {
  Rng rng(seed);
  std::vector<double> u(groups);
  for (auto& v : u) v = rng.Normal(0, sd_u);
  x->resize(n, 2);
  y->resize(n);
  g->resize(n);
  for (int i = 0; i < n; ++i) {
    (*g)[i] = static_cast<int>(rng.Below(groups));
    (*x)(i, 0) = 1;
    (*x)(i, 1) = rng.Normal();
    (*y)(i) = 0.5 + 0.7 * (*x)(i, 1) + u[(*g)[i]] + rng.Normal();
  }
}

TEST(RemlTest, RecoversSimulatedVarianceComponents) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<int> g;
  Simulate(20000, 100, 0.5, 5, &x, &y, &g);
  auto fit = FitRandomIntercept(x, y, g, kNames);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->beta(1), 0.7, 0.03);
  EXPECT_NEAR(fit->sigma2_within, 1.0, 0.05);
  EXPECT_NEAR(fit->sigma2_between, 0.25, 0.1);
  EXPECT_NEAR(fit->icc, fit->sigma2_between / (fit->sigma2_between + fit->sigma2_within), 1e-15);
}

TEST(RemlTest, NoSchoolVarianceGivesOlsAtTheBoundary) {
  // Groups of identical composition with no group effect at all: theta is 0 and the fit is OLS.
  Eigen::MatrixXd x(40, 2);
  Eigen::VectorXd y(40);
  std::vector<int> g(40);
  for (int i = 0; i < 40; ++i) {
    g[i] = i / 10;
    x(i, 0) = 1;
    x(i, 1) = i % 10;
    y(i) = (i % 10) + ((i % 2) ? 0.5 : -0.5);
  }
  auto fit = FitRandomIntercept(x, y, g, kNames);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->theta, 0.0);
  Eigen::VectorXd ols = (x.transpose() * x).ldlt().solve(x.transpose() * y);
  EXPECT_NEAR(fit->beta(1), ols(1), 1e-12);
}

TEST(RemlTest, MergedAccumulatorsGiveTheSameFit) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<int> g;
  Simulate(3000, 30, 0.3, 9, &x, &y, &g);
  RandomInterceptAccumulator a(2, 30), b(2, 30), all(2, 30);
  for (int i = 0; i < 3000; ++i) {
    const double row[2] = {x(i, 0), x(i, 1)};
    (i < 1500 ? a : b).Add(row, y(i), g[i]);
    all.Add(row, y(i), g[i]);
  }
  a.Merge(b);
  auto f1 = a.Fit(kNames);
  auto f2 = all.Fit(kNames);
  ASSERT_TRUE(f1.ok() && f2.ok());
  // Same sums up to rounding (the order of additions differs).
  EXPECT_NEAR(f1->beta(1), f2->beta(1), 1e-9);
  EXPECT_NEAR(f1->sigma2_between, f2->sigma2_between, 1e-6 * f2->sigma2_between);
}

TEST(RemlTest, RejectsDegenerateData) {
  Eigen::MatrixXd x(4, 2);
  x << 1, 0, 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd y(4);
  y << 1, 2, 3, 5;
  std::vector<int> each{0, 1, 2, 3};
  EXPECT_EQ(FitRandomIntercept(x, y, each, kNames).status().message(),
            "multilevel model: every school has a single student; school and student variance "
            "cannot be told apart");
  std::vector<int> one{0, 0, 0, 0};
  EXPECT_EQ(FitRandomIntercept(x, y, one, kNames).status().message(),
            "multilevel model: needs at least 2 schools, got 1");
  Eigen::VectorXd flat = Eigen::VectorXd::Constant(4, 3.0);
  std::vector<int> two{0, 0, 1, 1};
  EXPECT_EQ(FitRandomIntercept(x, flat, two, kNames).status().message(),
            "the outcome is constant for all 4 students; there is no variation to explain");
}

}  // namespace
}  // namespace pw::eval
