#include "eval/balance.h"

#include <cmath>

namespace pw::eval {

const char* WwcBandName(WwcBand band) {
  switch (band) {
    case WwcBand::kSatisfied:
      return "satisfied";
    case WwcBand::kNeedsAdjustment:
      return "needs adjustment";
    case WwcBand::kNotSatisfied:
      return "not satisfied";
  }
  return "?";
}

WwcBand WwcBandFor(double d) {
  const double a = std::fabs(d);
  if (!(a <= 0.25)) return WwcBand::kNotSatisfied;  // NaN fails too
  return a <= 0.05 ? WwcBand::kSatisfied : WwcBand::kNeedsAdjustment;
}

double PooledSd(double sd_t, double n_t, double sd_c, double n_c) {
  return std::sqrt(((n_t - 1) * sd_t * sd_t + (n_c - 1) * sd_c * sd_c) / (n_t + n_c - 2));
}

double SmallSampleCorrection(double n_t, double n_c) {
  return 1.0 - 3.0 / (4.0 * (n_t + n_c) - 9.0);
}

std::vector<BalanceRow> BalanceTable(const Eigen::MatrixXd& x,
                                     const std::vector<std::string>& names,
                                     std::span<const int> treated,
                                     std::span<const double> weights) {
  std::vector<BalanceRow> out;
  for (Eigen::Index k = 0; k < x.cols(); ++k) {
    BalanceRow row;
    row.name = names[k];
    double sw[2] = {0, 0}, s1[2] = {0, 0}, s2[2] = {0, 0};
    double count[2] = {0, 0};
    bool binary = true;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double w = weights.empty() ? 1.0 : weights[i];
      if (w <= 0) continue;
      const int g = treated[i] ? 1 : 0;
      const double v = x(i, k);
      if (v != 0 && v != 1) binary = false;
      sw[g] += w;
      s1[g] += w * v;
      count[g] += 1;
    }
    double mean[2] = {s1[0] / sw[0], s1[1] / sw[1]};
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double w = weights.empty() ? 1.0 : weights[i];
      if (w <= 0) continue;
      const int g = treated[i] ? 1 : 0;
      s2[g] += w * (x(i, k) - mean[g]) * (x(i, k) - mean[g]);
    }
    // Weighted variance with the effective size n = number of rows (frequency-style weights
    // in matched samples are 1 for 1:1 matching).
    const double var_c = count[0] > 1 ? s2[0] / sw[0] * count[0] / (count[0] - 1) : 0;
    const double var_t = count[1] > 1 ? s2[1] / sw[1] * count[1] / (count[1] - 1) : 0;
    row.binary = binary;
    row.mean_treated = mean[1];
    row.mean_comparison = mean[0];
    row.sd_treated = std::sqrt(var_t);
    row.sd_comparison = std::sqrt(var_c);
    const double omega = SmallSampleCorrection(count[1], count[0]);
    if (binary) {
      const double pt = mean[1], pc = mean[0];
      if (pt == pc) {
        row.std_diff = 0;
      } else if (pt <= 0 || pt >= 1 || pc <= 0 || pc >= 1) {
        row.std_diff = pt > pc ? INFINITY : -INFINITY;  // all or none: the groups differ entirely
      } else {
        // The Cox index carries no small-sample correction (WWC Procedures Handbook).
        row.std_diff = (std::log(pt / (1 - pt)) - std::log(pc / (1 - pc))) / 1.65;
      }
    } else {
      const double sd = PooledSd(row.sd_treated, count[1], row.sd_comparison, count[0]);
      row.std_diff = sd > 0 ? omega * (mean[1] - mean[0]) / sd : 0;
    }
    row.band = WwcBandFor(row.std_diff);
    out.push_back(row);
  }
  return out;
}

}  // namespace pw::eval
