// The store the importer fuzz targets run their --check imports against: in memory, migrated,
// one per process (nothing accumulates: every import is rolled back). Aborts if it cannot open.
#pragma once

#include <cstdlib>
#include <memory>

#include "store/store.h"

namespace pw::fuzz {

inline std::unique_ptr<Store> MigratedMemoryStore() {
  auto s = OpenStore("sqlite::memory:");
  if (!s.ok() || !(*s)->Migrate().ok()) std::abort();
  return std::move(s).value();
}

}  // namespace pw::fuzz
