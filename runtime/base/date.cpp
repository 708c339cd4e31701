// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/date.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace cordon {

auto IsValidDate(int32_t year, unsigned month, unsigned day) -> bool {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  unsigned limit = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= limit;
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
auto DaysFromCivil(int32_t year, unsigned month, unsigned day) -> DayNumber {
  int32_t y = year - (month <= 2 ? 1 : 0);
  int32_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

auto FormatDate(DayNumber days) -> std::string {
  int32_t z = days + 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t y = static_cast<int32_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", y, m, d);
  return buffer;
}

auto ParseDate(std::string_view text) -> std::optional<DayNumber> {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t count, int32_t& out) {
    out = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int32_t y = 0;
  int32_t m = 0;
  int32_t d = 0;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (!IsValidDate(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

auto Today() -> DayNumber {
  auto now = std::chrono::system_clock::now();
  return static_cast<DayNumber>(
      std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count());
}

auto ParseIsoDuration(std::string_view text, std::string& why) -> std::optional<int64_t> {
  constexpr int64_t kMaxSeconds = int64_t{10000} * 366 * 86400;
  if (text.size() < 3 || text[0] != 'P') {
    why = "an ISO 8601 duration starts with P and has at least one part, as in P30D or PT720H";
    return std::nullopt;
  }
  int64_t seconds = 0;
  bool time = false;
  bool any = false;
  std::string_view order = "WD";  // the designators still allowed, in order
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (time || i + 1 == text.size()) {
        why = "T starts the time part once, followed by hours (H), minutes (M) or seconds (S)";
        return std::nullopt;
      }
      time = true;
      order = "HMS";
      ++i;
      continue;
    }
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++digits > 12) {
        why = "a part has more than 12 digits";
        return std::nullopt;
      }
      n = n * 10 + (text[i++] - '0');
    }
    if (digits == 0 || i == text.size()) {
      why = "each part is a whole number followed by its designator (W, D, or after T: H, M, S)";
      return std::nullopt;
    }
    char designator = text[i++];
    if (!time && (designator == 'Y' || designator == 'M')) {
      why = "years (Y) and months (M) have no fixed length: give days (D) or weeks (W)";
      return std::nullopt;
    }
    size_t at = order.find(designator);
    if (at == std::string_view::npos) {
      why = fmt::format(
          "`{}` cannot come here: the parts are PnWnDTnHnMnS, in that order, each "
          "at most once",
          designator);
      return std::nullopt;
    }
    order.remove_prefix(at + 1);
    static constexpr std::pair<char, int64_t> kUnits[] = {{'W', 7 * 86400}, {'D', 86400}};
    int64_t unit = time ? (designator == 'H' ? 3600 : designator == 'M' ? 60 : 1) : 0;
    for (auto [d, u] : kUnits) {
      if (!time && d == designator) unit = u;
    }
    seconds += n * unit;  // at most 12 digits times a week: no overflow
    if (seconds > kMaxSeconds) {
      why = "it is longer than 10,000 years";
      return std::nullopt;
    }
    any = true;
  }
  if (!any) {
    why = "an ISO 8601 duration has at least one part, as in P30D or PT720H";
    return std::nullopt;
  }
  return seconds;
}

}  // namespace cordon
