// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/number.h"

#include <cstdlib>
#include <limits>

#include "runtime/base/rational.h"

namespace cordon {
namespace {

using i128 = Int128;
using u128 = unsigned __int128;

auto FromC(int status) -> ArithmeticStatus {
  switch (status) {
    case CORDON_RATIONAL_OK:
      return ArithmeticStatus::kOk;
    case CORDON_RATIONAL_DIVISION_BY_ZERO:
      return ArithmeticStatus::kDivisionByZero;
    default:
      return ArithmeticStatus::kOverflow;
  }
}

// The C functions write through pointers, which a packed member cannot give.
template <typename F>
auto Call(F f, Number& out) -> ArithmeticStatus {
  i128 n = 0;
  i128 d = 1;
  ArithmeticStatus status = FromC(f(&n, &d));
  if (status == ArithmeticStatus::kOk) out = Number{n, d};
  return status;
}

}  // namespace

// The arithmetic itself is runtime/base/rational.h, shared with the generated code.
auto Add(Number a, Number b, Number& out) -> ArithmeticStatus {
  return Call(
      [&](i128* n, i128* d) { return cordon_rational_add(a.num, a.den, b.num, b.den, n, d); }, out);
}

auto Subtract(Number a, Number b, Number& out) -> ArithmeticStatus {
  return Call(
      [&](i128* n, i128* d) { return cordon_rational_sub(a.num, a.den, b.num, b.den, n, d); }, out);
}

auto Multiply(Number a, Number b, Number& out) -> ArithmeticStatus {
  return Call(
      [&](i128* n, i128* d) { return cordon_rational_mul(a.num, a.den, b.num, b.den, n, d); }, out);
}

auto Divide(Number a, Number b, Number& out) -> ArithmeticStatus {
  return Call(
      [&](i128* n, i128* d) { return cordon_rational_div(a.num, a.den, b.num, b.den, n, d); }, out);
}

auto Negate(Number a, Number& out) -> ArithmeticStatus {
  return Call([&](i128* n, i128* d) { return cordon_rational_neg(a.num, a.den, n, d); }, out);
}

auto operator<=>(Number a, Number b) -> std::strong_ordering {
  return cordon_rational_cmp(a.num, a.den, b.num, b.den) <=> 0;
}

auto FormatInt128(Int128 v) -> std::string {
  u128 mag = cordon_u128_abs(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  return v < 0 ? "-" + digits : digits;
}

auto ParseDecimal(std::string_view text) -> std::optional<Number> {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  // Digits are accumulated into a 128-bit mantissa: a value with more significant digits than
  // it holds (about 38) is out of range, far beyond any quantity in the law.
  i128 mantissa = 0;
  int scale = 0;  // value = mantissa * 10^-scale
  auto take_digits = [&](bool fraction) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      int digit = text[i] - '0';
      if (mantissa > (CORDON_I128_MAX - digit) / 10) return false;
      mantissa = mantissa * 10 + digit;
      if (fraction) ++scale;
      ++i;
    }
    return i > start;
  };
  if (!take_digits(false)) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!take_digits(true)) return std::nullopt;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    size_t start = i;
    int exponent = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 400) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    scale += exp_negative ? exponent : -exponent;
  }
  if (i != text.size()) return std::nullopt;
  if (mantissa == 0) return Number{};
  while (scale < 0) {
    if (mantissa > CORDON_I128_MAX / 10) return std::nullopt;
    mantissa *= 10;
    ++scale;
  }
  // Strip trailing zeros of the fraction before building the power of ten.
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  if (scale > 38) return std::nullopt;  // 10^38 < 2^127 <= 10^39
  i128 den = 1;
  for (int k = 0; k < scale; ++k) den *= 10;
  Number out;
  if (Call(
          [&](i128* n, i128* d) {
            return cordon_rational_reduce(negative ? -mantissa : mantissa, den, n, d);
          },
          out) != ArithmeticStatus::kOk) {
    return std::nullopt;
  }
  return out;
}

auto FormatNumber(Number n) -> std::string {
  // A denominator of the form 2^a 5^b has a finite decimal expansion, of max(a, b) places.
  u128 d = static_cast<u128>(n.den);
  int twos = 0;
  int fives = 0;
  while (d % 2 == 0) {
    d /= 2;
    ++twos;
  }
  while (d % 5 == 0) {
    d /= 5;
    ++fives;
  }
  if (d != 1) return FormatInt128(n.num) + "/" + FormatInt128(n.den);
  int places = twos > fives ? twos : fives;
  // The integer part, then the fraction digit by digit: remainder * 10 / den, in 256 bits
  // (the remainder is below den < 2^127).
  u128 mag = cordon_u128_abs(n.num);
  auto den = static_cast<u128>(n.den);
  std::string out = (n.num < 0 ? "-" : "") + FormatInt128(static_cast<i128>(mag / den));
  u128 rem = mag % den;
  if (places > 0) out += '.';
  for (int k = 0; k < places; ++k) {
    if (rem <= ~u128{0} / 10) {
      out += static_cast<char>('0' + static_cast<int>(rem * 10 / den));
      rem = rem * 10 % den;
      continue;
    }
    cordon_u256 scaled = cordon_u256_mul(rem, 10);
    cordon_u256 digit = cordon_u256_div(scaled, cordon_u256_of(den));
    out += static_cast<char>('0' + static_cast<int>(digit.lo));
    rem = cordon_u256_sub(scaled, cordon_u256_mul(digit.lo, den)).lo;
  }
  return out;
}

}  // namespace cordon
