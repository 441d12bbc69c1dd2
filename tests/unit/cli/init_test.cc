// `pathwise init`: creates the schema, reports the version, rejects malformed --db.
#include <algorithm>
#include <filesystem>

#include "../store/pg_server.h"
#include "store/sqlite/migrations.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::testing {
namespace {

// The newest SQLite schema version (the migrations list grows as features land).
const std::string kNewest = std::to_string(sqlite::SchemaMigrations().back().version);

TEST(InitCommandTest, CreatesThenReportsUpToDate) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.File("school.db");
  CliResult r = RunPathwise({"init", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, url + ": schema version " + kNewest + " (created)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "school.db"));

  r = RunPathwise({"init", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, url + ": schema version " + kNewest + " (already up to date)\n");

  r = RunPathwise({"init", "--db", url, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"db\":\"" + url + "\",\"previous_version\":" + kNewest +
                       ",\"schema_version\":" + kNewest + "}\n");
}

TEST(InitCommandTest, JsonOnAFreshDatabase) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.File("fresh.db");
  CliResult r = RunPathwise({"init", "--json", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"db\":\"" + url + "\",\"previous_version\":0,\"schema_version\":" + kNewest + "}\n");
}

TEST(InitCommandTest, MalformedDbExitsTwoWithOneLine) {
  CliResult r = RunPathwise({"init", "--db", "foo"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "pathwise: --db \"foo\": expected sqlite:PATH or postgresql://USER@HOST/DB\n");

  r = RunPathwise({"init", "--db", "sqlite:"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: --db \"sqlite:\": the SQLite file path is empty; expected sqlite:PATH or "
            "postgresql://USER@HOST/DB\n");
}

TEST(InitCommandTest, UnopenableFileExitsTwo) {
  TempDir dir;
  const std::string path = dir.File("missing/dir/x.db");
  CliResult r = RunPathwise({"init", "--db", "sqlite:" + path});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: sqlite:" + path +
                       ": cannot open the database file (unable to open database file)\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing"));
}

TEST(InitCommandTest, RealPostgresServer) {
  std::string url;
  PW_PG_DATABASE_OR_SKIP(url);
  CliResult r = RunPathwise({"init", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, url + ": schema version 7 (created)\n");
  r = RunPathwise({"init", "--db", url, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"db\":\"" + url + "\",\"previous_version\":7,\"schema_version\":7}\n");
}

TEST(InitCommandTest, UnreachablePostgresExitsOneWithOneLine) {
  CliResult r =
      RunPathwise({"init", "--db", "postgresql://u@/db?host=%2Fnonexistent-pathwise&port=5432"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
#ifdef PATHWISE_HAVE_POSTGRES
  EXPECT_TRUE(
      r.err.starts_with("pathwise: postgresql: connection to server on socket "
                        "\"/nonexistent-pathwise/.s.PGSQL.5432\" failed"))
      << r.err;
#else
  EXPECT_EQ(r.err, "pathwise: the PostgreSQL backend is not built (libpqxx was not found)\n");
#endif
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace pw::testing
