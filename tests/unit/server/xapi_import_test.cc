// `pathwise import xapi FILE`: the same path as POST /xapi/statements, from a JSON-lines file or
// a JSON array, all or nothing, with errors that name the file, line and field.
#include "testing/cli_runner.h"
#include "xapi_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;
using testing::RunPathwise;

TEST_P(XapiServerTest, ImportJsonLinesMapsEvidenceAndReportsTheRest) {
  const std::string file = dir_.File("statements.jsonl");
  testing::WriteFile(file, Statement("passed").dump() + "\n\n" + Statement("experienced").dump() +
                               "\n");
  auto r = RunPathwise({"import", "xapi", file, "--db", url_});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "imported 2 statements (2 new): 1 evidence events; 1 did not map\n"
            "  verb: http://adlnet.gov/expapi/verbs/experienced is not an evidence verb (1)\n");
  auto evidence = store_->ListEvidence({.student_id = student_}, {});
  ASSERT_EQ(evidence->items.size(), 1u);
  EXPECT_EQ(evidence->items[0].source_system, "xapi:import");
  EXPECT_EQ(evidence->items[0].kind, OutcomeKind::kCorrect);
}

TEST_P(XapiServerTest, ImportIsAllOrNothingAndNamesTheLine) {
  const std::string file = dir_.File("bad.jsonl");
  json bad = Statement();
  bad["result"]["score"] = {{"scaled", 2}};
  testing::WriteFile(file, Statement().dump() + "\n" + bad.dump() + "\n");
  auto r = RunPathwise({"import", "xapi", file, "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + file +
                       ":2: statement.result.score.scaled: must be between -1 and 1, got 2\n");
  EXPECT_EQ(*Lrs().LastSeq(), 0);
  const std::string array = dir_.File("bad.json");
  testing::WriteFile(array, json::array({Statement(), bad}).dump());
  r = RunPathwise({"import", "xapi", array, "--db", url_});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + array +
                       ": statements[1].result.score.scaled: must be between -1 and 1, got 2\n");
  EXPECT_EQ(*store_->CountEvidence({}), 0);
}

TEST_P(XapiServerTest, ImportedArrayIsQueryableOverHttp) {
  const std::string file = dir_.File("ok.json");
  json s = Statement();
  s["id"] = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  s["object"]["id"] = std::string("urn:pathwise:activity:") + kActivity;
  testing::WriteFile(file, json::array({s}).dump());
  auto r = RunPathwise({"import", "xapi", file, "--db", url_, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["evidence"], 1);
  auto g = Client().Get("/xapi/statements?statementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
  ASSERT_EQ(g->status, 200);
  EXPECT_EQ(json::parse(g->body)["authority"]["account"]["homePage"], "urn:pathwise:import");
}

}  // namespace
}  // namespace pw::server
