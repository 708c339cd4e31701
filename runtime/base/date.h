// SPDX-License-Identifier: Apache-2.0
// Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian), so that "in force
// on this date" is an integer comparison in every engine.
#ifndef CORDON_RUNTIME_BASE_DATE_H_
#define CORDON_RUNTIME_BASE_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon {

using DayNumber = int32_t;

// The days a date may be: 0001-01-01 to 9999-12-31, as ParseDate reads them. Date arithmetic
// that leaves them, and a request struct holding a day outside them, are errors in every engine.
inline constexpr DayNumber kFirstDay = -719162;
inline constexpr DayNumber kLastDay = 2932896;

auto IsValidDate(int32_t year, unsigned month, unsigned day) -> bool;
// Requires a valid date.
auto DaysFromCivil(int32_t year, unsigned month, unsigned day) -> DayNumber;
// "2023-11-17" for the day number of that date.
auto FormatDate(DayNumber days) -> std::string;
// Exactly `YYYY-MM-DD` naming a real date (years 0001-9999), else nullopt.
auto ParseDate(std::string_view text) -> std::optional<DayNumber>;
// Today in UTC.
auto Today() -> DayNumber;

// An ISO 8601 duration of weeks, days, hours, minutes and seconds ("P30D", "PT720H", "P2W",
// "P1DT12H"), whole numbers each, as seconds; nullopt with `why` set when it is not one. Years
// and months are refused: they have no fixed length. At most 10,000 years' worth of seconds.
auto ParseIsoDuration(std::string_view text, std::string& why) -> std::optional<int64_t>;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_DATE_H_
