// Issue 5's Done-when on the demo's own data: the demo school is seeded, its printed sign-ins
// (one per role) log in over real HTTP, and every page of every list endpoint holds exactly the
// rows that role may see — computed independently from the store's enrollments and guardian
// links — and another student's record answers 404.
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "ingest/framework_json.h"
#include "server/auth_demo.h"
#include "server/demo_seed.h"
#include "server/policy.h"
#include "server/serve.h"
#include "testing/test_util.h"
#include "unit/server/served.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

class DemoScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + dir_.File("demo.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto framework =
        ReadFrameworkFile((testing::SourceDir() / "data/frameworks/ccss-math-5-7.json").string());
    ASSERT_TRUE(framework.ok());
    DemoOptions demo;
    demo.students = 40;
    demo.classes = 4;
    demo.weeks = 1;
    ASSERT_TRUE(SeedDemo(*store_, *framework, demo).ok());
    Id school = kNoId;
    auto orgs = store_->ListOrgs();
    ASSERT_TRUE(orgs.ok());
    for (const Org& o : *orgs) {
      if (o.type == OrgType::kSchool) school = o.id;
    }
    auth_.password_cost = PasswordCost::Minimum();
    auto logins = CreateDemoLogins(*store_, school, auth_, clock_);
    ASSERT_TRUE(logins.ok()) << logins.status().ToString();
    logins_ = *logins;

    served_.Start(url_, clock_, auth_);
    ASSERT_FALSE(HasFatalFailure());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", served_.port());
  }
  void TearDown() override { served_.Stop(); }

  std::string TokenFor(Role role, Id* person) {
    for (const DemoLogin& l : logins_) {
      if (l.role != role) continue;
      *person = l.person_id;
      json body = {{"login", l.login}, {"password", l.password}};
      auto res = client_->Post("/api/v1/auth/login", body.dump(), "application/json");
      EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no response");
      return res ? json::parse(res->body)["token"].get<std::string>() : "";
    }
    ADD_FAILURE() << "no demo login for " << RoleName(role);
    return "";
  }

  // Every student id over all pages of `path` (page size 3, to cross many page boundaries);
  // -1 in the set when the endpoint refuses.
  std::set<Id> AllPages(const std::string& token, const std::string& path) {
    std::set<Id> ids;
    std::string after;
    httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    for (int guard = 0; guard < 1000; ++guard) {
      std::string url = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=3" + after;
      auto res = client_->Get(url.c_str(), headers);
      if (!res || res->status != 200) return {-1};
      json page = json::parse(res->body);
      for (const json& s : page["items"]) {
        EXPECT_TRUE(ids.insert(s["id"].get<Id>()).second) << "repeated across pages: " << url;
      }
      if (page["next_after"].is_null()) break;
      after = "&after=" + std::to_string(page["next_after"].get<Id>());
    }
    return ids;
  }

  int Status(const std::string& token, const std::string& path) {
    auto res = client_->Get(path.c_str(), {{"Authorization", "Bearer " + token}});
    return res ? res->status : 0;
  }

  std::set<Id> AllStudents() {
    std::set<Id> ids;
    PersonFilter f;
    f.role = Role::kStudent;
    auto people = store_->ListPeople(f, {kNoId, 10000});
    if (people.ok()) {
      for (const Person& p : people->items) ids.insert(p.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::string url_;
  FixedClock clock_{Timestamp{1'790'000'000'000}};
  AuthOptions auth_;
  std::unique_ptr<Store> store_;
  std::vector<DemoLogin> logins_;
  ServedStore served_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DemoScopeTest, EachRoleSeesExactlyItsStudents) {
  const std::set<Id> everyone = AllStudents();
  ASSERT_EQ(everyone.size(), 40u);
  Id person = kNoId;

  std::string admin = TokenFor(Role::kAdministrator, &person);
  EXPECT_EQ(AllPages(admin, "/api/v1/students"), everyone);

  std::string leader = TokenFor(Role::kLeader, &person);
  EXPECT_EQ(AllPages(leader, "/api/v1/students"), everyone) << "one school: the leader's whole org";

  Id teacher_id = kNoId;
  std::string teacher = TokenFor(Role::kTeacher, &teacher_id);
  std::set<Id> taught, teacher_classes;
  auto mine = store_->ListEnrollments(std::nullopt, teacher_id);
  ASSERT_TRUE(mine.ok());
  for (const Enrollment& e : *mine) {
    if (e.role == EnrollmentRole::kTeacher) teacher_classes.insert(e.class_id);
  }
  ASSERT_FALSE(teacher_classes.empty());
  for (Id c : teacher_classes) {
    auto roster = store_->ListEnrollments(c, std::nullopt);
    ASSERT_TRUE(roster.ok());
    for (const Enrollment& e : *roster) {
      if (e.role == EnrollmentRole::kStudent) taught.insert(e.person_id);
    }
  }
  ASSERT_FALSE(taught.empty());
  ASSERT_LT(taught.size(), everyone.size());
  EXPECT_EQ(AllPages(teacher, "/api/v1/students"), taught);
  for (Id s : everyone) {
    EXPECT_EQ(Status(teacher, "/api/v1/students/" + std::to_string(s)), taught.count(s) ? 200 : 404)
        << "student " << s;
  }
  auto classes = store_->ListClasses({});
  ASSERT_TRUE(classes.ok());
  for (const ClassSection& c : *classes) {
    const std::string path = "/api/v1/classes/" + std::to_string(c.id) + "/students";
    if (teacher_classes.count(c.id)) {
      EXPECT_NE(AllPages(teacher, path), std::set<Id>{-1});
    } else {
      EXPECT_EQ(Status(teacher, path), 404) << path;
    }
  }

  Id student_id = kNoId;
  std::string student = TokenFor(Role::kStudent, &student_id);
  EXPECT_EQ(AllPages(student, "/api/v1/students"), (std::set<Id>{student_id}));
  for (Id s : everyone) {
    EXPECT_EQ(Status(student, "/api/v1/students/" + std::to_string(s) + "/evidence"),
              s == student_id ? 200 : 404);
  }

  Id guardian_id = kNoId;
  std::string guardian = TokenFor(Role::kGuardian, &guardian_id);
  std::set<Id> children;
  auto links = store_->ListGuardianLinks(std::nullopt, guardian_id);
  ASSERT_TRUE(links.ok());
  for (const GuardianLink& g : *links) {
    children.insert(g.student_id);
  }
  ASSERT_FALSE(children.empty());
  EXPECT_EQ(AllPages(guardian, "/api/v1/students"), children);
  for (Id s : everyone) {
    EXPECT_EQ(Status(guardian, "/api/v1/students/" + std::to_string(s)), children.count(s) ? 200 : 404);
  }

  std::string researcher = TokenFor(Role::kResearcher, &person);
  EXPECT_EQ(Status(researcher, "/api/v1/students"), 403);
  EXPECT_EQ(Status(researcher, "/api/v1/students/" + std::to_string(*everyone.begin())), 403);
}

}  // namespace
}  // namespace pw::server
