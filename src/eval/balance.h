// Baseline balance between a treated and a comparison group, in What Works Clearinghouse terms:
// the standardized difference of each baseline measure (Hedges' g with the pooled SD and the
// small-sample correction for continuous measures; the Cox index, ln(odds ratio) / 1.65 without
// a correction, for 0/1 measures), and the WWC band it falls in (<= 0.05 satisfies baseline
// equivalence, 0.05-0.25 requires statistical adjustment for that measure, > 0.25 does not
// satisfy).
#pragma once

#include <Eigen/Dense>
#include <span>
#include <string>
#include <vector>

namespace pw::eval {

enum class WwcBand { kSatisfied, kNeedsAdjustment, kNotSatisfied };
const char* WwcBandName(WwcBand band);  // "satisfied", "needs adjustment", "not satisfied"
WwcBand WwcBandFor(double std_diff);

struct BalanceRow {
  std::string name;
  bool binary = false;
  double mean_treated = 0, mean_comparison = 0;
  double sd_treated = 0, sd_comparison = 0;
  double std_diff = 0;  // Hedges' g (continuous) or Cox index (binary); treated minus comparison
  WwcBand band = WwcBand::kSatisfied;
};

// One row per column of `x`, over the rows with weight > 0 (weights may be empty = all rows).
// `treated` is 0/1 per row.
std::vector<BalanceRow> BalanceTable(const Eigen::MatrixXd& x,
                                     const std::vector<std::string>& names,
                                     std::span<const int> treated,
                                     std::span<const double> weights = {});

// Hedges' g for a difference `diff` with pooled SD computed from the groups' SDs and sizes,
// including the small-sample correction omega = 1 - 3 / (4 (n_t + n_c) - 9).
double PooledSd(double sd_t, double n_t, double sd_c, double n_c);
double SmallSampleCorrection(double n_t, double n_c);

}  // namespace pw::eval
