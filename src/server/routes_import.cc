// POST /api/v1/admin/imports/{kind}: the imports of `pathwise import` over HTTP, for
// administrators (docs/api.md). The body is the file (a .zip for OneRoster, the JSON package
// for CASE, the CSV otherwise); query parameters are the CLI's options:
//
//   check=true            validate and count, write nothing (--check)
//   map=FILE_COLUMN=FIELD rename a column; repeatable (--map)
//   framework=F           prereqs, scores (--framework)
//   source_system=S       scores, attendance, behavior, sel (--source-system)
//   max_errors=N          error messages listed, 1..1000 (--max-errors)
//   name=NAME             the file's name in the report and messages (default upload.<ext>)
//
// 200 with the --json report (plus sha256); 400 with the import's errors when the file is
// rejected (nothing changed). Every import is audited like the CLI's (import_service.h),
// beside the request's own audit entry.
#include <httplib.h>

#include "server/api.h"
#include "server/http_error.h"
#include "server/import_service.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

std::string DefaultName(std::string_view kind) {
  if (kind == "oneroster") return "upload.zip";
  if (kind == "case") return "upload.json";
  return "upload.csv";
}

Result<ImportRequest> RequestFrom(const ApiRequest& req, std::string_view kind) {
  const httplib::Request& http = req.http();
  ImportRequest r;
  r.kind = std::string(kind);
  if (http.has_param("check")) {
    const std::string v = http.get_param_value("check");
    if (v != "true" && v != "false" && v != "1" && v != "0") {
      return InvalidArgumentError("query parameter check: expected true or false, got \"{}\"", v);
    }
    r.options.check = v == "true" || v == "1";
  }
  PW_ASSIGN_OR_RETURN(auto max_errors, req.QueryInt("max_errors", 1, 1000));
  if (max_errors) r.options.max_errors = static_cast<std::size_t>(*max_errors);
  for (std::size_t i = 0; i < http.get_param_value_count("map"); ++i) {
    r.map.push_back(http.get_param_value("map", i));
  }
  r.framework = http.get_param_value("framework");
  r.source_system = http.get_param_value("source_system");
  return r;
}

// Messages quote the input, which may not be UTF-8: invalid bytes become U+FFFD.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<RawResponse> Import(const ApiRequest& req, std::string_view kind) {
  PW_ASSIGN_OR_RETURN(ImportRequest request, RequestFrom(req, kind));
  const httplib::Request& http = req.http();
  const std::string name =
      http.has_param("name") ? http.get_param_value("name") : DefaultName(kind);
  if (name.empty()) return InvalidArgumentError("query parameter name: expected a file name");
  PW_ASSIGN_OR_RETURN(const std::string sha, Sha256Of(http.body));
  PW_ASSIGN_OR_RETURN(ingest::ImportReport report,
                      ImportFromBytes(req.store(), request, name, http.body));
  AuditEntry who;
  who.user_id = req.principal().user_id;
  who.actor = req.principal().login;
  who.address = http.remote_addr;
  PW_RETURN_IF_ERROR(AuditImport(req.store(), who, request, name, sha, report, req.clock()));
  json body = ImportReportJson(report, sha);
  if (!report.ok()) {
    return RawResponse{400, "application/json", Dump(ErrorBody(report.ErrorStatus(), body))};
  }
  return RawResponse{200, "application/json", Dump(body)};
}

}  // namespace

std::vector<Route> ImportRoutes() {
  std::vector<Route> routes;
  for (std::string_view kind : ImportKinds()) {
    Route r;
    r.method = "POST";
    r.pattern = "/api/v1/admin/imports/" + std::string(kind);
    r.access = Access{.scope = Scope::kAdmin, .write = true};
    r.raw = [kind](const ApiRequest& req) { return Import(req, kind); };
    routes.push_back(std::move(r));
  }
  return routes;
}

}  // namespace pw::server
