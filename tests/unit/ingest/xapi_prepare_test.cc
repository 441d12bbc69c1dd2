// The bulk path (simdjson views) against the nlohmann path: the same verdicts, the same stored
// statement, row columns and mapping facts (xapi_prepare.h, json_view.h).
#include "ingest/xapi_prepare.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "ingest/xapi_statement.h"
#include "testing/test_util.h"

namespace pw::xapi {
namespace {

using json = nlohmann::json;

constexpr char kFull[] = R"({
  "actor": {"objectType": "Agent", "name": "Ada \"A\" L\u00f6velace\n", "mbox": "mailto:ada@school.example"},
  "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
  "object": {"id": "https://pathwise.example/activities/frac-1",
             "definition": {"name": {"en-US": "Fractions 1", "fr": "Fractions \u00e0 1"},
                            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                            "interactionType": "choice",
                            "choices": [{"id": "a", "description": {"en-US": "A"}}]}},
  "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10.0}, "success": true,
             "duration": "PT1M30S", "extensions": {"http://x.example/e": {"deep": [1, 2.5, -0, 1e3, null, false]}}},
  "context": {"registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7",
              "contextActivities": {"parent": {"id": "https://pathwise.example/units/u1"},
                                    "grouping": [{"id": "https://pathwise.example/courses/c1"}]},
              "instructor": {"mbox": "mailto:teacher@school.example"},
              "platform": "app"},
  "timestamp": "2026-09-01T08:30:00.123Z"
})";

struct Both {
  PreparedStatement bulk, general;
};

// Prepares `text` both ways (after asserting both call it valid).
Both PrepareBoth(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(text).get(e), simdjson::SUCCESS);
  const json n = json::parse(text);
  EXPECT_TRUE(IsValidStatement(json_view::SView(e)));
  EXPECT_EQ(ValidateStatement(n, "statement").message(), "");
  int next = 0;
  auto ids = [&] { return "aaaaaaaa-0000-4000-8000-00000000000" + std::to_string(next++); };
  const StatementCompletion c =
      MakeCompletion(Timestamp{1'788'000'000'000},
                     json{{"objectType", "Agent"},
                          {"account", {{"homePage", "urn:pathwise:client"}, {"name", "k"}}}},
                     ids);
  Both b{PrepareStatement(json_view::SView(e), c), {}};
  next = 0;
  b.general = PrepareStatement(n, c);
  return b;
}

void ExpectSame(const Both& b) {
  const XapiStatementRow& x = b.bulk.row;
  const XapiStatementRow& y = b.general.row;
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.actor_key, y.actor_key);
  EXPECT_EQ(x.object_agent_key, y.object_agent_key);
  EXPECT_EQ(x.verb_id, y.verb_id);
  EXPECT_EQ(x.object_activity, y.object_activity);
  EXPECT_EQ(x.registration, y.registration);
  EXPECT_EQ(x.voids, y.voids);
  EXPECT_EQ(x.object_ref, y.object_ref);
  EXPECT_EQ(x.related_agents, y.related_agents);
  EXPECT_EQ(x.related_activities, y.related_activities);
  EXPECT_EQ(json::parse(x.json), json::parse(y.json));
  EXPECT_EQ(b.bulk.facts.time, b.general.facts.time);
  EXPECT_EQ(b.bulk.facts.scaled, b.general.facts.scaled);
  EXPECT_EQ(b.bulk.facts.success, b.general.facts.success);
  EXPECT_EQ(b.bulk.facts.actor_mbox, b.general.facts.actor_mbox);
  EXPECT_EQ(b.bulk.had_timestamp, b.general.had_timestamp);
}

TEST(XapiPrepare, BothPathsStoreTheSameStatement) {
  const Both b = PrepareBoth(kFull);
  ExpectSame(b);
  const json stored = json::parse(b.bulk.row.json);
  // Completed by the LRS.
  EXPECT_EQ(stored["id"], "aaaaaaaa-0000-4000-8000-000000000000");
  EXPECT_EQ(stored["stored"], FormatTimestamp(Timestamp{1'788'000'000'000}));
  EXPECT_EQ(stored["version"], "1.0.0");
  EXPECT_EQ(stored["authority"]["account"]["name"], "k");
  EXPECT_EQ(stored["timestamp"], "2026-09-01T08:30:00.123Z");
  // A single context activity is stored as an array of one; arrays stay.
  EXPECT_EQ(stored["context"]["contextActivities"]["parent"],
            json::parse(R"([{"id": "https://pathwise.example/units/u1"}])"));
  EXPECT_EQ(stored["context"]["contextActivities"]["grouping"].size(), 1u);
  // Strings and numbers survive the writer.
  EXPECT_EQ(stored["actor"]["name"], "Ada \"A\" L\u00f6velace\n");
  EXPECT_EQ(stored["result"]["score"]["max"], 10.0);
  EXPECT_EQ(stored["result"]["extensions"]["http://x.example/e"]["deep"][3], 1000.0);
  // Row columns and facts.
  EXPECT_EQ(b.bulk.row.registration, "ec531277-b57b-4c15-8d91-d292c5b2b8f7");
  EXPECT_EQ(b.bulk.row.actor_key, "mbox:mailto:ada@school.example");
  EXPECT_EQ(
      b.bulk.row.related_agents,
      (std::vector<std::string>{"account:urn:pathwise:client k", "mbox:mailto:ada@school.example",
                                "mbox:mailto:teacher@school.example"}));
  EXPECT_EQ(b.bulk.row.related_activities,
            (std::vector<std::string>{"https://pathwise.example/activities/frac-1",
                                      "https://pathwise.example/courses/c1",
                                      "https://pathwise.example/units/u1"}));
  EXPECT_EQ(b.bulk.facts.scaled, 0.5);
  EXPECT_EQ(b.bulk.facts.raw, 5.0);
  EXPECT_EQ(b.bulk.facts.success, true);
  EXPECT_FALSE(b.bulk.activity_object.empty());
}

TEST(XapiPrepare, SubStatementsVoidingAndAgentObjects) {
  ExpectSame(PrepareBoth(R"({"id": "12345678-1234-4234-8234-123456789abc",
    "actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}, {"account": {"homePage": "https://x.org", "name": "b"}}]},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/planned"},
    "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@x.org"},
               "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
               "object": {"id": "https://x.org/a"},
               "context": {"contextActivities": {"category": {"id": "https://x.org/cat"}}}},
    "stored": "2020-01-01T00:00:00Z", "version": "1.0.3"})"));
  const Both v = PrepareBoth(R"({"actor": {"mbox": "mailto:a@x.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
    "object": {"objectType": "StatementRef", "id": "ABCDEF12-1234-4234-8234-123456789ABC"}})");
  ExpectSame(v);
  EXPECT_EQ(v.bulk.row.voids, "abcdef12-1234-4234-8234-123456789abc");
  EXPECT_EQ(v.bulk.facts.time, FormatTimestamp(Timestamp{1'788'000'000'000}));
  ExpectSame(PrepareBoth(R"({"actor": {"openid": "https://id.example/ada"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/mentored"},
    "object": {"objectType": "Agent", "mbox_sha1sum": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"},
    "result": {"score": {"scaled": 1}}})"));
}

// Every verdict the bulk path gives agrees with the general path; a repeated key (which
// nlohmann resolves to the last value) makes the bulk path decline.
TEST(XapiPrepare, VerdictsAgree) {
  const std::vector<std::string> texts = {
      kFull,
      R"({"actor": {"mbox": "ada@x"}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}, "result": {"score": {"scaled": 1.5}}})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}, "context": {"platform": "p"}, "objectType": "x"})",
      R"({"actor": {"mbox": "mailto:a@x.org", "name": null}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": {"id": "http://o.x"}})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "object": {"objectType": "Agent", "mbox": "mailto:b@x.org"}, "context": {"revision": "r"}})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}, "attachments": [{"usageType": "http://u.x", "display": {"en": "d"}, "contentType": "text/plain", "length": -0, "sha2": "ab"}]})",
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "object": {"id": "http://o.x"}, "timestamp": "2026-02-30T00:00:00Z"})",
      R"([1])",
      R"("x")",
  };
  for (const std::string& text : texts) {
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(text).get(e), simdjson::SUCCESS) << text;
    const bool bulk = IsValidStatement(json_view::SView(e));
    const bool general = ValidateStatement(json::parse(text), "statement").ok();
    EXPECT_EQ(bulk, general) << text;
  }
  const std::string repeated =
      R"({"actor": {"mbox": "mailto:a@x.org"}, "verb": {"id": "http://v.x/a"}, "verb": {"id": "http://v.x/b"}, "object": {"id": "http://o.x"}})";
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(repeated).get(e), simdjson::SUCCESS);
  EXPECT_FALSE(IsValidStatement(json_view::SView(e)));
  EXPECT_TRUE(ValidateStatement(json::parse(repeated), "statement").ok());
}

TEST(XapiPrepare, JsonStringsAreEscaped) {
  std::string out;
  AppendJsonString(std::string_view("a\"b\\c\n\x01\xc3\xa9", 9), &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  EXPECT_EQ(json::parse(out), std::string("a\"b\\c\n\x01\xc3\xa9"));
}

// The escaping scans 16 bytes at a time: every character that needs an escape, at every
// position of a block and across block ends, in strings of every length up to 70, comes out as
// nlohmann writes it (UTF-8 bytes and DEL pass through).
TEST(XapiPrepare, JsonStringsMatchNlohmannAtEveryPosition) {
  const std::string specials = std::string("\"\\\b\f\n\r\t\x01\x1f", 9) + std::string(1, '\0');
  const std::vector<std::string> units = {"a", "b", "\x7f", "\xc3\xa9", "x", "y", "z"};
  for (std::size_t len = 0; len <= 60; ++len) {
    for (std::size_t at = 0; at < std::max<std::size_t>(len, 1); ++at) {
      for (char special : specials) {
        std::string text;
        for (std::size_t i = 0; i < len; ++i) {
          text += i == at ? std::string(1, special) : units[i % units.size()];
        }
        std::string ours;
        AppendJsonString(text, &ours);
        ASSERT_EQ(ours, json(text).dump()) << "length " << len << " at " << at;
      }
    }
  }
  std::string key;
  AppendJsonKey("a\"b", false, &key);
  AppendJsonKey("c", true, &key);
  EXPECT_EQ(key, "\"a\\\"b\":,\"c\":");
}

}  // namespace
}  // namespace pw::xapi
