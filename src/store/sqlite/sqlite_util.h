// Small helpers shared by the SqliteStore source files (not part of any public interface).
#pragma once

#include <fmt/core.h>

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
