// `pathwise client create --name N --scope xapi --db URL [--json]`: an API client for an
// integration (a learning app sending xAPI statements). Prints the key and the secret once;
// only a hash of the secret is stored, so a lost secret means a new client.
//
//   $ pathwise client create --name "Math app" --scope xapi --json
//   {"key":"pwk_...","name":"Math app","scope":"xapi","secret":"..."}
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "server/auth.h"

namespace pw::cli {
namespace {

struct ClientOptions {
  std::string db = "sqlite:pathwise.db";
  std::string name;
  std::string scope;
  bool json = false;
};

Status RunClientCreate(const ClientOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  SystemClock clock;
  server::NewClient client;
  PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(client, server::CreateClient(*store, opts.name, opts.scope, clock));
    return AuditCli(*store, "client create", "client " + client.record.key);
  }));
  if (opts.json) {
    io.out << nlohmann::json{{"name", client.record.name},
                             {"scope", client.record.scope},
                             {"key", client.record.key},
                             {"secret", client.secret}}
                  .dump()
           << "\n";
    return OkStatus();
  }
  io.out << "created API client \"" << client.record.name << "\" (scope " << client.record.scope
         << ")\n"
         << "key:    " << client.record.key << "\n"
         << "secret: " << client.secret << "\n"
         << "The secret is shown only now; send both with HTTP Basic authentication.\n";
  return OkStatus();
}

void SetupClient(CLI::App& app, const Binder& bind) {
  auto* client = app.add_subcommand("client", "Manage API clients of integrations");
  client->require_subcommand(1);
  auto opts = std::make_shared<ClientOptions>();
  auto* create = client->add_subcommand("create", "Create an API client; prints key and secret once");
  create->add_option("--db", opts->db, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  create->add_option("--name", opts->name, "What the client is (e.g. the app's name)")->required();
  create->add_option("--scope", opts->scope, "What it may do: xapi")->required();
  create->add_flag("--json", opts->json, "Print as JSON (keys key and secret)");
  bind(create, [opts](Io& io) { return RunClientCreate(*opts, io); });
}
PW_CLI_COMMAND(61, SetupClient);

}  // namespace
}  // namespace pw::cli
