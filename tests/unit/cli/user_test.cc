// `pathwise user`, `client`, `audit` and `privacy` end to end through RunCli on a real file.
#include <nlohmann/json.hpp>

#include "server/auth.h"
#include "store/accounts.h"
#include "store/store.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::testing {
namespace {

using json = nlohmann::json;

class UserCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + dir_.File("school.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    PW_ASSERT_OK(store_->Migrate());
    Org school{0, "s", "School", OrgType::kSchool, kNoId};
    PW_ASSERT_OK(store_->PutOrg(school));
    Person kid;
    kid.given_name = "Kid";
    kid.role = Role::kStudent;
    kid.org_id = school.id;
    PW_ASSERT_OK(store_->PutPerson(kid));
    student_ = kid.id;
  }
  TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
  Id student_ = kNoId;
};

TEST_F(UserCommandTest, CreateReadsThePasswordFromStdinAndHashesIt) {
  CliResult r = RunPathwise({"user", "create", "--login", "kid", "--role", "student", "--person",
                             std::to_string(student_), "--password-stdin", "--db", url_},
                            "a very long secret\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "created user kid (student, person " + std::to_string(student_) + ")\n");
  auto user = store_->accounts()->FindUserByLogin("kid");
  ASSERT_TRUE(user->has_value());
  EXPECT_TRUE((*user)->password_hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"))
      << "production cost: INTERACTIVE";
  EXPECT_TRUE(server::VerifyPassword((*user)->password_hash, "a very long secret"));

  r = RunPathwise({"user", "create", "--login", "root", "--role", "administrator", "--db", url_,
                   "--json", "--password-stdin"},
                  "another long secret\r\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["role"], "administrator");
  EXPECT_TRUE(json::parse(r.out)["person_id"].is_null());

  r = RunPathwise({"user", "list", "--db", url_});
  EXPECT_EQ(r.out, "kid\tstudent\t" + std::to_string(student_) + "\nroot\tadministrator\t-\n");
}

TEST_F(UserCommandTest, CreateErrorsAreOneLineWithExitTwo) {
  CliResult r = RunPathwise(
      {"user", "create", "--login", "x", "--role", "administrator", "--db", url_}, "pw\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: --password-stdin is required: the password is read from standard input, "
            "never from the command line\n");
  r = RunPathwise({"user", "create", "--login", "x", "--role", "wizard", "--password-stdin",
                   "--db", url_},
                  "a very long secret\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: --role: unknown role \"wizard\" (expected one of: student, teacher, "
            "guardian, administrator, leader, researcher)\n");
  r = RunPathwise({"user", "create", "--login", "x", "--role", "teacher", "--password-stdin",
                   "--db", url_},
                  "a very long secret\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --person: a teacher account must name the person it belongs to\n");
  r = RunPathwise({"user", "create", "--login", "x", "--role", "administrator",
                   "--password-stdin", "--db", url_},
                  "short\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: password: must be at least 10 characters, got 5\n");
  EXPECT_TRUE(store_->accounts()->ListUsers()->empty()) << "nothing written on failure";
}

TEST_F(UserCommandTest, RevokeDisablesAndEndsSessions) {
  server::AuthOptions auth;
  auth.password_cost = server::PasswordCost::Minimum();
  SystemClock clock;
  PW_ASSERT_OK(server::CreateUser(*store_, {"ada", Role::kAdministrator}, "a very long secret",
                                  auth, clock));
  PW_ASSERT_OK(server::Login(*store_, "ada", "a very long secret", "::1", auth, clock));
  PW_ASSERT_OK(server::Login(*store_, "ada", "a very long secret", "::1", auth, clock));
  CliResult r = RunPathwise({"user", "revoke", "ada", "--db", url_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "revoked user ada: login disabled, 2 sessions ended\n");
  EXPECT_EQ(server::Login(*store_, "ada", "a very long secret", "::1", auth, clock).status(),
            UnauthenticatedError("wrong login or password"));
  r = RunPathwise({"user", "revoke", "nobody", "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: user \"nobody\" not found\n");
}

TEST_F(UserCommandTest, ClientCreatePrintsKeyAndSecretOnce) {
  CliResult r = RunPathwise(
      {"client", "create", "--name", "Math app", "--scope", "xapi", "--db", url_, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json out = json::parse(r.out);
  const std::string key = out["key"], secret = out["secret"];
  EXPECT_TRUE(key.starts_with("pwk_"));
  EXPECT_EQ(secret.size(), 64u);
  auto stored = store_->accounts()->FindClientByKey(key);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->secret_hash, server::HashSecret(secret));
  auto principal = server::PrincipalForClient(*store_, key, secret);
  PW_ASSERT_OK(principal);
  EXPECT_EQ(principal->client_scope, "xapi");
  r = RunPathwise({"client", "create", "--name", "x", "--scope", "admin", "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --scope \"admin\": expected xapi\n");
}

TEST_F(UserCommandTest, PrivacyExportDeleteAndTheAuditTrail) {
  CliResult r = RunPathwise({"privacy", "export", "--student", std::to_string(student_), "--db",
                             url_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["student"]["given_name"], "Kid");
  r = RunPathwise({"privacy", "delete", "--student", std::to_string(student_), "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --yes is required: deleting student " + std::to_string(student_) +
                       " removes every record about them for good\n");
  r = RunPathwise({"privacy", "delete", "--student", std::to_string(student_), "--yes", "--json",
                   "--db", url_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["deleted_student"], student_);
  r = RunPathwise({"privacy", "delete", "--student", std::to_string(student_), "--yes", "--db",
                   url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: student " + std::to_string(student_) + " not found\n");

  r = RunPathwise({"audit", "--student", std::to_string(student_), "--json", "--db", url_});
  ASSERT_EQ(r.code, 0) << r.err;
  json log = json::parse(r.out);
  ASSERT_EQ(log.size(), 2u) << r.out;
  EXPECT_EQ(log[0]["action"], "privacy delete");
  EXPECT_EQ(log[1]["action"], "privacy export");
  EXPECT_TRUE(log[0]["actor"].get<std::string>().starts_with("cli:"));
  r = RunPathwise({"audit", "--since", "yesterday", "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.substr(0, 18), "pathwise: --since:") << r.err;
  r = RunPathwise({"audit", "--user", "nobody", "--db", url_});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");

  r = RunPathwise({"privacy", "research-export", "--db", url_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["min_cell"], 10);
}

}  // namespace
}  // namespace pw::testing
