// Small helpers every benchmark shares: stop with one line on the first failure (a benchmark
// that hits an error has no figure to print), and this thread's CPU time, printed beside wall
// time because the machine may be shared.
#pragma once

#include <errno.h>  // program_invocation_short_name
#include <fmt/core.h>
#include <sqlite3.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/status.h"

namespace pw::bench {

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
  std::exit(1);
}

inline void Check(const Status& s, const char* what) {
  if (!s.ok()) Die(fmt::format("{}: {}", what, s.ToString()));
}

inline void CheckSql(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Die(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
  }
}

// CPU time of the whole process (every thread), for work spread over threads.
inline double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace pw::bench
