#include "server/api.h"

#include <charconv>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "server/http_error.h"

namespace pw::server {
namespace {

constexpr int kMaxJsonDepth = 64;

// Deepest nesting of [ and { outside strings; parsing is not attempted past the limit.
int JsonDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    else if (c == ']' || c == '}') --depth;
  }
  return max_depth;
}

Result<std::int64_t> ParseInt(const std::string& text, const std::string& what) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError("{}: expected an integer, got \"{}\"", what, text);
  }
  return v;
}

// RFC 7231 requires a Date header from origin servers (xAPI clients compare it with
// X-Experience-API-Consistent-Through).
std::string HttpDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kPublic: return "public";
    case Scope::kDirectory: return "directory";
    case Scope::kFramework: return "framework";
    case Scope::kOrg: return "org";
    case Scope::kClass: return "class";
    case Scope::kStudent: return "student";
    case Scope::kAdmin: return "admin";
    case Scope::kSelf: return "self";
    case Scope::kResearch: return "research";
    case Scope::kXapi: return "xapi";
  }
  return "?";
}

Result<Id> ApiRequest::PathId(std::size_t index) const {
  if (index >= http_.matches.size()) return InternalError("route has no path group {}", index);
  return ParseInt(http_.matches[index].str(), "path id");
}

Result<std::optional<std::int64_t>> ApiRequest::QueryInt(const std::string& name, std::int64_t min,
                                                         std::int64_t max) const {
  if (!http_.has_param(name)) return std::optional<std::int64_t>();
  PW_ASSIGN_OR_RETURN(std::int64_t v, ParseInt(http_.get_param_value(name), "query parameter " + name));
  if (v < min || v > max) {
    return InvalidArgumentError("query parameter {}: must be between {} and {}, got {}", name, min,
                                max, v);
  }
  return std::optional<std::int64_t>(v);
}

Result<std::optional<Timestamp>> ApiRequest::QueryTime(const std::string& name) const {
  if (!http_.has_param(name)) return std::optional<Timestamp>();
  Result<Timestamp> t = ParseTimestamp(http_.get_param_value(name));
  if (!t.ok()) return t.status().WithPrefix("query parameter " + name);
  return std::optional<Timestamp>(*t);
}

Result<PageRequest> ApiRequest::Paging() const {
  PageRequest page;
  PW_ASSIGN_OR_RETURN(auto after, QueryInt("after", 0, INT64_MAX));
  PW_ASSIGN_OR_RETURN(auto limit, QueryInt("limit", 1, 1000));
  if (after) page.after = *after;
  if (limit) page.limit = static_cast<int>(*limit);
  return page;
}

Result<nlohmann::json> ApiRequest::JsonBody() const {
  if (JsonDepth(http_.body) > kMaxJsonDepth) {
    return InvalidArgumentError("request body: JSON nested deeper than {} levels", kMaxJsonDepth);
  }
  nlohmann::json body = nlohmann::json::parse(http_.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return InvalidArgumentError("request body: not valid JSON");
  return body;
}

void ApiRequest::AddHeader(std::string name, std::string value) const {
  if (extras_) extras_->headers.emplace_back(std::move(name), std::move(value));
}

void ApiRequest::SetStatus(int status) const {
  if (extras_) extras_->status = status;
}

void ApiRequest::SetRawContentType(std::string content_type) const {
  if (extras_) extras_->content_type = std::move(content_type);
}

void ApiRequest::SetAuditActor(std::string actor) const {
  if (extras_) extras_->audit_actor = std::move(actor);
}

Result<Principal> OpenPolicy::Authenticate(const httplib::Request&, Store&) {
  Principal p;
  p.authenticated = true;
  p.role = Role::kAdministrator;
  p.login = "local";
  return p;
}

Status OpenPolicy::Authorize(const Principal&, const Access&, const ApiRequest&) {
  return OkStatus();
}

ApiServer::ApiServer(ServerOptions options, StorePool& pool, const Clock& clock,
                     std::unique_ptr<Policy> policy)
    : options_(std::move(options)),
      pool_(pool),
      clock_(clock),
      policy_(std::move(policy)),
      http_(std::make_unique<httplib::Server>()) {
  const int threads = std::max(1, options_.threads);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_keep_alive_max_count(1000);
  // Unknown paths, oversized bodies and other errors httplib raises itself get our JSON shape.
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Status s = res.status == 404 ? NotFoundError("no such endpoint: {} {}", req.method, req.path)
               : res.status == 413
                   ? ResourceExhaustedError("request body is larger than the server accepts")
                   : InvalidArgumentError("bad request");
    res.set_content(ErrorBody(s).dump(), "application/json");
  });
  http_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("{} {}: unhandled exception: {}", req.method, req.path, what);
        SendJson(res, 500, ErrorBody(InternalError(what)));
      });
  if (!options_.static_dir.empty()) http_->set_mount_point("/", options_.static_dir);
}

ApiServer::~ApiServer() = default;

void ApiServer::AddRoutes(std::vector<Route> routes) {
  for (Route& r : routes) {
    Install(r);
    routes_.push_back(std::move(r));
  }
}

void ApiServer::Handle(const Route& route, const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  int status = route.success_status;
  nlohmann::json body;
  std::optional<RawResponse> raw;
  Status failure;
  ResponseExtras extras;
  {
    StorePool::Lease store = pool_.Acquire();
    Result<Principal> who = policy_->Authenticate(req, *store);
    // Stale or bad credentials do not lock anyone out of the public routes (health, login).
    if (!who.ok() && route.access.scope == Scope::kPublic) who = Principal();
    const Principal caller = who.ok() ? *who : Principal();
    ApiRequest api(req, *store, caller, clock_, &extras);
    if (!who.ok()) {
      failure = who.status();
    } else {
      failure = policy_->Authorize(caller, route.access, api);
      if (failure.ok() && route.raw) {
        Result<RawResponse> result = route.raw(api);
        if (result.ok()) {
          raw = std::move(result).value();
          status = raw->status;
        } else {
          failure = result.status();
        }
      } else if (failure.ok()) {
        Result<nlohmann::json> result = route.handler(api);
        if (result.ok()) {
          body = std::move(result).value();
        } else {
          failure = result.status();
        }
      }
    }
    // Refusals are recorded too (a bad token on a student route as "anonymous").
    const int outcome =
        failure.ok() ? status : extras.status.value_or(HttpStatusFor(failure.code()));
    Status audited = policy_->Audit(caller, route, api, outcome);
    if (!audited.ok()) {
      spdlog::error("{} {}: audit log write failed: {}", req.method, req.path,
                    audited.ToString());
      failure = InternalError("audit log write failed");
      extras = ResponseExtras();
    }
  }
  if (!failure.ok()) {
    raw.reset();
    status = HttpStatusFor(failure.code());
    if (status >= 500) spdlog::error("{} {}: {}", req.method, req.path, failure.ToString());
    body = ErrorBody(failure);
  }
  if (extras.status) status = *extras.status;
  for (const auto& [name, value] : route.headers) res.set_header(name, value);
  for (auto& [name, value] : extras.headers) res.set_header(name, value);
  res.set_header("Date", HttpDateNow());
  if (raw) {
    res.status = status;
    if (!raw->content_type.empty()) res.set_content(std::move(raw->body), raw->content_type);
  } else if (failure.ok() && !extras.content_type.empty() && body.is_string()) {
    res.status = status;  // a JSON handler's page sent as-is (the printable report)
    res.set_content(body.get<std::string>(), extras.content_type);
  } else {
    SendJson(res, status, body);
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The path only: query strings may carry values that do not belong in logs.
  spdlog::debug("{} {} {} {:.2f}ms", req.method, req.path, status, ms);
}

// The xAPI alternate request syntax: the request a POST ?method=M with form fields stands for.
// InvalidArgument when it carries anything the syntax does not allow.
Result<httplib::Request> AlternateRequest(const httplib::Request& post) {
  httplib::Params url_params;
  const std::size_t q = post.target.find('?');
  if (q != std::string::npos) httplib::detail::parse_query_text(post.target.substr(q + 1), url_params);
  for (const auto& [name, value] : url_params) {
    (void)value;
    if (name != "method") {
      return InvalidArgumentError(
          "alternate request syntax: query parameter {} must be sent as a form field", name);
    }
  }
  const std::string method = post.get_param_value("method");
  if (method != "GET" && method != "PUT" && method != "POST" && method != "DELETE") {
    return InvalidArgumentError("alternate request syntax: method must be GET, PUT, POST or DELETE");
  }
  if (post.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    return InvalidArgumentError(
        "alternate request syntax: Content-Type must be application/x-www-form-urlencoded");
  }
  httplib::Params form;
  httplib::detail::parse_query_text(post.body, form);
  httplib::Request out;
  out.headers = post.headers;  // form fields below override these
  out.headers.erase("Content-Type");
  out.headers.erase("Content-Length");
  out.method = method;
  out.path = post.path;
  out.remote_addr = post.remote_addr;
  out.matches = post.matches;
  static const std::set<std::string> kHeaders = {"Authorization", "X-Experience-API-Version",
                                                 "Content-Type", "Content-Length", "If-Match",
                                                 "If-None-Match"};
  bool has_content = false;
  for (const auto& [name, value] : form) {
    if (kHeaders.contains(name)) {
      out.headers.erase(name);
      out.headers.emplace(name, value);
    } else if (name == "content") {
      out.body = value;
      has_content = true;
    } else {
      out.params.emplace(name, value);
    }
  }
  if ((method == "PUT" || method == "POST") && !has_content) {
    return InvalidArgumentError("alternate request syntax: {} needs a form field \"content\"", method);
  }
  return out;
}

void ApiServer::Install(const Route& route) {
  auto handler = [this, route](const httplib::Request& req, httplib::Response& res) {
    if (route.alternate_syntax && req.has_param("method")) {
      Result<httplib::Request> alt = AlternateRequest(req);
      if (!alt.ok()) {
        for (const auto& [name, value] : route.headers) res.set_header(name, value);
        SendJson(res, 400, ErrorBody(alt.status()));
        return;
      }
      for (const Route& r : routes_) {
        if (r.method == alt->method && r.pattern == route.pattern) return Handle(r, *alt, res);
      }
      for (const auto& [name, value] : route.headers) res.set_header(name, value);
      SendJson(res, 405, ErrorBody(InvalidArgumentError("{} is not supported on {}", alt->method,
                                                        route.pattern)));
      return;
    }
    Handle(route, req, res);
  };
  if (route.method == "GET") {
    http_->Get(route.pattern, handler);
  } else if (route.method == "POST") {
    http_->Post(route.pattern, handler);
  } else if (route.method == "PUT") {
    http_->Put(route.pattern, handler);
  } else if (route.method == "DELETE") {
    http_->Delete(route.pattern, handler);
  } else if (route.method == "PATCH") {
    http_->Patch(route.pattern, handler);
  } else if (route.method == "OPTIONS") {
    http_->Options(route.pattern, handler);
  }
}

Result<int> ApiServer::Bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
    if (port < 0) return UnavailableError("cannot bind {} to any port", options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    return UnavailableError("cannot listen on {}:{} (is another server running there?)",
                            options_.host, port);
  }
  bound_ = true;
  return port;
}

Status ApiServer::Serve() {
  if (!bound_) return FailedPreconditionError("Serve() before Bind()");
  serving_ = true;
  bool ok = stop_requested_ || http_->listen_after_bind() || stop_requested_;
  serving_ = false;
  if (!ok) return InternalError("the HTTP server stopped with an error");
  return OkStatus();
}

void ApiServer::Stop() {
  // httplib's stop() does nothing until the listener runs, so a Stop() that races with Serve()
  // waits for the listener (both flags are sequentially consistent: one side sees the other).
  stop_requested_ = true;
  for (int i = 0; i < 5000 && serving_ && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  http_->stop();
}

bool ApiServer::running() const { return http_->is_running(); }

}  // namespace pw::server
