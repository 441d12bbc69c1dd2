// Sign-in over real HTTP against a real PostgreSQL store (tests/unit/store/pg_server.h): the
// same district as auth_fixture.h, its accounts in PostgreSQL, served by the real ApiServer +
// RolePolicy through a StorePool of PostgreSQL connections. Skips where PostgreSQL is not
// installed.
#include "auth_fixture.h"
#include "server/auth.h"
#include "unit/store/pg_server.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

class PgAuthTest : public AuthServerTest {
 protected:
  // The district in a PostgreSQL database in place of the SQLite file, with a lower lockout
  // threshold so the throttle rows are exercised quickly.
  void SetUp() override {
    std::string url;
    PW_PG_DATABASE_OR_SKIP(url);
    auth_ = TestAuth();
    auth_.max_failures_per_login = 3;
    Start(url);
  }

  httplib::Result PostLogin(const std::string& login, const std::string& password) {
    httplib::Client c = Client();
    return c.Post("/api/v1/auth/login", json{{"login", login}, {"password", password}}.dump(),
                  "application/json");
  }
};

TEST_F(PgAuthTest, LoginRoleCheckedRequestsAndLogout) {
  auto login = PostLogin("TeacherA", kPassword);  // logins ignore case here too
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const json body = json::parse(login->body);
  const std::string token = body["token"];
  EXPECT_EQ(body["user"]["login"], "teacherA");
  EXPECT_EQ(body["user"]["role"], "teacher");
  EXPECT_EQ(body["user"]["person_id"], t_a_);
  // Only the hash is stored, in PostgreSQL.
  auto stored = store_->accounts()->FindSession(HashSecret(token));
  PW_ASSERT_OK(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_FALSE((*stored)->revoked);
  EXPECT_EQ((*stored)->expires, Timestamp{clock_.Now().millis + auth_.session_ttl_ms});

  httplib::Client c = Client();
  const httplib::Headers bearer = {{"Authorization", "Bearer " + token}};
  auto me = c.Get("/api/v1/auth/me", bearer);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(json::parse(me->body)["person"]["id"], t_a_);
  // The role and the class decide: their own student yes, another school's no, admin routes no.
  EXPECT_EQ(c.Get("/api/v1/students/" + std::to_string(a1_), bearer)->status, 200);
  EXPECT_EQ(c.Get("/api/v1/students/" + std::to_string(b1_), bearer)->status, 404);
  EXPECT_EQ(c.Get("/api/v1/audit", bearer)->status, 403);
  EXPECT_EQ(Code("GET", "/api/v1/audit", "admin"), 200);

  auto out = c.Post("/api/v1/auth/logout", bearer, "", "application/json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_EQ(c.Get("/api/v1/auth/me", bearer)->status, 401);
  EXPECT_EQ(c.Get("/api/v1/students/" + std::to_string(a1_), bearer)->status, 401);
  EXPECT_TRUE((*store_->accounts()->FindSession(HashSecret(token)))->revoked);
  EXPECT_EQ(Code("GET", "/api/v1/auth/me", "teacherA"), 200) << "the fixture's session lives on";

  // The student reads were audited, newest first, in PostgreSQL.
  json log = GetJson("/api/v1/audit?student_id=" + std::to_string(a1_), "admin");
  ASSERT_EQ(log["items"].size(), 2u) << log.dump();
  EXPECT_EQ(log["items"][0]["status"], 401);
  EXPECT_EQ(log["items"][1]["actor"], "teacherA");
  EXPECT_EQ(log["items"][1]["status"], 200);
}

TEST_F(PgAuthTest, WrongPasswordsLockTheLoginAndApiClientsUseBasicAuth) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PostLogin("leaderA", "wrong")->status, 401) << i;
  auto locked = PostLogin("leaderA", kPassword);
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  // The lock is a throttle row in PostgreSQL.
  EXPECT_EQ(store_->accounts()->GetThrottle("login:leadera")->locked_until,
            Timestamp{clock_.Now().millis + auth_.lockout_ms});
  clock_.Set(Timestamp{clock_.Now().millis + auth_.lockout_ms});
  EXPECT_EQ(PostLogin("leaderA", kPassword)->status, 200);

  json me = GetJson("/api/v1/auth/me", "client");
  EXPECT_EQ(me["client"], client_key_);
  EXPECT_EQ(Code("GET", "/api/v1/students", "client"), 403);
}

TEST_F(PgAuthTest, DeletingAStudentOverHttpRemovesTheirAccountAndSession) {
  const std::string path = "/api/v1/students/" + std::to_string(a1_);
  std::string body;
  ASSERT_EQ(Code("DELETE", path, "admin", &body), 200) << body;
  json out = json::parse(body);
  EXPECT_EQ(out["deleted"]["evidence"], 3);
  EXPECT_EQ(out["deleted"]["accounts"], 1);
  EXPECT_FALSE(store_->accounts()->FindUserByLogin("studentA1")->has_value());
  EXPECT_EQ(Code("GET", "/api/v1/auth/me", "studentA1"), 401);
  EXPECT_EQ(Code("GET", path, "admin"), 404);
}

}  // namespace
}  // namespace pw::server
