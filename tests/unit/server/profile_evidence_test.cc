// RecordEvidence keeps mastery up to date in the same transaction: the stored rows equal the
// profile's online update applied in time order, whatever the batching; activity-only evidence
// moves the activity's competencies; bad evidence changes neither evidence nor mastery; fitted
// BKT parameters stored by `kt fit --db` are used; courses are credited when complete.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "profile/kt_params.h"
#include "profile/mastery.h"
#include "server/evidence_service.h"
#include "server/profile_service.h"
#include "store/store.h"
#include "testing/test_util.h"

namespace pw::server {
namespace {

class EvidenceMasteryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite:" + dir_.File("p.db"));
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    PW_ASSERT_OK(store_->Migrate());
    Org school{0, "sch", "School", OrgType::kSchool, kNoId};
    PW_ASSERT_OK(store_->PutOrg(school));
    for (int i = 0; i < 2; ++i) {
      Person p{.source_id = "s-" + std::to_string(i),
               .given_name = std::string("S"),
               .family_name = std::to_string(i),
               .role = Role::kStudent,
               .email = std::string(),
               .grade = std::string("6"),
               .org_id = school.id};
      PW_ASSERT_OK(store_->PutPerson(p));
      students_.push_back(p.id);
    }
    Framework fw{0, "fw", "Math", "math", "test"};
    PW_ASSERT_OK(store_->PutFramework(fw));
    framework_ = fw.id;
    for (const char* code : {"A", "B"}) {
      Competency c;
      c.framework_id = fw.id;
      c.code = code;
      PW_ASSERT_OK(store_->PutCompetency(c));
      competencies_.push_back(c.id);
    }
    Activity a;
    a.source_id = "act";
    a.title = "Both";
    a.competencies = competencies_;
    PW_ASSERT_OK(store_->PutActivity(a));
    activity_ = a.id;
    Course course;
    course.source_id = "c";
    course.title = "Math";
    course.framework_id = fw.id;
    course.required_competencies = competencies_;
    PW_ASSERT_OK(store_->PutCourse(course));
    course_ = course.id;
    ClassSection cls;
    cls.source_id = "cls";
    cls.title = "Math 1";
    cls.course_id = course.id;
    cls.school_id = school.id;
    PW_ASSERT_OK(store_->PutClass(cls));
    Enrollment e{0, "", cls.id, students_[0], EnrollmentRole::kStudent, true, std::nullopt,
                 std::nullopt};
    PW_ASSERT_OK(store_->PutEnrollment(e));
  }

  EvidenceEvent Event(Id student, Id competency, Id activity, std::int64_t minute, bool correct) {
    EvidenceEvent e;
    e.student_id = student;
    e.competency_id = competency;
    e.activity_id = activity;
    e.time = Timestamp{1'790'000'000'000 + minute * 60'000};
    e.kind = correct ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
    e.score = correct ? 1 : 0;
    e.source_system = "test";
    return e;
  }

  std::vector<EvidenceEvent> Mixed() {
    std::vector<EvidenceEvent> ev;
    for (int i = 0; i < 12; ++i) {
      ev.push_back(Event(students_[i % 2], competencies_[i % 3 == 0], kNoId, 100 - 7 * i,
                         i % 4 != 1));
    }
    return ev;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<Id> students_, competencies_;
  Id framework_ = 0, activity_ = 0, course_ = 0;
};

TEST_F(EvidenceMasteryTest, StoredRowsEqualTheOnlineUpdateInTimeOrderWhateverTheBatching) {
  std::vector<EvidenceEvent> all = Mixed();
  // Expected: per pair, the events sorted by time.
  std::map<std::pair<Id, Id>, profile::MasteryEstimate> expected;
  std::vector<EvidenceEvent> sorted = all;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const EvidenceEvent& a, const EvidenceEvent& b) { return a.time < b.time; });
  for (const EvidenceEvent& e : sorted) {
    profile::ApplyEvidence(profile::DefaultBktParams(), {}, {e.time, e.score, e.activity_id},
                           &expected[{e.student_id, e.competency_id}]);
  }
  // Recorded in three batches, each in time order within itself and later than the last.
  std::vector<EvidenceEvent> b1(sorted.begin(), sorted.begin() + 5);
  std::vector<EvidenceEvent> b2(sorted.begin() + 5, sorted.begin() + 6);
  std::vector<EvidenceEvent> b3(sorted.begin() + 6, sorted.end());
  std::reverse(b3.begin(), b3.end());  // order within a batch does not matter
  for (auto* b : {&b1, &b2, &b3}) PW_ASSERT_OK(RecordEvidence(*store_, *b));
  for (Id s : students_) {
    auto rows = store_->ListMastery(s);
    PW_ASSERT_OK(rows);
    for (const MasteryRecord& r : *rows) {
      const profile::MasteryEstimate& want = expected.at({r.student_id, r.competency_id});
      EXPECT_DOUBLE_EQ(r.p, want.p);
      EXPECT_EQ(r.attempts, want.attempts);
      EXPECT_EQ(r.independent, want.independent);
      EXPECT_EQ(r.correct, want.correct);
      EXPECT_EQ(r.last_evidence, want.last_evidence);
      EXPECT_EQ(r.state, profile::MasteryStateName(want.state));
    }
    EXPECT_EQ(rows->size(), 2u);
  }
}

TEST_F(EvidenceMasteryTest, ActivityOnlyEvidenceMovesEachAlignedCompetency) {
  std::vector<EvidenceEvent> ev = {Event(students_[1], kNoId, activity_, 0, true)};
  PW_ASSERT_OK(RecordEvidence(*store_, ev));
  auto rows = store_->ListMastery(students_[1]);
  PW_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  for (const MasteryRecord& r : *rows) {
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.last_activity_id, activity_);
    EXPECT_DOUBLE_EQ(r.p, model::BktUpdate(profile::DefaultBktParams(), 0.2, true));
  }
}

TEST_F(EvidenceMasteryTest, BadEvidenceChangesNothing) {
  std::vector<EvidenceEvent> ev = {Event(students_[0], competencies_[0], kNoId, 0, true),
                                   Event(students_[0], 999, kNoId, 1, true)};
  Status s = RecordEvidence(*store_, ev);
  EXPECT_EQ(s.message(), "evidence 1: competency_id 999 does not exist");
  EXPECT_EQ(*store_->CountEvidence({}), 0);
  EXPECT_TRUE(store_->ListMastery(students_[0])->empty());
}

TEST_F(EvidenceMasteryTest, UsesFittedParametersFromKtFit) {
  const std::string fitted = fmt::format(
      R"({{"pathwise_kt_params": 1, "model": "bkt", "skills": ["{}"], "params": {{"model": "bkt",
      "skills": [[0.5, 0.3, 0.1, 0.05, 0.0]], "fallback": [0.1, 0.1, 0.3, 0.2, 0.0]}}}})",
      competencies_[0]);
  PW_ASSERT_OK(store_->SetMeta(profile::KtParamsKey(framework_), fitted));
  std::vector<EvidenceEvent> ev = {Event(students_[0], competencies_[0], kNoId, 0, true),
                                   Event(students_[0], competencies_[1], kNoId, 1, true)};
  PW_ASSERT_OK(RecordEvidence(*store_, ev));
  auto rows = store_->ListMastery(students_[0]);
  PW_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_DOUBLE_EQ((*rows)[0].p, model::BktUpdate({0.5, 0.3, 0.1, 0.05, 0.0}, 0.5, true));
  EXPECT_DOUBLE_EQ((*rows)[1].p, model::BktUpdate({0.1, 0.1, 0.3, 0.2, 0.0}, 0.1, true));

  PW_ASSERT_OK(store_->SetMeta(profile::KtParamsKey(framework_), R"({"model": "elo"})"));
  Status s = RecordEvidence(*store_, ev);
  EXPECT_EQ(s.message(), fmt::format("kt.params.framework.{}: model: expected \"bkt\" or "
                                      "\"bkt-forget\", got \"elo\"",
                                      framework_));
}

TEST_F(EvidenceMasteryTest, CourseIsCreditedWhenEveryRequiredCompetencyIsMastered) {
  std::vector<EvidenceEvent> ev;
  for (int i = 0; i < 4; ++i) {
    ev.push_back(Event(students_[0], competencies_[0], kNoId, 60 * i, true));
  }
  PW_ASSERT_OK(RecordEvidence(*store_, ev));
  EXPECT_TRUE(store_->ListCourseCredits(students_[0])->empty());  // B is not mastered yet
  for (auto& e : ev) e.competency_id = competencies_[1];
  PW_ASSERT_OK(RecordEvidence(*store_, ev));
  auto credits = store_->ListCourseCredits(students_[0]);
  PW_ASSERT_OK(credits);
  ASSERT_EQ(credits->size(), 1u);
  EXPECT_EQ((*credits)[0].course_id, course_);
  EXPECT_EQ((*credits)[0].credited_at, Timestamp{1'790'000'000'000 + 120 * 60'000});
  auto evidence = nlohmann::json::parse((*credits)[0].evidence);
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_EQ(evidence[1]["competency_id"], competencies_[1]);
  EXPECT_EQ(evidence[1]["evidence"], 4);
}

}  // namespace
}  // namespace pw::server
