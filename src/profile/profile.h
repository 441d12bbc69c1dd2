// The learner profile: one student's strengths, needs, interests, progress, goals, pace and
// non-achievement indicators, assembled from plain data the caller loaded (the server's
// profile_service reads the store; tests and benchmarks pass data directly).
//
//   ProfileInputs in;  // student, frameworks, stored mastery, courses, attendance, ...
//   in.now = clock.Now();
//   PW_ASSIGN_OR_RETURN(LearnerProfile p, BuildProfile(in));
//   for (const Flag& f : p.flags) std::cout << f.reason << "\n";
//
// Progression: a competency is open when all its prerequisites are mastered; a required one
// that is not open is "blocked" and the needs list says by what ("6.EE.A.2 is blocked:
// 5.NF.B.4 is not mastered"). A course is complete (and credited) when every required
// competency is mastered. docs/profiles.md has every rule and threshold.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/competency_graph.h"
#include "core/goal.h"
#include "core/roster.h"
#include "core/status.h"
#include "core/time.h"
#include "core/wellbeing.h"
#include "profile/mastery.h"

namespace pw::profile {

struct MasteryOverride {
  MasteryState state = MasteryState::kMastered;
  std::string reason;
  std::string by;  // login of the teacher or administrator
  Timestamp at;
};

// What the store keeps per (student, competency).
struct StoredMastery {
  MasteryEstimate estimate;
  std::optional<MasteryOverride> override_;
};

// One framework the student's courses use, with its mastery options.
struct FrameworkView {
  const CompetencyGraph* graph = nullptr;
  MasteryOptions options;
};

struct ProfileOptions {
  // Stuck (wheel-spinning): at least this many attempts on an open competency (prerequisites
  // mastered), not mastered now, and at most this share of them right.
  int stuck_attempts = 10;
  double stuck_max_accuracy = 0.35;
  int inactive_school_days = 5;    // no evidence for this many school days => flag
  double chronic_absence = 0.10;   // share of school days missed (term to date) => chronic
  int chronic_min_days = 10;       // ... once at least this many days are recorded
  int pace_min_school_days = 10;   // no pace verdict before this many school days of term
  int ahead_school_days = 20;      // projected this far before term end => ready to advance
  int max_listed = 5;              // strengths / needs / evidence examples listed at most
};

// Inputs, loaded by the caller. Mastery of competencies outside `frameworks` is ignored.
struct ProfileInputs {
  Person student;
  std::vector<FrameworkView> frameworks;
  std::unordered_map<Id, StoredMastery> mastery;  // by competency id
  std::vector<Course> courses;                    // the student's courses
  std::map<Id, Timestamp> credited;               // course id -> credit time (stored credits)
  std::optional<Date> term_start, term_end;       // the current term of the student's classes
  std::vector<Goal> goals;
  std::vector<std::string> stated_interests;
  std::map<std::string, int> activity_tags;  // tag -> evidence on activities with it
  std::vector<AttendanceRecord> attendance;  // any order
  std::vector<BehaviorIncident> incidents;
  std::vector<SelScore> sel;
  Timestamp now;
  ProfileOptions options;
};

struct CompetencyStatus {
  Id competency_id = kNoId;
  std::string code, statement;
  double p = 0;                     // decayed to `now`
  MasteryState state = MasteryState::kNotStarted;           // shown (override applied)
  MasteryState estimated_state = MasteryState::kNotStarted; // from the evidence alone
  std::optional<MasteryOverride> override_;
  int attempts = 0, independent = 0, correct = 0;
  std::optional<Timestamp> last_evidence, mastered_at;
  bool required = false;
  bool open = true;                  // every prerequisite mastered
  std::vector<std::string> blocked_by;  // codes of prerequisites not mastered
  // Prerequisites outside the courses (earlier grades) with no evidence: assumed mastered.
  std::vector<std::string> assumed;
};

struct Need {
  Id competency_id = kNoId;
  std::string code;
  std::string kind;  // "blocked", "stuck", "needs_review", "learning"
  std::string text;
};

struct InterestView {
  std::vector<std::string> stated;
  std::vector<std::pair<std::string, int>> inferred;  // tag, evidence count (most first)
};

struct GoalProgress {
  Id goal_id = kNoId;
  std::string description;
  GoalStatus status = GoalStatus::kActive;
  std::optional<Date> target;
  int mastered = 0, total = 0;
};

struct Pace {
  int required = 0, mastered = 0;
  int school_days_elapsed = 0;
  double per_week = 0;               // competencies mastered per school week so far
  std::optional<Date> projected;     // all required mastered at this rate
  std::optional<Date> term_end;
  std::string status;  // "complete", "ahead", "on_pace", "behind", "too_early", "no_term"
  std::string text;
};

enum class Trend { kUp, kDown, kSteady, kUnknown };
std::string_view TrendName(Trend t);

struct Indicators {
  int days_30 = 0, missed_30 = 0;    // school days recorded / missed in the last 30 days
  std::optional<double> attendance_rate_30;
  std::optional<double> attendance_rate_prev_30;  // the 30 days before those
  Trend attendance_trend = Trend::kUnknown;
  int term_days = 0, term_missed = 0;  // term to date
  bool chronic_absence = false;
  int incidents_30 = 0, incidents_prev_30 = 0;
  Trend behavior_trend = Trend::kUnknown;  // kUp = more incidents
  struct Sel {
    std::string scale;
    double latest = 0, scale_min = 1, scale_max = 5;
    std::optional<double> previous;
    Date date;
    Trend trend = Trend::kUnknown;
  };
  std::vector<Sel> sel;
};

enum class FlagKind { kBehindPace, kStuck, kReadyToAdvance, kChronicAbsence, kNoActivity };
// "behind_pace", "stuck", "ready_to_advance", "chronic_absence", "no_activity".
std::string_view FlagKindName(FlagKind k);

struct Flag {
  FlagKind kind = FlagKind::kStuck;
  Id competency_id = kNoId;  // for stuck
  std::string reason;        // in words, for the teacher
};

struct CourseProgress {
  Id course_id = kNoId;
  std::string title;
  int required = 0, mastered = 0;
  bool complete = false;
  std::optional<Timestamp> completed_at;  // when the last required competency was mastered
  std::optional<Timestamp> credited_at;   // stored credit
};

struct LearnerProfile {
  Person student;
  Timestamp as_of;
  std::vector<CompetencyStatus> mastery;  // framework order (topological within each)
  std::vector<Id> strengths;              // competency ids, strongest first
  std::vector<Need> needs;
  InterestView interests;
  std::vector<GoalProgress> goals;
  std::vector<CourseProgress> courses;
  Pace pace;
  Indicators indicators;
  std::vector<Flag> flags;
  int count(MasteryState s) const;
  const CompetencyStatus* Find(Id competency_id) const;
};

// InvalidArgument when a framework view has no graph.
Result<LearnerProfile> BuildProfile(const ProfileInputs& in);

// The state shown for a stored row at `now` (override applied).
MasteryState ShownState(const StoredMastery& m, const MasteryOptions& options, Timestamp now);

}  // namespace pw::profile
