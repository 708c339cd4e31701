// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/ops.h"

#include <algorithm>
#include <compare>

#include "runtime/base/civil.h"

namespace cordon::ir {
namespace {

auto FromArithmetic(ArithmeticStatus status) -> EvalStatus {
  switch (status) {
    case ArithmeticStatus::kOk:
      return EvalStatus::kOk;
    case ArithmeticStatus::kOverflow:
      return EvalStatus::kOverflow;
    case ArithmeticStatus::kDivisionByZero:
      return EvalStatus::kDivisionByZero;
  }
  return EvalStatus::kOverflow;
}

// Orders two present data of the same kind. Only kinds the checker lets `<` compare reach the
// ordering operators; the rest reach only == and !=.
auto Compare(const Datum& a, const Datum& b) -> std::strong_ordering {
  switch (a.kind) {
    case Kind::kNumber:
      return a.number <=> b.number;
    case Kind::kText:
      // As views: clang finds TextView <=> TextView ambiguous through the conversions.
      return a.text.view() <=> b.text.view();
    case Kind::kCountrySet: {
      const auto* x = static_cast<const CountrySet*>(a.set);
      const auto* y = static_cast<const CountrySet*>(b.set);
      return *x == *y ? std::strong_ordering::equal : std::strong_ordering::less;
    }
    case Kind::kTextSet: {
      const auto& x = static_cast<const TextSet*>(a.set)->sorted;
      const auto& y = static_cast<const TextSet*>(b.set)->sorted;
      return x == y ? std::strong_ordering::equal : std::strong_ordering::less;
    }
    default:
      return a.bits <=> b.bits;
  }
}

}  // namespace

auto EvalStatusMessage(EvalStatus status) -> const char* {
  switch (status) {
    case EvalStatus::kOk:
      return "ok";
    case EvalStatus::kDivisionByZero:
      return "division by zero";
    case EvalStatus::kOverflow:
      return "number out of range (more than 128-bit exact fractions)";
  }
  return "?";
}

auto TextSetHas(const TextSet& set, std::string_view text) -> bool {
  // A small set is searched for equal texts, which compare sizes before bytes, so a text of no
  // member's size is never read (a binary search reads it to order it): a listed party's name,
  // tested against a constant set, is a cache miss in a large table.
  if (set.sorted.size() <= 32) {
    return std::find(set.sorted.begin(), set.sorted.end(), text) != set.sorted.end();
  }
  return std::binary_search(set.sorted.begin(), set.sorted.end(), text);
}

auto ComparisonSymbol(Op op) -> const char* {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "≠";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "≤";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return "≥";
    case Op::kIn:
      return "in";
    // Not comparisons: their IR names.
    case Op::kConst:
    case Op::kSlot:
    case Op::kRowField:
    case Op::kIsSome:
    case Op::kUnwrap:
    case Op::kOtherwise:
    case Op::kNot:
    case Op::kAnd:
    case Op::kOr:
    case Op::kNeg:
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kDateAddDays:
    case Op::kDateSubDays:
    case Op::kDateDiff:
    case Op::kUnion:
    case Op::kDifference:
    case Op::kTableHas:
    case Op::kTableFind:
    case Op::kTableNear:
    case Op::kYear:
    case Op::kIf:
    case Op::kElse:
    case Op::kAsOf:
    case Op::kBinder:
    case Op::kElemField:
    case Op::kAny:
    case Op::kAll:
    case Op::kCount:
    case Op::kSum:
    case Op::kMin:
    case Op::kMax:
    case Op::kTooDeep:
      break;
  }
  return OpName(op);
}

auto EvalOp(Op op, Kind kind, const Datum& a, const Datum& b, SetStorage& storage, Datum& out)
    -> EvalStatus {
  // Each case writes the member its result's kind is read through (the interpreter's memo
  // entry of this value holds this kind of result only), so a comparison costs two small
  // stores, not a whole datum.
  out.kind = kind;
  out.present = true;
  auto boolean = [&](bool v) {
    out.kind = Kind::kBool;
    out.bits = v ? 1 : 0;
  };
  switch (op) {
    case Op::kIsSome:
      boolean(a.present);
      return EvalStatus::kOk;
    case Op::kUnwrap:
      out = a;
      return EvalStatus::kOk;
    case Op::kNot:
      boolean(a.bits == 0);
      return EvalStatus::kOk;
    case Op::kNeg:
      return FromArithmetic(Negate(a.number, out.number));
    case Op::kAdd:
      return FromArithmetic(Add(a.number, b.number, out.number));
    case Op::kSub:
      return FromArithmetic(Subtract(a.number, b.number, out.number));
    case Op::kMul:
      return FromArithmetic(Multiply(a.number, b.number, out.number));
    case Op::kDiv:
      return FromArithmetic(Divide(a.number, b.number, out.number));
    case Op::kDateAddDays:
    case Op::kDateSubDays: {
      // Durations are whole days (the checker admits no fractions); dates stay in 0001-9999.
      // A count of any size fails, none wraps: one beyond the calendar's span cannot land in it.
      constexpr Int128 kSpan = kLastDay - kFirstDay;
      if (b.number.num < -kSpan || b.number.num > kSpan) return EvalStatus::kOverflow;
      Int128 day =
          op == Op::kDateAddDays ? Int128{a.bits} + b.number.num : Int128{a.bits} - b.number.num;
      if (day < kFirstDay || day > kLastDay) return EvalStatus::kOverflow;
      out.bits = static_cast<int64_t>(day);
      return EvalStatus::kOk;
    }
    case Op::kDateDiff:
      out.number = Number::Integer(a.bits - b.bits);
      return EvalStatus::kOk;
    case Op::kEq:
      boolean(Compare(a, b) == 0);
      return EvalStatus::kOk;
    case Op::kNe:
      boolean(Compare(a, b) != 0);
      return EvalStatus::kOk;
    case Op::kLt:
      boolean(Compare(a, b) < 0);
      return EvalStatus::kOk;
    case Op::kLe:
      boolean(Compare(a, b) <= 0);
      return EvalStatus::kOk;
    case Op::kGt:
      boolean(Compare(a, b) > 0);
      return EvalStatus::kOk;
    case Op::kGe:
      boolean(Compare(a, b) >= 0);
      return EvalStatus::kOk;
    case Op::kIn:
      switch (b.kind) {
        case Kind::kCountrySet:
          boolean(static_cast<const CountrySet*>(b.set)->Has(static_cast<uint32_t>(a.bits)));
          break;
        case Kind::kEnumSet:
          boolean((static_cast<uint64_t>(b.bits) >> a.bits) & 1);
          break;
        case Kind::kTextSet:
          boolean(TextSetHas(*static_cast<const TextSet*>(b.set), a.text));
          break;
        default:
          boolean(false);
          break;
      }
      return EvalStatus::kOk;
    case Op::kUnion:
    case Op::kDifference: {
      bool add = op == Op::kUnion;
      if (a.kind == Kind::kEnumSet) {
        auto x = static_cast<uint64_t>(a.bits);
        auto y = static_cast<uint64_t>(b.bits);
        out.bits = static_cast<int64_t>(add ? (x | y) : (x & ~y));
        return EvalStatus::kOk;
      }
      // Country sets; the checker folds text-set algebra, which never reaches run time.
      CountrySet* set = storage.NewCountrySet();
      const auto* x = static_cast<const CountrySet*>(a.set);
      const auto* y = static_cast<const CountrySet*>(b.set);
      for (size_t w = 0; w < set->words.size(); ++w) {
        set->words[w] = add ? (x->words[w] | y->words[w]) : (x->words[w] & ~y->words[w]);
      }
      out.set = set;
      return EvalStatus::kOk;
    }
    case Op::kYear:
      out.number = Number::Integer(cordon_year_of_day(a.bits));
      return EvalStatus::kOk;
    // Evaluated by the caller (see EvalOp's comment): an absent result if one arrives here.
    case Op::kConst:
    case Op::kSlot:
    case Op::kRowField:
    case Op::kOtherwise:
    case Op::kAnd:
    case Op::kOr:
    case Op::kTableHas:
    case Op::kTableFind:
    case Op::kTableNear:
    case Op::kIf:
    case Op::kElse:
    case Op::kAsOf:
    case Op::kBinder:
    case Op::kElemField:
    case Op::kAny:
    case Op::kAll:
    case Op::kCount:
    case Op::kSum:
    case Op::kMin:
    case Op::kMax:
    case Op::kTooDeep:
      break;
  }
  out = Datum{.kind = kind};
  return EvalStatus::kOk;
}

}  // namespace cordon::ir
