// The role policy over real HTTP against a real SQLite school: every route has a policy, and
// every role × route × target answers exactly as docs/security.md says.
#include "server/policy.h"

#include <functional>
#include <optional>

#include "auth_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

TEST(PolicyCoversTest, RejectsRoutesWithoutADecision) {
  auto noop = [](const ApiRequest&) -> Result<json> { return json(); };
  EXPECT_TRUE(PolicyCovers({"GET", R"(/api/v1/students/(\d+))", {Scope::kStudent}, noop}));
  // A student route without the id the decision needs.
  EXPECT_FALSE(PolicyCovers({"GET", "/api/v1/students/me", {Scope::kStudent}, noop}));
  EXPECT_FALSE(PolicyCovers({"GET", "/api/v1/x", {Scope::kAdmin, false, true}, noop}));
  EXPECT_FALSE(PolicyCovers({"GET", "/api/v1/x", {static_cast<Scope>(99)}, noop}));
  EXPECT_FALSE(PolicyCovers({"BREW", "/api/v1/x", {Scope::kAdmin}, noop}));
  EXPECT_FALSE(PolicyCovers({"GET", "/api/v1/x", {Scope::kAdmin}, nullptr}));
}

TEST(PolicyCoversTest, EveryServerRouteHasAPolicy) {
  const auto routes = ServerRoutes(AuthOptions());
  EXPECT_GE(routes.size(), 20u);
  std::set<std::string> seen;
  for (const Route& r : routes) {
    EXPECT_TRUE(PolicyCovers(r)) << r.method << " " << r.pattern;
    EXPECT_TRUE(seen.insert(r.method + " " + r.pattern).second) << "duplicate " << r.pattern;
  }
}

// Who sees which targets (the fixture's school).
class PolicyMatrixTest : public AuthServerTest {
 protected:
  const std::vector<std::string> kCallers = {"",        "client",    "admin",    "researcher",
                                             "leaderA", "leaderD",   "teacherA", "teacherB",
                                             "studentA1", "guardianA"};
  static constexpr Id kMissing = 999'999;

  std::set<Id> Students(const std::string& who) {
    if (who == "admin" || who == "leaderD") return {a1_, a2_, a3_, b1_, b2_};
    if (who == "leaderA") return {a1_, a2_, a3_};
    if (who == "teacherA") return {a1_, a2_};
    if (who == "teacherB") return {b1_, b2_};
    if (who == "studentA1" || who == "guardianA") return {a1_};
    return {};
  }
  std::set<Id> Classes(const std::string& who) {
    if (who == "admin" || who == "leaderD") return {class_a1_, class_a2_, class_b1_};
    if (who == "leaderA") return {class_a1_, class_a2_};
    if (who == "teacherA" || who == "studentA1" || who == "guardianA") return {class_a1_};
    if (who == "teacherB") return {class_b1_};
    return {};
  }
  std::set<Id> Orgs(const std::string& who) {
    if (who == "admin" || who == "leaderD") return {district_, school_a_, school_b_};
    if (who == "teacherB") return {district_, school_b_};
    if (who == "researcher" || who == "client" || who.empty()) return {};
    return {district_, school_a_};
  }
  bool Human(const std::string& who) { return !who.empty() && who != "client"; }

  // The targets a route is tried on.
  std::vector<Id> Targets(const Route& r) {
    if (r.pattern.find("(\\d+)") == std::string::npos) return {kNoId};
    if (r.pattern.starts_with("/api/v1/students/")) return {a1_, a2_, a3_, b1_, kMissing};
    if (r.pattern.starts_with("/api/v1/classes/")) {
      return {class_a1_, class_a2_, class_b1_, kMissing};
    }
    if (r.pattern.starts_with("/api/v1/orgs/")) {
      return {district_, school_a_, school_b_, kMissing};
    }
    if (r.pattern.starts_with("/api/v1/frameworks/")) return {framework_};
    if (r.pattern.starts_with("/api/v1/competencies/")) return {competency_};
    ADD_FAILURE() << "no targets known for " << r.pattern;
    return {};
  }

  // The expected status; nullopt: not run here (it would end the caller's session or delete
  // the fixture), named in `elsewhere`.
  std::optional<int> Expected(const Route& r, const std::string& who, Id target) {
    const std::string key = r.method + " " + r.pattern;
    const Scope scope = r.access.scope;
    if (scope == Scope::kPublic) {
      if (key == "GET /api/v1/health") return 200;
      if (key == "POST /api/v1/auth/login") return 400;  // the matrix posts "{}"
      if (key == "GET /xapi/about") return 200;
    }
    if (who.empty()) return 401;
    if (key == "POST /api/v1/auth/logout" || key == "POST /api/v1/auth/logout-all") {
      if (who == "client") return 400;
      return std::nullopt;  // AuthTest.LogoutEndsTheSession / LogoutAllEndsEverySession
    }
    // An xapi client passes the policy on kXapi routes; the matrix sends no
    // X-Experience-API-Version header, so the resource then answers 400 (xapi_*_test.cc).
    if (who == "client") return scope == Scope::kSelf ? 200 : scope == Scope::kXapi ? 400 : 403;
    const bool admin = who == "admin";
    // The matrix posts "{}", which is no file of any import kind (import_routes_test.cc).
    if (r.pattern.starts_with("/api/v1/admin/imports/")) return admin ? 400 : 403;
    // Learner-profile routes whose handlers narrow the scope by role (routes_profile.cc).
    if (key == R"(POST /api/v1/students/(\d+)/mastery/(\d+)/override)") {
      if (who == "researcher") return 403;
      if (!Students(who).count(target)) return 404;
      if (!admin && !who.starts_with("teacher")) return 403;
      return 400;  // the matrix posts "{}": the state is missing
    }
    if (key == R"(GET /api/v1/classes/(\d+)/flags)") {
      if (who == "researcher") return 403;
      if (!Classes(who).count(target)) return 404;
      return who == "studentA1" || who == "guardianA" ? 403 : 200;
    }
    switch (scope) {
      case Scope::kPublic:
        break;
      case Scope::kSelf:
      case Scope::kFramework:
        return 200;
      case Scope::kXapi:
        return 403;
      case Scope::kAdmin:
        if (!admin) return 403;
        if (r.method == "DELETE") return std::nullopt;  // PrivacyTest.DeleteStudent...
        return target == kMissing ? 404 : 200;
      case Scope::kResearch:
        return admin || who == "researcher" ? 200 : 403;
      case Scope::kDirectory:
        return who == "researcher" ? 403 : 200;
      case Scope::kOrg:
        if (who == "researcher") return 403;
        if (admin && target == kMissing) return 404;
        return Orgs(who).count(target) ? 200 : 403;
      case Scope::kClass:
        if (who == "researcher") return 403;
        return Classes(who).count(target) ? 200 : 404;
      case Scope::kStudent:
        if (who == "researcher") return 403;
        return Students(who).count(target) ? 200 : 404;
    }
    ADD_FAILURE() << "no expectation for " << key;
    return 0;
  }
};

TEST_F(PolicyMatrixTest, EveryRoleRouteAndTargetAnswersAsSpecified) {
  int checked = 0;
  std::set<std::string> exercised;
  for (const Route& r : served_.server().routes()) {
    for (Id target : Targets(r)) {
      std::string path = r.pattern;
      if (const auto at = path.find(R"((\d+))"); at != std::string::npos) {
        path.replace(at, 5, std::to_string(target));
      }
      // A second id (the competency of a mastery override) is the fixture's competency.
      if (const auto at = path.find(R"((\d+))"); at != std::string::npos) {
        path.replace(at, 5, std::to_string(competency_));
      }
      for (const std::string& who : kCallers) {
        std::optional<int> want = Expected(r, who, target);
        if (!want) continue;
        std::string body;
        const int got = Code(r.method, path, who, &body);
        EXPECT_EQ(got, *want) << r.method << " " << path << " as '" << who << "': " << body;
        exercised.insert(r.method + " " + r.pattern);
        ++checked;
      }
    }
  }
  EXPECT_EQ(exercised.size(), served_.server().routes().size()) << "a route was never exercised";
  EXPECT_GT(checked, 400);
}

TEST_F(PolicyMatrixTest, HiddenStudentsLookExactlyLikeMissingOnes) {
  std::string hidden, missing;
  EXPECT_EQ(Code("GET", "/api/v1/students/" + std::to_string(b1_), "teacherA", &hidden), 404);
  EXPECT_EQ(Code("GET", "/api/v1/students/" + std::to_string(kMissing), "teacherA", &missing),
            404);
  EXPECT_EQ(json::parse(hidden)["error"]["message"],
            "student " + std::to_string(b1_) + " not found");
  EXPECT_EQ(json::parse(missing)["error"]["message"],
            "student " + std::to_string(kMissing) + " not found");
  EXPECT_EQ(Code("GET", "/api/v1/classes/" + std::to_string(class_b1_), "guardianA", &hidden),
            404);
  EXPECT_EQ(json::parse(hidden)["error"]["message"],
            "class " + std::to_string(class_b1_) + " does not exist");
}

TEST_F(PolicyMatrixTest, ListEndpointsShowExactlyTheCallersScopeOnEveryPage) {
  for (const std::string& who : kCallers) {
    if (!Human(who) || who == "researcher") continue;
    for (int limit : {1, 2, 100}) {
      EXPECT_EQ(AllPages("/api/v1/students", who, limit), Students(who))
          << who << " limit " << limit;
    }
    // Filters narrow within the scope, never widen it.
    std::set<Id> in_a;
    for (Id s : Students(who)) {
      if (s == a1_ || s == a2_ || s == a3_) in_a.insert(s);
    }
    EXPECT_EQ(AllPages("/api/v1/students?org_id=" + std::to_string(school_a_), who, 1), in_a)
        << who;
    std::set<Id> in_a1;
    for (Id s : Students(who)) {
      if (s == a1_ || s == a2_) in_a1.insert(s);
    }
    EXPECT_EQ(AllPages("/api/v1/students?class_id=" + std::to_string(class_a1_), who, 1), in_a1)
        << who;
    if (Classes(who).count(class_a1_)) {
      EXPECT_EQ(AllPages("/api/v1/classes/" + std::to_string(class_a1_) + "/students", who, 1),
                in_a1)
          << who;
    }
    std::set<Id> classes, orgs;
    const json class_list = GetJson("/api/v1/classes", who);
    const json org_list = GetJson("/api/v1/orgs", who);
    for (const json& c : class_list["items"]) classes.insert(c["id"].get<Id>());
    for (const json& o : org_list["items"]) orgs.insert(o["id"].get<Id>());
    EXPECT_EQ(classes, Classes(who)) << who;
    EXPECT_EQ(orgs, Orgs(who)) << who;
  }
}

TEST_F(PolicyMatrixTest, ReachFunctionsAgreeWithTheTable) {
  auto principal = [&](const std::string& login) {
    auto p = PrincipalForToken(*store_, tokens_.at(login), clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  };
  auto reach = ReachOf(*store_, principal("teacherA"));
  PW_ASSERT_OK(reach);
  EXPECT_EQ(reach->student_ids, (std::vector<Id>{a1_, a2_}));
  EXPECT_EQ(reach->class_ids, (std::vector<Id>{class_a1_}));
  EXPECT_FALSE(reach->all);
  auto leader = ReachOf(*store_, principal("leaderD"));
  PW_ASSERT_OK(leader);
  EXPECT_EQ(leader->org_ids, (std::vector<Id>{district_, school_a_, school_b_}));
  EXPECT_TRUE(*CanSeeStudent(*store_, *leader, b2_));
  EXPECT_FALSE(*CanSeeStudent(*store_, *leader, t_b_)) << "a teacher is not a student";
  EXPECT_FALSE(*CanSeeStudent(*store_, *leader, kMissing));
  auto researcher = ReachOf(*store_, principal("researcher"));
  PW_ASSERT_OK(researcher);
  EXPECT_TRUE(researcher->student_ids.empty() && researcher->org_ids.empty() && !researcher->all);
}

}  // namespace
}  // namespace pw::server
