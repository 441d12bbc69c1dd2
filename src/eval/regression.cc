#include "eval/regression.h"

#include <cassert>
#include <cmath>
#include <unordered_map>

#include "eval/distributions.h"

namespace pw::eval {
namespace {

// Rows of each cluster.
std::vector<std::vector<int>> GroupRows(std::span<const int> cluster, int groups) {
  std::vector<std::vector<int>> rows(groups);
  for (int i = 0; i < static_cast<int>(cluster.size()); ++i) rows[cluster[i]].push_back(i);
  return rows;
}

Eigen::MatrixXd TakeRows(const Eigen::MatrixXd& m, const std::vector<int>& rows) {
  Eigen::MatrixXd out(rows.size(), m.cols());
  for (std::size_t r = 0; r < rows.size(); ++r) out.row(r) = m.row(rows[r]);
  return out;
}

// The CR2 adjustment A_j = (I - H_jj)^(-1/2) of one cluster, kept in factored form
// A_j = I + U diag(f) U' (U: n_j x r orthonormal, r <= p), because I - H_jj differs from the
// identity only on the column space of X_j. Eigenvalues of H_jj equal to 1 (e.g. a cluster
// whose rows are fully determined by the fit) get the pseudo-inverse: f = -1.
struct Cr2Adjustment {
  Eigen::MatrixXd u;
  Eigen::VectorXd f;
  Eigen::MatrixXd Apply(const Eigen::MatrixXd& v) const {
    if (u.cols() == 0) return v;
    return v + u * (f.asDiagonal() * (u.transpose() * v));
  }
};

Cr2Adjustment MakeCr2(const Eigen::MatrixXd& xj, const Eigen::MatrixXd& bread) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(xj, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  int r = 0;
  const double tol = s.size() > 0 ? s(0) * 1e-12 * std::max(xj.rows(), xj.cols()) : 0;
  while (r < s.size() && s(r) > tol) ++r;
  Cr2Adjustment a;
  if (r == 0) return a;
  Eigen::MatrixXd ur = svd.matrixU().leftCols(r);
  Eigen::MatrixXd vs = svd.matrixV().leftCols(r) * s.head(r).asDiagonal();  // p x r
  Eigen::MatrixXd small = vs.transpose() * bread * vs;                      // r x r
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(small);
  a.u = ur * eig.eigenvectors();
  a.f.resize(r);
  for (int k = 0; k < r; ++k) {
    const double one_minus = 1.0 - eig.eigenvalues()(k);
    a.f(k) = one_minus > 1e-12 ? 1.0 / std::sqrt(one_minus) - 1.0 : -1.0;
  }
  return a;
}

void FillInference(RegressionFit& fit, const std::vector<std::string>& names,
                   const Eigen::VectorXd& df, double confidence) {
  fit.coefficients.clear();
  const double q = 0.5 + confidence / 2;
  for (int k = 0; k < fit.p; ++k) {
    Coefficient c;
    c.name = names[k];
    c.estimate = fit.beta(k);
    c.se = std::sqrt(std::max(0.0, fit.vcov(k, k)));
    c.df = df(k);
    c.t = c.se > 0 ? c.estimate / c.se : std::numeric_limits<double>::quiet_NaN();
    c.p_value = TwoSidedP(c.t, c.df);
    const double tq = TQuantile(q, c.df);
    c.ci_low = c.estimate - tq * c.se;
    c.ci_high = c.estimate + tq * c.se;
    fit.coefficients.push_back(c);
  }
}

}  // namespace

const Coefficient& RegressionFit::Find(const std::string& name) const {
  for (const auto& c : coefficients)
    if (c.name == name) return c;
  assert(false && "no such coefficient");
  return coefficients.front();
}

std::vector<int> ClusterCodes(const std::vector<std::string>& labels, int* groups) {
  std::unordered_map<std::string, int> code;
  std::vector<int> out;
  out.reserve(labels.size());
  for (const auto& l : labels) {
    auto [it, inserted] = code.emplace(l, static_cast<int>(code.size()));
    out.push_back(it->second);
  }
  if (groups) *groups = static_cast<int>(code.size());
  return out;
}

Result<RegressionFit> FitOls(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                             std::span<const int> cluster, const std::vector<std::string>& names,
                             const RegressionOptions& options) {
  const int n = static_cast<int>(x.rows());
  const int p = static_cast<int>(x.cols());
  if (y.size() != n)
    return InvalidArgumentError("regression: {} rows of x but {} outcomes", n, y.size());
  if (static_cast<int>(names.size()) != p)
    return InvalidArgumentError("regression: {} columns but {} names", p, names.size());
  if (!cluster.empty() && static_cast<int>(cluster.size()) != n)
    return InvalidArgumentError("regression: {} rows but {} cluster codes", n, cluster.size());
  if (n <= p)
    return InvalidArgumentError("regression: {} students is too few for {} coefficients", n, p);
  if ((y.array() == y(0)).all())
    return InvalidArgumentError(
        "the outcome is constant ({}) for all {} students; there is no variation to explain", y(0),
        n);

  RegressionFit fit;
  fit.n = n;
  fit.p = p;
  fit.vcov_type = options.vcov;
  Eigen::MatrixXd xtx = x.transpose() * x;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(xtx);
  // Rank check via a pivoted QR so that the error can name the offending column.
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  qr.setThreshold(1e-10);
  if (qr.rank() < p) {
    // The first column (in the original order) that is a combination of the ones before it.
    for (int k = 1; k <= p; ++k) {
      Eigen::ColPivHouseholderQR<Eigen::MatrixXd> q2(x.leftCols(k));
      q2.setThreshold(1e-10);
      if (q2.rank() < k)
        return InvalidArgumentError(
            "regression: column \"{}\" is constant or a combination of the other columns",
            names[k - 1]);
    }
    return InvalidArgumentError("regression: the columns are collinear");
  }
  Eigen::MatrixXd bread = ldlt.solve(Eigen::MatrixXd::Identity(p, p));
  fit.beta = qr.solve(y);
  fit.residuals = y - x * fit.beta;
  const double rss = fit.residuals.squaredNorm();
  fit.sigma = std::sqrt(rss / (n - p));
  const double tss = (y.array() - y.mean()).square().sum();
  fit.r_squared = 1 - rss / tss;

  Eigen::VectorXd df(p);
  if (options.vcov == VcovType::kModel) {
    fit.vcov = bread * (rss / (n - p));
    df.setConstant(n - p);
    int g = 0;
    if (!cluster.empty()) {
      for (int c : cluster) g = std::max(g, c + 1);
    }
    fit.clusters = g;
    FillInference(fit, names, df, options.confidence);
    return fit;
  }
  if (cluster.empty())
    return InvalidArgumentError("regression: cluster-robust standard errors need a cluster column");
  int groups = 0;
  for (int c : cluster) {
    if (c < 0) return InvalidArgumentError("regression: negative cluster code {}", c);
    groups = std::max(groups, c + 1);
  }
  const auto rows = GroupRows(cluster, groups);
  int nonempty = 0;
  for (const auto& r : rows) nonempty += r.empty() ? 0 : 1;
  if (nonempty < 2)
    return InvalidArgumentError(
        "regression: cluster-robust standard errors need at least 2 clusters, got {}", nonempty);
  fit.clusters = nonempty;

  Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(p, p);
  if (options.vcov == VcovType::kCR1) {
    for (const auto& r : rows) {
      if (r.empty()) continue;
      Eigen::VectorXd s =
          TakeRows(x, r).transpose() * fit.residuals(Eigen::VectorXi::Map(r.data(), r.size()));
      meat += s * s.transpose();
    }
    const double g = nonempty;
    const double adj = g / (g - 1) * (n - 1.0) / (n - p);
    fit.vcov = adj * bread * meat * bread;
    df.setConstant(g - 1);
    FillInference(fit, names, df, options.confidence);
    return fit;
  }

  // CR2, and the pieces of the Bell-McCaffrey degrees of freedom for every coefficient:
  // for coefficient k and cluster j, u_jk = A_j X_j M e_k; Omega_k[j,l] = [j==l] |u_jk|^2 -
  // (X_j' u_jk)' M (X_l' u_lk); df_k = tr(Omega_k)^2 / |Omega_k|_F^2.
  std::vector<Eigen::VectorXd> norms;  // per cluster: |u_jk|^2 for each k
  std::vector<Eigen::MatrixXd> zs;     // per cluster: X_j' A_j X_j M  (p x p), column k = z_jk
  for (const auto& r : rows) {
    if (r.empty()) continue;
    Eigen::MatrixXd xj = TakeRows(x, r);
    Eigen::VectorXd ej = fit.residuals(Eigen::VectorXi::Map(r.data(), r.size()));
    Cr2Adjustment a = MakeCr2(xj, bread);
    Eigen::MatrixXd axj = a.Apply(xj);
    Eigen::VectorXd s = axj.transpose() * ej;
    meat += s * s.transpose();
    Eigen::MatrixXd uj = axj * bread;  // n_j x p, column k = u_jk
    norms.push_back(uj.colwise().squaredNorm().transpose());
    zs.push_back(xj.transpose() * uj);
  }
  fit.vcov = bread * meat * bread;
  const int g = nonempty;
  for (int k = 0; k < p; ++k) {
    Eigen::MatrixXd zk(p, g);
    Eigen::VectorXd nk(g);
    for (int j = 0; j < g; ++j) {
      zk.col(j) = zs[j].col(k);
      nk(j) = norms[j](k);
    }
    Eigen::MatrixXd omega = -(zk.transpose() * bread * zk);
    omega.diagonal() += nk;
    const double tr = omega.trace();
    df(k) = tr * tr / omega.squaredNorm();
  }
  FillInference(fit, names, df, options.confidence);
  return fit;
}

}  // namespace pw::eval
