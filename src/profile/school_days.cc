#include "profile/school_days.h"

namespace pw::profile {

int SchoolDaysBetween(Date from, Date to) {
  if (to < from) return 0;
  const int total = to.days - from.days + 1;
  int count = (total / 7) * 5;
  for (int i = 0; i < total % 7; ++i) {
    if (IsSchoolDay(Date{from.days + (total / 7) * 7 + i})) ++count;
  }
  return count;
}

Date AddSchoolDays(Date from, int n) {
  Date d = from;
  while (!IsSchoolDay(d)) ++d.days;
  d.days += (n / 5) * 7;
  for (int left = n % 5; left > 0;) {
    ++d.days;
    if (IsSchoolDay(d)) --left;
  }
  return d;
}

}  // namespace pw::profile
