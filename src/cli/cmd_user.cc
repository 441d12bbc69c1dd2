// `pathwise user create|revoke|list`: sign-in accounts for administrators to manage.
//
//   $ printf '%s\n' "$PASSWORD" |
//       pathwise user create --login ada --role teacher --person 17 --password-stdin
//         --db sqlite:pathwise.db
//   created user ada (teacher, person 17)
//   $ pathwise user revoke ada --db sqlite:pathwise.db
//   revoked user ada: login disabled, 2 sessions ended
//
// Passwords are read from standard input only (never from the command line, where other
// users of the machine can see them) and stored as Argon2id hashes.
#include <algorithm>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "server/auth.h"
#include "server/privacy.h"
#include "store/store.h"

namespace pw::cli {
namespace {

struct UserOptions {
  std::string db = "sqlite:pathwise.db";
  std::string login;
  std::string role;
  std::int64_t person = 0;
  bool password_stdin = false;
  bool json = false;
};

Status RunCreate(const UserOptions& opts, Io& io) {
  if (!opts.password_stdin) {
    return InvalidArgumentError(
        "--password-stdin is required: the password is read from standard input, never from "
        "the command line");
  }
  Result<Role> parsed = ParseRole(opts.role);
  if (!parsed.ok()) return parsed.status().WithPrefix("--role");
  const Role role = *parsed;
  std::string password;
  std::getline(io.in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  SystemClock clock;
  server::AuthOptions auth;
  UserAccount user;
  PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(user, server::CreateUser(*store, {opts.login, role, opts.person}, password,
                                                 auth, clock));
    return AuditCli(*store, "user create", "user " + user.login);
  }));
  std::fill(password.begin(), password.end(), '\0');
  if (opts.json) {
    nlohmann::json out = {{"id", user.id},
                          {"login", user.login},
                          {"role", RoleName(user.role)},
                          {"person_id", user.person_id == kNoId ? nlohmann::json(nullptr)
                                                                : nlohmann::json(user.person_id)}};
    io.out << out.dump() << "\n";
    return OkStatus();
  }
  io.out << "created user " << user.login << " (" << RoleName(user.role);
  if (user.person_id != kNoId) io.out << ", person " << user.person_id;
  io.out << ")\n";
  return OkStatus();
}

Status RunRevoke(const UserOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  int sessions = 0;
  PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(sessions, server::RevokeUser(*store, opts.login));
    return AuditCli(*store, "user revoke", "user " + opts.login);
  }));
  if (opts.json) {
    io.out << nlohmann::json{{"login", opts.login}, {"disabled", true}, {"sessions_revoked", sessions}}
                  .dump()
           << "\n";
    return OkStatus();
  }
  io.out << "revoked user " << opts.login << ": login disabled, " << sessions << " session"
         << (sessions == 1 ? "" : "s") << " ended\n";
  return OkStatus();
}

Status RunList(const UserOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, server::AccountsOf(*store));
  PW_ASSIGN_OR_RETURN(auto users, accounts->ListUsers());
  nlohmann::json items = nlohmann::json::array();
  for (const UserAccount& u : users) {
    if (opts.json) {
      items.push_back({{"login", u.login}, {"role", RoleName(u.role)},
                       {"person_id", u.person_id}, {"disabled", u.disabled}});
    } else {
      io.out << u.login << "\t" << RoleName(u.role) << "\t"
             << (u.person_id == kNoId ? std::string("-") : std::to_string(u.person_id))
             << (u.disabled ? "\tdisabled" : "") << "\n";
    }
  }
  if (opts.json) io.out << items.dump() << "\n";
  return OkStatus();
}

void SetupUser(CLI::App& app, const Binder& bind) {
  auto* user = app.add_subcommand("user", "Manage sign-in accounts");
  user->require_subcommand(1);

  auto create_opts = std::make_shared<UserOptions>();
  auto* create = user->add_subcommand("create", "Create a sign-in account");
  create->add_option("--db", create_opts->db, "Database: sqlite:PATH or postgresql://...")
      ->capture_default_str();
  create->add_option("--login", create_opts->login, "Login name")->required();
  create->add_option("--role", create_opts->role,
                     "administrator, leader, teacher, student, guardian or researcher")
      ->required();
  create->add_option("--person", create_opts->person,
                     "Id of the person the account belongs to (required except for "
                     "administrator and researcher)");
  create->add_flag("--password-stdin", create_opts->password_stdin,
                   "Read the password from the first line of standard input");
  create->add_flag("--json", create_opts->json, "Print the new user as JSON");
  bind(create, [create_opts](Io& io) { return RunCreate(*create_opts, io); });

  auto revoke_opts = std::make_shared<UserOptions>();
  auto* revoke = user->add_subcommand("revoke", "Disable a login and end all its sessions");
  revoke->add_option("login", revoke_opts->login, "Login name")->required();
  revoke->add_option("--db", revoke_opts->db, "Database")->capture_default_str();
  revoke->add_flag("--json", revoke_opts->json, "Print the result as JSON");
  bind(revoke, [revoke_opts](Io& io) { return RunRevoke(*revoke_opts, io); });

  auto list_opts = std::make_shared<UserOptions>();
  auto* list = user->add_subcommand("list", "List sign-in accounts");
  list->add_option("--db", list_opts->db, "Database")->capture_default_str();
  list->add_flag("--json", list_opts->json, "Print as JSON");
  bind(list, [list_opts](Io& io) { return RunList(*list_opts, io); });
}
PW_CLI_COMMAND(60, SetupUser);

}  // namespace
}  // namespace pw::cli
