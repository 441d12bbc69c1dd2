// Learner-profile endpoints: a student's profile, the guardian report (JSON or printable
// HTML), a teacher's mastery override, and a class's daily flags (docs/api.md, "Learner
// profiles"). Roles: RolePolicy scopes the student or class; the handlers add what the scope
// alone does not say (who may override, who may see a class's flags).
#include <httplib.h>

#include "server/api.h"
#include "server/profile_service.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

Result<json> GetProfile(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  ProfileLoader loader(req.store());
  PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, loader.Load(id, req.clock().Now()));
  return ProfileJson(p);
}

Result<json> GetReport(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  const httplib::Request& http = req.http();
  const std::string audience =
      http.has_param("audience") ? http.get_param_value("audience") : "guardian";
  if (audience != "guardian") {
    return InvalidArgumentError("query parameter audience: expected guardian, got \"{}\"",
                                audience);
  }
  const std::string format = http.has_param("format") ? http.get_param_value("format") : "json";
  if (format != "json" && format != "html") {
    return InvalidArgumentError("query parameter format: expected json or html, got \"{}\"",
                                format);
  }
  ProfileLoader loader(req.store());
  PW_ASSIGN_OR_RETURN(profile::GuardianReport r, loader.LoadGuardianReport(id, req.clock().Now()));
  if (format == "html") {
    req.SetRawContentType("text/html; charset=utf-8");
    return json(profile::ReportHtml(r));
  }
  json out = ReportJson(r);
  out["student_id"] = id;
  return out;
}

Result<json> PostOverride(const ApiRequest& req) {
  const Principal& who = req.principal();
  if (who.role != Role::kTeacher && who.role != Role::kAdministrator) {
    return PermissionDeniedError(
        "only a teacher of the student's classes or an administrator may override mastery");
  }
  PW_ASSIGN_OR_RETURN(Id student_id, req.PathId(1));
  PW_ASSIGN_OR_RETURN(Id competency_id, req.PathId(2));
  PW_RETURN_IF_ERROR(ResolveStudent(req.store(), std::to_string(student_id)).status().code() ==
                             StatusCode::kNotFound
                         ? NotFoundError("student {} not found", student_id)
                         : OkStatus());
  PW_ASSIGN_OR_RETURN(json body, req.JsonBody());
  if (!body.is_object()) return InvalidArgumentError("request body: expected a JSON object");
  if (!body.contains("state") || !body["state"].is_string()) {
    return InvalidArgumentError(
        "state: required, one of not_started, learning, mastered, needs_review, or clear");
  }
  const std::string state_text = body["state"].get<std::string>();
  std::optional<profile::MasteryState> state;
  if (state_text != "clear") {
    PW_ASSIGN_OR_RETURN(state, profile::ParseMasteryState(state_text));
  }
  std::string reason;
  if (body.contains("reason")) {
    if (!body["reason"].is_string()) return InvalidArgumentError("reason: expected a string");
    reason = body["reason"].get<std::string>();
  }
  const Timestamp now = req.clock().Now();
  PW_RETURN_IF_ERROR(
      OverrideMastery(req.store(), student_id, competency_id, state, reason, who.login, now));
  ProfileLoader loader(req.store());
  PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, loader.Load(student_id, now));
  json out{{"student_id", student_id}, {"competency_id", competency_id}};
  if (const profile::CompetencyStatus* c = p.Find(competency_id)) {
    out["state"] = profile::MasteryStateName(c->state);
    out["estimated_state"] = profile::MasteryStateName(c->estimated_state);
    out["overridden"] = c->override_.has_value();
  } else {
    out["state"] = state_text == "clear" ? "not_started" : state_text;
    out["overridden"] = state.has_value();
  }
  if (state) {
    out["override"] = {{"state", state_text}, {"reason", reason}, {"by", who.login},
                       {"at", FormatTimestamp(now)}};
  } else {
    out["override"] = nullptr;
  }
  return out;
}

Result<json> GetClassFlags(const ApiRequest& req) {
  const Role role = req.principal().role;
  if (role != Role::kTeacher && role != Role::kAdministrator && role != Role::kLeader) {
    return PermissionDeniedError("only teachers, leaders and administrators see class flags");
  }
  PW_ASSIGN_OR_RETURN(Id class_id, req.PathId());
  Date date = DateOf(req.clock().Now());
  if (req.http().has_param("date")) {
    Result<Date> d = ParseDate(req.http().get_param_value("date"));
    if (!d.ok()) return d.status().WithPrefix("query parameter date");
    date = *d;
  }
  PW_ASSIGN_OR_RETURN(auto flags, ClassFlags(req.store(), class_id, date));
  return FlagsJson(class_id, date, flags);
}

}  // namespace

std::vector<Route> ProfileRoutes() {
  return {
      {"GET", R"(/api/v1/students/(\d+)/profile)", {Scope::kStudent}, GetProfile},
      {"GET", R"(/api/v1/students/(\d+)/report)", {Scope::kStudent}, GetReport},
      {"POST",
       R"(/api/v1/students/(\d+)/mastery/(\d+)/override)",
       {.scope = Scope::kStudent, .write = true},
       PostOverride},
      {"GET",
       R"(/api/v1/classes/(\d+)/flags)",
       {.scope = Scope::kClass, .audited = true},
       GetClassFlags},
  };
}

}  // namespace pw::server
