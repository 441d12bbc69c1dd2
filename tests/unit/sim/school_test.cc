#include "sim/school.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <set>

#include "sim/framework_gen.h"
#include "testing/test_util.h"

namespace pw::sim {
namespace {

// A synthetic framework whose first 10 competencies are grade 5 and the rest grade 6.
CompetencyGraph Framework() {
  Rng rng(100);
  SyntheticFramework f = GenerateFramework({.competencies = 40, .framework_id = 3}, rng);
  for (int i = 0; i < 40; ++i) f.competencies[i].grade = std::string(i < 10 ? "5" : "6");
  return *CompetencyGraph::Build(std::move(f.competencies), std::move(f.edges));
}

class SchoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    framework_ = new CompetencyGraph(Framework());
    Rng rng(2026);
    Result<SimulatedSchool> s = SimulateSchool(SchoolOptions{}, *framework_, rng);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    school_ = new SimulatedSchool(std::move(*s));
  }
  static void TearDownTestSuite() {
    delete school_;
    delete framework_;
  }
  static CompetencyGraph* framework_;
  static SimulatedSchool* school_;
};
CompetencyGraph* SchoolTest::framework_ = nullptr;
SimulatedSchool* SchoolTest::school_ = nullptr;

TEST_F(SchoolTest, DefaultSizes) {
  const SimulatedSchool& s = *school_;
  ASSERT_EQ(s.orgs.size(), 2u);
  EXPECT_EQ(s.orgs[0].type, OrgType::kDistrict);
  EXPECT_EQ(s.orgs[1].type, OrgType::kSchool);
  EXPECT_EQ(s.orgs[1].parent_id, s.orgs[0].id);
  std::map<Role, int> roles;
  for (const Person& p : s.people) ++roles[p.role];
  EXPECT_EQ(roles[Role::kStudent], 120);
  EXPECT_EQ(roles[Role::kTeacher], 4);
  EXPECT_GE(roles[Role::kGuardian], 120);
  EXPECT_LE(roles[Role::kGuardian], 240);
  EXPECT_EQ(s.classes.size(), 4u);
  EXPECT_EQ(s.courses.size(), 4u);
  ASSERT_EQ(s.school_days.size(), 20u);
  EXPECT_EQ(s.school_days.front(), DateFromCivil(2026, 9, 7));
  EXPECT_EQ(s.school_days.back(), DateFromCivil(2026, 10, 2));
  for (Date d : s.school_days) EXPECT_LT(Weekday(d), 5);
  ASSERT_EQ(s.sessions.size(), 1u);
  EXPECT_EQ(s.sessions[0].start, s.school_days.front());
  EXPECT_GT(s.sessions[0].end, s.school_days.back());
  EXPECT_EQ(s.sessions[0].school_year, 2027);
  EXPECT_GT(s.evidence.size(), 120u * 20u * 5u);
  EXPECT_EQ(s.student_count, 120);
}

TEST_F(SchoolTest, IdsAreDenseAndSourceIdsStable) {
  const SimulatedSchool& s = *school_;
  for (std::size_t i = 0; i < s.people.size(); ++i) EXPECT_EQ(s.people[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.classes.size(); ++i) EXPECT_EQ(s.classes[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.enrollments.size(); ++i) EXPECT_EQ(s.enrollments[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.activities.size(); ++i) EXPECT_EQ(s.activities[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.evidence.size(); ++i) EXPECT_EQ(s.evidence[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.incidents.size(); ++i) EXPECT_EQ(s.incidents[i].id, Id(i + 1));
  for (std::size_t i = 0; i < s.goals.size(); ++i) EXPECT_EQ(s.goals[i].id, Id(i + 1));
  EXPECT_EQ(s.people[16].source_id, "sim-student-17");
  EXPECT_EQ(s.people[120].source_id, "sim-teacher-1");
  EXPECT_EQ(s.people[124].source_id, "sim-guardian-1");
  std::set<std::string> sources;
  for (const Person& p : s.people) EXPECT_TRUE(sources.insert(p.source_id).second) << p.source_id;
}

TEST_F(SchoolTest, ReferencesAreConsistent) {
  const SimulatedSchool& s = *school_;
  std::map<Id, const Person*> people;
  for (const Person& p : s.people) people[p.id] = &p;
  std::set<Id> orgs, courses, classes, activities;
  for (const Org& o : s.orgs) orgs.insert(o.id);
  for (const Course& c : s.courses) {
    courses.insert(c.id);
    EXPECT_TRUE(orgs.count(c.org_id));
    EXPECT_EQ(c.framework_id, 3);
    EXPECT_EQ(c.required_competencies.size(), 30u);  // the grade-6 ones
    for (Id id : c.required_competencies) EXPECT_GE(framework_->IndexOf(id), 10);
  }
  for (const ClassSection& c : s.classes) {
    classes.insert(c.id);
    EXPECT_TRUE(courses.count(c.course_id));
    EXPECT_TRUE(orgs.count(c.school_id));
    EXPECT_EQ(c.session_id, s.sessions[0].id);
  }
  for (const Person& p : s.people) EXPECT_TRUE(orgs.count(p.org_id)) << p.source_id;
  std::map<Id, int> teachers_per_class, students_per_class, classes_per_student;
  for (const Enrollment& e : s.enrollments) {
    ASSERT_TRUE(classes.count(e.class_id));
    ASSERT_TRUE(people.count(e.person_id));
    const Role role = people[e.person_id]->role;
    if (e.role == EnrollmentRole::kTeacher) {
      EXPECT_EQ(role, Role::kTeacher);
      ++teachers_per_class[e.class_id];
    } else {
      EXPECT_EQ(role, Role::kStudent);
      ++students_per_class[e.class_id];
      ++classes_per_student[e.person_id];
    }
  }
  for (Id c : classes) {
    EXPECT_EQ(teachers_per_class[c], 1);
    EXPECT_EQ(students_per_class[c], 30);
  }
  EXPECT_EQ(classes_per_student.size(), 120u);
  std::map<Id, int> guardians_of;
  for (const GuardianLink& l : s.guardian_links) {
    ASSERT_TRUE(people.count(l.guardian_id) && people.count(l.student_id));
    EXPECT_EQ(people[l.guardian_id]->role, Role::kGuardian);
    EXPECT_EQ(people[l.student_id]->role, Role::kStudent);
    ++guardians_of[l.student_id];
  }
  EXPECT_EQ(guardians_of.size(), 120u);
  for (auto [student, n] : guardians_of) EXPECT_TRUE(n == 1 || n == 2);
  for (const Activity& a : s.activities) {
    activities.insert(a.id);
    ASSERT_FALSE(a.competencies.empty());
    for (Id c : a.competencies) EXPECT_GE(framework_->IndexOf(c), 0);
    EXPECT_GT(a.duration_minutes, 0);
    EXPECT_FALSE(a.tags.empty());
  }
  for (const EvidenceEvent& e : s.evidence) {
    ASSERT_TRUE(people.count(e.student_id));
    EXPECT_EQ(people[e.student_id]->role, Role::kStudent);
    EXPECT_TRUE(activities.count(e.activity_id));
    EXPECT_GE(framework_->IndexOf(e.competency_id), 0);
    EXPECT_EQ(e.source_system, "pathwise-sim");
    PW_EXPECT_OK(ValidateEvidence(e));
  }
  for (const Goal& g : s.goals) {
    EXPECT_EQ(people[g.student_id]->role, Role::kStudent);
    EXPECT_EQ(people[g.set_by]->role, Role::kTeacher);
    for (Id c : g.competencies) EXPECT_GE(framework_->IndexOf(c), 0);
  }
  EXPECT_EQ(s.goals.size(), 120u);
}

TEST_F(SchoolTest, ActivitiesVaryAndSomeArePoor) {
  const SimulatedSchool& s = *school_;
  std::set<Modality> modalities;
  for (const Activity& a : s.activities) modalities.insert(a.modality);
  EXPECT_EQ(modalities.size(), 6u);
  int poor = 0;
  for (double q : s.activity_quality) poor += q < 0.5 ? 1 : 0;
  EXPECT_GT(poor, 5);
  EXPECT_LT(poor, static_cast<int>(s.activities.size()) / 3);
}

TEST_F(SchoolTest, AttendanceOneRecordPerStudentDayAndChronicAbsenteesExist) {
  const SimulatedSchool& s = *school_;
  ASSERT_EQ(s.attendance.size(), 120u * 20u);
  std::map<Id, int> absent;
  std::set<std::pair<Id, std::int32_t>> absent_days;
  for (const AttendanceRecord& r : s.attendance) {
    if (IsAbsence(r.status)) {
      ++absent[r.student_id];
      absent_days.insert({r.student_id, r.date.days});
    }
  }
  const double rate = std::accumulate(absent.begin(), absent.end(), 0,
                                      [](int acc, auto& kv) { return acc + kv.second; }) /
                      (120.0 * 20.0);
  EXPECT_GT(rate, 0.02);
  EXPECT_LT(rate, 0.15);
  int chronic = 0;
  for (auto [student, n] : absent) chronic += n >= 2 ? 1 : 0;  // >= 10% of 20 days
  EXPECT_GE(chronic, 8);
  EXPECT_LE(chronic, 60);
  // No evidence on a day the student was absent.
  for (const EvidenceEvent& e : s.evidence) {
    EXPECT_FALSE(absent_days.count({e.student_id, DateOf(e.time).days}));
  }
}

TEST_F(SchoolTest, SelBehaviorAndTruth) {
  const SimulatedSchool& s = *school_;
  std::set<std::int32_t> survey_days;
  for (const SelScore& sc : s.sel_scores) {
    EXPECT_GE(sc.score, 1.0);
    EXPECT_LE(sc.score, 5.0);
    survey_days.insert(sc.date.days);
  }
  EXPECT_EQ(survey_days, (std::set<std::int32_t>{s.school_days[0].days, s.school_days[10].days}));
  EXPECT_GT(s.incidents.size(), 5u);
  for (const BehaviorIncident& b : s.incidents) {
    EXPECT_GE(b.severity, 1);
    EXPECT_LE(b.severity, 3);
  }
  ASSERT_EQ(s.evidence_known.size(), s.evidence.size());
  for (std::size_t i = 0; i < s.evidence.size(); ++i) {
    const EvidenceEvent& e = s.evidence[i];
    EXPECT_EQ(s.evidence_known[i] != 0, s.truth.Knew(e.student_id, e.competency_id, e.time));
  }
  // Grade-5 competencies are mostly known at the start, grade-6 ones mostly not.
  int known5 = 0, known6 = 0;
  for (int st = 0; st < 120; ++st) {
    for (int c = 0; c < 40; ++c) (c < 10 ? known5 : known6) += s.truth.InitiallyKnown(st, c);
  }
  EXPECT_GT(known5 / 1200.0, known6 / 3600.0 + 0.2);
  // Students learn during the four weeks.
  int learned = 0;
  for (int st = 0; st < 120; ++st) {
    for (int c = 10; c < 40; ++c)
      learned += !s.truth.InitiallyKnown(st, c) && s.truth.KnownAtEnd(st, c);
  }
  EXPECT_GT(learned, 300);
}

TEST(SchoolDeterminismTest, SameSeedSameSchoolOtherSeedDifferent) {
  CompetencyGraph g = Framework();
  SchoolOptions o;
  o.students = 40;
  o.weeks = 1;
  auto run = [&](std::uint64_t seed) {
    Rng rng(seed);
    Result<SimulatedSchool> s = SimulateSchool(o, g, rng);
    EXPECT_TRUE(s.ok());
    std::string text;
    for (const EvidenceEvent& e : s->evidence) {
      text += fmt::format("{},{},{},{},{}\n", e.student_id, e.activity_id, e.competency_id,
                          e.time.millis, e.score);
    }
    for (const Person& p : s->people) text += p.given_name + p.family_name + "\n";
    return text;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

TEST(SchoolOptionsTest, RejectsImpossibleOptions) {
  CompetencyGraph g = Framework();
  Rng rng(1);
  SchoolOptions o;
  o.students = 3;
  EXPECT_EQ(SimulateSchool(o, g, rng).status().message(),
            "students must be at least classes (4), got 3");
  o = SchoolOptions{};
  o.weeks = 0;
  EXPECT_EQ(SimulateSchool(o, g, rng).status().message(), "weeks must be at least 1, got 0");
}

TEST(SchoolOptionsTest, SeveralSchools) {
  CompetencyGraph g = Framework();
  Rng rng(1);
  SchoolOptions o;
  o.schools = 2;
  o.students = 60;
  o.weeks = 1;
  Result<SimulatedSchool> s = SimulateSchool(o, g, rng);
  PW_ASSERT_OK(s);
  EXPECT_EQ(s->orgs.size(), 3u);
  std::map<Id, int> classes_per_school;
  for (const ClassSection& c : s->classes) ++classes_per_school[c.school_id];
  EXPECT_EQ(classes_per_school, (std::map<Id, int>{{2, 2}, {3, 2}}));
}

}  // namespace
}  // namespace pw::sim
