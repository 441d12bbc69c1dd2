#include "core/roster.h"

#include "core/enum_names.h"

namespace pw {
namespace {

constexpr EnumNames<OrgType, 6> kOrgTypes{{{
    {"national", OrgType::kNational},
    {"state", OrgType::kState},
    {"district", OrgType::kDistrict},
    {"school", OrgType::kSchool},
    {"department", OrgType::kDepartment},
    {"local", OrgType::kLocal},
}}};
constexpr EnumNames<SessionType, 4> kSessionTypes{{{
    {"schoolYear", SessionType::kSchoolYear},
    {"semester", SessionType::kSemester},
    {"term", SessionType::kTerm},
    {"gradingPeriod", SessionType::kGradingPeriod},
}}};
constexpr EnumNames<Role, 6> kRoles{{{
    {"student", Role::kStudent},
    {"teacher", Role::kTeacher},
    {"guardian", Role::kGuardian},
    {"administrator", Role::kAdministrator},
    {"leader", Role::kLeader},
    {"researcher", Role::kResearcher},
}}};
constexpr EnumNames<EnrollmentRole, 3> kEnrollmentRoles{{{
    {"student", EnrollmentRole::kStudent},
    {"teacher", EnrollmentRole::kTeacher},
    {"aide", EnrollmentRole::kAide},
}}};

}  // namespace

std::string_view OrgTypeName(OrgType t) { return kOrgTypes.Name(t); }
Result<OrgType> ParseOrgType(std::string_view s) { return kOrgTypes.Parse(s, "org type"); }
std::string_view SessionTypeName(SessionType t) { return kSessionTypes.Name(t); }
Result<SessionType> ParseSessionType(std::string_view s) {
  return kSessionTypes.Parse(s, "session type");
}
std::string_view RoleName(Role r) { return kRoles.Name(r); }
Result<Role> ParseRole(std::string_view s) { return kRoles.Parse(s, "role"); }
std::string_view EnrollmentRoleName(EnrollmentRole r) { return kEnrollmentRoles.Name(r); }
Result<EnrollmentRole> ParseEnrollmentRole(std::string_view s) {
  return kEnrollmentRoles.Parse(s, "enrollment role");
}

}  // namespace pw
