// Seeds a database with the demo school: the shipped grade 5-7 framework and a simulated
// school (src/sim), written in one transaction. A database that already holds the demo is
// reused as it is.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "ingest/framework_json.h"
#include "store/store.h"

namespace pw::server {

struct DemoOptions {
  int students = 120;
  int classes = 4;  // one teacher each
  int weeks = 4;
  std::uint64_t seed = 2026;
};

struct DemoSummary {
  bool reused = false;  // the database already held the demo
  Id framework_id = kNoId;
  int competencies = 0;
  int students = 0;
  int teachers = 0;
  int guardians = 0;
  int classes = 0;
  std::int64_t evidence = 0;
  std::int64_t attendance = 0;
  double seconds = 0;
};

// `framework` is read by the caller first (ReadFrameworkFile), so a bad file is reported before
// the database is touched; it is only imported when the database does not hold the demo yet.
Result<DemoSummary> SeedDemo(Store& store, const FrameworkPackage& framework,
                             const DemoOptions& options);

}  // namespace pw::server
