// Imports the CSV files districts export for non-roster data, each with a documented header
// (docs/imports.md), all or nothing:
//
//   scores      student,assessment,date,scale_score[,sem][,<sub-score columns>...]
//               (MAP-like diagnostics; every other column is a sub-score named by its header,
//               matched to a competency code of --framework when one is given)
//   attendance  student,date,status[,source]          status: present, tardy, excused, unexcused
//   behavior    student,time,category,severity[,description][,id][,source]
//               (time: date or date-time; severity 1..3 or minor/moderate/major; id: the
//               incident's id in the source system; without it, student+time+category is the key)
//   sel         student,date,scale,score[,min][,max][,source]   (min/max default 1 and 5)
//
// `student` is the student's sourcedId (as imported from OneRoster). A mapping renames a
// district's columns: {"Student ID": "student", "TestRIT": "scale_score"}.
// Streaming: rows are validated as read and written in batches inside one transaction; errors
// (up to options.max_errors messages) name file, line, column, value and what was expected.
//
//   std::ifstream in(path);
//   TabularOptions opts;
//   PW_ASSIGN_OR_RETURN(ImportReport r, ImportTabular(store, TabularKind::kAttendance, in, path,
//   opts));
#pragma once

#include <istream>
#include <map>
#include <string>
#include <string_view>

#include "ingest/import_report.h"
#include "store/store.h"

namespace pw::ingest {

enum class TabularKind { kScores, kAttendance, kBehavior, kSel };
// "scores", "attendance", "behavior", "sel".
Result<TabularKind> ParseTabularKind(std::string_view name);
std::string_view TabularKindName(TabularKind k);

struct TabularOptions : ImportOptions {
  std::map<std::string, std::string> mapping;  // file column -> documented column
  // The source_system stored with each row when the file has no `source` column
  // (default "import:<kind>").
  std::string source_system;
  // scores: the framework whose competency codes name sub-score columns (source id, title or
  // id); empty: sub-scores are kept by name only.
  std::string framework;
  // Rows written per store call (memory vs. fewer calls).
  std::size_t batch_rows = 2'000'000;
};

Result<ImportReport> ImportTabular(Store& store, TabularKind kind, std::istream& in,
                                   const std::string& source, const TabularOptions& options);

}  // namespace pw::ingest
