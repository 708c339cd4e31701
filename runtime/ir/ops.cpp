// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/ops.h"

#include <algorithm>
#include <compare>

#include "runtime/base/civil.h"
#include "runtime/base/names.h"

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
    case Op::kUpper:
    case Op::kLower:
    case Op::kTrim:
    case Op::kLength:
    case Op::kContains:
    case Op::kStartsWith:
    case Op::kReplace:
    case Op::kWith:
      break;
  }
  return OpName(op);
}

auto IsTextFunction(Op op) -> bool {
  return op == Op::kUpper || op == Op::kLower || op == Op::kTrim || op == Op::kLength ||
         op == Op::kContains || op == Op::kStartsWith || op == Op::kReplace || op == Op::kWith;
}

namespace {

// The length in bytes of the space `text` starts with at `at` (trim's), or 0: ASCII white
// space, and the Unicode spaces a name treats as one.
auto SpaceAt(std::string_view text, size_t at) -> size_t {
  char c = at < text.size() ? text[at] : '\0';
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  return UnicodeSpaceAt(text, at);
}

// The same at the end of `text`.
auto SpaceBefore(std::string_view text, size_t end) -> size_t {
  for (size_t n = 1; n <= 3 && n <= end; ++n) {
    if (SpaceAt(text, end - n) == n) return n;
  }
  return 0;
}

}  // namespace

void EvalText(Op op, std::string_view a, std::string_view b, std::string_view c,
              SetStorage& storage, Datum& out) {
  auto make = [&](size_t size) {
    char* room = storage.NewText(size);
    out = Datum{.kind = Kind::kText, .text = TextView(std::string_view(room, size))};
    return room;
  };
  switch (op) {
    case Op::kUpper:
    case Op::kLower: {
      char* room = make(a.size());
      bool up = op == Op::kUpper;
      for (size_t i = 0; i < a.size(); ++i) {
        char ch = a[i];
        if (up && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        if (!up && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        room[i] = ch;
      }
      return;
    }
    case Op::kTrim: {
      // A view into `a`: nothing is copied.
      size_t begin = 0;
      size_t end = a.size();
      while (size_t n = SpaceAt(a, begin)) begin += n;
      while (end > begin) {
        size_t n = SpaceBefore(a.substr(0, end), end);
        if (n == 0) break;
        end -= n;
      }
      out = Datum{.kind = Kind::kText, .text = TextView(a.substr(begin, end - begin))};
      return;
    }
    case Op::kLength: {
      // Code points: every byte that does not continue a UTF-8 sequence.
      int64_t n = 0;
      for (char ch : a) n += (static_cast<unsigned char>(ch) & 0xc0) != 0x80 ? 1 : 0;
      out = Datum{.kind = Kind::kNumber, .number = Number::Integer(n)};
      return;
    }
    case Op::kContains:
      out = Datum{.kind = Kind::kBool, .bits = a.find(b) != std::string_view::npos ? 1 : 0};
      return;
    case Op::kStartsWith:
      out = Datum{.kind = Kind::kBool, .bits = a.starts_with(b) ? 1 : 0};
      return;
    case Op::kReplace: {
      // Every occurrence, left to right, none overlapping; replacing "" changes nothing.
      if (b.empty()) {
        out = Datum{.kind = Kind::kText, .text = TextView(a)};
        return;
      }
      size_t count = 0;
      for (size_t at = a.find(b); at != std::string_view::npos; at = a.find(b, at + b.size())) {
        ++count;
      }
      char* room = make(a.size() - count * b.size() + count * c.size());
      size_t from = 0;
      for (size_t at = a.find(b); at != std::string_view::npos; at = a.find(b, at + b.size())) {
        std::copy(a.begin() + static_cast<ptrdiff_t>(from), a.begin() + static_cast<ptrdiff_t>(at),
                  room);
        room += at - from;
        std::copy(c.begin(), c.end(), room);
        room += c.size();
        from = at + b.size();
      }
      std::copy(a.begin() + static_cast<ptrdiff_t>(from), a.end(), room);
      return;
    }
    default:
      out = Datum{.kind = Kind::kText};
      return;
  }
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
    case Op::kUpper:
    case Op::kLower:
    case Op::kTrim:
    case Op::kLength:
    case Op::kContains:
    case Op::kStartsWith:
      EvalText(op, a.text, b.text, {}, storage, out);
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
    case Op::kReplace:
    case Op::kWith:
      break;
  }
  out = Datum{.kind = kind};
  return EvalStatus::kOk;
}

}  // namespace cordon::ir
