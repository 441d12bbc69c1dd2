// Who may see what: the role policy of every route (docs/security.md).
//
// A signed-in user's *reach* is computed from the roster on each request:
//   administrator  everything
//   leader         students whose school is their organization or below it, the classes of
//                  those schools, and those organizations
//   teacher        the classes they teach and the students enrolled in them
//   student        themself (and the classes they are enrolled in)
//   guardian       their linked children (and the children's classes)
//   researcher     no identified record at all: frameworks and the de-identified export only
// RolePolicy::Authorize is the one decision for every route (by its Access); the list
// endpoints page through ListVisibleStudents / VisibleClasses / VisibleOrgs, built on the
// same reach, so no row outside it appears in any page.
//
// Answers: no credentials 401; a role that can never use a kind of route 403; a student or
// class outside the caller's reach 404, the same answer as for an id that does not exist
// (existence of a child must not leak); an organization outside it 403 (org names are not
// personal data).
#pragma once

#include <memory>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "server/api.h"
#include "server/auth.h"
#include "store/accounts.h"
#include "store/store.h"

namespace pw::server {

struct Reach {
  bool all = false;                // administrator
  std::vector<Id> org_ids;         // leader: their organization and every one below (sorted)
  std::vector<Id> class_ids;       // classes taught / attended / attended by a child (sorted)
  std::vector<Id> student_ids;     // teacher, student, guardian: exactly these (sorted)
  std::vector<Id> visible_orgs;    // the organization directory this caller sees (sorted)
};

// The reach of a signed-in principal (empty for researchers and API clients).
Result<Reach> ReachOf(Store& store, const Principal& who);

Result<bool> CanSeeStudent(Store& store, const Reach& reach, Id student_id);
Result<bool> CanSeeClass(Store& store, const Reach& reach, Id class_id);
bool CanSeeOrg(const Reach& reach, Id org_id);

// The students matching `filter` that `reach` covers, keyset-paged like Store::ListPeople
// (pages never repeat or skip a visible row and contain no other).
Result<Page<Person>> ListVisibleStudents(Store& store, const Reach& reach, PersonFilter filter,
                                         PageRequest page);
Result<std::vector<ClassSection>> VisibleClasses(Store& store, const Reach& reach,
                                                 const ClassFilter& filter);
Result<std::vector<Org>> VisibleOrgs(Store& store, const Reach& reach);

// The reach of the request's caller (handlers of directory routes use it).
Result<Reach> ReachOf(const ApiRequest& req);

// Authentication (bearer token, session cookie, or HTTP Basic for API clients), the role
// decision for every Scope, CSRF for cookie-authenticated writes, and the audit log.
class RolePolicy final : public Policy {
 public:
  RolePolicy(const Clock& clock, AuthOptions options) : clock_(clock), options_(options) {}
  Result<Principal> Authenticate(const httplib::Request& req, Store& store) override;
  Status Authorize(const Principal& who, const Access& access, const ApiRequest& req) override;
  Status Audit(const Principal& who, const Route& route, const ApiRequest& req,
               int status) override;

 private:
  const Clock& clock_;
  AuthOptions options_;
};

// Whether the role decision covers this route: a known scope, and a path id where the scope
// needs one. The route-table test fails on any route for which this is false.
bool PolicyCovers(const Route& route);

}  // namespace pw::server
