// Mastery states and the stuck flag against the simulator's ground truth (issue 8's "done
// when"): on a simulated school, mastered-state precision >= 0.9 against what the students
// truly knew at the end, and the stuck flag finds the true non-learners (pairs attempted at
// least `stuck_attempts` times) with precision and recall >= 0.8.
//
// The school is longer and larger than the demo's (12 weeks, 480 students) so that the
// non-learner sample is a few hundred pairs; the run takes a few seconds under ASan.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "profile/kt_params.h"
#include "profile/mastery.h"
#include "profile/profile.h"
#include "sim/framework_gen.h"
#include "sim/school.h"
#include "testing/test_util.h"

namespace pw {
namespace {

struct Scores {
  int mastered = 0, mastered_true = 0;
  int flagged = 0, flagged_true = 0, non_learners = 0, found = 0;
};

// `below_grade`: how many of the 40 competencies are grade 5 (outside the course, assumed
// known by the practice policy and the profile; the rest are grade 6).
Scores Score(int students, int weeks, std::uint64_t seed, int below_grade) {
  Rng frng(100);
  sim::SyntheticFramework f = sim::GenerateFramework({.competencies = 40, .framework_id = 1}, frng);
  for (int i = 0; i < 40; ++i) f.competencies[i].grade = std::string(i < below_grade ? "5" : "6");
  Result<CompetencyGraph> graph = CompetencyGraph::Build(f.competencies, f.edges);
  EXPECT_TRUE(graph.ok());
  sim::SchoolOptions options;
  options.students = students;
  options.classes = 8;
  options.weeks = weeks;
  Rng rng(seed);
  Result<sim::SimulatedSchool> school = sim::SimulateSchool(options, *graph, rng);
  EXPECT_TRUE(school.ok()) << school.status().ToString();
  const sim::SimulatedSchool& s = *school;

  // Online mastery, exactly as RecordEvidence applies it (default parameters and options).
  const model::BktParams bkt = profile::DefaultBktParams();
  const profile::MasteryOptions mo;
  std::vector<std::unordered_map<Id, profile::StoredMastery>> mastery(s.student_count);
  for (const EvidenceEvent& e : s.evidence) {
    profile::ApplyEvidence(bkt, mo, {e.time, e.score, e.activity_id},
                           &mastery[e.student_id - 1][e.competency_id].estimate);
  }
  const Timestamp end{StartOf(s.school_days.back()).millis + kMillisPerDay - 1};

  Scores sc;
  std::set<std::pair<Id, Id>> flagged;
  for (int st = 0; st < s.student_count; ++st) {
    profile::ProfileInputs in;
    in.student = s.people[st];
    in.frameworks.push_back({&*graph, mo});
    in.mastery = mastery[st];
    in.courses = s.courses;
    in.now = end;
    Result<profile::LearnerProfile> p = profile::BuildProfile(in);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    for (const profile::CompetencyStatus& c : p->mastery) {
      if (c.state != profile::MasteryState::kMastered) continue;
      ++sc.mastered;
      sc.mastered_true += s.truth.KnownAtEnd(st, s.truth.CompetencyIndex(c.competency_id));
    }
    for (const profile::Flag& fl : p->flags) {
      if (fl.kind == profile::FlagKind::kStuck) flagged.emplace(in.student.id, fl.competency_id);
    }
  }
  const int min_attempts = profile::ProfileOptions{}.stuck_attempts;
  std::set<std::pair<Id, Id>> non_learners;
  for (const auto& pair : s.truth.NonLearners(min_attempts)) non_learners.insert(pair);
  sc.flagged = static_cast<int>(flagged.size());
  sc.non_learners = static_cast<int>(non_learners.size());
  for (const auto& pair : flagged) sc.flagged_true += non_learners.count(pair) > 0;
  for (const auto& pair : non_learners) sc.found += flagged.count(pair) > 0;
  return sc;
}

void Print(const char* what, const Scores& sc) {
  std::cout << what << ": mastered " << sc.mastered << " pairs, precision "
            << static_cast<double>(sc.mastered_true) / sc.mastered << "; stuck " << sc.flagged
            << " flagged, " << sc.non_learners << " true non-learners, precision "
            << static_cast<double>(sc.flagged_true) / sc.flagged << ", recall "
            << static_cast<double>(sc.found) / sc.non_learners << "\n";
}

// Every competency in the course: the simulator's wheel-spinners are its non-learners.
TEST(ProfileAccuracyTest, MasteredPrecisionAndStuckPrecisionRecallOnASimulatedSchool) {
  const Scores sc = Score(/*students=*/480, /*weeks=*/12, /*seed=*/2026, /*below_grade=*/0);
  Print("all in the course", sc);
  ASSERT_GT(sc.mastered, 1000);
  ASSERT_GT(sc.non_learners, 100);
  EXPECT_GE(static_cast<double>(sc.mastered_true) / sc.mastered, 0.9);
  EXPECT_GE(static_cast<double>(sc.flagged_true) / sc.flagged, 0.8);
  EXPECT_GE(static_cast<double>(sc.found) / sc.non_learners, 0.8);
}

// A quarter of the framework is an earlier grade the course assumes. Students whose missing
// grade-5 prerequisite blocks learning also spin their wheels; the simulator does not label
// them non-learners, so the stuck flag's precision against that label is low here (about
// 0.25: docs/profiles.md) while its recall stays high.
TEST(ProfileAccuracyTest, WithAssumedEarlierGradeRecallStaysHigh) {
  const Scores sc = Score(/*students=*/480, /*weeks=*/12, /*seed=*/2026, /*below_grade=*/10);
  Print("grade 5 assumed", sc);
  ASSERT_GT(sc.non_learners, 100);
  EXPECT_GE(static_cast<double>(sc.mastered_true) / sc.mastered, 0.9);
  EXPECT_GE(static_cast<double>(sc.found) / sc.non_learners, 0.8);
}

}  // namespace
}  // namespace pw
