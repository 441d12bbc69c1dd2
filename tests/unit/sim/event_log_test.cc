#include "sim/event_log.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "sim/timestamp_text.h"
#include "testing/test_util.h"

namespace pw::sim {
namespace {

TEST(EventLogTest, EveryStudentAnswersExactlyMTimesInTimeOrder) {
  SimpleSimOptions o{.students = 50, .skills = 12, .events_per_student = 70};
  GroundTruth truth;
  Result<EventBatch> ev = SimulateEvents(o, 1, &truth);
  PW_ASSERT_OK(ev);
  ASSERT_EQ(ev->size(), 50u * 70u);
  for (std::size_t i = 0; i < ev->size(); ++i) {
    EXPECT_EQ(ev->student_id[i], static_cast<std::int32_t>(i / 70) + 1);
    if (i % 70 != 0) {
      EXPECT_GT(ev->time_ms[i], ev->time_ms[i - 1]);
    }
    EXPECT_GE(ev->skill_id[i], 1);
    EXPECT_LE(ev->skill_id[i], 12);
    // Item j of skill c (1-based id) is c * items_per_skill + j + 1.
    EXPECT_EQ((ev->item_id[i] - 1) / o.items_per_skill, ev->skill_id[i] - 1);
    // The known flag is the ground truth just before the answer.
    EXPECT_EQ(ev->known[i] != 0,
              truth.Knew(Id{ev->student_id[i]}, Id{ev->skill_id[i]}, Timestamp{ev->time_ms[i]}))
        << "row " << i;
  }
  EXPECT_EQ(ev->time_ms[0] / kMillisPerDay, o.start.millis / kMillisPerDay);
}

TEST(EventLogTest, SameSeedSameEventsOtherSeedDifferent) {
  SimpleSimOptions o{.students = 30, .skills = 10, .events_per_student = 40};
  Result<EventBatch> a = SimulateEvents(o, 42), b = SimulateEvents(o, 42),
                     c = SimulateEvents(o, 43);
  PW_ASSERT_OK(a);
  PW_ASSERT_OK(b);
  PW_ASSERT_OK(c);
  std::string ta, tb, tc;
  AppendEventsCsv(*a, &ta);
  AppendEventsCsv(*b, &tb);
  AppendEventsCsv(*c, &tc);
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
}

TEST(EventLogTest, StudentsFollowThePrerequisiteOrder) {
  SimpleSimOptions o{.students = 100, .skills = 30, .events_per_student = 150};
  Result<SimpleSimulation> sim = SimpleSimulation::Create(o, 4);
  PW_ASSERT_OK(sim);
  EventBatch all;
  PW_ASSERT_OK(sim->Run([&](const EventBatch& b) { all.Append(b); }));
  const CompetencyGraph& g = sim->graph();
  int checked = 0;
  std::set<std::int32_t> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i % 150 == 0) seen.clear();
    const int c = g.IndexOf(all.skill_id[i]);
    if (seen.insert(all.skill_id[i]).second) {
      // The first answer on a skill comes after answers on each of its prerequisites (they
      // had to be passed first).
      for (int pre : g.Prerequisites(c)) {
        EXPECT_TRUE(seen.count(static_cast<std::int32_t>(g.node(pre).id)))
            << "student " << all.student_id[i] << " skill " << all.skill_id[i];
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(EventLogTest, CsvRowsUseFormatTimestamp) {
  SimpleSimOptions o{.students = 3, .skills = 4, .events_per_student = 5};
  Result<EventBatch> ev = SimulateEvents(o, 9);
  PW_ASSERT_OK(ev);
  std::string text;
  AppendEventsCsv(*ev, &text);
  std::istringstream lines(text);
  std::string line;
  for (std::size_t i = 0; i < ev->size(); ++i) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, fmt::format("{},{},{},{},{},{}", ev->student_id[i], ev->skill_id[i],
                                ev->item_id[i], FormatTimestamp(Timestamp{ev->time_ms[i]}),
                                int{ev->correct[i]}, int{ev->known[i]}));
  }
  EXPECT_FALSE(std::getline(lines, line));
  EXPECT_EQ(std::string(kEventsCsvHeader), "student_id,skill_id,item_id,timestamp,correct,known\n");
}

TEST(EventLogTest, TimestampTextMatchesFormatTimestamp) {
  TimestampText ts;
  Rng rng(5);
  char buf[TimestampText::kLength];
  for (int i = 0; i < 2000; ++i) {
    // Anywhere from 1970 to 2099, in random order so the day cache is exercised.
    const Timestamp t{static_cast<std::int64_t>(rng.Below(4'102'444'800'000ULL))};
    ASSERT_EQ(ts.Write(t, buf), buf + TimestampText::kLength);
    EXPECT_EQ(std::string(buf, TimestampText::kLength), FormatTimestamp(t));
  }
}

TEST(EventLogTest, TruthCsvHasOneRowPerStudentAndSkill) {
  SimpleSimOptions o{.students = 4, .skills = 3, .events_per_student = 30};
  GroundTruth truth;
  PW_ASSERT_OK(SimulateEvents(o, 2, &truth));
  std::ostringstream out;
  WriteTruthCsv(truth, out);
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 4 * 3);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "student_id,skill_id,ability,learn_rate,struggling,prior,learn,guess,slip,forget,"
            "initially_known,non_learner,attempts,first_known,known_at_end");
}

TEST(EventLogTest, RejectsBadOptions) {
  EXPECT_EQ(SimulateEvents({.students = 0}, 1).status().message(),
            "students must be at least 1, got 0");
  EXPECT_EQ(SimulateEvents({.students = 1, .skills = 0}, 1).status().message(),
            "skills must be at least 1, got 0");
  EXPECT_EQ(
      SimulateEvents({.students = 1, .skills = 1, .events_per_student = 0}, 1).status().message(),
      "events per student must be at least 1, got 0");
}

TEST(EventLogTest, RunsOnce) {
  Result<SimpleSimulation> sim = SimpleSimulation::Create({.students = 2, .skills = 2}, 1);
  PW_ASSERT_OK(sim);
  PW_ASSERT_OK(sim->Run([](const EventBatch&) {}));
  EXPECT_EQ(sim->Run([](const EventBatch&) {}).message(), "a SimpleSimulation runs only once");
}

}  // namespace
}  // namespace pw::sim
