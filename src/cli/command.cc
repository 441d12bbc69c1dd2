#include "cli/command.h"

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace pw::cli {
namespace {

struct Registered {
  int order;
  CommandSetup setup;
};

std::vector<Registered>& Registry() {
  static std::vector<Registered> registry;
  return registry;
}

bool HasSubcommand(const CLI::App& app, const std::string& name) {
  auto subs = app.get_subcommands([&](const CLI::App* sub) { return sub->check_name(name); });
  return !subs.empty();
}

}  // namespace

bool RegisterCommand(int order, CommandSetup setup) {
  Registry().push_back({order, setup});
  return true;
}

CLI::App* ParentCommand(CLI::App& app, const std::string& name, const std::string& description) {
  auto found = app.get_subcommands([&](const CLI::App* sub) { return sub->check_name(name); });
  if (!found.empty()) return found.front();
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
    case StatusCode::kResourceExhausted:
      return 2;
    default:
      return 1;
  }
}

int RunCli(int argc, const char* const* argv, Io io) {
  try {
    CLI::App app{"Pathwise: a personalized-learning engine", "pathwise"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "pathwise 0.1.0");
    app.set_help_all_flag("--help-all", "Help for every subcommand");

    std::vector<std::pair<CLI::App*, Action>> actions;
    Binder bind = [&](CLI::App* sub, Action action) { actions.emplace_back(sub, std::move(action)); };
    auto registry = Registry();
    std::stable_sort(registry.begin(), registry.end(),
                     [](const Registered& a, const Registered& b) { return a.order < b.order; });
    for (const Registered& r : registry) r.setup(app, bind);

    // Name an unknown subcommand plainly (CLI11 would only say that one is required).
    if (argc > 1 && argv[1][0] != '-' && !HasSubcommand(app, argv[1])) {
      std::string known;
      for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
      }
      io.err << "pathwise: unknown subcommand \"" << argv[1] << "\" (expected one of: " << known
             << ")\n";
      return 2;
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      io.out << app.help();
      return 0;
    } catch (const CLI::CallForAllHelp& e) {
      io.out << app.help("", CLI::AppFormatMode::All);
      return 0;
    } catch (const CLI::CallForVersion& e) {
      io.out << e.what() << "\n";
      return 0;
    } catch (const CLI::ParseError& e) {
      // Help requested on a subcommand comes through here with exit code 0.
      if (e.get_exit_code() == 0) {
        for (auto* sub : app.get_subcommands()) {
          CLI::App* deepest = sub;
          while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
          io.out << deepest->help();
          return 0;
        }
        io.out << app.help();
        return 0;
      }
      io.err << "pathwise: " << e.what() << " (see pathwise --help)\n";
      return 2;
    }

    // The deepest parsed subcommand that has an action runs.
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
      if (it->first->parsed()) {
        Status s = it->second(io);
        if (!s.ok()) {
          io.err << "pathwise: " << s.message() << "\n";
          return ExitCodeFor(s);
        }
        return 0;
      }
    }
    io.err << "pathwise: that command needs a subcommand (see pathwise --help)\n";
    return 2;
  } catch (const std::exception& e) {
    io.err << "pathwise: internal error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    io.err << "pathwise: internal error\n";
    return 1;
  }
}

}  // namespace pw::cli
