// Sign-in over real HTTP: login, cookies and CSRF, bearer tokens, logout, the 401 cases,
// lockout after 20 wrong passwords, API clients, and no secret in the logs.
#include "server/auth.h"
#include "server/auth_demo.h"

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "auth_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

TEST(AuthCryptoTest, PasswordHashIsArgon2idAndVerifiesOnlyTheRightPassword) {
  auto hash = HashPassword("a long password", PasswordCost::Minimum());
  PW_ASSERT_OK(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "a long password"));
  EXPECT_FALSE(VerifyPassword(*hash, "a long passwore"));
  EXPECT_FALSE(VerifyPassword("", "a long password"));
  EXPECT_FALSE(VerifyPassword("not a hash", "a long password"));
  auto again = HashPassword("a long password", PasswordCost::Minimum());
  EXPECT_NE(*hash, *again) << "salted";
}

TEST(AuthCryptoTest, TokensAreRandomAndSecretsCompareByValue) {
  const std::string a = RandomHex(32), b = RandomHex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(HashSecret(a).size(), 64u);
  EXPECT_NE(HashSecret(a), a);
  EXPECT_EQ(HashSecret(a), HashSecret(a));
  EXPECT_TRUE(SecretEquals(a, a));
  EXPECT_FALSE(SecretEquals(a, b));
  EXPECT_FALSE(SecretEquals(a, a.substr(1)));
  EXPECT_NE(CsrfTokenFor(a), CsrfTokenFor(b));
  EXPECT_NE(CsrfTokenFor(a), HashSecret(a));
}

class AuthTest : public AuthServerTest {
 protected:
  httplib::Result PostLogin(const std::string& login, const std::string& password,
                            const httplib::Headers& headers = {}) {
    httplib::Client c = Client();
    return c.Post("/api/v1/auth/login", headers,
                  json{{"login", login}, {"password", password}}.dump(), "application/json");
  }
  static std::string CookieFrom(const httplib::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers) {
      if (k == "Set-Cookie" && v.starts_with(name + "=")) {
        return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
      }
    }
    return "";
  }
  static std::string SetCookieLine(const httplib::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers) {
      if (k == "Set-Cookie" && v.starts_with(name + "=")) return v;
    }
    return "";
  }
};

TEST_F(AuthTest, LoginSetsAStrictHttpOnlyCookieAndReturnsABearerToken) {
  auto res = PostLogin("teacherA", kPassword);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  const std::string token = body["token"];
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(body["user"]["login"], "teacherA");
  EXPECT_EQ(body["user"]["role"], "teacher");
  EXPECT_EQ(body["user"]["person_id"], t_a_);
  EXPECT_EQ(body["expires"], FormatTimestamp(Timestamp{clock_.Now().millis + 12 * 3600 * 1000}));
  EXPECT_EQ(SetCookieLine(*res, "pw_session"),
            "pw_session=" + token + "; Path=/; Max-Age=43200; SameSite=Strict; HttpOnly");
  EXPECT_EQ(SetCookieLine(*res, "pw_csrf"),
            "pw_csrf=" + body["csrf_token"].get<std::string>() +
                "; Path=/; Max-Age=43200; SameSite=Strict");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  // Only the hash is stored.
  auto stored = store_->accounts()->FindSession(HashSecret(token));
  PW_ASSERT_OK(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_FALSE(store_->accounts()->FindSession(token)->has_value());

  // Bearer and cookie both work.
  EXPECT_EQ(Code("GET", "/api/v1/auth/me", ""), 401);
  httplib::Client c = Client();
  auto by_bearer = c.Get("/api/v1/auth/me", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(by_bearer);
  EXPECT_EQ(by_bearer->status, 200);
  EXPECT_EQ(json::parse(by_bearer->body)["login"], "teacherA");
  auto by_cookie = c.Get("/api/v1/auth/me", {{"Cookie", "other=1; pw_session=" + token}});
  ASSERT_TRUE(by_cookie);
  EXPECT_EQ(by_cookie->status, 200) << by_cookie->body;
  EXPECT_EQ(json::parse(by_cookie->body)["person"]["id"], t_a_);
}

TEST_F(AuthTest, SecureCookiesWhenConfigured) {
  AuthOptions secure = auth_;
  secure.secure_cookies = true;
  ServedStore tls;
  tls.Start(url_, clock_, secure);
  ASSERT_FALSE(HasFatalFailure());
  httplib::Client c("127.0.0.1", tls.port());
  auto res = c.Post("/api/v1/auth/login",
                    json{{"login", "teacherA"}, {"password", kPassword}}.dump(),
                    "application/json");
  tls.Stop();
  ASSERT_TRUE(res);
  EXPECT_TRUE(SetCookieLine(*res, "pw_session").ends_with("; HttpOnly; Secure"));
  EXPECT_TRUE(SetCookieLine(*res, "pw_csrf").ends_with("; SameSite=Strict; Secure"));
}

TEST_F(AuthTest, EachBadCredentialGets401) {
  const std::string student = "/api/v1/students/" + std::to_string(a1_);
  auto wrong = PostLogin("teacherA", "not the password");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(json::parse(wrong->body)["error"]["message"], "wrong login or password");
  auto unknown = PostLogin("nobody", kPassword);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(unknown->body, wrong->body) << "an unknown login looks like a wrong password";

  httplib::Client c = Client();
  auto status_with = [&](const httplib::Headers& h) {
    auto res = c.Get(student, h);
    return res ? res->status : -1;
  };
  // No credentials at all.
  EXPECT_EQ(status_with({}), 401);
  // A forged cookie and a forged bearer token (well-formed, never issued), and junk.
  EXPECT_EQ(status_with({{"Cookie", "pw_session=" + RandomHex(32)}}), 401);
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + RandomHex(32)}}), 401);
  EXPECT_EQ(status_with({{"Authorization", "Bearer x"}}), 401);
  EXPECT_EQ(status_with({{"Authorization", "Digest abc"}}), 401);
  EXPECT_EQ(status_with({{"Authorization", "Basic " + Base64(client_key_ + ":wrong")}}), 401);
  EXPECT_EQ(status_with({{"Authorization", "Basic !!!"}}), 401);

  // An expired token.
  const std::string token = tokens_.at("studentA1");
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + token}}), 200);
  clock_.Set(Timestamp{clock_.Now().millis + auth_.session_ttl_ms});
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + token}}), 401);
  clock_.Set(Timestamp{clock_.Now().millis - auth_.session_ttl_ms});

  // A revoked token.
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + token}}), 200);
  PW_ASSERT_OK(store_->accounts()->RevokeSession(HashSecret(token)));
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + token}}), 401);

  // A token of a deleted user.
  const std::string guardian = tokens_.at("guardianA");
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + guardian}}), 200);
  auto user = store_->accounts()->FindUserByLogin("guardianA");
  PW_ASSERT_OK(store_->accounts()->DeleteUser((*user)->id));
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + guardian}}), 401);

  // A token of a revoked (disabled) user.
  const std::string teacher = tokens_.at("teacherA");
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + teacher}}), 200);
  EXPECT_EQ(*RevokeUser(*store_, "teacherA"), 1);
  EXPECT_EQ(status_with({{"Authorization", "Bearer " + teacher}}), 401);
  auto disabled = PostLogin("teacherA", kPassword);
  EXPECT_EQ(disabled->status, 401) << "a revoked login cannot sign in again";

  // Stale credentials do not block the public routes (health, login).
  auto health = c.Get("/api/v1/health", {{"Cookie", "pw_session=" + RandomHex(32)}});
  EXPECT_EQ(health->status, 200);
  auto relogin = PostLogin("leaderA", kPassword, {{"Cookie", "pw_session=" + teacher}});
  EXPECT_EQ(relogin->status, 200);
}

TEST_F(AuthTest, TwentyWrongPasswordsInARowLockTheAccountForAWhile) {
  for (int i = 0; i < 19; ++i) {
    auto res = PostLogin("leaderA", "wrong password " + std::to_string(i));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 401) << i;
  }
  // A success in between resets the count ("in a row").
  EXPECT_EQ(PostLogin("leaderA", kPassword)->status, 200);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(PostLogin("leaderA", "wrong")->status, 401) << i;
  // Locked: even the right password is refused, with 429 and Retry-After.
  auto locked = PostLogin("leaderA", kPassword);
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  EXPECT_EQ(locked->get_header_value("Retry-After"), "60");
  EXPECT_EQ(json::parse(locked->body)["error"]["message"],
            "too many failed sign-ins; try again after " +
                FormatTimestamp(Timestamp{clock_.Now().millis + 60'000}));
  // Other accounts are not affected.
  EXPECT_EQ(PostLogin("leaderD", kPassword)->status, 200);
  // Still locked just before the window ends; open after it.
  clock_.Set(Timestamp{clock_.Now().millis + 59'999});
  EXPECT_EQ(PostLogin("leaderA", kPassword)->status, 429);
  clock_.Set(Timestamp{clock_.Now().millis + 1});
  EXPECT_EQ(PostLogin("leaderA", kPassword)->status, 200);
  // The lock attempts are audited under the login tried.
  auto entries = store_->accounts()->ListAudit({.actor = std::string("leaderA")}, kNoId, 1000);
  PW_ASSERT_OK(entries);
  int locked_entries = 0;
  for (const AuditEntry& e : *entries) locked_entries += e.status == 429;
  EXPECT_EQ(locked_entries, 2);
}

TEST_F(AuthTest, TooManyFailuresFromOneAddressLockThatAddress) {
  auth_.max_failures_per_address = 3;
  Result<LoginResult> r = UnauthenticatedError("");
  for (const char* login : {"admin", "leaderA", "teacherB"}) {
    r = Login(*store_, login, "wrong", "10.0.0.9", auth_, clock_);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
  r = Login(*store_, "leaderD", kPassword, "10.0.0.9", auth_, clock_);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  r = Login(*store_, "leaderD", kPassword, "10.0.0.10", auth_, clock_);
  PW_EXPECT_OK(r);
}

TEST_F(AuthTest, CookieWritesNeedTheCsrfToken) {
  auto login = PostLogin("teacherB", kPassword);
  ASSERT_EQ(login->status, 200);
  const json body = json::parse(login->body);
  const std::string token = body["token"], csrf = body["csrf_token"];
  EXPECT_EQ(CookieFrom(*login, "pw_csrf"), csrf);
  httplib::Client c = Client();
  const httplib::Headers cookie = {{"Cookie", "pw_session=" + token}};
  auto no_header = c.Post("/api/v1/auth/logout", cookie, "", "application/json");
  EXPECT_EQ(no_header->status, 403);
  EXPECT_EQ(json::parse(no_header->body)["error"]["message"],
            "missing or wrong X-CSRF-Token header (required for changes when signed in with a "
            "cookie)");
  auto wrong = c.Post("/api/v1/auth/logout",
                      {{"Cookie", "pw_session=" + token}, {"X-CSRF-Token", CsrfTokenFor(RandomHex(32))}},
                      "", "application/json");
  EXPECT_EQ(wrong->status, 403);
  // Still signed in: nothing happened.
  EXPECT_EQ(c.Get("/api/v1/auth/me", cookie)->status, 200);
  // Bearer callers are not subject to CSRF (browsers never attach that header by themselves).
  auto ok = c.Post("/api/v1/auth/logout",
                   {{"Cookie", "pw_session=" + token}, {"X-CSRF-Token", csrf}}, "",
                   "application/json");
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(SetCookieLine(*ok, "pw_session"), "pw_session=; Path=/; Max-Age=0; SameSite=Strict; HttpOnly");
  EXPECT_EQ(c.Get("/api/v1/auth/me", cookie)->status, 401);
}

TEST_F(AuthTest, LogoutEndsTheSessionAndLogoutAllEndsEverySession) {
  auto second = PostLogin("admin", kPassword);
  ASSERT_EQ(second->status, 200);
  const std::string token2 = json::parse(second->body)["token"];
  httplib::Client c = Client();
  auto bearer = [](const std::string& t) {
    return httplib::Headers{{"Authorization", "Bearer " + t}};
  };
  auto out = c.Post("/api/v1/auth/logout", bearer(token2), "", "application/json");
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(c.Get("/api/v1/auth/me", bearer(token2))->status, 401);
  EXPECT_EQ(c.Get("/api/v1/auth/me", As("admin"))->status, 200) << "other sessions live on";

  auto third = PostLogin("admin", kPassword);
  const std::string token3 = json::parse(third->body)["token"];
  auto all = c.Post("/api/v1/auth/logout-all", bearer(token3), "", "application/json");
  ASSERT_EQ(all->status, 200);
  EXPECT_EQ(json::parse(all->body)["revoked"], 2);
  EXPECT_EQ(c.Get("/api/v1/auth/me", bearer(token3))->status, 401);
  EXPECT_EQ(c.Get("/api/v1/auth/me", As("admin"))->status, 401);
}

TEST_F(AuthTest, ApiClientsUseBasicAuthAndOnlyTheirScope) {
  json me = GetJson("/api/v1/auth/me", "client");
  EXPECT_EQ(me["client"], client_key_);
  EXPECT_EQ(me["scope"], "xapi");
  EXPECT_TRUE(client_key_.starts_with("pwk_"));
  EXPECT_EQ(client_secret_.size(), 64u);
  EXPECT_EQ(Code("GET", "/api/v1/students", "client"), 403);
  auto stored = store_->accounts()->FindClientByKey(client_key_);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->secret_hash, HashSecret(client_secret_));
}

TEST_F(AuthTest, NoPasswordOrTokenEverReachesTheLog) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  const std::string password = "an unusual password 7781";
  auto created = CreateUser(*store_, {"logtest", Role::kAdministrator, kNoId}, password, auth_,
                            clock_);
  PW_ASSERT_OK(created);
  auto login = PostLogin("logtest", password);
  auto wrong = PostLogin("logtest", password + "x");
  const std::string token = json::parse(login->body)["token"];
  httplib::Client c = Client();
  c.Get("/api/v1/students/" + std::to_string(a1_) + "?token=" + token,
        {{"Authorization", "Bearer " + token}});
  c.Get("/api/v1/nowhere", {{"Authorization", "Bearer " + token}});
  c.Post("/api/v1/auth/logout", {{"Authorization", "Bearer " + token}}, "", "application/json");
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_NE(log.find("/api/v1/auth/login"), std::string::npos) << "requests were logged:\n" << log;
  EXPECT_EQ(log.find(password), std::string::npos) << log;
  EXPECT_EQ(log.find(token), std::string::npos) << log;
  EXPECT_EQ(log.find(CsrfTokenFor(token)), std::string::npos) << log;
  // Nor the audit log.
  auto entries = store_->accounts()->ListAudit({}, kNoId, 1000);
  for (const AuditEntry& e : *entries) {
    EXPECT_EQ(e.target.find(token), std::string::npos);
    EXPECT_EQ(e.actor.find(password), std::string::npos);
  }
}

TEST_F(AuthTest, CreateUserChecksItsInput) {
  auto bad = [&](NewUser u, const std::string& password) {
    return CreateUser(*store_, u, password, auth_, clock_).status();
  };
  EXPECT_EQ(bad({"x y", Role::kAdministrator}, kPassword),
            InvalidArgumentError("--login \"x y\": only letters, digits and . _ @ - are allowed"));
  EXPECT_EQ(bad({"short", Role::kAdministrator}, "123"),
            InvalidArgumentError("password: must be at least 10 characters, got 3"));
  EXPECT_EQ(bad({"t2", Role::kTeacher}, kPassword),
            InvalidArgumentError("--person: a teacher account must name the person it belongs to"));
  EXPECT_EQ(bad({"s2", Role::kStudent, t_a_}, kPassword),
            InvalidArgumentError("--person " + std::to_string(t_a_) +
                                 ": a student account needs a student, not a teacher"));
  EXPECT_EQ(bad({"s3", Role::kStudent, 424242}, kPassword),
            InvalidArgumentError("--person 424242: no such person"));
  EXPECT_EQ(bad({"ADMIN", Role::kAdministrator}, kPassword),
            AlreadyExistsError("user \"ADMIN\" already exists"));
}

TEST_F(AuthTest, LoginUpgradesAWeakHash) {
  AuthOptions stronger = auth_;
  stronger.password_cost.ops = auth_.password_cost.ops + 1;
  auto before = store_->accounts()->FindUserByLogin("teacherB");
  PW_ASSERT_OK(Login(*store_, "teacherB", kPassword, "127.0.0.1", stronger, clock_));
  auto after = store_->accounts()->FindUserByLogin("teacherB");
  EXPECT_NE((*before)->password_hash, (*after)->password_hash);
  EXPECT_TRUE(VerifyPassword((*after)->password_hash, kPassword));
}

TEST_F(AuthTest, DemoLoginsGiveOneWorkingSignInPerRole) {
  auto logins = CreateDemoLogins(*store_, school_a_, auth_, clock_);
  PW_ASSERT_OK(logins);
  ASSERT_EQ(logins->size(), 6u);
  std::map<std::string, DemoLogin> by_role;
  for (const DemoLogin& l : *logins) by_role[std::string(RoleName(l.role))] = l;
  EXPECT_EQ(by_role.at("teacher").person_id, t_a_);
  EXPECT_EQ(by_role.at("student").person_id, a1_);
  EXPECT_EQ(by_role.at("guardian").person_id, g_a_);
  EXPECT_EQ(by_role.at("leader").person_id, l_a_);
  EXPECT_EQ(by_role.at("administrator").person_id, kNoId);
  EXPECT_EQ(by_role.at("researcher").login, "demo-researcher");
  for (const DemoLogin& l : *logins) {
    EXPECT_EQ(l.password.size(), 20u);
    auto r = Login(*store_, l.login, l.password, "127.0.0.1", auth_, clock_);
    PW_EXPECT_OK(r);
    if (r.ok()) {
      EXPECT_EQ(r->user.role, l.role);
    }
  }
  // The demo teacher sees exactly their class's students.
  auto teacher = Login(*store_, "demo-teacher", by_role.at("teacher").password, "127.0.0.1",
                       auth_, clock_);
  tokens_["demo-teacher"] = teacher->token;
  EXPECT_EQ(AllPages("/api/v1/students", "demo-teacher", 10), (std::set<Id>{a1_, a2_}));
  // A second run issues new passwords; the old ones and their sessions stop working.
  auto again = CreateDemoLogins(*store_, school_a_, auth_, clock_);
  PW_ASSERT_OK(again);
  EXPECT_EQ(Code("GET", "/api/v1/auth/me", "demo-teacher"), 401);
  EXPECT_EQ(Login(*store_, "demo-teacher", by_role.at("teacher").password, "127.0.0.1", auth_,
                  clock_)
                .status(),
            UnauthenticatedError("wrong login or password"));
  EXPECT_EQ(store_->accounts()->ListUsers()->size(), 8u + 6u);
  EXPECT_EQ(CreateDemoLogins(*store_, 424242, auth_, clock_).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace pw::server
