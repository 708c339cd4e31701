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
  // 128 bits: what 64 could not hold.
  EXPECT_EQ(N("1e26"), (Number{Int128{100000000000000} * 1000000000000, 1}));
  EXPECT_EQ(N("0.3333333333333333"), (Number{3333333333333333, 10000000000000000}));
  EXPECT_EQ(N("99999999999999999999"), (Number{Int128{9999999999} * 10000000000 + 9999999999, 1}));
  EXPECT_TRUE(ParseDecimal("170141183460469231731687303715884105727"));  // INT128_MAX
  EXPECT_FALSE(ParseDecimal("170141183460469231731687303715884105728"));
  EXPECT_FALSE(ParseDecimal("1e39"));
  EXPECT_FALSE(ParseDecimal("1234567890123456789012345678901234567890"));  // 40 digits
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
  // Beyond 64 bits is no longer an overflow; beyond 127 is.
  ASSERT_EQ(Multiply(Number::Integer(INT64_MAX / 2), Number::Integer(3), out),
            ArithmeticStatus::kOk);
  EXPECT_EQ(out.num, Int128{INT64_MAX / 2} * 3);
  ASSERT_EQ(Add(Number::Integer(INT64_MAX), Number::Integer(1), out), ArithmeticStatus::kOk);
  EXPECT_EQ(FormatNumber(out), "9223372036854775808");
  EXPECT_EQ(Multiply(N("1e20"), N("1e20"), out), ArithmeticStatus::kOverflow);
  EXPECT_EQ(Divide(N("1e-20"), N("1e20"), out), ArithmeticStatus::kOverflow);
  Number max = N("170141183460469231731687303715884105727");
  EXPECT_EQ(Add(max, Number::Integer(1), out), ArithmeticStatus::kOverflow);
  ASSERT_EQ(Negate(max, out), ArithmeticStatus::kOk);
  EXPECT_EQ(Subtract(out, Number::Integer(1), out), ArithmeticStatus::kOverflow);  // INT128_MIN
  // Reduction keeps results that only look large: (2^62 / 3) * 3.
  ASSERT_EQ(Divide(Number::Integer(int64_t{1} << 62), Number::Integer(3), out),
            ArithmeticStatus::kOk);
  Number back;
  ASSERT_EQ(Multiply(out, Number::Integer(3), back), ArithmeticStatus::kOk);
  EXPECT_EQ(back, Number::Integer(int64_t{1} << 62));
}

// The binary GCD (both parts within 64 bits) and the 128-bit Euclid reduce to the same
// lowest terms as a plain Euclid over the exact product.
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
    Int128 num = static_cast<Int128>(an) * bn;
    Int128 den = static_cast<Int128>(ad) * bd;
    Int128 x = num < 0 ? -num : num;
    Int128 y = den;
    while (y != 0) {
      Int128 t = x % y;
      x = y;
      y = t;
    }
    num /= x;
    den /= x;
    Int128 on = 0;
    Int128 od = 0;
    ASSERT_EQ(cordon_rational_mul(an, ad, bn, bd, &on, &od), CORDON_RATIONAL_OK)
        << an << "/" << ad << " * " << bn << "/" << bd;
    ASSERT_TRUE(on == num && od == den) << an << "/" << ad << " * " << bn << "/" << bd;
  }
}

// The 256-bit paths agree with the 128-bit ones wherever both apply (operands within 64 bits),
// and over wide operands keep the identities of exact arithmetic.
TEST(NumberTest, WidePathsAgreeAndKeepIdentities) {
  std::mt19937_64 rng(20261207);
  auto narrow = [&]() -> Int128 {
    Int128 v = static_cast<int64_t>(rng()) >> (rng() % 63);
    return v;
  };
  auto positive = [](Int128 v) -> Int128 {
    v = v < 0 ? -v : v;
    return v == 0 ? 1 : v;
  };
  auto reduced = [](Int128 n, Int128 d) {
    Number out;
    EXPECT_EQ(Divide(Number{n, 1}, Number{d, 1}, out), ArithmeticStatus::kOk);
    return out;
  };
  for (int i = 0; i < 100000; ++i) {
    Number a = reduced(narrow(), positive(narrow()));
    Number b = reduced(narrow(), positive(narrow()));
    Int128 fn = 0, fd = 0, wn = 0, wd = 0;
    int fast = cordon_rational_add(a.num, a.den, b.num, b.den, &fn, &fd);
    int wide = cordon_rational_add_wide(a.num, a.den, b.num, b.den, 1, &wn, &wd);
    ASSERT_EQ(fast, wide);
    if (fast == CORDON_RATIONAL_OK) {
      ASSERT_TRUE(fn == wn && fd == wd);
    }
    fast = cordon_rational_sub(a.num, a.den, b.num, b.den, &fn, &fd);
    wide = cordon_rational_add_wide(a.num, a.den, b.num, b.den, -1, &wn, &wd);
    ASSERT_EQ(fast, wide);
    if (fast == CORDON_RATIONAL_OK) {
      ASSERT_TRUE(fn == wn && fd == wd);
    }
    fast = cordon_rational_mul(a.num, a.den, b.num, b.den, &fn, &fd);
    wide = cordon_rational_mul_wide(a.num, a.den, b.num, b.den, &wn, &wd);
    ASSERT_EQ(fast, wide);
    if (fast == CORDON_RATIONAL_OK) {
      ASSERT_TRUE(fn == wn && fd == wd);
    }
    ASSERT_EQ(cordon_rational_cmp(a.num, a.den, b.num, b.den),
              cordon_rational_cmp_wide(a.num, a.den, b.num, b.den));
  }
  // Wide operands: (a * b) / b == a, (a + b) - b == a, and the order agrees with a - b.
  auto wide = [&]() -> Int128 {
    Int128 v = (static_cast<Int128>(static_cast<int64_t>(rng())) << 40) ^ rng();
    return v >> (rng() % 90);
  };
  int exercised = 0;
  for (int i = 0; i < 100000; ++i) {
    Number a = reduced(wide(), positive(wide() >> 40));
    Number b = reduced(wide(), positive(wide() >> 40));
    Number p;
    Number back;
    if (Multiply(a, b, p) == ArithmeticStatus::kOk && b.num != 0) {
      ASSERT_EQ(Divide(p, b, back), ArithmeticStatus::kOk);
      ASSERT_EQ(back, a);
      ++exercised;
    }
    Number s;
    if (Add(a, b, s) == ArithmeticStatus::kOk) {
      ASSERT_EQ(Subtract(s, b, back), ArithmeticStatus::kOk);
      ASSERT_EQ(back, a);
      Number d;
      if (Subtract(a, b, d) == ArithmeticStatus::kOk) {
        ASSERT_EQ(a <=> b, d <=> Number{});
      }
    }
  }
  EXPECT_GT(exercised, 1000);
  // Known values, computed by hand: 10^26 / 3 * 3, and a compare that needs 256 bits.
  Number third;
  ASSERT_EQ(Divide(N("1e26"), Number::Integer(3), third), ArithmeticStatus::kOk);
  Number whole;
  ASSERT_EQ(Multiply(third, Number::Integer(3), whole), ArithmeticStatus::kOk);
  EXPECT_EQ(whole, N("1e26"));
  EXPECT_LT(N("100000000000000000000000000.0000000001"),
            N("100000000000000000000000000.0000000002"));
}

TEST(NumberTest, Formats) {
  EXPECT_EQ(FormatNumber(N("5.92")), "5.92");
  EXPECT_EQ(FormatNumber(N("4800")), "4800");
  EXPECT_EQ(FormatNumber(N("-0.05")), "-0.05");
  Number third;
  ASSERT_EQ(Divide(Number::Integer(4992), Number::Integer(826), third), ArithmeticStatus::kOk);
  EXPECT_EQ(FormatNumber(third), "2496/413");
  EXPECT_EQ(FormatNumber(N("1e26")), "100000000000000000000000000");
  EXPECT_EQ(FormatNumber(N("-0.3333333333333333")), "-0.3333333333333333");
  EXPECT_EQ(FormatNumber(N("1e-38")), "0.00000000000000000000000000000000000001");
  // 2^-126: 126 places, a remainder too wide for 128-bit long division.
  Number tiny{1, Int128{1} << 126};
  std::string text = FormatNumber(tiny);
  EXPECT_EQ(text.size(), 128u);
  EXPECT_EQ(text.substr(0, 8), "0.000000");
  EXPECT_EQ(text.back(), '5');
  EXPECT_EQ(FormatInt128(-(Int128{1} << 100)), "-1267650600228229401496703205376");
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
