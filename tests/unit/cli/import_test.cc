// `pathwise import ...`: the report (text and --json), exit codes, --check, --map, and the
// audit entry every import leaves.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "store/accounts.h"
#include "store/store.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::testing {
namespace {

class ImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + dir_.File("school.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok());
    PW_ASSERT_OK((*store)->Migrate());
    Org school{0, "sch-1", "School", OrgType::kSchool, kNoId};
    PW_ASSERT_OK((*store)->PutOrg(school));
    Person s{0, "s-1", "A", "B", Role::kStudent, "", "6", school.id};
    PW_ASSERT_OK((*store)->PutPerson(s));
  }
  std::string Write(const std::string& name, const std::string& text) {
    WriteFile(dir_.path() / name, text);
    return dir_.File(name);
  }
  std::vector<AuditEntry> Audit() {
    auto store = OpenStore(url_);
    auto entries = (*store)->accounts()->ListAudit({}, kNoId, 10);
    return entries.ok() ? *entries : std::vector<AuditEntry>{};
  }
  TempDir dir_;
  std::string url_;
};

TEST_F(ImportCommandTest, AttendancePrintsTheReportAndIsAudited) {
  const std::string path = Write("att.csv", "student,date,status\ns-1,2026-09-01,present\n");
  CliResult r = RunPathwise({"import", "attendance", path, "--db", url_});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "attendance " + path +
                " (imported)\n"
                "  entity                 read  created  updated  unchanged  deleted  rejected\n"
                "  attendance                1        1        0          0        0         0\n");
  std::vector<AuditEntry> audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "import attendance");
  EXPECT_TRUE(audit[0].actor.starts_with("cli:"));
  // The file's SHA-256 (as `sha256sum att.csv` prints it) and the counts.
  EXPECT_EQ(audit[0].target,
            path +
                " sha256=32c853df6e64f026e07267f92d54752f14d1ccda90e1ba8a92f6f68819c90e41 read=1 "
                "created=1 updated=0 unchanged=0 deleted=0 rejected=0 "
                "errors=0");
}

TEST_F(ImportCommandTest, RejectedFileExitsTwoListingEveryError) {
  const std::string path =
      Write("att.csv", "student,date,status\ns-1,2026-13-01,present\ns-2,2026-09-01,present\n");
  CliResult r = RunPathwise({"import", "attendance", path, "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + path + ": 2 errors, nothing imported\n  " + path +
                       ":2: column \"date\": expected a date YYYY-MM-DD, got \"2026-13-01\"\n  " +
                       path + ":3: column \"student\": \"s-2\": no person has this sourcedId\n");
  EXPECT_NE(r.out.find("(rejected, nothing imported)"), std::string::npos);
  EXPECT_NE(r.out.find("  attendance                2        0        0          0        0  "
                       "       2\n"),
            std::string::npos)
      << r.out;
  ASSERT_EQ(Audit().size(), 1u);
  EXPECT_NE(Audit()[0].target.find("errors=2"), std::string::npos);
}

TEST_F(ImportCommandTest, JsonCheckAndMapping) {
  const std::string path = Write("sel.csv", "Student ID,Day,Scale,Value\ns-1,2026-10-01,grit,4\n");
  CliResult r = RunPathwise({"import", "sel", path, "--db", url_, "--check", "--json", "--map",
                             "Student ID=student", "--map", "Day=date", "--map", "Scale=scale",
                             "--map", "Value=score"});
  EXPECT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "sel");
  EXPECT_EQ(j["check"], true);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["entities"]["sel"]["created"], 1);
  EXPECT_EQ(j["errors"], nlohmann::json::array());
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  auto store = OpenStore(url_);
  auto s1 = (*store)->FindPersonBySourceId("s-1");
  EXPECT_EQ((*store)->ListSel((*s1)->id, {})->size(), 0u);  // --check wrote nothing
  EXPECT_EQ(Audit()[0].action, "import sel --check");

  r = RunPathwise({"import", "sel", path, "--db", url_, "--map", "nonsense"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --map \"nonsense\": expected FILE_COLUMN=FIELD\n");
}

TEST_F(ImportCommandTest, OneRosterAndCaseFromSharedData) {
  auto roster = SharedData("oneroster-sample");
  if (!roster) GTEST_SKIP() << "../shared/data/oneroster-sample is absent";
  CliResult r = RunPathwise(
      {"import", "oneroster", (*roster / "oneroster_test_data.zip").string(), "--db", url_});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("  users                     1        1        0          0        0  "
                       "       0\n"),
            std::string::npos)
      << r.out;
  r = RunPathwise(
      {"import", "oneroster", (*roster / "Test_minimal_data_set.zip").string(), "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.starts_with("pathwise: " + (*roster / "Test_minimal_data_set.zip").string() +
                                ": 3 errors, nothing imported\n"))
      << r.err;

  auto cases = SharedData("case-sample");
  if (!cases) GTEST_SKIP() << "../shared/data/case-sample is absent";
  r = RunPathwise(
      {"import", "case", (*cases / "math_cfs_sample.json").string(), "--db", url_, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["entities"]["competencies"]["created"], 703);
  auto cm = SharedData("coherence-map");
  if (!cm) GTEST_SKIP() << "../shared/data/coherence-map is absent";
  r = RunPathwise({"import", "prereqs", (*cm / "edges.csv").string(), "--db", url_, "--framework",
                   "http://purl.org/ASN/resources/D10003FB", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["entities"]["edges"]["read"], 542);
  EXPECT_GT(j["entities"]["edges"]["created"].get<int>(), 400);
}

TEST_F(ImportCommandTest, JsonReportSurvivesBytesThatAreNotUtf8) {
  const std::string path = Write("att.csv", "student,date,status\ns-1,2026-09-01,\xa3\n");
  CliResult r = RunPathwise({"import", "attendance", path, "--db", url_, "--json"});
  EXPECT_EQ(r.code, 2);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["errors"][0], path + ":2: column \"status\": expected one of present, tardy, "
                                   "excused, unexcused, got \"\xef\xbf\xbd\"");
}

TEST_F(ImportCommandTest, MissingFileIsOneLine) {
  CliResult r = RunPathwise({"import", "case", dir_.File("nope.json"), "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + dir_.File("nope.json") + ": cannot open for reading\n");
}

}  // namespace
}  // namespace pw::testing
