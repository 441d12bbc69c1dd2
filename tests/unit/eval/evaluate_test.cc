#include "eval/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/random.h"
#include "eval/distributions.h"
#include "eval/report.h"

namespace pw::eval {
namespace {

// 20 schools of 30; even schools run the program (+0.3), outcome = pretest + school + noise.
EvalTable Simulated(std::uint64_t seed, double effect = 0.3) {
  Rng rng(seed);
  EvalTable t;
  t.outcome_name = "score";
  t.treatment_name = "program";
  t.pretest_name = "pretest";
  t.covariate_names = {"girl"};
  t.covariates.resize(1);
  for (int s = 0; s < 20; ++s) {
    const double u = rng.Normal(0, 0.1);
    for (int i = 0; i < 30; ++i) {
      const double pre = rng.Normal();
      const int tr = s % 2 == 0;
      t.pretest.push_back(pre);
      t.covariates[0].push_back(rng.Bernoulli(0.5));
      t.treated.push_back(tr);
      t.outcome.push_back(0.6 * pre + effect * tr + u + rng.Normal(0, 0.8));
      t.school.push_back("S" + std::to_string(s));
      t.dose.push_back(tr ? rng.Uniform(0, 100) : 0);
    }
  }
  return t;
}

TEST(EvaluateTest, EveryDesignEstimatesTheSimulatedEffect) {
  EvalTable t = Simulated(2);  // estimates over seeds 1-12 average 0.29 (no bias)
  for (Design d :
       {Design::kRegression, Design::kRandomized, Design::kMatched, Design::kMultilevel}) {
    EvalOptions o;
    o.design = d;
    auto r = Evaluate(t, o);
    ASSERT_TRUE(r.ok()) << DesignName(d) << ": " << r.status().ToString();
    EXPECT_LT(r->ci_low, 0.3) << DesignName(d);
    EXPECT_GT(r->ci_high, 0.3) << DesignName(d);
    EXPECT_GT(r->df, 5) << DesignName(d);
    EXPECT_EQ(r->terciles.size(), 3u);
    EXPECT_EQ(r->schools.size(), 10u);  // schools with program students
    ASSERT_TRUE(r->dose_slope.has_value());
    EXPECT_TRUE(r->dose_slope->note.empty()) << r->dose_slope->note;
  }
}

TEST(EvaluateTest, EffectSizeAndPosteriorFollowTheirFormulas) {
  EvalTable t = Simulated(4);
  EvalOptions o;
  o.threshold = 0.15;
  o.prior_sd = 0.25;
  auto r = Evaluate(t, o);
  ASSERT_TRUE(r.ok());
  const double omega = 1 - 3.0 / (4 * 600 - 9);
  EXPECT_NEAR(r->effect_size, omega * r->estimate / r->pooled_sd, 1e-12);
  const double v = 1 / (1 / (0.25 * 0.25) + 1 / (r->effect_size_se * r->effect_size_se));
  const double mean = v * r->effect_size / (r->effect_size_se * r->effect_size_se);
  EXPECT_NEAR(r->posterior_mean, mean, 1e-12);
  EXPECT_NEAR(r->p_effect_above_threshold, 1 - NormalCdf((0.15 - mean) / std::sqrt(v)), 1e-12);
  // Empirical Bayes: every shrunken school effect lies between its raw estimate and the mean.
  for (const auto& s : r->schools) EXPECT_LE(s.shrunk_se, s.se + 1e-12);
}

TEST(EvaluateTest, AttritionAgainstTheWwcBoundaries) {
  EvalTable t = Simulated(5);
  // Drop outcomes: 10% overall, treated 13.33% vs comparison 6.67% -> 6.7 points differential.
  int lost_t = 0, lost_c = 0;
  for (std::size_t i = 0; i < t.outcome.size(); ++i) {
    if (t.treated[i] && lost_t < 40) {
      t.outcome[i] = NAN;
      ++lost_t;
    }
    if (!t.treated[i] && lost_c < 20) {
      t.outcome[i] = NAN;
      ++lost_c;
    }
  }
  EvalOptions o;
  o.design = Design::kRandomized;
  auto r = Evaluate(t, o);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->attrition.has_value());
  EXPECT_NEAR(r->attrition->overall, 0.10, 1e-12);
  EXPECT_NEAR(r->attrition->differential, 40.0 / 300 - 20.0 / 300, 1e-12);
  EXPECT_NEAR(r->attrition->max_differential, 0.063, 1e-12);  // cautious, 10% overall
  EXPECT_FALSE(r->attrition->low);
  EXPECT_EQ(r->n_treated, 260);
  bool warned = false;
  for (const auto& w : r->warnings)
    warned |= w.find("high attrition under the What Works Clearinghouse cautious boundary") !=
              std::string::npos;
  EXPECT_TRUE(warned);
  o.attrition_boundary = AttritionBoundary::kOptimistic;
  auto opt = Evaluate(t, o);
  EXPECT_NEAR(opt->attrition->max_differential, 0.109, 1e-12);
  EXPECT_TRUE(opt->attrition->low);
}

TEST(EvaluateTest, BadInputGetsAClearMessage) {
  EvalTable t = Simulated(6);
  EvalTable none = t;
  for (auto& v : none.treated) v = 1;
  EXPECT_EQ(Evaluate(none).status().message(),
            "no comparison students: every student with an outcome has program = 1; an effect "
            "needs students who were not in the program");
  EvalTable flat = t;
  for (auto& v : flat.outcome) v = 7;
  EXPECT_EQ(
      Evaluate(flat).status().message(),
      "the outcome score is the same (7) for all 600 students; there is no variation to explain");
  EvalTable one = t;
  for (auto& s : one.school) s = "Lincoln";
  EXPECT_EQ(Evaluate(one).status().message(),
            "only one cluster (\"Lincoln\") in column school: cluster-robust standard errors and "
            "school effects need at least 2 clusters");
  EvalTable nosch = t;
  nosch.school.clear();
  EvalOptions ml;
  ml.design = Design::kMultilevel;
  EXPECT_EQ(
      Evaluate(nosch, ml).status().message(),
      "the multilevel design needs --school (or --cluster) to know which students share a school");
}

TEST(EvaluateTest, ReportIsSelfContainedHtmlWithPlots) {
  auto r = Evaluate(Simulated(7));
  ASSERT_TRUE(r.ok());
  std::ostringstream html;
  WriteHtmlReport(*r, {}, html);
  const std::string s = html.str();
  EXPECT_NE(s.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(s.find("<svg"), std::string::npos);
  EXPECT_NE(s.find("School by school"), std::string::npos);
  EXPECT_NE(s.find(PlainSummary(*r).substr(0, 40)), std::string::npos);
  EXPECT_EQ(s.find("<script"), std::string::npos);
  EXPECT_EQ(s.find("src="), std::string::npos);
  EXPECT_EQ(s.find("href="), std::string::npos);
}

}  // namespace
}  // namespace pw::eval
