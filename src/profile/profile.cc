#include "profile/profile.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "profile/school_days.h"

namespace pw::profile {
namespace {

bool CountsAsMastered(MasteryState s) {
  return s == MasteryState::kMastered || s == MasteryState::kNeedsReview;
}

// "a", "a and b", "a, b and c".
std::string JoinWords(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

Trend Compare(double now, double before, double tolerance) {
  if (now > before + tolerance) return Trend::kUp;
  if (now < before - tolerance) return Trend::kDown;
  return Trend::kSteady;
}

std::string Percent(double share) { return fmt::format("{:.0f}%", 100.0 * share); }

void BuildIndicators(const ProfileInputs& in, Date today, Indicators* out) {
  const Date from30{today.days - 29}, from60{today.days - 59};
  int days_prev = 0, missed_prev = 0;
  for (const AttendanceRecord& r : in.attendance) {
    if (r.date > today) continue;
    const bool missed = IsAbsence(r.status);
    if (r.date >= from30) {
      ++out->days_30;
      out->missed_30 += missed;
    } else if (r.date >= from60) {
      ++days_prev;
      missed_prev += missed;
    }
    if (!in.term_start || r.date >= *in.term_start) {
      ++out->term_days;
      out->term_missed += missed;
    }
  }
  if (out->days_30 > 0) {
    out->attendance_rate_30 = 1.0 - static_cast<double>(out->missed_30) / out->days_30;
  }
  if (days_prev > 0) {
    out->attendance_rate_prev_30 = 1.0 - static_cast<double>(missed_prev) / days_prev;
  }
  if (out->attendance_rate_30 && out->attendance_rate_prev_30) {
    out->attendance_trend = Compare(*out->attendance_rate_30, *out->attendance_rate_prev_30, 0.02);
  }
  out->chronic_absence =
      out->term_days >= in.options.chronic_min_days &&
      out->term_missed >= in.options.chronic_absence * out->term_days - 1e-9;

  for (const BehaviorIncident& b : in.incidents) {
    const Date d = DateOf(b.time);
    if (d > today) continue;
    if (d >= from30) {
      ++out->incidents_30;
    } else if (d >= from60) {
      ++out->incidents_prev_30;
    }
  }
  out->behavior_trend = Compare(out->incidents_30, out->incidents_prev_30, 0.5);

  std::map<std::string, std::vector<const SelScore*>> by_scale;
  for (const SelScore& s : in.sel) {
    if (s.date <= today) by_scale[s.scale].push_back(&s);
  }
  for (auto& [scale, scores] : by_scale) {
    std::sort(scores.begin(), scores.end(),
              [](const SelScore* a, const SelScore* b) { return a->date < b->date; });
    Indicators::Sel sel;
    sel.scale = scale;
    sel.latest = scores.back()->score;
    sel.scale_min = scores.back()->scale_min;
    sel.scale_max = scores.back()->scale_max;
    sel.date = scores.back()->date;
    if (scores.size() >= 2) {
      sel.previous = scores[scores.size() - 2]->score;
      const double range = std::max(1e-9, sel.scale_max - sel.scale_min);
      sel.trend = Compare(sel.latest / range, *sel.previous / range, 0.05);
    }
    out->sel.push_back(std::move(sel));
  }
}

void BuildPace(const ProfileInputs& in, const std::vector<CompetencyStatus>& mastery, Date today,
               Pace* pace) {
  int mastered_this_term = 0;
  for (const CompetencyStatus& c : mastery) {
    if (!c.required) continue;
    ++pace->required;
    if (c.state != MasteryState::kMastered) continue;
    ++pace->mastered;
    const bool before_term =
        in.term_start && c.mastered_at && DateOf(*c.mastered_at) < *in.term_start;
    if (!before_term) ++mastered_this_term;
  }
  pace->term_end = in.term_end;
  if (pace->required == 0) {
    pace->status = "no_term";
    pace->text = "no required competencies: pace cannot be projected";
    return;
  }
  const std::string done = fmt::format("{} of {} required competencies mastered", pace->mastered,
                                       pace->required);
  if (pace->mastered == pace->required) {
    pace->status = "complete";
    pace->text = done;
    return;
  }
  if (!in.term_start || !in.term_end) {
    pace->status = "no_term";
    pace->text = done + "; no term dates, so pace cannot be projected";
    return;
  }
  pace->school_days_elapsed = SchoolDaysBetween(*in.term_start, today);
  if (pace->school_days_elapsed < in.options.pace_min_school_days) {
    pace->status = "too_early";
    pace->text = fmt::format("{} after {} school days; too early to project", done,
                             pace->school_days_elapsed);
    return;
  }
  const double per_day = static_cast<double>(mastered_this_term) / pace->school_days_elapsed;
  pace->per_week = 5 * per_day;
  const int remaining = pace->required - pace->mastered;
  const std::string end = FormatDate(*in.term_end);
  if (per_day <= 0) {
    pace->status = "behind";
    pace->text = fmt::format(
        "{}, none of them this term after {} school days; at this rate the rest will not be "
        "mastered by the end of the term on {}",
        done, pace->school_days_elapsed, end);
    return;
  }
  const int days_needed = static_cast<int>(std::ceil(remaining / per_day - 1e-9));
  pace->projected = AddSchoolDays(Date{today.days + 1}, days_needed - 1);
  const std::string rate = fmt::format("{:.1f} a week", pace->per_week);
  if (*pace->projected > *in.term_end) {
    pace->status = "behind";
    pace->text = fmt::format("{}; at {}, all by {}, after the term ends on {}", done, rate,
                             FormatDate(*pace->projected), end);
  } else {
    const int spare = SchoolDaysBetween(Date{pace->projected->days + 1}, *in.term_end);
    pace->status = spare >= in.options.ahead_school_days ? "ahead" : "on_pace";
    pace->text = fmt::format("{}; at {}, all by {}, {} school days before the term ends on {}",
                             done, rate, FormatDate(*pace->projected), spare, end);
  }
}

}  // namespace

std::string_view TrendName(Trend t) {
  switch (t) {
    case Trend::kUp: return "up";
    case Trend::kDown: return "down";
    case Trend::kSteady: return "steady";
    case Trend::kUnknown: return "unknown";
  }
  return "?";
}

std::string_view FlagKindName(FlagKind k) {
  switch (k) {
    case FlagKind::kBehindPace: return "behind_pace";
    case FlagKind::kStuck: return "stuck";
    case FlagKind::kReadyToAdvance: return "ready_to_advance";
    case FlagKind::kChronicAbsence: return "chronic_absence";
    case FlagKind::kNoActivity: return "no_activity";
  }
  return "?";
}

int LearnerProfile::count(MasteryState s) const {
  return static_cast<int>(std::count_if(mastery.begin(), mastery.end(),
                                        [s](const CompetencyStatus& c) { return c.state == s; }));
}

const CompetencyStatus* LearnerProfile::Find(Id competency_id) const {
  for (const CompetencyStatus& c : mastery) {
    if (c.competency_id == competency_id) return &c;
  }
  return nullptr;
}

MasteryState ShownState(const StoredMastery& m, const MasteryOptions& options, Timestamp now) {
  if (m.override_) return m.override_->state;
  return StateAt(m.estimate, options, now);
}

Result<LearnerProfile> BuildProfile(const ProfileInputs& in) {
  LearnerProfile out;
  out.student = in.student;
  out.as_of = in.now;
  const Date today = DateOf(in.now);
  const ProfileOptions& opt = in.options;

  std::set<Id> required;
  for (const Course& c : in.courses) required.insert(c.required_competencies.begin(),
                                                     c.required_competencies.end());

  // ---- mastery map, framework by framework in topological order
  std::optional<Timestamp> last_evidence;
  for (const FrameworkView& fw : in.frameworks) {
    if (fw.graph == nullptr) return InvalidArgumentError("profile: a framework view has no graph");
    const CompetencyGraph& g = *fw.graph;
    std::vector<MasteryState> shown(static_cast<std::size_t>(g.size()), MasteryState::kNotStarted);
    for (int i = 0; i < g.size(); ++i) {
      auto it = in.mastery.find(g.node(i).id);
      if (it != in.mastery.end()) shown[i] = ShownState(it->second, fw.options, in.now);
    }
    for (int i : g.TopologicalOrder()) {
      const Competency& node = g.node(i);
      auto it = in.mastery.find(node.id);
      const bool is_required = required.count(node.id) > 0;
      if (it == in.mastery.end() && !is_required) continue;
      CompetencyStatus c;
      c.competency_id = node.id;
      c.code = node.code;
      c.statement = node.statement;
      c.required = is_required;
      c.state = shown[i];
      if (it != in.mastery.end()) {
        const StoredMastery& m = it->second;
        c.p = PAt(m.estimate, fw.options, in.now);
        c.estimated_state = StateAt(m.estimate, fw.options, in.now);
        c.override_ = m.override_;
        c.attempts = m.estimate.attempts;
        c.independent = m.estimate.independent;
        c.correct = m.estimate.correct;
        if (m.estimate.attempts > 0) {
          c.last_evidence = m.estimate.last_evidence;
          if (!last_evidence || *last_evidence < m.estimate.last_evidence) {
            last_evidence = m.estimate.last_evidence;
          }
        }
        c.mastered_at = m.estimate.mastered_at;
        if (m.override_ && m.override_->state == MasteryState::kMastered && !c.mastered_at) {
          c.mastered_at = m.override_->at;
        }
      }
      // A prerequisite outside the courses' required competencies (an earlier grade) is
      // assumed mastered until evidence says otherwise; a required one must be mastered.
      for (int pre : g.Prerequisites(i)) {
        const bool assumed = shown[pre] == MasteryState::kNotStarted &&
                             required.count(g.node(pre).id) == 0;
        if (assumed) c.assumed.push_back(g.node(pre).code);
        if (!assumed && !CountsAsMastered(shown[pre])) c.blocked_by.push_back(g.node(pre).code);
      }
      c.open = c.blocked_by.empty();
      out.mastery.push_back(std::move(c));
    }
  }

  // ---- strengths: mastered, strongest first
  std::vector<const CompetencyStatus*> mastered;
  for (const CompetencyStatus& c : out.mastery) {
    if (c.state == MasteryState::kMastered) mastered.push_back(&c);
  }
  std::stable_sort(mastered.begin(), mastered.end(),
                   [](const CompetencyStatus* a, const CompetencyStatus* b) { return a->p > b->p; });
  for (std::size_t i = 0; i < mastered.size() && static_cast<int>(i) < opt.max_listed; ++i) {
    out.strengths.push_back(mastered[i]->competency_id);
  }

  // ---- needs: stuck, blocked (next in line), needs review, learning (weakest first)
  std::set<std::string> open_codes;
  for (const CompetencyStatus& c : out.mastery) {
    if (c.open) open_codes.insert(c.code);
  }
  std::vector<Need> stuck, blocked, review, learning;
  std::vector<const CompetencyStatus*> learning_rows;
  for (const CompetencyStatus& c : out.mastery) {
    if (c.state == MasteryState::kMastered) continue;
    if (c.attempts >= opt.stuck_attempts && c.open &&
        c.correct <= opt.stuck_max_accuracy * c.attempts) {
      std::string text = fmt::format("stuck on {}: {} attempts, {} right, not mastered yet",
                                     c.code, c.attempts, c.correct);
      if (!c.assumed.empty()) {
        text += fmt::format(" (check {}: never assessed)", JoinWords(c.assumed));
      }
      stuck.push_back({c.competency_id, c.code, "stuck", std::move(text)});
    } else if (c.state == MasteryState::kNeedsReview) {
      review.push_back(
          {c.competency_id, c.code, "needs_review",
           fmt::format("{} needs review: mastered on {}, last practised on {}", c.code,
                       c.mastered_at ? FormatDate(DateOf(*c.mastered_at)) : "an earlier day",
                       c.last_evidence ? FormatDate(DateOf(*c.last_evidence)) : "no day")});
    } else if (!c.open && c.required) {
      const bool next_in_line = std::all_of(c.blocked_by.begin(), c.blocked_by.end(),
                                            [&](const std::string& p) {
                                              return open_codes.count(p) > 0;
                                            });
      if (next_in_line) {
        blocked.push_back({c.competency_id, c.code, "blocked",
                           fmt::format("{} is blocked: {} {} not mastered", c.code,
                                       JoinWords(c.blocked_by),
                                       c.blocked_by.size() == 1 ? "is" : "are")});
      }
    } else if (c.state == MasteryState::kLearning) {
      learning_rows.push_back(&c);
    }
  }
  std::stable_sort(learning_rows.begin(), learning_rows.end(),
                   [](const CompetencyStatus* a, const CompetencyStatus* b) { return a->p < b->p; });
  for (const CompetencyStatus* c : learning_rows) {
    learning.push_back({c->competency_id, c->code, "learning",
                        fmt::format("{} is in progress: {} attempts, {} right", c->code,
                                    c->attempts, c->correct)});
  }
  auto append = [&](std::vector<Need>& from, bool cap) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      if (cap && static_cast<int>(i) >= opt.max_listed) break;
      out.needs.push_back(std::move(from[i]));
    }
  };
  const std::vector<Need> stuck_copy = stuck;
  append(stuck, false);
  append(blocked, true);
  append(review, true);
  append(learning, true);

  // ---- interests
  out.interests.stated = in.stated_interests;
  for (const auto& [tag, n] : in.activity_tags) {
    if (n >= 3) out.interests.inferred.emplace_back(tag, n);
  }
  std::stable_sort(out.interests.inferred.begin(), out.interests.inferred.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.interests.inferred.size() > 3) out.interests.inferred.resize(3);

  // ---- goals and courses
  auto shown_mastered = [&](Id id) {
    const CompetencyStatus* c = out.Find(id);
    return c != nullptr && c->state == MasteryState::kMastered;
  };
  for (const Goal& g : in.goals) {
    GoalProgress gp{g.id, g.description, g.status, g.target, 0,
                    static_cast<int>(g.competencies.size())};
    for (Id id : g.competencies) gp.mastered += shown_mastered(id);
    out.goals.push_back(std::move(gp));
  }
  for (const Course& course : in.courses) {
    CourseProgress cp;
    cp.course_id = course.id;
    cp.title = course.title;
    cp.required = static_cast<int>(course.required_competencies.size());
    for (Id id : course.required_competencies) {
      if (!shown_mastered(id)) continue;
      ++cp.mastered;
      const CompetencyStatus* c = out.Find(id);
      if (c->mastered_at && (!cp.completed_at || *cp.completed_at < *c->mastered_at)) {
        cp.completed_at = c->mastered_at;
      }
    }
    cp.complete = cp.required > 0 && cp.mastered == cp.required;
    if (!cp.complete) cp.completed_at.reset();
    if (auto it = in.credited.find(course.id); it != in.credited.end()) cp.credited_at = it->second;
    out.courses.push_back(std::move(cp));
  }

  BuildPace(in, out.mastery, today, &out.pace);
  BuildIndicators(in, today, &out.indicators);

  // ---- flags
  if (out.pace.status == "behind") {
    out.flags.push_back({FlagKind::kBehindPace, kNoId, "behind pace: " + out.pace.text});
  }
  for (const Need& n : stuck_copy) out.flags.push_back({FlagKind::kStuck, n.competency_id, n.text});
  bool ready = false;
  for (const CourseProgress& cp : out.courses) {
    if (!cp.complete) continue;
    ready = true;
    out.flags.push_back({FlagKind::kReadyToAdvance, kNoId,
                         fmt::format("ready to advance: mastered all {} required competencies of "
                                     "{}",
                                     cp.required, cp.title)});
  }
  if (!ready && out.pace.status == "ahead" && stuck_copy.empty()) {
    out.flags.push_back({FlagKind::kReadyToAdvance, kNoId, "ready to advance: " + out.pace.text});
  }
  const Indicators& ind = out.indicators;
  if (ind.chronic_absence) {
    out.flags.push_back(
        {FlagKind::kChronicAbsence, kNoId,
         fmt::format("chronic absence: missed {} of {} school days ({}) this term", ind.term_missed,
                     ind.term_days,
                     Percent(static_cast<double>(ind.term_missed) / ind.term_days))});
  }
  if (last_evidence) {
    const Date last = DateOf(*last_evidence);
    const int idle = SchoolDaysBetween(Date{last.days + 1}, today);
    if (idle >= opt.inactive_school_days) {
      out.flags.push_back({FlagKind::kNoActivity, kNoId,
                           fmt::format("no activity for {} school days (last evidence on {})",
                                       idle, FormatDate(last))});
    }
  } else if (in.term_start &&
             SchoolDaysBetween(*in.term_start, today) >= opt.inactive_school_days) {
    out.flags.push_back({FlagKind::kNoActivity, kNoId,
                         fmt::format("no activity recorded this term (since {})",
                                     FormatDate(*in.term_start))});
  }
  return out;
}

}  // namespace pw::profile
