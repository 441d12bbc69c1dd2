// Accounts and credentials: password hashing (Argon2id), session tokens, API clients, login
// with throttling, and the account operations the CLI, the server and the demo share.
// docs/security.md explains the model; the tables are store/accounts.h.
//
//   AuthOptions auth;                         // production costs
//   PW_ASSIGN_OR_RETURN(UserAccount u, CreateUser(store, {.login = "ada", .role = Role::kTeacher,
//                                                          .person_id = 17}, "s3cret-pass", auth, clock));
//   PW_ASSIGN_OR_RETURN(LoginResult r, Login(store, "ada", "s3cret-pass", "10.0.0.7", auth, clock));
//   // r.token goes to the client once; only its hash is stored.
//
// Secrets (passwords, tokens, client secrets) are never logged and never stored in clear.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "server/api.h"
#include "store/accounts.h"
#include "store/store.h"

namespace pw::server {

// Argon2id cost. Verification reads the cost stored in each hash, so a hash made with one
// cost verifies under any options.
struct PasswordCost {
  unsigned long long ops = 2;             // crypto_pwhash_OPSLIMIT_INTERACTIVE
  std::size_t mem_bytes = 64ull << 20;    // crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB)
  static PasswordCost Interactive() { return {}; }
  // libsodium's minimum (1 pass, 8 KiB): for tests only, never for real passwords.
  static PasswordCost Minimum();
};

struct AuthOptions {
  PasswordCost password_cost;                         // production: at least Interactive
  std::int64_t session_ttl_ms = 12LL * 3600 * 1000;   // absolute session lifetime (12 h)
  int max_failures_per_login = 20;     // wrong passwords in a row before an account is locked
  int max_failures_per_address = 100;  // ... before an address is locked (schools share NATs)
  std::int64_t lockout_ms = 15LL * 60 * 1000;  // how long a lock lasts (15 min)
  bool secure_cookies = false;  // add `Secure` to cookies (set when served over TLS)
  std::size_t min_password_length = 10;
};

inline constexpr std::string_view kSessionCookie = "pw_session";
inline constexpr std::string_view kCsrfCookie = "pw_csrf";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// Initializes libsodium (idempotent, thread-safe). Internal error if it cannot.
Status InitCrypto();

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost);
// Constant-time verification against a crypto_pwhash_str hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// `bytes` random bytes from the OS generator, hex-encoded.
std::string RandomHex(std::size_t bytes);
// Hex BLAKE2b-256 of a high-entropy secret (session token, client secret).
std::string HashSecret(std::string_view secret);
// Constant-time equality of two strings (false when lengths differ).
bool SecretEquals(std::string_view a, std::string_view b);
// The CSRF token bound to a session token (a keyed hash of it; not the token itself).
std::string CsrfTokenFor(std::string_view session_token);

struct NewUser {
  std::string login;
  Role role = Role::kTeacher;
  Id person_id = kNoId;
};

// Creates a user after checking the login (1-64 of [A-Za-z0-9._@-]), the password length,
// and the person: student, teacher, guardian and leader accounts must name a person (a
// student account a person whose role is student). Errors name the field.
Result<UserAccount> CreateUser(Store& store, const NewUser& user, std::string_view password,
                               const AuthOptions& options, const Clock& clock);
// Sets a new password (and enables the login); revokes its sessions.
Status SetPassword(Store& store, std::string_view login, std::string_view password,
                   const AuthOptions& options);
// Disables the login and revokes all its sessions; returns how many sessions were live.
Result<int> RevokeUser(Store& store, std::string_view login);

struct NewClient {
  ApiClientRecord record;
  std::string secret;  // shown once; only its hash is stored
};
// scope: "xapi" (the only one so far).
Result<NewClient> CreateClient(Store& store, std::string_view name, std::string_view scope,
                               const Clock& clock);

struct LoginResult {
  std::string token;  // 64 hex characters (256 random bits)
  SessionRecord session;
  UserAccount user;
};
// Checks the throttles (account and address), the password, and opens a session.
// Unauthenticated "wrong login or password" for any bad login, unknown user or disabled user
// (the same message and, via a dummy hash, about the same time); ResourceExhausted
// "too many failed sign-ins; try again after <time>" while locked.
Result<LoginResult> Login(Store& store, std::string_view login, std::string_view password,
                          std::string_view address, const AuthOptions& options,
                          const Clock& clock);

// The principal of a session token (bearer or cookie). Unauthenticated when the token is
// malformed, unknown, revoked or expired, or its user is gone or disabled.
Result<Principal> PrincipalForToken(Store& store, std::string_view token, const Clock& clock);
// The principal of an API client from HTTP Basic credentials.
Result<Principal> PrincipalForClient(Store& store, std::string_view key, std::string_view secret);

// The accounts interface of the store, or FailedPrecondition when the backend has none.
Result<AccountStore*> AccountsOf(Store& store);

// POST /api/v1/auth/login, POST /api/v1/auth/logout, POST /api/v1/auth/logout-all,
// GET /api/v1/auth/me (routes_auth.cc; docs/api.md).
std::vector<Route> AuthRoutes(const AuthOptions& options);

}  // namespace pw::server
