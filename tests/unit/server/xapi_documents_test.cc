// The document resources over real HTTP: ETags, If-Match / If-None-Match, 409/412, POST
// merge, the id list with `since`, and /agents, /activities.
#include "server/xapi_http.h"
#include "xapi_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

TEST_P(XapiServerTest, ActivityProfileConcurrency) {
  auto c = Client();
  const std::string path = "/xapi/activities/profile?activityId=" + Q(kActivity) + "&profileId=p1";
  // Creating a profile needs If-None-Match: * (or If-Match).
  auto bare = c.Put(path, R"({"a":1})", "application/json");
  EXPECT_EQ(bare->status, 400);
  httplib::Headers create = {{"If-None-Match", "*"}};
  EXPECT_EQ(c.Put(path, create, R"({"a":1})", "application/json")->status, 204);
  auto g = c.Get(path);
  ASSERT_EQ(g->status, 200);
  EXPECT_EQ(g->body, R"({"a":1})");
  const std::string etag = g->get_header_value("ETag");
  EXPECT_EQ(etag, "\"" + xapi_http::Sha1Hex(R"({"a":1})") + "\"");
  // Overwriting needs a precondition.
  EXPECT_EQ(c.Put(path, R"({"a":2})", "application/json")->status, 409);
  httplib::Headers wrong = {{"If-Match", "\"0000\""}};
  EXPECT_EQ(c.Put(path, wrong, R"({"a":2})", "application/json")->status, 412);
  httplib::Headers none = {{"If-None-Match", "*"}};
  EXPECT_EQ(c.Put(path, none, R"({"a":2})", "application/json")->status, 412);
  httplib::Headers right = {{"If-Match", etag}};
  EXPECT_EQ(c.Put(path, right, R"({"a":2})", "application/json")->status, 204);
  EXPECT_EQ(c.Get(path)->body, R"({"a":2})");
  EXPECT_EQ(c.Delete(path)->status, 204);
  EXPECT_EQ(c.Get(path)->status, 404);
}

TEST_P(XapiServerTest, StatePostMergesAndListsIds) {
  auto c = Client();
  const std::string base = "/xapi/activities/state?activityId=" + Q(kActivity) +
                           "&agent=" + Q(R"({"mbox":"mailto:ada@school.example"})");
  EXPECT_EQ(c.Post(base + "&stateId=s1", R"({"x":1,"y":1})", "application/json")->status, 204);
  EXPECT_EQ(c.Post(base + "&stateId=s1", R"({"y":2,"z":3})", "application/json")->status, 204);
  EXPECT_EQ(json::parse(c.Get(base + "&stateId=s1")->body), json({{"x", 1}, {"y", 2}, {"z", 3}}));
  EXPECT_EQ(c.Put(base + "&stateId=s2", "plain text", "text/plain")->status, 204);
  EXPECT_EQ(c.Post(base + "&stateId=s2", R"({"a":1})", "application/json")->status, 400);
  EXPECT_EQ(json::parse(c.Get(base)->body), json({"s1", "s2"}));
  EXPECT_EQ(json::parse(c.Get(base + "&since=" + Q("2999-01-01T00:00:00Z"))->body), json::array());
  EXPECT_EQ(c.Get(base + "&stateId=s2")->get_header_value("Content-Type"), "text/plain");
  EXPECT_EQ(c.Delete(base)->status, 204);
  EXPECT_EQ(json::parse(c.Get(base)->body), json::array());
  // The agent is required and must be an Agent.
  EXPECT_EQ(c.Get("/xapi/activities/state?activityId=" + Q(kActivity))->status, 400);
}

TEST_P(XapiServerTest, AgentProfileAgentsAndActivities) {
  auto c = Client();
  const std::string agent = Q(R"({"mbox":"mailto:ada@school.example","name":"Ada"})");
  EXPECT_EQ(c.Put("/xapi/agents/profile?agent=" + agent + "&profileId=prefs",
                  {{"If-None-Match", "*"}}, R"({"theme":"dark"})", "application/json")
                ->status,
            204);
  EXPECT_EQ(json::parse(c.Get("/xapi/agents/profile?agent=" + agent)->body), json({"prefs"}));
  json person = json::parse(c.Get("/xapi/agents?agent=" + agent)->body);
  EXPECT_EQ(person["objectType"], "Person");
  EXPECT_EQ(person["mbox"], json({"mailto:ada@school.example"}));
  json s = Statement();
  s["object"]["definition"] = {{"name", {{"en-US", "Fractions 1"}}}};
  ASSERT_EQ(c.Post("/xapi/statements", s.dump(), "application/json")->status, 200);
  json activity = json::parse(c.Get("/xapi/activities?activityId=" + Q(kActivity))->body);
  EXPECT_EQ(activity["definition"]["name"]["en-US"], "Fractions 1");
}

}  // namespace
}  // namespace pw::server
