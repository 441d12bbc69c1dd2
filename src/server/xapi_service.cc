#include "server/xapi_service.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "ingest/json_view.h"
#include "ingest/xapi_prepare.h"
#include "ingest/xapi_statement.h"
#include "server/evidence_service.h"
#include "server/profile_service.h"
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
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return InvalidArgumentError("{}: not base64url", what);
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

// Stores prepared statements, voids, keeps attachments, records evidence: all or nothing.
Result<StoredBatch> StorePrepared(Store& store, std::vector<xapi::PreparedStatement>& prepared,
                                  bool is_batch, const std::map<std::string, std::string>& payloads,
                                  const std::map<std::string, std::string>& content_types,
                                  const xapi::XapiMapping& mapping) {
  XapiStore* lrs = store.xapi();
  auto path = [&](std::size_t i) {
    return is_batch ? "statements[" + std::to_string(i) + "]" : std::string("statement");
  };
  StoredBatch out;
  for (const xapi::PreparedStatement& p : prepared) out.ids.push_back(p.facts.id);
  // Pack what the caller did not (before the transaction: packing may train a dictionary).
  PW_ASSIGN_OR_RETURN(std::shared_ptr<const XapiPacker> packer, lrs->Packer());
  if (packer) {
    for (xapi::PreparedStatement& p : prepared) {
      if (p.row.packed_json.empty()) p.row.packed_json = packer->Pack(p.row.json);
    }
  }
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    // Statement -> evidence first (inside the transaction: its reads of students and
    // activities are then one snapshot, and cost a third of what separate reads would). Each
    // statement's evidence, in order: mapped[first[i], first[i + 1]).
    std::vector<EvidenceEvent> mapped;
    std::vector<std::size_t> first;
    first.reserve(prepared.size() + 1);
    xapi::StatementMapper mapper(store, mapping);
    // Look-ups kept across this thread's batches while people and activities are unchanged
    // (one cache a thread: Attach empties it for another database, by its id).
    thread_local xapi::MappingCache cache;
    PW_RETURN_IF_ERROR(mapper.Attach(cache));
    for (xapi::PreparedStatement& p : prepared) {
      PW_ASSIGN_OR_RETURN(xapi::MappedStatement m, mapper.Map(p.facts));
      p.row.evidence_count = static_cast<int>(m.events.size());
      p.row.unmapped_reason = std::move(m.unmapped_reason);
      first.push_back(mapped.size());
      for (EvidenceEvent& e : m.events) mapped.push_back(std::move(e));
    }
    first.push_back(mapped.size());
    std::vector<XapiStatementRow> rows;
    rows.reserve(prepared.size());
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      xapi::PreparedStatement& p = prepared[i];
      XapiStatementRow& r = p.row;
      if (!r.voids.empty()) {
        PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> t, lrs->GetStatement(r.voids));
        if (t) {
          json tj = json::parse(t->json, nullptr, false);
          if (!tj.is_discarded() && tj["verb"]["id"] == xapi::kVoidedVerb) {
            return InvalidArgumentError(
                "{}.object: statement {} is itself a voiding statement and "
                "cannot be voided",
                path(i), r.voids);
          }
        }
      }
      rows.push_back(std::move(r));
    }
    // Rows whose id is stored already are left out (seq 0): the same statement sent again is
    // nothing to do, different content under a stored id fails the whole request.
    PW_RETURN_IF_ERROR(lrs->InsertStatements(rows));
    std::vector<EvidenceEvent> events;
    events.reserve(mapped.size());
    std::vector<std::string> to_void;
    // (seq, index in events of its first event) of each stored statement that mapped.
    std::vector<std::pair<std::int64_t, std::size_t>> first_event;
    // The batch's activity objects with definitions, in order, per activity id.
    std::map<std::string, std::vector<const std::string*>> definitions;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const xapi::PreparedStatement& p = prepared[i];
      const XapiStatementRow& r = rows[i];
      if (r.seq == 0) {
        PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> existing, lrs->GetStatement(r.id));
        if (!existing) return InternalError("statement {} was neither stored nor found", r.id);
        json a = Substance(json::parse(existing->json, nullptr, false));
        json b = Substance(json::parse(r.json, nullptr, false));
        if (!p.had_timestamp) a.erase("timestamp"), b.erase("timestamp");
        if (a == b) continue;  // the same statement again: nothing to do
        return AlreadyExistsError("{}.id: statement {} is already stored with different content",
                                  path(i), p.facts.id);
      }
      if (!r.voids.empty()) to_void.push_back(r.voids);
      if (!p.activity_object.empty()) definitions[r.object_activity].push_back(&p.activity_object);
      if (first[i] == first[i + 1]) {
        ++out.unmapped;
        out.unmapped_reasons.push_back(r.unmapped_reason);
      }
      if (first[i] != first[i + 1]) first_event.emplace_back(r.seq, events.size());
      for (std::size_t e = first[i]; e < first[i + 1]; ++e) events.push_back(std::move(mapped[e]));
      ++out.stored;
    }
    for (const auto& [activity, objects] : definitions) {
      PW_ASSIGN_OR_RETURN(std::optional<std::string> merged_before,
                          lrs->GetActivityLastObject(activity));
      if (merged_before && std::all_of(objects.begin(), objects.end(), [&](const std::string* o) {
            return *o == *merged_before;
          })) {
        continue;  // merged before: merging it again changes nothing
      }
      PW_ASSIGN_OR_RETURN(std::optional<std::string> known, lrs->GetActivityDefinition(activity));
      json merged = known ? json::parse(*known, nullptr, false) : json();
      const std::string* last = nullptr;
      for (const std::string* o : objects) {
        if (last != nullptr && *o == *last) continue;  // the same object sent again
        last = o;
        merged = xapi::MergeActivity(merged, json::parse(*o, nullptr, false));
      }
      PW_RETURN_IF_ERROR(lrs->PutActivityDefinition(activity, merged.dump(), *objects.back()));
    }
    for (const auto& [sha, body] : payloads) {
      auto type = content_types.find(sha);
      PW_RETURN_IF_ERROR(lrs->PutAttachment(
          {.sha2 = sha,
           .content_type = type == content_types.end() ? "application/octet-stream" : type->second,
           .content = body}));
    }
    if (!events.empty()) PW_RETURN_IF_ERROR(RecordEvidence(store, events));
    out.evidence = static_cast<int>(events.size());
    if (!first_event.empty()) {
      std::vector<std::pair<std::int64_t, Id>> firsts;
      firsts.reserve(first_event.size());
      for (const auto& [seq, index] : first_event) firsts.emplace_back(seq, events[index].id);
      PW_RETURN_IF_ERROR(lrs->SetEvidenceFirst(firsts));
    }
    // Voiding: the target is hidden from queries and its evidence withdrawn, the mastery it
    // moved recomputed from the student's remaining evidence.
    std::vector<EvidenceEvent> withdrawn;
    for (const std::string& target : to_void) {
      PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> t, lrs->GetStatement(target));
      PW_RETURN_IF_ERROR(lrs->MarkVoided(target));
      if (!t || t->voided || t->evidence_count == 0 || t->evidence_first == kNoId) continue;
      std::vector<Id> ids;
      for (int k = 0; k < t->evidence_count; ++k) ids.push_back(t->evidence_first + k);
      PW_ASSIGN_OR_RETURN(std::vector<EvidenceEvent> gone, store.DeleteEvidence(ids));
      for (EvidenceEvent& e : gone) {
        if (e.source_record != target) {
          return InternalError("voiding statement {}: evidence {} is not its own", target, e.id);
        }
        withdrawn.push_back(std::move(e));
      }
    }
    PW_RETURN_IF_ERROR(RecomputeMasteryAfterWithdrawal(store, withdrawn));
    out.withdrawn = static_cast<int>(withdrawn.size());
    return OkStatus();
  }));
  return out;
}

}  // namespace

json ClientAuthority(std::string_view client_key) {
  return json{
      {"objectType", "Agent"},
      {"account", {{"homePage", "urn:pathwise:client"}, {"name", std::string(client_key)}}}};
}

Status CheckSignature(const json& statement, std::string_view jws, std::string_view path) {
  const std::string what = std::string(path) + ": signature";
  const std::size_t d1 = jws.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : jws.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jws.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgumentError("{}: expected a JWS in compact form (header.payload.signature)",
                                what);
  }
  PW_ASSIGN_OR_RETURN(std::string header_text,
                      Base64UrlDecode(jws.substr(0, d1), what + " header"));
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
    return UnavailableError(
        "this database backend has no xAPI learning record store yet (use SQLite)");
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
            return InvalidArgumentError(
                "{}.contentType: a signature must be application/octet-stream", apath);
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
  // 2. Complete and prepare them (ingest/xapi_prepare.h), then store.
  const xapi::StatementCompletion completion =
      xapi::MakeCompletion(clock.Now(), batch.authority, xapi_http::NewUuid);
  std::vector<xapi::PreparedStatement> prepared;
  prepared.reserve(batch.statements.size());
  for (const json& s : batch.statements) prepared.push_back(xapi::PrepareStatement(s, completion));
  // The attachments' content types, by hash.
  std::map<std::string, std::string> content_types;
  for (const json& s : batch.statements) {
    if (!s.contains("attachments")) continue;
    for (const json& a : s["attachments"]) {
      content_types[a["sha2"].get<std::string>()] = a["contentType"].get<std::string>();
    }
  }
  return StorePrepared(store, prepared, batch.is_batch, batch.payloads, content_types, mapping);
}

Result<std::optional<StoredBatch>> StoreStatementsText(Store& store, std::string_view text,
                                                       const json& authority,
                                                       const xapi::XapiMapping& mapping,
                                                       const Clock& clock) {
  if (store.xapi() == nullptr) return std::optional<StoredBatch>();  // the slow path says why
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return std::optional<StoredBatch>();
  }
  std::vector<simdjson::dom::element> statements;
  const bool is_batch = root.type() == simdjson::dom::element_type::ARRAY;
  simdjson::dom::array array;
  if (is_batch && root.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : array) statements.push_back(e);
  } else {
    statements.push_back(root);
  }
  const xapi::StatementCompletion completion =
      xapi::MakeCompletion(clock.Now(), authority, xapi_http::NewUuid);
  std::vector<xapi::PreparedStatement> prepared(statements.size());
  PW_ASSIGN_OR_RETURN(std::shared_ptr<const XapiPacker> packer, store.xapi()->Packer());
  // Validation, preparation and packing read only the JSON: for a big batch, both cores share
  // them.
  std::atomic<bool> ok = true;
  auto prepare = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && ok; ++i) {
      const json_view::SView s(statements[i]);
      if (!xapi::IsValidStatement(s) || s.contains("attachments")) {
        ok = false;  // the slow path gives the message (or handles the attachments)
        return;
      }
      prepared[i] = xapi::PrepareStatement(s, completion);
      if (packer) prepared[i].row.packed_json = packer->Pack(prepared[i].row.json);
    }
  };
  constexpr std::size_t kParallelFrom = 256;
  if (statements.size() >= kParallelFrom && std::thread::hardware_concurrency() > 1) {
    const std::size_t half = statements.size() / 2;
    std::thread other(prepare, half, statements.size());
    prepare(0, half);
    other.join();
  } else {
    prepare(0, statements.size());
  }
  if (!ok) return std::optional<StoredBatch>();
  std::set<std::string_view> ids;
  for (const xapi::PreparedStatement& p : prepared) {
    if (!ids.insert(p.row.id).second) return std::optional<StoredBatch>();  // a 400 to name
  }
  PW_ASSIGN_OR_RETURN(StoredBatch out, StorePrepared(store, prepared, is_batch, {}, {}, mapping));
  return std::optional<StoredBatch>(std::move(out));
}

}  // namespace pw::server
