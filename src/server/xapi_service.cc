#include "server/xapi_service.h"

#include <set>

#include "ingest/xapi_statement.h"
#include "server/evidence_service.h"
#include "server/xapi_http.h"
#include "store/xapi_store.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

std::string Path(const StatementBatch& batch, std::size_t i) {
  return batch.is_batch ? "statements[" + std::to_string(i) + "]" : std::string("statement");
}

Result<std::string> Base64UrlDecode(std::string_view in, std::string_view what) {
  std::string out;
  int bits = 0;
  std::uint32_t acc = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else return InvalidArgumentError("{}: not base64url", what);
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// The parts of a statement a signature covers (the LRS-set and attachment fields removed).
json Signed(json s) {
  for (const char* k : {"authority", "stored", "version", "attachments", "id"}) s.erase(k);
  return s;
}

// The parts that make two statements with the same id "the same" (what the sender set).
json Substance(json s) {
  for (const char* k : {"authority", "stored", "version", "id"}) s.erase(k);
  return s;
}

}  // namespace

json ClientAuthority(std::string_view client_key) {
  return json{{"objectType", "Agent"},
              {"account", {{"homePage", "urn:pathwise:client"}, {"name", std::string(client_key)}}}};
}

Status CheckSignature(const json& statement, std::string_view jws, std::string_view path) {
  const std::string what = std::string(path) + ": signature";
  const std::size_t d1 = jws.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : jws.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jws.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgumentError("{}: expected a JWS in compact form (header.payload.signature)", what);
  }
  PW_ASSIGN_OR_RETURN(std::string header_text, Base64UrlDecode(jws.substr(0, d1), what + " header"));
  PW_ASSIGN_OR_RETURN(std::string payload_text,
                      Base64UrlDecode(jws.substr(d1 + 1, d2 - d1 - 1), what + " payload"));
  json header = json::parse(header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    return InvalidArgumentError("{}: the JWS header is not a JSON object", what);
  }
  const json alg = header.value("alg", json());
  if (alg != "RS256" && alg != "RS384" && alg != "RS512") {
    return InvalidArgumentError("{}: alg must be RS256, RS384 or RS512, got {}", what, alg.dump());
  }
  if (d2 + 1 >= jws.size()) return InvalidArgumentError("{}: the JWS has no signature", what);
  json payload = json::parse(payload_text, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return InvalidArgumentError("{}: the JWS payload is not a JSON statement", what);
  }
  if (payload.contains("id") && statement.contains("id") &&
      xapi_http::NormalizeUuid(payload["id"].get<std::string>()) !=
          xapi_http::NormalizeUuid(statement["id"].get<std::string>())) {
    return InvalidArgumentError("{}: the signed statement has a different id", what);
  }
  if (Signed(payload) != Signed(statement)) {
    return InvalidArgumentError("{}: the signed payload does not match the statement", what);
  }
  return OkStatus();
}

Result<StoredBatch> StoreStatements(Store& store, StatementBatch& batch,
                                    const xapi::XapiMapping& mapping, const Clock& clock) {
  XapiStore* lrs = store.xapi();
  if (lrs == nullptr) {
    return UnavailableError("this database backend has no xAPI learning record store yet (use SQLite)");
  }
  // 1. Validate everything before touching the store.
  std::set<std::string> used_payloads;
  std::set<std::string> batch_ids;
  for (std::size_t i = 0; i < batch.statements.size(); ++i) {
    json& s = batch.statements[i];
    const std::string path = Path(batch, i);
    PW_RETURN_IF_ERROR(xapi::ValidateStatement(s, path));
    if (s.contains("id")) {
      if (!batch_ids.insert(xapi_http::NormalizeUuid(s["id"].get<std::string>())).second) {
        return InvalidArgumentError("{}.id: {} appears twice in the request", path,
                                    s["id"].get<std::string>());
      }
    }
    if (s.contains("attachments")) {
      const json& atts = s["attachments"];
      for (std::size_t a = 0; a < atts.size(); ++a) {
        const std::string sha = atts[a]["sha2"].get<std::string>();
        const std::string apath = path + ".attachments[" + std::to_string(a) + "]";
        auto payload = batch.payloads.find(sha);
        if (atts[a]["usageType"] == xapi::kSignatureUsageType) {
          if (atts[a]["contentType"] != "application/octet-stream") {
            return InvalidArgumentError("{}.contentType: a signature must be application/octet-stream",
                                        apath);
          }
          if (payload == batch.payloads.end()) {
            return InvalidArgumentError("{}: the signature's JWS was not sent", apath);
          }
          PW_RETURN_IF_ERROR(CheckSignature(s, payload->second, path));
        }
        if (payload != batch.payloads.end()) {
          used_payloads.insert(sha);
        } else if (!atts[a].contains("fileUrl")) {
          return InvalidArgumentError(
              "{}: no fileUrl and no part with X-Experience-API-Hash {} was sent", apath, sha);
        }
      }
    }
  }
  for (const auto& [sha, body] : batch.payloads) {
    (void)body;
    if (!used_payloads.contains(sha)) {
      return InvalidArgumentError("attachment part with hash {}: no statement names it", sha);
    }
  }
  // 2. Complete the statements.
  const Timestamp now = clock.Now();
  const std::string stored = FormatTimestamp(now);
  StoredBatch out;
  std::vector<bool> had_timestamp;
  for (json& s : batch.statements) {
    had_timestamp.push_back(s.contains("timestamp"));
    if (!s.contains("id")) s["id"] = xapi_http::NewUuid();
    s["stored"] = stored;
    if (!s.contains("timestamp")) s["timestamp"] = stored;
    if (!s.contains("authority") && !batch.authority.is_null()) s["authority"] = batch.authority;
    if (!s.contains("version")) s["version"] = "1.0.0";
    xapi::NormalizeStatement(s);
    out.ids.push_back(s["id"].get<std::string>());
  }
  // 3. Store, void and record evidence: all or nothing.
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    std::vector<XapiStatementRow> rows;
    std::vector<EvidenceEvent> events;
    std::vector<std::string> to_void;
    std::map<std::string, json> definitions;  // the batch's definitions, merged per activity
    xapi::StatementMapper mapper(store, mapping);
    for (std::size_t i = 0; i < batch.statements.size(); ++i) {
      json& s = batch.statements[i];
      const std::string id = xapi_http::NormalizeUuid(s["id"].get<std::string>());
      PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> existing, lrs->GetStatement(id));
      if (existing) {
        json old = json::parse(existing->json, nullptr, false);
        json a = Substance(old), b = Substance(s);
        if (!had_timestamp[i]) a.erase("timestamp"), b.erase("timestamp");
        if (a == b) continue;  // the same statement again: nothing to do
        return AlreadyExistsError("{}.id: statement {} is already stored with different content",
                                  Path(batch, i), s["id"].get<std::string>());
      }
      XapiStatementRow r;
      r.id = id;
      r.stored = now;
      const json& verb = s["verb"]["id"];
      r.verb_id = verb.get<std::string>();
      r.actor_key = xapi::AgentKey(s["actor"]);
      const json& object = s["object"];
      const json type = object.value("objectType", json("Activity"));
      if (type == "Activity") {
        r.object_activity = object["id"].get<std::string>();
        if (object.contains("definition")) {
          auto known = definitions.find(r.object_activity);
          definitions[r.object_activity] =
              known == definitions.end() ? object : xapi::MergeActivity(known->second, object);
        }
      }
      if (type == "Agent" || type == "Group") r.object_agent_key = xapi::AgentKey(object);
      if (type == "StatementRef") {
        r.object_ref = xapi_http::NormalizeUuid(object["id"].get<std::string>());
      }
      if (s.contains("context") && s["context"].contains("registration")) {
        r.registration = xapi_http::NormalizeUuid(s["context"]["registration"].get<std::string>());
      }
      if (r.verb_id == xapi::kVoidedVerb) {
        const std::string target = xapi_http::NormalizeUuid(object["id"].get<std::string>());
        PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> t, lrs->GetStatement(target));
        if (t) {
          json tj = json::parse(t->json, nullptr, false);
          if (!tj.is_discarded() && tj["verb"]["id"] == xapi::kVoidedVerb) {
            return InvalidArgumentError("{}.object: statement {} is itself a voiding statement and "
                                        "cannot be voided",
                                        Path(batch, i), target);
          }
        }
        r.voids = target;
        to_void.push_back(target);
      }
      r.related_agents = xapi::RelatedAgentKeys(s);
      r.related_activities = xapi::RelatedActivityIds(s);
      PW_ASSIGN_OR_RETURN(xapi::MappedStatement m, mapper.Map(s));
      r.evidence_count = static_cast<int>(m.events.size());
      r.unmapped_reason = m.unmapped_reason;
      if (m.events.empty()) {
        ++out.unmapped;
        out.unmapped_reasons.push_back(m.unmapped_reason);
      }
      for (EvidenceEvent& e : m.events) events.push_back(std::move(e));
      r.json = s.dump();
      rows.push_back(std::move(r));
    }
    PW_RETURN_IF_ERROR(lrs->InsertStatements(rows));
    for (const auto& [activity, definition] : definitions) {
      PW_ASSIGN_OR_RETURN(std::optional<std::string> known, lrs->GetActivityDefinition(activity));
      json merged = definition;
      if (known) merged = xapi::MergeActivity(json::parse(*known, nullptr, false), definition);
      PW_RETURN_IF_ERROR(lrs->PutActivityDefinition(activity, merged.dump()));
    }
    for (const std::string& target : to_void) PW_RETURN_IF_ERROR(lrs->MarkVoided(target));
    for (const auto& [sha, body] : batch.payloads) {
      std::string content_type = "application/octet-stream";
      for (const json& s : batch.statements) {
        if (!s.contains("attachments")) continue;
        for (const json& a : s["attachments"]) {
          if (a["sha2"] == sha) content_type = a["contentType"].get<std::string>();
        }
      }
      PW_RETURN_IF_ERROR(lrs->PutAttachment({.sha2 = sha, .content_type = content_type, .content = body}));
    }
    if (!events.empty()) PW_RETURN_IF_ERROR(RecordEvidence(store, events));
    out.stored = static_cast<int>(rows.size());
    out.evidence = static_cast<int>(events.size());
    return OkStatus();
  }));
  return out;
}

}  // namespace pw::server
