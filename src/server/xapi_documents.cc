// The document resources (state, activity profile, agent profile), /xapi/agents,
// /xapi/activities and /xapi/about (server/xapi_routes.h).
#include <httplib.h>

#include "ingest/xapi_statement.h"
#include "server/xapi_http.h"
#include "server/xapi_routes.h"
#include "store/xapi_store.h"

namespace pw::server {

std::vector<Route> XapiStatementRoutes();  // xapi_statements.cc

namespace {

using json = nlohmann::json;
using namespace xapi_http;

std::string Unquote(std::string s) {
  if (s.starts_with("W/")) s.erase(0, 2);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// If-Match / If-None-Match against the current document; 412 on a failed precondition.
Status CheckPreconditions(const ApiRequest& req, const std::optional<XapiDocument>& doc) {
  const httplib::Request& http = req.http();
  if (http.has_header("If-Match")) {
    const std::string want = http.get_header_value("If-Match");
    if (!doc || (want != "*" && Unquote(want) != doc->etag)) {
      req.SetStatus(412);
      return FailedPreconditionError("If-Match: the document's ETag is not {}", want);
    }
  }
  if (http.has_header("If-None-Match")) {
    const std::string want = http.get_header_value("If-None-Match");
    if (doc && (want == "*" || Unquote(want) == doc->etag)) {
      req.SetStatus(412);
      return FailedPreconditionError("If-None-Match: the document exists (ETag \"{}\")", doc->etag);
    }
  }
  return OkStatus();
}

struct DocRequest {
  XapiDocKey key;
  std::optional<Timestamp> since;
};

// Reads the key parameters of a document request. `id_param` is stateId or profileId.
Result<DocRequest> ReadKey(const ApiRequest& req, XapiDocKind kind, bool id_required,
                           bool allow_since) {
  const char* id_param = kind == XapiDocKind::kState ? "stateId" : "profileId";
  std::set<std::string> allowed = {id_param};
  if (kind != XapiDocKind::kAgentProfile) allowed.insert("activityId");
  if (kind != XapiDocKind::kActivityProfile) allowed.insert("agent");
  if (kind == XapiDocKind::kState) allowed.insert("registration");
  if (allow_since) allowed.insert("since");
  PW_RETURN_IF_ERROR(CheckRequest(req, allowed));
  DocRequest out;
  out.key.kind = kind;
  if (kind != XapiDocKind::kAgentProfile) {
    PW_ASSIGN_OR_RETURN(auto activity, IriParam(req, "activityId"));
    if (!activity) return InvalidArgumentError("query parameter activityId: required");
    out.key.activity_id = *activity;
  }
  if (kind != XapiDocKind::kActivityProfile) {
    PW_ASSIGN_OR_RETURN(out.key.agent_key, AgentParam(req, "agent", true));
  }
  if (kind == XapiDocKind::kState) {
    PW_ASSIGN_OR_RETURN(auto reg, UuidParam(req, "registration"));
    out.key.registration = reg.value_or("");
  }
  std::optional<std::string> id = Param(req, id_param);
  if (id_required && !id) return InvalidArgumentError("query parameter {}: required", id_param);
  out.key.doc_id = id.value_or("");
  if (allow_since) {
    PW_ASSIGN_OR_RETURN(out.since, TimeParam(req, "since"));
    if (out.since && id) {
      return InvalidArgumentError("query parameter since: only without {}", id_param);
    }
  }
  return out;
}

std::string ContentType(const ApiRequest& req) {
  std::string t = req.http().get_header_value("Content-Type");
  return t.empty() ? "application/octet-stream" : t;
}

RawResponse NoContent() { return RawResponse{.status = 204}; }

Result<RawResponse> PutDoc(const ApiRequest& req, XapiDocKind kind) {
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(DocRequest d, ReadKey(req, kind, true, false));
  PW_ASSIGN_OR_RETURN(std::optional<XapiDocument> existing, lrs->GetDocument(d.key));
  PW_RETURN_IF_ERROR(CheckPreconditions(req, existing));
  if (kind != XapiDocKind::kState && !req.http().has_header("If-Match") &&
      !req.http().has_header("If-None-Match")) {
    if (existing) {
      return FailedPreconditionError(
          "the document exists: send If-Match with its ETag to overwrite it");
    }
    return InvalidArgumentError(
        "a profile PUT needs If-Match (to replace) or If-None-Match: * (to create)");
  }
  XapiDocument doc{.content = req.http().body, .content_type = ContentType(req),
                   .etag = Sha1Hex(req.http().body), .updated = req.clock().Now()};
  PW_RETURN_IF_ERROR(lrs->PutDocument(d.key, doc));
  return NoContent();
}

Result<RawResponse> PostDoc(const ApiRequest& req, XapiDocKind kind) {
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(DocRequest d, ReadKey(req, kind, true, false));
  PW_ASSIGN_OR_RETURN(std::optional<XapiDocument> existing, lrs->GetDocument(d.key));
  PW_RETURN_IF_ERROR(CheckPreconditions(req, existing));
  if (MediaType(ContentType(req)) != "application/json") {
    return InvalidArgumentError("Content-Type: POST merges JSON documents; expected application/json");
  }
  json incoming = json::parse(req.http().body, nullptr, false);
  if (incoming.is_discarded() || !incoming.is_object()) {
    return InvalidArgumentError("request body: POST merges JSON documents; expected a JSON object");
  }
  json merged = incoming;
  if (existing) {
    json old = json::parse(existing->content, nullptr, false);
    if (MediaType(existing->content_type) != "application/json" || old.is_discarded() ||
        !old.is_object()) {
      return InvalidArgumentError("the stored document is not a JSON object; it cannot be merged");
    }
    merged = old;
    for (auto it = incoming.begin(); it != incoming.end(); ++it) merged[it.key()] = it.value();
  }
  const std::string content = merged.dump();
  XapiDocument doc{.content = content, .content_type = "application/json",
                   .etag = Sha1Hex(content), .updated = req.clock().Now()};
  PW_RETURN_IF_ERROR(lrs->PutDocument(d.key, doc));
  return NoContent();
}

Result<RawResponse> GetDoc(const ApiRequest& req, XapiDocKind kind) {
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(DocRequest d, ReadKey(req, kind, false, true));
  if (d.key.doc_id.empty()) {
    PW_ASSIGN_OR_RETURN(std::vector<std::string> ids, lrs->ListDocumentIds(d.key, d.since));
    return RawResponse{.status = 200, .content_type = "application/json", .body = json(ids).dump()};
  }
  PW_ASSIGN_OR_RETURN(std::optional<XapiDocument> doc, lrs->GetDocument(d.key));
  if (!doc) return NotFoundError("no document {}", d.key.doc_id);
  req.AddHeader("ETag", "\"" + doc->etag + "\"");
  req.AddHeader("Last-Modified", HttpDate(doc->updated));
  return RawResponse{.status = 200, .content_type = doc->content_type, .body = doc->content};
}

Result<RawResponse> DeleteDoc(const ApiRequest& req, XapiDocKind kind) {
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(DocRequest d, ReadKey(req, kind, kind != XapiDocKind::kState, false));
  if (!d.key.doc_id.empty()) {
    PW_ASSIGN_OR_RETURN(std::optional<XapiDocument> existing, lrs->GetDocument(d.key));
    PW_RETURN_IF_ERROR(CheckPreconditions(req, existing));
  }
  PW_RETURN_IF_ERROR(lrs->DeleteDocuments(d.key));
  return NoContent();
}

Result<RawResponse> GetAgents(const ApiRequest& req) {
  PW_RETURN_IF_ERROR(CheckRequest(req, {"agent"}));
  json agent;
  PW_RETURN_IF_ERROR(AgentParam(req, "agent", true, &agent).status());
  json person = {{"objectType", "Person"}};
  if (agent.contains("name")) person["name"] = json::array({agent["name"]});
  for (const char* k : {"mbox", "mbox_sha1sum", "openid", "account"}) {
    if (agent.contains(k)) person[k] = json::array({agent[k]});
  }
  return RawResponse{.status = 200, .content_type = "application/json", .body = person.dump()};
}

Result<RawResponse> GetActivity(const ApiRequest& req) {
  PW_RETURN_IF_ERROR(CheckRequest(req, {"activityId"}));
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(auto id, IriParam(req, "activityId"));
  if (!id) return InvalidArgumentError("query parameter activityId: required");
  PW_ASSIGN_OR_RETURN(std::optional<std::string> stored, lrs->GetActivityDefinition(*id));
  json activity = {{"objectType", "Activity"}, {"id", *id}};
  if (stored) {
    json s = json::parse(*stored, nullptr, false);
    if (!s.is_discarded() && s.contains("definition")) activity["definition"] = s["definition"];
  }
  return RawResponse{.status = 200, .content_type = "application/json", .body = activity.dump()};
}

// GET /api/v1/xapi/unmapped?limit=N (administrators): the statements that did not become
// evidence, newest first, with the reason, and how many there are in all.
Result<json> ListUnmapped(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  PW_ASSIGN_OR_RETURN(auto limit, req.QueryInt("limit", 1, 1000));
  PW_ASSIGN_OR_RETURN(std::vector<XapiStatementRow> rows, lrs->ListUnmapped(limit.value_or(100)));
  PW_ASSIGN_OR_RETURN(std::int64_t count, lrs->CountUnmapped());
  json items = json::array();
  for (const XapiStatementRow& r : rows) {
    items.push_back({{"id", r.id}, {"stored", FormatTimestamp(r.stored)}, {"reason", r.unmapped_reason}});
  }
  return json{{"count", count}, {"items", items}};
}

Result<RawResponse> GetAbout(const ApiRequest&) {
  json about = {{"version", {"1.0.3", "1.0.2", "1.0.1", "1.0.0"}},
                {"extensions", {{"urn:pathwise:lrs", "Pathwise"}}}};
  return RawResponse{.status = 200, .content_type = "application/json", .body = about.dump()};
}

}  // namespace

std::vector<Route> XapiRoutes() {
  std::vector<Route> routes = XapiStatementRoutes();
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Experience-API-Version", std::string(xapi::kVersion)}};
  const Access read{.scope = Scope::kXapi};
  const Access write{.scope = Scope::kXapi, .write = true};
  const std::pair<const char*, XapiDocKind> docs[] = {
      {"/xapi/activities/state", XapiDocKind::kState},
      {"/xapi/activities/profile", XapiDocKind::kActivityProfile},
      {"/xapi/agents/profile", XapiDocKind::kAgentProfile}};
  for (const auto& [path, kind] : docs) {
    const XapiDocKind k = kind;
    routes.push_back({.method = "PUT", .pattern = path, .access = write,
                      .raw = [k](const ApiRequest& r) { return PutDoc(r, k); }, .headers = headers});
    routes.push_back({.method = "POST", .pattern = path, .access = write,
                      .raw = [k](const ApiRequest& r) { return PostDoc(r, k); }, .headers = headers,
                      .alternate_syntax = true});
    routes.push_back({.method = "GET", .pattern = path, .access = read,
                      .raw = [k](const ApiRequest& r) { return GetDoc(r, k); }, .headers = headers});
    routes.push_back({.method = "DELETE", .pattern = path, .access = write,
                      .raw = [k](const ApiRequest& r) { return DeleteDoc(r, k); }, .headers = headers});
  }
  routes.push_back({.method = "GET", .pattern = "/xapi/agents", .access = read, .raw = GetAgents,
                    .headers = headers});
  routes.push_back({.method = "GET", .pattern = "/xapi/activities", .access = read,
                    .raw = GetActivity, .headers = headers});
  routes.push_back({.method = "GET", .pattern = "/api/v1/xapi/unmapped",
                    .access = {.scope = Scope::kAdmin}, .handler = ListUnmapped});
  routes.push_back({.method = "GET", .pattern = "/xapi/about", .access = {.scope = Scope::kPublic},
                    .raw = GetAbout, .headers = headers});
  return routes;
}

}  // namespace pw::server
