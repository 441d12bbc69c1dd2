// A streaming RFC 4180 CSV (or TSV) reader for outside data, with limits and line numbers.
//
//   std::ifstream f(path);
//   CsvReader csv(f, "scores.csv");
//   PW_ASSIGN_OR_RETURN(CsvHeader header, CsvHeader::Read(csv, {"student", "score"}));
//   std::vector<std::string> row;
//   while (true) {
//     PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
//     if (!more) break;
//     const std::string& score = row[header.Index("score")];
//     ... errors: InvalidArgumentError("{}: column \"score\": expected a number, got \"{}\"",
//                                      csv.Where(), score)
//   }
//
// Handles quoted fields with embedded delimiters, quotes ("") and newlines, CRLF and LF line
// ends, a UTF-8 byte-order mark at the start, and a missing final newline. Blank lines are
// skipped. Rejects (InvalidArgument, "name:line: ...") an unterminated quote, a quote in the
// middle of an unquoted field, text after a closing quote, and anything over the limits.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace pw {

struct CsvLimits {
  std::size_t max_field_bytes = 1 << 20;    // one field
  std::size_t max_fields = 4096;            // fields in one record
  std::size_t max_record_bytes = 16 << 20;  // one record, quoted newlines included
};

class CsvReader {
 public:
  CsvReader(std::istream& in, std::string source_name, char delimiter = ',',
            CsvLimits limits = {});

  // Reads the next record into `fields` (resized; strings reused). Returns false at the end.
  Result<bool> Next(std::vector<std::string>& fields);

  // 1-based line on which the last record returned started.
  std::int64_t line() const { return record_line_; }
  // "name:line", for error messages.
  std::string Where() const;
  const std::string& source_name() const { return name_; }

 private:
  bool Fill();  // refills the buffer; false at end of input
  std::istream& in_;
  std::string name_;
  char delim_;
  CsvLimits limits_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  bool started_ = false;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
};

// Column positions by name, from a header record.
class CsvHeader {
 public:
  // Reads the header record and checks that every `required` column is present:
  //   scores.csv:1: missing column "scale_score" (found: student, date, score)
  // Column names are trimmed; a duplicated name is an error.
  static Result<CsvHeader> Read(CsvReader& csv, std::initializer_list<std::string_view> required);
  static Result<CsvHeader> FromFields(const std::vector<std::string>& fields,
                                      std::initializer_list<std::string_view> required,
                                      const std::string& where);

  // -1 when absent.
  int Find(std::string_view name) const;
  // Only for columns checked as required (asserts otherwise).
  int Index(std::string_view name) const;
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace pw
