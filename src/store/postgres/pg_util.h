// Small helpers shared by the PgStore source files (not part of any public interface).
#pragma once

#ifdef PATHWISE_HAVE_POSTGRES

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/store.h"
#include "store/store_util.h"

namespace pw::pg {

using store_util::CheckPage;
using store_util::kMaxPageLimit;
using store_util::Who;

// Parameters of a statement whose WHERE clause depends on the filter: Add() returns the
// placeholder ("$3") for a value. Values travel as text; the server infers their types.
class Params {
 public:
  template <typename T>
  std::string Add(const T& v) {
    values_.push_back(fmt::format("{}", v));
    return fmt::format("${}", values_.size());
  }
  auto dynamic() const { return pqxx::prepare::make_dynamic_params(values_); }

 private:
  std::vector<std::string> values_;
};

// A PostgreSQL array literal ('{1,NULL,3}', '{"a","b\\"c"}') built value by value, so that a
// whole batch travels as a few parameters of one statement -- INSERT ... SELECT * FROM
// unnest($1::BIGINT[], $2::TEXT[], ...) -- instead of one round trip a row.
class Array {
 public:
  void Add(std::int64_t v) { Next() += std::to_string(v); }
  void Add(int v) { Add(static_cast<std::int64_t>(v)); }
  void Add(double v) {
    std::string& out = Next();
    if (std::isnan(v)) {
      out += "NaN";
    } else if (std::isinf(v)) {
      out += v > 0 ? "Infinity" : "-Infinity";
    } else {
      out += fmt::format("{}", v);  // the shortest text that reads back the same double
    }
  }
  void Add(std::string_view text) {
    std::string& out = Next();
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  void AddNull() { Next() += "NULL"; }
  template <typename T>
  void Add(const std::optional<T>& v) {
    if (v) {
      Add(*v);
    } else {
      AddNull();
    }
  }
  std::string str() const { return "{" + text_ + "}"; }
  std::size_t size() const { return n_; }

 private:
  std::string& Next() {
    if (n_++ > 0) text_ += ',';
    return text_;
  }
  std::string text_;
  std::size_t n_ = 0;
};

// `n` new values of the sequence `sequence` (e.g. "evidence_id_seq"), ascending, in one round
// trip: rows inserted by one unnest() statement get them as explicit ids.
inline Result<std::vector<std::int64_t>> NextValues(PgDb& db, const std::string& sequence,
                                                    std::size_t n) {
  std::vector<std::int64_t> out;
  if (n == 0) return out;
  PW_ASSIGN_OR_RETURN(pqxx::result r,
                      db.Exec("SELECT nextval($1::regclass) FROM generate_series(1, $2::BIGINT)",
                              sequence, static_cast<std::int64_t>(n)));
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(row[0].as<std::int64_t>());
  std::sort(out.begin(), out.end());
  return out;
}

template <typename T, typename ReadFn>
Result<std::vector<T>> ReadAll(const pqxx::result& r, ReadFn read) {
  std::vector<T> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    PW_ASSIGN_OR_RETURN(T item, read(row));
    out.push_back(std::move(item));
  }
  return out;
}

template <typename T, typename ReadFn>
Result<Page<T>> ReadPage(const pqxx::result& r, int limit, ReadFn read) {
  Page<T> page;
  for (const auto& row : r) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_after = page.items.back().id;
      break;
    }
    PW_ASSIGN_OR_RETURN(T item, read(row));
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace pw::pg

#endif  // PATHWISE_HAVE_POSTGRES
