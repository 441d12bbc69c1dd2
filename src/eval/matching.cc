#include "eval/matching.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>

namespace pw::eval {

Result<Eigen::VectorXd> FitLogistic(const Eigen::MatrixXd& x, std::span<const int> y) {
  const Eigen::Index n = x.rows(), p = x.cols();
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  auto loglik = [&](const Eigen::VectorXd& b) {
    Eigen::VectorXd eta = x * b;
    double ll = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double e = eta(i);
      // log(1 + exp(e)) computed stably
      const double log1pexp = e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e));
      ll += (y[i] ? e : 0.0) - log1pexp;
    }
    return ll;
  };
  double ll = loglik(beta);
  for (int iter = 0; iter < 100; ++iter) {
    Eigen::VectorXd eta = x * beta;
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(p);
    Eigen::MatrixXd info = Eigen::MatrixXd::Zero(p, p);
    Eigen::VectorXd w(n), r(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double mu = 1.0 / (1.0 + std::exp(-eta(i)));
      w(i) = mu * (1 - mu);
      r(i) = (y[i] ? 1.0 : 0.0) - mu;
    }
    grad = x.transpose() * r;
    info = x.transpose() * w.asDiagonal() * x;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(info);
    if (ldlt.info() != Eigen::Success)
      return InvalidArgumentError("propensity model: the covariates are collinear");
    Eigen::VectorXd step = ldlt.solve(grad);
    double t = 1.0;
    Eigen::VectorXd next = beta + step;
    double ll_next = loglik(next);
    while (ll_next < ll - 1e-12 && t > 1e-6) {
      t /= 2;
      next = beta + t * step;
      ll_next = loglik(next);
    }
    beta = next;
    const double change = std::fabs(ll_next - ll);
    ll = ll_next;
    if (change < 1e-12 * (std::fabs(ll) + 1e-12) && step.norm() * t < 1e-10 * (1 + beta.norm()))
      return beta;
    if (beta.cwiseAbs().maxCoeff() > 1e6) break;
  }
  return InvalidArgumentError(
      "propensity model did not converge: a covariate separates treated from comparison students "
      "perfectly (every student with some value is treated); match on the pretest instead");
}

namespace {

// Comparison rows by exact-match group (one group when there is no exact variable).
std::map<int, std::vector<int>> ByGroup(const std::vector<int>& controls,
                                        std::span<const int> exact) {
  std::map<int, std::vector<int>> groups;
  for (int c : controls) groups[exact.empty() ? 0 : exact[c]].push_back(c);
  return groups;
}

// Greedy 1:1 matching under the caliper on a general distance: for each treated row in `order`,
// the closest unused comparison row in its exact group (ties: the first in data order).
// O(treated x comparison) distance evaluations.
void GreedyScan(const std::vector<int>& order, const std::vector<int>& controls,
                const std::function<double(int, int)>& dist, std::span<const int> exact,
                double caliper, std::vector<int>& partner) {
  std::fill(partner.begin(), partner.end(), -1);
  auto groups = ByGroup(controls, exact);
  std::vector<char> used(partner.size(), 0);
  for (int t : order) {
    auto g = groups.find(exact.empty() ? 0 : exact[t]);
    if (g == groups.end()) continue;
    int best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (int c : g->second) {
      if (used[c]) continue;
      const double d = dist(t, c);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    if (best >= 0 && best_d <= caliper) {
      used[best] = 1;
      partner[t] = best;
      partner[best] = t;
    }
  }
}

// The same greedy matching on a scalar score (the propensity score), in O(n log n): unused
// comparison rows are kept ordered by (score, row), so the nearest is a neighbour of the
// treated row's score. Ties resolve exactly as GreedyScan's (the lowest row among the closest).
void GreedyScalar(const std::vector<int>& order, const std::vector<int>& controls,
                  const std::vector<double>& score, std::span<const int> exact, double caliper,
                  std::vector<int>& partner) {
  std::fill(partner.begin(), partner.end(), -1);
  std::map<int, std::set<std::pair<double, int>>> groups;
  for (int c : controls) groups[exact.empty() ? 0 : exact[c]].insert({score[c], c});
  for (int t : order) {
    auto g = groups.find(exact.empty() ? 0 : exact[t]);
    if (g == groups.end() || g->second.empty()) continue;
    auto& set = g->second;
    const double x = score[t];
    auto up = set.lower_bound({x, -1});  // first with score >= x, lowest row among equals
    std::pair<double, int> best{0, -1};
    double best_d = std::numeric_limits<double>::infinity();
    if (up != set.end()) {
      best = *up;
      best_d = std::fabs(up->first - x);
    }
    if (up != set.begin()) {
      auto down = std::prev(up);
      down = set.lower_bound({down->first, -1});  // lowest row with that score
      const double d = std::fabs(x - down->first);
      if (d < best_d || (d == best_d && down->second < best.second)) {
        best = *down;
        best_d = d;
      }
    }
    if (best.second >= 0 && best_d <= caliper) {
      set.erase(best);
      partner[t] = best.second;
      partner[best.second] = t;
    }
  }
}

}  // namespace

Result<MatchResult> MatchNearest(const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                                 std::span<const int> treated, std::span<const int> exact,
                                 const MatchOptions& options) {
  const int n = static_cast<int>(x.rows());
  if (static_cast<int>(treated.size()) != n || static_cast<int>(names.size()) != x.cols())
    return InvalidArgumentError("matching: sizes disagree");
  if (!exact.empty() && static_cast<int>(exact.size()) != n)
    return InvalidArgumentError("matching: sizes disagree");
  std::vector<int> trows, crows;
  for (int i = 0; i < n; ++i) (treated[i] ? trows : crows).push_back(i);
  if (trows.empty()) return InvalidArgumentError("matching: there are no treated students");
  if (crows.empty())
    return InvalidArgumentError("matching: there are no comparison students to match to");

  MatchResult res;
  res.n_treated = static_cast<int>(trows.size());
  std::function<double(int, int)> dist;
  std::vector<int> order = trows;
  double unit = 1.0;  // caliper unit
  Eigen::MatrixXd vinv;
  if (options.distance == MatchDistance::kPropensity) {
    Eigen::MatrixXd design(n, x.cols() + 1);
    design.col(0).setOnes();
    design.rightCols(x.cols()) = x;
    PW_ASSIGN_OR_RETURN(res.propensity_coef, FitLogistic(design, treated));
    Eigen::VectorXd eta = design * res.propensity_coef;
    res.propensity.resize(n);
    for (int i = 0; i < n; ++i) res.propensity[i] = 1.0 / (1.0 + std::exp(-eta(i)));
    double mean = 0;
    for (double v : res.propensity) mean += v;
    mean /= n;
    double ss = 0;
    for (double v : res.propensity) ss += (v - mean) * (v - mean);
    unit = std::sqrt(ss / (n - 1));
    const auto& ps = res.propensity;
    dist = [&ps](int t, int c) { return std::fabs(ps[t] - ps[c]); };
    std::stable_sort(order.begin(), order.end(), [&ps](int a, int b) { return ps[a] > ps[b]; });
  } else {
    // Pooled within-group covariance.
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(x.cols(), x.cols());
    for (const auto* rows : {&trows, &crows}) {
      Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(x.cols());
      for (int r : *rows) mean += x.row(r);
      mean /= static_cast<double>(rows->size());
      for (int r : *rows) {
        Eigen::RowVectorXd d = x.row(r) - mean;
        cov += d.transpose() * d;
      }
    }
    cov /= std::max(1, n - 2);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(cov);
    if (ldlt.info() != Eigen::Success ||
        ldlt.vectorD().minCoeff() <= 1e-12 * std::max(1.0, ldlt.vectorD().maxCoeff()))
      return InvalidArgumentError(
          "matching: a matching variable is constant or duplicates another");
    vinv = ldlt.solve(Eigen::MatrixXd::Identity(x.cols(), x.cols()));
    dist = [&x, &vinv](int t, int c) {
      Eigen::VectorXd d = (x.row(t) - x.row(c)).transpose();
      return std::sqrt(d.dot(vinv * d));
    };
  }

  res.balance_before = BalanceTable(x, names, treated);
  res.partner.assign(n, -1);
  double caliper = options.caliper;
  for (int step = 0;; ++step) {
    if (options.distance == MatchDistance::kPropensity) {
      GreedyScalar(order, crows, res.propensity, exact, caliper * unit, res.partner);
    } else {
      GreedyScan(order, crows, dist, exact, caliper * unit, res.partner);
    }
    res.weight.assign(n, 0.0);
    for (int i = 0; i < n; ++i) res.weight[i] = res.partner[i] >= 0 ? 1.0 : 0.0;
    res.n_matched = 0;
    for (int t : trows) res.n_matched += res.partner[t] >= 0 ? 1 : 0;
    res.caliper_used = caliper;
    res.tightening_steps = step;
    if (res.n_matched == 0) {
      return InvalidArgumentError(
          "matching: no treated student has a comparison student within the caliper{}",
          exact.empty() ? "" : " in the same grade");
    }
    res.balance_after = BalanceTable(x, names, treated, res.weight);
    res.balanced = std::all_of(
        res.balance_after.begin(), res.balance_after.end(),
        [&](const BalanceRow& r) { return std::fabs(r.std_diff) <= options.max_std_diff; });
    if (res.balanced || !options.tighten_caliper || step >= options.max_tightening_steps) break;
    // First tightening step: start from the largest distance actually used, then halve.
    if (!std::isfinite(caliper)) {
      double maxd = 0;
      for (int t : trows)
        if (res.partner[t] >= 0) maxd = std::max(maxd, dist(t, res.partner[t]));
      caliper = maxd / unit;
    }
    caliper /= 2;
  }
  for (int t : trows)
    if (res.partner[t] < 0) res.dropped_treated.push_back(t);
  return res;
}

}  // namespace pw::eval
