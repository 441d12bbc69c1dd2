#include "profile/kt_params.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pw::profile {
namespace {

// What `pathwise kt fit --db` writes (the kt-fit envelope around KtModel::ToJson).
constexpr char kFitted[] = R"({"pathwise_kt_params": 1, "model": "bkt",
  "students": ["1", "2"], "items": ["5"], "skills": ["12", "13"],
  "params": {"model": "bkt", "columns": ["prior", "learn", "guess", "slip", "forget"],
             "skills": [[0.3, 0.2, 0.15, 0.05, 0.0], [0.1, 0.3, 0.25, 0.1, 0.0]],
             "fallback": [0.25, 0.12, 0.2, 0.1, 0.0], "base_rate": 0.6, "train_loglik": -10}})";

TEST(KtParamsTest, ParsesPerCompetencyParametersAndTheFallback) {
  Result<FrameworkKtParams> p = ParseKtParams(kFitted, "kt.params.framework.1");
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->model, "bkt");
  EXPECT_DOUBLE_EQ(p->For(12).prior, 0.3);
  EXPECT_DOUBLE_EQ(p->For(13).guess, 0.25);
  EXPECT_DOUBLE_EQ(p->For(99).learn, 0.12);  // not fitted: the fallback
}

TEST(KtParamsTest, DefaultsWhenNothingIsStored) {
  FrameworkKtParams p;
  EXPECT_EQ(p.model, "default");
  EXPECT_DOUBLE_EQ(p.For(1).prior, 0.2);
  EXPECT_DOUBLE_EQ(p.For(1).learn, 0.15);
  EXPECT_DOUBLE_EQ(p.For(1).guess, 0.2);
  EXPECT_DOUBLE_EQ(p.For(1).slip, 0.1);
  EXPECT_DOUBLE_EQ(p.For(1).forget, 0.0);
}

TEST(KtParamsTest, ErrorsNameTheKey) {
  const std::string what = "kt.params.framework.1";
  EXPECT_EQ(ParseKtParams("[1]", what).status().message(),
            "kt.params.framework.1: expected a JSON object from `pathwise kt fit`");
  EXPECT_EQ(ParseKtParams(R"({"model": "elo"})", what).status().message(),
            "kt.params.framework.1: model: expected \"bkt\" or \"bkt-forget\", got \"elo\"");
  EXPECT_EQ(ParseKtParams(R"({"model": "bkt", "skills": ["1"], "params": {"skills": [[0.1, 0.1,
      0.1, 0.1, 0.0]], "fallback": [0.1, 0.1, 0.1, 0.1]}})", what).status().message(),
            "kt.params.framework.1: params.fallback: expected [prior, learn, guess, slip, "
            "forget] in [0, 1]");
  EXPECT_EQ(ParseKtParams(R"({"model": "bkt", "skills": ["1", "x"], "params": {"skills":
      [[0.1, 0.1, 0.1, 0.1, 0.0], [0.1, 0.1, 0.1, 0.1, 0.0]], "fallback": [0.1, 0.1, 0.1, 0.1,
      0.0]}})", what).status().message(),
            "kt.params.framework.1: skills[1]: expected a competency id as text, got \"x\"");
  EXPECT_EQ(ParseKtParams(R"({"model": "bkt", "skills": ["1"], "params": {"skills": [[0.1, 0.1,
      1.5, 0.1, 0.0]], "fallback": [0.1, 0.1, 0.1, 0.1, 0.0]}})", what).status().message(),
            "kt.params.framework.1: params.skills[0]: expected [prior, learn, guess, slip, "
            "forget] in [0, 1]");
}

TEST(KtParamsTest, MasteryOptionsOverTheDefaults) {
  Result<MasteryOptions> o =
      ParseMasteryOptions(R"({"mastery_threshold": 0.9, "min_evidence": 4})", "k");
  PW_ASSERT_OK(o);
  EXPECT_DOUBLE_EQ(o->mastery_threshold, 0.9);
  EXPECT_EQ(o->min_evidence, 4);
  EXPECT_DOUBLE_EQ(o->half_life_days, 120);
  EXPECT_EQ(ParseMasteryOptions(R"({"threshold": 0.9})", "k").status().message(),
            "k: unknown option \"threshold\" (expected mastery_threshold, min_evidence, "
            "review_below, half_life_days, retry_minutes)");
  EXPECT_EQ(ParseMasteryOptions(R"({"mastery_threshold": 2})", "k").status().message(),
            "k: mastery_threshold: expected a number in (0.5, 1], got 2");
  EXPECT_EQ(KtParamsKey(7), "kt.params.framework.7");
  EXPECT_EQ(MasteryOptionsKey(7), "profile.options.framework.7");
}

}  // namespace
}  // namespace pw::profile
