#include "server/api.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "server/demo_seed.h"
#include "testing/test_util.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

// A small demo school in a real SQLite file, served on a free loopback port.
class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    url_ = "sqlite:" + dir_->File("api.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    DemoOptions demo;
    demo.students = 30;
    demo.classes = 2;
    demo.weeks = 1;
    auto framework =
        ReadFrameworkFile((testing::SourceDir() / "data/frameworks/ccss-math-5-7.json").string());
    ASSERT_TRUE(framework.ok()) << framework.status().ToString();
    auto summary = SeedDemo(**store, *framework, demo);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_EQ(summary->students, 30);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    auto pool = StorePool::Open(url_, 4);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    pool_ = std::move(*pool);
    ServerOptions options;
    options.port = 0;
    options.threads = 4;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<ApiServer>(options, *pool_, clock_, std::make_unique<OpenPolicy>());
    server_->AddRoutes(ReadRoutes());
    // A write route only to exercise body limits and JSON parsing.
    server_->AddRoutes({{"POST", "/api/v1/echo", {Scope::kAdmin, true},
                         [](const ApiRequest& req) -> Result<json> { return req.JsonBody(); }}});
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { server_->Serve().IgnoreError(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  // GET path; expects `status`; returns the JSON body.
  json Get(const std::string& path, int status = 200) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << path << " " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return json::parse(res->body);
  }

  static testing::TempDir* dir_;
  static std::string url_;
  FixedClock clock_{Timestamp{1'790'000'000'000}};
  std::unique_ptr<StorePool> pool_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

testing::TempDir* ApiTest::dir_ = nullptr;
std::string ApiTest::url_;

TEST_F(ApiTest, Health) {
  json h = Get("/api/v1/health");
  EXPECT_EQ(h["status"], "ok");
  EXPECT_GE(h["schema_version"].get<int>(), 1);
  EXPECT_EQ(h["time"], FormatTimestamp(clock_.Now()));
}

TEST_F(ApiTest, StudentsPageThroughWithoutLossOrRepeat) {
  std::set<Id> seen;
  std::string path = "/api/v1/students?limit=7";
  int pages = 0;
  while (true) {
    json page = Get(path);
    for (const json& s : page["items"]) {
      EXPECT_EQ(s["role"], "student");
      EXPECT_TRUE(seen.insert(s["id"].get<Id>()).second) << "student repeated across pages";
    }
    ++pages;
    if (page["next_after"].is_null()) break;
    path = "/api/v1/students?limit=7&after=" + std::to_string(page["next_after"].get<Id>());
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(pages, 5);
}

TEST_F(ApiTest, ClassesAndTheirStudents) {
  json classes = Get("/api/v1/classes")["items"];
  ASSERT_EQ(classes.size(), 2u);
  Id class_id = classes[0]["id"];
  json cls = Get("/api/v1/classes/" + std::to_string(class_id));
  EXPECT_EQ(cls["teacher_ids"].size(), 1u);
  EXPECT_EQ(cls["student_count"], 15);
  json students = Get("/api/v1/classes/" + std::to_string(class_id) + "/students?limit=100");
  EXPECT_EQ(students["items"].size(), 15u);
}

TEST_F(ApiTest, StudentAndEvidence) {
  json first = Get("/api/v1/students?limit=1")["items"][0];
  std::string base = "/api/v1/students/" + std::to_string(first["id"].get<Id>());
  EXPECT_EQ(Get(base)["id"], first["id"]);
  json ev = Get(base + "/evidence?limit=5");
  ASSERT_FALSE(ev["items"].empty());
  for (const json& e : ev["items"]) {
    EXPECT_EQ(e["student_id"], first["id"]);
    EXPECT_EQ(e["source_system"], "pathwise-sim");
  }
  // A time window excludes everything before it.
  json later = Get(base + "/evidence?since=2100-01-01T00:00:00Z");
  EXPECT_TRUE(later["items"].empty());
}

TEST_F(ApiTest, FrameworkWithCompetenciesAndEdges) {
  json fws = Get("/api/v1/frameworks")["items"];
  ASSERT_EQ(fws.size(), 1u);
  json fw = Get("/api/v1/frameworks/" + std::to_string(fws[0]["id"].get<Id>()));
  EXPECT_EQ(fw["competencies"].size(), 79u);
  EXPECT_GE(fw["edges"].size(), 108u);
  Id cid = fw["competencies"][0]["id"];
  EXPECT_EQ(Get("/api/v1/competencies/" + std::to_string(cid))["code"], fw["competencies"][0]["code"]);
  bool found = false;
  for (const json& c : fw["competencies"]) found |= c["code"] == "6.EE.A.2";
  EXPECT_TRUE(found);
}

TEST_F(ApiTest, ErrorsHaveTheDocumentedShape) {
  json e = Get("/api/v1/students/999999", 404);
  EXPECT_EQ(e["error"]["code"], "not_found");
  EXPECT_EQ(e["error"]["message"], "student 999999 not found");
  e = Get("/api/v1/students?limit=0", 400);
  EXPECT_EQ(e["error"]["code"], "invalid_argument");
  EXPECT_EQ(e["error"]["message"], "query parameter limit: must be between 1 and 1000, got 0");
  e = Get("/api/v1/students?after=abc", 400);
  EXPECT_EQ(e["error"]["message"], "query parameter after: expected an integer, got \"abc\"");
  e = Get("/api/v1/nothing-here", 404);
  EXPECT_EQ(e["error"]["message"], "no such endpoint: GET /api/v1/nothing-here");
  e = Get("/api/v1/students/1/evidence?since=yesterday", 400);
  EXPECT_EQ(e["error"]["code"], "invalid_argument");
}

TEST_F(ApiTest, BodyLimitsAndJsonDepth) {
  auto res = client_->Post("/api/v1/echo", std::string(2048, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "resource_exhausted");
  res = client_->Post("/api/v1/echo", std::string(100, '[') + std::string(100, ']'),
                      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"]["message"],
            "request body: JSON nested deeper than 64 levels");
  res = client_->Post("/api/v1/echo", "{\"a\":[1,2]}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["a"][1], 2);
}

TEST_F(ApiTest, EveryRouteDeclaresItsAccess) {
  for (const Route& r : server_->routes()) {
    EXPECT_FALSE(r.method.empty());
    EXPECT_TRUE(r.handler) << r.pattern;
    if (r.pattern.rfind("/api/v1/students/", 0) == 0) {
      EXPECT_EQ(r.access.scope, Scope::kStudent) << r.pattern;
    }
  }
}

}  // namespace
}  // namespace pw::server
