// `pathwise eval` end to end: CSV in, JSON/text/HTML out, and bad input -> exit 2 with a
// message naming file, line and column.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::cli {
namespace {

using pw::testing::RunPathwise;

// 8 schools x 12 students; odd schools run the program.
std::string SmallCsv() {
  std::string s = "id,school,grade,pretest,girl,minutes,program,score\n";
  unsigned x = 12345;
  auto next = [&x]() {
    x = x * 1103515245u + 12345u;
    return ((x >> 8) % 1000) / 1000.0;
  };
  for (int sc = 0; sc < 8; ++sc) {
    for (int i = 0; i < 12; ++i) {
      const double pre = 40 + 20 * next();
      const int tr = sc % 2;
      const int girl = i % 2;
      const double minutes = tr ? 100 + 200 * next() : 0;
      const double score = 10 + 0.8 * pre + 3 * tr + 0.005 * minutes + 4 * next() + sc % 3;
      s += fmt::format("{},S{},{},{:.2f},{},{:.1f},{},{:.2f}\n", sc * 12 + i, sc, 6 + i % 2, pre,
                       girl, minutes, tr, score);
    }
  }
  return s;
}

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override { pw::testing::WriteFile(dir_.File("students.csv"), SmallCsv()); }
  std::string Path(const std::string& name = "students.csv") { return dir_.File(name); }
  std::vector<std::string> Base() {
    return {"eval",        "--data",   Path(),      "--outcome", "score",
            "--treatment", "program",  "--pretest", "pretest",   "--covariates",
            "girl",        "--school", "school"};
  }
  pw::testing::TempDir dir_;
};

TEST_F(EvalCli, JsonHasExactlyTheListedKeys) {
  for (const std::string design : {"regression", "randomized", "matched", "multilevel"}) {
    auto args = Base();
    args.insert(args.end(), {"--design", design, "--json"});
    auto r = RunPathwise(args);
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    std::set<std::string> keys;
    for (auto& [k, v] : j.items()) keys.insert(k);
    EXPECT_EQ(keys,
              (std::set<std::string>{"design", "estimate", "se", "ci_low", "ci_high", "p_value",
                                     "df", "effect_size", "p_effect_above_threshold", "n_treated",
                                     "n_comparison", "balance"}))
        << design;
    EXPECT_EQ(j["design"], design);
    EXPECT_LT(j["ci_low"].get<double>(), j["estimate"].get<double>());
    EXPECT_GT(j["ci_high"].get<double>(), j["estimate"].get<double>());
    ASSERT_EQ(j["balance"].size(), 2u);
    EXPECT_EQ(j["balance"][0]["measure"], "pretest");
    if (design == "matched") {
      EXPECT_TRUE(j["balance"][0].contains("std_diff_before"));
    }
  }
}

TEST_F(EvalCli, TextReportAndDose) {
  auto args = Base();
  args.insert(args.end(),
              {"--dose", "minutes", "--report", Path("report.html"), "--threshold", "0.2"});
  auto r = RunPathwise(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Students in the program scored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("P(effect > 0.2 SD)"), std::string::npos) << r.out;
  const std::string html = pw::testing::ReadFile(Path("report.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("More use, more effect?"), std::string::npos);
}

// PDF is optional: rendered when chromium or wkhtmltopdf is installed, otherwise a note and exit 0.
TEST_F(EvalCli, PdfIsRenderedOrSkippedCleanly) {
  auto args = Base();
  args.insert(args.end(), {"--report", Path("r.html"), "--pdf", Path("r.pdf")});
  auto r = RunPathwise(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const bool rendered = std::filesystem::exists(Path("r.pdf"));
  const bool noted =
      r.err.find("no PDF renderer (chromium or wkhtmltopdf) is installed; skipped") !=
      std::string::npos;
  EXPECT_TRUE(rendered != noted) << r.err;
  auto bad = RunPathwise({"eval", "--data", Path(), "--outcome", "score", "--treatment", "program",
                          "--pdf", Path("x.pdf")});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "pathwise: --pdf needs --report out.html (the PDF is rendered from it)\n");
}

TEST_F(EvalCli, MissingColumnNamesTheFile) {
  auto r = RunPathwise({"eval", "--data", Path(), "--outcome", "spring", "--treatment", "program"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + Path() +
                       ":1: missing column \"spring\" (found: id, school, grade, pretest, girl, "
                       "minutes, program, score)\n");
}

TEST_F(EvalCli, NonNumericCellNamesFileLineAndColumn) {
  std::string csv = SmallCsv();
  const auto line3 = csv.find('\n', csv.find('\n') + 1) + 1;   // start of the 3rd line
  const auto comma = csv.find(",", csv.find(",", line3) + 1);  // after id and school
  const auto end = csv.find(",", comma + 1);
  csv.replace(comma + 1, end - comma - 1, "six");  // grade column, but pretest is the next one
  pw::testing::WriteFile(Path("bad.csv"), csv);
  auto args = Base();
  args[2] = Path("bad.csv");
  args.insert(args.end(), {"--grade", "grade"});
  auto r = RunPathwise(args);
  EXPECT_EQ(r.code, 0) << "grade is a label, any text is fine: " << r.err;
  // Now a bad pretest on line 3.
  std::string csv2 = SmallCsv();
  const auto l3 = csv2.find('\n', csv2.find('\n') + 1) + 1;
  std::size_t pos = l3;
  for (int k = 0; k < 3; ++k) pos = csv2.find(',', pos) + 1;  // start of pretest
  csv2.replace(pos, csv2.find(',', pos) - pos, "n/a");
  pw::testing::WriteFile(Path("bad2.csv"), csv2);
  args = Base();
  args[2] = Path("bad2.csv");
  r = RunPathwise(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + Path("bad2.csv") +
                       ":3: column \"pretest\": expected a number, got \"n/a\"\n");
}

TEST_F(EvalCli, BadTreatmentValue) {
  pw::testing::WriteFile(Path("t.csv"), "school,program,score\nA,1,3\nB,yes,4\n");
  auto r = RunPathwise(
      {"eval", "--data", Path("t.csv"), "--outcome", "score", "--treatment", "program"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + Path("t.csv") +
                       ":3: column \"program\": expected 0 or 1, got \"yes\"\n");
}

TEST_F(EvalCli, NoComparisonConstantOutcomeAndOneCluster) {
  pw::testing::WriteFile(Path("all.csv"), "school,program,score\nA,1,3\nA,1,4\nB,1,5\n");
  auto r = RunPathwise(
      {"eval", "--data", Path("all.csv"), "--outcome", "score", "--treatment", "program"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: no comparison students: every student with an outcome has program = 1; an "
            "effect needs "
            "students who were not in the program\n");
  pw::testing::WriteFile(Path("flat.csv"), "school,program,score\nA,1,3\nA,0,3\nB,1,3\nB,0,3\n");
  r = RunPathwise(
      {"eval", "--data", Path("flat.csv"), "--outcome", "score", "--treatment", "program"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: the outcome score is the same (3) for all 4 students; there is no variation "
            "to explain\n");
  pw::testing::WriteFile(Path("one.csv"), "school,program,score\nA,1,3\nA,0,4\nA,1,5\nA,0,2\n");
  r = RunPathwise({"eval", "--data", Path("one.csv"), "--outcome", "score", "--treatment",
                   "program", "--cluster", "school"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: only one cluster (\"A\") in column school: cluster-robust standard errors "
            "and school effects "
            "need at least 2 clusters\n");
}

TEST_F(EvalCli, PowerCalculator) {
  auto r = RunPathwise({"eval", "power", "--students", "20", "--clusters", "40", "--icc", "0.2",
                        "--r2", "0.5", "--r2-cluster", "0.5", "--effect", "0.2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["design"], "cluster");
  EXPECT_NEAR(j["mde"].get<double>(), 0.315, 0.001);
  EXPECT_EQ(j["df"].get<double>(), 38);
  auto bad = RunPathwise({"eval", "power", "--students", "2"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err,
            "pathwise: power: 2 students is too few (need at least 3 with 0 covariates)\n");
}

TEST_F(EvalCli, AssignIsReproducibleFromTheSeed) {
  auto a = RunPathwise({"eval", "assign", "--data", Path(), "--block", "school", "--balance",
                        "pretest", "--seed", "7", "--out", Path("a.csv")});
  ASSERT_EQ(a.code, 0) << a.err;
  auto b = RunPathwise({"eval", "assign", "--data", Path(), "--block", "school", "--balance",
                        "pretest", "--seed", "7", "--out", Path("b.csv")});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(pw::testing::ReadFile(Path("a.csv")), pw::testing::ReadFile(Path("b.csv")));
  EXPECT_NE(a.out.find("seed 7, draw"), std::string::npos) << a.out;
  EXPECT_NE(pw::testing::ReadFile(Path("a.csv")).find("score,treatment\n"), std::string::npos);
}

TEST_F(EvalCli, DbIsNotSupportedYet) {
  auto r =
      RunPathwise({"eval", "--db", "sqlite:x.db", "--outcome", "score", "--treatment", "program"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(
      r.err,
      "pathwise: eval --db is not supported yet: export the students to CSV and pass --data\n");
}

}  // namespace
}  // namespace pw::cli
