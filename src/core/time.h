// Time in Pathwise: UTC everywhere, ISO-8601 on the wire.
//
// Timestamp is milliseconds since the Unix epoch (UTC); Date is days since 1970-01-01.
// A Clock is passed in wherever "now" matters, so tests can fix it (LevelDB's Env idea).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pw {

struct Timestamp {
  std::int64_t millis = 0;  // since 1970-01-01T00:00:00Z
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

struct Date {
  std::int32_t days = 0;  // since 1970-01-01
  friend auto operator<=>(const Date&, const Date&) = default;
};

inline constexpr std::int64_t kMillisPerDay = 86'400'000;

// Civil calendar conversions (proleptic Gregorian, H. Hinnant's algorithms).
Date DateFromCivil(int year, unsigned month, unsigned day);
void CivilFromDate(Date d, int* year, unsigned* month, unsigned* day);
inline Date DateOf(Timestamp t) {
  std::int64_t d = t.millis >= 0 ? t.millis / kMillisPerDay : (t.millis - kMillisPerDay + 1) / kMillisPerDay;
  return Date{static_cast<std::int32_t>(d)};
}
inline Timestamp StartOf(Date d) { return Timestamp{static_cast<std::int64_t>(d.days) * kMillisPerDay}; }
// 0 = Monday ... 6 = Sunday.
int Weekday(Date d);

// "2026-09-01T08:30:00.000Z" (always UTC, milliseconds).
std::string FormatTimestamp(Timestamp t);
// "2026-09-01".
std::string FormatDate(Date d);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss[.fff...]]" followed by "Z", "+hh:mm", "-hh:mm"
// or nothing (read as UTC). Rejects out-of-range fields.
Result<Timestamp> ParseTimestamp(std::string_view text);
// Accepts "YYYY-MM-DD" only.
Result<Date> ParseDate(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that says what it is told; for tests and simulations.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp t) : now_(t) {}
  Timestamp Now() const override { return now_; }
  void Set(Timestamp t) { now_ = t; }
  void Advance(std::int64_t millis) { now_.millis += millis; }

 private:
  Timestamp now_;
};

}  // namespace pw
