// From xAPI statement to Pathwise evidence: which statements count as evidence of what, for
// which student. Configured per integration (per API client): the server and
// `pathwise import xapi` both call MapStatement, then RecordEvidence for what mapped.
//
//   PW_ASSIGN_OR_RETURN(XapiMapping mapping, LoadXapiMapping(store, "pwk_abc"));
//   StatementMapper mapper(store, mapping);
//   PW_ASSIGN_OR_RETURN(MappedStatement m, mapper.Map(statement));
//   // m.events: one event per competency of the activity; m.unmapped_reason when none
//
// Rules (docs/xapi.md):
// - verb: its last path segment must be one of `verbs` (answered, completed, passed, failed,
//   mastered, scored by default), under any verb vocabulary.
// - outcome: result.score.scaled (negative counts as 0) -> a score; else raw within min..max
//   -> a score; else result.success -> correct/incorrect; else the verb passed/mastered ->
//   correct, failed -> incorrect; otherwise the statement does not map.
// - object: an Activity whose id is a Pathwise activity's source_id
//   (Store::FindActivityBySourceId), or "urn:pathwise:activity:<source_id>" for activities
//   whose source id is not an IRI (xAPI needs IRIs); one event per aligned competency (one
//   activity-only event when it has none).
// - actor: a student by mbox (their email), by account (account.name is the OneRoster
//   sourcedId; when `account_home_page` is set only that homePage counts), or by openid
//   equal to a sourcedId.
// - time: the statement's timestamp, else its stored time. source_record: the statement id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/evidence.h"
#include "core/status.h"
#include "store/store.h"
#include "store/xapi_store.h"

namespace pw::xapi {

struct StatementFacts;

// Pathwise activities whose source id is not an IRI are addressed as this prefix + source id.
inline constexpr std::string_view kActivityUrnPrefix = "urn:pathwise:activity:";

struct XapiMapping {
  // Verbs that can become evidence (last path segment of the verb id).
  std::vector<std::string> verbs = {"answered", "completed", "passed", "failed", "mastered",
                                    "scored"};
  // When not empty, only accounts with this homePage map to students (by sourcedId).
  std::string account_home_page;
  // Evidence source system ("xapi:<client key>" from LoadXapiMapping; "xapi:import" for files).
  std::string source_system = "xapi";
};

// The mapping of an integration: the JSON in store meta "xapi.mapping.<client_key>" (keys
// "verbs" and "account_home_page"; docs/xapi.md) over the defaults, with source_system
// "xapi:<client_key>". InvalidArgument naming the key when the stored JSON is malformed.
Result<XapiMapping> LoadXapiMapping(Store& store, std::string_view client_key);
Result<XapiMapping> ParseXapiMapping(std::string_view json_text, std::string_view what);

struct MappedStatement {
  std::vector<EvidenceEvent> events;
  std::string unmapped_reason;  // "" when events is not empty
};

// Student and activity look-ups kept across batches (the server keeps one per request thread,
// whichever store it serves). StatementMapper::Attach empties it whenever the store's mapping
// generation (XapiStore::GetMappingGeneration) or the mapping's account rule differ from those
// it was filled under, so it never answers with a student or activity that has changed since.
struct MappingCache {
  XapiStore::MappingGeneration generation{-1, -1};
  std::string account_home_page;
  std::unordered_map<std::string, Id> students;  // by actor key
  std::unordered_map<std::string, std::optional<Activity>> activities;  // by activity id
};

// Maps statements against one store; caches student and activity look-ups for its lifetime
// (one request or one import), or in an attached MappingCache.
class StatementMapper {
 public:
  StatementMapper(Store& store, XapiMapping mapping)
      : store_(store), mapping_(std::move(mapping)), cache_(&own_) {}
  // Uses `cache` from now on, emptied first if what it was filled under has changed. Call it
  // inside the transaction that records the evidence (the generation is read there).
  Status Attach(MappingCache& cache);
  // The facts of a prepared statement (xapi_prepare.h).
  Result<MappedStatement> Map(const StatementFacts& statement);

 private:
  Result<Id> StudentOf(const StatementFacts& statement, std::string* why);
  Store& store_;
  XapiMapping mapping_;
  MappingCache own_;
  MappingCache* cache_;
};

}  // namespace pw::xapi
