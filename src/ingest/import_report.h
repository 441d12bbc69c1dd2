// What an import did, per entity, and the errors that stopped it. Every importer in
// src/ingest (OneRoster, CASE, prerequisite edges, scores, attendance, behavior, SEL) returns
// one ImportReport, so the CLI and the admin API print them the same way.
//
//   ImportReport report("oneroster", path);
//   report.Count("users", PutOutcome::kCreated);
//   report.errors.Add("users.csv:3: column \"role\": expected ..., got \"x\"");
//   if (!report.ok()) return report.ErrorStatus();  // InvalidArgument, every message listed
//
// All-or-nothing: an importer writes only when it found no errors, inside one
// Store::Transaction; with `check` set it validates and counts inside a transaction that is
// then rolled back, so --check reports the same created/updated/unchanged figures a real
// import would.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace pw::ingest {

// Options every importer accepts.
struct ImportOptions {
  bool check = false;           // validate and count, write nothing
  std::size_t max_errors = 20;  // error messages kept; the rest are only counted
};

// Errors found while validating, capped at a number of messages.
class ErrorList {
 public:
  explicit ErrorList(std::size_t max_messages = 20) : max_(max_messages) {}
  void Add(std::string message);
  bool empty() const { return total_ == 0; }
  std::size_t total() const { return total_; }
  const std::vector<std::string>& messages() const { return messages_; }
  // True once the cap is reached: validators may stop early to save time.
  bool full() const { return messages_.size() >= max_; }
  void set_max(std::size_t max_messages) { max_ = max_messages; }

 private:
  std::size_t max_;
  std::size_t total_ = 0;
  std::vector<std::string> messages_;
};

struct EntityCounts {
  std::int64_t read = 0;  // data rows read from the files
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t deleted = 0;   // status=tobedeleted rows honoured (OneRoster delta)
  std::int64_t rejected = 0;  // rows with at least one error
};

struct ImportReport {
  ImportReport() = default;
  ImportReport(std::string kind, std::string source)
      : kind(std::move(kind)), source(std::move(source)) {}

  std::string kind;    // "oneroster", "case", "prereqs", "scores", "attendance", ...
  std::string source;  // the file or directory imported
  bool check = false;  // a dry run: nothing was written
  std::vector<std::pair<std::string, EntityCounts>> entities;  // in import order
  std::vector<std::string> warnings;  // tolerated problems (pre-1.0 CASE, ...)
  ErrorList errors;

  bool ok() const { return errors.empty(); }
  // The entity's counts, added (in order) on first use.
  EntityCounts& Entity(std::string_view name);
  void Count(std::string_view entity, PutOutcome outcome);
  // InvalidArgument listing the errors:
  //   "users.csv: 2 errors, nothing imported\n  users.csv:3: ...\n  users.csv:5: ..."
  // With more errors than messages kept, the last line says "... and N more".
  Status ErrorStatus() const;

  // A table, one line per entity:
  //   oneroster Test.zip (imported)
  //     entity            read  created  updated  unchanged  deleted  rejected
  //     orgs                 1        1        0          0        0         0
  std::string ToText() const;
  // {"kind":..., "source":..., "check":..., "ok":..., "entities":{"orgs":{"read":1,...}},
  //  "warnings":[...], "errors":[...], "more_errors":0}
  nlohmann::json ToJson() const;
  // ToJson as text. Messages quote the input, which may not be UTF-8: invalid bytes become
  // U+FFFD instead of failing the dump.
  std::string ToJsonText() const;
};

// Runs `write` as the import's one transaction. With options.check the transaction is rolled
// back after `write` succeeds (the report keeps its counts). A bad-input failure from the store
// (InvalidArgument, AlreadyExists) becomes an error in the report; other failures are returned.
// A streaming importer that found errors while writing adds them to the report and returns any
// non-OK status from `write`: the transaction rolls back and the report carries the errors.
Status RunImportTransaction(Store& store, const ImportOptions& options, ImportReport& report,
                            const std::function<Status()>& write);

}  // namespace pw::ingest
