// `pathwise sim`: row counts, determinism, the truth file, and bad usage.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::cli {
namespace {

using pw::testing::ReadFile;
using pw::testing::RunPathwise;
using pw::testing::TempDir;

std::vector<std::string> Args(const std::string& out, const std::string& seed = "7",
                              const std::string& students = "100") {
  return {"sim", "--students", students, "--skills", "10", "--events-per-student",
          "50",  "--seed",     seed,     "--out",    out};
}

long Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(SimCommandTest, WritesNTimesMRowsWithHeader) {
  TempDir dir;
  pw::testing::CliResult r = RunPathwise(Args(dir.File("x.csv")));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = ReadFile(dir.File("x.csv"));
  EXPECT_EQ(Lines(text), 1 + 100 * 50);
  EXPECT_EQ(text.substr(0, text.find('\n')), "student_id,skill_id,item_id,timestamp,correct,known");
  EXPECT_EQ(r.out, "wrote 5000 events (100 students x 50 events, 10 skills) to " +
                       dir.File("x.csv") + "\n");
  // Only the output file is left behind (the temporary was renamed).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(SimCommandTest, TheIssueExampleWrites200000Rows) {
  TempDir dir;
  pw::testing::CliResult r =
      RunPathwise({"sim", "--students", "1000", "--skills", "50", "--events-per-student", "200",
                   "--seed", "7", "--out", dir.File("x.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(ReadFile(dir.File("x.csv"))), 1 + 200000);
}

TEST(SimCommandTest, SameSeedSameBytesOtherSeedDifferent) {
  TempDir dir;
  ASSERT_EQ(RunPathwise(Args(dir.File("a.csv"))).code, 0);
  ASSERT_EQ(RunPathwise(Args(dir.File("b.csv"))).code, 0);
  ASSERT_EQ(RunPathwise(Args(dir.File("c.csv"), "8")).code, 0);
  EXPECT_EQ(ReadFile(dir.File("a.csv")), ReadFile(dir.File("b.csv")));
  EXPECT_NE(ReadFile(dir.File("a.csv")), ReadFile(dir.File("c.csv")));
}

TEST(SimCommandTest, TruthFileHasOneRowPerStudentAndSkill) {
  TempDir dir;
  std::vector<std::string> args = Args(dir.File("x.csv"));
  args.insert(args.end(), {"--truth", dir.File("t.csv")});
  pw::testing::CliResult r = RunPathwise(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(ReadFile(dir.File("t.csv"))), 1 + 100 * 10);
  // Asking for the truth does not change the events.
  ASSERT_EQ(RunPathwise(Args(dir.File("y.csv"))).code, 0);
  EXPECT_EQ(ReadFile(dir.File("x.csv")), ReadFile(dir.File("y.csv")));
}

void ExpectBadUsage(const std::vector<std::string>& args, const std::string& message,
                    const TempDir& dir) {
  pw::testing::CliResult r = RunPathwise(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + message + "\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0)
      << "nothing is written";
}

TEST(SimCommandTest, BadNumbersExit2WithOneLine) {
  TempDir dir;
  const std::string out = dir.File("x.csv");
  ExpectBadUsage(Args(out, "7", "abc"),
                 "--students must be a whole number from 1 to 10000000, got \"abc\"", dir);
  ExpectBadUsage(Args(out, "7", "0"),
                 "--students must be a whole number from 1 to 10000000, got \"0\"", dir);
  ExpectBadUsage(Args(out, "7", "-5"),
                 "--students must be a whole number from 1 to 10000000, got \"-5\"", dir);
  ExpectBadUsage(Args(out, "x1"),
                 "--seed must be a whole number from 0 to 18446744073709551615, got \"x1\"", dir);
  ExpectBadUsage({"sim", "--students", "10", "--skills", "2.5", "--events-per-student", "5",
                  "--seed", "1", "--out", out},
                 "--skills must be a whole number from 1 to 100000, got \"2.5\"", dir);
}

TEST(SimCommandTest, MissingFlagExits2) {
  TempDir dir;
  pw::testing::CliResult r = RunPathwise(
      {"sim", "--students", "10", "--skills", "2", "--seed", "1", "--out", dir.File("x.csv")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("--events-per-student"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("x.csv")));
}

TEST(SimCommandTest, UnwritableOutExits2AndWritesNothing) {
  TempDir dir;
  const std::string out = dir.File("no/such/dir/x.csv");
  std::vector<std::string> args = Args(out);
  args.insert(args.end(), {"--truth", dir.File("t.csv")});
  ExpectBadUsage(args, "cannot write --out \"" + out + "\": No such file or directory", dir);
  ExpectBadUsage(Args(dir.path().string()),
                 "cannot write --out \"" + dir.path().string() + "\": it is a directory", dir);
  // An unwritable --truth leaves no --out behind either.
  args = Args(dir.File("x.csv"));
  args.insert(args.end(), {"--truth", out});
  ExpectBadUsage(args, "cannot write --truth \"" + out + "\": No such file or directory", dir);
}

}  // namespace
}  // namespace pw::cli
