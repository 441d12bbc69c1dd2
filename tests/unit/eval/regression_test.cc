#include "eval/regression.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"

namespace pw::eval {
namespace {

struct Data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<int> cluster;
};

Data Simulate(int n, int groups, std::uint64_t seed) {
  Rng rng(seed);
  Data d;
  d.x.resize(n, 3);
  d.y.resize(n);
  std::vector<double> u(groups);
  for (auto& v : u) v = rng.Normal(0, 0.5);
  for (int i = 0; i < n; ++i) {
    const int g = i % groups;
    d.x(i, 0) = 1;
    d.x(i, 1) = g % 2;  // cluster-level treatment
    d.x(i, 2) = rng.Normal();
    d.y(i) = 1 + 0.3 * d.x(i, 1) + 0.5 * d.x(i, 2) + u[g] + rng.Normal(0, 1 + std::fabs(d.x(i, 2)));
    d.cluster.push_back(g);
  }
  return d;
}

const std::vector<std::string> kNames{"(Intercept)", "treat", "pre"};

// With every row its own cluster, CR2 is the HC2 estimator: (X'X)^-1 sum x x' e^2/(1-h) (X'X)^-1.
TEST(RegressionTest, Cr2WithSingletonClustersIsHc2) {
  Data d = Simulate(60, 6, 7);
  std::vector<int> own(60);
  for (int i = 0; i < 60; ++i) own[i] = i;
  auto fit = FitOls(d.x, d.y, own, kNames);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  Eigen::MatrixXd m = (d.x.transpose() * d.x).inverse();
  Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(3, 3);
  for (int i = 0; i < 60; ++i) {
    const double h = d.x.row(i) * m * d.x.row(i).transpose();
    const double e = fit->residuals(i);
    meat += d.x.row(i).transpose() * d.x.row(i) * (e * e / (1 - h));
  }
  Eigen::MatrixXd hc2 = m * meat * m;
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(fit->vcov(k, k), hc2(k, k), 1e-12 * hc2(k, k));
}

TEST(RegressionTest, Cr1IsTheScaledSandwich) {
  Data d = Simulate(80, 8, 3);
  RegressionOptions o;
  o.vcov = VcovType::kCR1;
  auto fit = FitOls(d.x, d.y, d.cluster, kNames, o);
  ASSERT_TRUE(fit.ok());
  Eigen::MatrixXd m = (d.x.transpose() * d.x).inverse();
  Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(3, 3);
  for (int g = 0; g < 8; ++g) {
    Eigen::Vector3d s = Eigen::Vector3d::Zero();
    for (int i = 0; i < 80; ++i)
      if (d.cluster[i] == g) s += d.x.row(i).transpose() * fit->residuals(i);
    meat += s * s.transpose();
  }
  const double adj = 8.0 / 7.0 * 79.0 / 77.0;
  Eigen::MatrixXd v = adj * m * meat * m;
  EXPECT_NEAR(fit->vcov(1, 1), v(1, 1), 1e-12 * v(1, 1));
  EXPECT_EQ(fit->coefficients[1].df, 7);
}

TEST(RegressionTest, Cr2DegreesOfFreedomAreAtMostClustersMinusOne) {
  Data d = Simulate(200, 10, 11);
  auto fit = FitOls(d.x, d.y, d.cluster, kNames);
  ASSERT_TRUE(fit.ok());
  for (const auto& c : fit->coefficients) {
    EXPECT_GT(c.df, 1.0) << c.name;
    EXPECT_LE(c.df, 9.0 + 1e-9) << c.name;
    EXPECT_LT(c.ci_low, c.estimate);
    EXPECT_GT(c.ci_high, c.estimate);
  }
}

TEST(RegressionTest, RejectsBadInput) {
  Data d = Simulate(30, 3, 1);
  Eigen::VectorXd flat = Eigen::VectorXd::Constant(30, 2.5);
  EXPECT_EQ(FitOls(d.x, flat, d.cluster, kNames).status().message(),
            "the outcome is constant (2.5) for all 30 students; there is no variation to explain");
  Eigen::MatrixXd dup = d.x;
  dup.col(2) = dup.col(1) * 2;
  EXPECT_EQ(FitOls(dup, d.y, d.cluster, kNames).status().message(),
            "regression: column \"pre\" is constant or a combination of the other columns");
  std::vector<int> one(30, 0);
  EXPECT_EQ(FitOls(d.x, d.y, one, kNames).status().message(),
            "regression: cluster-robust standard errors need at least 2 clusters, got 1");
  EXPECT_EQ(FitOls(d.x, d.y, {}, kNames).status().message(),
            "regression: cluster-robust standard errors need a cluster column");
}

}  // namespace
}  // namespace pw::eval
