#include "profile/report.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

namespace pw::profile {
namespace {

std::string MonthDay(Timestamp t) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};
  int y = 0;
  unsigned m = 1, d = 1;
  CivilFromDate(DateOf(t), &y, &m, &d);
  return fmt::format("{} {}", kMonths[(m - 1) % 12], d);
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The first clause of a framework statement (standards are written for teachers: long, with
// examples in parentheses), at most 14 words, so the report stays in plain words.
std::string ShortStatement(std::string_view s) {
  std::size_t end = s.size();
  for (std::string_view stop : {"; ", ". ", " (", ": "}) end = std::min(end, s.find(stop));
  s = s.substr(0, end);
  std::string out;
  int words = 0;
  bool cut = false;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (++words > 14) {
      cut = true;
      break;
    }
    if (!out.empty()) out += ' ';
    out += s.substr(i, j - i);
    i = j + 1;
  }
  while (!out.empty() && (out.back() == ',' || out.back() == '.')) out.pop_back();
  return cut ? out + " ..." : out;
}

// "6.EE.A.1: Write and evaluate numerical expressions." (a sentence of its own).
std::string Skill(const CompetencyStatus& c) {
  std::string s = c.code;
  const std::string statement = ShortStatement(c.statement);
  if (!statement.empty()) s += ": " + statement + (statement.ends_with("...") ? "" : ".");
  return s;
}

}  // namespace

GuardianReport BuildGuardianReport(const LearnerProfile& profile,
                                   const std::vector<EvidenceExample>& examples,
                                   const MasteryOptions& mastery, const ReportOptions& options) {
  const std::string name =
      profile.student.given_name.empty() ? "Your child" : profile.student.given_name;
  GuardianReport r;
  r.title = fmt::format("Progress report for {} {}", profile.student.given_name,
                        profile.student.family_name);
  const int mastered = profile.count(MasteryState::kMastered);
  const int learning = profile.count(MasteryState::kLearning);
  const int review = profile.count(MasteryState::kNeedsReview);

  ReportSection now;
  now.heading = fmt::format("What {} can do now", name);
  if (mastered == 0) {
    now.paragraphs.push_back(
        fmt::format("{} has not shown a skill well enough to call it mastered yet. That is "
                    "normal early in the year.",
                    name));
  } else {
    now.paragraphs.push_back(fmt::format("{} has mastered {} skill{}. Here are some of them.",
                                         name, mastered, mastered == 1 ? "" : "s"));
  }
  for (const CompetencyStatus& c : profile.mastery) {
    if (c.state != MasteryState::kMastered) continue;
    if (static_cast<int>(now.items.size()) >= options.max_items) break;
    now.items.push_back(Skill(c));
  }
  r.sections.push_back(std::move(now));

  ReportSection next;
  next.heading = fmt::format("What {} is working on", name);
  if (learning + review == 0) {
    next.paragraphs.push_back("There is no skill in progress right now.");
  } else {
    next.paragraphs.push_back(fmt::format("{} is working on {} skill{}.", name, learning + review,
                                          learning + review == 1 ? "" : "s"));
    if (review > 0) {
      next.paragraphs.push_back(fmt::format(
          "{} of them {} mastered before but {} not been used for a while, so they need a "
          "short review.",
          review, review == 1 ? "was" : "were", review == 1 ? "has" : "have"));
    }
  }
  for (const CompetencyStatus& c : profile.mastery) {
    if (c.state != MasteryState::kLearning && c.state != MasteryState::kNeedsReview) continue;
    if (static_cast<int>(next.items.size()) >= options.max_items) break;
    next.items.push_back(Skill(c));
  }
  for (const Need& n : profile.needs) {
    if (n.kind == "stuck") {
      next.paragraphs.push_back(fmt::format(
          "{} has tried {} many times and needs some help with it. The teacher knows.", name,
          n.code));
    }
  }
  r.sections.push_back(std::move(next));

  ReportSection work;
  work.heading = "Examples of the work";
  if (examples.empty()) {
    work.paragraphs.push_back("There is no work to show yet.");
  } else {
    work.paragraphs.push_back(
        fmt::format("These are some of the pieces of work the report is based on."));
    for (const EvidenceExample& e : examples) {
      if (static_cast<int>(work.items.size()) >= options.max_items) break;
      const std::string what = e.activity.empty() ? "a task" : "\"" + e.activity + "\"";
      std::string result = e.score >= 1   ? "got it right"
                           : e.score <= 0 ? "did not get it right yet"
                                          : fmt::format("scored {:.0f} out of 100",
                                                        std::round(100 * e.score));
      work.items.push_back(
          fmt::format("On {}, {} did {} for {} and {}.", MonthDay(e.time), name, what, e.code,
                      result));
    }
  }
  r.sections.push_back(std::move(work));

  ReportSection meaning;
  meaning.heading = "What \"mastered\" means";
  meaning.paragraphs.push_back(fmt::format(
      "A skill is mastered when {} has shown it in at least {} separate pieces of work. We "
      "must also be at least {:.0f} out of 100 sure that the skill is really there.",
      name, mastery.min_evidence, std::floor(100 * mastery.mastery_threshold)));
  meaning.paragraphs.push_back(
      "If a skill is not used for a long time, we ask for a short review to make sure it "
      "stays strong.");
  r.sections.push_back(std::move(meaning));

  ReportSection grade;
  grade.heading = "Why there is no letter grade";
  grade.paragraphs.push_back(
      "A letter grade mixes many things into one mark. It can hide what a child can do and "
      "what they still need to learn.");
  grade.paragraphs.push_back(fmt::format(
      "This report shows each skill on its own. {} moves on as soon as a skill is shown, not "
      "when the weeks run out. A skill that takes longer is not a failure. It just needs more "
      "time and practice.",
      name));
  r.sections.push_back(std::move(grade));

  ReportSection help;
  help.heading = "How to help at home";
  help.items = {
      fmt::format("Ask {} to show you one thing they learned this week and to explain how it "
                  "works.",
                  name),
      "Praise hard work and good tries, not only right answers.",
      "Set a quiet time and place for school work each day.",
      "Talk with the teacher if your child seems stuck or upset about school.",
  };
  if (profile.indicators.chronic_absence) {
    help.items.push_back(fmt::format("Every school day counts. {} has missed {} of {} days this "
                                     "term.",
                                     name, profile.indicators.term_missed,
                                     profile.indicators.term_days));
  }
  for (const GoalProgress& g : profile.goals) {
    if (g.status != GoalStatus::kActive || g.total == 0) continue;
    help.items.push_back(fmt::format("Ask about the goal \"{}\". {} of its {} skills are done.",
                                     g.description, g.mastered, g.total));
    break;
  }
  r.sections.push_back(std::move(help));
  return r;
}

std::string ReportText(const GuardianReport& report) {
  std::string out = report.title + "\n";
  for (const ReportSection& s : report.sections) {
    out += "\n" + s.heading + "\n";
    for (const std::string& p : s.paragraphs) out += p + "\n";
    for (const std::string& item : s.items) out += "- " + item + "\n";
  }
  return out;
}

std::string ReportHtml(const GuardianReport& report) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      HtmlEscape(report.title) +
      "</title>\n<style>body{font-family:Georgia,serif;max-width:40em;margin:2em auto;"
      "line-height:1.5}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.5em}"
      "@media print{body{margin:0}}</style>\n</head>\n<body>\n<h1>" +
      HtmlEscape(report.title) + "</h1>\n";
  for (const ReportSection& s : report.sections) {
    out += "<h2>" + HtmlEscape(s.heading) + "</h2>\n";
    for (const std::string& p : s.paragraphs) out += "<p>" + HtmlEscape(p) + "</p>\n";
    if (!s.items.empty()) {
      out += "<ul>\n";
      for (const std::string& item : s.items) out += "<li>" + HtmlEscape(item) + "</li>\n";
      out += "</ul>\n";
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace pw::profile
