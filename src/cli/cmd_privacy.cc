// `pathwise privacy export|delete|research-export`: a student's data, its deletion, and the
// de-identified research export (server/privacy.h; docs/security.md). Each is audited.
//
//   $ pathwise privacy export --student 17 --db sqlite:pathwise.db > student-17.json
//   $ pathwise privacy delete --student 17 --yes --db sqlite:pathwise.db
//   deleted student 17: 412 evidence, 0 attendance, ... rows
//   $ pathwise privacy research-export --db sqlite:pathwise.db > research.json
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/accounts_util.h"
#include "cli/command.h"
#include "server/privacy.h"

namespace pw::cli {
namespace {

struct PrivacyOptions {
  std::string db = "sqlite:pathwise.db";
  std::int64_t student = 0;
  bool yes = false;
  bool json = false;
  int min_cell = 10;
};

Status RunExport(const PrivacyOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  nlohmann::json out;
  PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(out, server::ExportStudent(*store, opts.student));
    return AuditCli(*store, "privacy export", "student " + std::to_string(opts.student),
                    opts.student);
  }));
  io.out << out.dump(2) << "\n";
  return OkStatus();
}

Status RunDelete(const PrivacyOptions& opts, Io& io) {
  if (!opts.yes) {
    return InvalidArgumentError(
        "--yes is required: deleting student {} removes every record about them for good",
        opts.student);
  }
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  DeletionCounts counts;
  PW_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(counts, server::DeleteStudent(*store, opts.student));
    return AuditCli(*store, "privacy delete", "student " + std::to_string(opts.student),
                    opts.student);
  }));
  if (opts.json) {
    io.out << nlohmann::json{{"deleted_student", opts.student}, {"deleted", server::ToJson(counts)}}
                  .dump()
           << "\n";
    return OkStatus();
  }
  io.out << "deleted student " << opts.student << ": " << counts.evidence << " evidence, "
         << counts.attendance << " attendance, " << counts.behavior << " behavior, "
         << counts.sel_scores << " SEL, " << counts.goals << " goal, " << counts.enrollments
         << " enrollment, " << counts.guardian_links << " guardian link and " << counts.accounts
         << " account rows\n";
  return OkStatus();
}

Status RunResearch(const PrivacyOptions& opts, Io& io) {
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenMigratedStore(opts.db));
  PW_ASSIGN_OR_RETURN(nlohmann::json out, server::ResearchExport(*store, {opts.min_cell}));
  PW_RETURN_IF_ERROR(AuditCli(*store, "privacy research-export", "all students"));
  io.out << out.dump(2) << "\n";
  return OkStatus();
}

void SetupPrivacy(CLI::App& app, const Binder& bind) {
  auto* privacy = app.add_subcommand("privacy", "Export or delete a student's data; research export");
  privacy->require_subcommand(1);
  auto add_db = [](CLI::App* sub, std::shared_ptr<PrivacyOptions> o) {
    sub->add_option("--db", o->db, "Database: sqlite:PATH or postgresql://...")
        ->capture_default_str();
  };

  auto export_opts = std::make_shared<PrivacyOptions>();
  auto* exp = privacy->add_subcommand("export", "Print everything stored about one student (JSON)");
  add_db(exp, export_opts);
  exp->add_option("--student", export_opts->student, "Student id")->required();
  bind(exp, [export_opts](Io& io) { return RunExport(*export_opts, io); });

  auto delete_opts = std::make_shared<PrivacyOptions>();
  auto* del = privacy->add_subcommand("delete", "Delete a student and everything linked to them");
  add_db(del, delete_opts);
  del->add_option("--student", delete_opts->student, "Student id")->required();
  del->add_flag("--yes", delete_opts->yes, "Confirm the deletion");
  del->add_flag("--json", delete_opts->json, "Print the counts as JSON");
  bind(del, [delete_opts](Io& io) { return RunDelete(*delete_opts, io); });

  auto research_opts = std::make_shared<PrivacyOptions>();
  auto* research =
      privacy->add_subcommand("research-export", "De-identified aggregates for researchers (JSON)");
  add_db(research, research_opts);
  research->add_option("--min-cell", research_opts->min_cell,
                       "Suppress groups of fewer students than this")
      ->check(CLI::Range(10, 1000))
      ->capture_default_str();
  bind(research, [research_opts](Io& io) { return RunResearch(*research_opts, io); });
}
PW_CLI_COMMAND(63, SetupPrivacy);

}  // namespace
}  // namespace pw::cli
