// One import as both the command line (`pathwise import KIND PATH`) and the admin API
// (POST /api/v1/admin/imports/{kind}) run it: the kind's importer from src/ingest over a file
// or an uploaded body, the file's SHA-256, and the audit entry (who, when, the hash, the counts).
//
//   ImportRequest r;
//   r.kind = "attendance";
//   r.options.check = true;
//   PW_ASSIGN_OR_RETURN(ingest::ImportReport report, ImportFromPath(store, r, "att.csv"));
//   PW_RETURN_IF_ERROR(AuditImport(store, actor, r, "att.csv", Sha256OfPath(...), report, clock));
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "ingest/import_report.h"
#include "server/api.h"
#include "store/accounts.h"
#include "store/store.h"

namespace pw::server {

// The kinds, in the order the CLI lists them.
std::span<const std::string_view> ImportKinds();

struct ImportRequest {
  std::string kind;               // one of ImportKinds()
  ingest::ImportOptions options;  // check (dry run), max_errors
  // FILE_COLUMN=FIELD pairs renaming a district's columns (CSV kinds only).
  std::vector<std::string> map;
  // prereqs, scores: the framework (source id, title or id) whose codes the file uses.
  std::string framework;
  // scores, attendance, behavior, sel: the source stored with rows that name none
  // (default import:<kind>).
  std::string source_system;
};

// Imports a file (a OneRoster package may be a directory or a .zip). InvalidArgument for an
// unknown kind, an option the kind does not take, or a file that cannot be read; a file with
// bad content gives a report with errors (nothing written).
Result<ingest::ImportReport> ImportFromPath(Store& store, const ImportRequest& request,
                                            const std::string& path);
// The same for a file held in memory (an upload): a OneRoster package is then a .zip; `name`
// stands for the file in the report and in messages.
Result<ingest::ImportReport> ImportFromBytes(Store& store, const ImportRequest& request,
                                             const std::string& name, std::string bytes);

// Lower-case hex SHA-256 of a file, or of a directory's regular files (each file's name and
// contents, sorted by name).
Result<std::string> Sha256OfPath(const std::string& path);
Result<std::string> Sha256Of(std::string_view bytes);

// Appends the import's audit entry when the store keeps an audit log: `who` gives the actor,
// user, address and time; action "import KIND[ --check]", status 200 (imported or checked) or
// 400 (rejected), target "SOURCE sha256=... read=... created=... updated=... unchanged=...
// deleted=... rejected=... errors=...".
Status AuditImport(Store& store, AuditEntry who, const ImportRequest& request,
                   const std::string& source, const std::string& sha256,
                   const ingest::ImportReport& report, const Clock& clock);

// POST /api/v1/admin/imports/{kind}, one route per kind (routes_import.cc).
std::vector<Route> ImportRoutes();

// The --json report: ImportReport::ToJson plus "sha256".
nlohmann::json ImportReportJson(const ingest::ImportReport& report, const std::string& sha256);

}  // namespace pw::server
