#include "server/serve.h"

#include <atomic>
#include <csignal>
#include <ostream>
#include <thread>

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace pw::server {

Status RunServer(const ServeOptions& options, std::ostream& out) {
  if (options.http.host != "127.0.0.1" && options.http.host != "localhost" &&
      options.http.host != "::1") {
    return FailedPreconditionError(
        "--host {}: this build serves only on loopback until accounts and roles are configured",
        options.http.host);
  }
  PW_ASSIGN_OR_RETURN(auto pool, StorePool::Open(options.db_url, options.http.threads));
  {
    StorePool::Lease store = pool->Acquire();
    PW_RETURN_IF_ERROR(store->Migrate());
  }
  SystemClock clock;
  ApiServer server(options.http, *pool, clock, std::make_unique<OpenPolicy>());
  server.AddRoutes(ReadRoutes());

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
