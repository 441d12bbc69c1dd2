// The `pathwise` command line: one binary, one subcommand per cmd_*.cc.
//
// A subcommand registers itself at static-initialization time (pw_cli is an OBJECT library so
// nothing is dropped by the linker):
//
//   namespace {
//   void SetupSim(CLI::App& app, const Binder& bind) {
//     auto* sub = app.add_subcommand("sim", "Simulate a school and its event log");
//     auto opts = std::make_shared<SimOptions>();
//     sub->add_option("--students", opts->students, "...");
//     bind(sub, [opts](Io& io) -> Status { ...; return OkStatus(); });
//   }
//   PW_CLI_COMMAND(50, SetupSim);
//   }
//
// An action returns a Status: OK exits 0; bad usage or bad input (InvalidArgument, NotFound,
// AlreadyExists, FailedPrecondition, PermissionDenied, Unauthenticated, ResourceExhausted)
// exits 2; anything else exits 1. The message is printed as one line: "pathwise: <message>".
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace pw::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

using Action = std::function<Status(Io&)>;
using Binder = std::function<void(CLI::App* sub, Action action)>;
using CommandSetup = void (*)(CLI::App& app, const Binder& bind);

// `order` sorts the subcommands in --help (lower first).
bool RegisterCommand(int order, CommandSetup setup);

#define PW_CLI_COMMAND(order, fn) \
  [[maybe_unused]] static const bool pw_cli_registered_##fn = ::pw::cli::RegisterCommand(order, fn)

// A command group such as `import` whose subcommands live in several files: returns the group
// if an earlier setup created it, otherwise creates it (requiring one subcommand). Each file then
// adds its own: `ParentCommand(app, "import", "...")->add_subcommand("xapi", "...")`.
CLI::App* ParentCommand(CLI::App& app, const std::string& name, const std::string& description);

// Parses argv, runs the chosen subcommand and returns the process exit code. Never throws.
int RunCli(int argc, const char* const* argv, Io io);

// The exit code for a failed status (see above).
int ExitCodeFor(const Status& s);

}  // namespace pw::cli
