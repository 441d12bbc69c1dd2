#include "ingest/xapi_statement.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pw::xapi {
namespace {

using json = nlohmann::json;

json Good() {
  return json::parse(R"({
    "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@school.example"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {"id": "https://pathwise.example/activities/frac-1",
               "definition": {"name": {"en-US": "Fractions 1", "fr": "Fractions 1"}}},
    "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": true,
               "duration": "PT1M30S"},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "contextActivities": {"parent": {"id": "https://pathwise.example/units/u1"}},
                "platform": "app"},
    "timestamp": "2026-09-01T08:30:00.123Z"
  })");
}

std::string Error(const json& s) {
  Status st = ValidateStatement(s, "statement");
  return st.ok() ? "ok" : st.message();
}

TEST(XapiStatement, AcceptsAFullStatement) { EXPECT_EQ(Error(Good()), "ok"); }

TEST(XapiStatement, NamesTheFieldAndWhatWasExpected) {
  json s = Good();
  s["actor"]["mbox"] = "ada@school.example";
  EXPECT_EQ(Error(s),
            "statement.actor.mbox: expected an IRI of the form \"mailto:name@host\", got "
            "\"ada@school.example\"");
  s = Good();
  s["result"]["score"]["scaled"] = 1.5;
  EXPECT_EQ(Error(s), "statement.result.score.scaled: must be between -1 and 1, got 1.5");
  s = Good();
  s["verb"]["id"] = "answered";
  EXPECT_EQ(Error(s),
            "statement.verb.id: expected an IRI with a scheme (such as \"http://...\"), got "
            "\"answered\"");
  s = Good();
  s.erase("verb");
  EXPECT_EQ(Error(s), "statement: verb is required");
  s = Good();
  s["verb"]["display"] = {{"not a tag", "x"}};
  EXPECT_EQ(Error(s), "statement.verb.display: \"not a tag\" is not an RFC 5646 language tag");
  s = Good();
  s["actor"]["mbox_sha1sum"] = "ebd31e95054c018b10727ccffd2ef2ec3a016ee9";
  EXPECT_EQ(Error(s),
            "statement.actor: an Agent needs exactly one of mbox, mbox_sha1sum, openid, account "
            "(found 2)");
  s = Good();
  s["extra"] = 1;
  EXPECT_EQ(Error(s), "statement: unknown property \"extra\"");
  s = Good();
  s["result"]["duration"] = "90 seconds";
  EXPECT_EQ(Error(s),
            "statement.result.duration: expected an ISO 8601 duration such as \"PT1M30S\", got "
            "\"90 seconds\"");
  s = Good();
  s["timestamp"] = "2026-09-01T08:30:00-00:00";
  EXPECT_EQ(Error(s),
            "statement.timestamp: expected an ISO 8601 timestamp with a time zone, got "
            "\"2026-09-01T08:30:00-00:00\"");
  s = Good();
  s["result"]["score"]["raw"] = 11;
  EXPECT_EQ(Error(s), "statement.result.score: raw 11 is above max 10");
}

TEST(XapiStatement, ContextRulesDependOnTheObject) {
  json s = Good();
  s["object"] = {{"objectType", "Agent"}, {"mbox", "mailto:b@x.org"}};
  EXPECT_EQ(Error(s),
            "statement.context.platform: allowed only when the statement's object is an Activity");
}

TEST(XapiStatement, GroupsAndSubStatements) {
  json s = Good();
  s["actor"] = {{"objectType", "Group"}, {"member", json::array()}};
  EXPECT_EQ(Error(s), "statement.actor: an anonymous Group needs at least one member");
  s["actor"]["member"].push_back({{"objectType", "Group"}, {"mbox", "mailto:g@x.org"}});
  EXPECT_EQ(Error(s), "statement.actor.member[0]: a Group member must be an Agent, not a Group");
  s = Good();
  s.erase("context");
  s["object"] = {{"objectType", "SubStatement"},
                 {"actor", {{"mbox", "mailto:b@x.org"}}},
                 {"verb", {{"id", "http://example.com/v"}}},
                 {"object", {{"objectType", "SubStatement"}}}};
  EXPECT_EQ(Error(s), "statement.object.object: a SubStatement cannot contain a SubStatement");
  s["object"]["object"] = {{"id", "http://example.com/a"}};
  EXPECT_EQ(Error(s), "ok");
  s["object"]["id"] = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  EXPECT_EQ(Error(s), "statement.object: unknown property \"id\"");
}

TEST(XapiStatement, VoidingNeedsAStatementRef) {
  json s = Good();
  s["verb"]["id"] = std::string(kVoidedVerb);
  EXPECT_EQ(Error(s),
            "statement.object: a voiding statement (verb voided) needs a StatementRef object");
}

TEST(XapiTypes, DataTypes) {
  EXPECT_TRUE(IsUuid("ec531277-b57b-4c15-8d91-d292c5b2b8f7"));
  EXPECT_FALSE(IsUuid("ec531277b57b4c158d91d292c5b2b8f7"));
  EXPECT_TRUE(IsIri("urn:x"));
  EXPECT_FALSE(IsIri("no scheme"));
  EXPECT_TRUE(IsLanguageTag("en-US"));
  EXPECT_TRUE(IsLanguageTag("zh-Hant-TW"));
  EXPECT_FALSE(IsLanguageTag("en_US"));
  EXPECT_FALSE(IsLanguageTag("e"));
  EXPECT_TRUE(IsDuration("P1Y2M3DT4H5M6.5S"));
  EXPECT_TRUE(IsDuration("PT0S"));
  EXPECT_TRUE(IsDuration("P4W"));
  EXPECT_FALSE(IsDuration("PT"));
  EXPECT_FALSE(IsDuration("P1S"));
  EXPECT_FALSE(IsDuration("PT1.5M2S"));
  EXPECT_DOUBLE_EQ(*DurationSeconds("PT1M30S"), 90);
  EXPECT_DOUBLE_EQ(*DurationSeconds("P1DT0.5S"), 86400.5);
  EXPECT_DOUBLE_EQ(*DurationSeconds("P4W"), 4 * 7 * 86400);
  EXPECT_DOUBLE_EQ(*DurationSeconds("P1Y2M"), (365 + 60) * 86400.0);
  EXPECT_DOUBLE_EQ(*DurationSeconds("PT1H0,25M"), 3615);
  EXPECT_FALSE(DurationSeconds("PT1.5M2S"));
  EXPECT_FALSE(DurationSeconds("P4W1D"));
  EXPECT_EQ(ParseXapiTimestamp("2026-09-01T10:30:00.5+02:00")->millis,
            ParseXapiTimestamp("2026-09-01T08:30:00.500Z")->millis);
  EXPECT_FALSE(ParseXapiTimestamp("2026-02-30T08:30:00Z"));
  EXPECT_FALSE(ParseXapiTimestamp("2026-09-01 08:30:00Z"));
}

TEST(XapiTypes, AgentKeysAndRelations) {
  json s = Good();
  EXPECT_EQ(AgentKey(s["actor"]), "mbox:mailto:ada@school.example");
  s["context"]["instructor"] = {{"account", {{"homePage", "https://sis.example"}, {"name", "t-1"}}}};
  EXPECT_EQ(RelatedAgentKeys(s), (std::vector<std::string>{"account:https://sis.example t-1",
                                                            "mbox:mailto:ada@school.example"}));
  EXPECT_EQ(RelatedActivityIds(s),
            (std::vector<std::string>{"https://pathwise.example/activities/frac-1",
                                      "https://pathwise.example/units/u1"}));
}

TEST(XapiFormats, IdsAndCanonical) {
  json s = Good();
  json ids = IdsFormat(s);
  EXPECT_EQ(ids["actor"], json({{"objectType", "Agent"}, {"mbox", "mailto:ada@school.example"}}));
  EXPECT_EQ(ids["object"], json({{"id", "https://pathwise.example/activities/frac-1"}}));
  EXPECT_EQ(ids["verb"], json({{"id", "http://adlnet.gov/expapi/verbs/answered"}}));
  json canon = CanonicalFormat(s, {"fr"});
  EXPECT_EQ(canon["object"]["definition"]["name"], json({{"fr", "Fractions 1"}}));
  EXPECT_EQ(canon["verb"]["display"], json({{"en-US", "answered"}}));
}

}  // namespace
}  // namespace pw::xapi
