// SPDX-License-Identifier: Apache-2.0
// The meaning of each IR operation on data: one definition, used by the checker to fold
// constants and by the reference interpreter to decide requests, so the two cannot disagree.
// `and`, `or`, `otherwise`, the leaves and the table operations are evaluated by the caller.
#ifndef CORDON_RUNTIME_IR_OPS_H_
#define CORDON_RUNTIME_IR_OPS_H_

#include "runtime/ir/ir.h"

namespace cordon::ir {

enum class EvalStatus : uint8_t { kOk, kDivisionByZero, kOverflow };

auto EvalStatusMessage(EvalStatus status) -> const char*;

// Where set algebra puts a new set. The checker allocates in the program; the interpreter in a
// per-decision arena.
class SetStorage {
 public:
  virtual ~SetStorage() = default;
  virtual auto NewCountrySet() -> CountrySet* = 0;
  // Room for a text of `size` bytes made by a text function, kept until the decision ends.
  virtual auto NewText(size_t size) -> char* = 0;
};

// The text functions (kUpper … kReplace): `a` the text, `b` the second argument (contains,
// starts_with; replace: what to replace), `c` replace's replacement. Texts made are in
// `storage`. Every engine computes them here.
void EvalText(Op op, std::string_view a, std::string_view b, std::string_view c,
              SetStorage& storage, Datum& out);
// Whether `op` is a text function (kWith included).
auto IsTextFunction(Op op) -> bool;

// Evaluates a unary or binary operation (not kAnd/kOr/kOtherwise/kIf/kElse/kConst/kSlot/kRowField/
// kTable*) on present operands. `b` is ignored for unary operations.
// `kind` is the result's.
auto EvalOp(Op op, Kind kind, const Datum& a, const Datum& b, SetStorage& storage, Datum& out)
    -> EvalStatus;

// Membership of a text in a sorted text set.
auto TextSetHas(const TextSet& set, std::string_view text) -> bool;

// ≥, ≤, =, … as printed by --explain.
auto ComparisonSymbol(Op op) -> const char*;

}  // namespace cordon::ir

#endif  // CORDON_RUNTIME_IR_OPS_H_
