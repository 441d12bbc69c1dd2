#include "model/bkt.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"
#include "model/kt_model.h"

namespace pw::model {
namespace {

TEST(BktUpdate, HandComputedPosteriorAndTransition) {
  BktParams p{.prior = 0.3, .learn = 0.1, .guess = 0.2, .slip = 0.1, .forget = 0.0};
  // correct: posterior .27 / (.27 + .7 * .2) = .658536..., then + (1 - post) * learn.
  EXPECT_NEAR(BktUpdate(p, 0.3, true), 0.6926829268292683, 1e-15);
  // wrong: posterior .03 / (.03 + .7 * .8) = .050847..., then learn.
  EXPECT_NEAR(BktUpdate(p, 0.3, false), 0.05084745762711865 + (1 - 0.05084745762711865) * 0.1,
              1e-15);
  p.forget = 0.05;
  EXPECT_NEAR(BktUpdate(p, 0.3, true), 0.6597560975609756, 1e-15);
  EXPECT_NEAR(BktPredictCorrect(p, 0.3), 0.3 * 0.9 + 0.7 * 0.2, 1e-15);
}

// Simulates `students` sequences of `len` answers on one skill from known parameters.
BktSkillData Simulate(const BktParams& p, int students, int len, std::uint64_t seed) {
  Rng rng(seed);
  BktSkillData d;
  for (int s = 0; s < students; ++s) {
    bool known = rng.Bernoulli(p.prior);
    for (int t = 0; t < len; ++t) {
      const bool correct = known ? !rng.Bernoulli(p.slip) : rng.Bernoulli(p.guess);
      d.obs.push_back(correct ? 1 : 0);
      known = known ? !rng.Bernoulli(p.forget) : rng.Bernoulli(p.learn);
    }
    d.seq_begin.push_back(static_cast<std::int64_t>(d.obs.size()));
  }
  return d;
}

// Parameter recovery: 3000 students x 20 answers; every parameter within 0.03 of the truth.
TEST(BktFit, RecoversSimulatedParameters) {
  const BktParams truth{.prior = 0.3, .learn = 0.15, .guess = 0.2, .slip = 0.1, .forget = 0};
  std::vector<BktSkillData> skills = {Simulate(truth, 3000, 20, 11)};
  BktFitOptions o;
  o.threads = 1;
  auto fit = BktFitSkills(skills, o, BktParams{});
  ASSERT_EQ(fit.size(), 1u);
  EXPECT_NEAR(fit[0].prior, truth.prior, 0.03);
  EXPECT_NEAR(fit[0].learn, truth.learn, 0.03);
  EXPECT_NEAR(fit[0].guess, truth.guess, 0.03);
  EXPECT_NEAR(fit[0].slip, truth.slip, 0.03);
  EXPECT_EQ(fit[0].forget, 0.0);
}

TEST(BktFit, RecoversForgetting) {
  const BktParams truth{.prior = 0.4, .learn = 0.2, .guess = 0.15, .slip = 0.1, .forget = 0.08};
  std::vector<BktSkillData> skills = {Simulate(truth, 3000, 25, 12)};
  BktFitOptions o;
  o.fit_forget = true;
  o.threads = 1;
  auto fit = BktFitSkills(skills, o, BktParams{});
  EXPECT_NEAR(fit[0].learn, truth.learn, 0.04);
  EXPECT_NEAR(fit[0].forget, truth.forget, 0.03);
  EXPECT_NEAR(fit[0].guess, truth.guess, 0.04);
  EXPECT_NEAR(fit[0].slip, truth.slip, 0.04);
}

TEST(BktFit, BoundsHold) {
  // Data where the unbounded optimum has a high guess rate.
  const BktParams truth{.prior = 0.1, .learn = 0.05, .guess = 0.6, .slip = 0.05, .forget = 0};
  std::vector<BktSkillData> skills = {Simulate(truth, 500, 15, 13)};
  BktFitOptions o;
  o.threads = 1;
  auto fit = BktFitSkills(skills, o, BktParams{});
  EXPECT_LE(fit[0].guess, o.max_guess);
  EXPECT_LE(fit[0].slip, o.max_slip);
  EXPECT_NEAR(fit[0].guess, o.max_guess, 0.02) << "the unbounded optimum (0.6) is clipped to the bound";
  o.max_guess = o.max_slip = 0.3;
  fit = BktFitSkills(skills, o, BktParams{});
  EXPECT_LE(fit[0].guess, 0.3);
  EXPECT_LE(fit[0].slip, 0.3);
}

TEST(BktFit, EmNeverLowersTheLikelihood) {
  auto d = Simulate(BktParams{.prior = 0.3, .learn = 0.1, .guess = 0.25, .slip = 0.15}, 300, 12, 5);
  BktFitOptions o;
  o.tolerance = -1;  // run exactly max_iterations
  double prev = -1e300;
  for (int it = 1; it <= 12; ++it) {
    o.max_iterations = it;
    const double ll = BktEm(d, BktParams{0.5, 0.3, 0.1, 0.2, 0}, o, nullptr, nullptr);
    EXPECT_GE(ll, prev - 1e-9) << "iteration " << it;
    prev = ll;
  }
}

TEST(BktFit, ParallelEqualsSerial) {
  std::vector<BktSkillData> skills;
  for (int k = 0; k < 7; ++k) {
    skills.push_back(
        Simulate(BktParams{0.2 + 0.05 * k, 0.1, 0.2, 0.1, 0}, 60 + 10 * k, 10, 100 + k));
  }
  skills.emplace_back();  // a skill with no answers gets the fallback
  BktFitOptions o;
  o.threads = 1;
  BktParams fallback{0.5, 0.5, 0.25, 0.25, 0};
  auto serial = BktFitSkills(skills, o, fallback);
  o.threads = 2;
  BktFitStats stats;
  auto parallel = BktFitSkills(skills, o, fallback, &stats);
  ASSERT_EQ(serial.size(), parallel.size());
  for (std::size_t k = 0; k < serial.size(); ++k) {
    EXPECT_EQ(serial[k].prior, parallel[k].prior);
    EXPECT_EQ(serial[k].learn, parallel[k].learn);
    EXPECT_EQ(serial[k].guess, parallel[k].guess);
    EXPECT_EQ(serial[k].slip, parallel[k].slip);
  }
  EXPECT_EQ(parallel.back().prior, 0.5);
  EXPECT_GT(stats.answer_iterations, 0);
}

// A long run of right answers drives P(mastered) to exactly 1 in floating point; the fit must
// stay finite (this once produced NaN parameters).
TEST(BktFit, LongPerfectRunsStayFinite) {
  BktSkillData d;
  for (int s = 0; s < 20; ++s) {
    for (int t = 0; t < 400; ++t) d.obs.push_back(t < 3 ? 0 : 1);
    d.seq_begin.push_back(static_cast<std::int64_t>(d.obs.size()));
  }
  std::vector<BktSkillData> skills = {d};
  BktFitOptions o;
  o.threads = 1;
  auto fit = BktFitSkills(skills, o, BktParams{});
  EXPECT_TRUE(std::isfinite(fit[0].prior) && std::isfinite(fit[0].learn) &&
              std::isfinite(fit[0].guess) && std::isfinite(fit[0].slip));
  EXPECT_GT(fit[0].learn, 0.2);
}

TEST(BktSkillData, GroupsBySkillThenStudentInTimeOrder) {
  KtData d;
  d.Add(0, 0, 0, true, {0});
  d.Add(1, 1, 0, false, {0, 1});
  d.Add(0, 2, 0, false, {0});
  d.Add(1, 3, 0, true, {1});
  auto s = BuildBktSkillData(d);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].obs, (std::vector<std::uint8_t>{1, 0, 0}));
  EXPECT_EQ(s[0].seq_begin, (std::vector<std::int64_t>{0, 2, 3}));
  EXPECT_EQ(s[1].obs, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(s[1].seq_begin, (std::vector<std::int64_t>{0, 2}));
}

}  // namespace
}  // namespace pw::model
