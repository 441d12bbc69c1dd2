// Ordinary least squares with cluster-robust standard errors.
//
//   RegressionOptions opts;               // CR2 + Bell-McCaffrey df by default
//   PW_ASSIGN_OR_RETURN(RegressionFit fit, FitOls(x, y, cluster, names, opts));
//   const Coefficient& c = fit.Find("treatment");
//
// CR2 is the bias-reduced linearization of Bell & McCaffrey (2002) with the working model
// Phi = I, as clubSandwich::vcovCR(type = "CR2") computes it for lm(); its degrees of freedom
// are the Satterthwaite approximation of Bell & McCaffrey / Pustejovsky & Tipton (2018),
// clubSandwich's coef_test(test = "Satterthwaite"). CR1 is sandwich::vcovCL(type = "HC1"):
// the meat scaled by G/(G-1) * (n-1)/(n-p), with G-1 degrees of freedom. kModel is the classical
// homoskedastic OLS covariance with n-p degrees of freedom. See docs/evaluation.md.
#pragma once

#include <Eigen/Dense>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::eval {

enum class VcovType { kCR2, kCR1, kModel };

struct RegressionOptions {
  VcovType vcov = VcovType::kCR2;  // kCR2 needs clusters; kModel ignores them
  double confidence = 0.95;        // for Coefficient::ci_low / ci_high
};

struct Coefficient {
  std::string name;
  double estimate = 0;
  double se = 0;
  double df = 0;  // degrees of freedom of the t reference distribution
  double t = 0;
  double p_value = 1;  // two-sided
  double ci_low = 0, ci_high = 0;
};

struct RegressionFit {
  std::vector<Coefficient> coefficients;  // in the column order of x
  Eigen::VectorXd beta;
  Eigen::MatrixXd vcov;
  Eigen::VectorXd residuals;
  int n = 0;
  int p = 0;
  int clusters = 0;  // number of distinct clusters (0 when none were given)
  double sigma = 0;  // residual standard deviation, sqrt(RSS / (n - p))
  double r_squared = 0;
  VcovType vcov_type = VcovType::kCR2;

  // The coefficient named `name` (asserts it exists).
  const Coefficient& Find(const std::string& name) const;
};

// Fits y = x b + e. `cluster` holds one code per row in [0, G) (empty for no clustering, which
// only kModel accepts). `names` names the columns of x. Errors (InvalidArgument): sizes that
// disagree, fewer rows than columns, a rank-deficient x (naming the column), fewer than two
// clusters, a constant outcome.
Result<RegressionFit> FitOls(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                             std::span<const int> cluster, const std::vector<std::string>& names,
                             const RegressionOptions& options = {});

// Dense cluster codes 0..G-1 from labels, in order of first appearance.
std::vector<int> ClusterCodes(const std::vector<std::string>& labels, int* groups);

}  // namespace pw::eval
