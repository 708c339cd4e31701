// SPDX-License-Identifier: Apache-2.0
// Number: the exact rational every Cordon `int`, `number` and quantity is at run time. The law's
// thresholds are decimal (5.92 per mm²) and its ratios are divisions (TPP / die area), so binary
// floating point could put a chip on the wrong side of a boundary; a reduced fraction of two
// 64-bit integers cannot. Arithmetic is computed in 128 bits and reduced; a result whose reduced
// numerator or denominator does not fit in 64 bits is an overflow, reported, never rounded.
#ifndef CORDON_RUNTIME_BASE_NUMBER_H_
#define CORDON_RUNTIME_BASE_NUMBER_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon {

// INVARIANT: den > 0 and gcd(|num|, den) == 1, so equal values have equal representations.
struct Number {
  int64_t num = 0;
  int64_t den = 1;

  static constexpr auto Integer(int64_t n) -> Number { return Number{n, 1}; }
  auto is_integer() const -> bool { return den == 1; }

  friend auto operator==(Number, Number) -> bool = default;
  // Exact: a/b <=> c/d compares a*d with c*b, which cannot overflow in 128 bits.
  friend auto operator<=>(Number a, Number b) -> std::strong_ordering {
    __int128 l = static_cast<__int128>(a.num) * b.den;
    __int128 r = static_cast<__int128>(b.num) * a.den;
    return l <=> r;
  }
};

enum class ArithmeticStatus : uint8_t { kOk, kOverflow, kDivisionByZero };

// Each returns kOk and sets `out`, or the reason there is no exact result.
auto Add(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Subtract(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Multiply(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Divide(Number a, Number b, Number& out) -> ArithmeticStatus;
auto Negate(Number a, Number& out) -> ArithmeticStatus;

// Parses a decimal as written in rule text or JSON: optional `-`, digits, optional `.digits`,
// optional exponent (`e`/`E`, sign, digits). Exact or nullopt (malformed or out of range).
auto ParseDecimal(std::string_view text) -> std::optional<Number>;

// The shortest exact rendering: "4800", "5.92", "-0.5"; a fraction without a finite decimal
// expansion prints as "4992/826"-style reduced "2496/413".
auto FormatNumber(Number n) -> std::string;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_NUMBER_H_
