// `pathwise init`: creates the schema, reports the version, rejects malformed --db.
#include <filesystem>

#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::testing {
namespace {

TEST(InitCommandTest, CreatesThenReportsUpToDate) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.File("school.db");
  CliResult r = RunPathwise({"init", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, url + ": schema version 2 (created)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "school.db"));

  r = RunPathwise({"init", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, url + ": schema version 2 (already up to date)\n");

  r = RunPathwise({"init", "--db", url, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"db\":\"" + url + "\",\"previous_version\":2,\"schema_version\":2}\n");
}

TEST(InitCommandTest, JsonOnAFreshDatabase) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.File("fresh.db");
  CliResult r = RunPathwise({"init", "--json", "--db", url});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"db\":\"" + url + "\",\"previous_version\":0,\"schema_version\":2}\n");
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

TEST(InitCommandTest, PostgresIsNotBuiltYet) {
  CliResult r = RunPathwise({"init", "--db", "postgresql://u@localhost/db"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "pathwise: the PostgreSQL backend is not built yet\n");
}

}  // namespace
}  // namespace pw::testing
