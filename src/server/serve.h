// Runs the HTTP server in the foreground until SIGINT or SIGTERM, then shuts down cleanly
// (in-flight requests finish, the store pool closes). Used by `pathwise serve` and `demo`.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "core/status.h"
#include "server/api.h"
#include "server/auth.h"

namespace pw::server {

struct ServeOptions {
  std::string db_url = "sqlite:pathwise.db";
  ServerOptions http;
  AuthOptions auth;  // password cost, session lifetime, lockout, Secure cookies
  // Called once the socket is bound, with the port (e.g. to print "serving on ...").
  std::function<void(int port)> on_ready;
};

// Every route of the server: ReadRoutes, AuthRoutes, AdminRoutes, ProfileRoutes (tests
// enumerate these).
std::vector<Route> ServerRoutes(const AuthOptions& auth);

// Opens the store pool, migrates the schema, installs every route and serves. Returns when a
// signal arrives (OK) or the server fails. Every request goes through RolePolicy (policy.h),
// so the server may listen on any address (--host); the default stays loopback.
Status RunServer(const ServeOptions& options, std::ostream& out);

}  // namespace pw::server
