// `pathwise import oneroster|case|prereqs|scores|attendance|behavior|sel PATH --db URL`:
// reads the standard files a district already exports (docs/imports.md), all or nothing, and
// prints what it did per entity. Every import is audited (who, when, the file's SHA-256, the
// counts) when the database keeps an audit log. The work is server/import_service.h, which the
// admin API (POST /api/v1/admin/imports/{kind}) runs too.
//
//   $ pathwise import oneroster district.zip --db sqlite:pathwise.db
//   oneroster district.zip (imported)
//     entity                 read  created  updated  unchanged  deleted  rejected
//     orgs                      1        1        0          0        0         0
//     ...
//   $ pathwise import attendance att.csv --map "Student ID=student" --check --json
//
// Exit 0 when imported (or, with --check, when it would import); 2 when the input is rejected
// (the report is printed, then the errors: file, line, column, value, what was expected).
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "server/import_service.h"

namespace pw::cli {
namespace {

struct ImportCliOptions {
  std::string path;
  std::string db = "sqlite:pathwise.db";
  bool check = false;
  bool json = false;
  std::vector<std::string> map;
  std::size_t max_errors = 20;
  std::string framework;
  std::string source_system;
};

Status RunImport(const std::string& kind, const ImportCliOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_ASSIGN_OR_RETURN(std::string sha, server::Sha256OfPath(opts.path));
  server::ImportRequest request;
  request.kind = kind;
  request.options.check = opts.check;
  request.options.max_errors = opts.max_errors;
  request.map = opts.map;
  request.framework = opts.framework;
  request.source_system = opts.source_system;
  PW_ASSIGN_OR_RETURN(ingest::ImportReport report,
                      server::ImportFromPath(*store, request, opts.path));
  AuditEntry who;
  who.actor = CliActor();
  SystemClock clock;
  PW_RETURN_IF_ERROR(server::AuditImport(*store, who, request, opts.path, sha, report, clock));
  if (opts.json) {
    io.out << server::ImportReportJson(report, sha)
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << "\n";
  } else {
    io.out << report.ToText();
  }
  return report.ErrorStatus();
}

void SetupImport(CLI::App& app, const Binder& bind) {
  CLI::App* group = ParentCommand(app, "import", "Import rosters, frameworks, scores and records");
  struct Kind {
    const char* name;
    const char* help;
    const char* path_help;
  };
  static const Kind kKinds[] = {
      {"oneroster", "OneRoster CSV 1.1/1.2 package (bulk or delta)", "A directory or a .zip"},
      {"case", "CASE 1.0 competency framework package (JSON)", "The package's .json file"},
      {"prereqs", "Prerequisite edges between competencies (CSV from,to[,kind])", "The CSV file"},
      {"scores", "Assessment scale scores (CSV student,assessment,date,scale_score[,sem],...)",
       "The CSV file"},
      {"attendance", "Daily attendance (CSV student,date,status)", "The CSV file"},
      {"behavior", "Behavior incidents (CSV student,time,category,severity,...)", "The CSV file"},
      {"sel", "Social-emotional survey scale scores (CSV student,date,scale,score,...)",
       "The CSV file"},
  };
  for (const Kind& k : kKinds) {
    auto* sub = group->add_subcommand(k.name, k.help);
    auto opts = std::make_shared<ImportCliOptions>();
    sub->add_option("path", opts->path, k.path_help)->required();
    sub->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://USER@HOST/DB")
        ->capture_default_str();
    sub->add_flag("--check", opts->check, "Validate and count, write nothing");
    sub->add_flag("--json", opts->json, "Print the report as one JSON object keyed by entity");
    sub->add_option("--max-errors", opts->max_errors, "Error messages to list")
        ->capture_default_str();
    const std::string kind = k.name;
    if (kind != "oneroster" && kind != "case") {
      sub->add_option("--map", opts->map,
                      "Rename a file column: FILE_COLUMN=FIELD (repeatable; see docs/imports.md)");
    }
    if (kind == "prereqs" || kind == "scores") {
      sub->add_option("--framework", opts->framework,
                      "The framework (source id, title or id) whose codes the file uses");
    }
    if (kind != "oneroster" && kind != "case" && kind != "prereqs") {
      sub->add_option("--source-system", opts->source_system,
                      "Stored as each row's source when the file has no source column "
                      "(default import:<kind>)");
    }
    bind(sub, [kind, opts](Io& io) { return RunImport(kind, *opts, io); });
  }
}
PW_CLI_COMMAND(40, SetupImport);

}  // namespace
}  // namespace pw::cli
