// `pathwise init --db URL`: creates the database schema, or upgrades it to the newest version.
//
//   $ pathwise init --db sqlite:pathwise.db
//   sqlite:pathwise.db: schema version 1 (created)
//   $ pathwise init --db sqlite:pathwise.db --json
//   {"db":"sqlite:pathwise.db","previous_version":1,"schema_version":1}
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/command.h"
#include "store/store.h"

namespace pw::cli {
namespace {

struct InitOptions {
  std::string db = "sqlite:pathwise.db";
  bool json = false;
};

Status RunInit(const InitOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(opts.db));
  PW_ASSIGN_OR_RETURN(int before, store->SchemaVersion());
  PW_RETURN_IF_ERROR(store->Migrate());
  PW_ASSIGN_OR_RETURN(int after, store->SchemaVersion());
  if (opts.json) {
    nlohmann::json out = {{"db", opts.db}, {"previous_version", before}, {"schema_version", after}};
    io.out << out.dump() << "\n";
    return OkStatus();
  }
  std::string what = before == 0       ? "created"
                     : before == after ? "already up to date"
                                       : fmt::format("upgraded from {}", before);
  io.out << opts.db << ": schema version " << after << " (" << what << ")\n";
  return OkStatus();
}

void SetupInit(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand("init", "Create the database schema or upgrade it to the newest");
  auto opts = std::make_shared<InitOptions>();
  sub->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://USER@HOST/DB")
      ->capture_default_str();
  sub->add_flag("--json", opts->json, "Print the result as one JSON object");
  bind(sub, [opts](Io& io) { return RunInit(*opts, io); });
}
PW_CLI_COMMAND(20, SetupInit);

}  // namespace
}  // namespace pw::cli
