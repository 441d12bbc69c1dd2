// The read endpoints of the foundation: health, organizations, classes, students, frameworks
// and a student's evidence. Handlers stay thin: parameters in, store calls, JSON out.
#include "server/api.h"
#include "server/json_codec.h"
#include "server/policy.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

template <typename T>
json PageJson(const Page<T>& page) {
  return {{"items", ToJsonArray(page.items)},
          {"next_after", page.next_after ? json(*page.next_after) : json(nullptr)}};
}

Result<json> Health(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(int version, req.store().SchemaVersion());
  return json{{"status", "ok"},
              {"version", "0.1.0"},
              {"schema_version", version},
              {"time", FormatTimestamp(req.clock().Now())}};
}

Result<json> ListOrgs(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Reach reach, ReachOf(req));
  PW_ASSIGN_OR_RETURN(auto orgs, VisibleOrgs(req.store(), reach));
  return json{{"items", ToJsonArray(orgs)}};
}

Result<json> GetOrg(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(Org org, req.store().GetOrg(id));
  return ToJson(org);
}

Result<json> ListClasses(const ApiRequest& req) {
  ClassFilter filter;
  PW_ASSIGN_OR_RETURN(auto school, req.QueryInt("school_id", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(auto person, req.QueryInt("person_id", 1, INT64_MAX));
  filter.school_id = school;
  filter.person_id = person;
  PW_ASSIGN_OR_RETURN(Reach reach, ReachOf(req));
  PW_ASSIGN_OR_RETURN(auto classes, VisibleClasses(req.store(), reach, filter));
  return json{{"items", ToJsonArray(classes)}};
}

Result<json> GetClass(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(ClassSection cls, req.store().GetClass(id));
  json out = ToJson(cls);
  PW_ASSIGN_OR_RETURN(auto enrollments, req.store().ListEnrollments(id, std::nullopt));
  json teachers = json::array();
  int students = 0;
  for (const Enrollment& e : enrollments) {
    if (e.role == EnrollmentRole::kStudent) ++students;
    else teachers.push_back(e.person_id);
  }
  out["teacher_ids"] = teachers;
  out["student_count"] = students;
  return out;
}

Result<json> ListStudentsOf(const ApiRequest& req, PersonFilter filter) {
  PW_ASSIGN_OR_RETURN(PageRequest page, req.Paging());
  // Only the students the caller may see, in every page (policy.h).
  PW_ASSIGN_OR_RETURN(Reach reach, ReachOf(req));
  PW_ASSIGN_OR_RETURN(auto people, ListVisibleStudents(req.store(), reach, filter, page));
  return PageJson(people);
}

Result<json> ListStudents(const ApiRequest& req) {
  PersonFilter filter;
  PW_ASSIGN_OR_RETURN(filter.org_id, req.QueryInt("org_id", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(filter.class_id, req.QueryInt("class_id", 1, INT64_MAX));
  return ListStudentsOf(req, filter);
}

Result<json> ClassStudents(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_RETURN_IF_ERROR(req.store().GetClass(id).status());
  PersonFilter filter;
  filter.class_id = id;
  return ListStudentsOf(req, filter);
}

Result<Person> StudentById(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  Result<Person> person = req.store().GetPerson(id);
  if (!person.ok() || person->role != Role::kStudent) return NotFoundError("student {} not found", id);
  return person;
}

Result<json> GetStudent(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Person student, StudentById(req));
  return ToJson(student);
}

Result<json> StudentEvidence(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Person student, StudentById(req));
  EvidenceFilter filter;
  filter.student_id = student.id;
  PW_ASSIGN_OR_RETURN(filter.competency_id, req.QueryInt("competency_id", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(filter.activity_id, req.QueryInt("activity_id", 1, INT64_MAX));
  PW_ASSIGN_OR_RETURN(filter.since, req.QueryTime("since"));
  PW_ASSIGN_OR_RETURN(filter.until, req.QueryTime("until"));
  PW_ASSIGN_OR_RETURN(PageRequest page, req.Paging());
  PW_ASSIGN_OR_RETURN(auto evidence, req.store().ListEvidence(filter, page));
  return PageJson(evidence);
}

Result<json> ListFrameworks(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(auto frameworks, req.store().ListFrameworks());
  return json{{"items", ToJsonArray(frameworks)}};
}

Result<json> GetFramework(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(Framework fw, req.store().GetFramework(id));
  PW_ASSIGN_OR_RETURN(auto competencies, req.store().ListCompetencies(id));
  PW_ASSIGN_OR_RETURN(auto edges, req.store().ListEdges(id));
  json out = ToJson(fw);
  out["competencies"] = ToJsonArray(competencies);
  out["edges"] = ToJsonArray(edges);
  return out;
}

Result<json> GetCompetency(const ApiRequest& req) {
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(Competency c, req.store().GetCompetency(id));
  return ToJson(c);
}

}  // namespace

std::vector<Route> ReadRoutes() {
  return {
      {"GET", "/api/v1/health", {Scope::kPublic}, Health},
      {"GET", "/api/v1/orgs", {Scope::kDirectory}, ListOrgs},
      {"GET", R"(/api/v1/orgs/(\d+))", {Scope::kOrg}, GetOrg},
      {"GET", "/api/v1/classes", {Scope::kDirectory}, ListClasses},
      {"GET", R"(/api/v1/classes/(\d+))", {Scope::kClass}, GetClass},
      {"GET", R"(/api/v1/classes/(\d+)/students)", {Scope::kClass}, ClassStudents},
      {"GET", "/api/v1/students", {Scope::kDirectory}, ListStudents},
      {"GET", R"(/api/v1/students/(\d+))", {Scope::kStudent}, GetStudent},
      {"GET", R"(/api/v1/students/(\d+)/evidence)", {Scope::kStudent}, StudentEvidence},
      {"GET", "/api/v1/frameworks", {Scope::kFramework}, ListFrameworks},
      {"GET", R"(/api/v1/frameworks/(\d+))", {Scope::kFramework}, GetFramework},
      {"GET", R"(/api/v1/competencies/(\d+))", {Scope::kFramework}, GetCompetency},
  };
}

}  // namespace pw::server
