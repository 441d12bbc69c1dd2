// A thin layer over libpqxx for the PostgreSQL Store: one connection, statements prepared once
// per connection (named by their SQL text), and libpqxx exceptions turned into Status at the
// call. Transactions are plain BEGIN/COMMIT/ROLLBACK sent by PgStore, so nesting and the
// "a failure dooms the outermost transaction" rule work exactly as in the SQLite backend.
//
// Only built when libpqxx is found (PATHWISE_HAVE_POSTGRES).
#pragma once

#ifdef PATHWISE_HAVE_POSTGRES

#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/ids.h"
#include "core/status.h"

namespace pw::pg {

// kNoId binds NULL.
inline std::optional<std::int64_t> Ref(Id id) {
  return id == kNoId ? std::nullopt : std::optional<std::int64_t>(id);
}
// "" binds NULL.
inline std::optional<std::string> OptText(std::string_view s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(std::string(s));
}

// Converts a libpqxx exception into a Status whose message starts with `what`.
Status PgStatus(const std::exception& e, std::string_view what);

// Column readers: NULL reads as 0 / "".
std::int64_t Int(const pqxx::row& r, int col);
double Real(const pqxx::row& r, int col);
std::string Text(const pqxx::row& r, int col);
inline bool IsNull(const pqxx::row& r, int col) { return r[col].is_null(); }

class PgDb {
 public:
  // `url` is a libpq connection URI (postgresql://USER@HOST/DB?...).
  static Result<std::unique_ptr<PgDb>> Open(const std::string& url);

  // Prepares `sql` on first use, then executes it with the arguments as $1, $2, ...
  template <typename... Args>
  Result<pqxx::result> Exec(const std::string& sql, const Args&... args) {
    try {
      return tx_->exec_prepared(Name(sql), args...);
    } catch (const std::exception& e) {
      return PgStatus(e, "postgresql");
    }
  }
  // Runs SQL text without parameters (DDL, BEGIN/COMMIT).
  Status ExecScript(const std::string& sql);

 private:
  PgDb() = default;
  const std::string& Name(const std::string& sql);

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::nontransaction> tx_;
  std::unordered_map<std::string, std::string> names_;
};

}  // namespace pw::pg

#endif  // PATHWISE_HAVE_POSTGRES
