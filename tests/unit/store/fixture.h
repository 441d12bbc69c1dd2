// A fresh, migrated SQLite store in a temporary directory, plus a small school to refer to.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pg_server.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"
#include "testing/test_util.h"

namespace pw::testing {

enum class Backend { kSqlite, kPostgres };

// Creates a SQLite file at schema `version` (the first migrations up to it) and runs `sql` on
// it: a database as an older Pathwise left it, for the tests of a later migration.
inline Status CreateSqliteAtVersion(const std::string& path, int version, const std::string& sql) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteDb> db, sqlite::SqliteDb::Open(path, 1000));
  auto all = sqlite::SchemaMigrations();
  std::size_t n = 0;
  while (n < all.size() && all[n].version <= version) ++n;
  if (n == 0 || all[n - 1].version != version) {
    return InvalidArgumentError("no SQLite migration {}", version);
  }
  PW_RETURN_IF_ERROR(sqlite::ApplyMigrations(*db, all.first(n), 1));
  return db->Exec(sql);
}

inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "sqlite" : "postgres");
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Parameterized over the backends: every TEST_P runs against SQLite and against a real
// PostgreSQL server (skipped where PostgreSQL is not installed).
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      PW_PG_DATABASE_OR_SKIP(url_);
    } else {
      url_ = "sqlite:" + dir_.File("pathwise.db");
    }
    auto opened = OpenStore(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
  }

  // Opens a second connection to the same file.
  std::unique_ptr<Store> Reopen() {
    auto opened = OpenStore(url_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // One district, one school, `n` students, a teacher, a framework with three competencies
  // (a -> b -> c prerequisites not set) and two activities.
  void SeedSchool(int n_students = 3) {
    district_ = Org{0, "district-1", "Lakeside District", OrgType::kDistrict, kNoId};
    ASSERT_TRUE(store_->PutOrg(district_).ok());
    school_ = Org{0, "school-1", "Lakeside Middle", OrgType::kSchool, district_.id};
    ASSERT_TRUE(store_->PutOrg(school_).ok());
    for (int i = 0; i < n_students; ++i) {
      // Built by designated initializers: GCC 12 -O3 reports a false -Wrestrict on
      // assigning string literals to the members one by one.
      Person p{.source_id = fmt::format("s-{}", i),
               .given_name = std::string("Student"),
               .family_name = std::to_string(i),
               .role = Role::kStudent,
               .email = std::string(),
               .grade = std::string("6"),
               .org_id = school_.id};
      ASSERT_TRUE(store_->PutPerson(p).ok());
      students_.push_back(p.id);
    }
    Person t{.source_id = std::string("t-1"),
             .given_name = std::string("Ada"),
             .family_name = std::string("Teacher"),
             .role = Role::kTeacher,
             .email = std::string(),
             .grade = std::string(),
             .org_id = school_.id};
    ASSERT_TRUE(store_->PutPerson(t).ok());
    teacher_ = t.id;
    framework_ = Framework{0, "ccss-math", "Common Core Math", "math", "public domain"};
    ASSERT_TRUE(store_->PutFramework(framework_).ok());
    for (const char* code : {"6.EE.A.1", "6.EE.A.2", "6.EE.A.3"}) {
      Competency c;
      c.framework_id = framework_.id;
      c.code = code;
      c.statement = std::string("Statement of ") + code;
      c.grade = "6";
      ASSERT_TRUE(store_->PutCompetency(c).ok());
      competencies_.push_back(c.id);
    }
    for (int i = 0; i < 2; ++i) {
      Activity a;
      a.source_id = "https://example.org/activity/" + std::to_string(i);
      a.title = "Activity " + std::to_string(i);
      a.competencies = {competencies_[static_cast<size_t>(i)]};
      ASSERT_TRUE(store_->PutActivity(a).ok());
      activities_.push_back(a.id);
    }
  }

  // Runs SQL on the database behind the store's back (to plant data the store would refuse).
  void ExecRawSql(const std::string& sql) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* raw = nullptr;
      ASSERT_EQ(sqlite3_open(dir_.File("pathwise.db").c_str(), &raw), SQLITE_OK);
      ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
          << sqlite3_errmsg(raw);
      sqlite3_close(raw);
      return;
    }
#ifdef PATHWISE_HAVE_POSTGRES
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
#endif
  }

  EvidenceEvent Event(Id student, Id competency, std::int64_t millis, bool correct) {
    EvidenceEvent e;
    e.student_id = student;
    e.competency_id = competency;
    e.time = Timestamp{millis};
    e.kind = correct ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
    e.score = correct ? 1.0 : 0.0;
    e.source_system = "test";
    return e;
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
  Org district_, school_;
  std::vector<Id> students_;
  Id teacher_ = kNoId;
  Framework framework_;
  std::vector<Id> competencies_;
  std::vector<Id> activities_;
};

}  // namespace pw::testing
