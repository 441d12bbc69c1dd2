#include "model/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace pw::model {

double Auc(std::span<const double> p, std::span<const std::uint8_t> y) {
  const std::size_t n = std::min(p.size(), y.size());
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return p[a] < p[b]; });
  // Sum of ranks of positives, with tied groups given their average rank.
  double rank_sum = 0;
  std::int64_t pos = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    std::int64_t group_pos = 0;
    while (j < n && p[order[j]] == p[order[i]]) {
      group_pos += y[order[j]] ? 1 : 0;
      ++j;
    }
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    rank_sum += avg_rank * static_cast<double>(group_pos);
    pos += group_pos;
    i = j;
  }
  const std::int64_t neg = static_cast<std::int64_t>(n) - pos;
  if (pos == 0 || neg == 0) return 0.5;
  const double dp = static_cast<double>(pos), dn = static_cast<double>(neg);
  return (rank_sum - dp * (dp + 1) / 2.0) / (dp * dn);
}

KtMetrics ComputeMetrics(std::span<const double> p, std::span<const std::uint8_t> y) {
  KtMetrics m;
  const std::size_t n = std::min(p.size(), y.size());
  m.n = static_cast<std::int64_t>(n);
  if (n == 0) return m;
  double se = 0, ll = 0;
  std::int64_t right = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double q = std::clamp(p[i], 1e-15, 1 - 1e-15);
    const double t = y[i] ? 1.0 : 0.0;
    se += (p[i] - t) * (p[i] - t);
    ll += y[i] ? std::log(q) : std::log1p(-q);
    right += ((p[i] >= 0.5) == (y[i] != 0)) ? 1 : 0;
  }
  m.auc = Auc(p.subspan(0, n), y.subspan(0, n));
  m.rmse = std::sqrt(se / static_cast<double>(n));
  m.loglik = ll;
  m.logloss = -ll / static_cast<double>(n);
  m.accuracy = static_cast<double>(right) / static_cast<double>(n);
  return m;
}

}  // namespace pw::model
