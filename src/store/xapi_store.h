// The Learning Record Store's data: xAPI statements (with voiding), attachments, the three
// document resources (state, activity profile, agent profile) and the activity definitions.
// The server (server/xapi_*.cc) decides what the rows mean; this interface only stores them.
//
//   XapiStore* lrs = store.xapi();   // nullptr for a backend without one (the server answers 503)
//   PW_RETURN_IF_ERROR(store.Transaction([&] { return lrs->InsertStatements(rows); }));
//
// Same threading contract as Store (one connection, one thread at a time); every write is
// atomic and joins Store::Transaction. Statements are immutable: a row is never updated except
// for its `voided` flag.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace pw {

// One statement as stored. The query columns are derived from the JSON by the caller
// (ingest/xapi_statement.h) so that the store never parses JSON.
struct XapiStatementRow {
  std::int64_t seq = 0;  // storage order (filled in by InsertStatements)
  std::string id;        // UUID, lower case
  std::string json;      // the full statement as stored (id, stored, authority, version set)
  // For InsertStatements: `json` already packed by the store's XapiPacker ("" = not packed;
  // the store then stores `json` as it is). Never filled in by reads.
  std::string packed_json;
  Timestamp stored;
  std::string actor_key;         // xapi::AgentKey of the actor ("" for an anonymous group)
  std::string object_agent_key;  // of an Agent/Group object, else ""
  std::string verb_id;
  std::string object_activity;   // id of an Activity object, else ""
  std::string registration;      // context.registration, or ""
  std::string voids;             // the statement id a voiding statement voids, else ""
  std::string object_ref;        // the statement id of a StatementRef object, else ""
  std::vector<std::string> related_agents;      // xapi::RelatedAgentKeys
  std::vector<std::string> related_activities;  // xapi::RelatedActivityIds
  // The evidence the statement became (0 = did not map) and why it did not map ("" if it did).
  int evidence_count = 0;
  std::string unmapped_reason;
  // The first of its evidence_count evidence rows (consecutive ids; kNoId when none or not
  // known): InsertStatements stores it as given (the caller's prediction, NextEvidenceId), and
  // SetEvidenceFirst corrects it once the evidence is written if the prediction was wrong.
  Id evidence_first = kNoId;
  bool voided = false;  // read back only
};

// GET /xapi/statements filters; unset fields do not filter. Rows voided by another statement
// are never returned. A statement whose object is a StatementRef also matches the agent, verb,
// activity and registration filters when the statement it refers to does (one level; the
// target may be voided).
struct XapiStatementQuery {
  std::optional<std::string> agent_key;
  bool related_agents = false;
  std::optional<std::string> verb_id;
  std::optional<std::string> activity_id;
  bool related_activities = false;
  std::optional<std::string> registration;
  std::optional<Timestamp> since;  // stored after (exclusive)
  std::optional<Timestamp> until;  // stored at or before (inclusive)
  bool ascending = false;
  int limit = 100;                      // 1..10000
  std::optional<std::int64_t> cursor;   // continue after this seq (the page's last)
  std::optional<std::int64_t> max_seq;  // ignore rows stored after the first page was read
};

struct XapiStatementPage {
  std::vector<XapiStatementRow> rows;  // seq, id, json, stored, voided
  std::optional<std::int64_t> next_cursor;
};

// The three document resources.
enum class XapiDocKind { kState, kActivityProfile, kAgentProfile };

// Which document (or, with an empty doc_id, which set of documents).
struct XapiDocKey {
  XapiDocKind kind = XapiDocKind::kState;
  std::string activity_id;   // state, activity profile
  std::string agent_key;     // state, agent profile
  std::string registration;  // state ("" = none)
  std::string doc_id;        // stateId / profileId
};

struct XapiDocument {
  std::string content;
  std::string content_type;
  std::string etag;  // hex SHA-1 of content (the server computes it)
  Timestamp updated;
};

struct XapiAttachment {
  std::string sha2;
  std::string content_type;
  std::string content;
};

// Packs statement JSON for storage (for the SQLite store: zstd with a dictionary trained on the
// database's own statements). Thread-safe, so a server packs a batch on several threads before
// its write transaction.
class XapiPacker {
 public:
  virtual ~XapiPacker() = default;
  // The packed form of `json`, or "" when packing would not make it smaller.
  virtual std::string Pack(std::string_view json) const = 0;
};

class XapiStore {
 public:
  virtual ~XapiStore() = default;

  // The packer for new rows, or null while the store keeps JSON as it is (no dictionary yet).
  // May train and store a dictionary first (once enough statements are stored), so call it
  // outside a write transaction.
  virtual Result<std::shared_ptr<const XapiPacker>> Packer() = 0;

  // Names the database for group commit (server/xapi_service.cc WriteGroup): this process's
  // connections to one database give the same name, and statement requests arriving on them
  // while one of them writes may be stored in that one's transaction. "" (the default): no
  // grouping (an in-memory database; the PostgreSQL store, where it is not measured).
  virtual std::string WriteGroup() const { return {}; }

  // ---- statements
  // Inserts the rows (seq filled in) and their related-agent/activity index rows, except those
  // whose id is already stored: they are left out and keep seq 0 (the caller decides whether
  // that is the same statement sent again or a conflict, and rolls back for a conflict).
  Status InsertStatements(std::span<XapiStatementRow> rows) {
    std::vector<XapiStatementRow*> each;
    each.reserve(rows.size());
    for (XapiStatementRow& r : rows) each.push_back(&r);
    return InsertStatementRows(each);
  }
  // The same for rows that are not side by side (the writer's chunks: each row stays in its
  // prepared statement instead of being moved out and back).
  virtual Status InsertStatementRows(std::span<XapiStatementRow* const> rows) = 0;
  // The stored statement with this id (voided flag included), or nullopt.
  virtual Result<std::optional<XapiStatementRow>> GetStatement(std::string_view id) = 0;
  // Marks the statement voided (no error when absent or already voided).
  virtual Status MarkVoided(std::string_view id) = 0;
  // Records each (seq, first evidence id) pair's evidence_first.
  virtual Status SetEvidenceFirst(std::span<const std::pair<std::int64_t, Id>> rows) = 0;
  // Inside a write transaction: the id the store will most likely give the next evidence row
  // appended in it (consecutive after that). A prediction: the caller checks the ids it got.
  virtual Result<Id> NextEvidenceId() = 0;
  virtual Result<XapiStatementPage> QueryStatements(const XapiStatementQuery& query) = 0;
  // The newest statements (at most this many) may wait for their agent, activity and
  // registration index entries; queries still find them (they read the tail by storage order).
  // Writing the entries of many batches in one pass instead of one batch at a time is what keeps
  // ingest fast (docs/xapi.md, "Storage").
  static constexpr std::int64_t kIndexTailRows = 16'384;
  // Writes the index entries of every statement that is waiting for them (InsertStatements does
  // this itself once kIndexTailRows are waiting).
  virtual Status IndexStatements() = 0;
  // The highest seq stored so far (0 when none).
  virtual Result<std::int64_t> LastSeq() = 0;
  // Statements that did not become evidence, newest first.
  virtual Result<std::vector<XapiStatementRow>> ListUnmapped(int limit) = 0;
  virtual Result<std::int64_t> CountUnmapped() = 0;

  // ---- statement -> evidence lookups
  // Which database this is (random, fixed when created) and the generation of what mapping
  // reads -- people, activities, their competencies -- which changes whenever any of them
  // changes, from any connection. Equal pairs mean mapping look-ups made earlier still hold.
  struct MappingGeneration {
    std::int64_t database = 0;
    std::int64_t generation = 0;
    bool operator==(const MappingGeneration&) const = default;
  };
  virtual Result<MappingGeneration> GetMappingGeneration() = 0;
  // The student (role student) whose email is `email` (case-insensitive), or kNoId.
  virtual Result<Id> FindStudentByEmail(std::string_view email) = 0;

  // ---- attachments, content-addressed by SHA-256 (inserting a known hash is a no-op)
  virtual Status PutAttachment(const XapiAttachment& attachment) = 0;
  virtual Result<std::optional<XapiAttachment>> GetAttachment(std::string_view sha2) = 0;

  // ---- activity definitions (GET /xapi/activities): the latest definition sent wins
  // `last_object`: the activity object (JSON text) last merged into it, "" when not known.
  virtual Status PutActivityDefinition(std::string_view activity_id, std::string_view json,
                                       std::string_view last_object = {}) = 0;
  // The last_object (the activity object, as JSON text, last merged into its definition; ""
  // when not known) of each of `activity_ids` that has a definition; unknown ones are left out.
  // One call for a batch's activities (a backend with round trips answers in one).
  virtual Result<std::unordered_map<std::string, std::string>> GetActivityLastObjects(
      std::span<const std::string> activity_ids) = 0;
  virtual Result<std::optional<std::string>> GetActivityDefinition(std::string_view activity_id) = 0;
  // Which database this is and the generation of its activity definitions, which changes with
  // every PutActivityDefinition from any connection: while it stands, last objects read or
  // written earlier still hold. nullopt (the default): not kept, nothing may be cached.
  virtual Result<std::optional<MappingGeneration>> GetDefinitionsGeneration() {
    return std::optional<MappingGeneration>();
  }

  // ---- documents
  virtual Result<std::optional<XapiDocument>> GetDocument(const XapiDocKey& key) = 0;
  virtual Status PutDocument(const XapiDocKey& key, const XapiDocument& doc) = 0;
  // Deletes one document (key.doc_id set) or, for state only, every state of the
  // activity/agent/registration (doc_id empty). No error when nothing matched.
  virtual Status DeleteDocuments(const XapiDocKey& key) = 0;
  // The doc ids under key (doc_id ignored) updated after `since` (when set), ascending.
  virtual Result<std::vector<std::string>> ListDocumentIds(const XapiDocKey& key,
                                                           std::optional<Timestamp> since) = 0;
};

}  // namespace pw
