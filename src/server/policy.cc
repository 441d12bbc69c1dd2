#include "server/policy.h"

#include <sodium.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include <httplib.h>

namespace pw::server {
namespace {

std::vector<Id> Sorted(const std::set<Id>& s) { return {s.begin(), s.end()}; }

bool Contains(const std::vector<Id>& sorted, Id id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

// Adds `org` and every organization above it.
void AddWithAncestors(const std::unordered_map<Id, Org>& orgs, Id org, std::set<Id>& out) {
  for (int guard = 0; org != kNoId && guard < 64; ++guard) {
    if (!out.insert(org).second) return;
    auto it = orgs.find(org);
    if (it == orgs.end()) return;
    org = it->second.parent_id;
  }
}

Result<std::vector<Id>> ClassesOf(Store& store, Id person, bool as_student) {
  PW_ASSIGN_OR_RETURN(auto enrollments, store.ListEnrollments(std::nullopt, person));
  std::vector<Id> out;
  for (const Enrollment& e : enrollments) {
    if ((e.role == EnrollmentRole::kStudent) == as_student) out.push_back(e.class_id);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(const std::string& header, std::string_view name) {
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    std::string_view part = Trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return "";
}

Result<Principal> FromBasic(Store& store, std::string_view encoded) {
  static const Status kBad = UnauthenticatedError("Authorization: malformed Basic credentials");
  if (encoded.size() > 512) return kBad;
  std::string decoded(encoded.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return kBad;
  }
  decoded.resize(len);
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return kBad;
  Result<Principal> p =
      PrincipalForClient(store, std::string_view(decoded).substr(0, colon),
                         std::string_view(decoded).substr(colon + 1));
  sodium_memzero(decoded.data(), decoded.size());
  return p;
}

}  // namespace

Result<Reach> ReachOf(Store& store, const Principal& who) {
  Reach reach;
  if (!who.authenticated || who.is_client) return reach;
  if (who.role == Role::kAdministrator) {
    reach.all = true;
    return reach;
  }
  if (who.role == Role::kResearcher || who.person_id == kNoId) return reach;
  PW_ASSIGN_OR_RETURN(Person me, store.GetPerson(who.person_id));
  PW_ASSIGN_OR_RETURN(auto org_list, store.ListOrgs());
  std::unordered_map<Id, Org> orgs;
  for (Org& o : org_list) orgs.emplace(o.id, std::move(o));
  std::set<Id> visible_orgs, classes, students;
  AddWithAncestors(orgs, me.org_id, visible_orgs);

  switch (who.role) {
    case Role::kLeader: {
      std::set<Id> subtree;
      if (me.org_id != kNoId) subtree.insert(me.org_id);
      // Organizations form a forest; add children until nothing changes (bounded by depth).
      for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [id, org] : orgs) {
          if (org.parent_id != kNoId && subtree.count(org.parent_id) && subtree.insert(id).second) {
            grew = true;
          }
        }
      }
      reach.org_ids = Sorted(subtree);
      visible_orgs.insert(subtree.begin(), subtree.end());
      break;
    }
    case Role::kTeacher: {
      PW_ASSIGN_OR_RETURN(auto taught, ClassesOf(store, me.id, /*as_student=*/false));
      for (Id c : taught) {
        classes.insert(c);
        PW_ASSIGN_OR_RETURN(auto enrolled, store.ListEnrollments(c, std::nullopt));
        for (const Enrollment& e : enrolled) {
          if (e.role == EnrollmentRole::kStudent) students.insert(e.person_id);
        }
        PW_ASSIGN_OR_RETURN(ClassSection cls, store.GetClass(c));
        AddWithAncestors(orgs, cls.school_id, visible_orgs);
      }
      break;
    }
    case Role::kStudent: {
      if (me.role == Role::kStudent) students.insert(me.id);
      PW_ASSIGN_OR_RETURN(auto attended, ClassesOf(store, me.id, /*as_student=*/true));
      classes.insert(attended.begin(), attended.end());
      break;
    }
    case Role::kGuardian: {
      PW_ASSIGN_OR_RETURN(auto links, store.ListGuardianLinks(std::nullopt, me.id));
      for (const GuardianLink& link : links) {
        students.insert(link.student_id);
        PW_ASSIGN_OR_RETURN(Person child, store.GetPerson(link.student_id));
        AddWithAncestors(orgs, child.org_id, visible_orgs);
        PW_ASSIGN_OR_RETURN(auto attended, ClassesOf(store, child.id, /*as_student=*/true));
        classes.insert(attended.begin(), attended.end());
      }
      break;
    }
    case Role::kAdministrator:
    case Role::kResearcher:
      break;
  }
  reach.class_ids = Sorted(classes);
  reach.student_ids = Sorted(students);
  reach.visible_orgs = Sorted(visible_orgs);
  return reach;
}

Result<Reach> ReachOf(const ApiRequest& req) { return ReachOf(req.store(), req.principal()); }

Result<bool> CanSeeStudent(Store& store, const Reach& reach, Id student_id) {
  if (reach.all) return true;
  if (Contains(reach.student_ids, student_id)) return true;
  if (reach.org_ids.empty()) return false;
  Result<Person> p = store.GetPerson(student_id);
  if (!p.ok()) return p.status().code() == StatusCode::kNotFound ? Result<bool>(false) : p.status();
  return p->role == Role::kStudent && Contains(reach.org_ids, p->org_id);
}

Result<bool> CanSeeClass(Store& store, const Reach& reach, Id class_id) {
  if (reach.all) return true;
  if (Contains(reach.class_ids, class_id)) return true;
  if (reach.org_ids.empty()) return false;
  Result<ClassSection> c = store.GetClass(class_id);
  if (!c.ok()) return c.status().code() == StatusCode::kNotFound ? Result<bool>(false) : c.status();
  return Contains(reach.org_ids, c->school_id);
}

bool CanSeeOrg(const Reach& reach, Id org_id) {
  return reach.all || Contains(reach.visible_orgs, org_id);
}

Result<Page<Person>> ListVisibleStudents(Store& store, const Reach& reach, PersonFilter filter,
                                         PageRequest page) {
  filter.role = Role::kStudent;
  if (reach.all) return store.ListPeople(filter, page);
  Page<Person> out;
  if (page.limit < 1) return InvalidArgumentError("page limit {} is less than 1", page.limit);

  if (!reach.org_ids.empty()) {
    // Leader: the union over their organizations, each a keyset query; the rows are disjoint
    // (one primary org per person), so merging the first `limit` of each is exact.
    std::vector<Id> orgs = reach.org_ids;
    if (filter.org_id) {
      orgs = Contains(reach.org_ids, *filter.org_id) ? std::vector<Id>{*filter.org_id}
                                                     : std::vector<Id>{};
    }
    bool more = false;
    for (Id org : orgs) {
      PersonFilter sub = filter;
      sub.org_id = org;
      PW_ASSIGN_OR_RETURN(Page<Person> part, store.ListPeople(sub, page));
      more = more || part.next_after.has_value();
      for (Person& p : part.items) out.items.push_back(std::move(p));
    }
    std::sort(out.items.begin(), out.items.end(),
              [](const Person& a, const Person& b) { return a.id < b.id; });
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(static_cast<std::size_t>(page.limit));
      more = true;
    }
    if (more && !out.items.empty()) out.next_after = out.items.back().id;
    return out;
  }

  // An explicit, small set (a teacher's classes, a student, a guardian's children).
  std::set<Id> in_class;
  if (filter.class_id) {
    PW_ASSIGN_OR_RETURN(auto enrolled, store.ListEnrollments(*filter.class_id, std::nullopt));
    for (const Enrollment& e : enrolled) in_class.insert(e.person_id);
  }
  auto it = std::upper_bound(reach.student_ids.begin(), reach.student_ids.end(), page.after);
  for (; it != reach.student_ids.end(); ++it) {
    if (filter.class_id && !in_class.count(*it)) continue;
    Result<Person> p = store.GetPerson(*it);
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kNotFound) continue;
      return p.status();
    }
    if (p->role != Role::kStudent) continue;
    if (filter.org_id && p->org_id != *filter.org_id) continue;
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.next_after = out.items.back().id;
      break;
    }
    out.items.push_back(std::move(*p));
  }
  return out;
}

Result<std::vector<ClassSection>> VisibleClasses(Store& store, const Reach& reach,
                                                 const ClassFilter& filter) {
  PW_ASSIGN_OR_RETURN(auto classes, store.ListClasses(filter));
  if (reach.all) return classes;
  std::erase_if(classes, [&](const ClassSection& c) {
    return !Contains(reach.class_ids, c.id) && !Contains(reach.org_ids, c.school_id);
  });
  return classes;
}

Result<std::vector<Org>> VisibleOrgs(Store& store, const Reach& reach) {
  PW_ASSIGN_OR_RETURN(auto orgs, store.ListOrgs());
  if (reach.all) return orgs;
  std::erase_if(orgs, [&](const Org& o) { return !Contains(reach.visible_orgs, o.id); });
  return orgs;
}

Result<Principal> RolePolicy::Authenticate(const httplib::Request& req, Store& store) {
  const std::string auth = req.get_header_value("Authorization");
  if (!auth.empty()) {
    std::string_view value = auth;
    if (value.starts_with("Bearer ")) {
      return PrincipalForToken(store, Trim(value.substr(7)), clock_);
    }
    if (value.starts_with("Basic ")) return FromBasic(store, Trim(value.substr(6)));
    return UnauthenticatedError("Authorization: expected a Bearer token or Basic credentials");
  }
  const std::string cookie = CookieValue(req.get_header_value("Cookie"), kSessionCookie);
  if (!cookie.empty()) {
    PW_ASSIGN_OR_RETURN(Principal p, PrincipalForToken(store, cookie, clock_));
    p.via_cookie = true;
    return p;
  }
  return Principal();
}

Status RolePolicy::Authorize(const Principal& who, const Access& access, const ApiRequest& req) {
  if (access.scope == Scope::kPublic) return OkStatus();
  if (!who.authenticated) return UnauthenticatedError("sign in first");
  if (who.via_cookie && access.write &&
      !SecretEquals(req.http().get_header_value(std::string(kCsrfHeader)), who.csrf_token)) {
    return PermissionDeniedError(
        "missing or wrong {} header (required for changes when signed in with a cookie)",
        kCsrfHeader);
  }
  if (who.is_client) {
    if (access.scope == Scope::kSelf) return OkStatus();
    if (access.scope == Scope::kXapi && who.client_scope == "xapi") return OkStatus();
    return PermissionDeniedError("API clients may use only the endpoints of their scope");
  }
  const bool admin = who.role == Role::kAdministrator;
  switch (access.scope) {
    case Scope::kPublic:
    case Scope::kSelf:
    case Scope::kFramework:
      return OkStatus();
    case Scope::kXapi:
      return PermissionDeniedError("only API clients with scope xapi may use this endpoint");
    case Scope::kAdmin:
      return admin ? OkStatus() : PermissionDeniedError("administrators only");
    case Scope::kResearch:
      return admin || who.role == Role::kResearcher
                 ? OkStatus()
                 : PermissionDeniedError("researchers and administrators only");
    case Scope::kDirectory:
    case Scope::kOrg:
    case Scope::kClass:
    case Scope::kStudent:
      break;
  }
  if (who.role == Role::kResearcher) {
    return PermissionDeniedError("researchers see de-identified data only");
  }
  if (access.scope == Scope::kDirectory) return OkStatus();
  PW_ASSIGN_OR_RETURN(Id id, req.PathId());
  PW_ASSIGN_OR_RETURN(Reach reach, ReachOf(req.store(), who));
  switch (access.scope) {
    case Scope::kOrg:
      if (CanSeeOrg(reach, id)) return OkStatus();
      return PermissionDeniedError("organization {} is outside your scope", id);
    case Scope::kClass: {
      PW_ASSIGN_OR_RETURN(bool ok, CanSeeClass(req.store(), reach, id));
      return ok ? OkStatus() : NotFoundError("class {} does not exist", id);
    }
    case Scope::kStudent: {
      PW_ASSIGN_OR_RETURN(bool ok, CanSeeStudent(req.store(), reach, id));
      return ok ? OkStatus() : NotFoundError("student {} not found", id);
    }
    default:
      return InternalError("unhandled scope {}", ScopeName(access.scope));
  }
}

Status RolePolicy::Audit(const Principal& who, const Route& route, const ApiRequest& req,
                         int status) {
  const Access& a = route.access;
  if (!(a.scope == Scope::kStudent || a.write || a.audited || a.student_in_path)) {
    return OkStatus();
  }
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(req.store()));
  AuditEntry e;
  e.time = clock_.Now();
  e.user_id = who.user_id;
  e.actor = who.authenticated ? who.login : "anonymous";
  if (!who.authenticated && !req.AuditActor().empty()) e.actor = req.AuditActor();
  e.action = route.method + " " + route.pattern;
  if (a.scope == Scope::kStudent || a.student_in_path) {
    Result<Id> id = req.PathId();
    if (id.ok()) e.student_id = *id;
  }
  e.target = req.http().path;
  e.status = status;
  e.address = req.http().remote_addr;
  return accounts->AppendAudit(e);
}

bool PolicyCovers(const Route& route) {
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  if (!kMethods.count(route.method) || (!route.handler && !route.raw)) return false;
  const bool has_id = route.pattern.find(R"((\d+))") != std::string::npos;
  switch (route.access.scope) {
    case Scope::kPublic:
    case Scope::kDirectory:
    case Scope::kFramework:
    case Scope::kAdmin:
    case Scope::kSelf:
    case Scope::kResearch:
    case Scope::kXapi:
      return !route.access.student_in_path || has_id;
    case Scope::kOrg:
    case Scope::kClass:
    case Scope::kStudent:
      return has_id;
  }
  return false;
}

}  // namespace pw::server
