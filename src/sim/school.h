// School mode: a whole simulated district for the demo — roster, courses and classes tied to
// a competency framework, activities, weeks of evidence, attendance, behavior, social-emotional
// surveys and goals — plus the ground truth of what each student really knew.
//
//   PW_ASSIGN_OR_RETURN(SimulatedSchool school, SimulateSchool(SchoolOptions{}, framework, rng));
//   for (const Person& p : school.people) store.Put(p);   // ids are already assigned
//
// Ids: every table is numbered densely from 1 by the simulator (people — students first, then
// teachers, then guardians — share one id space, as they are one table); references use those
// ids; competency ids are those of `framework`. Every entity also has a stable source_id such
// as "sim-student-17". Evidence has source_system "pathwise-sim". Times are UTC; school days
// are Monday to Friday from `start` (no wall clock is read). Deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/activity.h"
#include "core/competency_graph.h"
#include "core/evidence.h"
#include "core/goal.h"
#include "core/random.h"
#include "core/roster.h"
#include "core/status.h"
#include "core/time.h"
#include "core/wellbeing.h"
#include "sim/ground_truth.h"
#include "sim/learner_model.h"
#include "sim/practice_policy.h"

namespace pw::sim {

struct SchoolOptions {
  int schools = 1;           // in one district; classes are dealt to schools in turn
  int classes = 4;           // one teacher each
  int students = 120;        // dealt to classes in turn
  int weeks = 4;             // of simulated school days (Monday to Friday)
  Date start = Date{20703};  // 2026-09-07, a Monday; the first school day is the first
                             // weekday on or after it
  int term_weeks = 18;       // length of the academic session (term) from `start`
  std::string grade = "6";   // of every student; competencies of this grade are the courses'
                             // required competencies (all of them if none has this grade)
  int activities_per_competency = 4;
  int answers_per_day_min = 8, answers_per_day_max = 16;  // per present student

  // Attendance: a typical student misses a day with probability ~ Uniform(absence_min,
  // absence_max); a chronic_fraction of students with Uniform(chronic_min, chronic_max).
  double absence_min = 0.0, absence_max = 0.05;
  double chronic_fraction = 0.15;
  double chronic_min = 0.15, chronic_max = 0.35;
  double tardy_rate = 0.04;    // of present days
  double excused_share = 0.6;  // of absences

  // Behavior: incidents per present day ~ Uniform(0, behavior_rate_max) for most students,
  // Uniform(high_rate_min, high_rate_max) for a high_behavior_fraction of them.
  double behavior_rate_max = 0.01;
  double high_behavior_fraction = 0.1;
  double high_rate_min = 0.04, high_rate_max = 0.12;

  int sel_every_school_days = 10;  // SEL survey on school days 0, 10, 20, ...

  LearnerModelOptions learner = {};
  PracticePolicyOptions policy = {};
};

// Per-student truth beyond the learner model.
struct StudentTruth {
  double absence_propensity = 0;
  bool chronic = false;  // drawn as a chronic absentee (the realised rate is in attendance)
  double behavior_rate = 0;
};

struct SimulatedSchool {
  std::vector<Org> orgs;  // the district first, then the schools
  std::vector<AcademicSession> sessions;
  std::vector<Person> people;  // students, then teachers, then guardians
  std::vector<GuardianLink> guardian_links;
  std::vector<Course> courses;
  std::vector<ClassSection> classes;
  std::vector<Enrollment> enrollments;
  std::vector<Activity> activities;
  std::vector<EvidenceEvent> evidence;  // in time order per student
  std::vector<AttendanceRecord> attendance;
  std::vector<BehaviorIncident> incidents;
  std::vector<SelScore> sel_scores;
  std::vector<Goal> goals;
  std::vector<Date> school_days;

  // Ground truth. Student index s is people[s] (students come first).
  GroundTruth truth;
  std::vector<std::uint8_t> evidence_known;  // per evidence row: truly known before it
  std::vector<StudentTruth> student_truth;
  std::vector<double> activity_quality;  // per activity row: learning multiplier
  int student_count = 0;
};

// Fails with InvalidArgument on impossible options (no students, more classes than students,
// an empty framework, ...).
Result<SimulatedSchool> SimulateSchool(const SchoolOptions& options,
                                       const CompetencyGraph& framework, Rng& rng);

}  // namespace pw::sim
