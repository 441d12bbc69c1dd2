#include "eval/reml.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace pw::eval {
namespace {

// Everything the REML criterion needs at one value of gamma = sigma2_between / sigma2_within.
struct Profile {
  double criterion = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd a;  // X' V^{-1} X * sigma2_within
  Eigen::VectorXd beta;
  double rss = 0;  // (y - Xb)' V^{-1} (y - Xb) * sigma2_within
  bool ok = false;
};

}  // namespace

RandomInterceptAccumulator::RandomInterceptAccumulator(int p, int groups)
    : p_(p),
      groups_(groups),
      n_(groups, 0),
      xtx_(static_cast<std::size_t>(groups) * p * p, 0.0),
      xty_(static_cast<std::size_t>(groups) * p, 0.0),
      xs_(static_cast<std::size_t>(groups) * p, 0.0),
      ys_(groups, 0.0),
      yy_(groups, 0.0) {}

void RandomInterceptAccumulator::Add(const double* x, double y, int g) {
  ++n_[g];
  double* xtx = &xtx_[static_cast<std::size_t>(g) * p_ * p_];
  double* xty = &xty_[static_cast<std::size_t>(g) * p_];
  double* xs = &xs_[static_cast<std::size_t>(g) * p_];
  for (int a = 0; a < p_; ++a) {
    const double xa = x[a];
    xs[a] += xa;
    xty[a] += xa * y;
    double* row = xtx + a * p_;
    for (int b = 0; b <= a; ++b) row[b] += xa * x[b];  // lower triangle; mirrored in Fit
  }
  ys_[g] += y;
  yy_[g] += y * y;
}

void RandomInterceptAccumulator::Merge(const RandomInterceptAccumulator& o) {
  for (std::size_t i = 0; i < n_.size(); ++i) n_[i] += o.n_[i];
  for (std::size_t i = 0; i < xtx_.size(); ++i) xtx_[i] += o.xtx_[i];
  for (std::size_t i = 0; i < xty_.size(); ++i) xty_[i] += o.xty_[i];
  for (std::size_t i = 0; i < xs_.size(); ++i) xs_[i] += o.xs_[i];
  for (std::size_t i = 0; i < ys_.size(); ++i) ys_[i] += o.ys_[i];
  for (std::size_t i = 0; i < yy_.size(); ++i) yy_[i] += o.yy_[i];
}

Result<RandomInterceptFit> RandomInterceptAccumulator::Fit(const std::vector<std::string>& names,
                                                           const RemlOptions& options) const {
  const int p = p_;
  if (static_cast<int>(names.size()) != p)
    return InvalidArgumentError("multilevel model: {} columns but {} names", p, names.size());
  // Pooled sums (gamma-independent parts).
  Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(p, p);
  Eigen::VectorXd xty = Eigen::VectorXd::Zero(p);
  double yy = 0, ysum = 0;
  long long n = 0;
  int groups = 0, singletons = 0;
  for (int g = 0; g < groups_; ++g) {
    if (n_[g] == 0) continue;
    ++groups;
    singletons += n_[g] == 1 ? 1 : 0;
    n += n_[g];
    for (int a = 0; a < p; ++a) {
      for (int b = 0; b <= a; ++b) xtx(a, b) += xtx_[(static_cast<std::size_t>(g) * p + a) * p + b];
      xty(a) += xty_[static_cast<std::size_t>(g) * p + a];
    }
    yy += yy_[g];
    ysum += ys_[g];
  }
  xtx = xtx.selfadjointView<Eigen::Lower>();
  if (n <= p + 1)
    return InvalidArgumentError("multilevel model: {} students is too few for {} coefficients", n,
                                p);
  if (groups < 2)
    return InvalidArgumentError("multilevel model: needs at least 2 schools, got {}", groups);
  if (singletons == groups)
    return InvalidArgumentError(
        "multilevel model: every school has a single student; school and student variance cannot "
        "be told apart");
  const double ymean = ysum / n;
  if (yy - n * ymean * ymean <= 1e-12 * std::max(1.0, yy))
    return InvalidArgumentError(
        "the outcome is constant for all {} students; there is no variation to explain", n);
  {
    Eigen::LDLT<Eigen::MatrixXd> l(xtx);
    const Eigen::VectorXd d = l.vectorD();
    if (l.info() != Eigen::Success || d.minCoeff() <= 1e-10 * std::max(1.0, d.maxCoeff()))
      return InvalidArgumentError(
          "multilevel model: the columns are collinear (a constant or duplicated covariate)");
  }

  // Per-group gamma-dependent corrections: V_j^{-1} sigma2 = I - c_j 1 1', c_j = gamma/(1+n_j
  // gamma).
  const double dof = static_cast<double>(n - p);
  auto evaluate = [&](double theta) {
    Profile pr;
    const double gamma = theta * theta;
    pr.a = xtx;
    Eigen::VectorXd b = xty;
    double q = yy;
    double logdet_v = 0;
    for (int g = 0; g < groups_; ++g) {
      if (n_[g] == 0) continue;
      const double nj = static_cast<double>(n_[g]);
      const double c = gamma / (1 + nj * gamma);
      Eigen::Map<const Eigen::VectorXd> s(&xs_[static_cast<std::size_t>(g) * p], p);
      pr.a.noalias() -= c * s * s.transpose();
      b.noalias() -= (c * ys_[g]) * s;
      q -= c * ys_[g] * ys_[g];
      logdet_v += std::log1p(nj * gamma);
    }
    Eigen::LLT<Eigen::MatrixXd> llt(pr.a);
    if (llt.info() != Eigen::Success) return pr;
    pr.beta = llt.solve(b);
    pr.rss = q - b.dot(pr.beta);
    if (!(pr.rss > 0)) return pr;
    double logdet_a = 0;
    for (int k = 0; k < p; ++k) logdet_a += 2 * std::log(llt.matrixL()(k, k));
    pr.criterion = dof * (1 + std::log(2 * std::numbers::pi * pr.rss / dof)) + logdet_v + logdet_a;
    pr.ok = true;
    return pr;
  };
  auto f = [&](double theta) { return evaluate(theta).criterion; };

  // Bracket the minimum on a coarse log grid of theta, then refine by golden-section search
  // followed by parabolic steps (Brent). theta = 0 (no school variance) is a legal optimum.
  std::vector<double> grid{0.0};
  for (double t = 1e-4; t <= 1e3; t *= 1.5) grid.push_back(t);
  std::size_t best = 0;
  std::vector<double> vals(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) {
    vals[i] = f(grid[i]);
    if (vals[i] < vals[best]) best = i;
  }
  double lo = grid[best == 0 ? 0 : best - 1];
  double hi = grid[std::min(best + 1, grid.size() - 1)];
  // Brent's method for minimization on [lo, hi].
  double theta;
  {
    const double golden = 0.3819660112501051;
    double a = lo, b = hi;
    double x = grid[best], w = x, v = x;
    double fx = vals[best], fw = fx, fv = fx;
    double d = 0, e = 0;
    for (int iter = 0; iter < 500; ++iter) {
      const double m = 0.5 * (a + b);
      const double tol1 = options.theta_tolerance * std::fabs(x) + 1e-14;
      const double tol2 = 2 * tol1;
      if (std::fabs(x - m) <= tol2 - 0.5 * (b - a)) break;
      bool golden_step = true;
      if (std::fabs(e) > tol1) {
        double r = (x - w) * (fx - fv);
        double q = (x - v) * (fx - fw);
        double pp = (x - v) * q - (x - w) * r;
        q = 2 * (q - r);
        if (q > 0) pp = -pp;
        q = std::fabs(q);
        const double etemp = e;
        e = d;
        if (!(std::fabs(pp) >= std::fabs(0.5 * q * etemp) || pp <= q * (a - x) ||
              pp >= q * (b - x))) {
          d = pp / q;
          const double u = x + d;
          if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
          golden_step = false;
        }
      }
      if (golden_step) {
        e = (x >= m ? a - x : b - x);
        d = golden * e;
      }
      const double u = std::fabs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
      const double fu = f(u);
      if (fu <= fx) {
        if (u >= x)
          a = x;
        else
          b = x;
        v = w;
        fv = fw;
        w = x;
        fw = fx;
        x = u;
        fx = fu;
      } else {
        if (u < x)
          a = u;
        else
          b = u;
        if (fu <= fw || w == x) {
          v = w;
          fv = fw;
          w = u;
          fw = fu;
        } else if (fu <= fv || v == x || v == w) {
          v = u;
          fv = fu;
        }
      }
    }
    theta = x;
    if (f(0.0) <= fx) theta = 0.0;
  }

  Profile pr = evaluate(theta);
  if (!pr.ok) return InternalError("multilevel model: the REML criterion could not be evaluated");
  RandomInterceptFit fit;
  fit.names = names;
  fit.n = n;
  fit.groups = groups;
  fit.theta = theta;
  fit.beta = pr.beta;
  fit.sigma2_within = pr.rss / dof;
  fit.sigma2_between = theta * theta * fit.sigma2_within;
  fit.icc = fit.sigma2_between / (fit.sigma2_between + fit.sigma2_within);
  fit.reml_criterion = pr.criterion;
  fit.vcov = fit.sigma2_within * pr.a.llt().solve(Eigen::MatrixXd::Identity(p, p));
  fit.se = fit.vcov.diagonal().cwiseSqrt();
  const double gamma = theta * theta;
  fit.group_effect.assign(groups_, std::numeric_limits<double>::quiet_NaN());
  fit.group_effect_sd.assign(groups_, std::numeric_limits<double>::quiet_NaN());
  fit.group_size = n_;
  for (int g = 0; g < groups_; ++g) {
    if (n_[g] == 0) continue;
    const double nj = static_cast<double>(n_[g]);
    Eigen::Map<const Eigen::VectorXd> s(&xs_[static_cast<std::size_t>(g) * p], p);
    const double resid_sum = ys_[g] - s.dot(fit.beta);
    fit.group_effect[g] = gamma / (1 + nj * gamma) * resid_sum;
    fit.group_effect_sd[g] = std::sqrt(fit.sigma2_within * gamma / (1 + nj * gamma));
  }
  return fit;
}

Result<RandomInterceptFit> FitRandomIntercept(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                              std::span<const int> group,
                                              const std::vector<std::string>& names,
                                              const RemlOptions& options) {
  if (y.size() != x.rows() || static_cast<Eigen::Index>(group.size()) != x.rows())
    return InvalidArgumentError("multilevel model: {} rows, {} outcomes, {} group codes", x.rows(),
                                y.size(), group.size());
  int groups = 0;
  for (int g : group) {
    if (g < 0) return InvalidArgumentError("multilevel model: negative group code {}", g);
    groups = std::max(groups, g + 1);
  }
  RandomInterceptAccumulator acc(static_cast<int>(x.cols()), groups);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xr = x;
  for (Eigen::Index i = 0; i < x.rows(); ++i) acc.Add(xr.row(i).data(), y(i), group[i]);
  return acc.Fit(names, options);
}

}  // namespace pw::eval
