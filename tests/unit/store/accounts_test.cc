// The AccountStore of both backends (SQLite and a real PostgreSQL server): users, sessions,
// clients, throttles, the audit log and deleting a student with everything linked.
#include "store/accounts.h"

#include "fixture.h"

namespace pw::testing {
namespace {

class AccountsTest : public StoreTest {
 protected:
  AccountStore& accounts() { return *store_->accounts(); }
  UserAccount User(const std::string& login, Role role, Id person = kNoId) {
    UserAccount u;
    u.login = login;
    u.role = role;
    u.person_id = person;
    u.password_hash = "$argon2id$fake";
    u.created = Timestamp{1000};
    return u;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(AccountsTest, UsersAreUniqueByLoginIgnoringCase) {
  SeedSchool(2);
  UserAccount ada = User("Ada", Role::kTeacher, teacher_);
  PW_ASSERT_OK(accounts().CreateUser(ada));
  EXPECT_GT(ada.id, 0);
  UserAccount dup = User("ada", Role::kAdministrator);
  EXPECT_EQ(accounts().CreateUser(dup), AlreadyExistsError("user \"ada\" already exists"));
  auto found = accounts().FindUserByLogin("ADA");
  PW_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, ada.id);
  EXPECT_EQ((*found)->role, Role::kTeacher);
  EXPECT_EQ((*found)->person_id, teacher_);
  EXPECT_EQ((*found)->created, Timestamp{1000});
  UserAccount ghost = User("ghost", Role::kGuardian, 9999);
  EXPECT_EQ(accounts().CreateUser(ghost),
            InvalidArgumentError("user \"ghost\": person_id 9999 does not exist"));
  ada.disabled = true;
  PW_ASSERT_OK(accounts().UpdateUser(ada));
  EXPECT_TRUE((*accounts().FindUser(ada.id))->disabled);
  EXPECT_EQ(accounts().ListUsers()->size(), 1u);
  PW_ASSERT_OK(accounts().DeleteUser(ada.id));
  EXPECT_EQ(accounts().DeleteUser(ada.id),
            NotFoundError("user " + std::to_string(ada.id) + " not found"));
}

TEST_P(AccountsTest, SessionsRevokeOneOrAllAndPurge) {
  UserAccount u = User("root", Role::kAdministrator);
  PW_ASSERT_OK(accounts().CreateUser(u));
  for (const char* h : {"h1", "h2", "h3"}) {
    SessionRecord s{0, u.id, h, Timestamp{0}, Timestamp{std::string(h) == "h3" ? 10 : 100}};
    PW_ASSERT_OK(accounts().CreateSession(s));
  }
  PW_ASSERT_OK(accounts().RevokeSession("h1"));
  EXPECT_TRUE((*accounts().FindSession("h1"))->revoked);
  EXPECT_FALSE((*accounts().FindSession("h2"))->revoked);
  EXPECT_EQ(*accounts().RevokeUserSessions(u.id), 2);
  EXPECT_EQ(*accounts().RevokeUserSessions(u.id), 0);
  EXPECT_EQ(*accounts().PurgeExpiredSessions(Timestamp{50}), 1);
  EXPECT_FALSE(accounts().FindSession("h3")->has_value());
  // Deleting the user deletes its sessions.
  PW_ASSERT_OK(accounts().DeleteUser(u.id));
  EXPECT_FALSE(accounts().FindSession("h2")->has_value());
}

TEST_P(AccountsTest, ThrottlesAndClients) {
  auto t = accounts().GetThrottle("login:ada");
  PW_ASSERT_OK(t);
  EXPECT_EQ(t->failures, 0);
  PW_ASSERT_OK(accounts().PutThrottle({"login:ada", 3, Timestamp{0}}));
  EXPECT_EQ(accounts().GetThrottle("login:ada")->failures, 3);
  PW_ASSERT_OK(accounts().PutThrottle({"login:ada", 0, Timestamp{77}}));
  EXPECT_EQ(accounts().GetThrottle("login:ada")->locked_until, Timestamp{77});
  PW_ASSERT_OK(accounts().PutThrottle({"login:ada", 0, Timestamp{0}}));
  EXPECT_EQ(accounts().GetThrottle("login:ada")->locked_until, Timestamp{0});

  ApiClientRecord c{0, "app", "pwk_1", "hash", "xapi", false, Timestamp{5}};
  PW_ASSERT_OK(accounts().CreateClient(c));
  auto found = accounts().FindClientByKey("pwk_1");
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->secret_hash, "hash");
  EXPECT_FALSE(accounts().FindClientByKey("pwk_2")->has_value());
  ApiClientRecord again = c;
  EXPECT_EQ(accounts().CreateClient(again).code(), StatusCode::kAlreadyExists) << "keys are unique";
}

TEST_P(AccountsTest, AuditFiltersAndPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.time = Timestamp{1000 + i};
    e.actor = i % 2 ? "ada" : "bob";
    e.action = "GET x";
    e.student_id = i < 3 ? 7 : kNoId;
    e.target = "/x/" + std::to_string(i);
    e.status = 200;
    PW_ASSERT_OK(accounts().AppendAudit(e));
  }
  auto all = accounts().ListAudit({}, kNoId, 100);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].target, "/x/4");
  EXPECT_EQ((*all)[4].student_id, 7);
  EXPECT_EQ((*all)[0].student_id, kNoId);
  EXPECT_EQ(accounts().ListAudit({.student_id = 7}, kNoId, 100)->size(), 3u);
  EXPECT_EQ(accounts().ListAudit({.actor = std::string("ada")}, kNoId, 100)->size(), 2u);
  EXPECT_EQ(accounts().ListAudit({.since = Timestamp{1003}}, kNoId, 100)->size(), 2u);
  auto page = accounts().ListAudit({}, kNoId, 2);
  auto next = accounts().ListAudit({}, page->back().id, 2);
  EXPECT_EQ((*next)[0].target, "/x/2");
  EXPECT_EQ(accounts().ListAudit({}, kNoId, 0).status(),
            InvalidArgumentError("audit limit 0 is outside 1..10000"));
}

TEST_P(AccountsTest, DeleteStudentDataRemovesEveryLinkedRowInOneTransaction) {
  SeedSchool(2);
  const Id s = students_[0], other = students_[1];
  ClassSection cls;
  cls.title = "6A";
  cls.school_id = school_.id;
  PW_ASSERT_OK(store_->PutClass(cls));
  for (Id p : {s, other}) {
    Enrollment e{0, "", cls.id, p, EnrollmentRole::kStudent, false, std::nullopt, std::nullopt};
    PW_ASSERT_OK(store_->PutEnrollment(e));
  }
  Person g;
  g.given_name = "G";
  g.role = Role::kGuardian;
  PW_ASSERT_OK(store_->PutPerson(g));
  PW_ASSERT_OK(store_->PutGuardianLink({g.id, s, "parent"}));
  std::vector<EvidenceEvent> ev = {Event(s, competencies_[0], 1, true),
                                   Event(s, competencies_[1], 2, false),
                                   Event(other, competencies_[0], 3, true)};
  PW_ASSERT_OK(store_->AppendEvidence(ev));
  // Mastery and evidence have no foreign key to people in SQLite (migration 17): erasure
  // itself must take them.
  std::vector<MasteryRecord> mastery;
  for (Id p : {s, other}) {
    MasteryRecord m;
    m.student_id = p;
    m.competency_id = competencies_[0];
    m.p = 0.5;
    m.state = "learning";
    mastery.push_back(m);
  }
  PW_ASSERT_OK(store_->PutMastery(mastery));
  AttendanceRecord a;
  a.student_id = s;
  a.date = Date{20000};
  PW_ASSERT_OK(store_->PutAttendance(std::vector<AttendanceRecord>{a}));
  Goal goal;
  goal.student_id = s;
  goal.description = "fractions";
  goal.competencies = {competencies_[0]};
  goal.set_by = s;
  PW_ASSERT_OK(store_->PutGoal(goal));
  UserAccount u = User("kid", Role::kStudent, s);
  PW_ASSERT_OK(accounts().CreateUser(u));
  SessionRecord session{0, u.id, "hash", Timestamp{0}, Timestamp{100}};
  PW_ASSERT_OK(accounts().CreateSession(session));
  AuditEntry before;
  before.actor = "ada";
  before.student_id = s;
  PW_ASSERT_OK(accounts().AppendAudit(before));

  auto counts = accounts().DeleteStudentData(s);
  PW_ASSERT_OK(counts);
  EXPECT_EQ(counts->evidence, 2);
  EXPECT_EQ(counts->attendance, 1);
  EXPECT_EQ(counts->goals, 1);
  EXPECT_EQ(counts->enrollments, 1);
  EXPECT_EQ(counts->guardian_links, 1);
  EXPECT_EQ(counts->accounts, 1);
  EXPECT_EQ(store_->GetPerson(s).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CountEvidence({}), 1);
  EXPECT_TRUE(store_->ListMastery(s)->empty());
  EXPECT_EQ(store_->ListMastery(other)->size(), 1u);
  EXPECT_FALSE(accounts().FindSession("hash")->has_value());
  EXPECT_TRUE(store_->GetPerson(g.id).ok()) << "the guardian stays";
  EXPECT_EQ(accounts().ListAudit({.student_id = s}, kNoId, 10)->size(), 1u) << "audit stays";
  EXPECT_EQ(accounts().DeleteStudentData(s).status(),
            NotFoundError("student " + std::to_string(s) + " not found"));
  EXPECT_EQ(accounts().DeleteStudentData(teacher_).status(),
            NotFoundError("student " + std::to_string(teacher_) + " not found"));
}

TEST_P(AccountsTest, WritesJoinTheStoreTransactionAndRollBackWithIt) {
  SeedSchool(1);
  Status failed = store_->Transaction([&]() -> Status {
    UserAccount u = User("kid", Role::kStudent, students_[0]);
    PW_RETURN_IF_ERROR(accounts().CreateUser(u));
    SessionRecord s{0, u.id, "tx-hash", Timestamp{0}, Timestamp{100}};
    PW_RETURN_IF_ERROR(accounts().CreateSession(s));
    AuditEntry e;
    e.actor = "cli";
    PW_RETURN_IF_ERROR(accounts().AppendAudit(e));
    PW_RETURN_IF_ERROR(accounts().PutThrottle({"login:kid", 2, Timestamp{0}}));
    return InternalError("boom");
  });
  EXPECT_EQ(failed, InternalError("boom"));
  EXPECT_FALSE(accounts().FindUserByLogin("kid")->has_value());
  EXPECT_FALSE(accounts().FindSession("tx-hash")->has_value());
  EXPECT_TRUE(accounts().ListAudit({}, kNoId, 10)->empty());
  EXPECT_EQ(accounts().GetThrottle("login:kid")->failures, 0);
  // The same writes committed are visible to a second connection.
  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    UserAccount u = User("kid", Role::kStudent, students_[0]);
    return accounts().CreateUser(u);
  }));
  std::unique_ptr<Store> other = Reopen();
  ASSERT_NE(other, nullptr);
  auto seen = other->accounts()->FindUserByLogin("KID");
  PW_ASSERT_OK(seen);
  ASSERT_TRUE(seen->has_value());
  EXPECT_EQ((*seen)->person_id, students_[0]);
}

TEST_P(AccountsTest, UpdatesOfMissingRowsAndBadReferencesAreRefused) {
  UserAccount ghost = User("ghost", Role::kAdministrator);
  ghost.id = 4242;
  EXPECT_EQ(accounts().UpdateUser(ghost), NotFoundError("user 4242 not found"));
  ghost.person_id = 9999;
  EXPECT_EQ(accounts().UpdateUser(ghost),
            InvalidArgumentError("user \"ghost\": person_id 9999 does not exist"));
  UserAccount empty = User("", Role::kAdministrator);
  EXPECT_EQ(accounts().CreateUser(empty), InvalidArgumentError("user: login is empty"));
  ApiClientRecord nameless{0, "", "pwk_x", "hash", "xapi", false, Timestamp{5}};
  EXPECT_EQ(accounts().CreateClient(nameless), InvalidArgumentError("client: name is empty"));
  SessionRecord orphan{0, 4242, "orphan", Timestamp{0}, Timestamp{100}};
  EXPECT_EQ(accounts().CreateSession(orphan).code(), StatusCode::kInvalidArgument)
      << "the user must exist";
  EXPECT_FALSE(accounts().FindSession("orphan")->has_value());
  PW_ASSERT_OK(accounts().RevokeSession("no-such-token"));  // no error when absent
  EXPECT_EQ(*accounts().PurgeExpiredSessions(Timestamp{1'000'000}), 0);
}

}  // namespace
}  // namespace pw::testing
