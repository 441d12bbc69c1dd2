// Storing xAPI statements: the one path the /xapi/statements resource and
// `pathwise import xapi` share. Validates every statement (nothing is stored when one fails),
// completes them (id, stored, timestamp, authority, version), applies voiding, keeps their
// attachments, maps them to evidence (ingest/xapi_mapping.h) and records that evidence
// (RecordEvidence) in the same transaction as the statements.
//
//   StatementBatch batch{.statements = parsed, .authority = ClientAuthority(key)};
//   PW_ASSIGN_OR_RETURN(StoredBatch stored, StoreStatements(store, batch, mapping, clock));
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "ingest/xapi_mapping.h"
#include "store/store.h"

namespace pw::server {

struct StatementBatch {
  std::vector<nlohmann::json> statements;
  nlohmann::json authority;  // set on statements that have none (null: leave them without)
  // Attachment payloads sent with the statements (multipart/mixed), by SHA-256 hex.
  std::map<std::string, std::string> payloads;
  // How each statement is named in errors: "statement" for one, "statements[i]" for a batch.
  bool is_batch = false;
};

struct StoredBatch {
  std::vector<std::string> ids;  // in request order
  int stored = 0;                // new rows (a resent identical statement is not stored twice)
  int evidence = 0;              // evidence events recorded
  int unmapped = 0;              // stored statements that did not become evidence
  int withdrawn = 0;             // evidence rows withdrawn because their statement was voided
  std::vector<std::string> unmapped_reasons;  // one per unmapped statement, in order
  // Requests stored by the same transaction as this one (group commit, StoreStatementsText).
  int requests_in_commit = 1;
};

// InvalidArgument (400) for a statement that breaks a rule, naming it and the field;
// AlreadyExists (409) when an id is stored with different content.
Result<StoredBatch> StoreStatements(Store& store, StatementBatch& batch,
                                    const xapi::XapiMapping& mapping, const Clock& clock);

// The bulk path for a JSON request body (one statement or an array): parsed with simdjson,
// validated and prepared in chunks by a helper thread and the writer, each chunk stored as soon
// as it is ready, as StoreStatements stores. nullopt when it does not apply -- the body is not
// simdjson-parsable, a statement is invalid, has attachments or repeats an id (anything written
// is rolled back) -- and the caller then takes StoreStatements, which names the problem.
// Requests to one SQLite database that arrive while another is being written wait, prepared
// in full, and are stored in that one's transaction (group commit: one commit writes the
// pages they share once); each stays all or nothing.
Result<std::optional<StoredBatch>> StoreStatementsText(Store& store, std::string_view text,
                                                       const nlohmann::json& authority,
                                                       const xapi::XapiMapping& mapping,
                                                       const Clock& clock);

// How many StoreStatementsText requests to the database of `store` wait, prepared, for the
// request that is writing (0 for a backend without group commit).
std::size_t WaitingStatementRequests(Store& store);

// What the group-commit writers of one database have done since the process started: commits,
// the StoreStatementsText requests they stored, and the time spent inside those transactions
// (from BEGIN, once the write lock is taken, to COMMIT; failed passes included, and the chunks a
// streaming leader prepares itself while it waits for its next one). Divided by a
// run's time, the writer's share of it: bench_xapi reports it (the one writer is what bounds a
// database's ingest). Zeros for a backend without group commit.
struct StatementWriterTotals {
  std::int64_t commits = 0;
  std::int64_t requests = 0;
  double writing_seconds = 0;
  double own_chunk_seconds = 0;  // of writing_seconds: a streaming leader's own chunks
};
StatementWriterTotals StatementWriterTotalsOf(Store& store);

// The authority of an API client: an Agent with account {homePage: "urn:pathwise:client",
// name: key}.
nlohmann::json ClientAuthority(std::string_view client_key);

// Validates the JWS signature attachment of a signed statement (RFC 7515 compact form, an
// RS256/384/512 header, a payload equal to the statement). InvalidArgument otherwise.
Status CheckSignature(const nlohmann::json& statement, std::string_view jws, std::string_view path);

}  // namespace pw::server
