#include "cli/command.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "testing/cli_runner.h"

namespace pw::cli {
namespace {

TEST(CliTest, UnknownSubcommandExits2WithOneLine) {
  pw::testing::CliResult r = pw::testing::RunPathwise({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
}

TEST(CliTest, HelpAndVersion) {
  EXPECT_EQ(pw::testing::RunPathwise({"--help"}).code, 0);
  pw::testing::CliResult v = pw::testing::RunPathwise({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("pathwise"), std::string::npos);
}

TEST(CliTest, NoSubcommandIsBadUsage) { EXPECT_EQ(pw::testing::RunPathwise({}).code, 2); }

TEST(CliTest, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCodeFor(NotFoundError("x")), 2);
  EXPECT_EQ(ExitCodeFor(InternalError("x")), 1);
}

}  // namespace
}  // namespace pw::cli
