// Reads a CSV file whose header is checked against a column spec: the shared front end of the
// OneRoster and tabular (scores, attendance, behavior, SEL) importers.
//
//   static const std::vector<ColumnSpec> kSpec = {{"student", true}, {"date", true}, ...};
//   CsvTableReader table(in, "attendance.csv", kSpec, options);
//   if (!table.ReadHeader(errors)) return;            // errors say what is wrong
//   CsvRow row;
//   while (table.Next(row, errors)) { const std::string& d = table.Get(row, "date"); ... }
//
// Header rules: names are trimmed; a column without a name, a column named twice, and (unless
// allowed) a column the spec does not know are errors, with a "did you mean" hint for a near
// miss; every required column must be present. A mapping renames file columns to spec names
// first (`--map "Student ID=student"`). Rows must have as many fields as the header.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/csv.h"
#include "ingest/import_report.h"

namespace pw::ingest {

struct ColumnSpec {
  std::string name;
  bool required = false;
};

struct CsvTableOptions {
  // File column name -> spec column name.
  std::map<std::string, std::string> mapping;
  // Columns the spec does not know: rejected, unless they start with this prefix (OneRoster's
  // "metadata.") or `allow_unknown` is set.
  std::string extension_prefix;
  bool allow_unknown = false;
};

struct CsvRow {
  std::int64_t line = 0;
  std::vector<std::string> fields;
};

// Parses "a=b" pairs (from --map) into a mapping; InvalidArgument for a pair without '='.
Result<std::map<std::string, std::string>> ParseColumnMapping(
    const std::vector<std::string>& pairs);

// The edit distance between two short names (case-insensitive); for "did you mean".
int NameDistance(std::string_view a, std::string_view b);

class CsvTableReader {
 public:
  CsvTableReader(std::istream& in, std::string file, const std::vector<ColumnSpec>& spec,
                 CsvTableOptions options = {});

  // False when the header is unusable (errors added).
  bool ReadHeader(ErrorList& errors);
  // The next well-formed row; malformed rows (wrong field count) add an error and are skipped.
  // False at the end, or after a syntax error that stops the CSV reader (added to errors).
  bool Next(CsvRow& row, ErrorList& errors);

  // Position of a spec column in the file, -1 when absent.
  int Col(std::string_view name) const;
  // The row's value in a spec column, "" when the file lacks it.
  const std::string& Get(const CsvRow& row, std::string_view name) const;
  const std::string& file() const { return file_; }
  // Spec column name -> the name the file used (after mapping), for messages.
  std::string FileName(std::string_view spec_name) const;
  // Unknown columns kept because of allow_unknown (e.g. assessment sub-scores): name, position.
  const std::vector<std::pair<std::string, int>>& extra_columns() const { return extra_; }
  std::int64_t rows_read() const { return rows_read_; }
  // Rows skipped by Next() for a wrong number of fields.
  std::int64_t rows_malformed() const { return rows_malformed_; }

 private:
  CsvReader csv_;
  std::string file_;
  const std::vector<ColumnSpec>& spec_;
  CsvTableOptions options_;
  std::unordered_map<std::string, int> index_;               // spec name -> position
  std::unordered_map<std::string, std::string> file_names_;  // spec name -> file column name
  std::vector<std::pair<std::string, int>> extra_;
  std::size_t width_ = 0;
  std::int64_t rows_read_ = 0;
  std::int64_t rows_malformed_ = 0;
  bool stopped_ = false;
  static const std::string kEmpty;
};

// "users.csv:3: column \"role\": expected one of ..., got \"x\"" and friends.
std::string FieldError(std::string_view file, std::int64_t line, std::string_view column,
                       std::string_view expected, std::string_view value);

}  // namespace pw::ingest
