#include "core/time.h"

#include <gtest/gtest.h>

namespace pw {
namespace {

TEST(TimeTest, CivilRoundTrip) {
  EXPECT_EQ(DateFromCivil(1970, 1, 1).days, 0);
  EXPECT_EQ(DateFromCivil(2000, 3, 1).days, 11017);
  for (int d = -800000; d < 800000; d += 37) {
    int y;
    unsigned m, day;
    CivilFromDate(Date{d}, &y, &m, &day);
    EXPECT_EQ(DateFromCivil(y, m, day).days, d);
  }
  EXPECT_EQ(Weekday(DateFromCivil(2026, 11, 26)), 3);  // a Thursday
}

TEST(TimeTest, FormatAndParse) {
  Timestamp t = *ParseTimestamp("2026-09-01T08:30:05.250Z");
  EXPECT_EQ(FormatTimestamp(t), "2026-09-01T08:30:05.250Z");
  EXPECT_EQ(*ParseTimestamp("2026-09-01T10:30:05.250+02:00"), t);
  EXPECT_EQ(*ParseTimestamp("2026-09-01T03:30:05.25-0500"), t);
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2026-09-01")), "2026-09-01T00:00:00.000Z");
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
  EXPECT_EQ(FormatTimestamp(Timestamp{-1}), "1969-12-31T23:59:59.999Z");
}

TEST(TimeTest, RejectsBadText) {
  EXPECT_EQ(ParseDate("2023-02-29").status().message(), "no such calendar date: \"2023-02-29\"");
  EXPECT_FALSE(ParseDate("2023-2-1").ok());
  EXPECT_FALSE(ParseDate("2023-02-01x").ok());
  EXPECT_FALSE(ParseTimestamp("2026-09-01T25:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2026-09-01T08:30Q").ok());
  EXPECT_FALSE(ParseTimestamp("").ok());
}

TEST(TimeTest, FixedClock) {
  FixedClock clock(Timestamp{1000});
  clock.Advance(500);
  EXPECT_EQ(clock.Now().millis, 1500);
}

}  // namespace
}  // namespace pw
