// `pathwise audit [--db URL] [--student ID] [--user LOGIN] [--since T] [--limit N] [--json]`:
// who read or changed what, newest first.
//
//   $ pathwise audit --student 17
//   2026-11-26T05:40:02.113Z  ada  GET /api/v1/students/(\d+)  /api/v1/students/17  200  127.0.0.1
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "server/auth.h"

namespace pw::cli {
namespace {

struct AuditOptions {
  std::string db = "sqlite:pathwise.db";
  std::int64_t student = 0;
  std::string user;
  std::string since;
  int limit = 100;
  bool json = false;
};

Status RunAudit(const AuditOptions& opts, Io& io) {
  AuditFilter filter;
  if (opts.student != 0) filter.student_id = opts.student;
  if (!opts.user.empty()) filter.actor = opts.user;
  if (!opts.since.empty()) {
    Result<Timestamp> since = ParseTimestamp(opts.since);
    if (!since.ok()) return since.status().WithPrefix("--since");
    filter.since = *since;
  }
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, server::AccountsOf(*store));
  PW_ASSIGN_OR_RETURN(auto entries, accounts->ListAudit(filter, kNoId, opts.limit));
  if (opts.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const AuditEntry& e : entries) items.push_back(server::ToJson(e));
    io.out << items.dump() << "\n";
    return OkStatus();
  }
  for (const AuditEntry& e : entries) {
    io.out << FormatTimestamp(e.time) << "  " << e.actor << "  " << e.action << "  " << e.target
           << "  " << e.status << (e.address.empty() ? "" : "  " + e.address) << "\n";
  }
  return OkStatus();
}

void SetupAudit(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand("audit", "Show the audit log (reads of student records, changes)");
  auto opts = std::make_shared<AuditOptions>();
  sub->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  sub->add_option("--student", opts->student, "Only entries about this student id");
  sub->add_option("--user", opts->user, "Only entries by this login (or cli:USER, client:KEY)");
  sub->add_option("--since", opts->since, "Only entries at or after this ISO-8601 time");
  sub->add_option("--limit", opts->limit, "At most this many entries")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  sub->add_flag("--json", opts->json, "Print as a JSON array");
  bind(sub, [opts](Io& io) { return RunAudit(*opts, io); });
}
PW_CLI_COMMAND(62, SetupAudit);

}  // namespace
}  // namespace pw::cli
