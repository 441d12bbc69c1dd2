// Organizations, terms, people, courses, classes, enrollments and guardian links: the roster,
// shaped after OneRoster so imports map one to one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace pw {

enum class OrgType { kNational, kState, kDistrict, kSchool, kDepartment, kLocal };
std::string_view OrgTypeName(OrgType t);
Result<OrgType> ParseOrgType(std::string_view s);

struct Org {
  Id id = kNoId;
  std::string source_id;
  std::string name;
  OrgType type = OrgType::kSchool;
  Id parent_id = kNoId;  // district of a school, kNoId for the top
};

enum class SessionType { kSchoolYear, kSemester, kTerm, kGradingPeriod };
std::string_view SessionTypeName(SessionType t);
Result<SessionType> ParseSessionType(std::string_view s);

// An academic session (OneRoster academicSession): a school year, term or grading period.
struct AcademicSession {
  Id id = kNoId;
  std::string source_id;
  std::string title;
  SessionType type = SessionType::kTerm;
  Date start;
  Date end;  // inclusive
  Id parent_id = kNoId;
  int school_year = 0;  // e.g. 2027 for 2026-27
};

enum class Role { kStudent, kTeacher, kGuardian, kAdministrator, kLeader, kResearcher };
std::string_view RoleName(Role r);
Result<Role> ParseRole(std::string_view s);

struct Person {
  Id id = kNoId;
  std::string source_id;
  std::string given_name;
  std::string family_name;
  Role role = Role::kStudent;
  std::string email;
  std::string grade;  // "6" for grade 6, "KG" for kindergarten; students only
  Id org_id = kNoId;  // primary school (or district for district staff)
};

struct Course {
  Id id = kNoId;
  std::string source_id;
  std::string title;
  std::string code;
  Id org_id = kNoId;
  Id framework_id = kNoId;               // the competency framework the course teaches
  std::vector<Id> required_competencies;  // mastered all => course credited
};

// A class section (OneRoster "class"); `Class` is avoided as a name.
struct ClassSection {
  Id id = kNoId;
  std::string source_id;
  std::string title;
  Id course_id = kNoId;
  Id school_id = kNoId;
  Id session_id = kNoId;
  std::string period;
};

enum class EnrollmentRole { kStudent, kTeacher, kAide };
std::string_view EnrollmentRoleName(EnrollmentRole r);
Result<EnrollmentRole> ParseEnrollmentRole(std::string_view s);

struct Enrollment {
  Id id = kNoId;
  std::string source_id;
  Id class_id = kNoId;
  Id person_id = kNoId;
  EnrollmentRole role = EnrollmentRole::kStudent;
  bool primary = false;
  std::optional<Date> begin;
  std::optional<Date> end;
};

struct GuardianLink {
  Id guardian_id = kNoId;
  Id student_id = kNoId;
  std::string relation;  // "parent", "guardian", ...
};

}  // namespace pw
