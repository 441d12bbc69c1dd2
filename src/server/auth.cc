#include "server/auth.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace pw::server {
namespace {

std::string ToHex(const unsigned char* bin, std::size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bin, n);
  hex.pop_back();
  return hex;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status CheckLogin(std::string_view login) {
  if (login.empty() || login.size() > 64) {
    return InvalidArgumentError("--login: must be 1 to 64 characters, got {}", login.size());
  }
  for (char c : login) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '@' &&
        c != '-') {
      return InvalidArgumentError(
          "--login \"{}\": only letters, digits and . _ @ - are allowed", login);
    }
  }
  return OkStatus();
}

Status CheckPassword(std::string_view password, const AuthOptions& options) {
  if (password.size() < options.min_password_length) {
    return InvalidArgumentError("password: must be at least {} characters, got {}",
                                options.min_password_length, password.size());
  }
  if (password.size() > 1024) return InvalidArgumentError("password: longer than 1024 characters");
  return OkStatus();
}

// A valid hash of a random password, verified against when the login is unknown so that an
// unknown login costs about as much time as a known one.
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto h = HashPassword(RandomHex(16), PasswordCost::Interactive());
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

Principal PrincipalOf(const UserAccount& user) {
  Principal p;
  p.authenticated = true;
  p.user_id = user.id;
  p.person_id = user.person_id;
  p.role = user.role;
  p.login = user.login;
  return p;
}

}  // namespace

PasswordCost PasswordCost::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Status InitCrypto() {
  static const int rc = sodium_init();
  if (rc < 0) return InternalError("libsodium failed to initialize");
  return OkStatus();
}

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  PW_RETURN_IF_ERROR(InitCrypto());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops, cost.mem_bytes) != 0) {
    return InternalError("password hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!InitCrypto().ok() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char str[crypto_pwhash_STRBYTES] = {};
  std::copy(hash.begin(), hash.end(), str);
  return crypto_pwhash_str_verify(str, password.data(), password.size()) == 0;
}

std::string RandomHex(std::size_t bytes) {
  InitCrypto().IgnoreError();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex = ToHex(buf.data(), buf.size());
  sodium_memzero(buf.data(), buf.size());
  return hex;
}

std::string HashSecret(std::string_view secret) {
  InitCrypto().IgnoreError();
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  return ToHex(out, sizeof out);
}

bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string CsrfTokenFor(std::string_view session_token) {
  InitCrypto().IgnoreError();
  static constexpr unsigned char kContext[] = "pathwise csrf v1";
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(session_token.data()),
                     session_token.size(), kContext, sizeof kContext - 1);
  return ToHex(out, sizeof out);
}

Result<AccountStore*> AccountsOf(Store& store) {
  AccountStore* accounts = store.accounts();
  if (accounts == nullptr) return FailedPreconditionError("this store has no accounts support");
  return accounts;
}

Result<UserAccount> CreateUser(Store& store, const NewUser& user, std::string_view password,
                               const AuthOptions& options, const Clock& clock) {
  PW_RETURN_IF_ERROR(CheckLogin(user.login));
  PW_RETURN_IF_ERROR(CheckPassword(password, options));
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  const bool needs_person = user.role == Role::kStudent || user.role == Role::kTeacher ||
                            user.role == Role::kGuardian || user.role == Role::kLeader;
  if (needs_person && user.person_id == kNoId) {
    return InvalidArgumentError("--person: a {} account must name the person it belongs to",
                                RoleName(user.role));
  }
  if (user.person_id != kNoId) {
    Result<Person> person = store.GetPerson(user.person_id);
    if (!person.ok()) {
      return InvalidArgumentError("--person {}: no such person", user.person_id);
    }
    if (user.role == Role::kStudent && person->role != Role::kStudent) {
      return InvalidArgumentError("--person {}: a student account needs a student, not a {}",
                                  user.person_id, RoleName(person->role));
    }
    if (user.role == Role::kLeader && person->org_id == kNoId) {
      return InvalidArgumentError("--person {}: a leader needs a person with an organization",
                                  user.person_id);
    }
  }
  UserAccount account;
  account.login = user.login;
  account.role = user.role;
  account.person_id = user.person_id;
  account.created = clock.Now();
  PW_ASSIGN_OR_RETURN(account.password_hash, HashPassword(password, options.password_cost));
  PW_RETURN_IF_ERROR(accounts->CreateUser(account));
  return account;
}

Status SetPassword(Store& store, std::string_view login, std::string_view password,
                   const AuthOptions& options) {
  PW_RETURN_IF_ERROR(CheckPassword(password, options));
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  PW_ASSIGN_OR_RETURN(auto user, accounts->FindUserByLogin(login));
  if (!user) return NotFoundError("user \"{}\" not found", login);
  PW_ASSIGN_OR_RETURN(user->password_hash, HashPassword(password, options.password_cost));
  user->disabled = false;
  return store.Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(accounts->UpdateUser(*user));
    return accounts->RevokeUserSessions(user->id).status();
  });
}

Result<int> RevokeUser(Store& store, std::string_view login) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  PW_ASSIGN_OR_RETURN(auto user, accounts->FindUserByLogin(login));
  if (!user) return NotFoundError("user \"{}\" not found", login);
  int revoked = 0;
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    user->disabled = true;
    PW_RETURN_IF_ERROR(accounts->UpdateUser(*user));
    PW_ASSIGN_OR_RETURN(revoked, accounts->RevokeUserSessions(user->id));
    return OkStatus();
  }));
  return revoked;
}

Result<NewClient> CreateClient(Store& store, std::string_view name, std::string_view scope,
                               const Clock& clock) {
  if (name.empty()) return InvalidArgumentError("--name: must not be empty");
  if (scope != "xapi") {
    return InvalidArgumentError("--scope \"{}\": expected xapi", scope);
  }
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  NewClient out;
  out.record.name = std::string(name);
  out.record.scope = std::string(scope);
  out.record.key = "pwk_" + RandomHex(12);
  out.secret = RandomHex(32);
  out.record.secret_hash = HashSecret(out.secret);
  out.record.created = clock.Now();
  PW_RETURN_IF_ERROR(accounts->CreateClient(out.record));
  return out;
}

Result<LoginResult> Login(Store& store, std::string_view login, std::string_view password,
                          std::string_view address, const AuthOptions& options,
                          const Clock& clock) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  const Timestamp now = clock.Now();
  const std::string login_subject = "login:" + Lower(login);
  const std::string address_subject = "addr:" + std::string(address);
  PW_ASSIGN_OR_RETURN(LoginThrottle by_login, accounts->GetThrottle(login_subject));
  PW_ASSIGN_OR_RETURN(LoginThrottle by_address, accounts->GetThrottle(address_subject));
  const Timestamp locked_until = std::max(by_login.locked_until, by_address.locked_until);
  if (locked_until > now) {
    return ResourceExhaustedError("too many failed sign-ins; try again after {}",
                                  FormatTimestamp(locked_until));
  }

  PW_ASSIGN_OR_RETURN(auto user, accounts->FindUserByLogin(login));
  bool good = false;
  if (user) {
    good = VerifyPassword(user->password_hash, password) && !user->disabled;
  } else {
    VerifyPassword(DummyHash(), password);
  }
  if (!good) {
    auto fail = [&](LoginThrottle& t, int max) {
      if (t.locked_until.millis != 0 && t.locked_until <= now) t = {t.subject, 0, {}};
      if (++t.failures >= max) {
        t.failures = 0;
        t.locked_until = Timestamp{now.millis + options.lockout_ms};
      }
    };
    fail(by_login, options.max_failures_per_login);
    fail(by_address, options.max_failures_per_address);
    PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(accounts->PutThrottle(by_login));
      return accounts->PutThrottle(by_address);
    }));
    return UnauthenticatedError("wrong login or password");
  }

  LoginResult out;
  out.token = RandomHex(32);
  out.session.user_id = user->id;
  out.session.token_hash = HashSecret(out.token);
  out.session.created = now;
  out.session.expires = Timestamp{now.millis + options.session_ttl_ms};
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(accounts->PutThrottle({login_subject, 0, {}}));
    PW_RETURN_IF_ERROR(accounts->PutThrottle({address_subject, 0, {}}));
    // A hash made with a weaker cost than configured is upgraded while the password is known.
    char str[crypto_pwhash_STRBYTES] = {};
    std::copy_n(user->password_hash.begin(),
                std::min(user->password_hash.size(), sizeof str - 1), str);
    if (crypto_pwhash_str_needs_rehash(str, options.password_cost.ops,
                                       options.password_cost.mem_bytes) == 1) {
      PW_ASSIGN_OR_RETURN(user->password_hash,
                          HashPassword(password, options.password_cost));
      PW_RETURN_IF_ERROR(accounts->UpdateUser(*user));
    }
    return accounts->CreateSession(out.session);
  }));
  out.user = *user;
  return out;
}

Result<Principal> PrincipalForToken(Store& store, std::string_view token, const Clock& clock) {
  static const Status kBad = UnauthenticatedError("session is invalid or expired; sign in again");
  if (token.size() != 64 || !IsHex(token)) return kBad;
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  const std::string hash = HashSecret(token);
  PW_ASSIGN_OR_RETURN(auto session, accounts->FindSession(hash));
  if (!session || session->revoked || session->expires <= clock.Now()) return kBad;
  PW_ASSIGN_OR_RETURN(auto user, accounts->FindUser(session->user_id));
  if (!user || user->disabled) return kBad;
  Principal p = PrincipalOf(*user);
  p.session_hash = hash;
  p.csrf_token = CsrfTokenFor(token);
  return p;
}

Result<Principal> PrincipalForClient(Store& store, std::string_view key, std::string_view secret) {
  static const Status kBad = UnauthenticatedError("wrong client key or secret");
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  PW_ASSIGN_OR_RETURN(auto client, accounts->FindClientByKey(key));
  const std::string hash = HashSecret(secret);
  if (!client || client->disabled || !SecretEquals(hash, client->secret_hash)) return kBad;
  Principal p;
  p.authenticated = true;
  p.is_client = true;
  p.login = "client:" + client->key;
  p.client_key = client->key;
  p.client_scope = client->scope;
  return p;
}

}  // namespace pw::server
