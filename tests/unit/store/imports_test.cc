// Store support for imports (both backends): demographics, assessment scores with sub-scores,
// competency associations, counted attendance/SEL upserts, and the deletions OneRoster delta
// files need.
#include <map>
#include <utility>

#include "fixture.h"
#include "store/accounts.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace pw::testing {
namespace {

TEST_P(StoreTest, DemographicsRoundTripAndOutcomes) {
  SeedSchool(1);
  Demographics d;
  d.person_id = students_[0];
  d.birth_date = DateFromCivil(2014, 3, 2);
  d.sex = "female";
  d.races = "asian,white";
  d.hispanic_or_latino = false;
  d.country_of_birth = "US";
  d.city_of_birth = "Salem";
  auto r = store_->PutDemographics(d);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  EXPECT_EQ(*store_->PutDemographics(d), PutOutcome::kUnchanged);
  auto got = store_->GetDemographics(students_[0]);
  PW_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, d);
  d.hispanic_or_latino = std::nullopt;
  d.birth_date = std::nullopt;
  EXPECT_EQ(*store_->PutDemographics(d), PutOutcome::kUpdated);
  EXPECT_EQ(**store_->GetDemographics(students_[0]), d);
  EXPECT_FALSE(store_->GetDemographics(teacher_)->has_value());
  Demographics nobody;
  nobody.person_id = 999;
  EXPECT_EQ(store_->PutDemographics(nobody).status(),
            InvalidArgumentError("demographics of person 999: person_id 999 does not exist"));
}

TEST_P(StoreTest, AssessmentScoresUpsertBystudentAssessmentAndDate) {
  SeedSchool(2);
  AssessmentScore s;
  s.student_id = students_[0];
  s.assessment = "MAP Math 6+";
  s.date = DateFromCivil(2026, 9, 15);
  s.scale_score = 221;
  s.sem = 3.1;
  s.sub_scores = {{"6.EE", competencies_[0], 225}, {"Geometry", kNoId, 210.5}};
  s.source_system = "import:scores";
  EXPECT_EQ(*store_->PutAssessmentScore(s), PutOutcome::kCreated);
  ASSERT_NE(s.id, kNoId);
  AssessmentScore same = s;
  same.id = kNoId;
  EXPECT_EQ(*store_->PutAssessmentScore(same), PutOutcome::kUnchanged);
  EXPECT_EQ(same.id, s.id);
  same.id = kNoId;
  same.sem = std::nullopt;
  same.sub_scores.pop_back();
  EXPECT_EQ(*store_->PutAssessmentScore(same), PutOutcome::kUpdated);
  auto list = store_->ListAssessmentScores(students_[0], {});
  PW_ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0], same);
  EXPECT_EQ(store_->ListAssessmentScores(students_[1], {})->size(), 0u);

  AssessmentScore bad = s;
  bad.id = kNoId;
  bad.student_id = teacher_;
  EXPECT_EQ(store_->PutAssessmentScore(bad).status(),
            InvalidArgumentError(fmt::format("assessment score \"MAP Math 6+\" of student {} on "
                                             "2026-09-15: student_id {} is a teacher, not a "
                                             "student",
                                             teacher_, teacher_)));
  bad.student_id = students_[1];
  bad.sub_scores = {{"x", 12345, 1}};
  EXPECT_EQ(store_->PutAssessmentScore(bad).status(),
            InvalidArgumentError(fmt::format("assessment score \"MAP Math 6+\" of student {} on "
                                             "2026-09-15: sub_scores[0].competency_id 12345 does "
                                             "not exist",
                                             students_[1])));
}

TEST_P(StoreTest, AssociationsReplaceAndCheckMembership) {
  SeedSchool(1);
  std::vector<CompetencyAssociation> a = {
      {competencies_[0], "exactMatchOf", kNoId, "http://example.org/x"},
      {competencies_[1], "isRelatedTo", competencies_[2], "urn:c2"}};
  PW_ASSERT_OK(store_->SetAssociations(framework_.id, a));
  EXPECT_EQ(*store_->ListAssociations(framework_.id), a);
  a.pop_back();
  PW_ASSERT_OK(store_->SetAssociations(framework_.id, a));
  EXPECT_EQ(*store_->ListAssociations(framework_.id), a);
  std::vector<CompetencyAssociation> bad = {{999, "exemplar", kNoId, "u"}};
  EXPECT_EQ(store_->SetAssociations(framework_.id, bad),
            InvalidArgumentError(fmt::format(
                "framework {}: association 0: competency_id 999 is not in the framework",
                framework_.id)));
  EXPECT_EQ(*store_->ListAssociations(framework_.id), a);
}

TEST_P(StoreTest, CountedAttendanceAndSelUpserts) {
  SeedSchool(2);
  std::vector<AttendanceRecord> att = {
      {students_[0], DateFromCivil(2026, 9, 1), AttendanceStatus::kPresent, "sis"},
      {students_[1], DateFromCivil(2026, 9, 1), AttendanceStatus::kTardy, "sis"}};
  auto c = store_->PutAttendanceCounted(att);
  PW_ASSERT_OK(c);
  EXPECT_EQ(c->created, 2);
  att[1].status = AttendanceStatus::kExcusedAbsence;
  c = store_->PutAttendanceCounted(att);
  PW_ASSERT_OK(c);
  EXPECT_EQ(c->created, 0);
  EXPECT_EQ(c->updated, 1);
  EXPECT_EQ(c->unchanged, 1);
  EXPECT_EQ(store_->ListAttendance(students_[1], {})->at(0).status,
            AttendanceStatus::kExcusedAbsence);

  std::vector<SelScore> sel = {{students_[0], DateFromCivil(2026, 10, 1), "grit", 4, 1, 5, "s"}};
  EXPECT_EQ(store_->PutSelCounted(sel)->created, 1);
  EXPECT_EQ(store_->PutSelCounted(sel)->unchanged, 1);
  sel[0].score = 3;
  EXPECT_EQ(store_->PutSelCounted(sel)->updated, 1);
}

// A batch larger than one multi-row INSERT (64 rows), day by day as files come, with new days,
// changed and unchanged ones, and the same day twice in the file: the counts and the stored
// rows are those of writing the records one by one, in file order.
TEST_P(StoreTest, CountedAttendanceInBulkMatchesRowByRowWriting) {
  SeedSchool(3);
  using Key = std::pair<Id, std::int32_t>;
  std::map<Key, std::pair<AttendanceStatus, std::string>> model;
  auto put = [&](const std::vector<AttendanceRecord>& batch) {
    PutCounts want;
    for (const AttendanceRecord& r : batch) {
      const Key k{r.student_id, r.date.days};
      const std::pair<AttendanceStatus, std::string> v{r.status, r.source_system};
      auto it = model.find(k);
      if (it == model.end()) {
        ++want.created;
        model.emplace(k, v);
      } else if (it->second != v) {
        ++want.updated;
        it->second = v;
      } else {
        ++want.unchanged;
      }
    }
    auto got = store_->PutAttendanceCounted(batch);
    PW_ASSERT_OK(got);
    EXPECT_EQ(got->created, want.created);
    EXPECT_EQ(got->updated, want.updated);
    EXPECT_EQ(got->unchanged, want.unchanged);
  };
  const AttendanceStatus kStatuses[] = {AttendanceStatus::kPresent, AttendanceStatus::kTardy,
                                        AttendanceStatus::kExcusedAbsence,
                                        AttendanceStatus::kUnexcusedAbsence};
  const Date first = DateFromCivil(2026, 9, 1);
  std::vector<AttendanceRecord> batch;
  for (int day = 0; day < 40; ++day) {
    for (std::size_t s = 0; s < students_.size(); ++s) {
      batch.push_back({students_[s], Date{first.days + day}, kStatuses[(day + s) % 4], "sis"});
    }
  }
  put(batch);  // 120 new rows: one full chunk of 64 and a shorter one
  EXPECT_EQ(model.size(), 120u);
  std::vector<AttendanceRecord> again;
  for (int day = 30; day < 70; ++day) {  // days 30..39 exist, 40..69 are new
    for (std::size_t s = 0; s < students_.size(); ++s) {
      const AttendanceStatus st = kStatuses[(day + s + (day % 3 == 0 ? 1 : 0)) % 4];
      again.push_back({students_[s], Date{first.days + day}, st, day % 5 == 0 ? "sis2" : "sis"});
    }
    if (day % 7 == 0) {  // the same day twice: the later record wins
      again.push_back({students_[0], Date{first.days + day}, AttendanceStatus::kTardy, "fix"});
      again.push_back({students_[0], Date{first.days + day}, AttendanceStatus::kTardy, "fix"});
    }
  }
  put(again);
  put(again);  // all unchanged now
  for (Id s : students_) {
    auto rows = store_->ListAttendance(s, {});
    PW_ASSERT_OK(rows);
    std::size_t n = 0;
    for (const auto& [k, v] : model) n += k.first == s ? 1 : 0;
    ASSERT_EQ(rows->size(), n);
    for (const AttendanceRecord& r : *rows) {
      const auto& v = model.at(Key{s, r.date.days});
      EXPECT_EQ(r.status, v.first) << FormatDate(r.date);
      EXPECT_EQ(r.source_system, v.second) << FormatDate(r.date);
    }
  }
}

// SQLite: a bulk attendance batch runs with the bulk page cache, and the connection is back to
// its normal cache once the batch's transaction ends (committed or rolled back).
TEST_P(StoreTest, SqliteBulkAttendanceCacheIsRestored) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "SQLite page cache";
  SeedSchool(100);
  auto& db = static_cast<SqliteStore&>(*store_).db();
  auto cache_kib = [&]() -> std::int64_t {
    auto st = db.Prepare("PRAGMA cache_size");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE(*st->Step());
    return -st->Int(0);
  };
  EXPECT_EQ(cache_kib(), SqliteOptions{}.cache_mib * 1024);
  std::vector<AttendanceRecord> batch;
  for (int day = 0; day < 120; ++day) {
    for (Id s : students_)
      batch.push_back({s, Date{20'000 + day}, AttendanceStatus::kPresent, "sis"});
  }
  std::int64_t during = 0;
  PW_ASSERT_OK(store_->Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(PutCounts c, store_->PutAttendanceCounted(batch));
    EXPECT_EQ(c.created, 12'000);
    during = cache_kib();
    return OkStatus();
  }));
  EXPECT_EQ(during, SqliteOptions{}.bulk_cache_mib * 1024);
  EXPECT_EQ(cache_kib(), SqliteOptions{}.cache_mib * 1024);
  for (auto& r : batch) r.status = AttendanceStatus::kTardy;
  EXPECT_FALSE(store_
                   ->Transaction([&]() -> Status {
                     PW_RETURN_IF_ERROR(store_->PutAttendanceCounted(batch).status());
                     return InvalidArgumentError("roll back");
                   })
                   .ok());
  EXPECT_EQ(cache_kib(), SqliteOptions{}.cache_mib * 1024);
  EXPECT_EQ(store_->ListAttendance(students_[0], {})->at(0).status, AttendanceStatus::kPresent);
}

// SQLite migration 6 rebuilds attendance as a WITHOUT ROWID table and keeps its rows.
TEST(AttendanceMigrationTest, KeepsTheRowsOfAVersion5Database) {
  TempDir dir;
  PW_ASSERT_OK(CreateSqliteAtVersion(
      dir.File("a.db"), 5,
      "INSERT INTO people(id, source_id, given_name, family_name, role, email, grade, org_id) "
      "VALUES (7, 's-7', 'A', 'B', 'student', '', '6', NULL);"
      "INSERT INTO attendance VALUES (7, 20300, 'tardy', 'sis'), (7, 20301, 'present', 'sis');"));
  auto store = SqliteStore::Open(dir.File("a.db"));
  PW_ASSERT_OK(store);
  PW_ASSERT_OK((*store)->Migrate());
  auto rows = (*store)->ListAttendance(7, {});
  PW_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].date.days, 20300);
  EXPECT_EQ((*rows)[0].status, AttendanceStatus::kTardy);
  EXPECT_EQ((*rows)[1].source_system, "sis");
  auto sql = (*store)->db().Prepare("SELECT sql FROM sqlite_master WHERE name = 'attendance'");
  PW_ASSERT_OK(sql);
  ASSERT_TRUE(*sql->Step());
  EXPECT_NE(sql->Text(0).find("WITHOUT ROWID"), std::string::npos) << sql->Text(0);
}

TEST_P(StoreTest, DeleteEnrollmentAndGuardianLink) {
  SeedSchool(1);
  Course course;
  course.source_id = "c-1";
  course.title = "Math";
  course.org_id = school_.id;
  PW_ASSERT_OK(store_->PutCourse(course));
  ClassSection cls;
  cls.source_id = "cls-1";
  cls.title = "Math 1";
  cls.course_id = course.id;
  cls.school_id = school_.id;
  PW_ASSERT_OK(store_->PutClass(cls));
  Enrollment e;
  e.source_id = "e-1";
  e.class_id = cls.id;
  e.person_id = students_[0];
  PW_ASSERT_OK(store_->PutEnrollment(e));
  EXPECT_EQ(*store_->DeleteEnrollment(e.id), true);
  EXPECT_EQ(*store_->DeleteEnrollment(e.id), false);
  EXPECT_EQ(store_->ListEnrollments(cls.id, std::nullopt)->size(), 0u);

  Person g{.source_id = std::string("g-1"),
           .given_name = std::string("G"),
           .family_name = std::string("H"),
           .role = Role::kGuardian,
           .email = std::string(),
           .grade = std::string(),
           .org_id = kNoId};
  PW_ASSERT_OK(store_->PutPerson(g));
  PW_ASSERT_OK(store_->PutGuardianLink({g.id, students_[0], "parent"}));
  EXPECT_EQ(*store_->DeleteGuardianLink(g.id, students_[0]), true);
  EXPECT_EQ(*store_->DeleteGuardianLink(g.id, students_[0]), false);
  EXPECT_EQ(store_->ListGuardianLinks(students_[0], std::nullopt)->size(), 0u);
}

// Privacy: deleting a student removes their imported records too.
TEST_P(StoreTest, DeletingAStudentRemovesDemographicsAndScores) {
  ASSERT_NE(store_->accounts(), nullptr) << "both backends have an AccountStore";
  SeedSchool(1);
  Demographics d;
  d.person_id = students_[0];
  d.sex = "male";
  PW_ASSERT_OK(store_->PutDemographics(d));
  AssessmentScore s;
  s.student_id = students_[0];
  s.assessment = "A";
  s.scale_score = 200;
  s.sub_scores = {{"x", kNoId, 1}};
  PW_ASSERT_OK(store_->PutAssessmentScore(s));
  PW_ASSERT_OK(store_->accounts()->DeleteStudentData(students_[0]));
  EXPECT_FALSE(store_->GetDemographics(students_[0])->has_value());
  EXPECT_EQ(store_->ListAssessmentScores(students_[0], {})->size(), 0u);
}

}  // namespace
}  // namespace pw::testing
