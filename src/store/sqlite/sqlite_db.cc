#include "store/sqlite/sqlite_db.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <sys/mman.h>

#include "core/quiet_thread.h"

namespace pw::sqlite {

// Moving the WAL checkpoint off the writer. With SQLite's default (autocheckpoint at 1,000
// pages) the connection whose commit crosses the limit copies the WAL back into the database
// and fsyncs it before its commit returns, so a busy writer spends a third of its time there
// (bench_xapi: 40% of an ingest's time was write/fsync system calls). Here every connection
// reports its WAL size after each commit (sqlite3_wal_hook, which replaces autocheckpoint); each
// time the WAL has grown by kWalFrames since the last request, the file's Checkpointer thread
// runs a PASSIVE checkpoint on a connection of its own while writers go on; the next writer
// copies what was committed meanwhile, begins with the WAL all copied back and so restarts it
// (SqliteDb::LockWriter). Requests are kWalFrames apart (not one a commit past the limit): a
// page that many commits rewrote is copied back once, and fsynced once, instead of once a
// commit (bench_xapi, 100,000 statements: 3,074 pages copied back instead of 21,676, 3 fsyncs
// of the database instead of 85). If the thread falls behind (a long reader pins the WAL), the
// writer checkpoints itself past kWalFramesHard, as autocheckpoint would, so the WAL stays
// bounded.
constexpr int kWalFrames = 4096;       // 64 MiB of 16 KiB pages; one WAL-index hash segment
constexpr int kWalFramesHard = 32768;  // 512 MiB of 16 KiB pages

class Checkpointer {
 public:
  // `copied`: set after each checkpoint, for the next writer to finish it (SharedFile).
  Checkpointer(std::string path, std::atomic<bool>& copied)
      : path_(std::move(path)), copied_(copied), thread_(Start()) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    // The last connection to close checkpoints the whole WAL and removes it.
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  void Request() {
    {
      std::lock_guard lock(mu_);
      requested_ = true;
    }
    wake_.notify_one();
  }

 private:
  std::thread Start() {
    return StartQuietThread([this] { Loop(); });
  }

  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || requested_; });
      if (stop_) return;
      requested_ = false;
      lock.unlock();
      // A connection sees the file's WAL mode only once it has read the database; until then
      // a checkpoint on it is a no-op.
      if (db_ == nullptr &&
          (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                           nullptr) != SQLITE_OK ||
           sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
               SQLITE_OK)) {
        sqlite3_close_v2(db_);  // the writers' own fallback still bounds the WAL
        db_ = nullptr;
      }
      // PASSIVE never waits for or blocks writers and readers; what it cannot copy now (frames
      // a reader still needs) is copied on the next request. The next writer of this process
      // then copies what was committed meanwhile (SqliteDb::LockWriter) before it begins, so
      // it begins with the WAL all copied back and restarts it.
      if (db_ != nullptr &&
          sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) ==
              SQLITE_OK) {
        copied_.store(true);
      }
      lock.lock();
    }
  }

  std::string path_;
  std::atomic<bool>& copied_;
  sqlite3* db_ = nullptr;  // the checkpoint connection, used by the thread only
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool requested_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// What the connections to one database file in this process share.
struct SharedFile {
  explicit SharedFile(const std::string& path) : checkpointer(path, checkpointed) {}
  // Writers of this process take turns here before BEGIN IMMEDIATE: a waiting writer starts
  // the moment the other commits, where SQLite's busy handler would poll with sleeps of up to
  // 100 ms. (Other processes still meet at SQLite's lock, with busy_timeout.)
  std::timed_mutex writer;
  // The thread holding `writer`: a second connection of that same thread must not wait for it
  // (it would wait for itself), so it goes straight to SQLite's lock.
  std::atomic<std::thread::id> owner{};
  // The WAL's size (frames) when a connection last asked the checkpointer to run.
  std::atomic<int> requested_at{0};
  // The checkpointer has copied the WAL back up to where it began: the next writer copies the
  // rest (frames committed meanwhile) before it begins.
  std::atomic<bool> checkpointed{false};
  Checkpointer checkpointer;

  // The one for `path` in this process, created on first use.
  static std::shared_ptr<SharedFile> For(const std::string& path) {
    static std::mutex mu;
    static std::map<std::string, std::weak_ptr<SharedFile>> all;
    std::lock_guard lock(mu);
    std::shared_ptr<SharedFile> f = all[path].lock();
    if (!f) {
      f = std::make_shared<SharedFile>(path);
      all[path] = f;
    }
    return f;
  }
};

bool SqliteDb::LockWriter() {
  if (!shared_ || shared_->owner.load() == std::this_thread::get_id()) return false;
  if (!shared_->writer.try_lock_for(std::chrono::milliseconds(busy_timeout_ms_))) return false;
  shared_->owner.store(std::this_thread::get_id());
  // Finishing the checkpointer's copy: a busy writer otherwise always began while the copy
  // was under way (it takes longer than the gap between two write transactions), SQLite
  // restarts the WAL only for a writer that begins with it all copied back, and so it never
  // restarted: it grew to kWalFramesHard (512 MiB) in new file blocks, where every commit
  // checkpointed itself. This pass copies a commit or two and costs this writer its fsyncs,
  // once per kWalFrames.
  if (shared_->checkpointed.exchange(false)) {
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return true;
}

void SqliteDb::UnlockWriter() {
  shared_->owner.store(std::thread::id());
  shared_->writer.unlock();
}

int SqliteDb::WalHook(void* self, sqlite3* db, const char* name, int frames) {
  auto* me = static_cast<SqliteDb*>(self);
  if (frames >= kWalFramesHard) {
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames >= kWalFrames) {
    // The WAL's size at the last request; a smaller WAL now was restarted since, and counts
    // from 0 again (not from the old size, which waited for twice the growth).
    std::atomic<int>& last = me->shared_->requested_at;
    if (frames < last.load()) last.store(0);
    if (frames - last.load() >= kWalFrames) {
      last.store(frames);
      me->shared_->checkpointer.Request();
    }
  }
  return SQLITE_OK;
}

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return OkStatus();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError("{}: the database is busy (another connection holds its lock): {}",
                              what, detail);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError("{}: {}", what, detail);
      }
      return InvalidArgumentError("{}: {}", what, detail);
    case SQLITE_CANTOPEN:
      return InvalidArgumentError("{}: cannot open the database file ({})", what, detail);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return FailedPreconditionError("{}: not a usable SQLite database ({})", what, detail);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError("{}: {}", what, detail);
    case SQLITE_FULL:
      return ResourceExhaustedError("{}: {}", what, detail);
    default:
      return InternalError("{}: {}", what, detail);
  }
}

// ---- Stmt

Stmt::Stmt(Stmt&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      cached_(other.cached_) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    cached_ = other.cached_;
  }
  return *this;
}

Stmt::~Stmt() { Release(); }

void Stmt::Release() {
  if (stmt_ == nullptr) return;
  if (cached_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    db_->GiveBack(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  db_ = nullptr;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step's own code is the extended one when SQLITE_OPEN_EXRESCODE is set.
  Status s = SqliteStatus(db_->handle(), rc, "sqlite");
  sqlite3_reset(stmt_);
  return s;
}

Status Stmt::Run() {
  while (true) {
    PW_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  sqlite3_reset(stmt_);
  return OkStatus();
}

void Stmt::Reset() { sqlite3_reset(stmt_); }

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

// ---- UUIDs as bytes

bool UuidBytes(std::string_view text, std::array<char, 16>& out) {
  static constexpr std::size_t kDashes[] = {8, 13, 18, 23};
  if (text.size() != 36) return false;
  for (std::size_t d : kDashes) {
    if (text[d] != '-') return false;
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::size_t at = 0;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    const int n = nibble(text[i]);
    if (n < 0) return false;
    if (high < 0) {
      high = n;
    } else {
      out[at++] = static_cast<char>((high << 4) | n);
      high = -1;
    }
  }
  return true;
}

std::string UuidBytes(std::string_view text) {
  std::array<char, 16> bytes;
  if (!UuidBytes(text, bytes)) return {};
  return std::string(bytes.data(), bytes.size());
}

std::string UuidText(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Status RegisterUuidFunction(sqlite3* db) {
  auto fn = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
      const std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                                  static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
      const std::string bytes = UuidBytes(text);
      if (!bytes.empty()) {
        sqlite3_result_blob(ctx, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        return;
      }
    }
    sqlite3_result_value(ctx, argv[0]);
  };
  const int rc = sqlite3_create_function_v2(db, "pw_uuid_bytes", 1,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, fn,
                                            nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? OkStatus() : SqliteStatus(db, rc, "registering pw_uuid_bytes");
}

// ---- SqliteDb

// SQLite's memory statistics off, before the library initializes (this runs at program start,
// ahead of any connection; sqlite3_config is refused once SQLite is initialized). With them on,
// SQLite's default, every allocation it makes takes one process-wide mutex to count itself:
// 10 k instructions a statement on the xAPI writer (callgrind, bench_xapi) and a lock that every
// connection's thread shares. Nothing in Pathwise reads the statistics (sqlite3_memory_used,
// soft heap limits).
const int kSqliteMemstatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

// One pool of page buffers for every connection of the process, also set before SQLite
// initializes. Without it each connection's page cache mallocs its own 16 KiB buffers and frees
// them whenever another connection's commit makes it drop its cache (WAL) -- with the server's
// writers taking turns on one file, every transaction refilled a cache from fresh buffers. From
// the pool a dropped page's buffer goes to whichever connection needs one next. bench_xapi, 4
// senders, six runs each side by side: the writer 17.4-21.6 -> 15.1-17.1 us a statement,
// 43.1-52.6 k -> 53.4-57.7 k statements/s. Address space only (MAP_NORESERVE): memory is taken
// as slots are first used and then kept for the process's life; pages of larger sizes, and
// any beyond the pool, are malloc'ed as before.
namespace {

int ConfigurePageCachePool() {
  constexpr std::size_t kSlots = 16'384;  // 16 KiB pages: 256 MiB at most
  int header = 0;
  if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK) return -1;
  const std::size_t slot = (16'384 + static_cast<std::size_t>(header) + 7) / 8 * 8;
  void* pool = mmap(nullptr, slot * kSlots, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (pool == MAP_FAILED) return -1;
  const int rc = sqlite3_config(SQLITE_CONFIG_PAGECACHE, pool, static_cast<int>(slot),
                                static_cast<int>(kSlots));
  if (rc != SQLITE_OK) munmap(pool, slot * kSlots);
  return rc;
}
const int kSqlitePageCachePool = ConfigurePageCachePool();

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int busy_timeout_ms,
                                                 int cache_mib) {
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  db->busy_timeout_ms_ = busy_timeout_ms;
  const std::string what = "sqlite:" + path;
  if (rc != SQLITE_OK) return SqliteStatus(raw, rc, what);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  PW_RETURN_IF_ERROR(RegisterUuidFunction(raw));

  // The first real read fails here for a file that is not a database.
  rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(raw, rc, what);

  // WAL: readers never block the writer and a commit is one sequential append. The mode is
  // persistent in the file; asking again is cheap. ":memory:" databases report "memory".
  // 16 KiB pages for a new file (an existing one keeps its size). Evidence, mastery and the
  // statement indexes are written all over their B-trees; every commit rewrites each page it
  // touched, and with 4 KiB pages that is 4 times the WAL frames, system calls and B-tree levels
  // for the same rows: bench_xapi ingests 40% faster with 16 KiB (64 KiB gains 2% more; InnoDB
  // settled on 16 KiB too), and point reads of a cold page read 16 KiB instead of 4.
  PW_RETURN_IF_ERROR(db->Exec("PRAGMA page_size=16384"));
  PW_ASSIGN_OR_RETURN(Stmt wal, db->Prepare("PRAGMA journal_mode=WAL"));
  PW_ASSIGN_OR_RETURN(bool row, wal.Step());
  std::string mode = row ? wal.Text(0) : "";
  wal = Stmt();
  if (mode != "wal" && mode != "memory") {
    return FailedPreconditionError("{}: cannot switch the database to WAL mode (it is in {} mode)",
                                   what, mode);
  }
  // NORMAL in WAL mode: a commit is in the OS once acknowledged, so it survives the process
  // being killed; only a power loss or OS crash may lose the last commits (never corrupts).
  PW_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  // A page cache large enough for the evidence indexes of a big batch: with SQLite's 2 MiB
  // default, a bulk insert spills and rewrites the same index pages over and over.
  PW_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA cache_size=-{}", cache_mib * 1024)));
  if (mode == "wal") {
    db->shared_ = SharedFile::For(path);
    sqlite3_wal_hook(raw, &SqliteDb::WalHook, db.get());
  }
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
  shared_.reset();  // after the connection: the checkpointer's may be the last to close
}

Status SqliteDb::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return OkStatus();
  sqlite3_free(err);
  return SqliteStatus(db_, sqlite3_extended_errcode(db_), "sqlite");
}

Result<Stmt> SqliteDb::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.leased) {
    it->second.leased = true;
    return Stmt(this, it->second.stmt, true);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_, rc, "sqlite: preparing \"" + sql + "\"");
  }
  if (it != cache_.end()) return Stmt(this, stmt, false);  // the cached one is busy
  CacheEntry& entry = cache_[sql];
  entry.stmt = stmt;
  entry.leased = true;
  by_handle_[stmt] = &entry;
  return Stmt(this, stmt, true);
}

void SqliteDb::GiveBack(sqlite3_stmt* stmt) {
  auto it = by_handle_.find(stmt);
  if (it != by_handle_.end()) it->second->leased = false;
}

}  // namespace pw::sqlite
