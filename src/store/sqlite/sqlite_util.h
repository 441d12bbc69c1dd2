// Small helpers shared by the SqliteStore source files (not part of any public interface).
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace pw::sqlite {

inline constexpr int kMaxPageLimit = 10'000;

// Names a row in an error message: `person 17`, `person "s-17"` or just `person` (new, no ids).
inline std::string Who(std::string_view kind, Id id, std::string_view source_id) {
  if (id != kNoId) return fmt::format("{} {}", kind, id);
  if (!source_id.empty()) return fmt::format("{} \"{}\"", kind, source_id);
  return std::string(kind);
}

inline Status CheckPage(const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return InvalidArgumentError("page limit {} is outside 1..{}", page.limit, kMaxPageLimit);
  }
  if (page.after < 0) return InvalidArgumentError("page after {} is negative", page.after);
  return OkStatus();
}

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
