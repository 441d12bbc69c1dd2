// School days for pace and inactivity: Monday to Friday (holidays are not modelled yet).
#pragma once

#include "core/time.h"

namespace pw::profile {

inline bool IsSchoolDay(Date d) { return Weekday(d) < 5; }

// School days in [from, to] (0 when to < from).
int SchoolDaysBetween(Date from, Date to);

// The school day `n` school days after `from` (n >= 0; n = 0 gives the first school day on or
// after `from`).
Date AddSchoolDays(Date from, int n);

}  // namespace pw::profile
