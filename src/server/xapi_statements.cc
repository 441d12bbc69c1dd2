// /xapi/statements: PUT, POST and GET (server/xapi_routes.h).
#include <httplib.h>

#include "ingest/xapi_mapping.h"
#include "ingest/xapi_statement.h"
#include "server/xapi_http.h"
#include "server/xapi_routes.h"
#include "server/xapi_service.h"
#include "store/xapi_store.h"

namespace pw::server {
namespace {

using json = nlohmann::json;
using namespace xapi_http;

constexpr int kMaxLimit = 500;

// The statements (and attachment payloads) of a PUT/POST body: JSON or multipart/mixed.
Result<StatementBatch> ReadBatch(const ApiRequest& req, bool allow_array) {
  StatementBatch batch;
  const std::string type = MediaType(req.http().get_header_value("Content-Type"));
  std::string json_text;
  if (type == "multipart/mixed") {
    PW_ASSIGN_OR_RETURN(std::vector<Part> parts,
                        ParseMultipart(req.http().get_header_value("Content-Type"), req.http().body));
    if (parts.empty()) return InvalidArgumentError("multipart body: no parts");
    if (MediaType(parts[0].headers["content-type"]) != "application/json") {
      return InvalidArgumentError("multipart body: the first part must be application/json");
    }
    json_text = parts[0].body;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto hash = parts[i].headers.find("x-experience-api-hash");
      if (hash == parts[i].headers.end()) {
        return InvalidArgumentError("multipart part {}: X-Experience-API-Hash header is required", i);
      }
      if (parts[i].headers.find("content-transfer-encoding") == parts[i].headers.end() ||
          parts[i].headers["content-transfer-encoding"] != "binary") {
        return InvalidArgumentError(
            "multipart part {}: Content-Transfer-Encoding: binary is required", i);
      }
      if (Sha256Hex(parts[i].body) != hash->second && Sha256Hex(parts[i].body) != NormalizeUuid(hash->second)) {
        return InvalidArgumentError("multipart part {}: content does not match its hash {}", i,
                                    hash->second);
      }
      batch.payloads[hash->second] = std::move(parts[i].body);
    }
  } else if (type == "application/json" || type.empty()) {
    json_text = req.http().body;
  } else {
    return InvalidArgumentError("Content-Type: expected application/json or multipart/mixed, got \"{}\"",
                                type);
  }
  json body = json::parse(json_text, nullptr, false);
  if (body.is_discarded()) return InvalidArgumentError("request body: not valid JSON");
  if (body.is_array()) {
    if (!allow_array) return InvalidArgumentError("request body: PUT takes one statement, not an array");
    batch.is_batch = true;
    for (json& s : body) batch.statements.push_back(std::move(s));
  } else if (body.is_object()) {
    batch.statements.push_back(std::move(body));
  } else {
    return InvalidArgumentError("request body: expected a statement or an array of statements");
  }
  return batch;
}

Result<xapi::XapiMapping> MappingFor(const ApiRequest& req) {
  return xapi::LoadXapiMapping(req.store(), req.principal().client_key);
}

json Authority(const ApiRequest& req) {
  if (req.principal().is_client) return ClientAuthority(req.principal().client_key);
  return json{{"objectType", "Agent"},
              {"account", {{"homePage", "urn:pathwise:user"}, {"name", req.principal().login}}}};
}

Result<RawResponse> PutStatement(const ApiRequest& req) {
  PW_RETURN_IF_ERROR(CheckRequest(req, {"statementId"}));
  PW_RETURN_IF_ERROR(LrsOf(req).status());
  PW_ASSIGN_OR_RETURN(std::optional<std::string> id, UuidParam(req, "statementId"));
  if (!id) return InvalidArgumentError("query parameter statementId: required");
  PW_ASSIGN_OR_RETURN(StatementBatch batch, ReadBatch(req, false));
  json& s = batch.statements[0];
  if (s.contains("id")) {
    if (!s["id"].is_string() || NormalizeUuid(s["id"].get<std::string>()) != *id) {
      return InvalidArgumentError("statement.id: {} differs from statementId {}", s["id"].dump(), *id);
    }
  } else {
    s["id"] = *id;
  }
  batch.authority = Authority(req);
  PW_ASSIGN_OR_RETURN(xapi::XapiMapping mapping, MappingFor(req));
  PW_RETURN_IF_ERROR(StoreStatements(req.store(), batch, mapping, req.clock()).status());
  return RawResponse{.status = 204};
}

Result<RawResponse> PostStatements(const ApiRequest& req) {
  PW_RETURN_IF_ERROR(CheckRequest(req, {}));
  PW_RETURN_IF_ERROR(LrsOf(req).status());
  PW_ASSIGN_OR_RETURN(xapi::XapiMapping mapping, MappingFor(req));
  const std::string type = MediaType(req.http().get_header_value("Content-Type"));
  if (type == "application/json" || type.empty()) {
    // The bulk path; when it does not apply, the general one below names the problem.
    PW_ASSIGN_OR_RETURN(std::optional<StoredBatch> fast,
                        StoreStatementsText(req.store(), req.http().body, Authority(req), mapping,
                                            req.clock()));
    if (fast) {
      return RawResponse{.status = 200, .content_type = "application/json",
                         .body = json(fast->ids).dump()};
    }
  }
  PW_ASSIGN_OR_RETURN(StatementBatch batch, ReadBatch(req, true));
  batch.authority = Authority(req);
  PW_ASSIGN_OR_RETURN(StoredBatch stored, StoreStatements(req.store(), batch, mapping, req.clock()));
  return RawResponse{.status = 200, .content_type = "application/json",
                     .body = json(stored.ids).dump()};
}

// Splits the Accept-Language header into tags, best first (q-values ignored but order kept).
std::vector<std::string> Languages(const ApiRequest& req) {
  std::vector<std::string> out;
  std::string header = req.http().get_header_value("Accept-Language");
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string tag = header.substr(pos, end - pos);
    tag = tag.substr(0, tag.find(';'));
    while (!tag.empty() && tag.front() == ' ') tag.erase(0, 1);
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (!tag.empty()) out.push_back(tag);
    pos = end + 1;
  }
  return out;
}

Result<std::string> Formatted(const std::string& stored_json, const std::string& format,
                              const std::vector<std::string>& languages) {
  if (format == "exact") return stored_json;
  json s = json::parse(stored_json, nullptr, false);
  if (s.is_discarded()) return InternalError("stored statement is not valid JSON");
  if (format == "ids") return xapi::IdsFormat(s).dump();
  return xapi::CanonicalFormat(s, languages).dump();
}

void CollectShas(const json& s, std::set<std::string>* shas) {
  if (s.contains("attachments")) {
    for (const json& a : s["attachments"]) shas->insert(a["sha2"].get<std::string>());
  }
}

// The statements result as JSON, or as multipart/mixed with the attachments when asked.
Result<RawResponse> Respond(const ApiRequest& req, const std::string& json_body,
                            const std::vector<std::string>& statement_jsons, bool attachments) {
  if (!attachments) return RawResponse{.status = 200, .content_type = "application/json", .body = json_body};
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  std::set<std::string> shas;
  for (const std::string& text : statement_jsons) {
    json s = json::parse(text, nullptr, false);
    if (!s.is_discarded()) CollectShas(s, &shas);
  }
  const std::string boundary = "xapi-" + NewUuid();
  std::string body = "--" + boundary + "\r\nContent-Type: application/json\r\n\r\n" + json_body + "\r\n";
  for (const std::string& sha : shas) {
    PW_ASSIGN_OR_RETURN(std::optional<XapiAttachment> a, lrs->GetAttachment(sha));
    if (!a) continue;  // fileUrl-only
    body += "--" + boundary + "\r\nContent-Type: " + a->content_type +
            "\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: " + sha + "\r\n\r\n" +
            a->content + "\r\n";
  }
  body += "--" + boundary + "--";
  return RawResponse{.status = 200, .content_type = "multipart/mixed; boundary=" + boundary,
                     .body = std::move(body)};
}

Result<RawResponse> GetStatements(const ApiRequest& req) {
  req.AddHeader("X-Experience-API-Consistent-Through", FormatTimestamp(req.clock().Now()));
  PW_RETURN_IF_ERROR(CheckRequest(
      req, {"statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
            "related_activities", "related_agents", "since", "until", "limit", "format",
            "attachments", "ascending", "cursor", "through"}));
  PW_ASSIGN_OR_RETURN(XapiStore * lrs, LrsOf(req));
  const std::string format = Param(req, "format").value_or("exact");
  if (format != "exact" && format != "ids" && format != "canonical") {
    return InvalidArgumentError("query parameter format: expected exact, ids or canonical, got \"{}\"",
                                format);
  }
  PW_ASSIGN_OR_RETURN(bool attachments, BoolParam(req, "attachments"));
  const std::vector<std::string> languages = Languages(req);
  PW_ASSIGN_OR_RETURN(auto statement_id, UuidParam(req, "statementId"));
  PW_ASSIGN_OR_RETURN(auto voided_id, UuidParam(req, "voidedStatementId"));
  if (statement_id || voided_id) {
    if (statement_id && voided_id) {
      return InvalidArgumentError("statementId and voidedStatementId cannot be used together");
    }
    for (const auto& [name, value] : req.http().params) {
      (void)value;
      if (name != "statementId" && name != "voidedStatementId" && name != "format" &&
          name != "attachments") {
        return InvalidArgumentError(
            "query parameter {}: not allowed with statementId or voidedStatementId", name);
      }
    }
    PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> row,
                        lrs->GetStatement(statement_id ? *statement_id : *voided_id));
    if (!row || row->voided != voided_id.has_value()) {
      return NotFoundError("no {}statement {}", voided_id ? "voided " : "",
                           statement_id ? *statement_id : *voided_id);
    }
    req.AddHeader("Last-Modified", HttpDate(row->stored));
    PW_ASSIGN_OR_RETURN(std::string text, Formatted(row->json, format, languages));
    return Respond(req, text, {row->json}, attachments);
  }
  XapiStatementQuery q;
  json agent;
  PW_ASSIGN_OR_RETURN(std::string agent_key, AgentParam(req, "agent", false, &agent));
  if (!agent_key.empty()) q.agent_key = agent_key;
  PW_ASSIGN_OR_RETURN(q.verb_id, IriParam(req, "verb"));
  PW_ASSIGN_OR_RETURN(q.activity_id, IriParam(req, "activity"));
  PW_ASSIGN_OR_RETURN(q.registration, UuidParam(req, "registration"));
  PW_ASSIGN_OR_RETURN(q.related_activities, BoolParam(req, "related_activities"));
  PW_ASSIGN_OR_RETURN(q.related_agents, BoolParam(req, "related_agents"));
  PW_ASSIGN_OR_RETURN(q.since, TimeParam(req, "since"));
  PW_ASSIGN_OR_RETURN(q.until, TimeParam(req, "until"));
  PW_ASSIGN_OR_RETURN(q.ascending, BoolParam(req, "ascending"));
  PW_ASSIGN_OR_RETURN(auto limit, req.QueryInt("limit", 0, INT32_MAX));
  q.limit = (!limit || *limit == 0 || *limit > kMaxLimit) ? kMaxLimit : static_cast<int>(*limit);
  PW_ASSIGN_OR_RETURN(auto cursor, req.QueryInt("cursor", 0, INT64_MAX));
  PW_ASSIGN_OR_RETURN(auto through, req.QueryInt("through", 0, INT64_MAX));
  q.cursor = cursor;
  if (through) {
    q.max_seq = *through;
  } else {
    PW_ASSIGN_OR_RETURN(std::int64_t last, lrs->LastSeq());
    q.max_seq = last;
  }
  PW_ASSIGN_OR_RETURN(XapiStatementPage page, lrs->QueryStatements(q));
  std::string body = "{\"statements\":[";
  std::vector<std::string> raw;
  for (std::size_t i = 0; i < page.rows.size(); ++i) {
    if (i) body += ',';
    PW_ASSIGN_OR_RETURN(std::string text, Formatted(page.rows[i].json, format, languages));
    body += text;
    if (attachments) raw.push_back(std::move(page.rows[i].json));
  }
  body += "],\"more\":";
  if (page.next_cursor) {
    // The same query continued after the last row, pinned to the rows that existed at the first
    // page (so a page never repeats or skips a row while statements arrive).
    httplib::Params params;
    for (const auto& [name, value] : req.http().params) {
      if (name != "cursor" && name != "through") params.emplace(name, value);
    }
    params.emplace("cursor", std::to_string(*page.next_cursor));
    params.emplace("through", std::to_string(*q.max_seq));
    body += json("/xapi/statements?" + httplib::detail::params_to_query_str(params)).dump();
  } else {
    body += "\"\"";
  }
  body += "}";
  return Respond(req, body, raw, attachments);
}

}  // namespace

std::vector<Route> XapiStatementRoutes() {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Experience-API-Version", std::string(xapi::kVersion)}};
  const Access read{.scope = Scope::kXapi};
  const Access write{.scope = Scope::kXapi, .write = true};
  return {
      {.method = "PUT", .pattern = "/xapi/statements", .access = write, .raw = PutStatement, .headers = headers},
      {.method = "POST", .pattern = "/xapi/statements", .access = write, .raw = PostStatements, .headers = headers,
       .alternate_syntax = true},
      {.method = "GET", .pattern = "/xapi/statements", .access = read, .raw = GetStatements, .headers = headers},
  };
}

}  // namespace pw::server
