// The short-cycle evaluation: one call from a table of students to every number the report
// and `pathwise eval --json` show.
//
//   EvalTable t = ...;                       // plain columns (the CLI reads the CSV)
//   EvalOptions o;  o.design = Design::kMultilevel;
//   PW_ASSIGN_OR_RETURN(EvalResult r, Evaluate(t, o));
//
// Designs: kRandomized and kRegression (outcome ~ treatment + pretest + covariates by OLS with
// CR2 standard errors clustered by --cluster, else by --school; model-based when neither is
// given), kMatched (1:1 nearest-neighbour matching, then the same regression on the matched
// sample, clustered by cluster/school or else by matched pair), kMultilevel (random intercept
// for schools by REML). Every design also reports Hedges' g, a Bayesian posterior probability
// that the effect exceeds a threshold, per-school effects with empirical-Bayes shrinkage,
// effects by pretest tercile, a dose-response slope, and WWC checks as plain warnings. See
// docs/evaluation.md for the formulas.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/balance.h"
#include "eval/matching.h"
#include "eval/regression.h"

namespace pw::eval {

enum class Design { kRandomized, kMatched, kRegression, kMultilevel };
const char* DesignName(Design d);  // "randomized", "matched", "regression", "multilevel"

// WWC attrition boundary (Standards Handbook 4.1, Table II.1; unchanged in 5.0).
enum class AttritionBoundary { kCautious, kOptimistic };

// One row per student. Optional columns are empty when not given.
struct EvalTable {
  std::string outcome_name = "outcome", treatment_name = "treatment", pretest_name = "pretest",
              dose_name = "dose", cluster_name = "cluster", school_name = "school";
  std::vector<double> outcome;  // NaN = no outcome (the student left: attrition)
  std::vector<int> treated;     // 0/1
  std::vector<double> pretest;  // optional
  std::vector<std::string> covariate_names;
  std::vector<std::vector<double>> covariates;  // one column per name
  std::vector<std::string> cluster;             // optional (class, teacher, school)
  std::vector<std::string> school;              // optional
  std::vector<std::string> grade;               // optional: matching is exact within grade
  std::vector<double> dose;                     // optional: minutes of use etc., treated students
};

struct EvalOptions {
  Design design = Design::kRegression;
  VcovType vcov = VcovType::kCR2;  // kCR1 available
  double confidence = 0.95;
  // Posterior: the effect size delta has prior N(prior_mean, prior_sd^2) in SD units.
  double threshold = 0.1;  // report P(delta > threshold | data)
  double prior_mean = 0.0;
  double prior_sd = 0.2;
  MatchOptions match;  // for kMatched
  AttritionBoundary attrition_boundary = AttritionBoundary::kCautious;
};

struct SchoolEffect {
  std::string school;
  int n_treated = 0;
  double estimate = 0, se = 0;       // raw, outcome units
  double shrunk = 0, shrunk_se = 0;  // empirical Bayes, outcome units
};

struct SubgroupEffect {
  std::string label;
  int n_treated = 0, n_comparison = 0;
  double estimate = 0, se = 0, ci_low = 0, ci_high = 0, p_value = 1, df = 0;
  std::string note;  // why no estimate (e.g. no comparison students), empty otherwise
};

struct Attrition {
  int randomized_treated = 0, randomized_comparison = 0;
  int lost_treated = 0, lost_comparison = 0;
  double overall = 0, differential = 0;  // proportions
  double max_differential = 0;           // boundary at this overall rate (NaN: none)
  bool low = true;
};

struct EvalResult {
  Design design = Design::kRegression;
  std::string method;  // one line: the estimator and its standard error
  double estimate = 0, se = 0, ci_low = 0, ci_high = 0, p_value = 1, df = 0;
  double effect_size = 0, effect_size_se = 0;  // Hedges' g with the pooled SD
  double pooled_sd = 0;
  double posterior_mean = 0, posterior_sd = 0, p_effect_above_threshold = 0;
  double threshold = 0, prior_mean = 0, prior_sd = 0, confidence = 0.95;
  int n_treated = 0, n_comparison = 0;
  std::string outcome_name, treatment_name;
  std::vector<BalanceRow> balance;        // analysed sample (before matching for kMatched)
  std::vector<BalanceRow> balance_after;  // kMatched only: the matched sample
  std::optional<MatchResult> match;
  // kMultilevel
  double sigma2_between = 0, sigma2_within = 0, icc = 0;
  std::vector<SchoolEffect> schools;         // empty without a school/cluster column
  double school_tau = 0;                     // SD of true school effects (DerSimonian-Laird)
  std::vector<SubgroupEffect> terciles;      // empty without a pretest
  std::optional<SubgroupEffect> dose_slope;  // per unit of dose, treated students
  std::optional<Attrition> attrition;        // when some outcomes are missing
  std::vector<std::string> warnings;         // plain-language WWC and data warnings
};

// Errors (InvalidArgument) with messages meant for the analyst: no treated or no comparison
// students with an outcome, a constant outcome, a treatment value other than 0/1, a single
// cluster, columns of different lengths, a model that cannot be fitted.
Result<EvalResult> Evaluate(const EvalTable& table, const EvalOptions& options = {});

}  // namespace pw::eval
