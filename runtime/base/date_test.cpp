// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/date.h"

#include <gtest/gtest.h>

namespace cordon {
namespace {

TEST(DateTest, FirstAndLastDaysAreTheYearsOneTo9999) {
  EXPECT_EQ(kFirstDay, DaysFromCivil(1, 1, 1));
  EXPECT_EQ(kLastDay, DaysFromCivil(9999, 12, 31));
  EXPECT_EQ(ParseDate("0001-01-01"), kFirstDay);
  EXPECT_EQ(ParseDate("9999-12-31"), kLastDay);
  EXPECT_EQ(FormatDate(kFirstDay), "0001-01-01");
  EXPECT_EQ(FormatDate(kLastDay), "9999-12-31");
}

}  // namespace
TEST(DateTest, IsoDurationsOfFixedLength) {
  std::string why;
  EXPECT_EQ(ParseIsoDuration("P30D", why), 30 * 86400);
  EXPECT_EQ(ParseIsoDuration("PT720H", why), 720 * 3600);
  EXPECT_EQ(ParseIsoDuration("P2W", why), 14 * 86400);
  EXPECT_EQ(ParseIsoDuration("P1W2DT3H4M5S", why), 9 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(ParseIsoDuration("PT0S", why), 0);
  for (const char* bad : {"", "P", "PT", "30D", "P30", "PD", "P1Y", "P1M", "P1D2W", "P1DT",
                          "P1DT1H1H", "P1.5D", "P-1D", "P1234567890123D", "P999999999999W"}) {
    why.clear();
    EXPECT_FALSE(ParseIsoDuration(bad, why).has_value()) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

}  // namespace cordon
