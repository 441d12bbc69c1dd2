#include "profile/mastery.h"

#include <gtest/gtest.h>

#include "profile/kt_params.h"
#include "testing/test_util.h"

namespace pw::profile {
namespace {

constexpr std::int64_t kDay = kMillisPerDay;
constexpr std::int64_t kMinute = 60'000;

const model::BktParams kBkt{.prior = 0.2, .learn = 0.15, .guess = 0.2, .slip = 0.1, .forget = 0};

TEST(MasteryTest, FirstEvidenceStartsFromThePriorAndTakesOneBktStep) {
  MasteryEstimate m;
  ApplyEvidence(kBkt, {}, {.time = Timestamp{1000}, .score = 1, .activity_id = 7}, &m);
  EXPECT_DOUBLE_EQ(m.p, model::BktUpdate(kBkt, 0.2, true));
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.independent, 1);
  EXPECT_EQ(m.correct, 1);
  EXPECT_EQ(m.last_evidence, Timestamp{1000});
  EXPECT_EQ(m.last_activity_id, 7);
  EXPECT_EQ(m.state, MasteryState::kLearning);
}

TEST(MasteryTest, MasteredNeedsTheThresholdAndThreeIndependentPieces) {
  // Two right answers on one activity, then retries of it within 10 minutes: P passes 0.95
  // but only 1 piece is independent until another activity (or a later day) counts.
  MasteryEstimate m;
  for (int i = 0; i < 6; ++i) {
    ApplyEvidence(kBkt, {}, {.time = Timestamp{i * kMinute}, .score = 1, .activity_id = 7}, &m);
  }
  EXPECT_GT(m.p, 0.95);
  EXPECT_EQ(m.independent, 1);
  EXPECT_EQ(m.state, MasteryState::kLearning);
  ApplyEvidence(kBkt, {}, {.time = Timestamp{6 * kMinute}, .score = 1, .activity_id = 8}, &m);
  EXPECT_EQ(m.independent, 2);
  EXPECT_EQ(m.state, MasteryState::kLearning);
  ApplyEvidence(kBkt, {}, {.time = Timestamp{30 * kMinute}, .score = 1, .activity_id = 8}, &m);
  EXPECT_EQ(m.independent, 3);
  EXPECT_EQ(m.state, MasteryState::kMastered);
  EXPECT_EQ(m.mastered_at, Timestamp{30 * kMinute});
}

TEST(MasteryTest, ThresholdIsConfigurable) {
  MasteryOptions strict;
  strict.mastery_threshold = 0.999;
  MasteryEstimate a, b;
  for (int i = 0; i < 3; ++i) {
    const EvidenceOutcome e{.time = Timestamp{i * kDay}, .score = 1, .activity_id = i + 1};
    ApplyEvidence(kBkt, {}, e, &a);
    ApplyEvidence(kBkt, strict, e, &b);
  }
  EXPECT_EQ(a.state, MasteryState::kMastered);
  EXPECT_EQ(b.state, MasteryState::kLearning);
}

TEST(MasteryTest, DecayWithTimeTurnsMasteredIntoNeedsReview) {
  MasteryEstimate m;
  for (int i = 0; i < 5; ++i) {
    ApplyEvidence(kBkt, {}, {.time = Timestamp{i * kDay}, .score = 1, .activity_id = i + 1}, &m);
  }
  ASSERT_EQ(m.state, MasteryState::kMastered);
  const MasteryOptions o;  // half-life 120 days, review below 0.85
  const Timestamp last = m.last_evidence;
  EXPECT_EQ(StateAt(m, o, Timestamp{last.millis + 10 * kDay}), MasteryState::kMastered);
  EXPECT_NEAR(PAt(m, o, Timestamp{last.millis + 120 * kDay}), m.p / 2, 1e-12);
  EXPECT_EQ(StateAt(m, o, Timestamp{last.millis + 40 * kDay}), MasteryState::kNeedsReview);
  // Fresh evidence after the break starts from the decayed P.
  MasteryEstimate after = m;
  ApplyEvidence(kBkt, o, {.time = Timestamp{last.millis + 40 * kDay}, .score = 0}, &after);
  EXPECT_DOUBLE_EQ(after.p, model::BktUpdate(kBkt, DecayedP(m.p, 40, o), false));
  EXPECT_EQ(after.state, MasteryState::kNeedsReview);
}

TEST(MasteryTest, WrongAnswersAfterMasteryMeanReviewNotLearning) {
  MasteryEstimate m;
  for (int i = 0; i < 5; ++i) {
    ApplyEvidence(kBkt, {}, {.time = Timestamp{i * kDay}, .score = 1, .activity_id = i + 1}, &m);
  }
  ASSERT_EQ(m.state, MasteryState::kMastered);
  ApplyEvidence(kBkt, {}, {.time = Timestamp{6 * kDay}, .score = 0, .activity_id = 9}, &m);
  ApplyEvidence(kBkt, {}, {.time = Timestamp{7 * kDay}, .score = 0, .activity_id = 9}, &m);
  EXPECT_LT(m.p, 0.85);
  EXPECT_EQ(m.state, MasteryState::kNeedsReview);
  EXPECT_TRUE(m.mastered_at.has_value());
}

TEST(MasteryTest, PartialCreditMixesTheTwoUpdates) {
  MasteryEstimate m;
  ApplyEvidence(kBkt, {}, {.time = Timestamp{0}, .score = 0.25}, &m);
  EXPECT_DOUBLE_EQ(m.p, 0.25 * model::BktUpdate(kBkt, 0.2, true) +
                            0.75 * model::BktUpdate(kBkt, 0.2, false));
  EXPECT_EQ(m.correct, 0);
}

TEST(MasteryTest, StateNamesRoundTripAndUnknownIsRejected) {
  for (MasteryState s : {MasteryState::kNotStarted, MasteryState::kLearning,
                         MasteryState::kMastered, MasteryState::kNeedsReview}) {
    EXPECT_EQ(*ParseMasteryState(MasteryStateName(s)), s);
  }
  EXPECT_EQ(ParseMasteryState("done").status().message(),
            "unknown mastery state \"done\" (expected one of: not_started, learning, mastered, "
            "needs_review)");
  EXPECT_EQ(MasteryStateWords(MasteryState::kNeedsReview), "needs review");
}

TEST(MasteryTest, OptionsAreValidated) {
  MasteryOptions o;
  o.mastery_threshold = 1.2;
  EXPECT_EQ(ValidateMasteryOptions(o).message(),
            "mastery_threshold: expected a number in (0.5, 1], got 1.2");
  o = {};
  o.min_evidence = 0;
  EXPECT_EQ(ValidateMasteryOptions(o).message(),
            "min_evidence: expected an integer in [1, 1000], got 0");
  PW_EXPECT_OK(ValidateMasteryOptions({}));
}

}  // namespace
}  // namespace pw::profile
