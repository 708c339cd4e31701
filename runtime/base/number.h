// SPDX-License-Identifier: Apache-2.0
// Number: the exact rational every Cordon `int`, `number` and quantity is at run time. The law's
// thresholds are decimal (5.92 per mm²) and its ratios are divisions (TPP / die area), so binary
// floating point could put a chip on the wrong side of a boundary; a reduced fraction cannot.
// Numerator and denominator are 128-bit, so 10^26 operations and a 16-digit JSON fraction fit;
// arithmetic is exact (runtime/base/rational.h), and a result whose reduced numerator or
// denominator does not fit in 128 bits is an overflow, reported, never rounded.
#ifndef CORDON_RUNTIME_BASE_NUMBER_H_
#define CORDON_RUNTIME_BASE_NUMBER_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon {

using Int128 = __int128;

// INVARIANT: den > 0 and gcd(|num|, den) == 1, so equal values have equal representations. No
// operation yields a numerator of INT128_MIN, but each accepts one (a host's struct may hold it)
// and Negate refuses it. Packed to 8-byte alignment: a Datum (and so a table cell) stays 40 bytes,
// and no arena need align to 16.
struct [[gnu::packed, gnu::aligned(8)]] Number {
  Int128 num = 0;
  Int128 den = 1;

  static constexpr auto Integer(int64_t n)->Number { return Number{n, 1}; }
  auto is_integer() const->bool { return den == 1; }

  friend auto operator==(Number a, Number b)->bool { return a.num == b.num && a.den == b.den; }
  // Exact, in 256 bits where the parts are wider than 64.
  friend auto operator<=>(Number a, Number b)->std::strong_ordering;
};
static_assert(sizeof(Number) == 32 && alignof(Number) == 8);

// Decimal digits of a 128-bit integer ("-170141183460469231731687303715884105727").
auto FormatInt128(Int128 v) -> std::string;

enum class ArithmeticStatus : uint8_t { kOk, kOverflow, kDivisionByZero };

// Each returns kOk and sets `out`, or the reason there is no exact result.
auto Add(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Subtract(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Multiply(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Divide(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Negate(Number a, Number& out) -> ArithmeticStatus;

// Parses a decimal as written in rule text or JSON: optional `-`, digits, optional `.digits`,
// optional exponent (`e`/`E`, sign, digits). Exact or nullopt (malformed, more than 38
// significant digits, or out of range).
auto ParseDecimal(std::string_view text) -> std::optional<Number>;

// The shortest exact rendering: "4800", "5.92", "-0.5", "100000000000000000000000000"; a
// fraction without a finite decimal expansion prints reduced, as "2496/413".
auto FormatNumber(Number n) -> std::string;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_NUMBER_H_
