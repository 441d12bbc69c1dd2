// xAPI 1.0.3 statements: validation with precise errors, the data types the specification
// defines (UUIDs, IRIs, language tags, ISO 8601 timestamps and durations), agent identity, and
// the `ids` / `canonical` output formats of GET /xapi/statements.
//
//   PW_RETURN_IF_ERROR(xapi::ValidateStatement(statement, "statement"));
//   // "statement.actor.mbox: expected an IRI starting with \"mailto:\", got \"ada@x.org\""
//
// Validation reads only the JSON (no store): it can run before a transaction opens, and the
// fuzz target drives it directly. The limits (body size, nesting depth) are the server's.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ingest/json_view.h"

namespace pw::xapi {

inline constexpr std::string_view kVoidedVerb = "http://adlnet.gov/expapi/verbs/voided";
inline constexpr std::string_view kSignatureUsageType =
    "http://adlnet.gov/expapi/attachments/signature";
inline constexpr std::string_view kVersion = "1.0.3";

// ---- data types of the specification (each true when `text` has the form it names)
bool IsUuid(std::string_view text);
// An IRI with a scheme ("scheme:rest", no whitespace).
bool IsIri(std::string_view text);
// An RFC 5646 language tag (the subtag shapes; registries are not consulted).
bool IsLanguageTag(std::string_view text);
// ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]], at least one part.
bool IsDuration(std::string_view text);
// The length of a valid ISO 8601 duration in seconds (a year counts 365 days, a month 30),
// nullopt for text IsDuration rejects.
std::optional<double> DurationSeconds(std::string_view text);
// ISO 8601 timestamp (RFC 3339 profile: date, 'T', time, optional fraction, zone). Rejects the
// "-00:00" offset. Returns UTC milliseconds.
std::optional<Timestamp> ParseXapiTimestamp(std::string_view text);

// Validates one statement (`path` names it in errors: "statement", "statements[3]").
// InvalidArgument "<path>.<field>: <what was expected>" for the first problem found.
// `sub` validates a SubStatement (no id, stored, version, authority, nested SubStatement).
Status ValidateStatement(const nlohmann::json& statement, std::string_view path);
// The same rules on a simdjson view, with only the verdict (the bulk path: on false, it validates
// again with ValidateStatement for the message). A key sent twice counts once, with its last
// value, as nlohmann reads it.
bool IsValidStatement(const json_view::SView& statement);
Status ValidateAgent(const nlohmann::json& agent, std::string_view path);  // Agent or Group
// An Agent/Group query parameter ("agent"): an Agent or identified Group (one IFI).
Status ValidateAgentParam(const nlohmann::json& agent, std::string_view param);

// The objectType of a statement part (any JSON view, json_view.h): `dflt` when it has none, ""
// when it is not a string.
template <class V>
std::string_view ObjectTypeOf(const V& part, std::string_view dflt) {
  if (!part.contains("objectType")) return dflt;
  const V t = part["objectType"];
  return t.is_string() ? t.str() : std::string_view();
}

// The inverse functional identifier of an Agent or identified Group as one string:
// "mbox:mailto:a@x.org", "sha1:...", "openid:...", "account:<homePage> <name>"; "" for an
// anonymous Group.
std::string AgentKey(const nlohmann::json& agent);
std::string AgentKey(const json_view::SView& agent);
std::string AgentKey(const json_view::NView& agent);

// Every agent key the statement relates to (actor, object, authority, context instructor/team,
// group members, and those of a SubStatement), without duplicates.
std::vector<std::string> RelatedAgentKeys(const nlohmann::json& statement);
std::vector<std::string> RelatedAgentKeys(const json_view::SView& statement);
std::vector<std::string> RelatedAgentKeys(const json_view::NView& statement);
// Every activity id it relates to (object, context activities, SubStatement's).
std::vector<std::string> RelatedActivityIds(const nlohmann::json& statement);
std::vector<std::string> RelatedActivityIds(const json_view::SView& statement);
std::vector<std::string> RelatedActivityIds(const json_view::NView& statement);

// The stored form of a valid statement: each contextActivities value that is a single Activity
// becomes an array of one (in a SubStatement too), as the specification requires on output.
void NormalizeStatement(nlohmann::json& statement);

// Merges an activity definition sent later into the one known so far: language maps gain the
// new languages (a language sent again takes the new text); other fields take the new value.
nlohmann::json MergeActivity(const nlohmann::json& known, const nlohmann::json& incoming);

// The `ids` format: agents, groups and activities reduced to their identifiers.
nlohmann::json IdsFormat(const nlohmann::json& statement);
// The `canonical` format: each language map reduced to one entry, the first of `languages`
// (the Accept-Language list) it has, else its first entry.
nlohmann::json CanonicalFormat(const nlohmann::json& statement,
                               const std::vector<std::string>& languages);

}  // namespace pw::xapi
