// Runs the HTTP server in the foreground until SIGINT or SIGTERM, then shuts down cleanly
// (in-flight requests finish, the store pool closes). Used by `pathwise serve` and `demo`.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "core/status.h"
#include "server/api.h"

namespace pw::server {

struct ServeOptions {
  std::string db_url = "sqlite:pathwise.db";
  ServerOptions http;
  // Called once the socket is bound, with the port (e.g. to print "serving on ...").
  std::function<void(int port)> on_ready;
};

// Opens the store pool, migrates the schema, installs every route and serves. Returns when a
// signal arrives (OK) or the server fails.
Status RunServer(const ServeOptions& options, std::ostream& out);

}  // namespace pw::server
