#include "core/time.h"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace pw {

Date DateFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{static_cast<std::int32_t>(era * 146097 + static_cast<int>(doe) - 719468)};
}

void CivilFromDate(Date date, int* year, unsigned* month, unsigned* day) {
  int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

int Weekday(Date d) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (d.days + 3) % 7;
  return w < 0 ? w + 7 : w;
}

std::string FormatDate(Date d) {
  int y;
  unsigned m, day;
  CivilFromDate(d, &y, &m, &day);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, day);
}

std::string FormatTimestamp(Timestamp t) {
  Date d = DateOf(t);
  std::int64_t ms = t.millis - StartOf(d).millis;
  int y;
  unsigned m, day;
  CivilFromDate(d, &y, &m, &day);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", y, m, day, ms / 3'600'000,
                     (ms / 60'000) % 60, (ms / 1000) % 60, ms % 1000);
}

namespace {

// Reads exactly `n` digits at text[*pos].
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

Result<Date> ParseDatePrefix(std::string_view text, size_t* pos) {
  int y, m, d;
  if (!Digits(text, pos, 4, &y) || !Expect(text, pos, '-') || !Digits(text, pos, 2, &m) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, &d)) {
    return InvalidArgumentError("expected a date YYYY-MM-DD, got \"{}\"", text);
  }
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, m)) {
    return InvalidArgumentError("no such calendar date: \"{}\"", text);
  }
  return DateFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  size_t pos = 0;
  PW_ASSIGN_OR_RETURN(Date d, ParseDatePrefix(text, &pos));
  if (pos != text.size()) return InvalidArgumentError("expected a date YYYY-MM-DD, got \"{}\"", text);
  return d;
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  size_t pos = 0;
  PW_ASSIGN_OR_RETURN(Date d, ParseDatePrefix(text, &pos));
  std::int64_t ms = StartOf(d).millis;
  if (pos == text.size()) return Timestamp{ms};
  auto bad = [&] {
    return InvalidArgumentError("expected an ISO-8601 time such as 2026-09-01T08:30:00Z, got \"{}\"",
                                text);
  };
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
  ++pos;
  int hh, mm, ss = 0;
  if (!Digits(text, &pos, 2, &hh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mm)) {
    return bad();
  }
  if (Expect(text, &pos, ':') && !Digits(text, &pos, 2, &ss)) return bad();
  if (hh > 23 || mm > 59 || ss > 60) return bad();
  std::int64_t frac_ms = 0;
  if (Expect(text, &pos, '.')) {
    size_t start = pos;
    std::int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  ms += hh * 3'600'000LL + mm * 60'000LL + std::min(ss, 59) * 1000LL + frac_ms;
  if (pos == text.size()) return Timestamp{ms};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '+' ? 1 : -1;
    ++pos;
    int oh, om = 0;
    if (!Digits(text, &pos, 2, &oh)) return bad();
    if (Expect(text, &pos, ':')) {
      if (!Digits(text, &pos, 2, &om)) return bad();
    } else if (pos < text.size()) {
      if (!Digits(text, &pos, 2, &om)) return bad();
    }
    if (oh > 23 || om > 59) return bad();
    ms -= sign * (oh * 3'600'000LL + om * 60'000LL);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  return Timestamp{ms};
}

Timestamp SystemClock::Now() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
}

}  // namespace pw
