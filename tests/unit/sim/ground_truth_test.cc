#include "sim/ground_truth.h"

#include <gtest/gtest.h>

namespace pw::sim {
namespace {

// Two students (ids 10, 20) x two competencies (ids 7, 8), hand-made.
GroundTruth MakeTruth() {
  LearnerPopulation pop;
  pop.students = 2;
  pop.skills = 2;
  pop.skill.resize(2);
  pop.student.resize(2);
  pop.initially_known = {0, 1, 0, 0};
  pop.non_learner = {0, 0, 0, 1};
  std::vector<KnowledgeChange> changes = {
      {0, 0, Timestamp{101}, true},
      {0, 1, Timestamp{201}, false},
      {0, 0, Timestamp{301}, false},
      {0, 0, Timestamp{401}, true},
  };
  return GroundTruth({10, 20}, {7, 8}, pop, changes, {3, 1, 0, 25});
}

TEST(GroundTruthTest, KnewFollowsTheChangesAfterTheAnswer) {
  GroundTruth t = MakeTruth();
  EXPECT_FALSE(t.KnewByIndex(0, 0, Timestamp{100}));  // the answer at 100 caused learning at 101
  EXPECT_TRUE(t.KnewByIndex(0, 0, Timestamp{101}));
  EXPECT_TRUE(t.KnewByIndex(0, 0, Timestamp{300}));
  EXPECT_FALSE(t.KnewByIndex(0, 0, Timestamp{301}));
  EXPECT_TRUE(t.KnewByIndex(0, 0, Timestamp{1000}));
  EXPECT_TRUE(t.KnewByIndex(0, 1, Timestamp{0}));  // initially known
  EXPECT_FALSE(t.KnewByIndex(0, 1, Timestamp{201}));
  EXPECT_FALSE(t.KnewByIndex(1, 0, Timestamp{1000}));
  EXPECT_TRUE(t.KnownAtEnd(0, 0));
  EXPECT_FALSE(t.KnownAtEnd(0, 1));
  EXPECT_EQ(t.Changes(0, 0).size(), 3u);
}

TEST(GroundTruthTest, ById) {
  GroundTruth t = MakeTruth();
  EXPECT_EQ(t.StudentIndex(20), 1);
  EXPECT_EQ(t.CompetencyIndex(8), 1);
  EXPECT_EQ(t.StudentIndex(99), -1);
  EXPECT_TRUE(t.Knew(Id{10}, Id{7}, Timestamp{150}));
  EXPECT_FALSE(t.Knew(Id{99}, Id{7}, Timestamp{150}));
}

TEST(GroundTruthTest, FirstKnownAttemptsAndNonLearners) {
  GroundTruth t = MakeTruth();
  EXPECT_EQ(t.FirstKnown(0, 0)->millis, 101);
  EXPECT_EQ(t.FirstKnown(0, 1)->millis, std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(t.FirstKnown(1, 1).has_value());
  EXPECT_EQ(t.Attempts(1, 1), 25);
  EXPECT_EQ(t.NonLearners(), (std::vector<std::pair<Id, Id>>{{20, 8}}));
  EXPECT_TRUE(t.NonLearners(26).empty());
  EXPECT_EQ(t.NonLearners(25).size(), 1u);
}

}  // namespace
}  // namespace pw::sim
