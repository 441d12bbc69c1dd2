// The learner-profile endpoints over real HTTP with real sign-ins (auth_fixture.h): who sees
// which profile, report and class flags, who may override mastery, the exact refusals, the
// audit of an override, and the printable report.
#include "auth_fixture.h"
#include "server/evidence_service.h"

namespace pw::server {
namespace {

class ProfileRoutesTest : public AuthServerTest {
 protected:
  void SetUp() override {
    AuthServerTest::SetUp();
    // Evidence through the one entry that also updates mastery: a1 answers 4 right.
    std::vector<EvidenceEvent> events;
    for (int i = 0; i < 4; ++i) {
      EvidenceEvent e;
      e.student_id = a1_;
      e.competency_id = competency_;
      e.time = Timestamp{1'789'000'000'000 + i * 3'600'000};
      e.score = 1;
      e.source_system = "test";
      events.push_back(e);
    }
    PW_ASSERT_OK(RecordEvidence(*store_, events));
  }

  int Post(const std::string& path, const std::string& who, const json& body,
           std::string* out = nullptr) {
    httplib::Client c = Client();
    httplib::Result res = c.Post(path, As(who), body.dump(), "application/json");
    EXPECT_TRUE(res) << path;
    if (!res) return -1;
    if (out) *out = res->body;
    return res->status;
  }

  static std::string Message(const std::string& body) {
    json j = json::parse(body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"]["message"].get<std::string>() : body;
  }

  std::string ProfilePath(Id s) { return "/api/v1/students/" + std::to_string(s) + "/profile"; }
  std::string ReportPath(Id s) {
    return "/api/v1/students/" + std::to_string(s) + "/report?audience=guardian";
  }
  std::string OverridePath(Id s) {
    return "/api/v1/students/" + std::to_string(s) + "/mastery/" + std::to_string(competency_) +
           "/override";
  }
  std::string FlagsPath(Id c) { return "/api/v1/classes/" + std::to_string(c) + "/flags"; }
};

TEST_F(ProfileRoutesTest, ProfileShowsMasteryFromRecordedEvidence) {
  json p = GetJson(ProfilePath(a1_), "teacherA");
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p["student"]["id"], a1_);
  bool found = false;
  for (const json& c : p["mastery"]) {
    if (c["competency_id"] != competency_) continue;
    found = true;
    // 2 right + 1 wrong from the fixture (appended without mastery), 4 right recorded here.
    EXPECT_EQ(c["attempts"], 4);
    EXPECT_EQ(c["state"], "mastered");
    EXPECT_EQ(c["overridden"], false);
  }
  EXPECT_TRUE(found);
}

TEST_F(ProfileRoutesTest, WhoSeesWhichProfile) {
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "teacherA"), 200);
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "studentA1"), 200);
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "guardianA"), 200);
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "leaderA"), 200);
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "admin"), 200);
  std::string body;
  EXPECT_EQ(Code("GET", ProfilePath(b1_), "teacherA", &body), 404);
  EXPECT_EQ(Message(body), fmt::format("student {} not found", b1_));
  EXPECT_EQ(Code("GET", ProfilePath(a2_), "studentA1"), 404);
  EXPECT_EQ(Code("GET", ProfilePath(a2_), "guardianA"), 404);
  EXPECT_EQ(Code("GET", ProfilePath(999999), "teacherA"), 404);  // same as a hidden student
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "researcher", &body), 403);
  EXPECT_EQ(Message(body), "researchers see de-identified data only");
  EXPECT_EQ(Code("GET", ProfilePath(a1_), ""), 401);
  EXPECT_EQ(Code("GET", ProfilePath(a1_), "client"), 403);
}

TEST_F(ProfileRoutesTest, GuardianGetsOnlyTheirChildsReport) {
  json r = GetJson(ReportPath(a1_), "guardianA");
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["audience"], "guardian");
  EXPECT_EQ(r["title"], "Progress report for a1 Test");
  EXPECT_EQ(r["sections"][0]["heading"], "What a1 can do now");
  EXPECT_EQ(r["sections"][0]["items"][0], "6.EE.1: Write expressions.");
  EXPECT_EQ(Code("GET", ReportPath(a2_), "guardianA"), 404);
  EXPECT_EQ(Code("GET", ReportPath(b1_), "guardianA"), 404);
  EXPECT_EQ(Code("GET", ReportPath(b1_), "teacherA"), 404);
  EXPECT_EQ(Code("GET", ReportPath(a1_), "teacherA"), 200);
  std::string body;
  EXPECT_EQ(Code("GET", "/api/v1/students/" + std::to_string(a1_) + "/report?audience=student",
                 "guardianA", &body),
            400);
  EXPECT_EQ(Message(body), "query parameter audience: expected guardian, got \"student\"");

  httplib::Client c = Client();
  auto res = c.Get(ReportPath(a1_) + "&format=html", As("guardianA"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("<h1>Progress report for a1 Test</h1>"), std::string::npos);
  res = c.Get(ReportPath(a2_) + "&format=html", As("guardianA"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
}

TEST_F(ProfileRoutesTest, TeacherOverridesWithAReasonAndItIsAuditedAndShown) {
  std::string body;
  EXPECT_EQ(Post(OverridePath(a1_), "teacherA", {{"state", "learning"}}, &body), 400);
  EXPECT_EQ(Message(body), "reason: required (say why the state is overridden)");
  EXPECT_EQ(Post(OverridePath(a1_), "teacherA", {{"state", "done"}, {"reason", "x"}}, &body), 400);
  EXPECT_EQ(Message(body),
            "unknown mastery state \"done\" (expected one of: not_started, learning, mastered, "
            "needs_review)");
  EXPECT_EQ(Post(OverridePath(a1_), "guardianA", {{"state", "learning"}, {"reason", "x"}}, &body),
            403);
  EXPECT_EQ(Message(body),
            "only a teacher of the student's classes or an administrator may override mastery");
  EXPECT_EQ(Post(OverridePath(a1_), "studentA1", {{"state", "mastered"}, {"reason", "x"}}), 403);
  EXPECT_EQ(Post(OverridePath(a1_), "leaderA", {{"state", "mastered"}, {"reason", "x"}}), 403);
  EXPECT_EQ(Post(OverridePath(b1_), "teacherA", {{"state", "mastered"}, {"reason", "x"}}), 404);

  EXPECT_EQ(Post(OverridePath(a1_), "teacherA",
                 {{"state", "learning"}, {"reason", "guessed on the quiz; check again"}}, &body),
            200);
  json out = json::parse(body);
  EXPECT_EQ(out["state"], "learning");
  EXPECT_EQ(out["estimated_state"], "mastered");
  EXPECT_EQ(out["override"]["by"], "teacherA");

  json p = GetJson(ProfilePath(a1_), "guardianA");
  for (const json& c : p["mastery"]) {
    if (c["competency_id"] != competency_) continue;
    EXPECT_EQ(c["state"], "learning");
    EXPECT_EQ(c["overridden"], true);
    EXPECT_EQ(c["override"]["reason"], "guessed on the quiz; check again");
    EXPECT_EQ(c["override"]["by"], "teacherA");
  }

  auto accounts = AccountsOf(*store_);
  PW_ASSERT_OK(accounts);
  auto audit = (*accounts)->ListAudit({.student_id = a1_, .actor = std::string("teacherA")}, kNoId,
                                      50);
  PW_ASSERT_OK(audit);
  bool logged = false;
  for (const AuditEntry& e : *audit) {
    if (e.action == R"(POST /api/v1/students/(\d+)/mastery/(\d+)/override)" && e.status == 200) {
      logged = true;
      EXPECT_EQ(e.target, OverridePath(a1_));
    }
  }
  EXPECT_TRUE(logged);

  // Clearing the override shows the estimate again.
  EXPECT_EQ(Post(OverridePath(a1_), "admin", {{"state", "clear"}}, &body), 200);
  EXPECT_EQ(json::parse(body)["state"], "mastered");
}

TEST_F(ProfileRoutesTest, ClassFlagsForTeachersOfTheClassOnly) {
  json f = GetJson(FlagsPath(class_a1_) + "?date=2026-09-30", "teacherA");
  ASSERT_TRUE(f.is_object());
  EXPECT_EQ(f["class_id"], class_a1_);
  EXPECT_EQ(f["date"], "2026-09-30");
  // Only a1 has mastery rows (recorded evidence); its last evidence was on 2026-09-10.
  ASSERT_EQ(f["students"].size(), 1u);
  EXPECT_EQ(f["students"][0]["student_id"], a1_);
  EXPECT_EQ(f["students"][0]["flags"][0]["kind"], "no_activity");
  EXPECT_EQ(f["students"][0]["flags"][0]["reason"],
            "no activity for 14 school days (last evidence on 2026-09-10)");
  std::string body;
  EXPECT_EQ(Code("GET", FlagsPath(class_b1_), "teacherA", &body), 404);
  EXPECT_EQ(Message(body), fmt::format("class {} does not exist", class_b1_));
  EXPECT_EQ(Code("GET", FlagsPath(class_a1_), "studentA1", &body), 403);
  EXPECT_EQ(Message(body), "only teachers, leaders and administrators see class flags");
  EXPECT_EQ(Code("GET", FlagsPath(class_a1_), "guardianA"), 403);
  EXPECT_EQ(Code("GET", FlagsPath(class_a1_), "leaderA"), 200);
  EXPECT_EQ(Code("GET", FlagsPath(class_a1_) + "?date=30-09-2026", "teacherA", &body), 400);
}

}  // namespace
}  // namespace pw::server
