// `pathwise profile` and `pathwise flags` on a small seeded demo database.
#include <nlohmann/json.hpp>

#include "ingest/framework_json.h"
#include "profile/readability.h"
#include "server/demo_seed.h"
#include "store/store.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::testing {
namespace {

using json = nlohmann::json;

class ProfileCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    url_ = "sqlite:" + dir_->File("demo.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok());
    auto framework =
        ReadFrameworkFile((SourceDir() / "data/frameworks/ccss-math-5-7.json").string());
    ASSERT_TRUE(framework.ok());
    server::DemoOptions demo;
    demo.students = 24;
    demo.classes = 2;
    demo.weeks = 2;
    PW_ASSERT_OK(server::SeedDemo(**store, *framework, demo));
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
  static std::string url_;
};
TempDir* ProfileCommandTest::dir_ = nullptr;
std::string ProfileCommandTest::url_;

TEST_F(ProfileCommandTest, ProfileBySourcedIdOrIdAsTextAndJson) {
  CliResult r = RunPathwise(
      {"profile", "sim-student-1", "--db", url_, "--as-of", "2026-09-18T20:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(id 1, sim-student-1), grade 6, as of 2026-09-18\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nMastery: "), std::string::npos);
  EXPECT_NE(r.out.find("\nCompetencies:\n"), std::string::npos);

  r = RunPathwise({"profile", "1", "--db", url_, "--as-of", "2026-09-18T20:00:00Z", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["student"]["id"], 1);
  EXPECT_EQ(j["as_of"], "2026-09-18T20:00:00.000Z");
  EXPECT_GT(j["mastery"].size(), 0u);
  int attempts = 0;
  for (const json& c : j["mastery"]) attempts += c["attempts"].get<int>();
  EXPECT_GT(attempts, 0);  // the demo's evidence went through RecordEvidence
}

TEST_F(ProfileCommandTest, GuardianReportAsTextAndHtml) {
  CliResult r = RunPathwise({"profile", "sim-student-2", "--db", url_, "--as-of",
                             "2026-09-18T20:00:00Z", "--report", "guardian"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Progress report for ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nWhy there is no letter grade\n"), std::string::npos) << r.out;
  // Plain words on real framework statements too: every demo student's report.
  for (int id = 1; id <= 24; ++id) {
    CliResult one = RunPathwise({"profile", std::to_string(id), "--db", url_, "--as-of",
                                 "2026-09-18T20:00:00Z", "--report", "guardian"});
    ASSERT_EQ(one.code, 0) << one.err;
    EXPECT_LE(profile::FleschKincaidGrade(one.out), 8.0) << one.out;
  }
  r = RunPathwise({"profile", "2", "--db", url_, "--report", "guardian", "--html"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<!DOCTYPE html>", 0), 0u);
  r = RunPathwise({"profile", "2", "--db", url_, "--report", "teacher"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --report: expected guardian, got \"teacher\"\n");
}

TEST_F(ProfileCommandTest, UnknownStudentAndBadTimeAreUsageErrors) {
  CliResult r = RunPathwise({"profile", "nobody", "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: student \"nobody\" not found\n");
  r = RunPathwise({"profile", "1", "--db", url_, "--as-of", "yesterday"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("pathwise: --as-of: ", 0), 0u) << r.err;
}

TEST_F(ProfileCommandTest, FlagsOfAClass) {
  CliResult r = RunPathwise({"flags", "--class", "1", "--db", url_, "--date", "2026-09-18"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("class 1 on 2026-09-18: ", 0), 0u) << r.out;
  r = RunPathwise({"flags", "--class", "1", "--db", url_, "--date", "2026-09-18", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["class_id"], 1);
  EXPECT_EQ(j["date"], "2026-09-18");
  for (const json& s : j["students"]) {
    for (const json& f : s["flags"]) EXPECT_FALSE(f["reason"].get<std::string>().empty());
  }
  r = RunPathwise({"flags", "--class", "999", "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: class 999 does not exist\n");
}

}  // namespace
}  // namespace pw::testing
