// Administrator and researcher endpoints: the audit log, the user list, a student's full
// export and deletion, and the de-identified research export (privacy.h).
#include <httplib.h>

#include "server/auth.h"
#include "server/privacy.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

Result<json> ListAuditLog(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(req.store()));
  AuditFilter filter;
  PW_ASSIGN_OR_RETURN(filter.student_id, req.QueryInt("student_id", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(filter.since, req.QueryTime("since"));
  if (req.http().has_param("actor")) filter.actor = req.http().get_param_value("actor");
  PW_ASSIGN_OR_RETURN(auto before, req.QueryInt("before", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(auto limit, req.QueryInt("limit", 1, 1000));
  const int n = static_cast<int>(limit.value_or(100));
  PW_ASSIGN_OR_RETURN(auto entries, accounts->ListAudit(filter, before.value_or(kNoId), n));
  json items = json::array();
  for (const AuditEntry& e : entries) items.push_back(ToJson(e));
  const bool full = static_cast<int>(entries.size()) == n;
  return json{{"items", std::move(items)},
              {"next_before", full ? json(entries.back().id) : json(nullptr)}};
}

Result<json> ListUsers(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(req.store()));
  PW_ASSIGN_OR_RETURN(auto users, accounts->ListUsers());
  json items = json::array();
  for (const UserAccount& u : users) {
    items.push_back({{"id", u.id},
                     {"login", u.login},
                     {"role", RoleName(u.role)},
                     {"person_id", u.person_id == kNoId ? json(nullptr) : json(u.person_id)},
                     {"disabled", u.disabled},
                     {"created", FormatTimestamp(u.created)}});
  }
  return json{{"items", std::move(items)}};
}

Result<json> ExportOne(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  return ExportStudent(req.store(), id);
}

Result<json> DeleteOne(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(DeletionCounts counts, DeleteStudent(req.store(), id));
  return json{{"deleted_student", id}, {"deleted", ToJson(counts)}};
}

Result<json> Research(const ApiRequest& req) {
  ResearchOptions options;
  PW_ASSIGN_OR_RETURN(auto min_cell, req.QueryInt("min_cell", 10, 1000));
  if (min_cell) options.min_cell = static_cast<int>(*min_cell);
  return ResearchExport(req.store(), options);
}

}  // namespace

std::vector<Route> AdminRoutes() {
  return {
      {"GET", "/api/v1/audit", {Scope::kAdmin}, ListAuditLog},
      {"GET", "/api/v1/users", {Scope::kAdmin}, ListUsers},
      {"GET", R"(/api/v1/students/(\d+)/export)",
       {.scope = Scope::kAdmin, .student_in_path = true}, ExportOne},
      {"DELETE", R"(/api/v1/students/(\d+))",
       {.scope = Scope::kAdmin, .write = true, .student_in_path = true}, DeleteOne},
      {"GET", "/api/v1/research/export", {.scope = Scope::kResearch, .audited = true}, Research},
  };
}

}  // namespace pw::server
