// Small helpers shared by the SqliteStore source files (not part of any public interface).
#pragma once

#include <fmt/core.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"
#include "store/store_util.h"

namespace pw::sqlite {

using store_util::CheckPage;
using store_util::kMaxPageLimit;
using store_util::Who;

// The text of one multi-row INSERT for each row count from 1 to `max_rows`: `head` (the
// "INSERT ... INTO table(columns)" part) then VALUES with `columns` parameters a row. Built
// once, read-only after, so one instance may serve every connection (a function-local static).
class MultiRowInsert {
 public:
  MultiRowInsert(std::string_view head, std::size_t columns, std::size_t max_rows)
      : sql_(max_rows + 1) {
    std::string row = "(";
    for (std::size_t c = 0; c < columns; ++c) row += c == 0 ? "?" : ",?";
    row += ")";
    for (std::size_t n = 1; n <= max_rows; ++n) {
      sql_[n] = sql_[n - 1].empty() ? std::string(head) + " VALUES " + row
                                    : sql_[n - 1] + "," + row;
    }
  }
  // For `rows` rows, 1 to max_rows.
  const std::string& For(std::size_t rows) const { return sql_.at(rows); }

 private:
  std::vector<std::string> sql_;  // by row count; [0] unused
};

// Reads every remaining row of `st` with `read` (a Result<T>(const Stmt&)).
template <typename T, typename ReadFn>
Result<std::vector<T>> ReadAll(Stmt& st, ReadFn read) {
  std::vector<T> out;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PW_ASSIGN_OR_RETURN(T item, read(st));
    out.push_back(std::move(item));
  }
  return out;
}

// Reads a keyset page: the query asked for limit + 1 rows ordered by id; the extra row only
// says that more remain.
template <typename T, typename ReadFn>
Result<Page<T>> ReadPage(Stmt& st, int limit, ReadFn read) {
  Page<T> page;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_after = page.items.back().id;
      break;
    }
    PW_ASSIGN_OR_RETURN(T item, read(st));
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace pw::sqlite
