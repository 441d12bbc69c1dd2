// `pathwise profile STUDENT --db URL [--json] [--as-of TIME] [--report guardian [--html]]`: one
// student's learner profile, or the guardian report.
// `pathwise flags --class ID --db URL [--date D] [--json]`: a class's flags for a day.
//
//   $ pathwise profile sim-student-3 --db sqlite:demo.db
//   $ pathwise flags --class 2 --date 2026-10-02 --db sqlite:demo.db
// docs/profiles.md shows real output.
#include <memory>
#include <ostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "server/profile_service.h"
#include "store/store.h"

namespace pw::cli {
namespace {

struct ProfileCliOptions {
  std::string student;
  std::string db = "sqlite:pathwise.db";
  std::string as_of;
  std::string report;  // "" or "guardian"
  bool html = false;
  bool json = false;
};

Result<Timestamp> AsOf(const std::string& text) {
  if (text.empty()) return SystemClock().Now();
  Result<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) return t.status().WithPrefix("--as-of");
  return *t;
}

void PrintProfile(const profile::LearnerProfile& p, std::ostream& out) {
  using profile::MasteryState;
  out << fmt::format("{} {} (id {}{}), grade {}, as of {}\n", p.student.given_name,
                     p.student.family_name, p.student.id,
                     p.student.source_id.empty() ? "" : ", " + p.student.source_id,
                     p.student.grade.empty() ? "-" : p.student.grade,
                     FormatDate(DateOf(p.as_of)));
  out << fmt::format("Mastery: {} mastered, {} learning, {} needs review, {} not started\n",
                     p.count(MasteryState::kMastered), p.count(MasteryState::kLearning),
                     p.count(MasteryState::kNeedsReview), p.count(MasteryState::kNotStarted));
  out << "Pace: " << p.pace.text << "\n";
  std::string strengths;
  for (Id id : p.strengths) {
    if (const profile::CompetencyStatus* c = p.Find(id)) {
      strengths += (strengths.empty() ? "" : ", ") + c->code;
    }
  }
  out << "Strengths: " << (strengths.empty() ? "none yet" : strengths) << "\n";
  out << "Needs:" << (p.needs.empty() ? " none\n" : "\n");
  for (const profile::Need& n : p.needs) out << "  - " << n.text << "\n";
  std::string interests;
  for (const std::string& s : p.interests.stated) interests += (interests.empty() ? "" : ", ") + s;
  std::string inferred;
  for (const auto& [tag, n] : p.interests.inferred) {
    inferred += fmt::format("{}{} ({})", inferred.empty() ? "" : ", ", tag, n);
  }
  out << "Interests: stated: " << (interests.empty() ? "none" : interests)
      << "; inferred from activities: " << (inferred.empty() ? "none" : inferred) << "\n";
  for (const profile::GoalProgress& g : p.goals) {
    out << fmt::format("Goal: \"{}\": {} of {} competencies mastered{}\n", g.description,
                       g.mastered, g.total,
                       g.target ? ", target " + FormatDate(*g.target) : std::string());
  }
  for (const profile::CourseProgress& c : p.courses) {
    out << fmt::format("Course: {}: {} of {} required mastered{}\n", c.title, c.mastered,
                       c.required,
                       c.credited_at ? ", credited " + FormatDate(DateOf(*c.credited_at))
                                     : std::string());
  }
  const profile::Indicators& ind = p.indicators;
  if (ind.attendance_rate_30) {
    out << fmt::format("Attendance: {:.0f}% of {} school days in the last 30 days (trend {}); "
                       "term: missed {} of {}{}\n",
                       100 * *ind.attendance_rate_30, ind.days_30,
                       profile::TrendName(ind.attendance_trend), ind.term_missed, ind.term_days,
                       ind.chronic_absence ? ", chronic absence" : "");
  } else {
    out << "Attendance: no records in the last 30 days\n";
  }
  out << fmt::format("Behavior: {} incidents in the last 30 days ({} the 30 before; trend {})\n",
                     ind.incidents_30, ind.incidents_prev_30,
                     profile::TrendName(ind.behavior_trend));
  for (const auto& s : ind.sel) {
    out << fmt::format("SEL {}: {:.2f} on {}..{} ({}; trend {})\n", s.scale, s.latest,
                       s.scale_min, s.scale_max, FormatDate(s.date), profile::TrendName(s.trend));
  }
  out << "Flags:" << (p.flags.empty() ? " none\n" : "\n");
  for (const profile::Flag& f : p.flags) out << "  - " << f.reason << "\n";
  out << "Competencies:\n";
  for (const profile::CompetencyStatus& c : p.mastery) {
    out << fmt::format("  {:<12} {:<13} p={:.2f} attempts {:>3} evidence {:>3}{}{}\n", c.code,
                       profile::MasteryStateName(c.state), c.p, c.attempts, c.independent,
                       c.override_ ? " (override by " + c.override_->by + ": " +
                                         c.override_->reason + ")"
                                   : std::string(),
                       c.open ? "" : " blocked");
  }
}

Status RunProfile(const ProfileCliOptions& o, Io& io) {
  PW_ASSIGN_OR_RETURN(Timestamp now, AsOf(o.as_of));
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(o.db));
  PW_RETURN_IF_ERROR(store->Migrate());
  PW_ASSIGN_OR_RETURN(Person student, server::ResolveStudent(*store, o.student));
  server::ProfileLoader loader(*store);
  if (!o.report.empty()) {
    if (o.report != "guardian") {
      return InvalidArgumentError("--report: expected guardian, got \"{}\"", o.report);
    }
    PW_ASSIGN_OR_RETURN(profile::GuardianReport r, loader.LoadGuardianReport(student.id, now));
    if (o.html) {
      io.out << profile::ReportHtml(r);
    } else if (o.json) {
      io.out << server::ReportJson(r).dump() << "\n";
    } else {
      io.out << profile::ReportText(r);
    }
    return OkStatus();
  }
  PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, loader.Load(student.id, now));
  if (o.json) {
    io.out << server::ProfileJson(p).dump() << "\n";
  } else {
    PrintProfile(p, io.out);
  }
  return OkStatus();
}

struct FlagsCliOptions {
  Id class_id = kNoId;
  std::string db = "sqlite:pathwise.db";
  std::string date;
  bool json = false;
};

Status RunFlags(const FlagsCliOptions& o, Io& io) {
  Date date = DateOf(SystemClock().Now());
  if (!o.date.empty()) {
    Result<Date> d = ParseDate(o.date);
    if (!d.ok()) return d.status().WithPrefix("--date");
    date = *d;
  }
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(o.db));
  PW_RETURN_IF_ERROR(store->Migrate());
  PW_ASSIGN_OR_RETURN(auto flags, server::ClassFlags(*store, o.class_id, date));
  if (o.json) {
    io.out << server::FlagsJson(o.class_id, date, flags).dump() << "\n";
    return OkStatus();
  }
  io.out << fmt::format("class {} on {}: {} student{} flagged\n", o.class_id, FormatDate(date),
                        flags.size(), flags.size() == 1 ? "" : "s");
  for (const server::StudentFlags& s : flags) {
    io.out << fmt::format("{} {} (id {})\n", s.student.given_name, s.student.family_name,
                          s.student.id);
    for (const profile::Flag& f : s.flags) {
      io.out << fmt::format("  {:<17} {}\n", profile::FlagKindName(f.kind), f.reason);
    }
  }
  return OkStatus();
}

void SetupProfile(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand("profile", "Show a student's learner profile");
  auto opts = std::make_shared<ProfileCliOptions>();
  sub->add_option("STUDENT", opts->student, "Student id or sourcedId")->required();
  sub->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://USER@HOST/DB")
      ->capture_default_str();
  sub->add_option("--as-of", opts->as_of, "Time the profile is for (ISO-8601; default now)");
  sub->add_option("--report", opts->report, "Print the report for this audience (guardian)");
  sub->add_flag("--html", opts->html, "With --report: a printable HTML page");
  sub->add_flag("--json", opts->json, "Print the profile (or report) as one JSON object");
  bind(sub, [opts](Io& io) { return RunProfile(*opts, io); });

  auto* flags = app.add_subcommand("flags", "List a class's flags for a day");
  auto fopts = std::make_shared<FlagsCliOptions>();
  flags->add_option("--class", fopts->class_id, "Class id")->required();
  flags->add_option("--db", fopts->db, "Database: sqlite:PATH or postgresql://USER@HOST/DB")
      ->capture_default_str();
  flags->add_option("--date", fopts->date, "Day (YYYY-MM-DD; default today, UTC)");
  flags->add_flag("--json", fopts->json, "Print the flags as one JSON object");
  bind(flags, [fopts](Io& io) { return RunFlags(*fopts, io); });
}
PW_CLI_COMMAND(60, SetupProfile);

}  // namespace
}  // namespace pw::cli
