// Roster tables (both backends): round trips of every field, upsert outcomes, explicit ids,
// reference checks, keyset paging and filters.
#include <set>

#include "fixture.h"

namespace pw::testing {
namespace {

TEST_P(StoreTest, OrgRoundTripAndUpsertOutcomes) {
  Org district{0, "d-1", "North District", OrgType::kDistrict, kNoId};
  auto r = store_->PutOrg(district);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  ASSERT_NE(district.id, kNoId);

  Org school{0, "sch-1", "North Middle", OrgType::kSchool, district.id};
  PW_ASSERT_OK(store_->PutOrg(school));
  auto got = store_->GetOrg(school.id);
  PW_ASSERT_OK(got);
  EXPECT_EQ(got->id, school.id);
  EXPECT_EQ(got->source_id, "sch-1");
  EXPECT_EQ(got->name, "North Middle");
  EXPECT_EQ(got->type, OrgType::kSchool);
  EXPECT_EQ(got->parent_id, district.id);

  // Same content again, by source_id only: unchanged, same id.
  Org again{0, "sch-1", "North Middle", OrgType::kSchool, district.id};
  r = store_->PutOrg(again);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kUnchanged);
  EXPECT_EQ(again.id, school.id);

  // A change by source_id: updated.
  again.name = "North Middle School";
  r = store_->PutOrg(again);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kUpdated);
  EXPECT_EQ(store_->GetOrg(school.id)->name, "North Middle School");

  // A change by id: updated; the parent can be cleared.
  again.source_id.clear();
  again.parent_id = kNoId;
  r = store_->PutOrg(again);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kUpdated);
  got = store_->GetOrg(school.id);
  EXPECT_EQ(got->source_id, "");
  EXPECT_EQ(got->parent_id, kNoId);

  auto all = store_->ListOrgs();
  PW_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, district.id);
  EXPECT_EQ((*all)[1].id, school.id);
}

TEST_P(StoreTest, PutWithUnknownIdInsertsWithExactlyThatId) {
  Org org{5000, "", "Pre-assigned", OrgType::kDistrict, kNoId};
  auto r = store_->PutOrg(org);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  EXPECT_EQ(org.id, 5000);
  Person p;
  p.id = 77;
  p.given_name = "Pre";
  p.org_id = 5000;
  r = store_->PutPerson(p);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  EXPECT_EQ(p.id, 77);
  EXPECT_EQ(store_->GetPerson(77)->given_name, "Pre");
  // The next automatic id continues after the highest one.
  Person q;
  q.given_name = "Next";
  PW_ASSERT_OK(store_->PutPerson(q));
  EXPECT_EQ(q.id, 78);
  // Put again with the same id: unchanged.
  r = store_->PutPerson(p);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kUnchanged);
}

TEST_P(StoreTest, MissingReferencesAreNamed) {
  Person p;
  p.source_id = "s-9";
  p.org_id = 42;
  auto r = store_->PutPerson(p);
  EXPECT_EQ(r.status(), InvalidArgumentError("person \"s-9\": org_id 42 does not exist"));
  Enrollment e;
  e.class_id = 3;
  e.person_id = 4;
  EXPECT_EQ(store_->PutEnrollment(e).status(),
            InvalidArgumentError("enrollment: class_id 3 does not exist"));
  Enrollment missing;
  EXPECT_EQ(store_->PutEnrollment(missing).status(),
            InvalidArgumentError("enrollment: class_id is missing"));
  Course c;
  c.id = 9;
  c.required_competencies = {123};
  EXPECT_EQ(store_->PutCourse(c).status(),
            InvalidArgumentError("course 9: required_competencies[0] 123 does not exist"));
  EXPECT_EQ(store_->GetPerson(1).status(), NotFoundError("person 1 does not exist"));
  auto people = store_->ListPeople({}, {});
  PW_ASSERT_OK(people);
  EXPECT_TRUE(people->items.empty());
}

TEST_P(StoreTest, SourceIdOfAnotherRowIsAlreadyExists) {
  SeedSchool(2);
  Person p = *store_->GetPerson(students_[1]);
  p.source_id = "s-0";
  EXPECT_EQ(store_->PutPerson(p).status(),
            AlreadyExistsError(fmt::format("person {}: source_id \"s-0\" already belongs to id {}",
                                           students_[1], students_[0])));
  EXPECT_EQ(store_->GetPerson(students_[1])->source_id, "s-1");
}

TEST_P(StoreTest, PersonSessionCourseClassEnrollmentRoundTrip) {
  SeedSchool(1);
  Person p;
  p.source_id = "g-1";
  p.given_name = "Grace";
  p.family_name = "O'Guardian";
  p.role = Role::kGuardian;
  p.email = "grace@example.org";
  p.grade = "";
  p.org_id = school_.id;
  PW_ASSERT_OK(store_->PutPerson(p));
  auto got = store_->FindPersonBySourceId("g-1");
  PW_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  const Person& g = **got;
  EXPECT_EQ(g.id, p.id);
  EXPECT_EQ(g.given_name, "Grace");
  EXPECT_EQ(g.family_name, "O'Guardian");
  EXPECT_EQ(g.role, Role::kGuardian);
  EXPECT_EQ(g.email, "grace@example.org");
  EXPECT_EQ(g.org_id, school_.id);
  EXPECT_FALSE(store_->FindPersonBySourceId("nobody")->has_value());

  AcademicSession year{0,
                       "y-2027",
                       "2026-27",
                       SessionType::kSchoolYear,
                       DateFromCivil(2026, 8, 24),
                       DateFromCivil(2027, 6, 11),
                       kNoId,
                       2027};
  PW_ASSERT_OK(store_->PutSession(year));
  AcademicSession term{0,
                       "t-1",
                       "Fall",
                       SessionType::kSemester,
                       DateFromCivil(2026, 8, 24),
                       DateFromCivil(2026, 12, 18),
                       year.id,
                       2027};
  PW_ASSERT_OK(store_->PutSession(term));
  auto sessions = store_->ListSessions();
  PW_ASSERT_OK(sessions);
  ASSERT_EQ(sessions->size(), 2u);
  const AcademicSession& s = (*sessions)[1];
  EXPECT_EQ(s.id, term.id);
  EXPECT_EQ(s.source_id, "t-1");
  EXPECT_EQ(s.title, "Fall");
  EXPECT_EQ(s.type, SessionType::kSemester);
  EXPECT_EQ(s.start, DateFromCivil(2026, 8, 24));
  EXPECT_EQ(s.end, DateFromCivil(2026, 12, 18));
  EXPECT_EQ(s.parent_id, year.id);
  EXPECT_EQ(s.school_year, 2027);
  AcademicSession backwards = term;
  backwards.end = DateFromCivil(2026, 1, 1);
  EXPECT_EQ(store_->PutSession(backwards).status(),
            InvalidArgumentError(
                fmt::format("session {}: end 2026-01-01 is before start 2026-08-24", term.id)));

  Course course;
  course.source_id = "math-6";
  course.title = "Math 6";
  course.code = "M6";
  course.org_id = school_.id;
  course.framework_id = framework_.id;
  course.required_competencies = {competencies_[2], competencies_[0]};
  auto r = store_->PutCourse(course);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  auto c = store_->GetCourse(course.id);
  PW_ASSERT_OK(c);
  EXPECT_EQ(c->source_id, "math-6");
  EXPECT_EQ(c->title, "Math 6");
  EXPECT_EQ(c->code, "M6");
  EXPECT_EQ(c->org_id, school_.id);
  EXPECT_EQ(c->framework_id, framework_.id);
  EXPECT_EQ(c->required_competencies, (std::vector<Id>{competencies_[2], competencies_[0]}));
  EXPECT_EQ(*store_->PutCourse(course), PutOutcome::kUnchanged);
  // Only the child list changes: still an update.
  course.required_competencies = {competencies_[0]};
  EXPECT_EQ(*store_->PutCourse(course), PutOutcome::kUpdated);
  auto courses = store_->ListCourses();
  PW_ASSERT_OK(courses);
  ASSERT_EQ(courses->size(), 1u);
  EXPECT_EQ((*courses)[0].required_competencies, std::vector<Id>{competencies_[0]});

  ClassSection cls{0, "c-1", "Math 6 (P1)", course.id, school_.id, term.id, "1"};
  PW_ASSERT_OK(store_->PutClass(cls));
  auto gc = store_->GetClass(cls.id);
  PW_ASSERT_OK(gc);
  EXPECT_EQ(gc->source_id, "c-1");
  EXPECT_EQ(gc->title, "Math 6 (P1)");
  EXPECT_EQ(gc->course_id, course.id);
  EXPECT_EQ(gc->school_id, school_.id);
  EXPECT_EQ(gc->session_id, term.id);
  EXPECT_EQ(gc->period, "1");

  Enrollment e;
  e.source_id = "e-1";
  e.class_id = cls.id;
  e.person_id = students_[0];
  e.role = EnrollmentRole::kStudent;
  e.primary = true;
  e.begin = Date{0};  // 1970-01-01 is a real date, not "absent"
  PW_ASSERT_OK(store_->PutEnrollment(e));
  Enrollment t;
  t.class_id = cls.id;
  t.person_id = teacher_;
  t.role = EnrollmentRole::kTeacher;
  t.end = DateFromCivil(2026, 12, 18);
  PW_ASSERT_OK(store_->PutEnrollment(t));
  auto es = store_->ListEnrollments(cls.id, std::nullopt);
  PW_ASSERT_OK(es);
  ASSERT_EQ(es->size(), 2u);
  EXPECT_EQ((*es)[0].source_id, "e-1");
  EXPECT_EQ((*es)[0].person_id, students_[0]);
  EXPECT_EQ((*es)[0].role, EnrollmentRole::kStudent);
  EXPECT_TRUE((*es)[0].primary);
  EXPECT_EQ((*es)[0].begin, Date{0});
  EXPECT_EQ((*es)[0].end, std::nullopt);
  EXPECT_EQ((*es)[1].role, EnrollmentRole::kTeacher);
  EXPECT_FALSE((*es)[1].primary);
  EXPECT_EQ((*es)[1].begin, std::nullopt);
  EXPECT_EQ((*es)[1].end, DateFromCivil(2026, 12, 18));
  // Without ids, (class, person) finds the same enrollment again.
  Enrollment t2 = t;
  t2.id = kNoId;
  EXPECT_EQ(*store_->PutEnrollment(t2), PutOutcome::kUnchanged);
  EXPECT_EQ(t2.id, t.id);
  t2.id = kNoId;
  t2.role = EnrollmentRole::kAide;
  EXPECT_EQ(*store_->PutEnrollment(t2), PutOutcome::kUpdated);
  EXPECT_EQ(t2.id, t.id);
  auto by_person = store_->ListEnrollments(std::nullopt, teacher_);
  PW_ASSERT_OK(by_person);
  ASSERT_EQ(by_person->size(), 1u);
  EXPECT_EQ((*by_person)[0].role, EnrollmentRole::kAide);

  auto classes = store_->ListClasses({.school_id = school_.id});
  PW_ASSERT_OK(classes);
  EXPECT_EQ(classes->size(), 1u);
  classes = store_->ListClasses({.person_id = students_[0]});
  PW_ASSERT_OK(classes);
  ASSERT_EQ(classes->size(), 1u);
  EXPECT_EQ((*classes)[0].id, cls.id);
  classes = store_->ListClasses({.school_id = district_.id});
  PW_ASSERT_OK(classes);
  EXPECT_TRUE(classes->empty());
}

TEST_P(StoreTest, GuardianLinks) {
  SeedSchool(2);
  Person g;
  g.role = Role::kGuardian;
  g.given_name = "Pat";
  PW_ASSERT_OK(store_->PutPerson(g));
  auto r = store_->PutGuardianLink({g.id, students_[0], "parent"});
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  EXPECT_EQ(*store_->PutGuardianLink({g.id, students_[0], "parent"}), PutOutcome::kUnchanged);
  EXPECT_EQ(*store_->PutGuardianLink({g.id, students_[0], "guardian"}), PutOutcome::kUpdated);
  PW_ASSERT_OK(store_->PutGuardianLink({g.id, students_[1], "parent"}));
  auto children = store_->ListGuardianLinks(std::nullopt, g.id);
  PW_ASSERT_OK(children);
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[0].student_id, students_[0]);
  EXPECT_EQ((*children)[0].relation, "guardian");
  auto guardians = store_->ListGuardianLinks(students_[1], std::nullopt);
  PW_ASSERT_OK(guardians);
  ASSERT_EQ(guardians->size(), 1u);
  EXPECT_EQ((*guardians)[0].guardian_id, g.id);
  EXPECT_EQ(store_->PutGuardianLink({g.id, 999, "parent"}).status(),
            InvalidArgumentError(
                fmt::format("guardian link {} -> 999: student_id 999 does not exist", g.id)));
}

// Pages through ListPeople and checks that the pages together are exactly `expected`.
void ExpectPagesCover(Store& store, const PersonFilter& filter, int limit,
                      const std::vector<Id>& expected) {
  std::vector<Id> seen;
  PageRequest page{kNoId, limit};
  for (int guard = 0; guard < 1000; ++guard) {
    auto r = store.ListPeople(filter, page);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_LE(static_cast<int>(r->items.size()), limit);
    for (const Person& p : r->items) seen.push_back(p.id);
    if (!r->next_after) break;
    EXPECT_EQ(static_cast<int>(r->items.size()), limit);
    EXPECT_EQ(*r->next_after, r->items.back().id);
    page.after = *r->next_after;
  }
  EXPECT_EQ(seen, expected);  // ascending, nothing lost, nothing twice
}

TEST_P(StoreTest, PeoplePagingAndFilters) {
  SeedSchool(0);
  Org other{0, "school-2", "Other", OrgType::kSchool, district_.id};
  PW_ASSERT_OK(store_->PutOrg(other));
  ClassSection cls{0, "c-1", "Class", kNoId, school_.id, kNoId, ""};
  PW_ASSERT_OK(store_->PutClass(cls));
  std::vector<Id> all{teacher_}, students, in_school, in_class;
  in_school.push_back(teacher_);
  for (int i = 0; i < 53; ++i) {
    Person p;
    p.given_name = fmt::format("P{}", i);
    p.role = i % 5 == 0 ? Role::kTeacher : Role::kStudent;
    p.org_id = i % 3 == 0 ? other.id : school_.id;
    PW_ASSERT_OK(store_->PutPerson(p));
    all.push_back(p.id);
    if (p.role == Role::kStudent) students.push_back(p.id);
    if (p.org_id == school_.id) in_school.push_back(p.id);
    if (i % 4 == 0) {
      Enrollment e;
      e.class_id = cls.id;
      e.person_id = p.id;
      PW_ASSERT_OK(store_->PutEnrollment(e));
      // A second enrollment of the same person must not duplicate them in the list.
      Enrollment aide;
      aide.source_id = "dup-" + std::to_string(i);
      aide.class_id = cls.id;
      aide.person_id = p.id;
      aide.role = EnrollmentRole::kAide;
      PW_ASSERT_OK(store_->PutEnrollment(aide));
      in_class.push_back(p.id);
    }
  }
  for (int limit : {1, 7, 10, 100}) {
    SCOPED_TRACE(limit);
    ExpectPagesCover(*store_, {}, limit, all);
    ExpectPagesCover(*store_, {.role = Role::kStudent}, limit, students);
    ExpectPagesCover(*store_, {.org_id = school_.id}, limit, in_school);
    ExpectPagesCover(*store_, {.class_id = cls.id}, limit, in_class);
  }
  std::vector<Id> students_in_school_and_class;
  for (Id id : in_class) {
    auto p = store_->GetPerson(id);
    if (p->role == Role::kStudent && p->org_id == school_.id) {
      students_in_school_and_class.push_back(id);
    }
  }
  ExpectPagesCover(*store_, {.role = Role::kStudent, .org_id = school_.id, .class_id = cls.id}, 2,
                   students_in_school_and_class);
  EXPECT_EQ(store_->ListPeople({}, {.after = 0, .limit = 0}).status(),
            InvalidArgumentError("page limit 0 is outside 1..10000"));
  EXPECT_EQ(store_->ListPeople({}, {.after = 0, .limit = 10001}).status(),
            InvalidArgumentError("page limit 10001 is outside 1..10000"));
}

TEST_P(StoreTest, Meta) {
  auto v = store_->GetMeta("demo.seed");
  PW_ASSERT_OK(v);
  EXPECT_FALSE(v->has_value());
  PW_ASSERT_OK(store_->SetMeta("demo.seed", "7"));
  PW_ASSERT_OK(store_->SetMeta("demo.seed", "8"));
  EXPECT_EQ(store_->GetMeta("demo.seed")->value_or(""), "8");
  EXPECT_EQ(store_->SetMeta("", "x"), InvalidArgumentError("meta: the key is empty"));
}

}  // namespace
}  // namespace pw::testing
