// Linear mixed model with one random intercept per group (students in schools), fitted by
// restricted maximum likelihood (REML), as lme4::lmer(y ~ x + (1 | school), REML = TRUE).
//
//   y_ij = x_ij' b + u_j + e_ij,  u_j ~ N(0, sigma2_between),  e_ij ~ N(0, sigma2_within)
//
// With one grouping factor the REML criterion depends on the data only through per-group
// sufficient statistics (n_j, X_j'X_j, X_j'y_j, y_j'y_j and the column sums), so a fit is one
// pass over the rows followed by a one-dimensional optimization over the variance ratio whose
// every step costs O(groups * p^2 + p^3) -- independent of the number of students.
//
//   RandomInterceptAccumulator acc(p, groups);
//   for (each row) acc.Add(x_row, y, group);
//   PW_ASSIGN_OR_RETURN(RandomInterceptFit fit, acc.Fit(names));
#pragma once

#include <Eigen/Dense>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::eval {

struct RemlOptions {
  double confidence = 0.95;
  // Tolerance on theta = sqrt(sigma2_between / sigma2_within) at the optimum.
  double theta_tolerance = 1e-11;
};

struct RandomInterceptFit {
  std::vector<std::string> names;
  Eigen::VectorXd beta;
  Eigen::MatrixXd vcov;  // of beta, as lme4's vcov()
  Eigen::VectorXd se;
  double sigma2_within = 0;   // residual variance
  double sigma2_between = 0;  // variance of the group intercepts
  double icc = 0;             // sigma2_between / (sigma2_between + sigma2_within)
  double theta = 0;           // sqrt(sigma2_between / sigma2_within), lme4's getME(fit, "theta")
  double reml_criterion = 0;  // -2 * restricted log-likelihood, lme4's REMLcrit()
  long long n = 0;
  int groups = 0;  // groups with at least one row
  // Per group (indexed by the codes passed in): conditional mode of u_j (lme4's ranef) and its
  // conditional standard deviation (lme4's condVar, given beta). NaN for empty groups.
  std::vector<double> group_effect;
  std::vector<double> group_effect_sd;
  std::vector<long long> group_size;
};

class RandomInterceptAccumulator {
 public:
  RandomInterceptAccumulator(int p, int groups);
  // Adds one row: p covariates (including the intercept column if wanted), outcome, group code.
  void Add(const double* x, double y, int group);
  void Add(std::span<const double> x, double y, int group) { Add(x.data(), y, group); }
  // Adds another accumulator's sums (same p and groups), e.g. from another thread.
  void Merge(const RandomInterceptAccumulator& other);
  Result<RandomInterceptFit> Fit(const std::vector<std::string>& names,
                                 const RemlOptions& options = {}) const;

 private:
  int p_, groups_;
  std::vector<long long> n_;
  std::vector<double> xtx_;  // groups * p * p
  std::vector<double> xty_;  // groups * p
  std::vector<double> xs_;   // groups * p: column sums
  std::vector<double> ys_;   // groups
  std::vector<double> yy_;   // groups
};

// Convenience over a dense design: rows of x, outcomes y, group codes in [0, G).
Result<RandomInterceptFit> FitRandomIntercept(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                              std::span<const int> group,
                                              const std::vector<std::string>& names,
                                              const RemlOptions& options = {});

}  // namespace pw::eval
