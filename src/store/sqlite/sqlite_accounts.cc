// The SQLite implementation of AccountStore (store/accounts.h), sharing the SqliteStore's
// connection and transactions. Tables: migration 2 in migrations.cc.
#include <memory>

#include "store/accounts.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace pw {
namespace {

using sqlite::Ref;
using sqlite::Stmt;

constexpr char kUserColumns[] =
    "id, login, role, person_id, password_hash, disabled, created_ms";

Result<UserAccount> ReadUser(const Stmt& st) {
  UserAccount u;
  u.id = st.Int(0);
  u.login = st.Text(1);
  PW_ASSIGN_OR_RETURN(u.role, ParseRole(st.Text(2)));
  u.person_id = st.Int(3);
  u.password_hash = st.Text(4);
  u.disabled = st.Int(5) != 0;
  u.created = Timestamp{st.Int(6)};
  return u;
}

Result<AuditEntry> ReadAudit(const Stmt& st) {
  AuditEntry e;
  e.id = st.Int(0);
  e.time = Timestamp{st.Int(1)};
  e.user_id = st.Int(2);
  e.actor = st.Text(3);
  e.action = st.Text(4);
  e.student_id = st.Int(5);
  e.target = st.Text(6);
  e.status = static_cast<int>(st.Int(7));
  e.address = st.Text(8);
  return e;
}

class SqliteAccounts final : public AccountStore {
 public:
  SqliteAccounts(SqliteStore& store, sqlite::SqliteDb& db) : store_(store), db_(db) {}

  Status CreateUser(UserAccount& user) override {
    if (user.login.empty()) return InvalidArgumentError("user: login is empty");
    PW_ASSIGN_OR_RETURN(auto existing, FindUserByLogin(user.login));
    if (existing) return AlreadyExistsError("user \"{}\" already exists", user.login);
    PW_RETURN_IF_ERROR(CheckPerson(user));
    PW_RETURN_IF_ERROR(db_.Run(
        "INSERT INTO users(login, role, person_id, password_hash, disabled, created_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        user.login, RoleName(user.role), Ref{user.person_id}, user.password_hash, user.disabled,
        user.created.millis));
    user.id = db_.LastInsertId();
    return OkStatus();
  }

  Status UpdateUser(const UserAccount& user) override {
    PW_RETURN_IF_ERROR(CheckPerson(user));
    PW_RETURN_IF_ERROR(db_.Run(
        "UPDATE users SET role = ?, person_id = ?, password_hash = ?, disabled = ? WHERE id = ?",
        RoleName(user.role), Ref{user.person_id}, user.password_hash, user.disabled, user.id));
    if (db_.Changes() == 0) return NotFoundError("user {} not found", user.id);
    return OkStatus();
  }

  Result<std::optional<UserAccount>> FindUserByLogin(std::string_view login) override {
    return FindOneUser(fmt::format("SELECT {} FROM users WHERE login = ?", kUserColumns), login);
  }

  Result<std::optional<UserAccount>> FindUser(Id id) override {
    return FindOneUser(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns), id);
  }

  Result<std::vector<UserAccount>> ListUsers() override {
    PW_ASSIGN_OR_RETURN(Stmt st,
                        db_.Prepare(fmt::format("SELECT {} FROM users ORDER BY id", kUserColumns)));
    return sqlite::ReadAll<UserAccount>(st, ReadUser);
  }

  Status DeleteUser(Id id) override {
    return store_.Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(db_.Run("DELETE FROM auth_sessions WHERE user_id = ?", id));
      PW_RETURN_IF_ERROR(db_.Run("DELETE FROM users WHERE id = ?", id));
      if (db_.Changes() == 0) return NotFoundError("user {} not found", id);
      return OkStatus();
    });
  }

  Status CreateSession(SessionRecord& session) override {
    PW_RETURN_IF_ERROR(db_.Run(
        "INSERT INTO auth_sessions(user_id, token_hash, created_ms, expires_ms, revoked) "
        "VALUES (?, ?, ?, ?, ?)",
        session.user_id, session.token_hash, session.created.millis, session.expires.millis,
        session.revoked));
    session.id = db_.LastInsertId();
    return OkStatus();
  }

  Result<std::optional<SessionRecord>> FindSession(std::string_view token_hash) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT id, user_id, token_hash, created_ms, "
                                             "expires_ms, revoked FROM auth_sessions "
                                             "WHERE token_hash = ?"));
    st.Bind(token_hash);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<SessionRecord>();
    SessionRecord s;
    s.id = st.Int(0);
    s.user_id = st.Int(1);
    s.token_hash = st.Text(2);
    s.created = Timestamp{st.Int(3)};
    s.expires = Timestamp{st.Int(4)};
    s.revoked = st.Int(5) != 0;
    return std::optional<SessionRecord>(std::move(s));
  }

  Status RevokeSession(std::string_view token_hash) override {
    return db_.Run("UPDATE auth_sessions SET revoked = 1 WHERE token_hash = ?", token_hash);
  }

  Result<int> RevokeUserSessions(Id user_id) override {
    PW_RETURN_IF_ERROR(
        db_.Run("UPDATE auth_sessions SET revoked = 1 WHERE user_id = ? AND revoked = 0", user_id));
    return db_.Changes();
  }

  Result<int> PurgeExpiredSessions(Timestamp now) override {
    PW_RETURN_IF_ERROR(db_.Run("DELETE FROM auth_sessions WHERE expires_ms < ?", now.millis));
    return db_.Changes();
  }

  Status CreateClient(ApiClientRecord& client) override {
    if (client.name.empty()) return InvalidArgumentError("client: name is empty");
    PW_RETURN_IF_ERROR(db_.Run(
        "INSERT INTO api_clients(name, key, secret_hash, scope, disabled, created_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        client.name, client.key, client.secret_hash, client.scope, client.disabled,
        client.created.millis));
    client.id = db_.LastInsertId();
    return OkStatus();
  }

  Result<std::optional<ApiClientRecord>> FindClientByKey(std::string_view key) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT id, name, key, secret_hash, scope, disabled, "
                                             "created_ms FROM api_clients WHERE key = ?"));
    st.Bind(key);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<ApiClientRecord>();
    ApiClientRecord c;
    c.id = st.Int(0);
    c.name = st.Text(1);
    c.key = st.Text(2);
    c.secret_hash = st.Text(3);
    c.scope = st.Text(4);
    c.disabled = st.Int(5) != 0;
    c.created = Timestamp{st.Int(6)};
    return std::optional<ApiClientRecord>(std::move(c));
  }

  Result<LoginThrottle> GetThrottle(std::string_view subject) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT failures, locked_until_ms FROM "
                                             "login_throttle WHERE subject = ?"));
    st.Bind(subject);
    LoginThrottle t;
    t.subject = std::string(subject);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      t.failures = static_cast<int>(st.Int(0));
      t.locked_until = Timestamp{st.Int(1)};
    }
    return t;
  }

  Status PutThrottle(const LoginThrottle& t) override {
    if (t.failures == 0 && t.locked_until.millis == 0) {
      return db_.Run("DELETE FROM login_throttle WHERE subject = ?", t.subject);
    }
    return db_.Run(
        "INSERT INTO login_throttle(subject, failures, locked_until_ms) VALUES (?, ?, ?) "
        "ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, "
        "locked_until_ms = excluded.locked_until_ms",
        t.subject, t.failures, t.locked_until.millis);
  }

  Status AppendAudit(AuditEntry& e) override {
    PW_RETURN_IF_ERROR(db_.Run(
        "INSERT INTO audit_log(time_ms, user_id, actor, action, student_id, target, status, "
        "address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        e.time.millis, Ref{e.user_id}, e.actor, e.action, Ref{e.student_id}, e.target, e.status,
        e.address));
    e.id = db_.LastInsertId();
    return OkStatus();
  }

  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter, Id before,
                                            int limit) override {
    if (limit < 1 || limit > sqlite::kMaxPageLimit) {
      return InvalidArgumentError("audit limit {} is outside 1..{}", limit, sqlite::kMaxPageLimit);
    }
    std::string sql =
        "SELECT id, time_ms, user_id, actor, action, student_id, target, status, address "
        "FROM audit_log WHERE (?1 = 0 OR id < ?1)";
    if (filter.student_id) sql += " AND student_id = ?2";
    if (filter.actor) sql += " AND actor = ?3";
    if (filter.since) sql += " AND time_ms >= ?4";
    sql += " ORDER BY id DESC LIMIT ?5";
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare(sql));
    st.Bind(before, filter.student_id.value_or(0), filter.actor.value_or(""),
            filter.since.value_or(Timestamp{0}).millis, limit);
    return sqlite::ReadAll<AuditEntry>(st, ReadAudit);
  }

  Result<DeletionCounts> DeleteStudentData(Id student_id) override {
    DeletionCounts counts;
    PW_RETURN_IF_ERROR(store_.Transaction([&]() -> Status {
      {
        PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT role FROM people WHERE id = ?"));
        st.Bind(student_id);
        PW_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row || st.Text(0) != RoleName(Role::kStudent)) {
          return NotFoundError("student {} not found", student_id);
        }
      }
      auto del = [&](const std::string& sql, std::int64_t& count) -> Status {
        PW_RETURN_IF_ERROR(db_.Run(sql, student_id));
        count += db_.Changes();
        return OkStatus();
      };
      PW_RETURN_IF_ERROR(del("DELETE FROM evidence WHERE student_id = ?", counts.evidence));
      PW_RETURN_IF_ERROR(del("DELETE FROM attendance WHERE student_id = ?", counts.attendance));
      PW_RETURN_IF_ERROR(del("DELETE FROM behavior WHERE student_id = ?", counts.behavior));
      PW_RETURN_IF_ERROR(del("DELETE FROM sel_scores WHERE student_id = ?", counts.sel_scores));
      std::int64_t ignored = 0;
      // Learner-profile rows (store/mastery.h): derived from the evidence, deleted with it.
      PW_RETURN_IF_ERROR(del("DELETE FROM mastery WHERE student_id = ?", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM course_credits WHERE student_id = ?", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM student_interests WHERE student_id = ?", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM goal_competencies WHERE goal_id IN "
                             "(SELECT id FROM goals WHERE student_id = ?)",
                             ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM goals WHERE student_id = ?", counts.goals));
      // Goals the student set for others keep existing, without naming the setter.
      PW_RETURN_IF_ERROR(del("UPDATE goals SET set_by = NULL WHERE set_by = ?", ignored));
      // Imported records (demographics, assessment scores): nothing of the student stays.
      PW_RETURN_IF_ERROR(del("DELETE FROM demographics WHERE person_id = ?", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM assessment_subscores WHERE score_id IN "
                             "(SELECT id FROM assessment_scores WHERE student_id = ?)",
                             ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM assessment_scores WHERE student_id = ?", ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM enrollments WHERE person_id = ?", counts.enrollments));
      PW_RETURN_IF_ERROR(del("DELETE FROM guardian_links WHERE student_id = ?",
                             counts.guardian_links));
      PW_RETURN_IF_ERROR(del("DELETE FROM auth_sessions WHERE user_id IN "
                             "(SELECT id FROM users WHERE person_id = ?)",
                             ignored));
      PW_RETURN_IF_ERROR(del("DELETE FROM users WHERE person_id = ?", counts.accounts));
      store_.NoteMappingInputsChanged();
      Status gone = db_.Run("DELETE FROM people WHERE id = ?", student_id);
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
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare(sql));
    st.Bind(key);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<UserAccount>();
    PW_ASSIGN_OR_RETURN(UserAccount u, ReadUser(st));
    return std::optional<UserAccount>(std::move(u));
  }

  Status CheckPerson(const UserAccount& user) {
    if (user.person_id == kNoId) return OkStatus();
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT 1 FROM people WHERE id = ?"));
    st.Bind(user.person_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      return InvalidArgumentError("user \"{}\": person_id {} does not exist", user.login,
                                  user.person_id);
    }
    return OkStatus();
  }

  SqliteStore& store_;
  sqlite::SqliteDb& db_;
};

}  // namespace

AccountStore* SqliteStore::accounts() {
  if (!accounts_) accounts_ = std::make_unique<SqliteAccounts>(*this, *db_);
  return accounts_.get();
}

}  // namespace pw
