/* SPDX-License-Identifier: Apache-2.0
 * Calendar arithmetic shared by the runtime (C++) and the evaluator helpers (C, compiled to
 * bitcode and linked into generated code), so the interpreter and compiled code compute the same
 * year from the same day. Days count from 1970-01-01, as DayNumber (runtime/base/date.h). */
#ifndef CORDON_RUNTIME_BASE_CIVIL_H_
#define CORDON_RUNTIME_BASE_CIVIL_H_

#include <stdint.h>

/* The proleptic Gregorian year of `day` (H. Hinnant's civil_from_days). Exact for every day a
 * date may hold (years 1 to 9999). */
static inline int64_t cordon_year_of_day(int64_t day) {
  int64_t z = day + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  return yoe + era * 400 + (mp >= 10 ? 1 : 0); /* March-based year: Jan and Feb are a year on */
}

#endif /* CORDON_RUNTIME_BASE_CIVIL_H_ */
