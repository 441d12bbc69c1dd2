// POST /api/v1/admin/imports/{kind} over real HTTP: administrators import, others are refused,
// a bad file is a 400 with the import's errors and changes nothing, check=true writes nothing,
// and every import leaves the same audit entry as `pathwise import`.
#include <fstream>
#include <iterator>

#include "auth_fixture.h"
#include "server/import_service.h"

namespace pw::server {
namespace {

class ImportRoutesTest : public AuthServerTest {
 protected:
  struct Reply {
    int status = 0;
    json body;
  };
  Reply Post(const std::string& path, const std::string& who, const std::string& body,
             const std::string& type = "text/csv") {
    httplib::Client c = Client();
    httplib::Result res = c.Post(path, As(who), body, type);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  std::vector<AttendanceRecord> Attendance(Id student) {
    auto rows = store_->ListAttendance(student, {});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<AttendanceRecord>{};
  }
  // The import entries of the audit log, newest first.
  std::vector<AuditEntry> ImportAudit() {
    auto entries = store_->accounts()->ListAudit({}, kNoId, 100);
    EXPECT_TRUE(entries.ok());
    std::vector<AuditEntry> out;
    for (const AuditEntry& e : *entries) {
      if (e.action.starts_with("import ")) out.push_back(e);
    }
    return out;
  }

  static constexpr const char* kAttendance =
      "student,date,status\na1,2026-09-01,present\na2,2026-09-01,tardy\n";
};

TEST_F(ImportRoutesTest, AdministratorImportsAttendanceAndIsAudited) {
  Reply r = Post("/api/v1/admin/imports/attendance", "admin", kAttendance);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const std::string sha = *Sha256Of(kAttendance);
  EXPECT_EQ(r.body, json::parse(R"({"kind":"attendance","source":"upload.csv","check":false,
      "ok":true,"entities":{"attendance":{"read":2,"created":2,"updated":0,"unchanged":0,
      "deleted":0,"rejected":0}},"warnings":[],"errors":[],"more_errors":0,"sha256":")" +
                                sha + "\"}"));
  ASSERT_EQ(Attendance(a1_).size(), 1u);
  EXPECT_EQ(Attendance(a2_).at(0).status, AttendanceStatus::kTardy);
  EXPECT_EQ(Attendance(a2_).at(0).source_system, "import:attendance");

  std::vector<AuditEntry> audit = ImportAudit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "admin");
  EXPECT_EQ(audit[0].action, "import attendance");
  EXPECT_EQ(audit[0].status, 200);
  EXPECT_EQ(audit[0].time, clock_.Now());
  EXPECT_EQ(audit[0].target, "upload.csv sha256=" + sha +
                                 " read=2 created=2 updated=0 unchanged=0 deleted=0 rejected=0 "
                                 "errors=0");
  // The same file again: nothing changes, and the report says so.
  r = Post("/api/v1/admin/imports/attendance", "admin", kAttendance);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["entities"]["attendance"]["unchanged"], 2);
}

TEST_F(ImportRoutesTest, OnlyAdministratorsMayImport) {
  for (const std::string who : {"teacherA", "leaderD", "researcher", "studentA1", "client"}) {
    Reply r = Post("/api/v1/admin/imports/attendance", who, kAttendance);
    EXPECT_EQ(r.status, 403) << who;
  }
  EXPECT_EQ(Post("/api/v1/admin/imports/attendance", "", kAttendance).status, 401);
  EXPECT_TRUE(Attendance(a1_).empty());
  EXPECT_TRUE(ImportAudit().empty());
}

TEST_F(ImportRoutesTest, BadFileIs400WithTheErrorsAndChangesNothing) {
  const std::string bad =
      "student,date,status\na1,2026-09-01,present\na2,2026-13-01,late\nnobody,2026-09-01,present\n";
  Reply r = Post("/api/v1/admin/imports/attendance?name=att.csv", "admin", bad);
  ASSERT_EQ(r.status, 400) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
  EXPECT_EQ(r.body["error"]["message"],
            "att.csv: 3 errors, nothing imported\n"
            "  att.csv:3: column \"date\": expected a date YYYY-MM-DD, got \"2026-13-01\"\n"
            "  att.csv:3: column \"status\": expected one of present, tardy, excused, "
            "unexcused, got \"late\"\n"
            "  att.csv:4: column \"student\": \"nobody\": no person has this sourcedId");
  const json& details = r.body["error"]["details"];
  EXPECT_EQ(details["ok"], false);
  EXPECT_EQ(details["errors"].size(), 3u);
  EXPECT_EQ(details["entities"]["attendance"]["rejected"], 2);
  EXPECT_TRUE(Attendance(a1_).empty());  // the good row was not written either
  std::vector<AuditEntry> audit = ImportAudit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].status, 400);
  EXPECT_NE(audit[0].target.find("att.csv sha256=" + *Sha256Of(bad)), std::string::npos);
  EXPECT_NE(audit[0].target.find(" errors=3"), std::string::npos);
}

TEST_F(ImportRoutesTest, CheckCountsAndWritesNothing) {
  Reply r = Post("/api/v1/admin/imports/attendance?check=true", "admin", kAttendance);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["check"], true);
  EXPECT_EQ(r.body["entities"]["attendance"]["created"], 2);
  EXPECT_TRUE(Attendance(a1_).empty());
  std::vector<AuditEntry> audit = ImportAudit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "import attendance --check");
}

TEST_F(ImportRoutesTest, ColumnMapAndOptionsAsTheCliHasThem) {
  const std::string file = "Student ID,Day,Code\na1,2026-09-02,excused\n";
  Reply r = Post(
      "/api/v1/admin/imports/attendance?map=Student%20ID%3Dstudent&map=Day%3Ddate&map=Code%3Dstatus"
      "&source_system=sis",
      "admin", file);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(Attendance(a1_).size(), 1u);
  EXPECT_EQ(Attendance(a1_)[0].source_system, "sis");
  // Without the map the header is refused, naming the column.
  r = Post("/api/v1/admin/imports/attendance", "admin", file);
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["errors"][0], "upload.csv:1: unknown column \"Student ID\"");
  // Options the kind does not take, and bad parameter values.
  r = Post("/api/v1/admin/imports/attendance?framework=fw", "admin", file);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["message"],
            "--framework: only prereqs and scores imports name a framework");
  r = Post("/api/v1/admin/imports/attendance?check=maybe", "admin", file);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["message"],
            "query parameter check: expected true or false, got \"maybe\"");
  r = Post("/api/v1/admin/imports/oneroster?map=a%3Db", "admin", "");
  EXPECT_EQ(r.body["error"]["message"], "--map: OneRoster files have fixed column names");
  EXPECT_EQ(Attendance(a1_).size(), 1u);
}

TEST_F(ImportRoutesTest, OneRosterBodyMustBeAZip) {
  Reply r =
      Post("/api/v1/admin/imports/oneroster", "admin", "orgs.csv is not a zip", "application/zip");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["message"],
            "upload.zip: not a readable zip archive (libzip: Not a zip archive)");
}

TEST_F(ImportRoutesTest, OneRosterZipFromTheSample) {
  auto dir = testing::SharedData("oneroster-sample");
  if (!dir) GTEST_SKIP() << "../shared/data/oneroster-sample is absent";
  std::ifstream in(*dir / "oneroster_test_data.zip", std::ios::binary);
  const std::string zip((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Reply r = Post("/api/v1/admin/imports/oneroster?name=oneroster_test_data.zip", "admin", zip,
                 "application/zip");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["source"], "oneroster_test_data.zip");
  EXPECT_EQ(r.body["entities"]["users"]["created"], 1);
  auto bruce = store_->FindPersonBySourceId("USER_0");
  ASSERT_TRUE(bruce.ok() && bruce->has_value());
  EXPECT_EQ((*bruce)->given_name, "Bruce");
}

TEST_F(ImportRoutesTest, CaseAndPrereqsKinds) {
  // A CASE body that is not JSON, then prerequisite edges against the fixture's framework.
  Reply r = Post("/api/v1/admin/imports/case", "admin", "not json", "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.body["error"]["message"].get<std::string>().starts_with("upload.json"))
      << r.body.dump();
  r = Post("/api/v1/admin/imports/prereqs?framework=fw", "admin", "from,to\n6.EE.1,7.RP.1\n");
  EXPECT_EQ(r.status, 400) << r.body.dump();
  EXPECT_TRUE(store_->ListEdges(framework_)->empty());
}

}  // namespace
}  // namespace pw::server
