#ifdef PATHWISE_HAVE_POSTGRES

#include "store/postgres/pg_db.h"

namespace pw::pg {
namespace {

// The first line of a server message (libpq appends detail lines).
std::string FirstLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  const size_t nl = s.find('\n');
  std::string out(nl == std::string_view::npos ? s : s.substr(0, nl));
  if (out.starts_with("ERROR:  ")) out.erase(0, 8);
  return out;
}

}  // namespace

Status PgStatus(const std::exception& e, std::string_view what) {
  const std::string msg = FirstLine(e.what());
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == "23505") return AlreadyExistsError("{}: {}", what, msg);
    if (state.starts_with("23") || state.starts_with("22")) {
      return InvalidArgumentError("{}: {}", what, msg);
    }
    if (state == "40001" || state == "40P01" || state == "55P03" || state.starts_with("57")) {
      return UnavailableError("{}: {}", what, msg);
    }
    if (state == "42501") return PermissionDeniedError("{}: {}", what, msg);
    return InternalError("{}: {}", what, msg);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return UnavailableError("{}: {}", what, msg);
  }
  return InternalError("{}: {}", what, msg);
}

std::int64_t Int(const pqxx::row& r, int col) {
  return r[col].is_null() ? 0 : r[col].as<std::int64_t>();
}
double Real(const pqxx::row& r, int col) { return r[col].is_null() ? 0.0 : r[col].as<double>(); }
std::string Text(const pqxx::row& r, int col) {
  return r[col].is_null() ? std::string() : std::string(r[col].c_str(), r[col].size());
}

Result<std::unique_ptr<PgDb>> PgDb::Open(const std::string& url) {
  std::unique_ptr<PgDb> db(new PgDb());
  try {
    db->conn_ = std::make_unique<pqxx::connection>(url);
    db->tx_ = std::make_unique<pqxx::nontransaction>(*db->conn_);
    // Lossless doubles in text form (the default since PostgreSQL 12; set for older servers).
    db->tx_->exec("SET extra_float_digits = 3");
  } catch (const std::exception& e) {
    Status s = PgStatus(e, "postgresql");
    // A server that cannot be reached is the user's --db, not a bug.
    return Status(s.code() == StatusCode::kInternal ? StatusCode::kUnavailable : s.code(),
                  s.message());
  }
  return db;
}

Status PgDb::ExecScript(const std::string& sql) {
  try {
    tx_->exec(sql);
    return OkStatus();
  } catch (const std::exception& e) {
    return PgStatus(e, "postgresql");
  }
}

const std::string& PgDb::Name(const std::string& sql) {
  auto it = names_.find(sql);
  if (it != names_.end()) return it->second;
  std::string name = "pw" + std::to_string(names_.size());
  conn_->prepare(name, sql);
  return names_.emplace(sql, std::move(name)).first->second;
}

}  // namespace pw::pg

#endif  // PATHWISE_HAVE_POSTGRES
