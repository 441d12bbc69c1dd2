// Sign-in endpoints: login (cookie + bearer token), logout, logout everywhere, who am I.
#include <algorithm>

#include <httplib.h>

#include "server/auth.h"
#include "server/json_codec.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

std::string Cookie(std::string_view name, std::string_view value, std::int64_t max_age_s,
                   bool http_only, bool secure) {
  std::string c = fmt::format("{}={}; Path=/; Max-Age={}; SameSite=Strict", name, value, max_age_s);
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

void ClearCookies(const ApiRequest& req, const AuthOptions& options) {
  req.AddHeader("Set-Cookie", Cookie(kSessionCookie, "", 0, true, options.secure_cookies));
  req.AddHeader("Set-Cookie", Cookie(kCsrfCookie, "", 0, false, options.secure_cookies));
}

Result<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    return InvalidArgumentError("request body: \"{}\" must be a string", name);
  }
  return it->get<std::string>();
}

Result<json> DoLogin(const ApiRequest& req, const AuthOptions& options) {
  PW_ASSIGN_OR_RETURN(json body, req.JsonBody());
  if (!body.is_object()) return InvalidArgumentError("request body: expected a JSON object");
  PW_ASSIGN_OR_RETURN(std::string login, StringField(body, "login"));
  PW_ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  req.SetAuditActor(login.substr(0, std::min<std::size_t>(login.size(), 64)));
  Result<LoginResult> result =
      Login(req.store(), login, password, req.http().remote_addr, options, req.clock());
  std::fill(password.begin(), password.end(), '\0');
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kResourceExhausted) {
      req.SetStatus(429);
      req.AddHeader("Retry-After", std::to_string((options.lockout_ms + 999) / 1000));
    }
    return result.status();
  }
  const std::string csrf = CsrfTokenFor(result->token);
  const std::int64_t max_age = options.session_ttl_ms / 1000;
  req.AddHeader("Set-Cookie",
                Cookie(kSessionCookie, result->token, max_age, true, options.secure_cookies));
  req.AddHeader("Set-Cookie", Cookie(kCsrfCookie, csrf, max_age, false, options.secure_cookies));
  req.AddHeader("Cache-Control", "no-store");
  const UserAccount& u = result->user;
  return json{{"token", result->token},
              {"expires", FormatTimestamp(result->session.expires)},
              {"csrf_token", csrf},
              {"user",
               {{"id", u.id},
                {"login", u.login},
                {"role", RoleName(u.role)},
                {"person_id", u.person_id == kNoId ? json(nullptr) : json(u.person_id)}}}};
}

Result<json> DoLogout(const ApiRequest& req, const AuthOptions& options) {
  const Principal& who = req.principal();
  if (who.is_client) return InvalidArgumentError("API clients have no session to end");
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(req.store()));
  PW_RETURN_IF_ERROR(accounts->RevokeSession(who.session_hash));
  ClearCookies(req, options);
  return json{{"signed_out", true}};
}

Result<json> DoLogoutAll(const ApiRequest& req, const AuthOptions& options) {
  const Principal& who = req.principal();
  if (who.is_client) return InvalidArgumentError("API clients have no session to end");
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(req.store()));
  PW_ASSIGN_OR_RETURN(int revoked, accounts->RevokeUserSessions(who.user_id));
  ClearCookies(req, options);
  return json{{"revoked", revoked}};
}

Result<json> Me(const ApiRequest& req) {
  const Principal& who = req.principal();
  if (who.is_client) return json{{"client", who.client_key}, {"scope", who.client_scope}};
  json out = {{"user_id", who.user_id},
              {"login", who.login},
              {"role", RoleName(who.role)},
              {"person_id", who.person_id == kNoId ? json(nullptr) : json(who.person_id)}};
  if (who.person_id != kNoId) {
    Result<Person> person = req.store().GetPerson(who.person_id);
    if (person.ok()) out["person"] = ToJson(*person);
  }
  return out;
}

}  // namespace

std::vector<Route> AuthRoutes(const AuthOptions& options) {
  return {
      {"POST", "/api/v1/auth/login", {Scope::kPublic, true},
       [options](const ApiRequest& req) { return DoLogin(req, options); }},
      {"POST", "/api/v1/auth/logout", {Scope::kSelf, true},
       [options](const ApiRequest& req) { return DoLogout(req, options); }},
      {"POST", "/api/v1/auth/logout-all", {Scope::kSelf, true},
       [options](const ApiRequest& req) { return DoLogoutAll(req, options); }},
      {"GET", "/api/v1/auth/me", {Scope::kSelf}, Me},
  };
}

}  // namespace pw::server
