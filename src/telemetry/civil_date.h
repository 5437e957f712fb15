// Dates of the proleptic Gregorian calendar as days since 1970-01-01, by
// arithmetic (H. Hinnant's days_from_civil and civil_from_days): the day
// files' names and `cordon log`'s times are UTC dates, and neither glibc's
// gmtime_r (which loads /etc/localtime on its first call, seven system calls
// of every run for a time zone that is not used) nor timegm (which mingw does
// not have) is needed for them. Pure.
#pragma once

#include <cstdint>

namespace cordon::telemetry {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of year-month-day. A day past the month's end
// counts on into the next month, as timegm normalises it.
[[nodiscard]] int64_t DaysFromCivil(int64_t year, int month, int day);

// The date of `days` since 1970-01-01 (negative: before).
[[nodiscard]] CivilDate CivilFromDays(int64_t days);

}  // namespace cordon::telemetry
