// SPDX-License-Identifier: Apache-2.0
#include "runtime/interp/interp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace cordon::interp {
namespace {

// The recursion bound of Eval: IR depth follows source nesting (at most 256) through inlined
// definitions, so this is only reached by pathological policies, which then fail closed.
constexpr int kMaxDepth = 4000;

// The second operand of a unary op (at namespace scope: no initialisation guard per call).
const ir::Datum kNoOperand{};

}  // namespace

Interpreter::Interpreter(const ir::Program& program)
    : program_(program), memo_(program.values.size()), nodes_(program.values.size()) {
  for (ir::ValueId id = 0; id < program.values.size(); ++id) {
    const ir::Value& v = program.values[id];
    nodes_[id] = Node{.direct = v.op == ir::Op::kConst ? &program.constants[v.a] : nullptr,
                      .op = v.op,
                      .kind = v.kind,
                      .optional = v.optional,
                      .takes_b = ir::TakesValueB(v.op),
                      .a = v.a,
                      .b = v.b};
  }
  // A chain `a and b and c` is one node with the operands in order, not two nested ones: a
  // third of a policy's values are `and` and `or`, and each level cost a call per decision.
  std::vector<ir::ValueId> pending;
  for (ir::ValueId id = 0; id < program.values.size(); ++id) {
    const ir::Op op = program.values[id].op;
    if (op != ir::Op::kAnd && op != ir::Op::kOr) continue;
    auto start = static_cast<uint32_t>(chains_.size());
    pending.assign({program.values[id].b, program.values[id].a});
    while (!pending.empty() && chains_.size() - start < kMaxChain) {
      ir::ValueId x = pending.back();
      pending.pop_back();
      if (program.values[x].op == op) {
        pending.push_back(program.values[x].b);
        pending.push_back(program.values[x].a);
      } else {
        chains_.push_back(x);
      }
    }
    if (!pending.empty()) {  // too long: keep this node binary (its operands chain themselves)
      chains_.resize(start);
      chains_.push_back(program.values[id].a);
      chains_.push_back(program.values[id].b);
    }
    nodes_[id].a = start;
    nodes_[id].b = static_cast<uint32_t>(chains_.size()) - start;
  }
  std::vector<bool> inner = ir::ElementDependent(program);
  for (ir::ValueId id = 0; id < program.values.size(); ++id) nodes_[id].inner = inner[id];
  key_slots_ = ir::LookupKeySlots(program);
  lookup_fields_.assign(program.values.size(), ir::FieldLookups::kNoField);
  for (ir::ValueId id = 0; id < program.values.size(); ++id) {
    const ir::Value& v = program.values[id];
    if (v.op == ir::Op::kTableFind || v.op == ir::Op::kTableHas || v.op == ir::Op::kTableNear) {
      lookup_fields_[id] = ir::LookupKeyField(program, key_slots_, v.a);
    }
  }
  names_.Resize(key_slots_.size(), program.tables.size(), program.name_rule_sets());
  for (const ir::Rule& rule : program.rules) {
    rules_.push_back(RuleNode{.from = rule.effective.value_or(INT32_MIN),
                              .to = rule.until.value_or(INT32_MAX),
                              .when = rule.when});
  }
}

auto Interpreter::NewCountrySet() -> ir::CountrySet* {
  if (arena_used_ == arena_.size()) arena_.emplace_back();
  return &arena_[arena_used_++];
}

auto Interpreter::NewText(size_t size) -> char* {
  if (texts_used_ == texts_.size()) texts_.emplace_back();
  std::string& text = texts_[texts_used_++];
  text.resize(size);
  return text.data();
}

auto DecisionName(const ir::Program& program, const Decision& decision) -> std::string_view {
  if (decision.error || decision.outcome >= program.outcomes.size()) return "error";
  return program.outcomes[decision.outcome];
}

auto Interpreter::DecisionName(const Decision& decision) const -> std::string_view {
  return interp::DecisionName(program_, decision);
}

auto Interpreter::FindRow(ir::ValueId lookup, ir::TableId table, const ir::Datum& key, bool near)
    -> int64_t {
  const ir::TableData& data = *tables_[table];
  if (!data.schema().normalized) return data.Find(key);
  return names_.Find(data, table, lookup_fields_[lookup], key.text, near);
}

void Interpreter::Fail(ir::ValueId id, std::string_view what) {
  if (error_.empty()) error_ = ErrorMessage(program_, id, what);
}

void Interpreter::NextElement() {
  if (++clock_ == 0) {
    for (Node& node : nodes_) node.stamp = 0;
    clock_ = 1;
    generation_ = clock_++;  // values computed before stay valid under the new stamp
  }
  element_stamp_ = clock_;
}

auto Interpreter::Eval(ir::ValueId id) -> const ir::Datum* {
  Node& v = nodes_[id];
  if (v.direct != nullptr) return v.direct;
  const uint32_t stamp = v.inner ? element_stamp_ : generation_;
  if (v.stamp == stamp) return &memo_[id];
  // Request slots are read where they are, and only when a rule reads them: a decision
  // touches the few cache lines of the slots its rules need, not the whole request.
  if (v.op == ir::Op::kSlot) {
    const ir::Datum& d = request_[v.a];
    if (d.present || v.optional) return &d;
    Fail(id, "a required value is missing");
    return nullptr;
  }
  if (++depth_ > kMaxDepth) {
    --depth_;
    Fail(id, "the condition is nested too deeply to evaluate");
    return nullptr;
  }
  const ir::Datum* result = nullptr;
  switch (v.op) {
    // These yield one of their operands (or a table cell) as it is: no copy and no memo entry
    // (the operands have theirs).
    case ir::Op::kAnd:
    case ir::Op::kOr: {
      // The first operand that decides, or the last; nullptr at the first that fails.
      const bool is_or = v.op == ir::Op::kOr;
      for (uint32_t i = v.a, end = v.a + v.b; i < end; ++i) {
        result = Eval(chains_[i]);
        if (result == nullptr || (result->bits != 0) == is_or) break;
      }
      break;
    }
    case ir::Op::kOtherwise:
      if (const ir::Datum* left = Eval(v.a)) result = left->present ? left : Eval(v.b);
      break;
    case ir::Op::kIf:
      // Only the branch the condition picks is evaluated (its failures are the decision's).
      if (const ir::Datum* condition = Eval(v.a)) {
        const Node& pair = nodes_[v.b];
        result = Eval(condition->bits != 0 ? pair.a : pair.b);
      }
      break;
    case ir::Op::kElse:
      Fail(id, "internal error: the branches of an `if` evaluated without it");
      break;
    case ir::Op::kWith:
      Fail(id, "internal error: the arguments of a `replace` evaluated without it");
      break;
    case ir::Op::kReplace: {
      const Node& with = nodes_[v.b];
      const ir::Datum* text = Eval(v.a);
      const ir::Datum* from = text != nullptr ? Eval(with.a) : nullptr;
      const ir::Datum* to = from != nullptr ? Eval(with.b) : nullptr;
      if (to != nullptr) {
        ir::EvalText(v.op, text->text, from->text, to->text, *this, memo_[id]);
        memo_[id].present = true;
        v.stamp = stamp;
        result = &memo_[id];
      }
      break;
    }
    case ir::Op::kAsOf:
      result = &as_of_;
      break;
    case ir::Op::kUnwrap:
      if (const ir::Datum* some = Eval(v.a)) {
        if (some->present) {
          result = some;
        } else {
          Fail(id, "internal error: unwrapped none");
        }
      }
      break;
    case ir::Op::kRowField:
      // The cell itself: the rows stay put for the whole decision.
      if (const ir::Datum* row = Eval(v.a)) {
        result = &tables_[static_cast<uint32_t>(row->bits >> 32)]
                      ->rows()[static_cast<uint32_t>(row->bits & 0xffffffff)][v.b];
      }
      break;
    case ir::Op::kConst:
    case ir::Op::kSlot:
    case ir::Op::kIsSome:
    case ir::Op::kNot:
    case ir::Op::kNeg:
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv:
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays:
    case ir::Op::kDateDiff:
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kIn:
    case ir::Op::kUnion:
    case ir::Op::kDifference:
    case ir::Op::kYear:
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
      // Computed in place: the memo entry is the result.
      if (EvalComputed(v, id, memo_[id])) {
        v.stamp = stamp;
        result = &memo_[id];
      }
      break;
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear:
      if (EvalLookup(v, id, memo_[id])) {
        v.stamp = stamp;
        result = &memo_[id];
      }
      break;
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax: {
      // The result goes to a local first: the body's values may be memoised again meanwhile.
      ir::Datum out;
      if (EvalQuantifier(v, id, out)) {
        memo_[id] = out;
        v.stamp = v.inner ? element_stamp_ : generation_;
        result = &memo_[id];
      }
      break;
    }
    case ir::Op::kBinder:
      // Set by the quantifier that owns it while it visits its list.
      if (memo_[id].set != nullptr) {
        result = &memo_[id];
      } else {
        Fail(id, "internal error: a list element read outside its quantifier");
      }
      break;
    case ir::Op::kElemField:
      if (const ir::Datum* element = Eval(v.a)) {
        const ir::Datum& d = static_cast<const ir::Datum*>(element->set)[v.b];
        if (d.present || v.optional) {
          result = &d;
        } else {
          Fail(id, "a required value is missing");
        }
      }
      break;
    case ir::Op::kTooDeep:
      Fail(id, ir::kTooDeepMessage);
      break;
  }
  --depth_;
  return result;
}

auto Interpreter::EvalLookup(const Node& v, ir::ValueId id, ir::Datum& out) -> bool {
  const ir::Datum* key = Eval(v.a);
  if (key == nullptr) return false;
  int64_t row = FindRow(id, v.b, *key, v.op == ir::Op::kTableNear);
  if (v.op == ir::Op::kTableHas) {
    out = ir::Datum{.kind = ir::Kind::kBool, .bits = row >= 0 ? 1 : 0};
  } else {
    out = ir::Datum{.kind = ir::Kind::kRow,
                    .present = row >= 0,
                    .bits = row >= 0 ? (int64_t{v.b} << 32 | row) : 0};
  }
  if (tracing_ != nullptr) TraceLookup(program_.values[id], *key, row);
  return true;
}

// Operands first, then ir::EvalOp (the ops Eval sends here).
auto Interpreter::EvalComputed(const Node& v, ir::ValueId id, ir::Datum& out) -> bool {
  const ir::Datum* a = Eval(v.a);
  if (a == nullptr) return false;
  const ir::Datum* b = &kNoOperand;
  if (v.takes_b && (b = Eval(v.b)) == nullptr) return false;
  ir::EvalStatus status = ir::EvalOp(v.op, v.kind, *a, *b, *this, out);
  if (status != ir::EvalStatus::kOk) {
    Fail(id, ir::EvalStatusMessage(status));
    return false;
  }
  out.present = true;
  if (tracing_ != nullptr &&
      (v.op == ir::Op::kEq || v.op == ir::Op::kNe || v.op == ir::Op::kLt || v.op == ir::Op::kLe ||
       v.op == ir::Op::kGt || v.op == ir::Op::kGe || v.op == ir::Op::kIn)) {
    const ir::Value& left = program_.values[v.a];
    const ir::Value& right = program_.values[v.b];
    std::string lhs = ir::FormatDatum(program_, *a, left.enum_id);
    if (!left.label.empty()) lhs = left.label + " = " + lhs;
    std::string rhs =
        right.label.empty() ? ir::FormatDatum(program_, *b, right.enum_id) : right.label;
    tracing_->comparisons.push_back(fmt::format("{} {} {}: {}", lhs, ir::ComparisonSymbol(v.op),
                                                rhs, out.bits ? "true" : "false"));
  }
  return true;
}

auto Interpreter::EvalQuantifier(const Node& v, ir::ValueId id, ir::Datum& out) -> bool {
  const ir::Datum* list_datum = Eval(nodes_[v.a].a);
  if (list_datum == nullptr) return false;
  const auto* list = static_cast<const ir::List*>(list_datum->set);
  const uint32_t count = list == nullptr ? 0 : list->count;
  switch (v.op) {
    case ir::Op::kAny:
      out = ir::Datum{.kind = ir::Kind::kBool, .bits = 0};
      break;
    case ir::Op::kAll:
      out = ir::Datum{.kind = ir::Kind::kBool, .bits = 1};
      break;
    case ir::Op::kMin:
    case ir::Op::kMax:
      out = ir::Datum{.kind = ir::Kind::kNumber, .present = false};
      break;
    default:  // count, sum
      out = ir::Datum{.kind = ir::Kind::kNumber, .number = Number::Integer(0)};
  }
  ir::Datum& element = memo_[v.a];
  const ir::Datum outer = element;
  bool ok = true;
  bool decided = false;  // any/all: an element settled it
  for (uint32_t i = 0; i < count && ok && !decided; ++i) {
    element = ir::Datum{.kind = ir::Kind::kElement, .set = list->items + size_t{i} * list->stride};
    NextElement();
    const ir::Datum* x = Eval(v.b);
    if (x == nullptr) {
      ok = false;
      break;
    }
    ir::Datum next;
    ir::EvalStatus status = ir::EvalStatus::kOk;
    switch (v.op) {
      case ir::Op::kAny:
        decided = x->bits != 0;
        out.bits = decided ? 1 : 0;
        break;
      case ir::Op::kAll:
        decided = x->bits == 0;
        out.bits = decided ? 0 : 1;
        break;
      case ir::Op::kCount:
        if (x->bits != 0) ++out.number.num;  // at most a list's length: no overflow
        break;
      case ir::Op::kSum:
        status = ir::EvalOp(ir::Op::kAdd, ir::Kind::kNumber, out, *x, *this, next);
        if (status == ir::EvalStatus::kOk) out.number = next.number;
        break;
      case ir::Op::kMin:
      case ir::Op::kMax: {
        if (!out.present) {
          out = *x;
          out.present = true;
          break;
        }
        ir::Op better = v.op == ir::Op::kMin ? ir::Op::kLt : ir::Op::kGt;
        status = ir::EvalOp(better, ir::Kind::kBool, *x, out, *this, next);
        if (status == ir::EvalStatus::kOk && next.bits != 0) {
          out = *x;
          out.present = true;
        }
        break;
      }
      default:
        break;
    }
    if (status != ir::EvalStatus::kOk) {
      Fail(id, ir::EvalStatusMessage(status));
      ok = false;
    }
  }
  element = outer;
  NextElement();  // what was computed with the last element is stale now
  out.present = out.present || (v.op != ir::Op::kMin && v.op != ir::Op::kMax);
  return ok;
}

void Interpreter::TraceLookup(const ir::Value& v, const ir::Datum& key, int64_t row) {
  const ir::TableData& table = *tables_[v.b];
  const std::string& label = program_.values[v.a].label;
  std::string line = fmt::format(
      "{} = {} {} table {}: {}", label.empty() ? "key" : label, ir::FormatDatum(program_, key),
      v.op == ir::Op::kTableNear ? "near" : "in", table.schema().name, row >= 0 ? "true" : "false");
  // As views: clang finds TextView != TextView ambiguous through the conversions.
  if (row >= 0 && table.schema().normalized &&
      key.text.view() != table.rows()[row][0].text.view()) {
    line += fmt::format(" (listed as \"{}\")", table.rows()[row][0].text);
  }
  if (row < 0 && table.schema().normalized) {
    auto [closest, closest_row] = table.Closest(key.text);
    if (closest_row >= 0) line += fmt::format(" (closest listed name: \"{}\")", closest);
  }
  tracing_->comparisons.push_back(std::move(line));
}

void Interpreter::Decide(std::span<const ir::Datum> request, DayNumber as_of, Decision& out,
                         Trace* trace, std::span<const ir::TableData* const> tables) {
  out.Clear();
  if (tables.empty() && own_tables_.size() != program_.tables.size()) {
    // Built on first use: an engine that passes its own (swappable) tables never needs these.
    for (const ir::Table& table : program_.tables) {
      own_tables_.push_back(std::make_unique<ir::TableData>(table, table.rows));
      own_table_views_.push_back(own_tables_.back().get());
    }
  }
  tables_ = tables.empty() ? std::span<const ir::TableData* const>(own_table_views_) : tables;
  if (trace != nullptr) trace->rules.clear();
  request_ = request;
  as_of_.bits = as_of;
  names_.Start();
  // A request decoded elsewhere is often cold, and the rules read its slots one dependent load
  // at a time: ask for all of its cache lines up front so that the misses overlap.
  const auto* bytes = reinterpret_cast<const char*>(request.data());
  for (size_t offset = 0; offset < request.size_bytes(); offset += 64) {
    __builtin_prefetch(bytes + offset);
  }
  // And the texts that tables are looked up by, which the first lookup would wait for: at
  // 100,000 names the end user's name is a cache miss that the rules before it can hide.
  for (ir::SlotId slot : key_slots_) {
    if (slot < request.size()) __builtin_prefetch(request[slot].text.data());
  }
  arena_used_ = 0;
  texts_used_ = 0;
  auto next_generation = [&] {
    if (++clock_ == 0) {
      for (Node& node : nodes_) node.stamp = 0;
      clock_ = 1;
    }
    generation_ = clock_;
    element_stamp_ = clock_;
  };
  next_generation();
  for (ir::RuleId r = 0; r < program_.rules.size(); ++r) {
    const RuleNode& node = rules_[r];
    RuleTrace* rule_trace = nullptr;
    if (trace != nullptr) {
      trace->rules.push_back(RuleTrace{.rule = r});
      rule_trace = &trace->rules.back();
      // Fresh memo per rule, so that each rule's trace shows every comparison it made.
      next_generation();
    }
    tracing_ = rule_trace;
    bool in_force = as_of >= node.from && as_of < node.to;
    if (!in_force) continue;
    auto fail = [&] {
      out.errors.push_back(RuleError{r, error_});
      error_.clear();
      if (rule_trace != nullptr) rule_trace->condition = RuleTrace::Condition::kError;
    };
    const ir::Datum* condition = Eval(node.when);
    if (condition == nullptr) {
      fail();
      continue;
    }
    if (rule_trace != nullptr) {
      rule_trace->condition =
          condition->bits ? RuleTrace::Condition::kTrue : RuleTrace::Condition::kFalse;
    }
    if (condition->bits == 0) continue;
    const ir::Rule& rule = program_.rules[r];
    Reason reason{.rule = r, .outcome = rule.outcome};
    bool failed = false;
    for (uint32_t k = 0; k < rule.unless.size(); ++k) {
      const ir::Datum* applies = Eval(rule.unless[k].condition);
      if (applies == nullptr) {
        fail();
        failed = true;
        break;
      }
      if (applies->bits != 0) {
        reason.outcome = rule.unless[k].outcome;
        reason.exception = k;
        break;
      }
    }
    if (failed) continue;
    const std::vector<ir::MessageHole>& holes =
        reason.exception == ir::kNoId ? rule.holes : rule.unless[reason.exception].holes;
    if (!holes.empty()) [[unlikely]] {
      hole_values_.clear();
      for (const ir::MessageHole& hole : holes) {
        const ir::Datum* value = Eval(hole.value);
        if (value == nullptr) break;
        hole_values_.push_back(*value);
      }
      if (hole_values_.size() != holes.size()) {
        fail();
        continue;
      }
      const std::string& message =
          reason.exception == ir::kNoId ? rule.message : rule.unless[reason.exception].message;
      reason.text = ir::FillMessage(program_, message, holes, hole_values_);
    }
    if (rule_trace != nullptr) rule_trace->exception = reason.exception;
    out.reasons.push_back(std::move(reason));
  }
  tracing_ = nullptr;
  FinishDecision(program_, out);
}

auto ErrorMessage(const ir::Program& program, ir::ValueId id, std::string_view what)
    -> std::string {
  const std::string& label = program.values[id].label;
  return label.empty() ? std::string(what) : fmt::format("{} in `{}`", what, label);
}

namespace {

// Out of line: the rare case keeps its string copies out of every decision's path.
[[gnu::noinline]] void MoveBrokenRequirements(const ir::Program& program, Decision& out) {
  size_t kept = out.reasons.size();
  while (kept > 0 && out.reasons[kept - 1].rule >= program.first_requirement) --kept;
  for (size_t i = kept; i < out.reasons.size(); ++i) {
    out.errors.push_back(
        RuleError{out.reasons[i].rule, program.rules[out.reasons[i].rule].message});
  }
  out.reasons.resize(kept);
}

}  // namespace

void FinishDecision(const ir::Program& program, Decision& out) {
  // A broken `require` is not a reason: the request is in error, and the message says why. The
  // requirements are the last rules, so they are the tail of the reasons (one compare when none).
  if (!out.reasons.empty() && out.reasons.back().rule >= program.first_requirement) {
    MoveBrokenRequirements(program, out);
  }
  if (!out.errors.empty()) {
    out.error = true;
    return;
  }
  // No rule fired: the lowest outcome.
  out.outcome = program.outcomes.empty() ? ir::kNoId
                                         : static_cast<ir::OutcomeId>(program.outcomes.size() - 1);
  for (const Reason& reason : out.reasons) out.outcome = std::min(out.outcome, reason.outcome);
}

}  // namespace cordon::interp
