#include "profile/profile.h"

#include <gtest/gtest.h>

#include "profile/readability.h"
#include "profile/report.h"
#include "profile/school_days.h"
#include "testing/test_util.h"

namespace pw::profile {
namespace {

Date D(const char* text) { return *ParseDate(text); }
Timestamp T(const char* text) { return *ParseTimestamp(text); }

// 5.NF.B.4 and 6.EE.A.1 -> 6.EE.A.2 -> 6.EE.A.3; the course requires the three grade-6 ones.
class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Competency> cs;
    const char* codes[] = {"5.NF.B.4", "6.EE.A.1", "6.EE.A.2", "6.EE.A.3"};
    const char* statements[] = {"Multiply fractions", "Write and evaluate expressions with powers",
                                "Write, read and evaluate expressions with letters",
                                "Make equivalent expressions"};
    for (int i = 0; i < 4; ++i) {
      Competency c;
      c.id = i + 1;
      c.framework_id = 1;
      c.code = codes[i];
      c.statement = statements[i];
      cs.push_back(c);
    }
    graph_ = std::make_unique<CompetencyGraph>(
        *CompetencyGraph::Build(cs, {{1, 3}, {2, 3}, {3, 4}}));
    in_.student = Person{.id = 42,
                         .source_id = std::string("s-42"),
                         .given_name = std::string("Maya"),
                         .family_name = std::string("Lopez"),
                         .role = Role::kStudent,
                         .email = std::string(),
                         .grade = std::string("6"),
                         .org_id = 1};
    in_.frameworks.push_back({graph_.get(), MasteryOptions{}});
    Course course;
    course.id = 5;
    course.title = "Math 6";
    course.framework_id = 1;
    course.required_competencies = {2, 3, 4};
    in_.courses = {course};
    in_.term_start = D("2026-09-07");
    in_.term_end = D("2026-11-06");
    // 6.EE.A.1 mastered on 2026-09-21; 5.NF.B.4 spun its wheels.
    StoredMastery mastered;
    mastered.estimate = {.p = 0.99,
                         .attempts = 6,
                         .independent = 5,
                         .correct = 6,
                         .last_evidence = T("2026-10-01T09:00:00Z"),
                         .last_activity_id = 3,
                         .state = MasteryState::kMastered,
                         .mastered_at = T("2026-09-21T09:00:00Z")};
    in_.mastery[2] = mastered;
    StoredMastery stuck;
    stuck.estimate = {.p = 0.3,
                      .attempts = 12,
                      .independent = 9,
                      .correct = 3,
                      .last_evidence = T("2026-09-30T09:00:00Z"),
                      .last_activity_id = 1,
                      .state = MasteryState::kLearning,
                      .mastered_at = std::nullopt};
    in_.mastery[1] = stuck;
    for (Date d = *in_.term_start; d <= D("2026-10-02"); ++d.days) {
      if (!IsSchoolDay(d)) continue;
      const bool absent = d == D("2026-09-08") || d == D("2026-09-15") || d == D("2026-09-29");
      in_.attendance.push_back({42, d,
                                absent ? AttendanceStatus::kUnexcusedAbsence
                                       : AttendanceStatus::kPresent,
                                "sis"});
    }
    in_.incidents.push_back({.id = 1,
                             .student_id = 42,
                             .time = T("2026-09-25T10:00:00Z"),
                             .category = std::string("disruption"),
                             .severity = 1,
                             .description = std::string(),
                             .source_system = std::string("sis"),
                             .source_record = std::string("b-1")});
    in_.sel = {{42, D("2026-09-07"), "self-management", 3.0, 1, 5, "survey"},
               {42, D("2026-09-21"), "self-management", 3.6, 1, 5, "survey"}};
    in_.stated_interests = {"soccer"};
    in_.activity_tags = {{"sports", 9}, {"money", 4}, {"music", 1}};
    in_.goals = {Goal{.id = 1,
                      .student_id = 42,
                      .description = std::string("Master 6.EE.A.1 and 6.EE.A.2"),
                      .competencies = {2, 3},
                      .target = D("2026-11-06"),
                      .status = GoalStatus::kActive,
                      .set_by = 7,
                      .created = T("2026-09-07T08:00:00Z")}};
    in_.now = T("2026-10-02T20:00:00Z");
  }

  std::unique_ptr<CompetencyGraph> graph_;
  ProfileInputs in_;
};

TEST_F(ProfileTest, MasteryMapWithPrerequisiteDiagnosis) {
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  ASSERT_EQ(p->mastery.size(), 4u);
  const CompetencyStatus* ee2 = p->Find(3);
  ASSERT_NE(ee2, nullptr);
  EXPECT_EQ(ee2->state, MasteryState::kNotStarted);
  EXPECT_FALSE(ee2->open);
  EXPECT_EQ(ee2->blocked_by, std::vector<std::string>{"5.NF.B.4"});
  EXPECT_EQ(p->Find(2)->state, MasteryState::kMastered);
  EXPECT_EQ(p->strengths, std::vector<Id>{2});
  ASSERT_EQ(p->needs.size(), 2u);
  EXPECT_EQ(p->needs[0].text, "stuck on 5.NF.B.4: 12 attempts, 3 right, not mastered yet");
  EXPECT_EQ(p->needs[1].text, "6.EE.A.2 is blocked: 5.NF.B.4 is not mastered");
  // 6.EE.A.3 waits on 6.EE.A.2, itself blocked: not "next in line", so not listed as a need.
  EXPECT_EQ(p->Find(4)->blocked_by, std::vector<std::string>{"6.EE.A.2"});
}

TEST_F(ProfileTest, InterestsGoalsCoursesAndIndicators) {
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->interests.stated, std::vector<std::string>{"soccer"});
  ASSERT_EQ(p->interests.inferred.size(), 2u);  // music has too little evidence
  EXPECT_EQ(p->interests.inferred[0], (std::pair<std::string, int>{"sports", 9}));
  ASSERT_EQ(p->goals.size(), 1u);
  EXPECT_EQ(p->goals[0].mastered, 1);
  EXPECT_EQ(p->goals[0].total, 2);
  ASSERT_EQ(p->courses.size(), 1u);
  EXPECT_EQ(p->courses[0].mastered, 1);
  EXPECT_FALSE(p->courses[0].complete);
  const Indicators& ind = p->indicators;
  EXPECT_EQ(ind.days_30, 20);
  EXPECT_EQ(ind.missed_30, 3);
  EXPECT_NEAR(*ind.attendance_rate_30, 0.85, 1e-12);
  EXPECT_FALSE(ind.attendance_rate_prev_30.has_value());
  EXPECT_TRUE(ind.chronic_absence);
  EXPECT_EQ(ind.incidents_30, 1);
  EXPECT_EQ(ind.behavior_trend, Trend::kUp);
  ASSERT_EQ(ind.sel.size(), 1u);
  EXPECT_EQ(ind.sel[0].trend, Trend::kUp);
  EXPECT_DOUBLE_EQ(ind.sel[0].latest, 3.6);
}

TEST_F(ProfileTest, PaceAndFlagsWithReasons) {
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->pace.status, "behind");
  EXPECT_EQ(p->pace.school_days_elapsed, 20);
  EXPECT_EQ(p->pace.projected, D("2026-11-27"));
  ASSERT_EQ(p->flags.size(), 3u);
  EXPECT_EQ(p->flags[0].kind, FlagKind::kBehindPace);
  EXPECT_EQ(p->flags[0].reason,
            "behind pace: 1 of 3 required competencies mastered; at 0.2 a week, all by "
            "2026-11-27, after the term ends on 2026-11-06");
  EXPECT_EQ(p->flags[1].kind, FlagKind::kStuck);
  EXPECT_EQ(p->flags[1].competency_id, 1);
  EXPECT_EQ(p->flags[2].kind, FlagKind::kChronicAbsence);
  EXPECT_EQ(p->flags[2].reason, "chronic absence: missed 3 of 20 school days (15%) this term");
}

TEST_F(ProfileTest, NoActivityAndReadyToAdvance) {
  in_.now = T("2026-10-12T20:00:00Z");
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->flags.back().kind, FlagKind::kNoActivity);
  EXPECT_EQ(p->flags.back().reason, "no activity for 7 school days (last evidence on 2026-10-01)");

  // Everything required mastered (two by a teacher's override): the course is complete.
  for (Id id : {3, 4}) {
    StoredMastery m;
    m.override_ = MasteryOverride{MasteryState::kMastered, "shown in a project", "ms.rivera",
                                  T("2026-10-02T12:00:00Z")};
    in_.mastery[id] = m;
  }
  in_.now = T("2026-10-02T20:00:00Z");
  p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->Find(3)->state, MasteryState::kMastered);
  EXPECT_EQ(p->Find(3)->estimated_state, MasteryState::kNotStarted);
  EXPECT_TRUE(p->courses[0].complete);
  EXPECT_EQ(p->courses[0].completed_at, T("2026-10-02T12:00:00Z"));
  EXPECT_EQ(p->pace.status, "complete");
  bool ready = false;
  for (const Flag& f : p->flags) {
    if (f.kind == FlagKind::kReadyToAdvance) {
      ready = true;
      EXPECT_EQ(f.reason, "ready to advance: mastered all 3 required competencies of Math 6");
    }
  }
  EXPECT_TRUE(ready);
}

TEST_F(ProfileTest, NeedsReviewAfterALongBreak) {
  in_.now = T("2026-11-20T20:00:00Z");  // 50 days after the last evidence on 6.EE.A.1
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  EXPECT_EQ(p->Find(2)->state, MasteryState::kNeedsReview);
  bool listed = false;
  for (const Need& n : p->needs) {
    if (n.kind == "needs_review") {
      listed = true;
      EXPECT_EQ(n.text, "6.EE.A.1 needs review: mastered on 2026-09-21, last practised on "
                        "2026-10-01");
    }
  }
  EXPECT_TRUE(listed);
}

TEST_F(ProfileTest, GuardianReportIsPlainWords) {
  Result<LearnerProfile> p = BuildProfile(in_);
  PW_ASSERT_OK(p);
  std::vector<EvidenceExample> examples = {
      {T("2026-10-01T09:00:00Z"), "6.EE.A.1", "Powers of ten", 1.0},
      {T("2026-09-30T09:00:00Z"), "5.NF.B.4", "", 0.0}};
  GuardianReport r = BuildGuardianReport(*p, examples, MasteryOptions{});
  EXPECT_EQ(r.title, "Progress report for Maya Lopez");
  ASSERT_EQ(r.sections.size(), 6u);
  EXPECT_EQ(r.sections[0].heading, "What Maya can do now");
  EXPECT_EQ(r.sections[0].items,
            std::vector<std::string>{"6.EE.A.1: Write and evaluate expressions with powers."});
  EXPECT_EQ(r.sections[2].items[0],
            "On October 1, Maya did \"Powers of ten\" for 6.EE.A.1 and got it right.");
  EXPECT_EQ(r.sections[2].items[1],
            "On September 30, Maya did a task for 5.NF.B.4 and did not get it right yet.");
  EXPECT_EQ(r.sections[3].paragraphs[0],
            "A skill is mastered when Maya has shown it in at least 3 separate pieces of work. "
            "We must also be at least 95 out of 100 sure that the skill is really there.");
  const std::string text = ReportText(r);
  const double grade = FleschKincaidGrade(text);
  EXPECT_LE(grade, 8.0) << text;
  const std::string html = ReportHtml(r);
  EXPECT_NE(html.find("<h2>Why there is no letter grade</h2>"), std::string::npos);
  EXPECT_NE(html.find("&quot;Powers of ten&quot;"), std::string::npos);
}

TEST(SchoolDaysTest, CountsAndAddsWeekdays) {
  EXPECT_EQ(SchoolDaysBetween(D("2026-09-07"), D("2026-09-13")), 5);
  EXPECT_EQ(SchoolDaysBetween(D("2026-09-12"), D("2026-09-13")), 0);
  EXPECT_EQ(SchoolDaysBetween(D("2026-09-13"), D("2026-09-12")), 0);
  EXPECT_EQ(AddSchoolDays(D("2026-09-11"), 1), D("2026-09-14"));  // Friday + 1 = Monday
  EXPECT_EQ(AddSchoolDays(D("2026-09-12"), 0), D("2026-09-14"));  // Saturday -> Monday
  EXPECT_EQ(AddSchoolDays(D("2026-09-10"), 6), D("2026-09-18"));
}

}  // namespace
}  // namespace pw::profile
