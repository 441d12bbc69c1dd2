// Fuzzes the xAPI statement reader: any bytes give a validated statement (whose derived forms
// are then computed) or a clean error; also the data-type checks and the multipart/mixed
// parser the statements resource uses.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ingest/xapi_statement.h"
#include "server/xapi_http.h"

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
  }
  (void)pw::xapi::IsIri(text);
  (void)pw::xapi::IsUuid(text);
  (void)pw::xapi::IsLanguageTag(text);
  (void)pw::xapi::IsDuration(text);
  (void)pw::xapi::ParseXapiTimestamp(text);
  (void)pw::server::xapi_http::ParseMultipart("multipart/mixed; boundary=b", text);
  return 0;
}
