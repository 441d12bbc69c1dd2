// `pathwise import oneroster|case|prereqs|scores|attendance|behavior|sel PATH --db URL`:
// reads the standard files a district already exports (docs/imports.md), all or nothing, and
// prints what it did per entity. Every import is audited (who, when, the file's SHA-256, the
// counts) when the database keeps an audit log.
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
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "ingest/case.h"
#include "ingest/csv_table.h"
#include "ingest/file_package.h"
#include "ingest/oneroster.h"
#include "ingest/prereq_csv.h"
#include "ingest/tabular.h"

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

// SHA-256 of a file, or of a directory's regular files (name and contents, sorted by name).
Result<std::string> Sha256Of(const std::string& path) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialize");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  auto add_file = [&](const std::filesystem::path& p) -> Status {
    std::ifstream in(p, std::ios::binary);
    if (!in) return InvalidArgumentError("{}: cannot open for reading", p.string());
    char buf[1 << 16];
    while (in) {
      in.read(buf, sizeof buf);
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf),
                                static_cast<unsigned long long>(in.gcount()));
    }
    return OkStatus();
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string name = f.filename().string() + "\n";
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                                name.size());
      PW_RETURN_IF_ERROR(add_file(f));
    }
  } else {
    PW_RETURN_IF_ERROR(add_file(path));
  }
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, out);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex);
}

Result<ingest::ImportReport> RunOne(const std::string& kind, const ImportCliOptions& opts,
                                    Store& store) {
  ingest::ImportOptions base;
  base.check = opts.check;
  base.max_errors = opts.max_errors;
  PW_ASSIGN_OR_RETURN(auto mapping, ingest::ParseColumnMapping(opts.map));
  if (kind == "oneroster") {
    if (!mapping.empty()) {
      return InvalidArgumentError("--map: OneRoster files have fixed column names");
    }
    PW_ASSIGN_OR_RETURN(ingest::FilePackage pkg, ingest::FilePackage::Open(opts.path));
    return ingest::ImportOneRoster(store, pkg, base);
  }
  if (kind == "case") {
    if (!mapping.empty()) return InvalidArgumentError("--map: CASE packages are JSON");
    return ingest::ImportCaseFile(store, opts.path, base);
  }
  std::ifstream in(opts.path, std::ios::binary);
  if (!in) return InvalidArgumentError("{}: cannot open for reading", opts.path);
  if (kind == "prereqs") {
    ingest::PrereqOptions p;
    static_cast<ingest::ImportOptions&>(p) = base;
    p.framework = opts.framework;
    p.mapping = mapping;
    return ingest::ImportPrereqCsv(store, in, opts.path, p);
  }
  PW_ASSIGN_OR_RETURN(ingest::TabularKind tk, ingest::ParseTabularKind(kind));
  ingest::TabularOptions t;
  static_cast<ingest::ImportOptions&>(t) = base;
  t.mapping = mapping;
  t.framework = opts.framework;
  t.source_system = opts.source_system;
  return ingest::ImportTabular(store, tk, in, opts.path, t);
}

Status RunImport(const std::string& kind, const ImportCliOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_ASSIGN_OR_RETURN(std::string sha, Sha256Of(opts.path));
  PW_ASSIGN_OR_RETURN(ingest::ImportReport report, RunOne(kind, opts, *store));
  if (store->accounts() != nullptr) {
    ingest::EntityCounts total;
    for (const auto& [name, c] : report.entities) {
      total.read += c.read;
      total.created += c.created;
      total.updated += c.updated;
      total.unchanged += c.unchanged;
      total.deleted += c.deleted;
      total.rejected += c.rejected;
    }
    PW_RETURN_IF_ERROR(AuditCli(
        *store, fmt::format("import {}{}", kind, opts.check ? " --check" : ""),
        fmt::format("{} sha256={} read={} created={} updated={} unchanged={} deleted={} "
                    "rejected={} errors={}",
                    opts.path, sha, total.read, total.created, total.updated, total.unchanged,
                    total.deleted, total.rejected, report.errors.total())));
  }
  if (opts.json) {
    nlohmann::json j = report.ToJson();
    j["sha256"] = sha;
    io.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
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
