// Versioned schema migrations for the SQLite store.
//
// The schema is built by an ordered list of migrations. Each applied migration leaves one row in
// `schema_version(version, description, applied_at_ms)`; the database's version is the highest
// row (0 for an empty file). Each migration runs in its own IMMEDIATE transaction together with
// its schema_version row, so a failure leaves the database at the previous version, and two
// processes migrating at once serialize on the write lock (the second finds nothing to do).
// docs/store.md describes the tables.
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace pw::sqlite {

struct Migration {
  int version;                   // 1, 2, 3, ... without gaps
  std::string_view description;  // one line, stored in schema_version
  std::string_view sql;          // one or more statements
};

// The migrations of this build, oldest first.
std::span<const Migration> SchemaMigrations();

// The database's schema version: 0 when schema_version does not exist yet.
Result<int> ReadSchemaVersion(SqliteDb& db);

// Applies every migration newer than the database's version, each in its own transaction.
// FailedPrecondition when the database is newer than the newest migration given. `now_ms` is
// recorded as applied_at_ms.
Status ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations, std::int64_t now_ms);

}  // namespace pw::sqlite
