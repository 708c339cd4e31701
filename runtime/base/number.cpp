// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/number.h"

#include <cstdlib>
#include <limits>

#include "runtime/base/rational.h"

namespace cordon {
namespace {

using i128 = __int128;

auto Abs(i128 v) -> i128 { return v < 0 ? -v : v; }

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

auto Reduce(i128 num, i128 den, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_reduce(num, den, &out.num, &out.den));
}

}  // namespace

// The arithmetic itself is runtime/base/rational.h, shared with the generated code.
auto Add(Number a, Number b, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_add(a.num, a.den, b.num, b.den, &out.num, &out.den));
}

auto Subtract(Number a, Number b, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_sub(a.num, a.den, b.num, b.den, &out.num, &out.den));
}

auto Multiply(Number a, Number b, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_mul(a.num, a.den, b.num, b.den, &out.num, &out.den));
}

auto Divide(Number a, Number b, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_div(a.num, a.den, b.num, b.den, &out.num, &out.den));
}

auto Negate(Number a, Number& out) -> ArithmeticStatus {
  return FromC(cordon_rational_neg(a.num, a.den, &out.num, &out.den));
}

auto ParseDecimal(std::string_view text) -> std::optional<Number> {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  // Digits are accumulated into a 128-bit mantissa; 36 significant digits is far beyond any
  // quantity in the law and keeps the accumulator exact.
  i128 mantissa = 0;
  int digits = 0;
  int scale = 0;  // value = mantissa * 10^-scale
  auto take_digits = [&](bool fraction) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (mantissa != 0 || text[i] != '0') ++digits;
      if (digits > 36) return false;
      mantissa = mantissa * 10 + (text[i] - '0');
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
    if (Abs(mantissa) > (std::numeric_limits<i128>::max() / 10)) return std::nullopt;
    mantissa *= 10;
    ++scale;
  }
  // Strip trailing zeros of the fraction before building the power of ten.
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  if (scale > 36) return std::nullopt;
  i128 den = 1;
  for (int k = 0; k < scale; ++k) den *= 10;
  Number out;
  if (Reduce(negative ? -mantissa : mantissa, den, out) != ArithmeticStatus::kOk) {
    return std::nullopt;
  }
  return out;
}

auto FormatNumber(Number n) -> std::string {
  // A denominator of the form 2^a 5^b has a finite decimal expansion.
  int64_t d = n.den;
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
  if (d != 1) return std::to_string(n.num) + "/" + std::to_string(n.den);
  int places = twos > fives ? twos : fives;
  // Scale to num * 10^places / den, exactly, in 128 bits.
  i128 scaled = n.num;
  i128 factor = 1;
  for (int k = 0; k < places; ++k) factor *= 10;
  scaled = scaled * (factor / n.den);
  bool negative = scaled < 0;
  i128 mag = Abs(scaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  while (static_cast<int>(digits.size()) <= places) digits.insert(digits.begin(), '0');
  if (places > 0) digits.insert(digits.end() - places, '.');
  return negative ? "-" + digits : digits;
}

}  // namespace cordon
