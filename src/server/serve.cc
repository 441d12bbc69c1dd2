#include "server/serve.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ostream>
#include <thread>

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "server/import_service.h"
#include "server/policy.h"
#include "server/privacy.h"
#include "server/profile_service.h"
#include "server/xapi_routes.h"

namespace pw::server {

std::vector<Route> ServerRoutes(const AuthOptions& auth) {
  std::vector<Route> routes = ReadRoutes();
  for (std::vector<Route> more :
       {AuthRoutes(auth), AdminRoutes(), ImportRoutes(), ProfileRoutes(), XapiRoutes()}) {
    for (Route& r : more) routes.push_back(std::move(r));
  }
  return routes;
}

Status RunServer(const ServeOptions& options, std::ostream& out) {
  PW_RETURN_IF_ERROR(InitCrypto());
  PW_ASSIGN_OR_RETURN(auto pool, StorePool::Open(options.db_url, options.http.threads));
  {
    StorePool::Lease store = pool->Acquire();
    PW_RETURN_IF_ERROR(store->Migrate());
    PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(*store));
    PW_ASSIGN_OR_RETURN(auto users, accounts->ListUsers());
    if (std::none_of(users.begin(), users.end(), [](const UserAccount& u) {
          return u.role == Role::kAdministrator && !u.disabled;
        })) {
      out << "pathwise: no administrator account yet; create one with\n"
          << "  pathwise user create --login admin --role administrator --password-stdin --db "
          << options.db_url << "\n";
    }
  }
  SystemClock clock;
  ApiServer server(options.http, *pool, clock,
                   std::make_unique<RolePolicy>(clock, options.auth));
  server.AddRoutes(ServerRoutes(options.auth));

  // Block the signals in this thread (and so in every thread started after it); one waiter
  // thread receives them and stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);

  Result<int> port = server.Bind();
  if (!port.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return port.status();
  }
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    timespec tick{0, 200'000'000};
    while (!done.load()) {
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        spdlog::info("signal {}: shutting down", sig);
        server.Stop();
        return;
      }
    }
  });
  out << "pathwise: serving " << options.db_url << " on http://" << options.http.host << ":"
      << *port << "/ (Ctrl-C to stop)" << std::endl;
  if (options.on_ready) options.on_ready(*port);
  Status served = server.Serve();
  done = true;
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  out << "pathwise: stopped" << std::endl;
  return served;
}

}  // namespace pw::server
