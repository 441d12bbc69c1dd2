#include "server/auth_demo.h"

#include <sodium.h>

namespace pw::server {
namespace {

// 20 characters from an unambiguous alphabet (~115 bits).
std::string RandomPassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
  InitCrypto().IgnoreError();
  std::string out;
  for (int i = 0; i < 20; ++i) {
    out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return out;
}

Result<Id> FindTeacher(Store& store, Id school_id, Id* student_id) {
  PW_ASSIGN_OR_RETURN(auto classes, store.ListClasses({.school_id = school_id}));
  for (const ClassSection& c : classes) {
    PW_ASSIGN_OR_RETURN(auto enrolled, store.ListEnrollments(c.id, std::nullopt));
    Id teacher = kNoId, student = kNoId;
    for (const Enrollment& e : enrolled) {
      if (e.role == EnrollmentRole::kTeacher && teacher == kNoId) teacher = e.person_id;
      if (e.role == EnrollmentRole::kStudent && student == kNoId) student = e.person_id;
    }
    if (teacher != kNoId && student != kNoId) {
      *student_id = student;
      return teacher;
    }
  }
  return FailedPreconditionError(
      "school {} has no class with both a teacher and a student to make demo logins for",
      school_id);
}

Result<Id> GuardianOf(Store& store, const Person& student) {
  PW_ASSIGN_OR_RETURN(auto links, store.ListGuardianLinks(student.id, std::nullopt));
  if (!links.empty()) return links.front().guardian_id;
  Person g;
  g.source_id = "demo-guardian-of-" + std::to_string(student.id);
  g.given_name = "Guardian of";
  g.family_name = student.given_name + " " + student.family_name;
  g.role = Role::kGuardian;
  g.org_id = student.org_id;
  PW_RETURN_IF_ERROR(store.PutPerson(g).status());
  PW_RETURN_IF_ERROR(store.PutGuardianLink({g.id, student.id, "guardian"}).status());
  return g.id;
}

Result<Id> LeaderOf(Store& store, const Org& school) {
  for (Id org : {school.id, school.parent_id}) {
    if (org == kNoId) continue;
    PW_ASSIGN_OR_RETURN(auto people,
                        store.ListPeople({.role = Role::kLeader, .org_id = org}, {kNoId, 1}));
    if (!people.items.empty()) return people.items.front().id;
  }
  Person leader;
  leader.source_id = "demo-leader-" + std::to_string(school.id);
  leader.given_name = "Demo";
  leader.family_name = "Principal";
  leader.role = Role::kLeader;
  leader.org_id = school.id;
  PW_RETURN_IF_ERROR(store.PutPerson(leader).status());
  return leader.id;
}

}  // namespace

Result<std::vector<DemoLogin>> CreateDemoLogins(Store& store, Id school_id,
                                                const AuthOptions& options, const Clock& clock) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  std::vector<DemoLogin> out;
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(Org school, store.GetOrg(school_id));
    Id student_id = kNoId;
    PW_ASSIGN_OR_RETURN(Id teacher_id, FindTeacher(store, school_id, &student_id));
    PW_ASSIGN_OR_RETURN(Person student, store.GetPerson(student_id));
    PW_ASSIGN_OR_RETURN(Id guardian_id, GuardianOf(store, student));
    PW_ASSIGN_OR_RETURN(Id leader_id, LeaderOf(store, school));
    const std::vector<std::pair<Role, Id>> wanted = {
        {Role::kAdministrator, kNoId}, {Role::kLeader, leader_id},
        {Role::kTeacher, teacher_id},  {Role::kStudent, student_id},
        {Role::kGuardian, guardian_id}, {Role::kResearcher, kNoId}};
    for (const auto& [role, person] : wanted) {
      DemoLogin login{role, "demo-" + std::string(RoleName(role)), RandomPassword(), person};
      PW_ASSIGN_OR_RETURN(auto existing, accounts->FindUserByLogin(login.login));
      if (existing) {
        existing->role = role;
        existing->person_id = person;
        existing->disabled = false;
        PW_ASSIGN_OR_RETURN(existing->password_hash,
                            HashPassword(login.password, options.password_cost));
        PW_RETURN_IF_ERROR(accounts->UpdateUser(*existing));
        PW_RETURN_IF_ERROR(accounts->RevokeUserSessions(existing->id).status());
      } else {
        PW_RETURN_IF_ERROR(
            CreateUser(store, {login.login, role, person}, login.password, options, clock)
                .status());
      }
      out.push_back(std::move(login));
    }
    return OkStatus();
  }));
  return out;
}

}  // namespace pw::server
