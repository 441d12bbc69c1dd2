// pathwise serve [--db URL] [--host H] [--port P] [--secure-cookies]
#include <memory>

#include "cli/command.h"
#include "server/serve.h"

namespace pw::cli {
namespace {

void SetupServe(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand("serve", "Serve the HTTP API and web app");
  auto opts = std::make_shared<server::ServeOptions>();
  sub->add_option("--db", opts->db_url, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  sub->add_option("--host", opts->http.host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", opts->http.port, "Port to listen on")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--threads", opts->http.threads, "Worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_flag("--secure-cookies", opts->auth.secure_cookies,
                "Mark session cookies Secure (set when clients reach the server over HTTPS)");
  bind(sub, [opts](Io& io) { return server::RunServer(*opts, io.out); });
}

PW_CLI_COMMAND(20, SetupServe);

}  // namespace
}  // namespace pw::cli
