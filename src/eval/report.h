// The evaluation report: one self-contained HTML page (inline CSS and SVG, no external assets)
// written for a principal or school board -- the answer in words first, then the numbers, the
// balance table, a forest plot of school effects, effects by pretest tercile, and the method.
#pragma once

#include <ostream>
#include <string>

#include "eval/evaluate.h"

namespace pw::eval {

struct ReportOptions {
  std::string title = "Is the program working?";
  std::string data_source;  // e.g. the CSV file name, shown under the title
};

void WriteHtmlReport(const EvalResult& result, const ReportOptions& options, std::ostream& out);

// The headline sentences of the report, as plain text (also printed by the CLI).
std::string PlainSummary(const EvalResult& result);

}  // namespace pw::eval
