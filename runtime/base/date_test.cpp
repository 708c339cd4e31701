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
}  // namespace cordon
