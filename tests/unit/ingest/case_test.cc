// CASE import (hand-written 1.0 packages and the two OpenSALT samples in ../shared/data) and
// prerequisite edges from CSV (a small file and the Coherence Map).
#include "ingest/case.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "ingest/prereq_csv.h"
#include "testing/test_util.h"

namespace pw::ingest {
namespace {

using pw::testing::SharedData;
using pw::testing::TempDir;

// A CASE 1.0 package: a domain with two standards, one preceding the other, and one
// exactMatchOf pointing outside.
const char kPackage[] = R"json({
  "CFDocument": {"identifier": "11111111-1111-1111-1111-111111111111", "title": "Tiny",
                 "creator": "Test Authors", "subject": ["Math"]},
  "CFItems": [
    {"identifier": "22222222-2222-2222-2222-222222222222", "fullStatement": "Ratios",
     "humanCodingScheme": "6.RP", "educationLevel": ["06"]},
    {"identifier": "33333333-3333-3333-3333-333333333333", "fullStatement": "Understand ratios",
     "humanCodingScheme": "6.RP.A.1", "educationLevel": ["06"]},
    {"identifier": "44444444-4444-4444-4444-444444444444", "fullStatement": "Unit rates",
     "humanCodingScheme": "6.RP.A.2", "educationLevel": ["06", "07"]}
  ],
  "CFAssociations": [
    {"identifier": "a1", "associationType": "isChildOf",
     "originNodeURI": {"identifier": "22222222-2222-2222-2222-222222222222"},
     "destinationNodeURI": {"identifier": "11111111-1111-1111-1111-111111111111"}},
    {"identifier": "a2", "associationType": "isChildOf",
     "originNodeURI": {"identifier": "33333333-3333-3333-3333-333333333333"},
     "destinationNodeURI": {"identifier": "22222222-2222-2222-2222-222222222222"}},
    {"identifier": "a3", "associationType": "isChildOf",
     "originNodeURI": {"identifier": "44444444-4444-4444-4444-444444444444"},
     "destinationNodeURI": {"identifier": "22222222-2222-2222-2222-222222222222"}},
    {"identifier": "a4", "associationType": "precedes",
     "originNodeURI": {"identifier": "33333333-3333-3333-3333-333333333333"},
     "destinationNodeURI": {"identifier": "44444444-4444-4444-4444-444444444444"}},
    {"identifier": "a5", "associationType": "exactMatchOf",
     "originNodeURI": {"identifier": "33333333-3333-3333-3333-333333333333"},
     "destinationNodeURI": {"identifier": "http://example.org/ccss/6.RP.A.1"}}
  ]
})json";

class CaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite:" + dir_.File("c.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
  }
  ImportReport Import(std::string_view text, ImportOptions options = {}) {
    auto r = ImportCase(*store_, text, "pkg.json", options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }
  const EntityCounts& C(const ImportReport& r, const std::string& entity) {
    for (const auto& [n, c] : r.entities) {
      if (n == entity) return c;
    }
    static EntityCounts none;
    ADD_FAILURE() << "no entity " << entity;
    return none;
  }
  std::map<std::string, Competency> ByCode(Id framework_id) {
    std::map<std::string, Competency> out;
    auto comps = store_->ListCompetencies(framework_id);
    EXPECT_TRUE(comps.ok());
    if (!comps.ok()) return out;
    for (const Competency& c : *comps) out[c.code] = c;
    return out;
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(CaseTest, HierarchyPrerequisitesAndAssociations) {
  ImportReport r = Import(kPackage);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(r.warnings, std::vector<std::string>{});
  EXPECT_EQ(C(r, "frameworks").created, 1);
  EXPECT_EQ(C(r, "competencies").created, 3);
  EXPECT_EQ(C(r, "edges").created, 1);
  EXPECT_EQ(C(r, "associations").created, 1);
  auto fws = store_->ListFrameworks();
  PW_ASSERT_OK(fws);
  ASSERT_EQ(fws->size(), 1u);
  EXPECT_EQ((*fws)[0].source_id, "11111111-1111-1111-1111-111111111111");
  EXPECT_EQ((*fws)[0].subject, "Math");
  EXPECT_EQ((*fws)[0].attribution, "Test Authors");
  auto comps = ByCode((*fws)[0].id);
  EXPECT_EQ(comps["6.RP"].parent_id, kNoId);
  EXPECT_EQ(comps["6.RP.A.1"].parent_id, comps["6.RP"].id);
  EXPECT_EQ(comps["6.RP.A.2"].parent_id, comps["6.RP"].id);
  EXPECT_EQ(comps["6.RP.A.2"].grade, "6");
  EXPECT_EQ(comps["6.RP.A.1"].statement, "Understand ratios");
  auto edges = store_->ListEdges((*fws)[0].id);
  PW_ASSERT_OK(edges);
  ASSERT_EQ(edges->size(), 1u);
  EXPECT_EQ((*edges)[0].from, comps["6.RP.A.1"].id);
  EXPECT_EQ((*edges)[0].to, comps["6.RP.A.2"].id);
  EXPECT_EQ((*edges)[0].kind, EdgeKind::kPrerequisite);
  auto assoc = store_->ListAssociations((*fws)[0].id);
  PW_ASSERT_OK(assoc);
  ASSERT_EQ(assoc->size(), 1u);
  EXPECT_EQ((*assoc)[0], (CompetencyAssociation{comps["6.RP.A.1"].id, "exactMatchOf", kNoId,
                                                "http://example.org/ccss/6.RP.A.1"}));

  ImportReport again = Import(kPackage);
  ASSERT_TRUE(again.ok());
  for (const auto& [name, c] : again.entities) {
    EXPECT_EQ(c.created + c.updated + c.deleted, 0) << name;
  }
}

TEST_F(CaseTest, CheckWritesNothing) {
  ImportOptions opts;
  opts.check = true;
  ImportReport r = Import(kPackage, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(C(r, "competencies").created, 3);
  EXPECT_EQ(store_->ListFrameworks()->size(), 0u);
}

TEST_F(CaseTest, BadPackagesAreRejectedWithTheJsonPath) {
  EXPECT_EQ(Import("{").errors.messages(), std::vector<std::string>{"pkg.json: not valid JSON"});
  EXPECT_EQ(
      Import("[]").errors.messages(),
      std::vector<std::string>{"pkg.json: expected a JSON object at the top (a CASE package)"});
  EXPECT_EQ(Import(R"({"CFItems": []})").errors.messages(),
            std::vector<std::string>{"pkg.json: CFDocument: missing (expected an object)"});
  EXPECT_EQ(Import(R"({"CFDocument": {"identifier": "d", "title": "T"},
                 "CFItems": [{"identifier": "i1", "fullStatement": 7}, {"identifier": "i1",
                 "fullStatement": "x"}, {"identifier": "i1", "fullStatement": "y"}]})")
                .errors.messages(),
            (std::vector<std::string>{"pkg.json: CFItems[0].fullStatement: expected a string",
                                      "pkg.json: CFItems[1].identifier: \"i1\" appears twice",
                                      "pkg.json: CFItems[2].identifier: \"i1\" appears twice"}));
  // A prerequisite cycle.
  EXPECT_EQ(Import(R"({"CFDocument": {"identifier": "d", "title": "T"},
      "CFItems": [{"identifier": "a", "fullStatement": "A", "humanCodingScheme": "A"},
                  {"identifier": "b", "fullStatement": "B", "humanCodingScheme": "B"}],
      "CFAssociations": [
        {"associationType": "precedes", "originNodeURI": {"identifier": "a"},
         "destinationNodeURI": {"identifier": "b"}},
        {"associationType": "precedes", "originNodeURI": {"identifier": "b"},
         "destinationNodeURI": {"identifier": "a"}}]})")
                .errors.total(),
            1u);
  EXPECT_EQ(store_->ListFrameworks()->size(), 0u);
}

TEST_F(CaseTest, PreOneZeroShapesAreToleratedWithWarnings) {
  ImportReport r = Import(R"({"CFDocument": {"identifier": "http://asn/D1", "title": "Old",
      "subject": "Math"},
      "CFItems": [{"identifier": "http://asn/S1", "fullStatement": "One",
                   "educationalLevel": "KG"}],
      "CFAssociations": [{"associationType": "isChildOf",
        "CFAssociationGroupingURI": {"title": "g", "uri": null},
        "originNodeIdentifier": "http://asn/S1", "destinationNodeIdentifier": "http://asn/D1"}]})");
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{
                "pkg.json: 2 identifiers are not UUIDs (a pre-1.0 package); kept as given",
                "pkg.json: 1 items use the pre-1.0 educationalLevel string; read as "
                "educationLevel",
                "pkg.json: CFDocument.subject is a string (pre-1.0); read as one subject",
                "pkg.json: 1 associations have a null CFAssociationGroupingURI.uri; ignored",
                "pkg.json: 2 node references use the pre-1.0 *NodeIdentifier fields",
                "pkg.json: 1 items have no humanCodingScheme; their code is their identifier"}));
  auto fw = store_->ListFrameworks();
  auto comps = ByCode((*fw)[0].id);
  EXPECT_EQ(comps["http://asn/S1"].grade, "KG");
}

TEST_F(CaseTest, CommonCoreSampleYieldsItsItemsWithTheHierarchy) {
  auto d = SharedData("case-sample");
  if (!d) GTEST_SKIP() << "../shared/data/case-sample is absent";
  auto r = ImportCaseFile(*store_, (*d / "math_cfs_sample.json").string(), {});
  PW_ASSERT_OK(r);
  ASSERT_TRUE(r->ok()) << r->ErrorStatus().ToString();
  EXPECT_EQ(C(*r, "competencies").created, 703);
  EXPECT_EQ(C(*r, "edges").created, 0);  // a pure hierarchy
  auto fws = store_->ListFrameworks();
  ASSERT_EQ(fws->size(), 1u);
  EXPECT_EQ((*fws)[0].title, "Common Core State Standards for Mathematics");
  auto comps = ByCode((*fws)[0].id);
  ASSERT_EQ(comps.size(), 703u);
  int roots = 0;
  for (const auto& [code, c] : comps) roots += c.parent_id == kNoId ? 1 : 0;
  EXPECT_EQ(roots, 17);  // 17 isChildOf point at the document
  // 6.NS.C.5 -> cluster 6.NS.C -> the 6.NS domain (which has no code of its own).
  const Competency& std5 = comps["CCSS.Math.Content.6.NS.C.5"];
  const Competency& cluster = comps["CCSS.Math.Content.6.NS.C"];
  EXPECT_EQ(std5.parent_id, cluster.id);
  EXPECT_NE(cluster.parent_id, kNoId);
  EXPECT_EQ(std5.grade, "6");

  // The Coherence Map's edges attach to it as prerequisites.
  auto cm = SharedData("coherence-map");
  if (!cm) GTEST_SKIP() << "../shared/data/coherence-map is absent";
  std::ifstream in(*cm / "edges.csv");
  PrereqOptions opts;
  auto pr = ImportPrereqCsv(*store_, in, "edges.csv", opts);
  PW_ASSERT_OK(pr);
  ASSERT_TRUE(pr->ok()) << pr->ErrorStatus().ToString();
  EXPECT_EQ(C(*pr, "edges").read, 542);
  EXPECT_EQ(C(*pr, "edges").rejected, 0);
  auto graph = store_->LoadGraph((*fws)[0].id);
  PW_ASSERT_OK(graph);
  auto edges = store_->ListEdges((*fws)[0].id);
  EXPECT_EQ(static_cast<std::int64_t>(edges->size()), C(*pr, "edges").created);
  // 6.RP.1 (6.RP.A.1) builds toward 6.RP.3 (6.RP.A.3)? Check one Arrow row exists.
  bool found = false;
  const Id k_cc1 = comps["CCSS.Math.Content.K.CC.A.1"].id;
  const Id g1_nbt1 = comps["CCSS.Math.Content.1.NBT.A.1"].id;
  for (const CompetencyEdge& e : *edges) {
    found |= e.from == k_cc1 && e.to == g1_nbt1 && e.kind == EdgeKind::kPrerequisite;
  }
  EXPECT_TRUE(found) << "0.CC.1,1.NBT.1,Arrow";
}

TEST_F(CaseTest, OpenSaltDraftKeepsEveryAssociationKind) {
  auto d = SharedData("case-sample");
  if (!d) GTEST_SKIP() << "../shared/data/case-sample is absent";
  auto r = ImportCaseFile(
      *store_, (*d / "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json").string(), {});
  PW_ASSERT_OK(r);
  ASSERT_TRUE(r->ok()) << r->ErrorStatus().ToString();
  EXPECT_EQ(C(*r, "competencies").created, 16);
  auto fws = store_->ListFrameworks();
  auto assoc = store_->ListAssociations((*fws)[0].id);
  std::map<std::string, int> kinds;
  for (const auto& a : *assoc) kinds[a.kind]++;
  auto edges = store_->ListEdges((*fws)[0].id);
  int prereq = 0, related = 0;
  for (const auto& e : *edges) (e.kind == EdgeKind::kPrerequisite ? prereq : related)++;
  // 39 associations: 16 isChildOf (hierarchy), 16 exactMatchOf, 3 precedes, 2 exemplar,
  // 2 isRelatedTo; precedes/isRelatedTo become edges when both ends are in the package.
  EXPECT_EQ(kinds["exactMatchOf"], 16);
  EXPECT_EQ(kinds["exemplar"], 2);
  EXPECT_EQ(prereq + kinds["precedes"], 3);
  EXPECT_EQ(related + kinds["isRelatedTo"], 2);
}

TEST_F(CaseTest, PrereqCsvErrorsNameLineAndColumn) {
  ASSERT_TRUE(Import(kPackage).ok());
  std::istringstream in(
      "from,to,kind\n"
      "6.RP.A.1,6.RP.A.2,prerequisite\n"
      "6.RP.A.1,6.RP.A.9,Arrow\n"
      "6.RP.A.2,6.RP.A.1,sometimes\n");
  auto r = ImportPrereqCsv(*store_, in, "e.csv", {});
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->errors.messages(),
            (std::vector<std::string>{
                "e.csv:3: column \"to\": \"6.RP.A.9\" is not a competency code of framework "
                "\"11111111-1111-1111-1111-111111111111\"",
                "e.csv:4: column \"kind\": expected prerequisite, related, Arrow or "
                "Nondirectional link, got \"sometimes\""}));
  // A cycle with the stored edge is rejected against the file; nothing changes.
  std::istringstream cyc("before,after\n6.RP.A.2,6.RP.A.1\n");
  PrereqOptions opts;
  opts.mapping = {{"before", "from"}, {"after", "to"}};
  r = ImportPrereqCsv(*store_, cyc, "c.csv", opts);
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->errors.messages(),
            std::vector<std::string>{
                "c.csv:2: the edge 6.RP.A.2 -> 6.RP.A.1 closes a prerequisite cycle"});
  auto fws = store_->ListFrameworks();
  EXPECT_EQ(store_->ListEdges((*fws)[0].id)->size(), 1u);
}

}  // namespace
}  // namespace pw::ingest
