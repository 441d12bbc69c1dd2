// --db URLs, opening a Store by URL, and the StorePool.
#include "store/store.h"

#include <cassert>
#include <condition_variable>
#include <mutex>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace pw {
namespace {

constexpr std::string_view kExpected = "expected sqlite:PATH or postgresql://USER@HOST/DB";

// The URL as the user typed it, quoted, with control characters escaped so the error stays
// on one line.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

Result<StoreUrl> ParseStoreUrl(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string_view path = url.substr(kSqlite.size());
    if (path.starts_with("//")) path.remove_prefix(2);
    if (path.empty()) {
      return InvalidArgumentError("--db {}: the SQLite file path is empty; {}", Quote(url),
                                  kExpected);
    }
    if (path.find('\0') != std::string_view::npos) {
      return InvalidArgumentError("--db {}: the SQLite file path contains a NUL byte; {}",
                                  Quote(url), kExpected);
    }
    return StoreUrl{StoreUrl::Kind::kSqlite, std::string(path)};
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) {
      if (url.size() == scheme.size()) {
        return InvalidArgumentError("--db {}: the PostgreSQL URL names no server; {}", Quote(url),
                                    kExpected);
      }
      return StoreUrl{StoreUrl::Kind::kPostgres, std::string(url)};
    }
  }
  return InvalidArgumentError("--db {}: {}", Quote(url), kExpected);
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  PW_ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  switch (parsed.kind) {
    case StoreUrl::Kind::kSqlite: {
      PW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(parsed.target));
      return std::unique_ptr<Store>(std::move(store));
    }
    case StoreUrl::Kind::kPostgres: {
#ifdef PATHWISE_HAVE_POSTGRES
      PW_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> store, PgStore::Open(parsed.target));
      return std::unique_ptr<Store>(std::move(store));
#else
      return UnimplementedError("the PostgreSQL backend is not built (libpqxx was not found)");
#endif
    }
  }
  return InternalError("unknown store kind");
}

// ---- StorePool

struct StorePool::State {
  std::mutex mu;
  std::condition_variable freed;
  std::vector<std::unique_ptr<Store>> idle;
  int size = 0;
};

Result<std::unique_ptr<StorePool>> StorePool::Open(std::string_view url, int size) {
  if (size < 1) return InvalidArgumentError("store pool size {} is less than 1", size);
  auto state = std::make_unique<State>();
  state->size = size;
  for (int i = 0; i < size; ++i) {
    PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(url));
    state->idle.push_back(std::move(store));
  }
  return std::unique_ptr<StorePool>(new StorePool(std::move(state)));
}

StorePool::StorePool(std::unique_ptr<State> state) : state_(std::move(state)) {}

StorePool::~StorePool() {
  // Every lease must have been returned: a Lease outliving its pool is a programming error.
  std::lock_guard lock(state_->mu);
  assert(static_cast<int>(state_->idle.size()) == state_->size &&
         "StorePool destroyed while a Lease is still held");
}

StorePool::Lease StorePool::Acquire() {
  std::unique_lock lock(state_->mu);
  state_->freed.wait(lock, [&] { return !state_->idle.empty(); });
  std::unique_ptr<Store> store = std::move(state_->idle.back());
  state_->idle.pop_back();
  return Lease(this, std::move(store));
}

void StorePool::Release(std::unique_ptr<Store> store) {
  {
    std::lock_guard lock(state_->mu);
    state_->idle.push_back(std::move(store));
  }
  state_->freed.notify_one();
}

StorePool::Lease& StorePool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr && store_ != nullptr) pool_->Release(std::move(store_));
    pool_ = std::exchange(other.pool_, nullptr);
    store_ = std::move(other.store_);
  }
  return *this;
}

StorePool::Lease::~Lease() {
  if (pool_ != nullptr && store_ != nullptr) pool_->Release(std::move(store_));
}

}  // namespace pw
