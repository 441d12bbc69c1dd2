#include "eval/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "eval/distributions.h"
#include "eval/reml.h"

namespace pw::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// WWC Standards Handbook 4.1, Table II.1: the highest differential attrition (percentage points)
// that still counts as low attrition, by overall attrition 0..65 percent. Cautious: high for
// any differential from 58 percent overall on (encoded as -1).
constexpr double kCautious[66] = {
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9,
    5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, 4.1, 4.0, 3.8, 3.6,
    3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, 1.0,
    0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0, -1,  -1,  -1,  -1,  -1,  -1,  -1,  -1};
constexpr double kOptimistic[66] = {
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9, 10.8,
    10.8, 10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9,  9.7,  9.5,  9.4,  9.2,  9.0,  8.8,
    8.6,  8.4,  8.2,  8.0,  7.8,  7.6,  7.4,  7.2,  7.0,  6.7,  6.5,  6.3,  6.0,  5.8,
    5.6,  5.3,  5.1,  4.9,  4.6,  4.4,  4.2,  3.9,  3.7,  3.5,  3.2,  3.0,  2.8,  2.6,
    2.3,  2.1,  1.9,  1.6,  1.4,  1.1,  0.9,  0.7,  0.5,  0.3};

std::string Pct(double p) { return fmt::format("{:.1f}%", 100 * p); }

struct Sample {
  std::vector<int> rows;  // indexes into the table
};

Eigen::MatrixXd BaselineMatrix(const EvalTable& t, const std::vector<int>& rows,
                               std::vector<std::string>* names) {
  names->clear();
  const int k = (t.pretest.empty() ? 0 : 1) + static_cast<int>(t.covariates.size());
  Eigen::MatrixXd z(rows.size(), k);
  int c = 0;
  if (!t.pretest.empty()) {
    names->push_back(t.pretest_name);
    for (std::size_t r = 0; r < rows.size(); ++r) z(r, c) = t.pretest[rows[r]];
    ++c;
  }
  for (std::size_t j = 0; j < t.covariates.size(); ++j, ++c) {
    names->push_back(t.covariate_names[j]);
    for (std::size_t r = 0; r < rows.size(); ++r) z(r, c) = t.covariates[j][rows[r]];
  }
  return z;
}

// [1, treated, baseline...]
Eigen::MatrixXd ImpactDesign(const std::vector<int>& treated_of_rows, const Eigen::MatrixXd& z) {
  Eigen::MatrixXd x(z.rows(), z.cols() + 2);
  x.col(0).setOnes();
  for (Eigen::Index r = 0; r < z.rows(); ++r) x(r, 1) = treated_of_rows[r];
  x.rightCols(z.cols()) = z;
  return x;
}

std::vector<std::string> ImpactNames(const EvalTable& t, const std::vector<std::string>& znames) {
  std::vector<std::string> names{"(Intercept)", t.treatment_name};
  names.insert(names.end(), znames.begin(), znames.end());
  return names;
}

// Regression of outcome on [1, treatment, baseline] over `rows`, clustered when codes given.
Result<Coefficient> RegressionEffect(const EvalTable& t, const std::vector<int>& rows,
                                     const std::vector<int>& cluster_of_rows, VcovType vcov,
                                     double confidence, RegressionFit* fit_out) {
  std::vector<std::string> znames;
  Eigen::MatrixXd z = BaselineMatrix(t, rows, &znames);
  std::vector<int> tr(rows.size());
  Eigen::VectorXd y(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    tr[r] = t.treated[rows[r]];
    y(r) = t.outcome[rows[r]];
  }
  RegressionOptions ro;
  ro.confidence = confidence;
  ro.vcov = cluster_of_rows.empty() ? VcovType::kModel : vcov;
  PW_ASSIGN_OR_RETURN(RegressionFit fit,
                      FitOls(ImpactDesign(tr, z), y, cluster_of_rows, ImpactNames(t, znames), ro));
  Coefficient c = fit.coefficients[1];
  if (fit_out) *fit_out = std::move(fit);
  return c;
}

// Re-codes cluster labels of a subset to 0..G-1; empty when `labels` is empty.
std::vector<int> SubsetCodes(const std::vector<std::string>& labels, const std::vector<int>& rows,
                             int* groups) {
  *groups = 0;
  if (labels.empty()) return {};
  std::vector<std::string> sub;
  sub.reserve(rows.size());
  for (int r : rows) sub.push_back(labels[r]);
  return ClusterCodes(sub, groups);
}

void GroupStats(const EvalTable& t, const std::vector<int>& rows, const std::vector<double>& w,
                double* n_t, double* n_c, double* sd_t, double* sd_c) {
  double s[2] = {0, 0}, ss[2] = {0, 0}, n[2] = {0, 0};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!w.empty() && w[i] <= 0) continue;
    const int g = t.treated[rows[i]] ? 1 : 0;
    const double y = t.outcome[rows[i]];
    s[g] += y;
    ss[g] += y * y;
    n[g] += 1;
  }
  *n_t = n[1];
  *n_c = n[0];
  *sd_t = n[1] > 1 ? std::sqrt((ss[1] - s[1] * s[1] / n[1]) / (n[1] - 1)) : 0;
  *sd_c = n[0] > 1 ? std::sqrt((ss[0] - s[0] * s[0] / n[0]) / (n[0] - 1)) : 0;
}

void BaselineWarnings(const std::vector<BalanceRow>& rows, const std::string& when,
                      std::vector<std::string>& warnings) {
  for (const auto& b : rows) {
    const double a = std::fabs(b.std_diff);
    if (b.band == WwcBand::kNotSatisfied) {
      warnings.push_back(fmt::format(
          "{}the two groups differed by {:.2f} SD on {} (more than 0.25 SD). The What Works "
          "Clearinghouse would not accept this comparison: a difference that large cannot be "
          "adjusted away, so the estimate may reflect who was in the program rather than what "
          "it did.",
          when, a, b.name));
    } else if (b.band == WwcBand::kNeedsAdjustment) {
      warnings.push_back(fmt::format(
          "{}the two groups differed by {:.2f} SD on {} (between 0.05 and 0.25 SD). That is "
          "acceptable only because the analysis adjusts for {}.",
          when, a, b.name, b.name));
    }
  }
}

}  // namespace

const char* DesignName(Design d) {
  switch (d) {
    case Design::kRandomized:
      return "randomized";
    case Design::kMatched:
      return "matched";
    case Design::kRegression:
      return "regression";
    case Design::kMultilevel:
      return "multilevel";
  }
  return "?";
}

Result<EvalResult> Evaluate(const EvalTable& t, const EvalOptions& o) {
  const std::size_t n = t.outcome.size();
  auto bad_len = [&](std::size_t len, const std::string& what) -> Status {
    if (len != 0 && len != n)
      return InvalidArgumentError("evaluation: {} has {} values but there are {} students", what,
                                  len, n);
    return OkStatus();
  };
  if (t.treated.size() != n)
    return InvalidArgumentError("evaluation: {} treatment values but {} outcomes", t.treated.size(),
                                n);
  PW_RETURN_IF_ERROR(bad_len(t.pretest.size(), t.pretest_name));
  PW_RETURN_IF_ERROR(bad_len(t.cluster.size(), t.cluster_name));
  PW_RETURN_IF_ERROR(bad_len(t.school.size(), t.school_name));
  PW_RETURN_IF_ERROR(bad_len(t.grade.size(), "grade"));
  PW_RETURN_IF_ERROR(bad_len(t.dose.size(), t.dose_name));
  if (t.covariates.size() != t.covariate_names.size())
    return InvalidArgumentError("evaluation: covariate names and columns disagree");
  for (std::size_t j = 0; j < t.covariates.size(); ++j) {
    if (t.covariates[j].size() != n)
      return InvalidArgumentError("evaluation: {} has {} values but there are {} students",
                                  t.covariate_names[j], t.covariates[j].size(), n);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (t.treated[i] != 0 && t.treated[i] != 1)
      return InvalidArgumentError("evaluation: {} must be 0 or 1, got {}", t.treatment_name,
                                  t.treated[i]);
  }

  EvalResult res;
  res.design = o.design;
  res.outcome_name = t.outcome_name;
  res.treatment_name = t.treatment_name;
  res.threshold = o.threshold;
  res.prior_mean = o.prior_mean;
  res.prior_sd = o.prior_sd;
  res.confidence = o.confidence;

  // Attrition: students without an outcome.
  std::vector<int> rows;
  Attrition att;
  for (std::size_t i = 0; i < n; ++i) {
    const bool lost = std::isnan(t.outcome[i]);
    if (t.treated[i]) {
      ++att.randomized_treated;
      att.lost_treated += lost;
    } else {
      ++att.randomized_comparison;
      att.lost_comparison += lost;
    }
    if (!lost) rows.push_back(static_cast<int>(i));
  }
  for (int r : rows) (t.treated[r] ? res.n_treated : res.n_comparison)++;
  if (res.n_treated == 0)
    return InvalidArgumentError(
        "no treated students: every student with an outcome has {} = 0; an effect needs students "
        "in the program",
        t.treatment_name);
  if (res.n_comparison == 0)
    return InvalidArgumentError(
        "no comparison students: every student with an outcome has {} = 1; an effect needs "
        "students who were not in the program",
        t.treatment_name);
  {
    const double first = t.outcome[rows[0]];
    if (std::all_of(rows.begin(), rows.end(), [&](int r) { return t.outcome[r] == first; }))
      return InvalidArgumentError(
          "the outcome {} is the same ({}) for all {} students; there is no variation to explain",
          t.outcome_name, first, rows.size());
  }
  if (att.lost_treated + att.lost_comparison > 0) {
    const double total = att.randomized_treated + att.randomized_comparison;
    att.overall = (att.lost_treated + att.lost_comparison) / total;
    const double at =
        att.randomized_treated ? double(att.lost_treated) / att.randomized_treated : 0;
    const double ac =
        att.randomized_comparison ? double(att.lost_comparison) / att.randomized_comparison : 0;
    att.differential = std::fabs(at - ac);
    const int pct = static_cast<int>(std::lround(att.overall * 100));
    const double* table =
        o.attrition_boundary == AttritionBoundary::kCautious ? kCautious : kOptimistic;
    const double bound = pct <= 65 ? table[pct] : -1;
    att.max_differential = bound < 0 ? kNaN : bound / 100;
    att.low = bound >= 0 && att.differential * 100 <= bound + 1e-8;
    res.attrition = att;
    const char* which =
        o.attrition_boundary == AttritionBoundary::kCautious ? "cautious" : "optimistic";
    if (!att.low) {
      res.warnings.push_back(fmt::format(
          "{} of students have no outcome ({} of the program group, {} of the comparison group). "
          "That is high attrition under the What Works Clearinghouse {} boundary{}: the students "
          "who stayed may differ from those who left, so the groups must be shown equivalent at "
          "baseline.",
          Pct(att.overall), Pct(at), Pct(ac), which,
          std::isnan(att.max_differential)
              ? std::string(" (any differential is too much at this overall rate)")
              : fmt::format(
                    " (at most {:.1f} points differential at this overall rate, here {:.1f})",
                    100 * att.max_differential, 100 * att.differential)));
    }
  }

  // Clusters for the standard errors: --cluster, else --school.
  const std::vector<std::string>& cl = !t.cluster.empty() ? t.cluster : t.school;
  const std::string& cl_name = !t.cluster.empty() ? t.cluster_name : t.school_name;
  int groups = 0;
  std::vector<int> cl_codes = SubsetCodes(cl, rows, &groups);
  if (!cl.empty() && groups < 2)
    return InvalidArgumentError(
        "only one cluster (\"{}\") in column {}: cluster-robust standard errors and school effects "
        "need at least 2 clusters",
        cl[rows[0]], cl_name);
  if (!cl.empty()) {
    std::vector<int> size(groups, 0);
    for (int c : cl_codes) ++size[c];
    const int singles = static_cast<int>(std::count(size.begin(), size.end(), 1));
    if (singles > 0)
      res.warnings.push_back(fmt::format(
          "{} of the {} groups in {} have a single student; they add little information about "
          "differences between groups.",
          singles, groups, cl_name));
  }

  std::vector<std::string> znames;
  Eigen::MatrixXd z = BaselineMatrix(t, rows, &znames);
  std::vector<int> tr(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) tr[r] = t.treated[rows[r]];
  res.balance = BalanceTable(z, znames, tr);

  std::vector<double> analysis_weight;  // per analysed row (matched design)
  const char* se_name = o.vcov == VcovType::kCR2
                            ? "CR2 standard errors (Bell-McCaffrey degrees of freedom)"
                            : "CR1 standard errors (G-1 degrees of freedom)";
  switch (o.design) {
    case Design::kRandomized:
    case Design::kRegression: {
      RegressionFit fit;
      PW_ASSIGN_OR_RETURN(Coefficient c,
                          RegressionEffect(t, rows, cl_codes, o.vcov, o.confidence, &fit));
      res.estimate = c.estimate;
      res.se = c.se;
      res.df = c.df;
      res.p_value = c.p_value;
      res.ci_low = c.ci_low;
      res.ci_high = c.ci_high;
      res.method = cl.empty()
                       ? "ordinary least squares, model-based standard errors (no clusters given)"
                       : fmt::format(
                             "ordinary least squares adjusting for the baseline measures; {} "
                             "clustered by {} ({} clusters)",
                             se_name, cl_name, groups);
      if (o.design == Design::kRandomized) res.method = "randomized pilot: " + res.method;
      break;
    }
    case Design::kMatched: {
      std::vector<int> grade_codes;
      if (!t.grade.empty()) {
        int g = 0;
        grade_codes = SubsetCodes(t.grade, rows, &g);
      }
      if (z.cols() == 0)
        return InvalidArgumentError("the matched design needs a pretest or covariates to match on");
      PW_ASSIGN_OR_RETURN(MatchResult m, MatchNearest(z, znames, tr, grade_codes, o.match));
      std::vector<int> mrows, pair_of;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        if (m.partner[r] < 0) continue;
        mrows.push_back(rows[r]);
        pair_of.push_back(static_cast<int>(std::min<std::size_t>(r, m.partner[r])));
      }
      int mg = 0;
      std::vector<int> mcodes;
      std::string by;
      if (!cl.empty()) {
        mcodes = SubsetCodes(cl, mrows, &mg);
        by = cl_name;
      }
      if (mg < 2) {
        std::vector<std::string> labels;
        for (int p : pair_of) labels.push_back(std::to_string(p));
        mcodes = ClusterCodes(labels, &mg);
        by = "matched pair";
      }
      PW_ASSIGN_OR_RETURN(Coefficient c,
                          RegressionEffect(t, mrows, mcodes, o.vcov, o.confidence, nullptr));
      res.estimate = c.estimate;
      res.se = c.se;
      res.df = c.df;
      res.p_value = c.p_value;
      res.ci_low = c.ci_low;
      res.ci_high = c.ci_high;
      res.method = fmt::format(
          "1:1 nearest-neighbour matching on {} ({}{}), then least squares on the {} matched "
          "students adjusting for the same measures; {} clustered by {}",
          fmt::join(znames, ", "),
          o.match.distance == MatchDistance::kPropensity ? "propensity score"
                                                         : "Mahalanobis distance",
          t.grade.empty() ? "" : ", exactly within grade", mrows.size(), se_name, by);
      res.balance_after = m.balance_after;
      analysis_weight = m.weight;
      if (!m.dropped_treated.empty()) {
        res.warnings.push_back(fmt::format(
            "{} of the {} program students had no close enough comparison student{} and were "
            "left out{}; the estimate describes the {} who were matched.",
            m.dropped_treated.size(), m.n_treated, t.grade.empty() ? "" : " in their grade",
            std::isfinite(m.caliper_used)
                ? fmt::format(" (caliper {:.3g} {})", m.caliper_used,
                              o.match.distance == MatchDistance::kPropensity
                                  ? "SD of the propensity score"
                                  : "Mahalanobis units")
                : "",
            m.n_matched));
      }
      if (!m.balanced)
        res.warnings.push_back(fmt::format(
            "even after tightening the caliper, matching could not bring every baseline measure "
            "within {:.2f} SD.",
            o.match.max_std_diff));
      res.match = std::move(m);
      break;
    }
    case Design::kMultilevel: {
      const std::vector<std::string>& sch = !t.school.empty() ? t.school : t.cluster;
      if (sch.empty())
        return InvalidArgumentError(
            "the multilevel design needs --school (or --cluster) to know which students share a "
            "school");
      int g = 0;
      std::vector<int> codes = SubsetCodes(sch, rows, &g);
      if (g < 2)
        return InvalidArgumentError(
            "only one school (\"{}\"): the multilevel model needs at least 2 schools",
            sch[rows[0]]);
      Eigen::MatrixXd x = ImpactDesign(tr, z);
      Eigen::VectorXd y(rows.size());
      for (std::size_t r = 0; r < rows.size(); ++r) y(r) = t.outcome[rows[r]];
      RemlOptions ro;
      ro.confidence = o.confidence;
      PW_ASSIGN_OR_RETURN(RandomInterceptFit fit,
                          FitRandomIntercept(x, y, codes, ImpactNames(t, znames), ro));
      // Between-within degrees of freedom: a column constant within every school is a school-
      // level column, tested against G - (number of school-level columns).
      std::vector<int> first(g, -1);
      std::vector<char> varies(x.cols(), 0);
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const int s = codes[r];
        if (first[s] < 0) {
          first[s] = static_cast<int>(r);
          continue;
        }
        for (Eigen::Index k = 1; k < x.cols(); ++k)
          if (x(r, k) != x(first[s], k)) varies[k] = 1;
      }
      int level2 = 0, level1 = 0;
      for (Eigen::Index k = 0; k < x.cols(); ++k) (varies[k] ? level1 : level2)++;
      res.df = varies[1] ? static_cast<double>(rows.size()) - g - level1
                         : static_cast<double>(g - level2);
      if (res.df < 1)
        return InvalidArgumentError(
            "the multilevel model has too few schools ({}) for its {} school-level terms", g,
            level2);
      res.estimate = fit.beta(1);
      res.se = fit.se(1);
      res.p_value = TwoSidedP(res.estimate / res.se, res.df);
      const double q = TQuantile(0.5 + o.confidence / 2, res.df);
      res.ci_low = res.estimate - q * res.se;
      res.ci_high = res.estimate + q * res.se;
      res.sigma2_between = fit.sigma2_between;
      res.sigma2_within = fit.sigma2_within;
      res.icc = fit.icc;
      res.method = fmt::format(
          "multilevel model with a random intercept for each school, fitted by REML ({} schools, "
          "intraclass correlation {:.3f}); t test with {} degrees of freedom (between-within)",
          g, fit.icc, res.df);
      break;
    }
  }

  // Effect size: Hedges' g with the pooled SD of the outcome in the analysed sample.
  {
    std::vector<int> arows;
    std::vector<double> w;
    if (res.match) {
      for (std::size_t r = 0; r < rows.size(); ++r)
        if (analysis_weight[r] > 0) arows.push_back(rows[r]);
    } else {
      arows = rows;
    }
    double nt, nc, sdt, sdc;
    GroupStats(t, arows, w, &nt, &nc, &sdt, &sdc);
    res.pooled_sd = PooledSd(sdt, nt, sdc, nc);
    const double omega = SmallSampleCorrection(nt, nc);
    res.effect_size = omega * res.estimate / res.pooled_sd;
    res.effect_size_se = omega * res.se / res.pooled_sd;
    if (res.match) {
      res.n_treated = static_cast<int>(nt);
      res.n_comparison = static_cast<int>(nc);
    }
  }
  // Posterior for the effect size: normal prior, normal likelihood.
  {
    const double prior_prec = 1.0 / (o.prior_sd * o.prior_sd);
    const double data_prec = 1.0 / (res.effect_size_se * res.effect_size_se);
    const double var = 1.0 / (prior_prec + data_prec);
    res.posterior_mean = var * (prior_prec * o.prior_mean + data_prec * res.effect_size);
    res.posterior_sd = std::sqrt(var);
    res.p_effect_above_threshold =
        1.0 - NormalCdf((o.threshold - res.posterior_mean) / res.posterior_sd);
  }

  // Baseline equivalence (WWC): for every non-randomized design, and for a randomized one
  // with high attrition.
  const bool qed = o.design != Design::kRandomized || (res.attrition && !res.attrition->low);
  if (qed)
    BaselineWarnings(res.match ? res.balance_after : res.balance,
                     res.match ? "After matching, " : "Before the program, ", res.warnings);
  for (auto& w : res.warnings) {
    if (!w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
  }
  if (!cl.empty() && groups < 10)
    res.warnings.push_back(fmt::format(
        "Only {} clusters in {}: with so few, the uncertainty is large and the degrees of "
        "freedom ({:.1f}) are small; treat the result as tentative.",
        groups, cl_name, res.df));

  // Per-school effects: how far each school's program students landed from what comparison
  // students with the same baseline measures scored, shrunk toward the average (empirical Bayes).
  const std::vector<std::string>& sch = !t.school.empty() ? t.school : t.cluster;
  if (!sch.empty()) {
    std::vector<int> crow;
    for (int r : rows)
      if (!t.treated[r]) crow.push_back(r);
    std::vector<std::string> zn;
    Eigen::MatrixXd zc = BaselineMatrix(t, crow, &zn);
    Eigen::MatrixXd xc(zc.rows(), zc.cols() + 1);
    xc.col(0).setOnes();
    xc.rightCols(zc.cols()) = zc;
    Eigen::VectorXd yc(crow.size());
    for (std::size_t i = 0; i < crow.size(); ++i) yc(i) = t.outcome[crow[i]];
    std::vector<std::string> cn{"(Intercept)"};
    cn.insert(cn.end(), zn.begin(), zn.end());
    RegressionOptions ro;
    ro.vcov = VcovType::kModel;
    auto cfit = FitOls(xc, yc, {}, cn, ro);
    if (cfit.ok()) {
      std::map<std::string, std::pair<double, int>> acc;  // school -> (sum resid, n)
      std::vector<int> trow;
      for (int r : rows)
        if (t.treated[r]) trow.push_back(r);
      Eigen::MatrixXd zt = BaselineMatrix(t, trow, &zn);
      for (std::size_t i = 0; i < trow.size(); ++i) {
        double pred = cfit->beta(0);
        for (Eigen::Index k = 0; k < zt.cols(); ++k) pred += cfit->beta(k + 1) * zt(i, k);
        auto& a = acc[sch[trow[i]]];
        a.first += t.outcome[trow[i]] - pred;
        a.second += 1;
      }
      const double s = cfit->sigma;
      for (auto& [name, a] : acc) {
        SchoolEffect e;
        e.school = name;
        e.n_treated = a.second;
        e.estimate = a.first / a.second;
        e.se = s / std::sqrt(static_cast<double>(a.second));
        res.schools.push_back(e);
      }
      // DerSimonian-Laird between-school variance of the effects, then shrinkage.
      double sw = 0, sw2 = 0, swx = 0;
      for (auto& e : res.schools) {
        const double w = 1 / (e.se * e.se);
        sw += w;
        sw2 += w * w;
        swx += w * e.estimate;
      }
      const double mu = swx / sw;
      double q = 0;
      for (auto& e : res.schools) q += (e.estimate - mu) * (e.estimate - mu) / (e.se * e.se);
      const double k = static_cast<double>(res.schools.size());
      const double tau2 = k > 1 ? std::max(0.0, (q - (k - 1)) / (sw - sw2 / sw)) : 0.0;
      res.school_tau = std::sqrt(tau2);
      for (auto& e : res.schools) {
        const double v = e.se * e.se;
        const double b = tau2 / (tau2 + v);
        e.shrunk = mu + b * (e.estimate - mu);
        e.shrunk_se = std::sqrt(b * v);
      }
    }
  }

  // Effects by pretest tercile (regression within each third of the pretest distribution).
  if (!t.pretest.empty()) {
    std::vector<double> pre;
    for (int r : rows) pre.push_back(t.pretest[r]);
    std::sort(pre.begin(), pre.end());
    const double c1 = pre[pre.size() / 3], c2 = pre[(2 * pre.size()) / 3];
    const char* labels[3] = {"lowest third of pretest", "middle third of pretest",
                             "highest third of pretest"};
    for (int k = 0; k < 3; ++k) {
      std::vector<int> sub;
      for (int r : rows) {
        const double p = t.pretest[r];
        const int which = p < c1 ? 0 : (p < c2 ? 1 : 2);
        if (which == k) sub.push_back(r);
      }
      SubgroupEffect e;
      e.label = labels[k];
      for (int r : sub) (t.treated[r] ? e.n_treated : e.n_comparison)++;
      int g = 0;
      std::vector<int> codes = SubsetCodes(cl, sub, &g);
      if (g < 2) codes.clear();
      if (e.n_treated == 0 || e.n_comparison == 0) {
        e.note = "no program or no comparison students in this group";
      } else {
        auto c = RegressionEffect(t, sub, codes, o.vcov, o.confidence, nullptr);
        if (c.ok()) {
          e.estimate = c->estimate;
          e.se = c->se;
          e.df = c->df;
          e.p_value = c->p_value;
          e.ci_low = c->ci_low;
          e.ci_high = c->ci_high;
        } else {
          e.note = c.status().message();
        }
      }
      res.terciles.push_back(e);
    }
  }

  // Dose-response: among program students, outcome on dose adjusting for baseline measures.
  if (!t.dose.empty()) {
    SubgroupEffect e;
    e.label = fmt::format("change in {} per unit of {}", t.outcome_name, t.dose_name);
    std::vector<int> sub;
    for (int r : rows)
      if (t.treated[r]) sub.push_back(r);
    e.n_treated = static_cast<int>(sub.size());
    std::vector<std::string> zn;
    Eigen::MatrixXd zs = BaselineMatrix(t, sub, &zn);
    Eigen::MatrixXd x(sub.size(), zs.cols() + 2);
    Eigen::VectorXd y(sub.size());
    x.col(0).setOnes();
    for (std::size_t i = 0; i < sub.size(); ++i) {
      x(i, 1) = t.dose[sub[i]];
      y(i) = t.outcome[sub[i]];
    }
    x.rightCols(zs.cols()) = zs;
    std::vector<std::string> names{"(Intercept)", t.dose_name};
    names.insert(names.end(), zn.begin(), zn.end());
    int g = 0;
    std::vector<int> codes = SubsetCodes(cl, sub, &g);
    RegressionOptions ro;
    ro.confidence = o.confidence;
    ro.vcov = g >= 2 ? o.vcov : VcovType::kModel;
    if (g < 2) codes.clear();
    auto fit = FitOls(x, y, codes, names, ro);
    if (fit.ok()) {
      const Coefficient& c = fit->coefficients[1];
      e.estimate = c.estimate;
      e.se = c.se;
      e.df = c.df;
      e.p_value = c.p_value;
      e.ci_low = c.ci_low;
      e.ci_high = c.ci_high;
    } else {
      e.note = fit.status().message();
    }
    res.dose_slope = e;
  }
  return res;
}

}  // namespace pw::eval
