// The PostgreSQL implementation of AccountStore (store/accounts.h), sharing the PgStore's
// connection and transactions. Tables: migration 4 (kSchemaAccounts) in pg_store.cc. Same
// behaviour and messages as the SQLite one (sqlite/sqlite_accounts.cc); the tests in
// tests/unit/store/accounts_test.cc run over both.
#ifdef PATHWISE_HAVE_POSTGRES

#include <memory>

#include "store/accounts.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_util.h"

namespace pw {
namespace {

using pg::Ref;

constexpr char kUserColumns[] = "id, login, role, person_id, password_hash, disabled, created_ms";
// The case-insensitive login comparison the unique index users_by_login is built on.
constexpr char kLoginMatches[] = "lower(login COLLATE \"C\") = lower($1::text COLLATE \"C\")";

bool Bool(const pqxx::row& r, int col) { return !r[col].is_null() && r[col].as<bool>(); }

Result<UserAccount> ReadUser(const pqxx::row& r) {
  UserAccount u;
  u.id = pg::Int(r, 0);
  u.login = pg::Text(r, 1);
  PW_ASSIGN_OR_RETURN(u.role, ParseRole(pg::Text(r, 2)));
  u.person_id = pg::Int(r, 3);
  u.password_hash = pg::Text(r, 4);
  u.disabled = Bool(r, 5);
  u.created = Timestamp{pg::Int(r, 6)};
  return u;
}

Result<AuditEntry> ReadAudit(const pqxx::row& r) {
  AuditEntry e;
  e.id = pg::Int(r, 0);
  e.time = Timestamp{pg::Int(r, 1)};
  e.user_id = pg::Int(r, 2);
  e.actor = pg::Text(r, 3);
  e.action = pg::Text(r, 4);
  e.student_id = pg::Int(r, 5);
  e.target = pg::Text(r, 6);
  e.status = static_cast<int>(pg::Int(r, 7));
  e.address = pg::Text(r, 8);
  return e;
}

// The id an INSERT ... RETURNING id produced.
Result<Id> ReturnedId(const pqxx::result& r) {
  if (r.empty()) return InternalError("postgresql: an INSERT returned no id");
  return pg::Int(r[0], 0);
}

class PgAccounts final : public AccountStore {
 public:
  PgAccounts(Store& store, pg::PgDb& db) : store_(store), db_(db) {}

  Status CreateUser(UserAccount& user) override {
    if (user.login.empty()) return InvalidArgumentError("user: login is empty");
    PW_ASSIGN_OR_RETURN(auto existing, FindUserByLogin(user.login));
    if (existing) return AlreadyExistsError("user \"{}\" already exists", user.login);
    PW_RETURN_IF_ERROR(CheckPerson(user));
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("INSERT INTO users(login, role, person_id, password_hash, disabled, created_ms) "
                 "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                 user.login, std::string(RoleName(user.role)), Ref(user.person_id),
                 user.password_hash, user.disabled, user.created.millis));
    PW_ASSIGN_OR_RETURN(user.id, ReturnedId(r));
    return OkStatus();
  }

  Status UpdateUser(const UserAccount& user) override {
    PW_RETURN_IF_ERROR(CheckPerson(user));
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("UPDATE users SET role = $1, person_id = $2, password_hash = $3, disabled = $4 "
                 "WHERE id = $5",
                 std::string(RoleName(user.role)), Ref(user.person_id), user.password_hash,
                 user.disabled, user.id));
    if (r.affected_rows() == 0) return NotFoundError("user {} not found", user.id);
    return OkStatus();
  }

  Result<std::optional<UserAccount>> FindUserByLogin(std::string_view login) override {
    return FindOneUser(fmt::format("SELECT {} FROM users WHERE {}", kUserColumns, kLoginMatches),
                       std::string(login));
  }

  Result<std::optional<UserAccount>> FindUser(Id id) override {
    return FindOneUser(fmt::format("SELECT {} FROM users WHERE id = $1", kUserColumns), id);
  }

  Result<std::vector<UserAccount>> ListUsers() override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec(fmt::format("SELECT {} FROM users ORDER BY id", kUserColumns)));
    return pg::ReadAll<UserAccount>(r, ReadUser);
  }

  Status DeleteUser(Id id) override {
    return store_.Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(db_.Exec("DELETE FROM auth_sessions WHERE user_id = $1", id).status());
      PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec("DELETE FROM users WHERE id = $1", id));
      if (r.affected_rows() == 0) return NotFoundError("user {} not found", id);
      return OkStatus();
    });
  }

  Status CreateSession(SessionRecord& session) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("INSERT INTO auth_sessions(user_id, token_hash, created_ms, expires_ms, revoked) "
                 "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                 session.user_id, session.token_hash, session.created.millis,
                 session.expires.millis, session.revoked));
    PW_ASSIGN_OR_RETURN(session.id, ReturnedId(r));
    return OkStatus();
  }

  Result<std::optional<SessionRecord>> FindSession(std::string_view token_hash) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT id, user_id, token_hash, created_ms, expires_ms, revoked "
                                 "FROM auth_sessions WHERE token_hash = $1",
                                 std::string(token_hash)));
    if (r.empty()) return std::optional<SessionRecord>();
    SessionRecord s;
    s.id = pg::Int(r[0], 0);
    s.user_id = pg::Int(r[0], 1);
    s.token_hash = pg::Text(r[0], 2);
    s.created = Timestamp{pg::Int(r[0], 3)};
    s.expires = Timestamp{pg::Int(r[0], 4)};
    s.revoked = Bool(r[0], 5);
    return std::optional<SessionRecord>(std::move(s));
  }

  Status RevokeSession(std::string_view token_hash) override {
    return db_
        .Exec("UPDATE auth_sessions SET revoked = TRUE WHERE token_hash = $1",
              std::string(token_hash))
        .status();
  }

  Result<int> RevokeUserSessions(Id user_id) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("UPDATE auth_sessions SET revoked = TRUE WHERE user_id = $1 AND NOT revoked",
                 user_id));
    return static_cast<int>(r.affected_rows());
  }

  Result<int> PurgeExpiredSessions(Timestamp now) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("DELETE FROM auth_sessions WHERE expires_ms < $1", now.millis));
    return static_cast<int>(r.affected_rows());
  }

  Status CreateClient(ApiClientRecord& client) override {
    if (client.name.empty()) return InvalidArgumentError("client: name is empty");
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("INSERT INTO api_clients(name, key, secret_hash, scope, disabled, created_ms) "
                 "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                 client.name, client.key, client.secret_hash, client.scope, client.disabled,
                 client.created.millis));
    PW_ASSIGN_OR_RETURN(client.id, ReturnedId(r));
    return OkStatus();
  }

  Result<std::optional<ApiClientRecord>> FindClientByKey(std::string_view key) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT id, name, key, secret_hash, scope, disabled, created_ms "
                                 "FROM api_clients WHERE key = $1",
                                 std::string(key)));
    if (r.empty()) return std::optional<ApiClientRecord>();
    ApiClientRecord c;
    c.id = pg::Int(r[0], 0);
    c.name = pg::Text(r[0], 1);
    c.key = pg::Text(r[0], 2);
    c.secret_hash = pg::Text(r[0], 3);
    c.scope = pg::Text(r[0], 4);
    c.disabled = Bool(r[0], 5);
    c.created = Timestamp{pg::Int(r[0], 6)};
    return std::optional<ApiClientRecord>(std::move(c));
  }

  Result<LoginThrottle> GetThrottle(std::string_view subject) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("SELECT failures, locked_until_ms FROM login_throttle WHERE subject = $1",
                 std::string(subject)));
    LoginThrottle t;
    t.subject = std::string(subject);
    if (!r.empty()) {
      t.failures = static_cast<int>(pg::Int(r[0], 0));
      t.locked_until = Timestamp{pg::Int(r[0], 1)};
    }
    return t;
  }

  Status PutThrottle(const LoginThrottle& t) override {
    if (t.failures == 0 && t.locked_until.millis == 0) {
      return db_.Exec("DELETE FROM login_throttle WHERE subject = $1", t.subject).status();
    }
    return db_
        .Exec(
            "INSERT INTO login_throttle(subject, failures, locked_until_ms) VALUES ($1, $2, $3) "
            "ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, "
            "locked_until_ms = excluded.locked_until_ms",
            t.subject, t.failures, t.locked_until.millis)
        .status();
  }

  Status AppendAudit(AuditEntry& e) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("INSERT INTO audit_log(time_ms, user_id, actor, action, student_id, target, "
                 "status, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                 e.time.millis, Ref(e.user_id), e.actor, e.action, Ref(e.student_id), e.target,
                 e.status, e.address));
    PW_ASSIGN_OR_RETURN(e.id, ReturnedId(r));
    return OkStatus();
  }

  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter, Id before,
                                            int limit) override {
    if (limit < 1 || limit > pg::kMaxPageLimit) {
      return InvalidArgumentError("audit limit {} is outside 1..{}", limit, pg::kMaxPageLimit);
    }
    pg::Params params;
    std::string sql =
        "SELECT id, time_ms, user_id, actor, action, student_id, target, status, address "
        "FROM audit_log WHERE TRUE";
    if (before != kNoId) sql += " AND id < " + params.Add(before);
    if (filter.student_id) sql += " AND student_id = " + params.Add(*filter.student_id);
    if (filter.actor) sql += " AND actor = " + params.Add(*filter.actor);
    if (filter.since) sql += " AND time_ms >= " + params.Add(filter.since->millis);
    sql += " ORDER BY id DESC LIMIT " + params.Add(limit);
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec(sql, params.dynamic()));
    return pg::ReadAll<AuditEntry>(r, ReadAudit);
  }

  Result<DeletionCounts> DeleteStudentData(Id student_id) override {
    DeletionCounts counts;
    PW_RETURN_IF_ERROR(store_.Transaction([&]() -> Status {
      {
        // FOR UPDATE: a concurrent write that refers to the student waits for this
        // transaction (and then fails its foreign-key check) instead of slipping in between.
        PW_ASSIGN_OR_RETURN(
            pqxx::result r,
            db_.Exec("SELECT role FROM people WHERE id = $1 FOR UPDATE", student_id));
        if (r.empty() || pg::Text(r[0], 0) != RoleName(Role::kStudent)) {
          return NotFoundError("student {} not found", student_id);
        }
      }
      auto del = [&](const std::string& sql, std::int64_t& count) -> Status {
        PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec(sql, student_id));
        count += r.affected_rows();
        return OkStatus();
      };
      PW_RETURN_IF_ERROR(del("DELETE FROM evidence WHERE student_id = $1", counts.evidence));
      PW_RETURN_IF_ERROR(del("DELETE FROM attendance WHERE student_id = $1", counts.attendance));
      PW_RETURN_IF_ERROR(del("DELETE FROM behavior WHERE student_id = $1", counts.behavior));
      PW_RETURN_IF_ERROR(del("DELETE FROM sel_scores WHERE student_id = $1", counts.sel_scores));
      std::int64_t ignored = 0;
      // Learner-profile rows (store/mastery.h): derived from the evidence, deleted with it.
      PW_RETURN_IF_ERROR(del("DELETE FROM mastery WHERE student_id = $1", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM course_credits WHERE student_id = $1", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM student_interests WHERE student_id = $1", ignored));
      PW_RETURN_IF_ERROR(
          del("DELETE FROM goal_competencies WHERE goal_id IN "
              "(SELECT id FROM goals WHERE student_id = $1)",
              ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM goals WHERE student_id = $1", counts.goals));
      // Goals the student set for others keep existing, without naming the setter.
      PW_RETURN_IF_ERROR(del("UPDATE goals SET set_by = NULL WHERE set_by = $1", ignored));
      // Imported records (demographics, assessment scores): nothing of the student stays.
      PW_RETURN_IF_ERROR(del("DELETE FROM demographics WHERE person_id = $1", ignored));
      PW_RETURN_IF_ERROR(
          del("DELETE FROM assessment_subscores WHERE score_id IN "
              "(SELECT id FROM assessment_scores WHERE student_id = $1)",
              ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM assessment_scores WHERE student_id = $1", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM enrollments WHERE person_id = $1", counts.enrollments));
      PW_RETURN_IF_ERROR(
          del("DELETE FROM guardian_links WHERE student_id = $1", counts.guardian_links));
      PW_RETURN_IF_ERROR(
          del("DELETE FROM auth_sessions WHERE user_id IN "
              "(SELECT id FROM users WHERE person_id = $1)",
              ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM users WHERE person_id = $1", counts.accounts));
      Status gone = db_.Exec("DELETE FROM people WHERE id = $1", student_id).status();
      if (!gone.ok()) {
        // A table added later that refers to people and is not cleared above: fail loudly
        // (the transaction rolls back) rather than leave a half-deleted student.
        return gone.WithPrefix(fmt::format("deleting student {}", student_id));
      }
      return OkStatus();
    }));
    return counts;
  }

 private:
  template <typename Key>
  Result<std::optional<UserAccount>> FindOneUser(const std::string& sql, const Key& key) {
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec(sql, key));
    if (r.empty()) return std::optional<UserAccount>();
    PW_ASSIGN_OR_RETURN(UserAccount u, ReadUser(r[0]));
    return std::optional<UserAccount>(std::move(u));
  }

  Status CheckPerson(const UserAccount& user) {
    if (user.person_id == kNoId) return OkStatus();
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT 1 FROM people WHERE id = $1", user.person_id));
    if (r.empty()) {
      return InvalidArgumentError("user \"{}\": person_id {} does not exist", user.login,
                                  user.person_id);
    }
    return OkStatus();
  }

  Store& store_;
  pg::PgDb& db_;
};

}  // namespace

AccountStore* PgStore::accounts() {
  if (!accounts_) accounts_ = std::make_unique<PgAccounts>(*this, *db_);
  return accounts_.get();
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
