// pathwise demo [--db URL] [--students N] [--port P]: seed a simulated school, then serve it.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "ingest/framework_json.h"
#include "server/auth_demo.h"
#include "server/demo_seed.h"
#include "server/serve.h"

namespace pw::cli {
namespace {

struct DemoCommand {
  server::ServeOptions serve;
  server::DemoOptions demo;
  std::string framework_path;
  bool seed_only = false;
};

std::string DefaultFrameworkPath() {
  const std::string relative = "data/frameworks/ccss-math-5-7.json";
  if (std::filesystem::exists(relative)) return relative;
  return std::string(PATHWISE_SOURCE_DIR) + "/" + relative;
}

void SetupDemo(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand("demo", "Seed a simulated school (once), then serve it");
  auto cmd = std::make_shared<DemoCommand>();
  cmd->framework_path = DefaultFrameworkPath();
  sub->add_option("--db", cmd->serve.db_url, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  sub->add_option("--students", cmd->demo.students, "Students in the simulated school")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  sub->add_option("--classes", cmd->demo.classes, "Classes (one teacher each)")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  sub->add_option("--weeks", cmd->demo.weeks, "Weeks of simulated activity")
      ->check(CLI::Range(1, 40))
      ->capture_default_str();
  sub->add_option("--seed", cmd->demo.seed, "Simulation seed")->capture_default_str();
  sub->add_option("--framework", cmd->framework_path, "Framework file to load")
      ->capture_default_str();
  sub->add_option("--host", cmd->serve.http.host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", cmd->serve.http.port, "Port to listen on")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_flag("--seed-only", cmd->seed_only, "Seed the database and exit without serving");
  bind(sub, [cmd](Io& io) -> Status {
    {
      PW_RETURN_IF_ERROR(ParseStoreUrl(cmd->serve.db_url).status());
      PW_ASSIGN_OR_RETURN(FrameworkPackage framework, ReadFrameworkFile(cmd->framework_path));
      PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(cmd->serve.db_url));
      PW_ASSIGN_OR_RETURN(server::DemoSummary s, server::SeedDemo(*store, framework, cmd->demo));
      io.out << fmt::format(
          "pathwise: {} {}: {} students, {} teachers, {} guardians in {} classes; {} competencies; "
          "{} evidence events ({:.1f}s)\n",
          s.reused ? "reusing the demo school in" : "seeded a demo school into",
          cmd->serve.db_url, s.students, s.teachers, s.guardians, s.classes, s.competencies,
          s.evidence, s.seconds);
      PW_ASSIGN_OR_RETURN(std::vector<Org> orgs, store->ListOrgs());
      Id school_id = kNoId;
      for (const Org& o : orgs) {
        if (o.type == OrgType::kSchool) {
          school_id = o.id;
          break;
        }
      }
      if (school_id == kNoId) return FailedPreconditionError("the demo database has no school");
      SystemClock clock;
      PW_ASSIGN_OR_RETURN(std::vector<server::DemoLogin> logins,
                          server::CreateDemoLogins(*store, school_id, server::AuthOptions{}, clock));
      io.out << "pathwise: demo sign-ins (new passwords on every start; sign in at POST "
                "/api/v1/auth/login):\n";
      for (const server::DemoLogin& l : logins) {
        io.out << fmt::format("  {:<14} {:<20} {}\n", RoleName(l.role), l.login, l.password);
      }
    }
    if (cmd->seed_only) return OkStatus();
    return server::RunServer(cmd->serve, io.out);
  });
}

PW_CLI_COMMAND(10, SetupDemo);

}  // namespace
}  // namespace pw::cli
