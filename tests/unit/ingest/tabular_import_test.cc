// CSV imports of assessment scores, attendance, behavior incidents and SEL scales: documented
// headers, column mapping, exact errors, all-or-nothing, counts and idempotent re-imports.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "ingest/framework_json.h"
#include "ingest/tabular.h"
#include "testing/test_util.h"

namespace pw::ingest {
namespace {

using pw::testing::TempDir;

class TabularTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
    Org school{0, "sch-1", "School", OrgType::kSchool, kNoId};
    PW_ASSERT_OK(store_->PutOrg(school));
    for (const char* sid : {"s-1", "s-2"}) {
      Person p{0, sid, "A", "B", Role::kStudent, "", "6", school.id};
      PW_ASSERT_OK(store_->PutPerson(p));
      ids_[sid] = p.id;
    }
    Person t{0, "t-1", "T", "U", Role::kTeacher, "", "", school.id};
    PW_ASSERT_OK(store_->PutPerson(t));
  }

  ImportReport Run(TabularKind kind, const std::string& csv, TabularOptions opts = {}) {
    std::istringstream in(csv);
    auto r = ImportTabular(*store_, kind, in, "f.csv", opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }

  EntityCounts C(const ImportReport& r) {
    return r.entities.empty() ? EntityCounts{} : r.entities[0].second;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, Id> ids_;
};

TEST_F(TabularTest, AttendanceImportsCountsAndReimportsUnchanged) {
  const std::string csv =
      "student,date,status\n"
      "s-1,2026-09-01,present\n"
      "s-1,2026-09-02,tardy\n"
      "s-2,2026-09-01,unexcused\n";
  ImportReport r = Run(TabularKind::kAttendance, csv);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r).read, 3);
  EXPECT_EQ(C(r).created, 3);
  auto rows = store_->ListAttendance(ids_["s-1"], {});
  PW_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].status, AttendanceStatus::kTardy);
  EXPECT_EQ((*rows)[1].source_system, "import:attendance");

  ImportReport again = Run(TabularKind::kAttendance, csv);
  EXPECT_EQ(C(again).unchanged, 3);
  EXPECT_EQ(C(again).created + C(again).updated, 0);
  ImportReport changed =
      Run(TabularKind::kAttendance, "student,date,status\ns-1,2026-09-02,excused\n");
  EXPECT_EQ(C(changed).updated, 1);
}

TEST_F(TabularTest, ErrorsNameLineColumnValueAndNothingIsWritten) {
  ImportReport r = Run(TabularKind::kAttendance,
                       "student,date,status\n"
                       "s-1,2026-09-01,present\n"
                       "s-9,2026-09-01,present\n"
                       "t-1,2026-09-01,present\n"
                       "s-2,09/01/2026,here\n"
                       "s-2,2026-09-03\n");
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "f.csv:3: column \"student\": \"s-9\": no person has this sourcedId",
                "f.csv:4: column \"student\": \"t-1\": the person is a teacher, not a student",
                "f.csv:5: column \"date\": expected a date YYYY-MM-DD, got \"09/01/2026\"",
                "f.csv:5: column \"status\": expected one of present, tardy, excused, unexcused, "
                "got \"here\"",
                "f.csv:6: expected 3 fields as in the header, found 2"}));
  EXPECT_EQ(C(r).read, 5);
  EXPECT_EQ(C(r).rejected, 4);
  EXPECT_EQ(store_->ListAttendance(ids_["s-1"], {})->size(), 0u);  // row 2 rolled back
}

TEST_F(TabularTest, ColumnMappingRenamesDistrictColumns) {
  TabularOptions opts;
  opts.mapping = {{"Student ID", "student"}, {"Day", "date"}, {"Code", "status"}};
  ImportReport r = Run(TabularKind::kAttendance, "Student ID,Day,Code\ns-1,2026-09-01,bad\n", opts);
  EXPECT_EQ(r.errors.messages(),
            std::vector<std::string>{"f.csv:2: column \"Code\": expected one of present, tardy, "
                                     "excused, unexcused, got \"bad\""});
  r = Run(TabularKind::kAttendance, "Student,Day\n", opts);
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{"f.csv:1: unknown column \"Student\" (did you mean "
                                      "\"student\"?)",
                                      "f.csv:1: missing column \"student\"",
                                      "f.csv:1: missing column \"status\""}));
}

TEST_F(TabularTest, CheckCountsButWritesNothing) {
  TabularOptions opts;
  opts.check = true;
  ImportReport r =
      Run(TabularKind::kSel, "student,date,scale,score\ns-1,2026-10-01,grit,3.5\n", opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(C(r).created, 1);
  EXPECT_EQ(store_->ListSel(ids_["s-1"], {})->size(), 0u);
}

TEST_F(TabularTest, SelScalesAndRanges) {
  ImportReport r = Run(TabularKind::kSel,
                       "student,date,scale,score,min,max,source\n"
                       "s-1,2026-10-01,self-management,4,1,5,CORE\n"
                       "s-2,2026-10-01,growth-mindset,80,0,100,\n"
                       "s-2,2026-10-02,growth-mindset,101,0,100,\n"
                       "s-2,2026-10-03,growth-mindset,x,,,\n");
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "f.csv:4: column \"score\": expected a number in 0..100, got \"101\"",
                "f.csv:5: column \"score\": expected a number, got \"x\""}));
  r = Run(TabularKind::kSel,
          "student,date,scale,score,min,max,source\n"
          "s-1,2026-10-01,self-management,4,1,5,CORE\n"
          "s-2,2026-10-01,growth-mindset,80,0,100,\n");
  ASSERT_TRUE(r.ok());
  auto sel = store_->ListSel(ids_["s-2"], {});
  ASSERT_EQ(sel->size(), 1u);
  EXPECT_EQ((*sel)[0].scale_max, 100);
  EXPECT_EQ((*sel)[0].source_system, "import:sel");
  EXPECT_EQ(store_->ListSel(ids_["s-1"], {})->at(0).source_system, "CORE");
}

TEST_F(TabularTest, BehaviorIncidentsKeyedByIdOrByStudentTimeCategory) {
  const std::string csv =
      "student,time,category,severity,description,id\n"
      "s-1,2026-10-01T10:15:00Z,disruption,minor,talking,inc-1\n"
      "s-2,2026-10-02,tardy,1,,\n";
  ImportReport r = Run(TabularKind::kBehavior, csv);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r).created, 2);
  r = Run(TabularKind::kBehavior, csv);
  EXPECT_EQ(C(r).unchanged, 2);
  auto b = store_->ListBehavior(ids_["s-2"], {});
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].source_record, "s-2|2026-10-02T00:00:00.000Z|tardy");
  r = Run(TabularKind::kBehavior, "student,time,category,severity\ns-1,2026-10-01,fight,severe\n");
  EXPECT_EQ(r.errors.messages(),
            std::vector<std::string>{"f.csv:2: column \"severity\": expected 1, 2, 3, minor, "
                                     "moderate or major, got \"severe\""});
}

TEST_F(TabularTest, AssessmentScoresWithCompetencySubScores) {
  FrameworkPackage pkg;
  pkg.framework = {0, "fw-1", "Math", "math", ""};
  pkg.competencies = {{0, 0, "", "6.EE", "Expressions", "6", 0},
                      {0, 0, "", "6.G", "Geometry", "6", 0}};
  PW_ASSERT_OK(ImportFramework(*store_, pkg));
  TabularOptions opts;
  opts.framework = "fw-1";
  const std::string csv =
      "student,assessment,date,scale_score,sem,6.EE,6.G\n"
      "s-1,MAP Math 6+,2026-09-15,221,3.1,225,\n"
      "s-2,MAP Math 6+,2026-09-15,209,,201,214\n";
  ImportReport r = Run(TabularKind::kScores, csv, opts);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r).created, 2);
  auto scores = store_->ListAssessmentScores(ids_["s-1"], {});
  PW_ASSERT_OK(scores);
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].scale_score, 221);
  EXPECT_EQ((*scores)[0].sem, std::optional<double>(3.1));
  ASSERT_EQ((*scores)[0].sub_scores.size(), 1u);
  EXPECT_EQ((*scores)[0].sub_scores[0].name, "6.EE");
  EXPECT_NE((*scores)[0].sub_scores[0].competency_id, kNoId);
  EXPECT_EQ(store_->ListAssessmentScores(ids_["s-2"], {})->at(0).sub_scores.size(), 2u);
  r = Run(TabularKind::kScores, csv, opts);
  EXPECT_EQ(C(r).unchanged, 2);

  r = Run(TabularKind::kScores, "student,assessment,date,scale_score,7.NS\n", opts);
  EXPECT_EQ(r.errors.messages(),
            std::vector<std::string>{"f.csv:1: column \"7.NS\": a sub-score column must be a "
                                     "competency code of framework \"fw-1\""});
  r = Run(TabularKind::kScores,
          "student,assessment,date,scale_score,sem\ns-1,MAP,2026-09-16,abc,-1\n", opts);
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{"f.csv:2: column \"scale_score\": expected a number, got "
                                      "\"abc\"",
                                      "f.csv:2: column \"sem\": expected a number >= 0, got "
                                      "\"-1\""}));
}

}  // namespace
}  // namespace pw::ingest
