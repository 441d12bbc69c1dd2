// URLs, schema versions and migrations, transactions, several connections, the pool, and
// durability across kill -9.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "fixture.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace pw::testing {
namespace {

// ---- URLs

TEST(StoreUrlTest, AcceptedForms) {
  auto u = ParseStoreUrl("sqlite:pathwise.db");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->kind, StoreUrl::Kind::kSqlite);
  EXPECT_EQ(u->target, "pathwise.db");
  u = ParseStoreUrl("sqlite:///var/lib/pathwise/x.db");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->target, "/var/lib/pathwise/x.db");
  u = ParseStoreUrl("sqlite://relative/dir/x.db");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->target, "relative/dir/x.db");
  u = ParseStoreUrl("sqlite:/abs.db");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->target, "/abs.db");
  u = ParseStoreUrl("postgresql://pathwise@db.example.org/pathwise");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->kind, StoreUrl::Kind::kPostgres);
  EXPECT_EQ(u->target, "postgresql://pathwise@db.example.org/pathwise");
  u = ParseStoreUrl("postgres://u@h/db?sslmode=require");
  PW_ASSERT_OK(u);
  EXPECT_EQ(u->kind, StoreUrl::Kind::kPostgres);
}

TEST(StoreUrlTest, RejectedFormsSayWhatWasExpected) {
  EXPECT_EQ(
      ParseStoreUrl("foo").status(),
      InvalidArgumentError("--db \"foo\": expected sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("").status(),
            InvalidArgumentError("--db \"\": expected sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("mysql://u@h/db").status(),
            InvalidArgumentError(
                "--db \"mysql://u@h/db\": expected sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("sqlite:").status(),
            InvalidArgumentError("--db \"sqlite:\": the SQLite file path is empty; expected "
                                 "sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("sqlite://").status(),
            InvalidArgumentError("--db \"sqlite://\": the SQLite file path is empty; expected "
                                 "sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("postgresql://").status(),
            InvalidArgumentError("--db \"postgresql://\": the PostgreSQL URL names no server; "
                                 "expected sqlite:PATH or postgresql://USER@HOST/DB"));
  // Control characters cannot break the one-line message.
  EXPECT_EQ(
      ParseStoreUrl("a\nb").status(),
      InvalidArgumentError("--db \"a\\x0ab\": expected sqlite:PATH or postgresql://USER@HOST/DB"));
  EXPECT_EQ(ParseStoreUrl("SQLite:x.db").status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, UnreachablePostgres) {
  auto opened = OpenStore("postgresql://u@/db?host=%2Fnonexistent-pathwise&port=5432");
#ifdef PATHWISE_HAVE_POSTGRES
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(opened.status().message().starts_with(
      "postgresql: connection to server on socket \"/nonexistent-pathwise/.s.PGSQL.5432\" "
      "failed"))
      << opened.status().message();
  EXPECT_EQ(opened.status().message().find('\n'), std::string::npos);
#else
  EXPECT_EQ(opened.status(),
            UnimplementedError("the PostgreSQL backend is not built (libpqxx was not found)"));
#endif
}

TEST(OpenStoreTest, UnopenableAndForeignFiles) {
  TempDir dir;
  auto missing_dir = OpenStore("sqlite:" + dir.File("no/such/dir/x.db"));
  EXPECT_EQ(missing_dir.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing_dir.status().message(),
            "sqlite:" + dir.File("no/such/dir/x.db") +
                ": cannot open the database file (unable to open database file)");
  WriteFile(dir.path() / "text.db", std::string(4096, 'x'));
  auto text = OpenStore("sqlite:" + dir.File("text.db"));
  EXPECT_EQ(text.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(text.status().message(), "sqlite:" + dir.File("text.db") +
                                         ": not a usable SQLite database (file is not a "
                                         "database)");
}

// ---- schema

TEST(MigrateTest, FreshDatabaseIsVersionZeroThenNewest) {
  TempDir dir;
  auto store = OpenStore("sqlite:" + dir.File("m.db"));
  PW_ASSERT_OK(store);
  EXPECT_EQ(*(*store)->SchemaVersion(), 0);
  PW_ASSERT_OK((*store)->Migrate());
  const int newest = sqlite::SchemaMigrations().back().version;
  EXPECT_EQ(*(*store)->SchemaVersion(), newest);
  EXPECT_EQ(newest, 18);
  // Idempotent, also from a second connection.
  PW_ASSERT_OK((*store)->Migrate());
  auto again = OpenStore("sqlite:" + dir.File("m.db"));
  PW_ASSERT_OK(again);
  PW_ASSERT_OK((*again)->Migrate());
  EXPECT_EQ(*(*again)->SchemaVersion(), newest);

  // Migrate cannot run inside a transaction.
  Status inside = (*store)->Transaction([&] { return (*store)->Migrate(); });
  EXPECT_EQ(inside, FailedPreconditionError("Migrate cannot run inside a transaction"));
}

TEST(MigrateTest, EachMigrationIsItsOwnTransaction) {
  TempDir dir;
  auto db = sqlite::SqliteDb::Open(dir.File("m.db"), 1000);
  PW_ASSERT_OK(db);
  const sqlite::Migration good[] = {
      {1, "one", "CREATE TABLE a(x INTEGER);"},
      {2, "two", "CREATE TABLE b(x INTEGER); CREATE TABLE a(y INTEGER);"},  // fails halfway
  };
  Status s = sqlite::ApplyMigrations(**db, good, 42);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "schema migration 2 (two): sqlite: table a already exists");
  EXPECT_EQ(*sqlite::ReadSchemaVersion(**db), 1);
  // Nothing of migration 2 is left: table b does not exist.
  auto probe = (*db)->Prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'");
  PW_ASSERT_OK(probe);
  ASSERT_TRUE(*probe->Step());
  EXPECT_EQ(probe->Int(0), 0);
  probe = sqlite::Stmt();

  // A database newer than the code refuses to be "migrated" down.
  const sqlite::Migration only_one[] = {{1, "one", "CREATE TABLE a(x INTEGER);"}};
  const sqlite::Migration fixed[] = {{1, "one", "CREATE TABLE a(x INTEGER);"},
                                     {2, "two", "CREATE TABLE b(x INTEGER);"}};
  PW_ASSERT_OK(sqlite::ApplyMigrations(**db, fixed, 43));
  EXPECT_EQ(*sqlite::ReadSchemaVersion(**db), 2);
  EXPECT_EQ(sqlite::ApplyMigrations(**db, only_one, 44),
            FailedPreconditionError(fmt::format(
                "sqlite:{}: the database has schema version 2, newer than this pathwise knows "
                "(1); upgrade pathwise",
                dir.File("m.db"))));
}

TEST(MigrateTest, SettingsAreApplied) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.File("p.db"));
  PW_ASSERT_OK(store);
  auto pragma = [&](const char* name) {
    auto st = (*store)->db().Prepare(std::string("PRAGMA ") + name);
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE(*st->Step());
    return st->Text(0);
  };
  EXPECT_EQ(pragma("journal_mode"), "wal");
  EXPECT_EQ(pragma("foreign_keys"), "1");
  EXPECT_EQ(pragma("synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma("busy_timeout"), "10000");
}

// ---- transactions

TEST_P(StoreTest, TransactionCommitsAllOrNothing) {
  SeedSchool(1);
  const std::int64_t people_before = store_->ListPeople({}, {})->items.size();
  Status s = store_->Transaction([&]() -> Status {
    Person p;
    p.given_name = "Temp";
    PW_RETURN_IF_ERROR(store_->PutPerson(p).status());
    std::vector<EvidenceEvent> ev = {Event(students_[0], competencies_[0], 1, true)};
    PW_RETURN_IF_ERROR(store_->AppendEvidence(ev));
    PW_RETURN_IF_ERROR(store_->SetMeta("k", "v"));
    return InvalidArgumentError("row 3: bad");
  });
  EXPECT_EQ(s, InvalidArgumentError("row 3: bad"));
  EXPECT_EQ(static_cast<std::int64_t>(store_->ListPeople({}, {})->items.size()), people_before);
  EXPECT_EQ(*store_->CountEvidence({}), 0);
  EXPECT_FALSE(store_->GetMeta("k")->has_value());

  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    Person p;
    p.given_name = "Kept";
    return store_->PutPerson(p).status();
  }));
  EXPECT_EQ(static_cast<std::int64_t>(store_->ListPeople({}, {})->items.size()), people_before + 1);
}

TEST_P(StoreTest, NestedTransactionFailureRollsBackTheWhole) {
  SeedSchool(1);
  // The inner failure is swallowed by the outer function, yet nothing is committed.
  Status s = store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store_->SetMeta("outer", "1"));
    Status inner = store_->Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(store_->SetMeta("inner", "1"));
      return InvalidArgumentError("inner failed");
    });
    EXPECT_EQ(inner, InvalidArgumentError("inner failed"));
    return OkStatus();
  });
  EXPECT_EQ(s, InvalidArgumentError("inner failed"));
  EXPECT_FALSE(store_->GetMeta("outer")->has_value());
  EXPECT_FALSE(store_->GetMeta("inner")->has_value());

  // A failing write method inside a transaction dooms it the same way.
  s = store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store_->SetMeta("outer", "2"));
    Person bad;
    bad.org_id = 999;
    store_->PutPerson(bad).status().IgnoreError();
    return OkStatus();
  });
  EXPECT_EQ(s, InvalidArgumentError("person: org_id 999 does not exist"));
  EXPECT_FALSE(store_->GetMeta("outer")->has_value());

  // Nested successes commit together, and the store works normally afterwards.
  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store_->SetMeta("a", "1"));
    return store_->Transaction([&] { return store_->SetMeta("b", "2"); });
  }));
  EXPECT_EQ(store_->GetMeta("a")->value_or(""), "1");
  EXPECT_EQ(store_->GetMeta("b")->value_or(""), "2");
}

TEST_P(StoreTest, TwoConnectionsSeeEachOthersCommits) {
  SeedSchool(1);
  std::unique_ptr<Store> other = Reopen();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->GetPerson(students_[0])->family_name, "0");
  std::vector<EvidenceEvent> ev = {Event(students_[0], competencies_[0], 5, true)};
  ev[0].source_system = "from-first";
  PW_ASSERT_OK(store_->AppendEvidence(ev));
  auto seen = other->ListEvidence({}, {});
  PW_ASSERT_OK(seen);
  ASSERT_EQ(seen->items.size(), 1u);
  EXPECT_EQ(seen->items[0].source_system, "from-first");
  PW_ASSERT_OK(other->SetMeta("written-by", "second"));
  EXPECT_EQ(store_->GetMeta("written-by")->value_or(""), "second");
  // Uncommitted writes of one connection are invisible to the other.
  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store_->SetMeta("pending", "yes"));
    EXPECT_FALSE(other->GetMeta("pending")->has_value());
    return OkStatus();
  }));
  EXPECT_EQ(other->GetMeta("pending")->value_or(""), "yes");
}

TEST_P(StoreTest, MigrateIsIdempotent) {
  const int version = *store_->SchemaVersion();  // the backend's newest
  EXPECT_GE(version, 1);
  PW_ASSERT_OK(store_->Migrate());
  std::unique_ptr<Store> other = Reopen();
  ASSERT_NE(other, nullptr);
  PW_ASSERT_OK(other->Migrate());
  EXPECT_EQ(*other->SchemaVersion(), version);
  EXPECT_EQ(store_->Transaction([&] { return store_->Migrate(); }),
            FailedPreconditionError("Migrate cannot run inside a transaction"));
}

TEST_P(StoreTest, ABlockedWriterWaitsThenReportsBusy) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "SQLite's file lock";
  // A connection that will not wait long for the write lock.
  auto impatient = SqliteStore::Open(dir_.File("pathwise.db"), {.busy_timeout_ms = 50});
  PW_ASSERT_OK(impatient);
  Status blocked;
  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store_->SetMeta("holder", "first"));
    blocked = (*impatient)->SetMeta("other", "second");
    // Reads are not blocked by the writer (WAL).
    EXPECT_FALSE((*impatient)->GetMeta("holder")->has_value());
    return OkStatus();
  }));
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable);
  EXPECT_EQ(blocked.message(),
            "sqlite: the database is busy (another connection holds its lock): database is "
            "locked");
  // Once the lock is free the same connection writes normally.
  PW_ASSERT_OK((*impatient)->SetMeta("other", "second"));
  EXPECT_EQ(store_->GetMeta("other")->value_or(""), "second");
}

TEST_P(StoreTest, PoolServesSeveralThreads) {
  SeedSchool(1);
  auto pool = StorePool::Open(url_, 3);
  PW_ASSERT_OK(pool);
  constexpr int kThreads = 6, kWritesPerThread = 20;
  std::atomic<int> in_use{0}, max_in_use{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        StorePool::Lease lease = (*pool)->Acquire();
        const int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        std::vector<EvidenceEvent> ev = {Event(students_[0], competencies_[0], t * 1000 + i, true)};
        ev[0].source_system = "thread-" + std::to_string(t);
        if (!lease->AppendEvidence(ev).ok()) ++failures;
        if (!lease->CountEvidence({}).ok()) ++failures;
        --in_use;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(max_in_use.load(), 3);
  EXPECT_EQ(*store_->CountEvidence({}), kThreads * kWritesPerThread);
  // Leases move and return their connection exactly once.
  StorePool::Lease a = (*pool)->Acquire();
  StorePool::Lease b = std::move(a);
  StorePool::Lease c = (*pool)->Acquire();
  c = std::move(b);
  EXPECT_EQ(*c->SchemaVersion(), *store_->SchemaVersion());
  EXPECT_EQ(StorePool::Open(url_, 0).status(),
            InvalidArgumentError("store pool size 0 is less than 1"));
}

// ---- durability

// The child writes one evidence row per transaction and reports each id over the pipe only
// after the commit returned; the parent kills it mid-stream with SIGKILL. Every reported row
// must be in the database afterwards.
TEST_P(StoreTest, AcknowledgedWritesSurviveKill9) {
  SeedSchool(1);
  const Id student = students_[0], competency = competencies_[0];
  store_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = OpenStore(url_);
    if (!store.ok()) _exit(3);
    for (int i = 0; i < 100000; ++i) {
      std::vector<EvidenceEvent> ev(1);
      ev[0].student_id = student;
      ev[0].competency_id = competency;
      ev[0].time = Timestamp{i};
      ev[0].source_record = "ack-" + std::to_string(i);
      ev[0].source_system = "durability";
      if (!(*store)->AppendEvidence(ev).ok()) _exit(4);
      const std::int64_t id = ev[0].id;
      if (write(fds[1], &id, sizeof id) != sizeof id) _exit(5);
    }
    _exit(0);
  }
  close(fds[1]);
  std::vector<std::int64_t> acked;
  while (acked.size() < 300) {
    std::int64_t id = 0;
    const ssize_t n = read(fds[0], &id, sizeof id);
    if (n != static_cast<ssize_t>(sizeof id)) break;
    acked.push_back(id);
  }
  kill(child, SIGKILL);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  close(fds[0]);
  ASSERT_EQ(acked.size(), 300u) << "the child stopped early, wait status " << wstatus;
  ASSERT_TRUE(WIFSIGNALED(wstatus));

  auto reopened = OpenStore(url_);
  PW_ASSERT_OK(reopened);
  std::set<Id> stored;
  PW_ASSERT_OK((*reopened)->ScanEvidence({}, [&](const EvidenceEvent& e) {
    stored.insert(e.id);
    return OkStatus();
  }));
  for (size_t i = 0; i < acked.size(); ++i) {
    EXPECT_TRUE(stored.contains(acked[i]))
        << "acknowledged row " << i << " (id " << acked[i] << ") is missing";
  }
  auto first = (*reopened)->ListEvidence({}, {.after = 0, .limit = 1});
  PW_ASSERT_OK(first);
  EXPECT_EQ(first->items.at(0).source_record, "ack-0");
  EXPECT_EQ(first->items.at(0).source_system, "durability");
  // The database is consistent after the crash.
  auto check = (*reopened)->Transaction([&]() -> Status { return OkStatus(); });
  PW_EXPECT_OK(check);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace pw::testing
