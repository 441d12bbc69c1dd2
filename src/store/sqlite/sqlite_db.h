// A thin RAII layer over the SQLite C API for the SQLite Store: one connection, its pragmas, a
// per-connection cache of prepared statements, and SQLite result codes turned into Status.
//
//   PW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open("pathwise.db"));
//   PW_ASSIGN_OR_RETURN(Stmt st, db->Prepare("SELECT name FROM orgs WHERE id = ?"));
//   st.Bind(org_id);
//   PW_ASSIGN_OR_RETURN(bool row, st.Step());
//   if (row) name = st.Text(0);
//
// Not thread-safe (one Store = one connection = one thread at a time).
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/status.h"

namespace pw::sqlite {

// Binds SQL NULL.
struct Null {};
// An optional reference to another row: kNoId binds NULL.
struct Ref {
  Id id;
};
// Text where "" means absent: binds NULL (so UNIQUE indexes ignore empty source ids).
struct OptText {
  std::string_view text;
};
// A BLOB (copied when bound).
struct Bytes {
  std::string_view data;
};

// Converts an SQLite result code into a Status whose message starts with `what`.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// UUIDs stored as their 16 bytes (xAPI statement ids: half the size of the text in the row and
// in the unique index). UuidBytes: the bytes of a UUID in 8-4-4-4-12 hex form (either case), or
// "" for anything else. UuidText: the lowercase 8-4-4-4-12 form of 16 bytes.
std::string UuidBytes(std::string_view text);
// The same into `out` (no allocation); false for anything else.
bool UuidBytes(std::string_view text, std::array<char, 16>& out);
std::string UuidText(std::string_view bytes);
// Registers pw_uuid_bytes(text) on a connection (migrations use it): the UuidBytes BLOB of a
// UUID; any other value is returned unchanged. Every SqliteDb has it.
Status RegisterUuidFunction(sqlite3* db);

class SqliteDb;

// A lease on a prepared statement. Destroying it resets the statement, clears its bindings and
// hands it back to the connection's cache. Movable, not copyable.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  sqlite3_stmt* handle() const { return stmt_; }

  // Binds the arguments to parameters 1..N (in order).
  template <typename... Args>
  Stmt& Bind(const Args&... args) {
    int i = 1;
    (BindOne(i++, args), ...);
    return *this;
  }
  void BindOne(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindOne(int i, int v) { sqlite3_bind_int(stmt_, i, v); }
  void BindOne(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void BindOne(int i, bool v) { sqlite3_bind_int(stmt_, i, v ? 1 : 0); }
  void BindOne(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindOne(int i, const std::string& v) { BindOne(i, std::string_view(v)); }
  void BindOne(int i, const char* v) { BindOne(i, std::string_view(v)); }
  void BindOne(int i, Null) { sqlite3_bind_null(stmt_, i); }
  void BindOne(int i, Ref r) {
    if (r.id == kNoId) {
      sqlite3_bind_null(stmt_, i);
    } else {
      sqlite3_bind_int64(stmt_, i, r.id);
    }
  }
  void BindOne(int i, Bytes b) {
    sqlite3_bind_blob(stmt_, i, b.data.data(), static_cast<int>(b.data.size()), SQLITE_TRANSIENT);
  }
  void BindOne(int i, OptText t) {
    if (t.text.empty()) {
      sqlite3_bind_null(stmt_, i);
    } else {
      BindOne(i, t.text);
    }
  }

  // true: a row is ready to read; false: the statement is done.
  Result<bool> Step();
  // Steps a statement that returns no rows (or ignores them) to completion.
  Status Run();
  // Resets for another execution with new bindings (bindings are kept until rebound).
  void Reset();

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // NULL reads as "".
  std::string Text(int col) const;

 private:
  friend class SqliteDb;
  Stmt(SqliteDb* db, sqlite3_stmt* stmt, bool cached) : db_(db), stmt_(stmt), cached_(cached) {}
  void Release();

  SqliteDb* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;
};

struct SharedFile;

class SqliteDb {
 public:
  // Opens (creating if needed) the database file and applies the connection settings:
  // journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout, cache_size.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int busy_timeout_ms,
                                                int cache_mib = 64);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(std::string_view sql);

  // A statement from the cache (prepared on first use). If that statement is already leased
  // (a scan whose callback re-enters the store), a fresh uncached one is prepared instead.
  Result<Stmt> Prepare(const std::string& sql);

  // Shorthand: prepare, bind, run to completion.
  template <typename... Args>
  Status Run(const std::string& sql, const Args&... args) {
    PW_ASSIGN_OR_RETURN(Stmt st, Prepare(sql));
    st.Bind(args...);
    return st.Run();
  }

  // Write transactions of this process's connections to the file take turns: LockWriter before
  // BEGIN IMMEDIATE waits up to the busy timeout for the turn and says whether it got it (false
  // for an in-memory database, or when it timed out: SQLite's own lock decides then); a true
  // LockWriter is paired with UnlockWriter after COMMIT or ROLLBACK.
  bool LockWriter();
  void UnlockWriter();

  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  Status Error(int rc, std::string_view what) const { return SqliteStatus(db_, rc, what); }

 private:
  friend class Stmt;
  struct CacheEntry {
    sqlite3_stmt* stmt = nullptr;
    bool leased = false;
  };
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void GiveBack(sqlite3_stmt* stmt);

  static int WalHook(void* self, sqlite3* db, const char* name, int frames);

  sqlite3* db_;
  std::string path_;
  int busy_timeout_ms_ = 0;
  // Shared by this file's connections in this process (sqlite_db.cc): the writer turn and the
  // thread that checkpoints the WAL. Null for an in-memory database.
  std::shared_ptr<SharedFile> shared_;
  std::unordered_map<std::string, CacheEntry> cache_;
  std::unordered_map<sqlite3_stmt*, CacheEntry*> by_handle_;
};

}  // namespace pw::sqlite
