// Evidence (bulk append, validation, paging, scans, counts) and the non-achievement records,
// on both backends.
#include <algorithm>
#include <set>
#include <tuple>

#include "fixture.h"
#include "store/sqlite/sqlite_store.h"

namespace pw::testing {
namespace {

class EvidenceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    SeedSchool(4);
  }

  // 4 students x 3 competencies x 5 times, interleaved, plus some activity-only events.
  std::vector<EvidenceEvent> MakeEvents() {
    std::vector<EvidenceEvent> events;
    for (int t = 0; t < 5; ++t) {
      for (size_t s = 0; s < students_.size(); ++s) {
        for (size_t c = 0; c < competencies_.size(); ++c) {
          // Times go backwards for some students so that time order != id order.
          const std::int64_t millis =
              1'000'000 + (s % 2 == 0 ? t : 10 - t) * 60'000 + static_cast<std::int64_t>(c);
          events.push_back(Event(students_[s], competencies_[c], millis, (t + c) % 2 == 0));
        }
      }
      EvidenceEvent a;
      a.student_id = students_[static_cast<size_t>(t) % students_.size()];
      a.activity_id = activities_[static_cast<size_t>(t) % 2];
      a.time = Timestamp{2'000'000 + t};
      a.kind = OutcomeKind::kScore;
      a.score = 0.25 * t;
      a.source_system = "xapi:app";
      a.source_record = "stmt-" + std::to_string(t);
      events.push_back(a);
    }
    return events;
  }
};

TEST_P(EvidenceTest, EveryFieldRoundTrips) {
  std::vector<EvidenceEvent> events(3);
  events[0].id = 12345;  // ignored: new rows get new ids
  events[0].student_id = students_[0];
  events[0].activity_id = activities_[1];
  events[0].competency_id = competencies_[1];
  events[0].time = Timestamp{1'788'000'000'321};
  events[0].kind = OutcomeKind::kRubric;
  events[0].score = 0.75;
  events[0].rubric_level = 3;
  events[0].rubric_max = 4;
  events[0].source_system = "import:scores";
  events[0].source_record = "row-17";
  events[0].duration_ms = 90'500;
  events[1] = Event(students_[1], competencies_[0], -5, false);  // before 1970: still exact
  events[1].source_system.clear();
  events[2].student_id = students_[2];
  events[2].activity_id = activities_[0];
  events[2].kind = OutcomeKind::kScore;
  events[2].score = 1.0 / 3.0;
  events[2].source_system = "import:scores";
  PW_ASSERT_OK(store_->AppendEvidence(events));
  EXPECT_NE(events[0].id, 12345);
  EXPECT_LT(events[0].id, events[1].id);
  EXPECT_LT(events[1].id, events[2].id);

  auto page = store_->ListEvidence({}, {});
  PW_ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_FALSE(page->next_after);
  for (size_t i = 0; i < 3; ++i) {
    const EvidenceEvent& want = events[i];
    const EvidenceEvent& got = page->items[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.student_id, want.student_id);
    EXPECT_EQ(got.activity_id, want.activity_id);
    EXPECT_EQ(got.competency_id, want.competency_id);
    EXPECT_EQ(got.time, want.time);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.score, want.score);
    EXPECT_EQ(got.rubric_level, want.rubric_level);
    EXPECT_EQ(got.rubric_max, want.rubric_max);
    EXPECT_EQ(got.source_system, want.source_system);
    EXPECT_EQ(got.source_record, want.source_record);
    EXPECT_EQ(got.duration_ms, want.duration_ms);
  }
  // The source system is stored once.
  EXPECT_EQ(*store_->CountEvidence({}), 3);
}

// Text that a PostgreSQL array literal must quote (the batch insert sends the events as
// arrays) comes back as it was sent, and ids follow the events' order.
TEST_P(EvidenceTest, QuotedTextRoundTripsInOrder) {
  const std::string tricky = "row \"7\", \\ {a,b} NULL 'x' \u00e9";
  std::vector<EvidenceEvent> events;
  for (int i = 0; i < 5; ++i) {
    EvidenceEvent e = Event(students_[i % 2], competencies_[0], 1000 + i, i % 2 == 0);
    e.source_system = i == 3 ? "NULL" : "import:" + tricky;
    e.source_record = i == 4 ? "" : tricky + std::to_string(i);
    events.push_back(e);
  }
  PW_ASSERT_OK(store_->AppendEvidence(events));
  auto page = store_->ListEvidence({}, {});
  PW_ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(page->items[i].id, events[i].id);
    EXPECT_EQ(page->items[i].time, events[i].time);
    EXPECT_EQ(page->items[i].source_system, events[i].source_system);
    EXPECT_EQ(page->items[i].source_record, events[i].source_record);
  }
}

TEST_P(EvidenceTest, DeleteReturnsTheRowsAsTheyWereAndSkipsUnknownIds) {
  std::vector<EvidenceEvent> events = {Event(students_[0], competencies_[0], 10, true),
                                       Event(students_[1], competencies_[1], 20, false),
                                       Event(students_[2], competencies_[0], 30, true)};
  events[1].source_system = "xapi:app";
  events[1].source_record = "0b5f4b5e-0000-4000-8000-000000000001";
  PW_ASSERT_OK(store_->AppendEvidence(events));
  const std::vector<Id> ids = {events[1].id, 999'999, events[2].id};
  auto gone = store_->DeleteEvidence(ids);
  PW_ASSERT_OK(gone);
  ASSERT_EQ(gone->size(), 2u);
  EXPECT_EQ((*gone)[0].id, events[1].id);
  EXPECT_EQ((*gone)[0].student_id, students_[1]);
  EXPECT_EQ((*gone)[0].source_system, "xapi:app");
  EXPECT_EQ((*gone)[0].source_record, events[1].source_record);
  EXPECT_EQ((*gone)[0].time, events[1].time);
  EXPECT_EQ((*gone)[1].id, events[2].id);
  auto left = store_->ListEvidence({}, {});
  PW_ASSERT_OK(left);
  ASSERT_EQ(left->items.size(), 1u);
  EXPECT_EQ(left->items[0].id, events[0].id);
  // Again: nothing left to delete.
  EXPECT_TRUE(store_->DeleteEvidence(ids)->empty());
}

// A student found valid once need not be looked up again for the next batch (SQLite remembers
// it per mapping generation), but a role change -- on this connection, on another one, or in the
// same transaction -- is seen at once, and nothing outlives a rollback.
TEST_P(EvidenceTest, AStudentWhoseRoleChangesIsRejectedAtOnce) {
  auto append = [&](Id student) {
    std::vector<EvidenceEvent> events = {Event(student, competencies_[0], 1, true)};
    return store_->AppendEvidence(events);
  };
  const std::string teacher_now =
      fmt::format("evidence 0: student_id {} is a teacher, not a student", students_[0]);
  PW_ASSERT_OK(append(students_[0]));
  PW_ASSERT_OK(append(students_[0]));
  auto person = store_->GetPerson(students_[0]);
  PW_ASSERT_OK(person);
  Person p = *person;
  p.role = Role::kTeacher;
  PW_ASSERT_OK(store_->PutPerson(p).status());
  EXPECT_EQ(append(students_[0]).message(), teacher_now);
  // Changed back by another connection.
  p.role = Role::kStudent;
  {
    auto other = Reopen();
    ASSERT_NE(other, nullptr);
    PW_ASSERT_OK(other->PutPerson(p).status());
  }
  PW_ASSERT_OK(append(students_[0]));
  {
    auto other = Reopen();
    ASSERT_NE(other, nullptr);
    p.role = Role::kTeacher;
    PW_ASSERT_OK(other->PutPerson(p).status());
  }
  EXPECT_EQ(append(students_[0]).message(), teacher_now);
  // Inside one transaction: valid, then changed, then checked again.
  p.role = Role::kStudent;
  PW_ASSERT_OK(store_->PutPerson(p).status());
  PW_ASSERT_OK(append(students_[0]));
  Status in_one = store_->Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(append(students_[0]));
    Person t = p;
    t.role = Role::kTeacher;
    PW_RETURN_IF_ERROR(store_->PutPerson(t).status());
    return append(students_[0]);
  });
  EXPECT_EQ(in_one.message(), teacher_now);
  // A student created and checked in a transaction that rolls back is gone again.
  Id created = kNoId;
  Status rolled_back = store_->Transaction([&]() -> Status {
    Person n;
    n.source_id = "new-student";
    n.given_name = "New";
    n.family_name = "Student";
    n.role = Role::kStudent;
    n.org_id = school_.id;
    PW_RETURN_IF_ERROR(store_->PutPerson(n).status());
    created = n.id;
    PW_RETURN_IF_ERROR(append(created));
    return InternalError("roll back");
  });
  EXPECT_EQ(rolled_back.message(), "roll back");
  EXPECT_EQ(append(created).message(),
            fmt::format("evidence 0: student_id {} does not exist", created));
}

TEST_P(EvidenceTest, BadEventsAreRejectedWithTheirIndexAndNothingIsWritten) {
  struct Case {
    std::function<void(EvidenceEvent&)> spoil;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](EvidenceEvent& e) { e.student_id = kNoId; }, "evidence 2: student is missing"},
      {[](EvidenceEvent& e) { e.score = 1.5; }, "evidence 2: score 1.5 is outside [0, 1]"},
      {[](EvidenceEvent& e) { e.kind = OutcomeKind::kIncorrect; },
       "evidence 2: an incorrect answer has score 0"},
      {[](EvidenceEvent& e) { e.competency_id = kNoId; },
       "evidence 2: needs an activity or a competency"},
      {[](EvidenceEvent& e) { e.student_id = 9999; }, "evidence 2: student_id 9999 does not exist"},
      {[this](EvidenceEvent& e) { e.student_id = teacher_; },
       fmt::format("evidence 2: student_id {} is a teacher, not a student", teacher_)},
      {[](EvidenceEvent& e) { e.competency_id = 8888; },
       "evidence 2: competency_id 8888 does not exist"},
      {[](EvidenceEvent& e) { e.activity_id = 7777; },
       "evidence 2: activity_id 7777 does not exist"},
      {[](EvidenceEvent& e) {
         e.kind = OutcomeKind::kRubric;
         e.rubric_level = 5;
         e.rubric_max = 4;
       },
       "evidence 2: rubric level 5 is not within 0..4"},
  };
  for (const Case& c : cases) {
    std::vector<EvidenceEvent> events;
    for (int i = 0; i < 4; ++i) events.push_back(Event(students_[0], competencies_[0], i, true));
    events[3].source_system = "brand-new-system";
    c.spoil(events[2]);
    Status s = store_->AppendEvidence(events);
    EXPECT_EQ(s, InvalidArgumentError(c.message));
    EXPECT_EQ(*store_->CountEvidence({}), 0);
  }
  // The source system of the failed batch was not left behind either: a good batch works and
  // reads its name back.
  std::vector<EvidenceEvent> good = {Event(students_[0], competencies_[0], 1, true)};
  good[0].source_system = "brand-new-system";
  PW_ASSERT_OK(store_->AppendEvidence(good));
  EXPECT_EQ(store_->ListEvidence({}, {})->items.at(0).source_system, "brand-new-system");
}

TEST_P(EvidenceTest, PagingCoversEveryRowOnceForEveryFilter) {
  std::vector<EvidenceEvent> events = MakeEvents();
  PW_ASSERT_OK(store_->AppendEvidence(events));
  auto matches = [](const EvidenceFilter& f, const EvidenceEvent& e) {
    return (!f.student_id || e.student_id == *f.student_id) &&
           (!f.competency_id || e.competency_id == *f.competency_id) &&
           (!f.activity_id || e.activity_id == *f.activity_id) &&
           (!f.since || e.time >= *f.since) && (!f.until || e.time < *f.until);
  };
  std::vector<EvidenceFilter> filters = {
      {},
      {.student_id = students_[1]},
      {.competency_id = competencies_[2]},
      {.activity_id = activities_[0]},
      {.since = Timestamp{1'120'000}},
      {.until = Timestamp{1'120'000}},
      {.student_id = students_[0],
       .competency_id = competencies_[1],
       .since = Timestamp{1'060'000},
       .until = Timestamp{1'240'000}},
      {.student_id = 424242},
  };
  for (size_t fi = 0; fi < filters.size(); ++fi) {
    const EvidenceFilter& f = filters[fi];
    std::vector<Id> expected;
    for (const EvidenceEvent& e : events) {
      if (matches(f, e)) expected.push_back(e.id);
    }
    EXPECT_EQ(*store_->CountEvidence(f), static_cast<std::int64_t>(expected.size())) << fi;
    for (int limit : {1, 4, 1000}) {
      SCOPED_TRACE(fmt::format("filter {} limit {}", fi, limit));
      std::vector<Id> seen;
      PageRequest page{kNoId, limit};
      while (true) {
        auto r = store_->ListEvidence(f, page);
        PW_ASSERT_OK(r);
        for (const EvidenceEvent& e : r->items) {
          EXPECT_TRUE(matches(f, e));
          seen.push_back(e.id);
        }
        if (!r->next_after) break;
        page.after = *r->next_after;
      }
      EXPECT_EQ(seen, expected);
    }
  }
}

TEST_P(EvidenceTest, ScanIsOrderedByStudentTimeIdAndCanStop) {
  std::vector<EvidenceEvent> events = MakeEvents();
  // Two events at the same time for one student: id breaks the tie.
  events.push_back(Event(students_[0], competencies_[0], 1'000'000, true));
  PW_ASSERT_OK(store_->AppendEvidence(events));
  std::vector<std::tuple<Id, std::int64_t, Id>> expected;
  for (const EvidenceEvent& e : events) expected.emplace_back(e.student_id, e.time.millis, e.id);
  std::sort(expected.begin(), expected.end());
  std::vector<std::tuple<Id, std::int64_t, Id>> seen;
  PW_ASSERT_OK(store_->ScanEvidence({}, [&](const EvidenceEvent& e) {
    seen.emplace_back(e.student_id, e.time.millis, e.id);
    return OkStatus();
  }));
  EXPECT_EQ(seen, expected);

  // Filtered scan; the callback may read through the same store while the scan runs.
  int n = 0;
  PW_ASSERT_OK(
      store_->ScanEvidence({.competency_id = competencies_[1]}, [&](const EvidenceEvent& e) {
        EXPECT_EQ(e.competency_id, competencies_[1]);
        auto nested = store_->CountEvidence({.competency_id = competencies_[1]});
        if (!nested.ok()) return nested.status();
        ++n;
        return OkStatus();
      }));
  EXPECT_EQ(n, 20);

  // The callback stops the scan; its status comes back.
  int calls = 0;
  Status s = store_->ScanEvidence({}, [&](const EvidenceEvent&) {
    return ++calls == 3 ? FailedPreconditionError("enough") : OkStatus();
  });
  EXPECT_EQ(s, FailedPreconditionError("enough"));
  EXPECT_EQ(calls, 3);
}

TEST_P(EvidenceTest, LongScansLoseAndRepeatNothing) {
  // More rows than one PostgreSQL scan chunk (2000), many sharing a timestamp, so the keyset
  // continuation has to break ties on id across chunk boundaries.
  std::vector<EvidenceEvent> events;
  for (int i = 0; i < 4500; ++i) {
    events.push_back(
        Event(students_[static_cast<size_t>(i % 3)], competencies_[0], (i / 7) * 1000, i % 2 == 0));
  }
  PW_ASSERT_OK(store_->AppendEvidence(events));
  std::vector<std::tuple<Id, std::int64_t, Id>> expected, seen;
  for (const EvidenceEvent& e : events) expected.emplace_back(e.student_id, e.time.millis, e.id);
  std::sort(expected.begin(), expected.end());
  PW_ASSERT_OK(store_->ScanEvidence({}, [&](const EvidenceEvent& e) {
    seen.emplace_back(e.student_id, e.time.millis, e.id);
    return OkStatus();
  }));
  EXPECT_EQ(seen, expected);
}

TEST_P(EvidenceTest, Attendance) {
  const Date d1 = DateFromCivil(2026, 9, 1), d2 = DateFromCivil(2026, 9, 2),
             d3 = DateFromCivil(2026, 9, 3);
  std::vector<AttendanceRecord> records = {
      {students_[0], d2, AttendanceStatus::kTardy, "sis"},
      {students_[0], d1, AttendanceStatus::kPresent, "sis"},
      {students_[1], d1, AttendanceStatus::kExcusedAbsence, "sis"},
      {students_[0], d3, AttendanceStatus::kUnexcusedAbsence, "sis"},
  };
  PW_ASSERT_OK(store_->PutAttendance(records));
  // A second record for the same day replaces the first.
  std::vector<AttendanceRecord> fix = {{students_[0], d2, AttendanceStatus::kPresent, "teacher"}};
  PW_ASSERT_OK(store_->PutAttendance(fix));
  auto all = store_->ListAttendance(students_[0], {});
  PW_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].date, d1);
  EXPECT_EQ((*all)[1].date, d2);
  EXPECT_EQ((*all)[1].status, AttendanceStatus::kPresent);
  EXPECT_EQ((*all)[1].source_system, "teacher");
  EXPECT_EQ((*all)[2].status, AttendanceStatus::kUnexcusedAbsence);
  auto ranged = store_->ListAttendance(students_[0], {.from = d2, .to = d2});
  PW_ASSERT_OK(ranged);
  ASSERT_EQ(ranged->size(), 1u);
  EXPECT_EQ((*ranged)[0].date, d2);

  std::vector<AttendanceRecord> bad = {{students_[2], d1, AttendanceStatus::kPresent, "sis"},
                                       {teacher_, d1, AttendanceStatus::kPresent, "sis"}};
  EXPECT_EQ(store_->PutAttendance(bad),
            InvalidArgumentError(
                fmt::format("attendance 1: student_id {} is a teacher, not a student", teacher_)));
  EXPECT_TRUE(store_->ListAttendance(students_[2], {})->empty());
}

TEST_P(EvidenceTest, Behavior) {
  BehaviorIncident b;
  b.student_id = students_[0];
  b.time = StartOf(DateFromCivil(2026, 9, 2));
  b.time.millis += 3'600'000;
  b.category = "disruption";
  b.severity = 2;
  b.description = "Talked during the quiz";
  b.source_system = "sis";
  b.source_record = "inc-1";
  auto r = store_->PutBehavior(b);
  PW_ASSERT_OK(r);
  EXPECT_EQ(*r, PutOutcome::kCreated);
  // The same source record again: the same incident.
  BehaviorIncident again = b;
  again.id = kNoId;
  EXPECT_EQ(*store_->PutBehavior(again), PutOutcome::kUnchanged);
  EXPECT_EQ(again.id, b.id);
  again.id = kNoId;
  again.severity = 3;
  EXPECT_EQ(*store_->PutBehavior(again), PutOutcome::kUpdated);
  BehaviorIncident other = b;
  other.id = kNoId;
  other.source_record.clear();
  other.time = StartOf(DateFromCivil(2026, 9, 3));
  PW_ASSERT_OK(store_->PutBehavior(other));
  EXPECT_NE(other.id, b.id);

  auto day2 = store_->ListBehavior(
      students_[0], {.from = DateFromCivil(2026, 9, 2), .to = DateFromCivil(2026, 9, 2)});
  PW_ASSERT_OK(day2);
  ASSERT_EQ(day2->size(), 1u);
  const BehaviorIncident& got = (*day2)[0];
  EXPECT_EQ(got.id, b.id);
  EXPECT_EQ(got.student_id, students_[0]);
  EXPECT_EQ(got.time, b.time);
  EXPECT_EQ(got.category, "disruption");
  EXPECT_EQ(got.severity, 3);
  EXPECT_EQ(got.description, "Talked during the quiz");
  EXPECT_EQ(got.source_system, "sis");
  EXPECT_EQ(got.source_record, "inc-1");
  EXPECT_EQ(store_->ListBehavior(students_[0], {})->size(), 2u);
  other.severity = 4;
  EXPECT_EQ(store_->PutBehavior(other).status(),
            InvalidArgumentError(
                fmt::format("behavior incident {}: severity 4 is outside 1..3", other.id)));
}

TEST_P(EvidenceTest, SelScores) {
  const Date d = DateFromCivil(2026, 10, 1);
  std::vector<SelScore> scores = {
      {students_[0], d, "self-management", 3.5, 1, 5, "core-survey"},
      {students_[0], d, "growth-mindset", 4.0, 1, 5, "core-survey"},
  };
  PW_ASSERT_OK(store_->PutSel(scores));
  std::vector<SelScore> update = {{students_[0], d, "growth-mindset", 2.25, 1, 5, "core-survey"}};
  PW_ASSERT_OK(store_->PutSel(update));
  auto got = store_->ListSel(students_[0], {.from = d});
  PW_ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].scale, "growth-mindset");
  EXPECT_EQ((*got)[0].score, 2.25);
  EXPECT_EQ((*got)[1].scale, "self-management");
  EXPECT_EQ((*got)[1].score, 3.5);
  EXPECT_EQ((*got)[1].scale_min, 1);
  EXPECT_EQ((*got)[1].scale_max, 5);
  EXPECT_EQ((*got)[1].source_system, "core-survey");
  EXPECT_EQ((*got)[1].date, d);
  EXPECT_TRUE(store_->ListSel(students_[0], {.to = Date{d.days - 1}})->empty());
  std::vector<SelScore> bad = {{students_[1], d, "self-management", 6, 1, 5, "core-survey"}};
  EXPECT_EQ(store_->PutSel(bad), InvalidArgumentError("sel 0: score 6 is outside the scale 1..5"));
}

// SQLite migrations 15 and 17 rebuild evidence (15: the student its only foreign key; 17: none,
// and mastery without its two): every row and the index stay.
TEST(EvidenceMigrationTest, Versions15And17KeepTheRowsAndDropTheReferences) {
  TempDir dir;
  PW_ASSERT_OK(CreateSqliteAtVersion(
      dir.File("e.db"), 14,
      "INSERT INTO people(id, given_name, family_name, role, email, grade) VALUES "
      "(1, 'A', 'B', 'student', 'a@x', '6');"
      "INSERT INTO frameworks(id, title, subject, attribution) VALUES (1, 'F', 'math', 's');"
      "INSERT INTO competencies(id, framework_id, code, statement, grade) VALUES "
      "(3, 1, 'C', 'x', '6'), (4, 1, 'D', 'y', '6');"
      "INSERT INTO source_systems(id, name) VALUES (5, 'xapi:app');"
      "INSERT INTO evidence(id, student_id, activity_id, competency_id, time_ms, kind, score, "
      "rubric_level, rubric_max, source_system_id, source_record, duration_ms) VALUES "
      "(7, 1, NULL, 3, 1000, 0, 1.0, 0, 0, 5, 'stmt-1', 4000),"
      "(9, 1, NULL, NULL, 500, 2, 0.25, 0, 0, NULL, NULL, NULL);"
      "INSERT INTO mastery(student_id, competency_id, p, attempts, independent, correct, "
      "last_evidence_ms, last_activity_id, state, mastered_ms, override_state, "
      "override_reason, override_by, override_ms) VALUES "
      "(1, 4, 0.5, 2, 1, 1, 900, NULL, 'developing', NULL, 'mastered', 'shown', 'ms.k', 950),"
      "(1, 3, 0.9, 3, 3, 3, 1000, 2, 'mastered', 1000, NULL, NULL, NULL, NULL);"));
  auto store = SqliteStore::Open(dir.File("e.db"));
  PW_ASSERT_OK(store);
  PW_ASSERT_OK((*store)->Migrate());
  sqlite::SqliteDb& db = (*store)->db();
  auto text = [&](const std::string& sql) {
    auto st = db.Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st.ok() || !*st->Step()) return std::string("(no row)");
    return st->Text(0);
  };
  EXPECT_EQ(text("SELECT group_concat(id || ':' || student_id || ':' || "
                 "coalesce(competency_id, '-') || ':' || time_ms || ':' || score || ':' || "
                 "coalesce(source_system_id, '-') || ':' || coalesce(source_record, '-') || ':' "
                 "|| coalesce(duration_ms, '-'), ' ') FROM (SELECT * FROM evidence ORDER BY id)"),
            "7:1:3:1000:1.0:5:stmt-1:4000 9:1:-:500:0.25:-:-:-");
  EXPECT_EQ(text("SELECT group_concat(student_id || ':' || competency_id || ':' || p || ':' || "
                 "attempts || independent || correct || ':' || last_evidence_ms || ':' || "
                 "coalesce(last_activity_id, '-') || ':' || state || ':' || "
                 "coalesce(mastered_ms, '-') || ':' || coalesce(override_state, '-') || ':' || "
                 "coalesce(override_reason, '-') || ':' || coalesce(override_by, '-') || ':' || "
                 "coalesce(override_ms, '-'), ' ') FROM (SELECT * FROM mastery)"),
            "1:3:0.9:333:1000:2:mastered:1000:-:-:-:- "
            "1:4:0.5:211:900:-:developing:-:mastered:shown:ms.k:950");
  EXPECT_EQ(text("SELECT count(*) FROM pragma_foreign_key_list('evidence')"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM pragma_foreign_key_list('mastery')"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM sqlite_master WHERE name = 'evidence_by_student_time'"),
            "1");
  EXPECT_EQ(text("SELECT count(*) FROM pragma_table_info('mastery') WHERE pk > 0"), "2");
  EXPECT_EQ(text("SELECT count(*) FROM pragma_index_list('mastery')"), "1")
      << "WITHOUT ROWID: the primary key is the table";
}

INSTANTIATE_TEST_SUITE_P(Backends, EvidenceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace pw::testing
