// The HTTP API: a table of routes, each declaring what it touches, served by one ApiServer that
// wraps every route in the same steps: authenticate -> authorize (one Policy) -> run the handler
// with a pooled Store -> JSON response, or the JSON error of http_error.h.
//
//   ApiServer server(options, pool, clock, std::make_unique<OpenPolicy>());
//   server.AddRoutes(ReadRoutes());
//   PW_ASSIGN_OR_RETURN(int port, server.Bind());
//   PW_RETURN_IF_ERROR(server.Serve());  // until Stop()
//
// Handlers are thin: they parse parameters, call store/model/profile functions and shape JSON.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/roster.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pw::server {

// Who is calling. Authentication fills it in.
struct Principal {
  bool authenticated = false;
  Id user_id = kNoId;
  Id person_id = kNoId;  // the person the account belongs to, if any
  Role role = Role::kStudent;
  std::string login;
  // A signed-in user: how the session token came (a cookie needs CSRF proof on writes), the
  // token's hash (logout) and the CSRF token expected with cookie-authenticated writes.
  bool via_cookie = false;
  std::string session_hash;
  std::string csrf_token;
  // An API client (HTTP Basic): its key and scope ("xapi"); never a person.
  bool is_client = false;
  std::string client_key;
  std::string client_scope;
};

// What a route touches. Every route declares one; the Policy decides from it.
enum class Scope {
  kPublic,     // anyone, unauthenticated included (health)
  kDirectory,  // lists the policy filters to the caller's scope (orgs, classes, students)
  kFramework,  // frameworks and competencies: any signed-in user
  kOrg,        // one organization, id in the first path group
  kClass,      // one class, id in the first path group
  kStudent,    // one student's record, id in the first path group
  kAdmin,      // administrators only
  kSelf,       // any signed-in caller, about itself (auth/me, logout)
  kResearch,   // de-identified research data: researchers and administrators
  kXapi,       // learning-record ingestion: API clients with scope "xapi"
};
std::string_view ScopeName(Scope s);

struct Access {
  Scope scope = Scope::kAdmin;
  bool write = false;            // changes data: audited; cookie callers must prove CSRF
  bool student_in_path = false;  // path group 1 is a student id (audited as that student's)
  bool audited = false;          // audit even a read that is not a kStudent route
};

// Extra response parts a handler may set (cookies, Retry-After, a status such as 429 for
// an error) and the actor the audit log should name for an anonymous request (login).
struct ResponseExtras {
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<int> status;
  std::string audit_actor;
  // Set by a handler that returns a JSON string to send as-is with this type (a printable
  // HTML page); errors stay JSON.
  std::string content_type;
};

// One request as handlers see it.
class ApiRequest {
 public:
  ApiRequest(const httplib::Request& http, Store& store, const Principal& principal,
             const Clock& clock, ResponseExtras* extras = nullptr)
      : http_(http), store_(store), principal_(principal), clock_(clock), extras_(extras) {}

  const httplib::Request& http() const { return http_; }
  Store& store() const { return store_; }
  const Principal& principal() const { return principal_; }
  const Clock& clock() const { return clock_; }

  // The numeric id in path group `index` (1-based, as in the route's regex).
  Result<Id> PathId(std::size_t index = 1) const;
  // Optional integer query parameter within [min, max]; 400 names the parameter.
  Result<std::optional<std::int64_t>> QueryInt(const std::string& name, std::int64_t min,
                                               std::int64_t max) const;
  Result<std::optional<Timestamp>> QueryTime(const std::string& name) const;
  // `after` and `limit` (default 100, at most 1000).
  Result<PageRequest> Paging() const;
  // The body parsed as JSON, with a nesting-depth limit of 64.
  Result<nlohmann::json> JsonBody() const;

  // Response extras (ignored when the request was built without them).
  void AddHeader(std::string name, std::string value) const;
  void SetStatus(int status) const;
  void SetAuditActor(std::string actor) const;
  // The handler's result is a JSON string to send raw with this Content-Type.
  void SetRawContentType(std::string content_type) const;
  std::string AuditActor() const { return extras_ ? extras_->audit_actor : std::string(); }

 private:
  const httplib::Request& http_;
  Store& store_;
  const Principal& principal_;
  const Clock& clock_;
  ResponseExtras* extras_;
};

using Handler = std::function<Result<nlohmann::json>(const ApiRequest&)>;

// A response a raw handler shapes itself (xAPI: documents of any content type, multipart
// bodies, empty 204s). An empty content_type sends no body.
struct RawResponse {
  int status = 200;
  std::string content_type = {};
  std::string body = {};
};
using RawHandler = std::function<Result<RawResponse>(const ApiRequest&)>;

// A GET route also answers HEAD (same headers, no body).
struct Route {
  std::string method;   // "GET", "POST", "PUT", "DELETE"
  std::string pattern;  // regex over the path, e.g. R"(/api/v1/students/(\d+))"
  Access access;
  Handler handler = nullptr;  // JSON routes
  int success_status = 200;
  RawHandler raw = nullptr;  // set instead of `handler` by routes that shape their own body
  // Headers sent with every response of the route, errors and refusals included.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // A POST route that also accepts the xAPI alternate request syntax (Communication 1.3):
  // POST <pattern>?method=GET|PUT|POST|DELETE with the headers, parameters and body as form
  // fields, run as the route of that method and pattern (same authentication and policy).
  bool alternate_syntax = false;
};

// Authentication and authorization, decided in one place for every route.
class Policy {
 public:
  virtual ~Policy() = default;
  // Who is calling (an anonymous Principal when no credentials are sent). Bad credentials are
  // Unauthenticated.
  virtual Result<Principal> Authenticate(const httplib::Request& req, Store& store) = 0;
  // OK, or Unauthenticated / PermissionDenied / NotFound (where existence must not leak).
  virtual Status Authorize(const Principal& who, const Access& access, const ApiRequest& req) = 0;
  // Records one finished request in the audit log when the route calls for it (kStudent
  // routes, writes, `audited`). A failure here turns the response into a 500: a read that
  // cannot be logged is not served. The default records nothing.
  virtual Status Audit(const Principal& who, const Route& route, const ApiRequest& req,
                       int status) {
    (void)who, (void)route, (void)req, (void)status;
    return OkStatus();
  }
};

// The policy before accounts exist: everything is allowed. Only for a server bound to loopback
// (`pathwise serve` refuses other hosts while it is in use).
class OpenPolicy final : public Policy {
 public:
  Result<Principal> Authenticate(const httplib::Request& req, Store& store) override;
  Status Authorize(const Principal& who, const Access& access, const ApiRequest& req) override;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0 picks a free port (see Bind)
  int threads = 8;                       // worker threads; the store pool has as many connections
  std::size_t max_body_bytes = 8 << 20;  // larger bodies get 413
  std::string static_dir;                // the web app, served at / when set
};

class ApiServer {
 public:
  ApiServer(ServerOptions options, StorePool& pool, const Clock& clock,
            std::unique_ptr<Policy> policy);
  ~ApiServer();

  void AddRoutes(std::vector<Route> routes);
  const std::vector<Route>& routes() const { return routes_; }

  // Binds the listening socket; returns the port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop() is called (from any thread). Bind() first.
  Status Serve();
  // Stops the server; safe from any thread at any time, also before Serve() has started
  // listening (Serve() then returns at once).
  void Stop();
  bool running() const;

 private:
  void Install(const Route& route);
  void Handle(const Route& route, const httplib::Request& req, httplib::Response& res);
  ServerOptions options_;
  StorePool& pool_;
  const Clock& clock_;
  std::unique_ptr<Policy> policy_;
  std::vector<Route> routes_;
  std::unique_ptr<httplib::Server> http_;
  bool bound_ = false;
  std::atomic<bool> serving_{false};
  std::atomic<bool> stop_requested_{false};
};

// GET /api/v1/health and the read endpoints for organizations, classes, students,
// frameworks/competencies and a student's evidence.
std::vector<Route> ReadRoutes();

}  // namespace pw::server
