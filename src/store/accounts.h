// Accounts data: sign-in users, their sessions, API clients, login throttling, the audit log,
// and deleting a student with everything linked to them. The server (server/auth.h,
// server/policy.h) decides what these rows mean; this interface only stores them.
//
//   AccountStore* accounts = store.accounts();   // nullptr for a backend without accounts
//   PW_ASSIGN_OR_RETURN(std::optional<UserAccount> user, accounts->FindUserByLogin("ada"));
//
// Secrets never reach this layer in clear: passwords arrive as Argon2id hash strings, session
// tokens and client secrets as hex digests (docs/security.md). Same threading contract as Store
// (one connection, one thread at a time); every write is atomic and joins Store::Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/roster.h"
#include "core/status.h"
#include "core/time.h"

namespace pw {

struct UserAccount {
  Id id = kNoId;
  std::string login;          // unique, compared case-insensitively
  Role role = Role::kTeacher;
  Id person_id = kNoId;       // the person the account belongs to (kNoId for admin/researcher)
  std::string password_hash;  // crypto_pwhash_str output (Argon2id, parameters inside)
  bool disabled = false;
  Timestamp created;
};

struct SessionRecord {
  Id id = kNoId;
  Id user_id = kNoId;
  std::string token_hash;  // hex BLAKE2b-256 of the token; the token itself is never stored
  Timestamp created;
  Timestamp expires;
  bool revoked = false;
};

struct ApiClientRecord {
  Id id = kNoId;
  std::string name;
  std::string key;          // public identifier, the Basic-auth user name
  std::string secret_hash;  // hex BLAKE2b-256 of the secret
  std::string scope;        // "xapi"
  bool disabled = false;
  Timestamp created;
};

// Consecutive failed sign-ins of one subject ("login:ada" or "addr:10.0.0.7").
struct LoginThrottle {
  std::string subject;
  int failures = 0;
  Timestamp locked_until;  // 0 when not locked
};

struct AuditEntry {
  Id id = kNoId;
  Timestamp time;
  Id user_id = kNoId;   // kNoId: anonymous or the command line
  std::string actor;    // login, "client:<key>", "cli" or "anonymous"
  std::string action;   // "GET /api/v1/students/(\d+)", "login", "delete-student", ...
  Id student_id = kNoId;  // the student whose record was touched, when there is one
  std::string target;     // the request path or other target description
  int status = 0;         // HTTP status or exit-style outcome (200 ok, 403, 404, ...)
  std::string address;    // client address, "" from the command line
};

struct AuditFilter {
  std::optional<Id> student_id = std::nullopt;
  std::optional<std::string> actor = std::nullopt;
  std::optional<Timestamp> since = std::nullopt;  // inclusive
};

// What DeleteStudentData removed, per table.
struct DeletionCounts {
  std::int64_t evidence = 0, attendance = 0, behavior = 0, sel_scores = 0, goals = 0,
               enrollments = 0, guardian_links = 0, accounts = 0;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // ---- users. Logins are unique (case-insensitive): AlreadyExists otherwise.
  virtual Status CreateUser(UserAccount& user) = 0;
  // Updates role, person, password hash and disabled of the row with user.id.
  virtual Status UpdateUser(const UserAccount& user) = 0;
  virtual Result<std::optional<UserAccount>> FindUserByLogin(std::string_view login) = 0;
  virtual Result<std::optional<UserAccount>> FindUser(Id id) = 0;
  virtual Result<std::vector<UserAccount>> ListUsers() = 0;
  // Deletes the user and its sessions. NotFound when absent.
  virtual Status DeleteUser(Id id) = 0;

  // ---- sessions
  virtual Status CreateSession(SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> FindSession(std::string_view token_hash) = 0;
  // Marks one session revoked (no error when absent).
  virtual Status RevokeSession(std::string_view token_hash) = 0;
  // Revokes every session of the user; returns how many were live.
  virtual Result<int> RevokeUserSessions(Id user_id) = 0;
  // Removes sessions that expired before `now` (housekeeping); returns how many.
  virtual Result<int> PurgeExpiredSessions(Timestamp now) = 0;

  // ---- API clients
  virtual Status CreateClient(ApiClientRecord& client) = 0;
  virtual Result<std::optional<ApiClientRecord>> FindClientByKey(std::string_view key) = 0;

  // ---- login throttling
  virtual Result<LoginThrottle> GetThrottle(std::string_view subject) = 0;
  virtual Status PutThrottle(const LoginThrottle& throttle) = 0;

  // ---- audit log (append-only)
  virtual Status AppendAudit(AuditEntry& entry) = 0;
  // Newest first; `before` pages backwards (entries with id < before), kNoId for the newest.
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter, Id before,
                                                    int limit) = 0;

  // ---- privacy
  // Deletes the student (a person with role student) and every row that refers to them:
  // evidence, attendance, behavior, SEL scores, goals, enrollments, guardian links, and the
  // accounts (with sessions) that belong to them. Audit entries are kept. One transaction.
  // NotFound when there is no such student.
  virtual Result<DeletionCounts> DeleteStudentData(Id student_id) = 0;
};

}  // namespace pw
