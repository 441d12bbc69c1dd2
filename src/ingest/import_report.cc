#include "ingest/import_report.h"

#include <fmt/format.h>

namespace pw::ingest {

void ErrorList::Add(std::string message) {
  ++total_;
  if (messages_.size() < max_) messages_.push_back(std::move(message));
}

EntityCounts& ImportReport::Entity(std::string_view name) {
  for (auto& [n, c] : entities) {
    if (n == name) return c;
  }
  entities.emplace_back(std::string(name), EntityCounts{});
  return entities.back().second;
}

void ImportReport::Count(std::string_view entity, PutOutcome outcome) {
  EntityCounts& c = Entity(entity);
  switch (outcome) {
    case PutOutcome::kCreated:
      ++c.created;
      break;
    case PutOutcome::kUpdated:
      ++c.updated;
      break;
    case PutOutcome::kUnchanged:
      ++c.unchanged;
      break;
  }
}

Status ImportReport::ErrorStatus() const {
  if (errors.empty()) return OkStatus();
  std::string msg = fmt::format("{}: {} error{}, nothing imported", source, errors.total(),
                                errors.total() == 1 ? "" : "s");
  for (const std::string& m : errors.messages()) msg += "\n  " + m;
  if (errors.total() > errors.messages().size()) {
    msg += fmt::format("\n  ... and {} more", errors.total() - errors.messages().size());
  }
  return InvalidArgumentError("{}", msg);
}

std::string ImportReport::ToText() const {
  std::string out = fmt::format("{} {} ({})\n", kind, source,
                                !ok()   ? "rejected, nothing imported"
                                : check ? "checked, nothing written"
                                        : "imported");
  out += fmt::format("  {:<18}{:>9}{:>9}{:>9}{:>11}{:>9}{:>10}\n", "entity", "read", "created",
                     "updated", "unchanged", "deleted", "rejected");
  for (const auto& [name, c] : entities) {
    out += fmt::format("  {:<18}{:>9}{:>9}{:>9}{:>11}{:>9}{:>10}\n", name, c.read, c.created,
                       c.updated, c.unchanged, c.deleted, c.rejected);
  }
  for (const std::string& w : warnings) out += "  warning: " + w + "\n";
  return out;
}

nlohmann::json ImportReport::ToJson() const {
  nlohmann::json ents = nlohmann::json::object();
  for (const auto& [name, c] : entities) {
    ents[name] = {{"read", c.read},           {"created", c.created}, {"updated", c.updated},
                  {"unchanged", c.unchanged}, {"deleted", c.deleted}, {"rejected", c.rejected}};
  }
  return {{"kind", kind},
          {"source", source},
          {"check", check},
          {"ok", ok()},
          {"entities", ents},
          {"warnings", warnings},
          {"errors", errors.messages()},
          {"more_errors", errors.total() - errors.messages().size()}};
}

std::string ImportReport::ToJsonText() const {
  return ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status RunImportTransaction(Store& store, const ImportOptions& options, ImportReport& report,
                            const std::function<Status()>& write) {
  report.check = options.check;
  const Status dry_run = FailedPreconditionError("{}: dry run (--check), rolled back", report.kind);
  Status s = store.Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(write());
    return options.check ? dry_run : OkStatus();
  });
  if (s.ok() || (options.check && s == dry_run)) return OkStatus();
  if (!report.ok()) return OkStatus();  // rolled back for the errors already reported
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kAlreadyExists) {
    report.errors.Add(s.message());
    return OkStatus();
  }
  return s;
}

}  // namespace pw::ingest
