// `pathwise import xapi FILE --db URL [--client KEY] [--json]`: loads xAPI statements from a
// JSON array or a JSON-lines file through the same path as POST /xapi/statements
// (server/xapi_service.h): validated all first, stored, mapped to evidence, one transaction.
//
//   $ pathwise import xapi statements.jsonl --db sqlite:school.db
//   imported 3 statements (3 new): 2 evidence events; 1 did not map
//     verb: http://adlnet.gov/expapi/verbs/experienced is not an evidence verb (1)
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "ingest/xapi_mapping.h"
#include "ingest/xapi_statement.h"
#include "server/auth.h"
#include "server/xapi_service.h"

namespace pw::cli {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxFileBytes = 512u << 20;

struct ImportXapiOptions {
  std::string db = "sqlite:pathwise.db";
  std::string file;
  std::string client;  // whose mapping to use (store meta xapi.mapping.<key>)
  bool json = false;
};

// The statements of `text`: a JSON array, or one JSON object per line. Errors name the file,
// the line (JSON lines) or the array index, and the field.
Result<std::vector<json>> ReadStatements(const std::string& text, const std::string& file) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<json> out;
  if (first == std::string::npos) return out;
  if (text[first] == '[') {
    json all = json::parse(text, nullptr, false);
    if (all.is_discarded()) return InvalidArgumentError("{}: not valid JSON", file);
    for (std::size_t i = 0; i < all.size(); ++i) {
      Status s = xapi::ValidateStatement(all[i], "statements[" + std::to_string(i) + "]");
      if (!s.ok()) return s.WithPrefix(file);
      out.push_back(std::move(all[i]));
    }
    return out;
  }
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json s = json::parse(line, nullptr, false);
    const std::string where = file + ":" + std::to_string(n);
    if (s.is_discarded()) return InvalidArgumentError("{}: not valid JSON", where);
    Status ok = xapi::ValidateStatement(s, "statement");
    if (!ok.ok()) return ok.WithPrefix(where);
    out.push_back(std::move(s));
  }
  return out;
}

Status RunImportXapi(const ImportXapiOptions& opts, Io& io) {
  std::ifstream f(opts.file, std::ios::binary);
  if (!f) return InvalidArgumentError("{}: cannot open the file", opts.file);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (text.size() > kMaxFileBytes) {
    return InvalidArgumentError("{}: larger than {} MiB; split it", opts.file, kMaxFileBytes >> 20);
  }
  PW_ASSIGN_OR_RETURN(std::vector<json> statements, ReadStatements(text, opts.file));
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_RETURN_IF_ERROR(server::InitCrypto());
  xapi::XapiMapping mapping;
  mapping.source_system = "xapi:import";
  if (!opts.client.empty()) {
    PW_ASSIGN_OR_RETURN(mapping, xapi::LoadXapiMapping(*store, opts.client));
  }
  server::StatementBatch batch;
  batch.statements = std::move(statements);
  batch.is_batch = true;
  batch.authority = json{{"objectType", "Agent"},
                         {"account", {{"homePage", "urn:pathwise:import"}, {"name", "cli"}}}};
  SystemClock clock;
  Result<server::StoredBatch> stored = server::StoreStatements(*store, batch, mapping, clock);
  if (!stored.ok()) return stored.status().WithPrefix(opts.file);
  PW_RETURN_IF_ERROR(AuditCli(*store, "import xapi", opts.file));
  std::map<std::string, int> reasons;
  for (const std::string& r : stored->unmapped_reasons) ++reasons[r];
  if (opts.json) {
    io.out << json{{"statements", stored->ids.size()},
                   {"new", stored->stored},
                   {"evidence", stored->evidence},
                   {"unmapped", stored->unmapped},
                   {"unmapped_reasons", reasons}}
                  .dump()
           << "\n";
    return OkStatus();
  }
  io.out << "imported " << stored->ids.size() << " statements (" << stored->stored
         << " new): " << stored->evidence << " evidence events; " << stored->unmapped
         << " did not map\n";
  for (const auto& [reason, count] : reasons) io.out << "  " << reason << " (" << count << ")\n";
  return OkStatus();
}

void SetupImportXapi(CLI::App& app, const Binder& bind) {
  auto* import = ParentCommand(app, "import", "Import data from files");
  auto* sub = import->add_subcommand("xapi", "Import xAPI statements (JSON array or JSON lines)");
  auto opts = std::make_shared<ImportXapiOptions>();
  sub->add_option("FILE", opts->file, "Statements file")->required();
  sub->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  sub->add_option("--client", opts->client,
                  "Use this API client's statement-to-evidence mapping (default mapping otherwise)");
  sub->add_flag("--json", opts->json, "Print the counts as JSON");
  bind(sub, [opts](Io& io) { return RunImportXapi(*opts, io); });
}
PW_CLI_COMMAND(41, SetupImportXapi);

}  // namespace
}  // namespace pw::cli
