// A validated xAPI statement turned into what the LRS stores and maps, without a store: the stored
// JSON (id, stored, timestamp, authority and version completed; contextActivities normalized to
// arrays), the row's query columns, related agents and activities, and the facts the
// statement -> evidence mapping reads. Written once over both JSON views (json_view.h), so the
// bulk simdjson path and the nlohmann path store exactly the same thing.
//
//   StatementCompletion c = MakeCompletion(clock.Now(), ClientAuthority(key), NewUuid);
//   PreparedStatement p = PrepareStatement(json_view::SView(element), c);
//   rows.push_back(std::move(p.row));
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/time.h"
#include "ingest/json_view.h"
#include "store/xapi_store.h"

namespace pw::xapi {

// What the statement -> evidence mapping (xapi_mapping.h) reads.
struct StatementFacts {
  std::string id;  // as sent (or assigned)
  std::string verb_id;
  std::string object_type;  // "Activity", "Agent", "Group", "StatementRef", "SubStatement"
  std::string object_id;    // the Activity's id ("" for other objects)
  std::optional<double> scaled, raw, min, max;
  std::optional<bool> success;
  std::optional<std::int64_t> duration_ms;  // result.duration
  std::string time;  // the timestamp (the stored time when none was sent)
  // The actor's identity.
  std::string actor_key;  // AgentKey
  std::string actor_mbox;
  std::string actor_openid;
  std::string actor_account_home_page, actor_account_name;
  bool actor_has_account = false;
};

// What the LRS adds to every statement of one request.
struct StatementCompletion {
  std::string stored;  // FormatTimestamp(now): "stored", and "timestamp" when none was sent
  Timestamp now;
  std::string authority;      // JSON object text set as "authority" when none was sent ("" = none)
  std::string authority_key;  // its AgentKey
  std::function<std::string()> new_id;  // a new UUID for a statement sent without an id
};

struct PreparedStatement {
  XapiStatementRow row;  // every column, related keys and the stored JSON; seq unset
  StatementFacts facts;
  bool had_timestamp = false;
  // The object as sent when it is an Activity with a definition (JSON text), else "".
  std::string activity_object;
};

// The completion for a request stored at `now` by `authority` (null: none is added).
StatementCompletion MakeCompletion(Timestamp now, const nlohmann::json& authority,
                                   std::function<std::string()> new_id);

// `statement` has passed ValidateStatement / IsValidStatement.
PreparedStatement PrepareStatement(const nlohmann::json& statement, const StatementCompletion& c);
PreparedStatement PrepareStatement(const json_view::SView& statement, const StatementCompletion& c);

// Appends `text` as a JSON string literal (quoted and escaped).
void AppendJsonString(std::string_view text, std::string* out);
// Appends an object member's key: `"key":`, after a comma when `comma`.
void AppendJsonKey(std::string_view key, bool comma, std::string* out);

}  // namespace pw::xapi
