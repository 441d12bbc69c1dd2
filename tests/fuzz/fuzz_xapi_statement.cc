// Fuzzes the xAPI statement reader: any bytes give a validated statement (whose derived forms
// are then computed) or a clean error; also the data-type checks and the multipart/mixed
// parser the statements resource uses. Differential: the bulk path (simdjson views) must never
// accept a statement the nlohmann path rejects, and must prepare exactly what it prepares.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ingest/json_view.h"
#include "ingest/xapi_prepare.h"
#include "ingest/xapi_statement.h"
#include "server/xapi_http.h"

namespace {

void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "bulk and nlohmann paths disagree: %s\n%.*s\n", what,
               static_cast<int>(text.size()), text.data());
  std::abort();
}

// One statement both ways.
void Compare(const nlohmann::json& n, simdjson::dom::element e, std::string_view text) {
  const pw::json_view::SView s(e);
  const bool s_ok = pw::xapi::IsValidStatement(s);
  const bool n_ok = pw::xapi::ValidateStatement(n, "statement").ok();
  if (s_ok && !n_ok) Fail("accepted by the bulk path only", text);
  if (!s_ok || !n_ok) return;
  int next = 0;
  const pw::xapi::StatementCompletion c = pw::xapi::MakeCompletion(
      pw::Timestamp{1'788'000'000'000},
      nlohmann::json{{"objectType", "Agent"}, {"mbox", "mailto:lrs@example.org"}},
      [&] { return "00000000-0000-4000-8000-00000000000" + std::to_string(next++ % 10); });
  const pw::xapi::PreparedStatement a = pw::xapi::PrepareStatement(s, c);
  next = 0;
  const pw::xapi::PreparedStatement b = pw::xapi::PrepareStatement(n, c);
  const auto& ra = a.row;
  const auto& rb = b.row;
  if (ra.id != rb.id || ra.actor_key != rb.actor_key ||
      ra.object_agent_key != rb.object_agent_key || ra.verb_id != rb.verb_id ||
      ra.object_activity != rb.object_activity || ra.registration != rb.registration ||
      ra.voids != rb.voids || ra.object_ref != rb.object_ref ||
      ra.related_agents != rb.related_agents || ra.related_activities != rb.related_activities) {
    Fail("row columns", text);
  }
  const nlohmann::json ja = nlohmann::json::parse(ra.json, nullptr, false);
  const nlohmann::json jb = nlohmann::json::parse(rb.json, nullptr, false);
  if (ja.is_discarded() || ja != jb) Fail("stored JSON", text);
  const auto& fa = a.facts;
  const auto& fb = b.facts;
  if (fa.id != fb.id || fa.verb_id != fb.verb_id || fa.object_type != fb.object_type ||
      fa.object_id != fb.object_id || fa.scaled != fb.scaled || fa.raw != fb.raw ||
      fa.min != fb.min || fa.max != fb.max || fa.success != fb.success || fa.time != fb.time ||
      fa.actor_key != fb.actor_key || fa.actor_mbox != fb.actor_mbox ||
      fa.actor_openid != fb.actor_openid || fa.actor_has_account != fb.actor_has_account ||
      fa.actor_account_home_page != fb.actor_account_home_page ||
      fa.actor_account_name != fb.actor_account_name || a.had_timestamp != b.had_timestamp) {
    Fail("facts", text);
  }
  const bool a_def = !a.activity_object.empty(), b_def = !b.activity_object.empty();
  if (a_def != b_def || (a_def && nlohmann::json::parse(a.activity_object) !=
                                      nlohmann::json::parse(b.activity_object))) {
    Fail("activity object", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The server refuses bodies nested deeper than 64 levels before parsing; so does this.
  int depth = 0, max_depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if (c == ']' || c == '}') --depth;
  }
  if (max_depth <= 64) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded()) {
      const auto check = [](const nlohmann::json& s, std::string_view path) {
        if (pw::xapi::ValidateStatement(s, path).ok()) {
          (void)pw::xapi::IdsFormat(s);
          (void)pw::xapi::CanonicalFormat(s, {"en-US", "fr"});
          (void)pw::xapi::RelatedAgentKeys(s);
          (void)pw::xapi::RelatedActivityIds(s);
          (void)pw::xapi::AgentKey(s["actor"]);
        }
      };
      if (j.is_array()) {
        for (const auto& s : j) check(s, "statements[i]");
      } else {
        check(j, "statement");
      }
      (void)pw::xapi::ValidateAgentParam(j, "agent");
    }
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS) {
      // What simdjson reads, nlohmann must read too (the bulk path would otherwise accept a
      // body the general path calls invalid JSON).
      if (j.is_discarded()) {
        if (root.is_object() && pw::xapi::IsValidStatement(pw::json_view::SView(root))) {
          Fail("JSON only simdjson reads", text);
        }
      } else if (root.is_array() && j.is_array() && j.size() == simdjson::dom::array(root).size()) {
        std::size_t i = 0;
        for (simdjson::dom::element e : simdjson::dom::array(root)) Compare(j[i++], e, text);
      } else if (root.is_object() && j.is_object()) {
        Compare(j, root, text);
      }
    }
  }
  (void)pw::xapi::IsIri(text);
  (void)pw::xapi::IsUuid(text);
  (void)pw::xapi::IsLanguageTag(text);
  (void)pw::xapi::IsDuration(text);
  (void)pw::xapi::ParseXapiTimestamp(text);
  (void)pw::server::xapi_http::ParseMultipart("multipart/mixed; boundary=b", text);
  return 0;
}
