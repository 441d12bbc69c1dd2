// A small two-school district in a real SQLite file, one account of each role, served by the
// real ApiServer + RolePolicy on a free loopback port. Shared by the auth, policy and privacy
// tests.
//
//   district D
//   ├── school A: class A1 (teacher tA; students a1, a2), class A2 (teacher tA2; student a3)
//   │            guardian gA of a1; leader lA
//   └── school B: class B1 (teacher tB; students b1, b2); guardian gB of b1
//   leader lD of the district
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/api.h"
#include "server/auth.h"
#include "server/policy.h"
#include "server/serve.h"
#include "store/store.h"
#include "testing/test_util.h"
#include "unit/server/served.h"

namespace pw::server {

class AuthServerTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;
  static constexpr const char* kPassword = "correct horse battery";

  static AuthOptions TestAuth() {
    AuthOptions auth;
    auth.password_cost = PasswordCost::Minimum();
    auth.max_failures_per_login = 20;
    auth.max_failures_per_address = 1000;
    auth.lockout_ms = 60'000;
    return auth;
  }

  void SetUp() override {
    auth_ = TestAuth();
    Start("sqlite:" + dir_.File("school.db"));
  }

  // Builds the district in the store at `url` and serves it (auth_ as set by the caller).
  void Start(const std::string& url) {
    url_ = url;
    auto opened = OpenStore(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
    ASSERT_NE(store_->accounts(), nullptr) << url_ << ": this backend has no AccountStore";
    BuildSchool();
    served_.Start(url_, clock_, auth_);
  }

  void TearDown() override { served_.Stop(); }

  Id Org_(const std::string& sid, OrgType type, Id parent) {
    Org o{0, sid, "Org " + sid, type, parent};
    EXPECT_TRUE(store_->PutOrg(o).ok());
    return o.id;
  }
  Id Person_(const std::string& sid, Role role, Id org) {
    Person p;
    p.source_id = sid;
    p.given_name = sid;
    p.family_name = "Test";
    p.role = role;
    p.org_id = org;
    if (role == Role::kStudent) p.grade = "6";
    EXPECT_TRUE(store_->PutPerson(p).ok());
    return p.id;
  }
  Id Class_(const std::string& sid, Id school, Id teacher, std::vector<Id> students) {
    ClassSection c;
    c.source_id = sid;
    c.title = "Class " + sid;
    c.school_id = school;
    EXPECT_TRUE(store_->PutClass(c).ok());
    Enrollment t{0, "", c.id, teacher, EnrollmentRole::kTeacher, true, std::nullopt, std::nullopt};
    EXPECT_TRUE(store_->PutEnrollment(t).ok());
    for (Id s : students) {
      Enrollment e{0, "", c.id, s, EnrollmentRole::kStudent, false, std::nullopt, std::nullopt};
      EXPECT_TRUE(store_->PutEnrollment(e).ok());
    }
    return c.id;
  }
  void Login_(const std::string& login, Role role, Id person) {
    auto user = CreateUser(*store_, {login, role, person}, kPassword, auth_, clock_);
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    auto session = Login(*store_, login, kPassword, "127.0.0.1", auth_, clock_);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    tokens_[login] = session->token;
  }

  void BuildSchool() {
    district_ = Org_("D", OrgType::kDistrict, kNoId);
    school_a_ = Org_("A", OrgType::kSchool, district_);
    school_b_ = Org_("B", OrgType::kSchool, district_);
    t_a_ = Person_("tA", Role::kTeacher, school_a_);
    t_a2_ = Person_("tA2", Role::kTeacher, school_a_);
    t_b_ = Person_("tB", Role::kTeacher, school_b_);
    a1_ = Person_("a1", Role::kStudent, school_a_);
    a2_ = Person_("a2", Role::kStudent, school_a_);
    a3_ = Person_("a3", Role::kStudent, school_a_);
    b1_ = Person_("b1", Role::kStudent, school_b_);
    b2_ = Person_("b2", Role::kStudent, school_b_);
    g_a_ = Person_("gA", Role::kGuardian, school_a_);
    g_b_ = Person_("gB", Role::kGuardian, school_b_);
    l_a_ = Person_("lA", Role::kLeader, school_a_);
    l_d_ = Person_("lD", Role::kLeader, district_);
    class_a1_ = Class_("A1", school_a_, t_a_, {a1_, a2_});
    class_a2_ = Class_("A2", school_a_, t_a2_, {a3_});
    class_b1_ = Class_("B1", school_b_, t_b_, {b1_, b2_});
    PW_ASSERT_OK(store_->PutGuardianLink({g_a_, a1_, "parent"}));
    PW_ASSERT_OK(store_->PutGuardianLink({g_b_, b1_, "parent"}));
    Framework fw{0, "fw", "Math", "math", "test"};
    PW_ASSERT_OK(store_->PutFramework(fw));
    Competency c;
    c.framework_id = fw.id;
    c.code = "6.EE.1";
    c.statement = "Write expressions";
    PW_ASSERT_OK(store_->PutCompetency(c));
    framework_ = fw.id;
    competency_ = c.id;
    std::vector<EvidenceEvent> events;
    for (Id s : {a1_, a2_, a3_, b1_, b2_}) {
      for (int i = 0; i < 3; ++i) {
        EvidenceEvent e;
        e.student_id = s;
        e.competency_id = c.id;
        e.time = Timestamp{1'780'000'000'000 + i * 1000};
        e.kind = i % 2 ? OutcomeKind::kIncorrect : OutcomeKind::kCorrect;
        e.score = i % 2 ? 0.0 : 1.0;
        e.source_system = "test";
        events.push_back(e);
      }
    }
    PW_ASSERT_OK(store_->AppendEvidence(events));

    Login_("admin", Role::kAdministrator, kNoId);
    Login_("researcher", Role::kResearcher, kNoId);
    Login_("leaderA", Role::kLeader, l_a_);
    Login_("leaderD", Role::kLeader, l_d_);
    Login_("teacherA", Role::kTeacher, t_a_);
    Login_("teacherB", Role::kTeacher, t_b_);
    Login_("studentA1", Role::kStudent, a1_);
    Login_("guardianA", Role::kGuardian, g_a_);
    auto client = CreateClient(*store_, "Math app", "xapi", clock_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_key_ = client->record.key;
    client_secret_ = client->secret;
  }

  static std::string Base64(const std::string& s) {
    std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                      s.size(), sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();  // the terminating NUL
    return out;
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", served_.port());
    c.set_read_timeout(10, 0);
    return c;
  }

  // Headers for a caller: a login name (bearer token), "client" (Basic), or "" (anonymous).
  httplib::Headers As(const std::string& who) {
    if (who.empty()) return {};
    if (who == "client") {
      return {{"Authorization",
               "Basic " + Base64(client_key_ + ":" + client_secret_)}};
    }
    return {{"Authorization", "Bearer " + tokens_.at(who)}};
  }

  int Code(const std::string& method, const std::string& path, const std::string& who,
             std::string* body = nullptr) {
    httplib::Client c = Client();
    httplib::Result res = method == "GET"      ? c.Get(path, As(who))
                          : method == "DELETE" ? c.Delete(path, As(who))
                                               : c.Post(path, As(who), "{}", "application/json");
    EXPECT_TRUE(res) << method << " " << path;
    if (!res) return -1;
    if (body) *body = res->body;
    return res->status;
  }

  json GetJson(const std::string& path, const std::string& who, int expect = 200) {
    std::string body;
    EXPECT_EQ(Code("GET", path, who, &body), expect) << path << " as " << who << ": " << body;
    return json::parse(body, nullptr, false);
  }

  // Every student id of a paged list, following next_after; fails on a repeated id.
  std::set<Id> AllPages(std::string path, const std::string& who, int limit) {
    std::set<Id> seen;
    const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
    std::string next = path + sep + "limit=" + std::to_string(limit);
    for (int guard = 0; guard < 100; ++guard) {
      json page = GetJson(next, who);
      if (!page.is_object()) break;
      EXPECT_LE(page["items"].size(), static_cast<std::size_t>(limit));
      for (const json& s : page["items"]) {
        EXPECT_TRUE(seen.insert(s["id"].get<Id>()).second) << "repeated in " << path;
      }
      if (page["next_after"].is_null()) break;
      next = path + sep + "limit=" + std::to_string(limit) +
             "&after=" + std::to_string(page["next_after"].get<Id>());
    }
    return seen;
  }

  testing::TempDir dir_;
  std::string url_;
  AuthOptions auth_;
  FixedClock clock_{Timestamp{1'790'000'000'000}};
  std::unique_ptr<Store> store_;
  ServedStore served_;
  std::map<std::string, std::string> tokens_;
  std::string client_key_, client_secret_;
  Id district_ = 0, school_a_ = 0, school_b_ = 0;
  Id t_a_ = 0, t_a2_ = 0, t_b_ = 0, a1_ = 0, a2_ = 0, a3_ = 0, b1_ = 0, b2_ = 0;
  Id g_a_ = 0, g_b_ = 0, l_a_ = 0, l_d_ = 0;
  Id class_a1_ = 0, class_a2_ = 0, class_b1_ = 0;
  Id framework_ = 0, competency_ = 0;
};

}  // namespace pw::server
