#include "model/kt_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"
#include "model/metrics.h"

namespace pw::model {
namespace {

// Students answer items of 4 skills; per-skill BKT with item difficulty offsets, times a
// minute apart.
KtData Simulate(int students, int per_student, std::uint64_t seed) {
  Rng rng(seed);
  KtData d;
  for (int s = 0; s < students; ++s) {
    bool known[4] = {rng.Bernoulli(0.3), rng.Bernoulli(0.3), rng.Bernoulli(0.3),
                     rng.Bernoulli(0.3)};
    for (int t = 0; t < per_student; ++t) {
      const int k = static_cast<int>(rng.Below(4));
      const int item = k * 5 + static_cast<int>(rng.Below(5));
      const double easy = 0.05 * (item % 5);
      const bool c = known[k] ? rng.Bernoulli(0.9) : rng.Bernoulli(0.15 + easy);
      d.Add(s, item, 1'700'000'000 + 60 * t, c, {k});
      if (!known[k]) known[k] = rng.Bernoulli(0.2);
    }
  }
  return d;
}

class EveryModel : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryModel, BeatsChanceAndPredictsFromEarlierAnswersOnly) {
  KtModelOptions o;
  o.bkt.threads = 1;
  auto m = MakeKtModel(GetParam(), o);
  ASSERT_TRUE(m.ok());
  KtData train = Simulate(150, 30, 1), test = Simulate(50, 30, 2);
  test.n_students = train.n_students;
  test.n_items = train.n_items;
  test.n_skills = train.n_skills;
  ASSERT_TRUE((*m)->Fit(train).ok());
  std::vector<double> p = (*m)->Predict(test);
  ASSERT_EQ(p.size(), test.size());
  for (double x : p) ASSERT_TRUE(x > 0 && x < 1);
  // IRT knows nothing of the new test students but item difficulty; the others learn from history.
  const bool irt = std::string(GetParam()) == "irt";
  EXPECT_GT(Auc(p, test.correct), irt ? 0.5 : 0.6) << GetParam();
  // Flipping the last answer of the data changes no prediction (they come from earlier answers).
  KtData flipped = test;
  flipped.correct.back() ^= 1;
  std::vector<double> q = (*m)->Predict(flipped);
  EXPECT_EQ(p, q);
  // Flipping an early answer of student 0 changes a later prediction of student 0.
  KtData early = test;
  early.correct[0] ^= 1;
  std::vector<double> r = (*m)->Predict(early);
  EXPECT_EQ(r[0], p[0]);
  bool changed = false;
  for (std::size_t i = 1; i < 30; ++i) changed |= r[i] != p[i];
  // (AFM counts opportunities, not their outcomes, so a flip changes nothing there either.)
  if (!irt && std::string(GetParam()) != "afm") {
    EXPECT_TRUE(changed) << GetParam();
  }
  // Parameters survive JSON.
  auto again = MakeKtModel(GetParam(), o);
  ASSERT_TRUE(again.ok());
  nlohmann::json j = nlohmann::json::parse((*m)->ToJson().dump());
  ASSERT_TRUE((*again)->FromJson(j).ok());
  std::vector<double> s = (*again)->Predict(test);
  ASSERT_EQ(s.size(), p.size());
  for (std::size_t i = 0; i < p.size(); ++i) ASSERT_NEAR(s[i], p[i], 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Kt, EveryModel,
                         ::testing::Values("bkt", "bkt-forget", "irt", "afm", "pfa", "das3h",
                                           "best-lr", "best-lr+", "elo"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                             if (c == '+') c = 'P';
                           }
                           return n;
                         });

TEST(MakeKtModel, UnknownName) {
  auto m = MakeKtModel("dkt", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "--model: expected one of bkt, bkt-forget, irt, afm, pfa, das3h, best-lr, best-lr+, "
            "elo, got \"dkt\"");
}

TEST(BestLr, FeaturesAreItemSkillAndLogCountsOfEarlierAnswers) {
  KtData d;
  d.Add(0, 1, 0, true, {0});
  d.Add(0, 0, 0, false, {0});
  d.Add(0, 1, 0, true, {1});
  d.n_items = 2;
  d.n_skills = 2;
  LogisticModel m("best-lr", *LogisticFeatures::ForModel("best-lr"), {});
  SparseRows x = m.Features(d);
  // Columns: items 0-1, skills 2-3, per-skill (correct, wrong) 4-7, totals 8-9.
  ASSERT_EQ(x.n_cols, 10);
  auto row = [&](std::size_t i) {
    std::vector<std::pair<int, double>> r;
    for (auto q = x.row_begin[i]; q < x.row_begin[i + 1]; ++q) r.emplace_back(x.col[q], x.val[q]);
    return r;
  };
  using R = std::vector<std::pair<int, double>>;
  EXPECT_EQ(row(0), (R{{1, 1.0}, {2, 1.0}}));
  EXPECT_EQ(row(1), (R{{0, 1.0}, {2, 1.0}, {4, std::log(2.0)}, {8, std::log(2.0)}}));
  EXPECT_EQ(row(2), (R{{1, 1.0}, {3, 1.0}, {8, std::log(2.0)}, {9, std::log(2.0)}}));
}

TEST(Das3h, TimeWindowsCountOnlyRecentAnswers) {
  KtData d;
  d.Add(0, 0, 1000, true, {0});
  d.Add(0, 0, 1000 + 2 * 86400, true, {0});  // two days later: outside the 1h and 1d windows
  d.n_items = 1;
  d.n_skills = 1;
  LogisticModel m("das3h", *LogisticFeatures::ForModel("das3h"), {});
  SparseRows x = m.Features(d);
  // student 0, item 1, skill 2, then per skill: (all attempts, all wins), then 4 windows x 2.
  std::vector<std::pair<int, double>> r;
  for (auto q = x.row_begin[1]; q < x.row_begin[2]; ++q) r.emplace_back(x.col[q], x.val[q]);
  const double l2 = std::log(2.0);
  EXPECT_EQ(
      r,
      (std::vector<std::pair<int, double>>{
          {0, 1.0}, {1, 1.0}, {2, 1.0}, {3, l2}, {4, l2}, {9, l2}, {10, l2}, {11, l2}, {12, l2}}));
}

TEST(FitLogistic, LearnsASeparatingWeight) {
  // y = 1 exactly when feature 0 is present.
  SparseRows x;
  x.n_cols = 2;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 200; ++i) {
    const bool on = i % 2 == 0;
    x.col.push_back(on ? 0 : 1);
    x.val.push_back(1.0);
    x.row_begin.push_back(static_cast<std::int64_t>(x.col.size()));
    y.push_back(on ? 1 : 0);
  }
  auto w = FitLogistic(x, y, {});
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 3u);
  EXPECT_GT((*w)[0], 2.0);
  EXPECT_LT((*w)[1], -2.0);
}

}  // namespace
}  // namespace pw::model
