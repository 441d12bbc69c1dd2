// Runs the `pathwise` command line in-process (the same RunCli as the binary) and captures its
// output. Only for test binaries that link pw_cli (tests/unit/cli, server, integration).
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"

namespace pw::testing {

struct CliResult {
  int code = 0;
  std::string out;
  std::string err;
};

inline CliResult RunPathwise(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "pathwise");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = cli::RunCli(static_cast<int>(argv.size()), argv.data(), {in, out, err});
  return {code, out.str(), err.str()};
}

}  // namespace pw::testing
