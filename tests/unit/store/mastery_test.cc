// Mastery rows, course credits and stated interests, on both backends.
#include "fixture.h"

namespace pw::testing {
namespace {

class MasteryStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    SeedSchool(2);
  }

  MasteryRecord Row(Id student, Id competency, double p) {
    MasteryRecord m;
    m.student_id = student;
    m.competency_id = competency;
    m.p = p;
    m.attempts = 7;
    m.independent = 5;
    m.correct = 4;
    m.last_evidence = Timestamp{1'790'000'000'123};
    m.last_activity_id = activities_[0];
    m.state = "learning";
    return m;
  }
};

TEST_P(MasteryStoreTest, EveryFieldRoundTripsAndUpsertReplaces) {
  std::vector<MasteryRecord> rows = {Row(students_[0], competencies_[0], 0.4),
                                     Row(students_[0], competencies_[1], 0.97),
                                     Row(students_[1], competencies_[0], 0.1)};
  rows[1].state = "mastered";
  rows[1].mastered_at = Timestamp{1'789'000'000'000};
  rows[1].last_activity_id = kNoId;
  rows[2].override_state = "mastered";
  rows[2].override_reason = "showed it in class";
  rows[2].override_by = "ms.rivera";
  rows[2].override_at = Timestamp{1'791'000'000'000};
  PW_ASSERT_OK(store_->PutMastery(rows));

  auto listed = store_->ListMastery(students_[0]);
  PW_ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  const MasteryRecord& m = (*listed)[1];
  EXPECT_EQ(m.competency_id, competencies_[1]);
  EXPECT_DOUBLE_EQ(m.p, 0.97);
  EXPECT_EQ(m.attempts, 7);
  EXPECT_EQ(m.independent, 5);
  EXPECT_EQ(m.correct, 4);
  EXPECT_EQ(m.last_evidence, Timestamp{1'790'000'000'123});
  EXPECT_EQ(m.last_activity_id, kNoId);
  EXPECT_EQ(m.state, "mastered");
  EXPECT_EQ(m.mastered_at, Timestamp{1'789'000'000'000});
  EXPECT_EQ(m.override_state, "");
  EXPECT_FALSE(m.override_at.has_value());

  const std::vector<std::pair<Id, Id>> pairs = {{students_[1], competencies_[0]},
                                                {students_[1], competencies_[2]},
                                                {students_[0], competencies_[0]}};
  auto got = store_->GetMastery(pairs);
  PW_ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);  // the pair without a row is left out
  EXPECT_EQ((*got)[0].student_id, students_[1]);
  EXPECT_EQ((*got)[0].override_state, "mastered");
  EXPECT_EQ((*got)[0].override_reason, "showed it in class");
  EXPECT_EQ((*got)[0].override_by, "ms.rivera");
  EXPECT_EQ((*got)[0].override_at, Timestamp{1'791'000'000'000});
  EXPECT_EQ((*got)[0].last_activity_id, activities_[0]);
  EXPECT_EQ((*got)[1].student_id, students_[0]);

  MasteryRecord again = Row(students_[0], competencies_[0], 0.6);
  again.attempts = 8;
  PW_ASSERT_OK(store_->PutMastery(std::span(&again, 1)));
  listed = store_->ListMastery(students_[0]);
  PW_ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_DOUBLE_EQ((*listed)[0].p, 0.6);
  EXPECT_EQ((*listed)[0].attempts, 8);
}

// Text that a PostgreSQL array literal must quote (the batch upsert sends the rows as arrays),
// the string "NULL", and one pair given twice in one call: the last row wins, as writing them
// one by one would leave it.
TEST_P(MasteryStoreTest, QuotedTextAndARepeatedPairInOneCall) {
  const std::string tricky = "he said \"done\", \\o/ {a,b} 'x' \u00e9\u4e2d";
  std::vector<MasteryRecord> rows = {Row(students_[0], competencies_[0], 0.2),
                                     Row(students_[1], competencies_[0], 0.3),
                                     Row(students_[0], competencies_[0], 0.9)};
  rows[1].override_state = "mastered";
  rows[1].override_reason = tricky;
  rows[1].override_by = "NULL";
  rows[1].override_at = Timestamp{-1};
  PW_ASSERT_OK(store_->PutMastery(rows));
  auto first = store_->ListMastery(students_[0]);
  PW_ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_DOUBLE_EQ((*first)[0].p, 0.9);
  auto second = store_->ListMastery(students_[1]);
  PW_ASSERT_OK(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].override_reason, tricky);
  EXPECT_EQ((*second)[0].override_by, "NULL");
  EXPECT_EQ((*second)[0].override_at, Timestamp{-1});
}

TEST_P(MasteryStoreTest, BadReferencesWriteNothing) {
  std::vector<MasteryRecord> rows = {Row(students_[0], competencies_[0], 0.4),
                                     Row(students_[0], 999, 0.4)};
  Status s = store_->PutMastery(rows);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "mastery 1: competency_id 999 does not exist");
  rows = {Row(teacher_, competencies_[0], 0.4)};
  s = store_->PutMastery(rows);
  EXPECT_EQ(s.message(), fmt::format("mastery 0: student_id {} is a teacher, not a student",
                                     teacher_));
  auto listed = store_->ListMastery(students_[0]);
  PW_ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(MasteryStoreTest, CourseCreditsAreRecordedOnce) {
  Course course;
  course.source_id = "math-6";
  course.title = "Math 6";
  course.org_id = school_.id;
  course.framework_id = framework_.id;
  course.required_competencies = competencies_;
  PW_ASSERT_OK(store_->PutCourse(course));
  CourseCredit credit{students_[0], course.id, Timestamp{1'792'000'000'000}, R"([{"c":1}])"};
  auto created = store_->PutCourseCredit(credit);
  PW_ASSERT_OK(created);
  EXPECT_TRUE(*created);
  credit.credited_at = Timestamp{1'793'000'000'000};
  created = store_->PutCourseCredit(credit);
  PW_ASSERT_OK(created);
  EXPECT_FALSE(*created);
  auto credits = store_->ListCourseCredits(students_[0]);
  PW_ASSERT_OK(credits);
  ASSERT_EQ(credits->size(), 1u);
  EXPECT_EQ((*credits)[0].credited_at, Timestamp{1'792'000'000'000});
  EXPECT_EQ((*credits)[0].evidence, R"([{"c":1}])");
  credit.course_id = 777;
  EXPECT_EQ(store_->PutCourseCredit(credit).status().message(),
            "course credit: course_id 777 does not exist");
}

TEST_P(MasteryStoreTest, InterestsAreReplacedInOrder) {
  std::vector<std::string> interests = {"soccer", "music"};
  PW_ASSERT_OK(store_->SetInterests(students_[0], interests));
  interests = {"space", "soccer", "cooking"};
  PW_ASSERT_OK(store_->SetInterests(students_[0], interests));
  auto listed = store_->ListInterests(students_[0]);
  PW_ASSERT_OK(listed);
  EXPECT_EQ(*listed, interests);
  interests = {"ok", ""};
  EXPECT_EQ(store_->SetInterests(students_[0], interests).message(), "interests 1: empty");
  listed = store_->ListInterests(students_[0]);
  PW_ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, MasteryStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace pw::testing
