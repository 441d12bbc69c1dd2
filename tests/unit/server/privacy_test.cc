// Privacy operations over HTTP and directly: the audit log of student reads and changes, a
// student's full export, deletion with everything linked, and the de-identified export.
#include "server/privacy.h"

#include "auth_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

class PrivacyTest : public AuthServerTest {};

TEST_F(PrivacyTest, StudentReadsAndDenialsAreAudited) {
  const std::string path = "/api/v1/students/" + std::to_string(a1_);
  EXPECT_EQ(Code("GET", path, "teacherA"), 200);
  EXPECT_EQ(Code("GET", path + "/evidence", "guardianA"), 200);
  EXPECT_EQ(Code("GET", path, "teacherB"), 404);
  EXPECT_EQ(Code("GET", path, ""), 401);
  // Not a student route: not audited.
  EXPECT_EQ(Code("GET", "/api/v1/frameworks", "teacherA"), 200);

  json log = GetJson("/api/v1/audit?student_id=" + std::to_string(a1_), "admin");
  ASSERT_EQ(log["items"].size(), 4u) << log.dump();
  // Newest first.
  EXPECT_EQ(log["items"][0]["actor"], "anonymous");
  EXPECT_EQ(log["items"][0]["status"], 401);
  EXPECT_EQ(log["items"][1]["actor"], "teacherB");
  EXPECT_EQ(log["items"][1]["status"], 404);
  EXPECT_EQ(log["items"][2]["actor"], "guardianA");
  EXPECT_EQ(log["items"][2]["action"], "GET /api/v1/students/(\\d+)/evidence");
  EXPECT_EQ(log["items"][3]["actor"], "teacherA");
  EXPECT_EQ(log["items"][3]["target"], path);
  EXPECT_EQ(log["items"][3]["student_id"], a1_);
  EXPECT_EQ(log["items"][3]["time"], FormatTimestamp(clock_.Now()));
  EXPECT_EQ(log["items"][3]["address"], "127.0.0.1");
  json mine = GetJson("/api/v1/audit?actor=teacherB", "admin");
  ASSERT_EQ(mine["items"].size(), 1u);
  json paged = GetJson("/api/v1/audit?student_id=" + std::to_string(a1_) + "&limit=3", "admin");
  ASSERT_EQ(paged["items"].size(), 3u);
  json rest = GetJson("/api/v1/audit?student_id=" + std::to_string(a1_) + "&before=" +
                          std::to_string(paged["next_before"].get<Id>()),
                      "admin");
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0]["actor"], "teacherA");
}

TEST_F(PrivacyTest, ExportHasEverythingAboutTheStudentAndNothingElse) {
  json all = GetJson("/api/v1/students/" + std::to_string(a1_) + "/export", "admin");
  EXPECT_EQ(all["student"]["id"], a1_);
  EXPECT_EQ(all["evidence"].size(), 3u);
  for (const json& e : all["evidence"]) EXPECT_EQ(e["student_id"], a1_);
  ASSERT_EQ(all["enrollments"].size(), 1u);
  EXPECT_EQ(all["enrollments"][0]["class_title"], "Class A1");
  ASSERT_EQ(all["guardians"].size(), 1u);
  EXPECT_EQ(all["guardians"][0]["guardian"]["id"], g_a_);
  ASSERT_EQ(all["accounts"].size(), 1u);
  EXPECT_EQ(all["accounts"][0]["login"], "studentA1");
  EXPECT_FALSE(all["accounts"][0].contains("password_hash"));
  EXPECT_EQ(all.dump().find("$argon2id$"), std::string::npos);
  // Each export is audited once it is built: the second export shows the first.
  json again = GetJson("/api/v1/students/" + std::to_string(a1_) + "/export", "admin");
  ASSERT_EQ(again["audit"].size(), 1u);
  EXPECT_EQ(again["audit"][0]["action"], "GET /api/v1/students/(\\d+)/export");
  EXPECT_EQ(Code("GET", "/api/v1/students/" + std::to_string(t_a_) + "/export", "admin"), 404);
}

TEST_F(PrivacyTest, DeleteStudentRemovesEverythingLinkedAndIsAudited) {
  const std::string path = "/api/v1/students/" + std::to_string(a1_);
  std::string body;
  ASSERT_EQ(Code("DELETE", path, "admin", &body), 200) << body;
  json out = json::parse(body);
  EXPECT_EQ(out["deleted"]["evidence"], 3);
  EXPECT_EQ(out["deleted"]["enrollments"], 1);
  EXPECT_EQ(out["deleted"]["guardian_links"], 1);
  EXPECT_EQ(out["deleted"]["accounts"], 1);
  EXPECT_EQ(Code("GET", path, "admin"), 404);
  EXPECT_EQ(*store_->CountEvidence({.student_id = a1_}), 0);
  EXPECT_TRUE(store_->ListGuardianLinks(a1_, std::nullopt)->empty());
  EXPECT_FALSE(store_->accounts()->FindUserByLogin("studentA1")->has_value());
  // The student's session died with the account.
  EXPECT_EQ(Code("GET", "/api/v1/auth/me", "studentA1"), 401);
  // Others are untouched.
  EXPECT_EQ(*store_->CountEvidence({.student_id = a2_}), 3);
  EXPECT_EQ(Code("GET", "/api/v1/students/" + std::to_string(a2_), "teacherA"), 200);
  // Deleting again: 404, also audited.
  EXPECT_EQ(Code("DELETE", path, "admin"), 404);
  // Newest first: the second DELETE (404), the GET (404), the DELETE that worked.
  json log = GetJson("/api/v1/audit?student_id=" + std::to_string(a1_), "admin");
  ASSERT_EQ(log["items"].size(), 3u) << log.dump();
  EXPECT_EQ(log["items"][0]["status"], 404);
  EXPECT_EQ(log["items"][2]["action"], "DELETE /api/v1/students/(\\d+)");
  EXPECT_EQ(log["items"][2]["status"], 200);
  EXPECT_EQ(log["items"][2]["actor"], "admin");
}

TEST_F(PrivacyTest, ResearchExportIsPseudonymousAndSuppressesSmallCells) {
  // School A gets 12 grade-6 students in all (3 + 9); school B keeps 2.
  std::vector<EvidenceEvent> events;
  for (int i = 0; i < 9; ++i) {
    Id s = Person_("extra" + std::to_string(i), Role::kStudent, school_a_);
    EvidenceEvent e;
    e.student_id = s;
    e.competency_id = competency_;
    e.time = Timestamp{1'780'000'000'000};
    e.score = 1.0;
    e.source_system = "test";
    events.push_back(e);
  }
  PW_ASSERT_OK(store_->AppendEvidence(events));
  json out = GetJson("/api/v1/research/export", "researcher");
  EXPECT_EQ(out["min_cell"], 10);
  auto key = ResearchKey(*store_);
  PW_ASSERT_OK(key);
  EXPECT_EQ(key->size(), 64u);
  const std::string a = Pseudonym(*key, "org", school_a_), b = Pseudonym(*key, "org", school_b_);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  ASSERT_EQ(out["cells"].size(), 2u) << out.dump();
  for (const json& cell : out["cells"]) {
    if (cell["school"] == a) {
      EXPECT_FALSE(cell["suppressed"].get<bool>());
      EXPECT_EQ(cell["students"], 12);
      EXPECT_EQ(cell["events"], 9 + 9);
      EXPECT_NEAR(cell["mean_score"].get<double>(), (9.0 + 6.0) / 18.0, 1e-12);
    } else {
      EXPECT_EQ(cell["school"], b);
      EXPECT_TRUE(cell["suppressed"].get<bool>());
      EXPECT_TRUE(cell["students"].is_null());
      EXPECT_TRUE(cell["mean_score"].is_null());
    }
  }
  EXPECT_EQ(out["suppressed_cells"], 1);
  EXPECT_EQ(out["student_rows"].size(), 12u);
  EXPECT_EQ(out["withheld_student_rows"], 2);
  std::set<std::string> pseudonyms;
  for (const json& row : out["student_rows"]) {
    pseudonyms.insert(row["student"].get<std::string>());
    EXPECT_EQ(row["school"], a);
  }
  EXPECT_EQ(pseudonyms.size(), 12u);
  EXPECT_TRUE(pseudonyms.count(Pseudonym(*key, "person", a1_)));
  // No names, source ids or raw person ids anywhere.
  const std::string text = out.dump();
  for (const char* leak : {"\"a1\"", "extra0", "Test", "given_name", "\"student_id\""}) {
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
  }
  // Stable across calls (same key), different under another installation's key.
  EXPECT_EQ(GetJson("/api/v1/research/export", "admin")["student_rows"], out["student_rows"]);
  EXPECT_NE(Pseudonym(RandomHex(32), "person", a1_), Pseudonym(*key, "person", a1_));
  // The research export is audited; cells under 10 cannot be requested.
  EXPECT_EQ(Code("GET", "/api/v1/research/export?min_cell=5", "researcher"), 400);
  json log = GetJson("/api/v1/audit?actor=researcher", "admin");
  EXPECT_EQ(log["items"].size(), 2u);
}

}  // namespace
}  // namespace pw::server
