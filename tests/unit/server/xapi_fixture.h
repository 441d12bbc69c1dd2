// A real Pathwise server (ApiServer + RolePolicy + every route) on a real SQLite file or a real
// PostgreSQL database (each TEST_P runs on both; PostgreSQL is skipped where it is not
// installed), with one xAPI API client, one student (ada@school.example, sourcedId "s-ada"), and one activity
// (https://pathwise.example/activities/frac-1) aligned to one competency. Shared by the xAPI
// server tests.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/api.h"
#include "server/auth.h"
#include "server/policy.h"
#include "server/serve.h"
#include "store/store.h"
#include "store/xapi_store.h"
#include "testing/test_util.h"
#include "unit/server/served.h"
#include "unit/store/fixture.h"

namespace pw::server {

class XapiServerTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  using json = nlohmann::json;
  static constexpr const char* kActivity = "https://pathwise.example/activities/frac-1";

  void SetUp() override {
    PW_ASSERT_OK(InitCrypto());
    if (GetParam() == testing::Backend::kPostgres) {
      PW_PG_DATABASE_OR_SKIP(url_);
    } else {
      url_ = "sqlite:" + dir_.File("lrs.db");
    }
    auto opened = OpenStore(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
    Org school{0, "sch", "School", OrgType::kSchool, kNoId};
    PW_ASSERT_OK(store_->PutOrg(school));
    Person ada;
    ada.source_id = "s-ada";
    ada.given_name = "Ada";
    ada.family_name = "L";
    ada.role = Role::kStudent;
    ada.email = "ada@school.example";
    ada.grade = "6";
    ada.org_id = school.id;
    PW_ASSERT_OK(store_->PutPerson(ada));
    student_ = ada.id;
    Framework fw{0, "fw", "Math", "math", "test"};
    PW_ASSERT_OK(store_->PutFramework(fw));
    Competency c;
    c.framework_id = fw.id;
    c.code = "6.NS.1";
    c.statement = "Divide fractions";
    PW_ASSERT_OK(store_->PutCompetency(c));
    competency_ = c.id;
    Activity a;
    a.source_id = kActivity;
    a.title = "Fractions 1";
    a.competencies = {c.id};
    PW_ASSERT_OK(store_->PutActivity(a));
    activity_ = a.id;
    auto client = CreateClient(*store_, "Math app", "xapi", clock_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    key_ = client->record.key;
    secret_ = client->secret;

    AuthOptions auth;
    auth.password_cost = PasswordCost::Minimum();
    served_.Start(url_, clock_, auth);
  }

  void TearDown() override { served_.Stop(); }

  bool OnPostgres() const { return GetParam() == testing::Backend::kPostgres; }

  httplib::Client Client(bool auth = true) {
    httplib::Client c("127.0.0.1", served_.port());
    if (auth) c.set_basic_auth(key_, secret_);
    c.set_default_headers({{"X-Experience-API-Version", "1.0.3"}});
    return c;
  }

  static json Statement(const std::string& verb = "answered", bool success = true,
                        const std::string& mbox = "mailto:ada@school.example") {
    return json{{"actor", {{"objectType", "Agent"}, {"mbox", mbox}}},
                {"verb", {{"id", "http://adlnet.gov/expapi/verbs/" + verb},
                          {"display", {{"en-US", verb}}}}},
                {"object", {{"objectType", "Activity"}, {"id", kActivity}}},
                {"result", {{"success", success}}}};
  }

  // A batch (JSON text) of 300 statements whose activity object's definition is named `name`.
  static std::string NamedDefinitionBatch(const std::string& name) {
    json batch = json::array();
    for (int i = 0; i < 300; ++i) {
      json s = Statement();
      s["object"]["definition"] = {{"name", {{"en-US", name}}}};
      batch.push_back(s);
    }
    return batch.dump();
  }

  static std::string Q(const std::string& text) { return httplib::detail::encode_query_param(text); }

  XapiStore& Lrs() { return *store_->xapi(); }

  testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
  SystemClock clock_;
  ServedStore served_;
  std::string key_, secret_;
  Id student_ = kNoId, competency_ = kNoId, activity_ = kNoId;
};

}  // namespace pw::server
