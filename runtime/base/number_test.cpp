// SPDX-License-Identifier: Apache-2.0
// Exact numbers: the law's boundaries must not move under division or decimal literals.
#include "runtime/base/number.h"

#include <gtest/gtest.h>

#include <random>

#include "runtime/base/date.h"
#include "runtime/base/rational.h"

namespace cordon {
namespace {

auto N(const char* text) -> Number { return *ParseDecimal(text); }

TEST(NumberTest, DecimalsAreExact) {
  EXPECT_EQ(N("5.92"), (Number{148, 25}));
  EXPECT_EQ(N("4800"), Number::Integer(4800));
  EXPECT_EQ(N("0.1"), (Number{1, 10}));
  EXPECT_EQ(N("1e3"), Number::Integer(1000));
  EXPECT_EQ(N("2.50"), (Number{5, 2}));
  EXPECT_EQ(N("-0.5"), (Number{-1, 2}));
  EXPECT_FALSE(ParseDecimal("1."));
  EXPECT_FALSE(ParseDecimal(".5"));
  EXPECT_FALSE(ParseDecimal("1e999"));
  EXPECT_FALSE(ParseDecimal("abc"));
  EXPECT_FALSE(ParseDecimal("99999999999999999999"));  // beyond 64 bits
}

TEST(NumberTest, PerformanceDensityBoundaryIsExact) {
  // 4736 / 800 is exactly 5.92: as a double the quotient is 5.92000000000000037... and 5.92 is
  // 5.91999999999999992894572642399; exact fractions compare equal.
  Number density;
  ASSERT_EQ(Divide(Number::Integer(4736), Number::Integer(800), density), ArithmeticStatus::kOk);
  EXPECT_EQ(density, N("5.92"));
  EXPECT_TRUE(density >= N("5.92"));
  Number below;
  ASSERT_EQ(Divide(Number::Integer(4735), Number::Integer(800), below), ArithmeticStatus::kOk);
  EXPECT_TRUE(below < N("5.92"));
  // 0.1 + 0.2 == 0.3, which binary floating point gets wrong.
  Number sum;
  ASSERT_EQ(Add(N("0.1"), N("0.2"), sum), ArithmeticStatus::kOk);
  EXPECT_EQ(sum, N("0.3"));
}

TEST(NumberTest, OverflowAndDivisionByZeroAreReported) {
  Number out;
  EXPECT_EQ(Divide(Number::Integer(1), Number::Integer(0), out), ArithmeticStatus::kDivisionByZero);
  EXPECT_EQ(Multiply(Number::Integer(INT64_MAX / 2), Number::Integer(3), out),
            ArithmeticStatus::kOverflow);
  EXPECT_EQ(Add(Number::Integer(INT64_MAX), Number::Integer(1), out), ArithmeticStatus::kOverflow);
  // Reduction keeps results that only look large: (2^62 / 3) * 3.
  ASSERT_EQ(Divide(Number::Integer(int64_t{1} << 62), Number::Integer(3), out),
            ArithmeticStatus::kOk);
  Number back;
  ASSERT_EQ(Multiply(out, Number::Integer(3), back), ArithmeticStatus::kOk);
  EXPECT_EQ(back, Number::Integer(int64_t{1} << 62));
}

// The binary GCD (both parts within 64 bits) and the 128-bit Euclid reduce to the same
// lowest terms as a plain Euclid over the exact product, with the same overflow verdict.
TEST(NumberTest, ReductionMatchesPlainEuclid) {
  std::mt19937_64 rng(20261123);
  auto pick = [&]() -> int64_t {
    switch (rng() % 4) {
      case 0:
        return static_cast<int64_t>(rng() % 2000) - 1000;
      case 1:
        return static_cast<int64_t>(rng() % 2000000) * 1000;
      case 2:
        return static_cast<int64_t>(rng());
      default:
        return INT64_MAX - static_cast<int64_t>(rng() % 3);
    }
  };
  // Denominators are positive, as in every Number.
  auto positive = [&]() -> int64_t {
    int64_t v = pick();
    if (v < 0) v = v == INT64_MIN ? INT64_MAX : -v;
    return v == 0 ? 1 : v;
  };
  for (int i = 0; i < 200000; ++i) {
    int64_t an = pick();
    int64_t ad = positive();
    int64_t bn = pick();
    int64_t bd = positive();
    __int128 num = static_cast<__int128>(an) * bn;
    __int128 den = static_cast<__int128>(ad) * bd;
    __int128 x = num < 0 ? -num : num;
    __int128 y = den;
    while (y != 0) {
      __int128 t = x % y;
      x = y;
      y = t;
    }
    num /= x;
    den /= x;
    bool fits = num > static_cast<__int128>(INT64_MIN) && num <= static_cast<__int128>(INT64_MAX) &&
                den <= static_cast<__int128>(INT64_MAX);
    int64_t on = 0;
    int64_t od = 0;
    int status = cordon_rational_mul(an, ad, bn, bd, &on, &od);
    ASSERT_EQ(status, fits ? CORDON_RATIONAL_OK : CORDON_RATIONAL_OVERFLOW)
        << an << "/" << ad << " * " << bn << "/" << bd;
    if (fits) {
      ASSERT_EQ(on, static_cast<int64_t>(num)) << an << "/" << ad << " * " << bn << "/" << bd;
      ASSERT_EQ(od, static_cast<int64_t>(den)) << an << "/" << ad << " * " << bn << "/" << bd;
    }
  }
}

TEST(NumberTest, Formats) {
  EXPECT_EQ(FormatNumber(N("5.92")), "5.92");
  EXPECT_EQ(FormatNumber(N("4800")), "4800");
  EXPECT_EQ(FormatNumber(N("-0.05")), "-0.05");
  Number third;
  ASSERT_EQ(Divide(Number::Integer(4992), Number::Integer(826), third), ArithmeticStatus::kOk);
  EXPECT_EQ(FormatNumber(third), "2496/413");
}

TEST(DateTest, RoundTripsAndValidates) {
  EXPECT_EQ(FormatDate(*ParseDate("2023-11-17")), "2023-11-17");
  EXPECT_EQ(*ParseDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseDate("2024-03-01") - *ParseDate("2024-02-28"), 2);  // leap year
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2023-13-01"));
  EXPECT_FALSE(ParseDate("2023-1-01"));
  EXPECT_FALSE(ParseDate("0000-01-01"));
}

}  // namespace
}  // namespace cordon
