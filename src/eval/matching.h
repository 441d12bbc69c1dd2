// Matched comparison: 1:1 greedy nearest-neighbour matching without replacement of each treated
// student to a comparison student, on the pretest and covariates (Mahalanobis distance) or on
// a propensity score from a logistic regression, optionally exactly within a grouping such as
// grade, with a caliper. When `tighten_caliper` is set the caliper is tightened until every
// baseline measure's standardized difference is at most `max_std_diff` (0.25 SD, as the
// Department of Education's Rapid Cycle Evaluation Coach does), and the treated students that
// could not be matched are reported.
//
// With distance = kPropensity the procedure is MatchIt's default
//   matchit(treat ~ covariates, method = "nearest", distance = "glm")
// (treated students taken in descending order of the propensity score, ties to the first
// comparison student in data order, caliper in SDs of the propensity score).
#pragma once

#include <Eigen/Dense>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/balance.h"

namespace pw::eval {

enum class MatchDistance { kMahalanobis, kPropensity };

struct MatchOptions {
  MatchDistance distance = MatchDistance::kMahalanobis;
  // Maximum distance of a match: for kPropensity in SDs of the propensity score, for
  // kMahalanobis in Mahalanobis units. Infinity = no caliper.
  double caliper = std::numeric_limits<double>::infinity();
  bool tighten_caliper = true;    // shrink the caliper until balance holds (see above)
  double max_std_diff = 0.25;     // balance target for tightening
  int max_tightening_steps = 12;  // each step halves the caliper
};

struct MatchResult {
  // Per row: the row index of its matched comparison student (for treated rows), -1 if not
  // matched; for comparison rows the treated row they were matched to, or -1.
  std::vector<int> partner;
  std::vector<double> weight;       // 1 for matched rows, 0 otherwise
  std::vector<double> propensity;   // per row (kPropensity only)
  Eigen::VectorXd propensity_coef;  // intercept first, then the covariates (kPropensity only)
  int n_treated = 0, n_matched = 0;
  double caliper_used = std::numeric_limits<double>::infinity();  // in the options' units
  int tightening_steps = 0;
  bool balanced = false;             // every |std diff| <= max_std_diff after matching
  std::vector<int> dropped_treated;  // treated rows without a match
  std::vector<BalanceRow> balance_before, balance_after;
};

// `x`: one column per baseline measure (pretest first, then covariates) named by `names`;
// `treated`: 0/1 per row; `exact`: group codes to match exactly within (empty = none).
// Errors: no treated or no comparison students, a group without comparison students for every
// treated student is not an error (those are dropped), a propensity model that does not
// converge (perfect separation), names.
Result<MatchResult> MatchNearest(const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                                 std::span<const int> treated, std::span<const int> exact,
                                 const MatchOptions& options = {});

// Logistic regression by Newton-Raphson (IRLS); x should include an intercept column.
// Errors: separation (non-convergence) named as such.
Result<Eigen::VectorXd> FitLogistic(const Eigen::MatrixXd& x, std::span<const int> y);

}  // namespace pw::eval
