#include "core/csv.h"

#include <sstream>

#include <gtest/gtest.h>

namespace pw {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& text, char delim = ',') {
  std::istringstream in(text);
  CsvReader csv(in, "t.csv", delim);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (true) {
    auto more = csv.Next(row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    rows.push_back(row);
  }
  return rows;
}

Status FirstError(const std::string& text, CsvLimits limits = {}) {
  std::istringstream in(text);
  CsvReader csv(in, "t.csv", ',', limits);
  std::vector<std::string> row;
  while (true) {
    auto more = csv.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) return OkStatus();
  }
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, PlainQuotedAndEmpty) {
  EXPECT_EQ(ReadAll("a,b,c\n1,,3\n"), (Rows{{"a", "b", "c"}, {"1", "", "3"}}));
  EXPECT_EQ(ReadAll("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,"),
            (Rows{{"x, y", "say \"hi\"", "two\nlines"}, {"last", ""}}));
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFid\n\n7\n"), (Rows{{"id"}, {"7"}}));
  EXPECT_EQ(ReadAll("a\tb\n", '\t'), (Rows{{"a", "b"}}));
  EXPECT_EQ(ReadAll(""), Rows{});
}

TEST(CsvReaderTest, LineNumbersCountQuotedNewlines) {
  std::istringstream in("h\n\"a\nb\"\nc\n");
  CsvReader csv(in, "t.csv");
  std::vector<std::string> row;
  ASSERT_TRUE(*csv.Next(row));
  EXPECT_EQ(csv.line(), 1);
  ASSERT_TRUE(*csv.Next(row));
  EXPECT_EQ(csv.line(), 2);
  ASSERT_TRUE(*csv.Next(row));
  EXPECT_EQ(csv.Where(), "t.csv:4");
}

TEST(CsvReaderTest, RejectsMalformed) {
  EXPECT_EQ(FirstError("a,\"b\n").message(),
            "t.csv:1: a quoted field is not closed before the end of the file");
  EXPECT_EQ(FirstError("ok\na,b\"c\n").message(), "t.csv:2: field 2: a quote inside an unquoted field");
  EXPECT_EQ(FirstError("\"a\"b\n").message(), "t.csv:1: field 1: text after a closing quote");
  CsvLimits small;
  small.max_field_bytes = 4;
  EXPECT_EQ(FirstError("abcde\n", small).message(), "t.csv:1: field is longer than 4 bytes");
}

TEST(CsvHeaderTest, RequiredColumns) {
  std::istringstream in(" student , score\n");
  CsvReader csv(in, "s.csv");
  auto h = CsvHeader::Read(csv, {"student", "score"});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->Index("score"), 1);
  EXPECT_EQ(h->Find("date"), -1);
  std::istringstream in2("student,date\n");
  CsvReader csv2(in2, "s.csv");
  EXPECT_EQ(CsvHeader::Read(csv2, {"student", "score"}).status().message(),
            "s.csv:1: missing column \"score\" (found: student, date)");
}

}  // namespace
}  // namespace pw
