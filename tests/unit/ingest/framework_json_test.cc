#include "ingest/framework_json.h"

#include <gtest/gtest.h>

#include "core/competency_graph.h"
#include "testing/test_util.h"

namespace pw {
namespace {

TEST(FrameworkJsonTest, ReadsTheShippedFramework) {
  auto pkg = ReadFrameworkFile((testing::SourceDir() / "data/frameworks/ccss-math-5-7.json").string());
  ASSERT_TRUE(pkg.ok()) << pkg.status().ToString();
  EXPECT_EQ(pkg->competencies.size(), 79u);
  EXPECT_EQ(pkg->framework.source_id, "ccss-math-grades-5-7");
  EXPECT_NE(pkg->framework.attribution.find("Council of Chief State School Officers"),
            std::string::npos);
  int prerequisites = 0;
  bool found = false;
  for (const auto& e : pkg->edges) {
    prerequisites += e.kind == EdgeKind::kPrerequisite;
    found |= e.from == "6.EE.A.2" && e.to == "6.EE.A.4";
  }
  EXPECT_EQ(prerequisites, 116);
  EXPECT_TRUE(found) << "6.EE.2 builds toward the combined node 6.EE.3,4 in the coherence map";
}

std::string Doc(const std::string& competencies, const std::string& edges = "[]") {
  return R"({"framework":{"source_id":"f","title":"F"},"competencies":)" + competencies +
         R"(,"edges":)" + edges + "}";
}

TEST(FrameworkJsonTest, PreciseErrors) {
  EXPECT_EQ(ParseFrameworkJson("{", "f.json").status().message(), "f.json: not valid JSON");
  EXPECT_EQ(ParseFrameworkJson(R"({"competencies":[]})", "f.json").status().message(),
            "f.json: framework: missing (expected an object)");
  EXPECT_EQ(ParseFrameworkJson(Doc(R"([{"code":1,"statement":"s"}])"), "f.json").status().message(),
            "f.json: competencies[0].code: expected a string");
  EXPECT_EQ(ParseFrameworkJson(Doc(R"([{"code":"a","statement":"s"},{"code":"a","statement":"t"}])"),
                               "f.json")
                .status()
                .message(),
            "f.json: competencies[1].code: \"a\" appears twice");
  EXPECT_EQ(ParseFrameworkJson(Doc(R"([{"code":"a","statement":"s"}])", R"([{"from":"a","to":"b"}])"),
                               "f.json")
                .status()
                .message(),
            "f.json: edges[0]: unknown competency code \"b\"");
  EXPECT_EQ(ParseFrameworkJson(Doc(R"([{"code":"a","statement":"s"},{"code":"b","statement":"t"}])",
                                   R"([{"from":"a","to":"b"},{"from":"b","to":"a"}])"),
                               "f.json")
                .status()
                .message(),
            "f.json: cycle in prerequisites: a -> b -> a");
}

}  // namespace
}  // namespace pw
