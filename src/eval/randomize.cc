#include "eval/randomize.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace pw::eval {

Result<Assignment> AssignBlocked(const std::vector<std::string>& block,
                                 const Eigen::MatrixXd& baseline,
                                 const std::vector<std::string>& names, const AssignOptions& o) {
  const int n = static_cast<int>(baseline.rows());
  if (!block.empty() && static_cast<int>(block.size()) != n)
    return InvalidArgumentError("assignment: {} block labels for {} students", block.size(), n);
  if (n < 2) return InvalidArgumentError("assignment: need at least 2 students, got {}", n);
  if (o.max_draws < 1) return InvalidArgumentError("assignment: --max-draws must be at least 1");
  std::map<std::string, std::vector<int>> blocks;
  for (int i = 0; i < n; ++i) blocks[block.empty() ? std::string() : block[i]].push_back(i);

  Rng rng(o.seed);
  Assignment best;
  double best_worst = INFINITY;
  std::vector<int> treated(n);
  for (int draw = 1; draw <= o.max_draws; ++draw) {
    for (auto& [label, members] : blocks) {
      std::vector<int> order = members;
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
      std::size_t half = order.size() / 2;
      if (order.size() % 2 == 1 && rng.Bernoulli(0.5)) ++half;
      for (std::size_t i = 0; i < order.size(); ++i) treated[order[i]] = i < half ? 1 : 0;
    }
    std::vector<BalanceRow> bal = BalanceTable(baseline, names, treated);
    double worst = 0;
    for (const auto& b : bal)
      worst = std::max(worst, std::isnan(b.std_diff) ? INFINITY : std::fabs(b.std_diff));
    if (worst < best_worst) {
      best_worst = worst;
      best.treated = treated;
      best.draw = draw;
      best.balance = std::move(bal);
    }
    if (worst <= o.max_std_diff) {
      best.balanced = true;
      break;
    }
  }
  best.seed = o.seed;
  return best;
}

}  // namespace pw::eval
