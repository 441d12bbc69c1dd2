// A real Pathwise server for tests: a StorePool on a database URL, the ApiServer with every
// route and the RolePolicy, serving on a free loopback port from its own thread until Stop()
// (or destruction). Shared by the server test fixtures.
//
//   ServedStore served;
//   served.Start(url, clock, auth);       // ASSERTs; check HasFatalFailure() after it
//   httplib::Client c("127.0.0.1", served.port());
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "server/api.h"
#include "server/auth.h"
#include "server/policy.h"
#include "server/serve.h"
#include "store/store.h"

namespace pw::server {

class ServedStore {
 public:
  ServedStore() = default;
  ServedStore(const ServedStore&) = delete;
  ServedStore& operator=(const ServedStore&) = delete;
  ~ServedStore() { Stop(); }

  void Start(const std::string& url, const Clock& clock, const AuthOptions& auth, int threads = 4) {
    auto pool = StorePool::Open(url, threads);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    pool_ = std::move(pool).value();
    ServerOptions options;
    options.port = 0;
    options.threads = threads;
    server_ = std::make_unique<ApiServer>(options, *pool_, clock,
                                          std::make_unique<RolePolicy>(clock, auth));
    server_->AddRoutes(ServerRoutes(auth));
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    thread_ = std::thread([this] { server_->Serve().IgnoreError(); });
    // Stop() before the thread has started listening would be lost (and join() would then
    // wait forever), so wait for it.
    for (int i = 0; i < 10'000 && !server_->running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void Stop() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  ApiServer& server() { return *server_; }
  StorePool& pool() { return *pool_; }

 private:
  std::unique_ptr<StorePool> pool_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace pw::server
