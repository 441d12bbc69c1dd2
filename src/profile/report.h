// The guardian report: what a child can do now, what they are working on, examples of their
// work, what "mastered" means here and why there is no letter grade, and how to help at home —
// in plain words (Flesch–Kincaid grade 8 or below, profile/readability.h), as structured
// sections (JSON), plain text, or a printable HTML page.
#pragma once

#include <string>
#include <vector>

#include "core/time.h"
#include "profile/mastery.h"
#include "profile/profile.h"

namespace pw::profile {

// One piece of the child's work to show as an example.
struct EvidenceExample {
  Timestamp time;
  std::string code;      // competency code
  std::string activity;  // activity title, or "" when the evidence names none
  double score = 1;
};

struct ReportSection {
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<std::string> items;  // a bulleted list after the paragraphs
};

struct GuardianReport {
  std::string title;
  std::vector<ReportSection> sections;
};

struct ReportOptions {
  int max_items = 5;  // per list
};

// `mastery` supplies the thresholds the explanation quotes (the student's main framework).
GuardianReport BuildGuardianReport(const LearnerProfile& profile,
                                   const std::vector<EvidenceExample>& examples,
                                   const MasteryOptions& mastery, const ReportOptions& options = {});

// Title, then each section: heading, paragraphs, "- item" lines; blank lines between.
std::string ReportText(const GuardianReport& report);
// A self-contained printable HTML page (all text escaped).
std::string ReportHtml(const GuardianReport& report);

}  // namespace pw::profile
