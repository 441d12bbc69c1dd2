// Small helpers shared by the PgStore source files (not part of any public interface).
#pragma once

#ifdef PATHWISE_HAVE_POSTGRES

#include <fmt/core.h>

#include <string>
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
