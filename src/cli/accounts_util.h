// Helpers shared by the account and privacy subcommands (user, client, audit, privacy).
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "server/privacy.h"
#include "store/accounts.h"
#include "store/store.h"

namespace pw::cli {

// Opens the store and brings its schema up to date (the account tables may be new).
inline Result<std::unique_ptr<Store>> OpenMigratedStore(const std::string& url) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(url));
  PW_RETURN_IF_ERROR(store->Migrate());
  return store;
}

// The audit actor of a command-line change: "cli:<OS user>".
inline std::string CliActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

// Records a command-line action in the audit log.
inline Status AuditCli(Store& store, std::string action, std::string target,
                       Id student = kNoId) {
  AuditEntry e;
  e.actor = CliActor();
  e.action = std::move(action);
  e.target = std::move(target);
  e.student_id = student;
  e.status = 200;
  SystemClock clock;
  return server::RecordAudit(store, e, clock);
}

}  // namespace pw::cli
