// A real PostgreSQL server for the store tests, started once per test process on a private
// Unix socket (no TCP port) in a temporary directory and stopped when the process exits.
//
// The server binaries are looked up in $PATHWISE_PG_BIN or /usr/lib/postgresql/15/bin; when
// they (or libpqxx) are absent the PostgreSQL variants of the tests skip. PostgreSQL refuses to
// run as root, so under root the server runs as the `postgres` user (runuser). initdb runs once
// per machine into a template directory that later processes copy.
#pragma once

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#ifdef PATHWISE_HAVE_POSTGRES
#include <pqxx/pqxx>
#endif

namespace pw::testing {

class PgTestServer {
 public:
  // The process's server, started on first use; nullptr with `why_not` set when PostgreSQL is
  // not available here (a skip), or when it is but would not start ("FAILED: ...", a failure).
  static PgTestServer* Get(std::string* why_not) {
    static std::string reason;
    static std::unique_ptr<PgTestServer> server = Start(&reason);
    if (!server) *why_not = reason;
    return server.get();
  }

  ~PgTestServer() {
    Run(run_as_ + bin_ + "/pg_ctl -D " + data_ + " -m immediate -w stop >/dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A new, empty database; returns its URL.
  std::string CreateDatabase() {
    const std::string name = "pw_test_" + std::to_string(++databases_);
#ifdef PATHWISE_HAVE_POSTGRES
    pqxx::connection admin(Url("postgres"));
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
#endif
    return Url(name);
  }

  std::string Url(const std::string& db) const {
    std::string encoded;
    for (char c : dir_) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    return "postgresql://postgres@/" + db + "?host=" + encoded + "&port=5432";
  }

 private:
  static int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

  static std::unique_ptr<PgTestServer> Start(std::string* why_not) {
#ifndef PATHWISE_HAVE_POSTGRES
    *why_not = "the PostgreSQL backend is not built (libpqxx was not found)";
    return nullptr;
#else
    const char* env_bin = std::getenv("PATHWISE_PG_BIN");
    const std::string bin = env_bin != nullptr ? env_bin : "/usr/lib/postgresql/15/bin";
    if (!std::filesystem::exists(bin + "/initdb") || !std::filesystem::exists(bin + "/pg_ctl")) {
      *why_not = "PostgreSQL server binaries not found in " + bin + " (set PATHWISE_PG_BIN)";
      return nullptr;
    }
    std::unique_ptr<PgTestServer> s(new PgTestServer());
    s->bin_ = bin;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (uid == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr || !std::filesystem::exists("/usr/sbin/runuser")) {
        *why_not = "running as root without a postgres user and runuser to start the server";
        return nullptr;
      }
      uid = pw->pw_uid;
      gid = pw->pw_gid;
      s->run_as_ = "/usr/sbin/runuser -u postgres -- ";
    }
    char tmpl[] = "/tmp/pw-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      *why_not = "cannot create a temporary directory";
      return nullptr;
    }
    s->dir_ = tmpl;
    s->data_ = s->dir_ + "/data";
    if (chown(s->dir_.c_str(), uid, gid) != 0) {
      *why_not = "cannot hand the temporary directory to the postgres user";
      return nullptr;
    }
    // initdb once per machine and user; later processes copy the template.
    const std::string tmpl_dir = "/tmp/pathwise-pg-template-" + std::to_string(uid);
    if (!std::filesystem::exists(tmpl_dir + "/PG_VERSION")) {
      const std::string fresh = s->dir_ + "/template";
      const int rc = Run(s->run_as_ + bin + "/initdb -D " + fresh +
                         " -A trust -U postgres --no-sync -E UTF8 --no-locale >" + s->dir_ +
                         "/initdb.log 2>&1");
      if (rc != 0) {
        *why_not = "FAILED: initdb failed (see " + s->dir_ + "/initdb.log)";
        return nullptr;
      }
      std::error_code ec;
      std::filesystem::rename(fresh, tmpl_dir, ec);  // loses harmlessly to a concurrent process
      if (ec) std::filesystem::remove_all(fresh, ec);
    }
    if (Run("cp -a " + tmpl_dir + " " + s->data_) != 0) {
      *why_not = "cannot copy the PostgreSQL template directory";
      return nullptr;
    }
    const int rc = Run(s->run_as_ + bin + "/pg_ctl -D " + s->data_ + " -o \"-k " + s->dir_ +
                       " -c listen_addresses='' -p 5432 -F\" -l " + s->dir_ +
                       "/server.log -w -t 60 start >/dev/null 2>&1");
    if (rc != 0) {
      std::ifstream log(s->dir_ + "/server.log");
      std::stringstream text;
      text << log.rdbuf();
      *why_not = "FAILED: pg_ctl start failed: " + text.str();
      return nullptr;
    }
    return s;
#endif
  }

  PgTestServer() = default;
  std::string bin_, run_as_, dir_, data_;
  int databases_ = 0;
};

}  // namespace pw::testing

// In a test or its SetUp: `url` becomes a new database on the process's PostgreSQL server, or
// the test skips (PostgreSQL not available here) or fails (it is, but would not start).
#define PW_PG_DATABASE_OR_SKIP(url)                                                \
  do {                                                                             \
    std::string pw_pg_why_not;                                                     \
    ::pw::testing::PgTestServer* pw_pg = ::pw::testing::PgTestServer::Get(&pw_pg_why_not); \
    if (pw_pg == nullptr) {                                                        \
      if (pw_pg_why_not.starts_with("FAILED")) FAIL() << pw_pg_why_not;            \
      GTEST_SKIP() << pw_pg_why_not;                                               \
    }                                                                              \
    (url) = pw_pg->CreateDatabase();                                               \
  } while (false)
