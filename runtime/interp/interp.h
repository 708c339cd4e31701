// SPDX-License-Identifier: Apache-2.0
// The reference interpreter: decides a request by walking the IR. It is the oracle that every
// compiled engine is tested against, so it is written to be obviously right: one rule at a
// time, in source order, each operation defined once in runtime/ir/ops.
#ifndef CORDON_RUNTIME_INTERP_INTERP_H_
#define CORDON_RUNTIME_INTERP_INTERP_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/ops.h"
#include "runtime/ir/table_data.h"

namespace cordon::interp {

// A rule that fired: its outcome, or that of the `unless` that replaced it.
struct Reason {
  ir::RuleId rule;
  ir::OutcomeId outcome;
  uint32_t exception = ir::kNoId;  // index into Rule::unless, kNoId for the rule's own `then`
  // The message with its holes filled (`{e.name}`), for a message that has holes; else empty.
  std::string text;
};

// A rule that could not be evaluated (division by zero, overflow): the decision fails closed.
// `rule` is ir::kNoId for a request refused whole (a struct no request could hold), and
// kPastReview for one dated past the policy's review date and its grace period.
struct RuleError {
  static constexpr ir::RuleId kPastReview = ir::kNoId - 1;
  ir::RuleId rule;
  std::string message;
};

struct Decision {
  bool error = false;  // true: the decision is `error`, whatever fired
  ir::OutcomeId outcome = ir::kNoId;
  std::vector<Reason> reasons;  // in source order
  std::vector<RuleError> errors;
  // A request dated after the policy's review date, within its grace period, is decided as of
  // the review date: `moved` is set and `moved_from` is the day it asked for. The warning is worded
  // only when a decision is printed (runtime::Warnings), so deciding one formats nothing.
  bool moved = false;
  DayNumber moved_from = 0;

  // Keeps capacity, so a reused Decision does not allocate.
  void Clear() {
    error = false;
    outcome = ir::kNoId;
    reasons.clear();
    errors.clear();
    moved = false;
  }
};

// Sets the outcome from the reasons (the highest fired; the lowest outcome when none fired) or
// marks the decision `error` when a rule failed. Every engine ends a decision with this.
void FinishDecision(const ir::Program& program, Decision& decision);

// "license_required", or "error": the name every engine and output uses for a decision.
auto DecisionName(const ir::Program& program, const Decision& decision) -> std::string_view;

// "division by zero in `tpp / die_area`": how every engine words a failed value.
auto ErrorMessage(const ir::Program& program, ir::ValueId id, std::string_view what) -> std::string;

// What --explain shows for one rule.
struct RuleTrace {
  enum class Condition : uint8_t { kNotInForce, kFalse, kTrue, kError };
  ir::RuleId rule;
  Condition condition = Condition::kNotInForce;
  std::vector<std::string> comparisons;  // "request.item.tpp = 4992 ≥ 4800: true"
  uint32_t exception = ir::kNoId;        // the `unless` that applied
};

// A table as a traced decision read it: which version of its rows (Engine::TableVersions).
struct TableTrace {
  std::string name;
  uint64_t rows = 0;
  uint64_t hash = 0;          // ir::RowsHash
  std::string compiled_from;  // the file the policy's rows were read from when it was checked
  std::string source;         // the file read in their place since (a swap, a .so's tables)
  std::string modified;       // that file's modification time, UTC ISO 8601
};

struct Trace {
  std::vector<RuleTrace> rules;
  std::vector<TableTrace> tables;  // filled by the runtime's Session, in the policy's order
};

// Not thread-safe: it owns scratch space. Use one per thread; the Program is shared read-only.
class Interpreter : private ir::SetStorage {
 public:
  explicit Interpreter(const ir::Program& program);

  // `request` holds program.slot_count slots. Rules are in force on `as_of` when
  // effective <= as_of < until. With `trace`, also records why each rule did or did not fire.
  // `tables`, when given, replaces the program's own rows (one per program table): the
  // runtime passes the tables currently in force after a swap.
  void Decide(std::span<const ir::Datum> request, DayNumber as_of, Decision& out,
              Trace* trace = nullptr, std::span<const ir::TableData* const> tables = {});

  // "license_required", or "error".
  auto DecisionName(const Decision& decision) const -> std::string_view;

 private:
  auto NewCountrySet() -> ir::CountrySet* override;
  auto NewText(size_t size) -> char* override;
  // The value, or nullptr when it cannot be computed; then `error_` says why. The pointer is
  // valid until the next decision.
  auto Eval(ir::ValueId id) -> const ir::Datum*;
  // Computes `v` (value `id`) into `out`; false on failure.
  struct Node;
  // A table lookup, and an op of ir::EvalOp: each writes its result into `out`.
  auto EvalLookup(const Node& v, ir::ValueId id, ir::Datum& out) -> bool;
  auto EvalComputed(const Node& v, ir::ValueId id, ir::Datum& out) -> bool;
  // any, all, count, sum, min, max: the body once per element of the binder's list.
  auto EvalQuantifier(const Node& v, ir::ValueId id, ir::Datum& out) -> bool;
  // A new stamp for values that read a quantifier's element (Node::inner): the element moved.
  void NextElement();
  auto FindRow(ir::ValueId lookup, ir::TableId table, const ir::Datum& key, bool near = false)
      -> int64_t;
  // Records the decision's first failure.
  void Fail(ir::ValueId id, std::string_view what);
  void TraceLookup(const ir::Value& v, const ir::Datum& key, int64_t row);

  const ir::Program& program_;
  std::span<const ir::Datum> request_;
  ir::Datum as_of_{.kind = ir::Kind::kDate};  // the decision's day, for Op::kAsOf
  // Per-decision memo: a value is computed once per decision (once per rule when tracing).
  std::vector<ir::Datum> memo_;
  std::vector<ir::Datum> hole_values_;  // a fired rule's message holes
  // What evaluating a value reads of it, packed in 24 bytes (ir::Value is twice the size and
  // holds what only errors and traces need): a decision's nodes stay in the L1 cache.
  struct Node {
    const ir::Datum* direct = nullptr;  // a constant, read where it is (no copy, no memo)
    uint32_t stamp = 0;                 // memo_[id] holds this decision's value when current
    ir::Op op = ir::Op::kConst;
    ir::Kind kind = ir::Kind::kBool;
    bool optional = false;
    bool takes_b = false;  // ir::TakesValueB
    bool inner = false;    // reads a quantifier's element: memoised per element, not per decision
    uint32_t a = 0;
    uint32_t b = 0;
  };
  std::vector<Node> nodes_;
  // The operands of each `and` / `or` chain, end to end; such a node's a and b are where its
  // operands start in chains_ and how many there are.
  static constexpr size_t kMaxChain = 64;
  std::vector<ir::ValueId> chains_;
  // What deciding whether a rule holds reads of it; the rest of ir::Rule only once it fires.
  struct RuleNode {
    DayNumber from;  // in force when from <= as_of < to
    DayNumber to;
    ir::ValueId when;
  };
  std::vector<RuleNode> rules_;
  std::vector<ir::SlotId> key_slots_;  // ir::LookupKeySlots
  // By value: the field a table lookup's key is (ir::LookupKeyField), else kNoField.
  std::vector<uint32_t> lookup_fields_;
  // Memo stamps, from one clock: `generation_` for a decision (per rule when tracing), and
  // `element_stamp_`, which moves on with every element a quantifier visits.
  uint32_t clock_ = 0;
  uint32_t generation_ = 0;
  uint32_t element_stamp_ = 0;
  std::deque<ir::CountrySet> arena_;
  size_t arena_used_ = 0;
  std::deque<std::string> texts_;  // texts the text functions made (NewText), reused
  size_t texts_used_ = 0;
  int depth_ = 0;
  std::string error_;
  RuleTrace* tracing_ = nullptr;
  // The program's own rows, and the tables of the current decision.
  std::vector<std::unique_ptr<ir::TableData>> own_tables_;
  std::vector<const ir::TableData*> own_table_views_;
  std::span<const ir::TableData* const> tables_;
  ir::FieldLookups names_;
};

}  // namespace cordon::interp

#endif  // CORDON_RUNTIME_INTERP_INTERP_H_
