#include "server/demo_seed.h"

#include <chrono>

#include "core/random.h"
#include "server/evidence_service.h"
#include "sim/school.h"

namespace pw::server {
namespace {

constexpr char kSeededKey[] = "demo.seeded";
constexpr char kFrameworkKey[] = "demo.framework_id";

Status WriteSchool(Store& store, sim::SimulatedSchool& school) {
  for (Org& o : school.orgs) PW_RETURN_IF_ERROR(store.PutOrg(o).status());
  for (AcademicSession& s : school.sessions) PW_RETURN_IF_ERROR(store.PutSession(s).status());
  for (Person& p : school.people) PW_RETURN_IF_ERROR(store.PutPerson(p).status());
  for (const GuardianLink& g : school.guardian_links) {
    PW_RETURN_IF_ERROR(store.PutGuardianLink(g).status());
  }
  for (Course& c : school.courses) PW_RETURN_IF_ERROR(store.PutCourse(c).status());
  for (ClassSection& c : school.classes) PW_RETURN_IF_ERROR(store.PutClass(c).status());
  for (Enrollment& e : school.enrollments) PW_RETURN_IF_ERROR(store.PutEnrollment(e).status());
  for (Activity& a : school.activities) PW_RETURN_IF_ERROR(store.PutActivity(a).status());
  for (Goal& g : school.goals) PW_RETURN_IF_ERROR(store.PutGoal(g).status());
  for (BehaviorIncident& b : school.incidents) PW_RETURN_IF_ERROR(store.PutBehavior(b).status());
  PW_RETURN_IF_ERROR(store.PutAttendance(school.attendance));
  PW_RETURN_IF_ERROR(store.PutSel(school.sel_scores));
  return RecordEvidence(store, school.evidence);
}

}  // namespace

Result<DemoSummary> SeedDemo(Store& store, const FrameworkPackage& package,
                             const DemoOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  PW_RETURN_IF_ERROR(store.Migrate());
  DemoSummary summary;
  PW_ASSIGN_OR_RETURN(auto seeded, store.GetMeta(kSeededKey));
  if (!seeded) {
    PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
      PW_ASSIGN_OR_RETURN(Id framework_id, ImportFramework(store, package));
      PW_ASSIGN_OR_RETURN(CompetencyGraph graph, store.LoadGraph(framework_id));
      sim::SchoolOptions school_options;
      school_options.students = options.students;
      school_options.classes = options.classes;
      school_options.weeks = options.weeks;
      Rng rng(options.seed);
      PW_ASSIGN_OR_RETURN(sim::SimulatedSchool school,
                          sim::SimulateSchool(school_options, graph, rng));
      PW_RETURN_IF_ERROR(WriteSchool(store, school));
      PW_RETURN_IF_ERROR(store.SetMeta(kFrameworkKey, std::to_string(framework_id)));
      return store.SetMeta(kSeededKey, fmt::format("seed={} students={} classes={} weeks={}",
                                                   options.seed, options.students,
                                                   options.classes, options.weeks));
    }));
  } else {
    summary.reused = true;
  }
  PW_ASSIGN_OR_RETURN(auto framework_text, store.GetMeta(kFrameworkKey));
  if (!framework_text) return FailedPreconditionError("the demo database has no framework recorded");
  summary.framework_id = std::stoll(*framework_text);
  PW_ASSIGN_OR_RETURN(auto competencies, store.ListCompetencies(summary.framework_id));
  summary.competencies = static_cast<int>(competencies.size());
  for (Role role : {Role::kStudent, Role::kTeacher, Role::kGuardian}) {
    int count = 0;
    PageRequest page{kNoId, 10000};
    while (true) {
      PersonFilter filter;
      filter.role = role;
      PW_ASSIGN_OR_RETURN(Page<Person> people, store.ListPeople(filter, page));
      count += static_cast<int>(people.items.size());
      if (!people.next_after) break;
      page.after = *people.next_after;
    }
    (role == Role::kStudent ? summary.students
     : role == Role::kTeacher ? summary.teachers
                              : summary.guardians) = count;
  }
  PW_ASSIGN_OR_RETURN(auto classes, store.ListClasses({}));
  summary.classes = static_cast<int>(classes.size());
  PW_ASSIGN_OR_RETURN(summary.evidence, store.CountEvidence({}));
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace pw::server
