// SPDX-License-Identifier: Apache-2.0
// Expressions: names, types, units and optionals, checked and lowered to IR in one walk.
// A `let` with parameters is walked twice: once on its own, for its diagnostics and result
// type (`emit` off), and again at each call, inlined with its arguments (`quiet` on).
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/checker.h"
#include "runtime/base/countries.h"
#include "runtime/base/spelling.h"

namespace cordon::check {

namespace {

auto IsCountryShaped(const std::string& name) -> bool {
  return name.size() == 2 && std::isupper(static_cast<unsigned char>(name[0])) &&
         std::isupper(static_cast<unsigned char>(name[1]));
}

auto IsComparison(ast::BinaryOp op) -> bool {
  return op == ast::BinaryOp::kEq || op == ast::BinaryOp::kNe || op == ast::BinaryOp::kLt ||
         op == ast::BinaryOp::kLe || op == ast::BinaryOp::kGt || op == ast::BinaryOp::kGe;
}

// The IR op an operator becomes (operators.def); the checker picks another for dates and `not in`.
auto ToIrOp(ast::BinaryOp op) -> ir::Op {
  switch (op) {
#define CORDON_BINARY(Name, spelling, IrOp) \
  case ast::BinaryOp::k##Name:              \
    return ir::Op::k##IrOp;
#include "compiler/ast/operators.def"
  }
  return ir::Op::kAnd;
}

}  // namespace

// The functions rule text can call by name, from ops.def (besides `days`, which converts).
enum class BuiltinUnits : uint8_t {
  kDimensionless,  // the result is a plain number, whatever the argument's unit
  kArgument,       // the result has the argument's unit
};
struct Builtin {
  std::string_view name;
  ir::Op op;
  TypeKind parameter;
  TypeKind result;
  BuiltinUnits units;
};
namespace {

constexpr Builtin kBuiltins[] = {
#define CORDON_BUILTIN(name, Name, parameter, result, unit_rule) \
  {#name, ir::Op::k##Name, TypeKind::parameter, TypeKind::result, BuiltinUnits::unit_rule},
#include "runtime/ir/ops.def"
};

}  // namespace

auto Checker::Text(uint32_t module, SourceRange range) -> std::string_view {
  return modules_[module].source->text().substr(range.begin, range.end - range.begin);
}

auto Checker::LabelText(uint32_t module, SourceRange range) -> std::string {
  std::string_view text = Text(module, range);
  std::string out;
  bool in_string = false;
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!in_string && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      space = true;
      continue;
    }
    if (!in_string && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      space = true;
      continue;
    }
    if (!in_string && (c == '}' || c == ')' || c == ']') && !out.empty() && out.back() == ',') {
      out.pop_back();  // a trailing comma, which `cordon fmt` drops
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    if (c == '"') in_string = !in_string;
    if (in_string && c == '\\' && i + 1 < text.size()) out += text[i++];
    out += c;
  }
  return out;
}

auto Checker::KindOf(const Type& type) -> ir::Kind {
  switch (type.kind) {
    case TypeKind::kBool:
      return ir::Kind::kBool;
    case TypeKind::kInt:
    case TypeKind::kNumber:
    case TypeKind::kDuration:
      return ir::Kind::kNumber;
    case TypeKind::kText:
      return ir::Kind::kText;
    case TypeKind::kDate:
      return ir::Kind::kDate;
    case TypeKind::kCountry:
      return ir::Kind::kCountry;
    case TypeKind::kEnum:
      return ir::Kind::kEnum;
    case TypeKind::kRow:
      return ir::Kind::kRow;
    case TypeKind::kList:
      return ir::Kind::kList;
    case TypeKind::kSet:
      if (type.element == TypeKind::kCountry) return ir::Kind::kCountrySet;
      if (type.element == TypeKind::kEnum) return ir::Kind::kEnumSet;
      return ir::Kind::kTextSet;
    default:
      return ir::Kind::kBool;
  }
}

auto Checker::TypeName(const Type& type) -> std::string {
  std::string base;
  switch (type.kind) {
    case TypeKind::kError:
      return "`<error>`";
    case TypeKind::kBool:
      base = "bool";
      break;
    case TypeKind::kInt:
    case TypeKind::kNumber: {
      base = type.kind == TypeKind::kInt ? "int" : "number";
      std::string unit = dims_.Format(type.dim);
      if (!unit.empty()) base += " " + unit;
      break;
    }
    case TypeKind::kText:
      base = "text";
      break;
    case TypeKind::kDate:
      base = "date";
      break;
    case TypeKind::kDuration:
      base = "duration";
      break;
    case TypeKind::kCountry:
      base = "country";
      break;
    case TypeKind::kEnum:
      base = "enum " + program_.enums[type.id].name;
      break;
    case TypeKind::kRecord:
      base = records_[type.id].name;
      break;
    case TypeKind::kSet: {
      Type element{.kind = type.element, .id = type.id};
      std::string inner = TypeName(element);
      base = "set<" + inner.substr(1, inner.size() - 2) + ">";
      break;
    }
    case TypeKind::kTable:
      base = "table " + program_.tables[type.id].name;
      break;
    case TypeKind::kRow:
      base = "row of " + program_.tables[type.id].name;
      break;
    case TypeKind::kList:
      base = "list<" + records_[type.id].name + ">";
      break;
    case TypeKind::kNone:
      return "`none`";
  }
  return "`" + base + (type.optional ? "?`" : "`");
}

auto Checker::Describe(const ast::Expr& expr, const Typed& typed, uint32_t module) -> std::string {
  std::string_view text = Text(module, expr.range);
  if (text.size() > 40) text = text.substr(0, 37);
  return fmt::format("`{}{}` ({})", text, Text(module, expr.range).size() > 40 ? "…" : "",
                     TypeName(typed.type).substr(1, TypeName(typed.type).size() - 2));
}

auto Checker::Assignable(const Type& to, const Type& from) const -> bool {
  if (to.is_error() || from.is_error()) return true;
  if (from.kind == TypeKind::kNone) return to.optional;
  if (from.optional && !to.optional) return false;
  if (to.is_numeric() && from.is_numeric()) {
    if (to.dim != from.dim) return false;
    return to.kind == TypeKind::kNumber || from.kind == TypeKind::kInt;
  }
  if (to.kind != from.kind) return false;
  if (to.kind == TypeKind::kSet) {
    // `{}` has no element type yet.
    if (from.element == TypeKind::kError) return true;
    return to.element == from.element && to.id == from.id;
  }
  if (to.kind == TypeKind::kEnum || to.kind == TypeKind::kRecord || to.kind == TypeKind::kTable ||
      to.kind == TypeKind::kRow || to.kind == TypeKind::kList) {
    return to.id == from.id;
  }
  return true;
}

auto Checker::EmitConst(ir::Datum datum, const Type& type) -> ir::ValueId {
  ir::Kind kind = KindOf(type);
  datum.kind = kind;
  std::string key;
  if (ir::Payload shape = ir::PayloadOf(kind); shape != ir::Payload::kSet) {
    // The payload the kind reads, and only that: the others share its storage.
    std::string payload = shape == ir::Payload::kNumber ? FormatInt128(datum.number.num) + "/" +
                                                              FormatInt128(datum.number.den)
                          : shape == ir::Payload::kText ? std::string(datum.text)
                                                        : fmt::format("{}", datum.bits);
    key = fmt::format("c{}:{}:{}:{}", static_cast<int>(kind), datum.present, payload, type.id);
    if (auto it = value_ids_.find(key); it != value_ids_.end()) return it->second;
  }
  program_.constants.push_back(datum);
  ir::Value value{.op = ir::Op::kConst,
                  .kind = kind,
                  .optional = type.optional,
                  .a = static_cast<uint32_t>(program_.constants.size() - 1)};
  if (type.kind == TypeKind::kEnum ||
      (type.kind == TypeKind::kSet && type.element == TypeKind::kEnum)) {
    value.enum_id = type.id;
  }
  program_.values.push_back(std::move(value));
  auto id = static_cast<ir::ValueId>(program_.values.size() - 1);
  if (!key.empty()) value_ids_.emplace(std::move(key), id);
  return id;
}

auto Checker::Emit(ir::Op op, const Type& type, ir::ValueId a, ir::ValueId b, const Env& env,
                   const ast::Expr* where) -> ir::ValueId {
  if (!env.emit || a == ir::kNoId) return ir::kNoId;
  bool binary = ir::TakesValueB(op);
  if (binary && b == ir::kNoId) return ir::kNoId;
  // A value that cannot be computed from constants is an error in the rule text.
  auto cannot_compute = [&](ir::EvalStatus status) -> ir::ValueId {
    if (where != nullptr) {
      bool zero = status == ir::EvalStatus::kDivisionByZero;
      Diag(env)
          .Error(zero ? DiagnosticKind::DivisionByZero : DiagnosticKind::NumberOutOfRange,
                 Loc(env.module, where->range),
                 fmt::format("{} in `{}`", ir::EvalStatusMessage(status),
                             Text(env.module, where->range)))
          .Help(zero ? "a divisor written in the rule text must not be zero"
                     : "numbers are exact fractions of 128-bit integers (up to about 1.7e38); use "
                       "smaller figures");
    }
    return ir::kNoId;
  };
  // A zero divisor is an error even when the dividend comes from the request.
  if (op == ir::Op::kDiv && IsConst(b) && ConstOf(b).number.num == 0) {
    return cannot_compute(ir::EvalStatus::kDivisionByZero);
  }
  // Folding. `and`, `or` and `otherwise` fold on their left operand alone, which keeps
  // left-to-right evaluation (and its errors) as written.
  if (op == ir::Op::kAnd || op == ir::Op::kOr) {
    if (IsConst(a)) {
      bool left = ConstOf(a).bits != 0;
      if (left == (op == ir::Op::kOr)) return a;
      return b;
    }
  } else if (op == ir::Op::kOtherwise) {
    if (IsConst(a)) return ConstOf(a).present ? a : b;
  } else if (op == ir::Op::kIf) {
    // A constant condition picks its branch now; the pair (kElse) is never folded.
    if (IsConst(a)) {
      const ir::Value& pair = program_.values[b];
      return ConstOf(a).bits != 0 ? pair.a : pair.b;
    }
  } else if (op == ir::Op::kElse || op == ir::Op::kWith) {
    // Pairs are read by their If or Replace, never folded alone.
  } else if (op != ir::Op::kSlot && op != ir::Op::kRowField && op != ir::Op::kTableHas &&
             op != ir::Op::kTableFind && op != ir::Op::kTableNear && ir::TakesValueA(op) &&
             IsConst(a) && (!binary || IsConst(b))) {
    const ir::Datum& x = ConstOf(a);
    ir::Datum y = binary ? ConstOf(b) : ir::Datum{};
    ir::Datum out;
    ir::Value value{.op = op, .kind = KindOf(type)};
    if (x.kind == ir::Kind::kTextSet && (op == ir::Op::kUnion || op == ir::Op::kDifference)) {
      // Text sets are constants only; their algebra happens here.
      const auto& left = static_cast<const ir::TextSet*>(x.set)->sorted;
      const auto& right = static_cast<const ir::TextSet*>(y.set)->sorted;
      ir::TextSet& set = program_.text_sets.emplace_back();
      if (op == ir::Op::kUnion) {
        std::set_union(left.begin(), left.end(), right.begin(), right.end(),
                       std::back_inserter(set.sorted));
      } else {
        std::set_difference(left.begin(), left.end(), right.begin(), right.end(),
                            std::back_inserter(set.sorted));
      }
      out = ir::Datum{.kind = ir::Kind::kTextSet, .set = &set};
      return EmitConst(out, type);
    }
    if (op == ir::Op::kIsSome || x.present) {
      ir::EvalStatus status = ir::EvalOp(value.op, value.kind, x, y, *this, out);
      if (status == ir::EvalStatus::kOk) {
        out.present = true;
        return EmitConst(out, type);
      }
      return cannot_compute(status);
    }
  }
  std::string key = fmt::format("{}:{}:{}:{}:{}:{}", static_cast<int>(op),
                                static_cast<int>(KindOf(type)), type.optional, a, b, type.id);
  if (auto it = value_ids_.find(key); it != value_ids_.end()) return it->second;
  ir::Value value{.op = op, .kind = KindOf(type), .optional = type.optional, .a = a, .b = b};
  if (type.kind == TypeKind::kEnum ||
      (type.kind == TypeKind::kSet && type.element == TypeKind::kEnum)) {
    value.enum_id = type.id;
  }
  // A list made from another (`unwrap`, `if`) has its shape; a slot's is set by CheckField.
  if (value.kind == ir::Kind::kList && ir::TakesValueA(op) &&
      program_.values[a].kind == ir::Kind::kList) {
    value.enum_id = program_.values[a].enum_id;
  }
  program_.values.push_back(std::move(value));
  auto id = static_cast<ir::ValueId>(program_.values.size() - 1);
  value_ids_.emplace(std::move(key), id);
  return id;
}

auto Checker::RequireValue(const Typed& typed, const ast::Expr& expr, Env& env, const char* use)
    -> bool {
  if (typed.type.is_error()) return false;
  if (typed.type.kind == TypeKind::kNone) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(env.module, expr.range),
               fmt::format("`none` cannot be used in {}", use))
        .Help("`none` only compares with an optional (`x == none`) or fills an optional field");
    return false;
  }
  if (!typed.type.optional) return true;
  std::string text(Text(env.module, expr.range));
  Diag(env)
      .Error(DiagnosticKind::UnhandledOptional, Loc(env.module, expr.range),
             fmt::format("`{}` may be absent (it is {}), so {} cannot use it directly", text,
                         TypeName(typed.type), use))
      .Help(fmt::format("say what happens when it is absent: `{} is some x and …` uses the "
                        "value as `x`; `{} otherwise DEFAULT` supplies one",
                        text, text));
  return false;
}

auto Checker::Quantity(const std::string& digits, SourceRange range, const UnitInfo* unit, Env& env)
    -> Typed {
  std::optional<Number> value = ParseDecimal(digits);
  if (!value) {
    Diag(env)
        .Error(DiagnosticKind::NumberOutOfRange, Loc(env.module, range),
               fmt::format("`{}` cannot be represented exactly", digits))
        .Help(
            "numbers are exact fractions of 128-bit integers: up to about 1.7e38, and any 38 "
            "significant digits");
    return Typed::Error();
  }
  Type type = MakeType(digits.find('.') == std::string::npos ? TypeKind::kInt : TypeKind::kNumber);
  if (unit != nullptr) {
    Number scaled;
    if (Multiply(*value, unit->scale, scaled) != ArithmeticStatus::kOk) {
      Diag(env).Error(DiagnosticKind::NumberOutOfRange, Loc(env.module, range),
                      fmt::format("`{}` is out of range in base units", digits));
      return Typed::Error();
    }
    value = scaled;
    type.dim = unit->dim;
    if (!scaled.is_integer()) type.kind = TypeKind::kNumber;
  }
  return Typed{.type = type, .value = EmitConst(ir::Datum{.number = *value}, type)};
}

auto Checker::Resolves(uint32_t module, const std::string& name, const Env& env) -> bool {
  for (const Binding& b : env.locals) {
    if (b.name == name) return true;
  }
  return name == "request" || modules_[module].visible.count(name) != 0 || IsCountryShaped(name);
}

auto Checker::UnitHidesCountry(uint32_t module, const ast::Expr& expr, const Env& env)
    -> std::string {
  const auto* ref = std::get_if<ast::NameRef>(&expr.kind);
  if (ref == nullptr || !LookupCountry(ref->name)) return "";
  for (const Binding& b : env.locals) {
    if (b.name == ref->name) return "";
  }
  const Module::Visible* v = Lookup(module, ref->name, false);
  if (v == nullptr || v->symbol.kind != SymbolKind::kUnit) return "";
  return fmt::format(
      "`{0}` here is the unit `{0}` (module `{1}`), which hides the country code {0} ({2}); "
      "where a country is expected `{0}` is the country: compare a country with it "
      "(`request.destination == {0}`), or give the set its type (`let g: set<country> = {{{0}, "
      "FR}}`)",
      ref->name, modules_[v->symbol.module].name, CountryName(*LookupCountry(ref->name)));
}

auto Checker::Suggest(uint32_t module, const std::string& name, const Env& env) -> std::string {
  std::vector<std::string> candidates;
  for (const Binding& b : env.locals) candidates.push_back(b.name);
  for (const auto& [visible, unused] : modules_[module].visible) candidates.push_back(visible);
  if (request_) candidates.emplace_back("request");
  return ClosestSpelling(name, candidates);
}

auto Checker::Check(const ast::Expr& expr, Env& env, const Type* expected) -> Typed {
  Typed out = std::visit(
      [&](const auto& kind) -> Typed {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, ast::ErrorExpr>) {
          return Typed::Error();
        } else if constexpr (std::is_same_v<T, ast::NumberLit>) {
          return Quantity(kind.digits, expr.range, nullptr, env);
        } else if constexpr (std::is_same_v<T, ast::QuantityLit>) {
          const Module::Visible* v = Lookup(env.module, kind.unit.text, true);
          if (v != nullptr) IndexDecl(env.module, kind.unit.range, v->symbol);
          if (v == nullptr || v->symbol.kind != SymbolKind::kUnit) {
            Diag(env)
                .Error(DiagnosticKind::UnknownUnit, Loc(env.module, kind.unit.range),
                       fmt::format("unknown unit `{}`", kind.unit.text))
                .Help(fmt::format("declare it with `unit {}` or import it", kind.unit.text));
            return Typed::Error();
          }
          const UnitState& unit = Unit(v->symbol, Loc(env.module, kind.unit.range));
          if (!unit.ok) return Typed::Error();
          UnitInfo info = unit.info;
          return Quantity(kind.digits, expr.range, &info, env);
        } else if constexpr (std::is_same_v<T, ast::StringLit>) {
          Type type = MakeType(TypeKind::kText);
          return Typed{type, EmitConst(ir::Datum{.text = program_.AddText(kind.value)}, type)};
        } else if constexpr (std::is_same_v<T, ast::DateLit>) {
          Type type = MakeType(TypeKind::kDate);
          DayNumber day = DaysFromCivil(kind.date.year, kind.date.month, kind.date.day);
          return Typed{type, EmitConst(ir::Datum{.bits = day}, type)};
        } else if constexpr (std::is_same_v<T, ast::BoolLit>) {
          Type type = MakeType(TypeKind::kBool);
          return Typed{type, EmitConst(ir::Datum{.bits = kind.value ? 1 : 0}, type)};
        } else if constexpr (std::is_same_v<T, ast::NoneLit>) {
          if (expected != nullptr && expected->optional && expected->kind != TypeKind::kRecord) {
            return Typed{*expected, EmitConst(ir::Datum{.present = false}, *expected)};
          }
          return Typed{Type{.kind = TypeKind::kNone, .optional = true}};
        } else if constexpr (std::is_same_v<T, ast::NameRef>) {
          return CheckName(expr, kind.name, env, expected);
        } else if constexpr (std::is_same_v<T, ast::FieldAccess>) {
          return CheckField(expr, kind, env);
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          return CheckCall(expr, kind, env);
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          Typed operand = Check(*kind.operand, env);
          if (operand.type.is_error()) return Typed::Error();
          if (kind.op == ast::UnaryOp::kNot) {
            if (!RequireValue(operand, *kind.operand, env, "`not`")) return Typed::Error();
            if (operand.type.kind != TypeKind::kBool) {
              Diag(env)
                  .Error(DiagnosticKind::TypeMismatch, Loc(env.module, kind.operand->range),
                         fmt::format("`not` needs true or false, but {} is not",
                                     Describe(*kind.operand, operand, env.module)))
                  .Help("`not` negates a condition such as `x in D5`");
              return Typed::Error();
            }
            return Typed{operand.type, Emit(ir::Op::kNot, operand.type, operand.value, 0, env)};
          }
          if (!RequireValue(operand, *kind.operand, env, "`-`")) return Typed::Error();
          if (!operand.type.is_numeric() && operand.type.kind != TypeKind::kDuration) {
            Diag(env)
                .Error(DiagnosticKind::TypeMismatch, Loc(env.module, kind.operand->range),
                       fmt::format("`-` negates numbers, and {} is not one",
                                   Describe(*kind.operand, operand, env.module)))
                .Help("only numbers, quantities and durations can be negative");
            return Typed::Error();
          }
          return Typed{operand.type,
                       Emit(ir::Op::kNeg, operand.type, operand.value, 0, env, &expr)};
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          return CheckBinary(expr, kind, env, expected);
        } else if constexpr (std::is_same_v<T, ast::If>) {
          return CheckIf(expr, kind, env, expected);
        } else if constexpr (std::is_same_v<T, ast::IsSome> || std::is_same_v<T, ast::IsNone>) {
          Typed operand = Check(*kind.operand, env);
          if (operand.type.is_error()) return Typed::Error();
          bool some = std::is_same_v<T, ast::IsSome>;
          if (!operand.type.optional || operand.type.kind == TypeKind::kNone) {
            Diag(env)
                .Error(DiagnosticKind::TypeMismatch, Loc(env.module, kind.operand->range),
                       fmt::format("{} is not optional: it always has a value, so `is {}` has "
                                   "nothing to test",
                                   Describe(*kind.operand, operand, env.module),
                                   some ? "some" : "none"))
                .Help("`is some` and `is none` apply to fields declared with `?`");
            return Typed::Error();
          }
          if constexpr (std::is_same_v<T, ast::IsSome>) {
            some_operands_[{env.module, expr.id.index}] = operand;
          }
          Type boolean = MakeType(TypeKind::kBool);
          ir::ValueId is_some = Emit(ir::Op::kIsSome, boolean, operand.value, 0, env);
          if (some) return Typed{boolean, is_some};
          return Typed{boolean, Emit(ir::Op::kNot, boolean, is_some, 0, env)};
        } else if constexpr (std::is_same_v<T, ast::SetLit>) {
          return CheckSet(expr, kind, env, expected);
        } else if constexpr (std::is_same_v<T, ast::Quantified>) {
          return CheckQuantified(expr, kind, env);
        } else if constexpr (std::is_same_v<T, ast::ListLit>) {
          Diag(env)
              .Error(DiagnosticKind::UnsupportedExpression, Loc(env.module, expr.range),
                     "a list can only be written in a test's `given`")
              .Help("rules read lists from the request and go over them with `any x in xs: …`");
          return Typed::Error();
        } else {
          static_assert(std::is_same_v<T, ast::RecordLit>);
          Diag(env)
              .Error(DiagnosticKind::UnsupportedExpression, Loc(env.module, expr.range),
                     "a record can only be written in a test's `given`")
              .Help("rules read records from the request, e.g. `request.item`");
          return Typed::Error();
        }
      },
      expr.kind);
  if (env.constant_only && !out.type.is_error() && out.value != ir::kNoId && !IsConst(out.value)) {
    Diag(env)
        .Error(DiagnosticKind::UnsupportedExpression, Loc(env.module, expr.range),
               fmt::format("`{}` is not a constant", Text(env.module, expr.range)))
        .Help(
            "unit definitions, test values and `effective`/`until` dates are fixed when the "
            "policy is compiled: they cannot read the request");
    return Typed::Error();
  }
  modules_[env.module].types[expr.id.index] = out.type;
  // Name constant sets by their source text in --explain (`D1 + D4 - A5`, not 40 codes).
  if (IsConst(out.value) && out.type.kind == TypeKind::kSet &&
      program_.values[out.value].label.empty()) {
    std::string text = LabelText(env.module, expr.range);
    if (text.size() <= 80) program_.values[out.value].label = std::move(text);
  }
  return out;
}

auto Checker::CheckName(const ast::Expr& expr, const std::string& name, Env& env,
                        const Type* expected) -> Typed {
  for (auto it = env.locals.rbegin(); it != env.locals.rend(); ++it) {
    if (it->name == name) {
      IndexLocal(env.module, expr.range, *it);
      return it->value;
    }
  }
  uint32_t m = env.module;
  if (auto amb = modules_[m].ambiguous.find(name);
      amb != modules_[m].ambiguous.end() && modules_[m].own.count(name) == 0) {
    std::vector<std::string> names;
    for (uint32_t other : amb->second) names.push_back(modules_[other].name);
    std::string from = QuotedList(names);
    Diag(env)
        .Error(DiagnosticKind::AmbiguousName, Loc(m, expr.range),
               fmt::format("`{}` is declared by more than one imported module: {}", name, from))
        .Help(fmt::format("import it by name from one of them: `import MODULE ({})`", name));
    return Typed::Error();
  }
  // A unit spelled as a country code (`GB`) is the country where a country is expected.
  if (expected != nullptr &&
      (expected->kind == TypeKind::kCountry ||
       (expected->kind == TypeKind::kSet && expected->element == TypeKind::kCountry))) {
    if (!UnitHidesCountry(m, expr, env).empty()) {
      Type type = MakeType(TypeKind::kCountry);
      return Typed{type, EmitConst(ir::Datum{.bits = *LookupCountry(name)}, type)};
    }
  }
  if (const Module::Visible* v = Lookup(m, name, true)) {
    const Symbol symbol = v->symbol;
    IndexDecl(m, expr.range, symbol);
    switch (symbol.kind) {
      case SymbolKind::kUnit: {
        const UnitState& unit = Unit(symbol, Loc(m, expr.range));
        if (!unit.ok) return Typed::Error();
        UnitInfo info = unit.info;
        return Quantity("1", expr.range, &info, env);
      }
      case SymbolKind::kLet: {
        if (lets_[{symbol.module, symbol.decl}].state == State::kInProgress) {
          Diag(env)
              .Error(DiagnosticKind::RecursiveDefinition, Loc(m, expr.range),
                     fmt::format("`{}` is defined in terms of itself", name))
              .Help(
                  "definitions cannot be recursive: every decision must finish in bounded "
                  "time");
          return Typed::Error();
        }
        LetInfo& let = Let(symbol);
        const auto& decl =
            std::get<ast::LetDecl>(modules_[symbol.module].file.decls[symbol.decl].kind);
        if (decl.params) {
          Diag(env)
              .Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
                     fmt::format("`{}` takes {} argument{}: call it as `{}(…)`", name,
                                 decl.params->size(), decl.params->size() == 1 ? "" : "s", name))
              .Label(Loc(symbol.module, decl.name.range), "defined here");
          return Typed::Error();
        }
        if (!let.ok) return Typed::Error();
        Typed value = let.constant;
        if (!env.emit) value.value = ir::kNoId;
        return value;
      }
      case SymbolKind::kTable: {
        const TableInfo& table = Table(symbol);
        if (table.table == ir::kNoId) return Typed::Error();
        return Typed{.type = MakeType(TypeKind::kTable, table.table), .table = table.table};
      }
      case SymbolKind::kNormalization:
        Diag(env)
            .Error(DiagnosticKind::TypeMismatch, Loc(m, expr.range),
                   fmt::format("`{}` is a normalization, not a value", name))
            .Help(fmt::format("a table column compares names by it: `name: text match {}`", name));
        return Typed::Error();
      case SymbolKind::kInput:
        Diag(env)
            .Error(DiagnosticKind::TypeMismatch, Loc(m, expr.range),
                   fmt::format("`{}` is a record type, not a value", name))
            .Help(name == "Request" ? "the request itself is `request`"
                                    : "read a record from the request, e.g. `request.item`");
        return Typed::Error();
    }
  }
  if (name == "request") {
    if (env.constant_only) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, expr.range),
                 "`request` is not a constant")
          .Help(
              "unit definitions, test values and `effective`/`until` dates are fixed when the "
              "policy is compiled");
      return Typed::Error();
    }
    if (!request_) {
      Diag(env)
          .Error(DiagnosticKind::MissingRequest, Loc(m, expr.range),
                 "`request` names the request, but this policy declares no `input Request`")
          .Help("declare the fields a request carries: `input Request { as_of: date  … }`");
      return Typed::Error();
    }
    IndexDecl(m, expr.range, *request_);
    return Typed{.type = MakeType(TypeKind::kRecord, request_record_), .schema = 0};
  }
  // An enum value, where an enum is expected.
  if (expected != nullptr &&
      (expected->kind == TypeKind::kEnum ||
       (expected->kind == TypeKind::kSet && expected->element == TypeKind::kEnum))) {
    const ir::Enum& e = program_.enums[expected->id];
    auto it = std::find(e.values.begin(), e.values.end(), name);
    Type type = MakeType(TypeKind::kEnum, expected->id);
    if (it != e.values.end()) {
      return Typed{type, EmitConst(ir::Datum{.bits = it - e.values.begin()}, type)};
    }
    std::string values = QuotedList(e.values);
    std::string close = ClosestSpelling(name, e.values);
    Diag(env)
        .Error(DiagnosticKind::UnknownName, Loc(m, expr.range),
               fmt::format("`{}` is not a value of `{}`", name, e.name))
        .Help(close.empty() ? fmt::format("the values are {}", values)
                            : fmt::format("did you mean `{}`? the values are {}", close, values));
    return Typed::Error();
  }
  if (IsCountryShaped(name) ||
      (name.size() == 3 && std::all_of(name.begin(), name.end(), ::isupper) &&
       !CountryHelp(name).empty())) {
    if (std::optional<CountryIndex> country = LookupCountry(name)) {
      Type type = MakeType(TypeKind::kCountry);
      return Typed{type, EmitConst(ir::Datum{.bits = *country}, type)};
    }
    std::string help = CountryHelp(name);
    Diag(env)
        .Error(DiagnosticKind::InvalidCountry, Loc(m, expr.range),
               fmt::format("`{}` is not an ISO 3166-1 alpha-2 country code", name))
        .Help(help.empty() ? "countries are written as their two-letter ISO 3166-1 codes, e.g. "
                             "`CN`, `GB`, `MO`"
                           : help);
    return Typed::Error();
  }
  if (modules_[m].broken.count(name) != 0) return Typed::Error();
  std::string close = Suggest(m, name, env);
  if (modules_[m].has_broken_whole_import && close.empty()) {
    Diag(env)
        .Error(DiagnosticKind::UnknownName, Loc(m, expr.range),
               fmt::format("unknown name `{}`", name))
        .Help("it may come from the module that could not be imported");
    return Typed::Error();
  }
  Diag(env)
      .Error(DiagnosticKind::UnknownName, Loc(m, expr.range),
             fmt::format("unknown name `{}`", name))
      .Help(close.empty() ? "declare it with `let`, import it, or check the spelling"
                          : fmt::format("did you mean `{}`?", close));
  return Typed::Error();
}

auto Checker::CheckField(const ast::Expr& expr, const ast::FieldAccess& access, Env& env) -> Typed {
  Typed object = Check(*access.object, env);
  if (object.type.is_error()) return Typed::Error();
  uint32_t m = env.module;
  const std::string& field = access.field.text;
  if (object.type.optional) {
    std::string text(Text(m, access.object->range));
    Diag(env)
        .Error(DiagnosticKind::UnhandledOptional, Loc(m, access.object->range),
               fmt::format("`{}` may be absent (it is {}), so `.{}` cannot be read from it", text,
                           TypeName(object.type), field))
        .Help(fmt::format("write `{} is some x and x.{} …` to read it when present", text, field));
    return Typed::Error();
  }
  if (object.type.kind == TypeKind::kRecord) {
    const Record& record = ResolveRecord(object.type.id);
    IndexObject(m, access.object->range, object.type.id);
    for (size_t f = 0; f < record.fields.size(); ++f) {
      if (record.fields[f].name != field) continue;
      IndexField(m, access.field.range, object.type.id, f);
      Typed out{.type = record.fields[f].type};
      if (object.schema == ir::kNoId || !env.emit) return out;
      uint32_t child = program_.schema[object.schema].children[f];
      const ir::SchemaNode& node = program_.schema[child];
      // A field of the request is a slot of it; a field of a list element, a slot of the
      // element the quantifier is visiting.
      auto read = [&](const Type& type, uint32_t slot) {
        return object.element == ir::kNoId
                   ? Emit(ir::Op::kSlot, type, slot, 0, env)
                   : Emit(ir::Op::kElemField, type, object.element, slot, env);
      };
      if (out.type.kind == TypeKind::kRecord) {
        out.schema = child;
        out.element = object.element;
        if (node.optional) {
          out.value = read(Type{.kind = TypeKind::kBool, .optional = true}, node.slot);
        }
        return out;
      }
      out.value = read(out.type, node.slot);
      if (out.type.kind == TypeKind::kList && out.value != ir::kNoId) {
        out.schema = child;
        program_.values[out.value].enum_id = node.list;
      }
      if (out.value != ir::kNoId && program_.values[out.value].label.empty()) {
        program_.values[out.value].label = LabelText(m, expr.range);
      }
      return out;
    }
    std::vector<std::string> names;
    for (const RecordField& f : record.fields) names.push_back(f.name);
    std::string close = ClosestSpelling(field, names);
    std::string all = QuotedList(names);
    Diag(env)
        .Error(DiagnosticKind::UnknownField, Loc(m, access.field.range),
               fmt::format("`{}` has no field `{}`", record.name, field))
        .Label(Loc(record.module, modules_[record.module].file.decls[record.decl].range),
               fmt::format("`{}` is declared here", record.name))
        .Help(close.empty() ? fmt::format("its fields are {}", all)
                            : fmt::format("did you mean `{}`?", close));
    return Typed::Error();
  }
  if (object.type.kind == TypeKind::kRow) {
    const ir::Table& table = program_.tables[object.type.id];
    IndexObject(m, access.object->range, object.type.id, /*row=*/true);
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].name != field) continue;
      IndexColumn(m, access.field.range, object.type.id, c);
      Type type = table_columns_[object.type.id][c];
      return Typed{type,
                   Emit(ir::Op::kRowField, type, object.value, static_cast<uint32_t>(c), env)};
    }
    std::vector<std::string> names;
    for (const ir::Column& c : table.columns) names.push_back(c.name);
    std::string all = QuotedList(names);
    Diag(env)
        .Error(DiagnosticKind::UnknownField, Loc(m, access.field.range),
               fmt::format("table `{}` has no column `{}`", table.name, field))
        .Help(fmt::format("its columns are {}", all));
    return Typed::Error();
  }
  Diag(env)
      .Error(DiagnosticKind::TypeMismatch, Loc(m, access.field.range),
             fmt::format("{} has no fields", Describe(*access.object, object, m)))
      .Help(object.type.kind == TypeKind::kTable
                ? fmt::format("look a row up by its key first: `{}(key) is some row and row.{}`",
                              Text(m, access.object->range), field)
                : "fields are read from records, such as `request.item.tpp`");
  return Typed::Error();
}

auto Checker::CheckBuiltin(const ast::Expr& expr, const ast::Call& call, const Builtin& builtin,
                           Env& env) -> Typed {
  uint32_t m = env.module;
  Type parameter = MakeType(builtin.parameter);
  if (call.args.size() != 1) {
    Diag(env)
        .Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
               fmt::format("`{}` takes 1 argument, not {}", builtin.name, call.args.size()))
        .Help(fmt::format("write `{}(x)` with x of type {}", builtin.name, TypeName(parameter)));
    return Typed::Error();
  }
  const ast::Expr& arg = *call.args[0];
  std::string use = fmt::format("`{}`", builtin.name);
  Typed x = Check(arg, env, &parameter);
  if (x.type.is_error() || !RequireValue(x, arg, env, use.c_str())) return Typed::Error();
  if (x.type.kind != builtin.parameter) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, arg.range),
               fmt::format("`{}` takes a value of type {}, not {}", builtin.name,
                           TypeName(parameter), Describe(arg, x, m)))
        .Help(fmt::format("write `{}(x)` with x of type {}", builtin.name, TypeName(parameter)));
    return Typed::Error();
  }
  Type result = MakeType(builtin.result);
  switch (builtin.units) {
    case BuiltinUnits::kDimensionless:
      result.dim = kDimensionless;
      break;
    case BuiltinUnits::kArgument:
      result.dim = x.type.dim;
      break;
  }
  return Typed{result, Emit(builtin.op, result, x.value, 0, env, &expr)};
}

// `contains(text, part)`, `starts_with(text, prefix)` and `replace(text, what, by)`: functions
// of texts only (the one-argument ones are CheckBuiltin's).
auto Checker::CheckTextCall(const ast::Expr& expr, const ast::Call& call, ir::Op op, Env& env)
    -> Typed {
  uint32_t m = env.module;
  const std::string_view name = ir::OpName(op);
  const size_t arity = op == ir::Op::kReplace ? 3 : 2;
  const char* form = op == ir::Op::kReplace    ? "replace(text, what, by)"
                     : op == ir::Op::kContains ? "contains(text, part)"
                                               : "starts_with(text, prefix)";
  if (call.args.size() != arity) {
    Diag(env)
        .Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
               fmt::format("`{}` takes {} arguments, not {}", name, arity, call.args.size()))
        .Help(fmt::format("write `{}`, each a text", form));
    return Typed::Error();
  }
  Type text = MakeType(TypeKind::kText);
  std::string use = fmt::format("`{}`", name);
  std::vector<ir::ValueId> values;
  for (const auto& arg : call.args) {
    Typed x = Check(*arg, env, &text);
    if (x.type.is_error() || !RequireValue(x, *arg, env, use.c_str())) return Typed::Error();
    if (x.type.kind != TypeKind::kText) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, arg->range),
                 fmt::format("`{}` takes texts, not {}", name, Describe(*arg, x, m)))
          .Help(fmt::format("write `{}`, each a text", form));
      return Typed::Error();
    }
    values.push_back(x.value);
  }
  if (op == ir::Op::kReplace) {
    ir::ValueId with = Emit(ir::Op::kWith, text, values[1], values[2], env);
    return Typed{text, Emit(ir::Op::kReplace, text, values[0], with, env, &expr)};
  }
  Type result = MakeType(TypeKind::kBool);
  return Typed{result, Emit(op, result, values[0], values[1], env, &expr)};
}

// `near(table, name)`: a `match normalized` table looked up by a name or one edit from it.
auto Checker::CheckNear(const ast::Expr& expr, const ast::Call& call, Env& env) -> Typed {
  uint32_t m = env.module;
  if (call.args.size() != 2) {
    Diag(env)
        .Error(
            DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
            fmt::format("`near` takes 2 arguments, a table and a name, not {}", call.args.size()))
        .Help("write `near(entity_list, request.end_user.name) is some e and …`");
    return Typed::Error();
  }
  const ast::Expr& table_arg = *call.args[0];
  const auto* name = std::get_if<ast::NameRef>(&table_arg.kind);
  const Module::Visible* visible = name == nullptr ? nullptr : Lookup(m, name->name, true);
  if (visible != nullptr) IndexDecl(m, table_arg.range, visible->symbol);
  if (visible == nullptr || visible->symbol.kind != SymbolKind::kTable) {
    if (name != nullptr && visible == nullptr) {
      (void)CheckName(table_arg, name->name, env, nullptr);
      return Typed::Error();
    }
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, table_arg.range),
               fmt::format("the first argument of `near` is a table, not `{}`",
                           Text(m, table_arg.range)))
        .Help("name a table declared with `match normalized` on its key");
    return Typed::Error();
  }
  const TableInfo& info = Table(visible->symbol);
  if (info.table == ir::kNoId) return Typed::Error();
  uint32_t table = info.table;
  if (!program_.tables[table].normalized) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, table_arg.range),
               fmt::format("`near` compares names, and the key of `{}` is not `match normalized`",
                           name->name))
        .Help(fmt::format("declare the key `{}: text match normalized`, or look the row up "
                          "exactly with `{}(key)`",
                          program_.tables[table].columns[0].name, name->name));
    return Typed::Error();
  }
  Type key_type = table_columns_[table][0];
  Typed key = Check(*call.args[1], env, &key_type);
  if (key.type.is_error() || !RequireValue(key, *call.args[1], env, "`near`")) {
    return Typed::Error();
  }
  if (!Assignable(key_type.NonOptional(), key.type)) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, call.args[1]->range),
               fmt::format("`near` looks `{}` up by a name (text), but {} is given", name->name,
                           Describe(*call.args[1], key, m)))
        .Help("pass the party's name, as in `near(entity_list, request.end_user.name)`");
    return Typed::Error();
  }
  Type row{.kind = TypeKind::kRow, .optional = true, .id = table};
  return Typed{row, Emit(ir::Op::kTableNear, row, key.value, table, env)};
}

auto Checker::CheckCall(const ast::Expr& expr, const ast::Call& call, Env& env) -> Typed {
  uint32_t m = env.module;
  const auto* callee = std::get_if<ast::NameRef>(&call.callee->kind);
  if (callee == nullptr) {
    Diag(env)
        .Error(DiagnosticKind::NotCallable, Loc(m, call.callee->range),
               fmt::format("`{}` cannot be called", Text(m, call.callee->range)))
        .Help(
            "only definitions with parameters (`let f(x: T) = …`), tables, `days(n)`, "
            "`year(date)` and `near(table, name)` can be called");
    return Typed::Error();
  }
  std::vector<Typed> args;
  const Module::Visible* v = Lookup(m, callee->name, true);
  if (v != nullptr) IndexDecl(m, call.callee->range, v->symbol);
  if (v == nullptr && callee->name == "days") {
    if (call.args.size() != 1) {
      Diag(env).Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
                      fmt::format("`days` takes 1 argument, not {}", call.args.size()));
      return Typed::Error();
    }
    Typed n = Check(*call.args[0], env);
    if (n.type.is_error() || !RequireValue(n, *call.args[0], env, "`days`")) return Typed::Error();
    if (n.type.kind != TypeKind::kInt || n.type.dim != kDimensionless) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, call.args[0]->range),
                 fmt::format("`days` needs a whole number of days, not {}",
                             Describe(*call.args[0], n, m)))
          .Help("write, for example, `days(90)`");
      return Typed::Error();
    }
    return Typed{MakeType(TypeKind::kDuration), n.value};
  }
  if (v == nullptr && callee->name == "near") return CheckNear(expr, call, env);
  if (v == nullptr) {
    for (ir::Op op : {ir::Op::kContains, ir::Op::kStartsWith, ir::Op::kReplace}) {
      if (callee->name == ir::OpName(op)) return CheckTextCall(expr, call, op, env);
    }
  }
  if (v == nullptr) {
    for (const Builtin& builtin : kBuiltins) {
      if (builtin.name == callee->name) return CheckBuiltin(expr, call, builtin, env);
    }
    (void)CheckName(*call.callee, callee->name, env, nullptr);
    return Typed::Error();
  }
  const Symbol symbol = v->symbol;
  if (symbol.kind == SymbolKind::kTable) {
    const TableInfo& info = Table(symbol);
    if (info.table == ir::kNoId) return Typed::Error();
    uint32_t table = info.table;
    if (call.args.size() != 1) {
      Diag(env)
          .Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
                 fmt::format("a table is looked up with one key, not {}", call.args.size()))
          .Help(fmt::format("write `{}(key)`; the key is the first column, `{}`", callee->name,
                            program_.tables[table].columns[0].name));
      return Typed::Error();
    }
    Type key_type = table_columns_[table][0];
    Typed key = Check(*call.args[0], env, &key_type);
    if (key.type.is_error() || !RequireValue(key, *call.args[0], env, "a table lookup")) {
      return Typed::Error();
    }
    if (!Assignable(key_type.NonOptional(), key.type)) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, call.args[0]->range),
                 fmt::format("the key of `{}` is {}, but {} is given", callee->name,
                             TypeName(key_type), Describe(*call.args[0], key, m)))
          .Help(fmt::format("look rows up by the first column, `{}`",
                            program_.tables[table].columns[0].name));
      return Typed::Error();
    }
    Type row{.kind = TypeKind::kRow, .optional = true, .id = table};
    ir::ValueId value = Emit(ir::Op::kTableFind, row, key.value, table, env);
    return Typed{row, value};
  }
  if (symbol.kind != SymbolKind::kLet ||
      !std::get<ast::LetDecl>(modules_[symbol.module].file.decls[symbol.decl].kind).params) {
    Diag(env)
        .Error(DiagnosticKind::NotCallable, Loc(m, call.callee->range),
               fmt::format("`{}` is not a definition with parameters", callee->name))
        .Help(
            "only definitions with parameters (`let f(x: T) = …`), tables, `days(n)`, "
            "`year(date)` and `near(table, name)` can be called");
    return Typed::Error();
  }
  const auto& decl = std::get<ast::LetDecl>(modules_[symbol.module].file.decls[symbol.decl].kind);
  const std::pair<uint32_t, uint32_t> key_of_let = {symbol.module, symbol.decl};
  const bool recursive_call = lets_[key_of_let].state == State::kInProgress;
  if (recursive_call) {
    // Allowed only when it goes down the request: on an element of a list reached from a
    // parameter. Every evaluation then ends, and the recursion unrolls to the lists' depth.
    if (env.let != key_of_let) {
      Diag(env)
          .Error(DiagnosticKind::RecursiveDefinition, Loc(m, call.callee->range),
                 fmt::format("`{}` is called while its own definition is being checked: the "
                             "definitions call each other",
                             callee->name))
          .Label(Loc(symbol.module, decl.name.range), "defined here")
          .Help(
              "only a definition that calls itself directly, on an element of a list of its "
              "parameter, may recurse");
      return Typed::Error();
    }
    if (!decl.type) {
      Diag(env)
          .Error(DiagnosticKind::RecursiveDefinition, Loc(m, call.callee->range),
                 fmt::format("`{}` calls itself, so its type must be declared", callee->name))
          .Label(Loc(symbol.module, decl.name.range), "defined here")
          .Help(fmt::format("write `let {}(…): bool = …` (or the type it gives)", callee->name));
      return Typed::Error();
    }
    // The root of `p` or `p.sub`: a binding that is smaller than a parameter.
    auto smaller = [&](const ast::Expr& arg) {
      const Binding* root = RootBinding(arg, env, nullptr);
      return root != nullptr && root->smaller;
    };
    if (std::none_of(call.args.begin(), call.args.end(),
                     [&](const ast::ExprPtr& arg) { return arg != nullptr && smaller(*arg); })) {
      Diag(env)
          .Error(DiagnosticKind::RecursiveDefinition, Loc(m, expr.range),
                 fmt::format("`{}` calls itself on {}, which is not a smaller part of its "
                             "parameters, so the recursion might never end",
                             callee->name,
                             call.args.empty() ? std::string("nothing")
                                               : fmt::format("`{}`", Text(m, call.args[0]->range))))
          .Label(Loc(symbol.module, decl.name.range), "defined here")
          .Help(
              fmt::format("recursion goes down a list of the request, an element a call: `any x in "
                          "{}.owners: {}(x)`, with `{}` the parameter",
                          (*decl.params)[0].name.text, callee->name, (*decl.params)[0].name.text));
      return Typed::Error();
    }
    lets_[key_of_let].recursive = true;
  }
  LetInfo& let = Let(symbol);
  if (call.args.size() != decl.params->size()) {
    Diag(env)
        .Error(DiagnosticKind::WrongArgumentCount, Loc(m, expr.range),
               fmt::format("`{}` takes {} argument{}, but {} {} given", callee->name,
                           decl.params->size(), decl.params->size() == 1 ? "" : "s",
                           call.args.size(), call.args.size() == 1 ? "is" : "are"))
        .Label(Loc(symbol.module, decl.name.range), "defined here");
    return Typed::Error();
  }
  bool ok = let.ok || recursive_call;  // a recursive call is checked against the declared type
  std::vector<Type> params = let.params;
  Type result = let.result;
  for (size_t i = 0; i < call.args.size(); ++i) {
    Typed arg = Check(*call.args[i], env, &params[i]);
    if (arg.type.is_error()) {
      ok = false;
    } else if (!Assignable(params[i], arg.type)) {
      bool units = params[i].is_numeric() && arg.type.is_numeric() && params[i].dim != arg.type.dim;
      if (arg.type.optional && !params[i].optional) {
        RequireValue(arg, *call.args[i], env, "an argument");
      } else {
        Diag(env)
            .Error(units ? DiagnosticKind::UnitMismatch : DiagnosticKind::TypeMismatch,
                   Loc(m, call.args[i]->range),
                   fmt::format("argument `{}` of `{}` is {}, but {} is given",
                               (*decl.params)[i].name.text, callee->name, TypeName(params[i]),
                               Describe(*call.args[i], arg, m)))
            .Label(Loc(symbol.module, (*decl.params)[i].range), "parameter declared here");
      }
      ok = false;
    }
    args.push_back(arg);
  }
  if (!ok) return Typed::Error();
  if (!env.emit) return Typed{.type = result};
  // Inline the body with the arguments bound to the parameters. Values are hash-consed, so a
  // call with the same arguments inlines to the same value: memoised, so that definitions that
  // each call the one before twice cost linear, not exponential, time.
  std::vector<uint64_t> key = {symbol.module, symbol.decl};
  for (const Typed& arg : args) {
    key.insert(key.end(), {arg.value, arg.schema, arg.table, static_cast<uint64_t>(arg.type.kind),
                           arg.type.optional, arg.type.dim, arg.type.id,
                           static_cast<uint64_t>(arg.type.element), arg.element});
  }
  if (auto it = inlined_.find(key); it != inlined_.end()) return it->second;
  if (let.recursive) {
    // How deep in the request's lists the elements passed are: a decoded request has none below
    // kMaxListDepth, so a call on such an element sits in a quantifier over a list that is always
    // empty. It is not unrolled further; should one be reached, the decision fails closed.
    uint32_t depth = 0;
    for (const Typed& arg : args) depth = std::max(depth, ElementDepth(arg.element));
    if (depth > ir::kMaxListDepth || let.inlining > ir::kMaxListDepth + 1) {
      return Typed{result, Emit(ir::Op::kTooDeep, result, 0, 0, env)};
    }
  }
  Env inner{.module = symbol.module, .emit = true, .quiet = true, .let = key_of_let};
  for (size_t i = 0; i < args.size(); ++i) {
    inner.locals.push_back(
        Binding{.name = (*decl.params)[i].name.text, .value = args[i], .param = true});
  }
  ++lets_[key_of_let].inlining;
  Typed value = Check(*decl.value, inner);
  --lets_[key_of_let].inlining;
  value.type = result;
  inlined_.emplace(std::move(key), value);
  return value;
}

auto Checker::CheckDatedSet(const ast::SetLit& set, Env& env) -> Typed {
  uint32_t m = env.module;
  Type country = MakeType(TypeKind::kCountry);
  DatedSet out;
  bool ok = true;
  for (size_t i = 0; i < set.elements.size(); ++i) {
    const ast::Expr& element = *set.elements[i];
    const ast::MemberDates& dates = set.dates[i];
    Typed t = Check(element, env, &country);
    if (t.type.is_error()) {
      ok = false;
      continue;
    }
    if (t.type.kind != TypeKind::kCountry || t.type.optional || !IsConst(t.value)) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, element.range),
                 fmt::format("a dated set holds countries written in the rule text, and {} is "
                             "not one",
                             Describe(element, t, m)))
          .Help("write the member's country code: `{CN, NI from 2024-03-15}`");
      ok = false;
      continue;
    }
    DatedMember member{.country = static_cast<CountryIndex>(ConstOf(t.value).bits)};
    auto day = [&](const std::optional<ast::Date>& date, const ast::ExprPtr& name,
                   const char* clause, DayNumber& into) {
      if (date) into = DaysFromCivil(date->year, date->month, date->day);
      if (name == nullptr) return;
      std::optional<DayNumber> named = NamedDate(m, *name, clause);
      if (named) {
        into = *named;
      } else {
        ok = false;
      }
    };
    day(dates.from, dates.from_name, "from", member.from);
    DayNumber until = kLastDay;
    bool has_until = dates.until || dates.until_name;
    day(dates.until, dates.until_name, "until", until);
    if (has_until) member.until = until;
    if (has_until && member.until <= member.from) {
      Diag(env)
          .Error(DiagnosticKind::EffectiveAfterUntil, Loc(m, element.range),
                 fmt::format("`{}` would never be a member: `until {}` is not after `from {}`",
                             Text(m, element.range), FormatDate(member.until),
                             FormatDate(member.from)))
          .Help("a member belongs from its `from` day up to, not including, its `until` day");
      ok = false;
      continue;
    }
    out.members.push_back(member);
  }
  if (!ok) return Typed::Error();
  return NewDatedSet(std::move(out));
}

auto Checker::DatedOf(const Typed& typed) -> std::optional<DatedSet> {
  if (typed.dated != ir::kNoId) return dated_sets_[typed.dated];
  if (typed.type.kind != TypeKind::kSet || typed.type.element != TypeKind::kCountry ||
      !IsConst(typed.value)) {
    return std::nullopt;
  }
  const auto* countries = static_cast<const ir::CountrySet*>(ConstOf(typed.value).set);
  DatedSet out;
  for (uint32_t c = 0; c < kCountrySlots; ++c) {
    if (countries->Has(c)) out.members.push_back({.country = static_cast<CountryIndex>(c)});
  }
  return out;
}

auto Checker::NewDatedSet(DatedSet set) -> Typed {
  // By country and day; a country's overlapping or touching periods become one.
  std::sort(set.members.begin(), set.members.end(), [](const DatedMember& x, const DatedMember& y) {
    return std::tie(x.country, x.from) < std::tie(y.country, y.from);
  });
  std::vector<DatedMember> merged;
  for (const DatedMember& member : set.members) {
    if (!merged.empty() && merged.back().country == member.country &&
        member.from <= merged.back().until) {
      merged.back().until = std::max(merged.back().until, member.until);
    } else {
      merged.push_back(member);
    }
  }
  set.members = std::move(merged);
  dated_sets_.push_back(std::move(set));
  Type type{.kind = TypeKind::kSet, .element = TypeKind::kCountry};
  return Typed{.type = type, .dated = static_cast<uint32_t>(dated_sets_.size() - 1)};
}

auto Checker::EmitDatedIn(ir::ValueId element, const DatedSet& set, const Env& env,
                          std::string_view label) -> ir::ValueId {
  // The days membership can change on, then one period per pair of them; neighbouring periods
  // with the same members are one.
  std::vector<DayNumber> cuts{kFirstDay};
  for (const DatedMember& member : set.members) {
    cuts.push_back(member.from);
    if (member.until <= kLastDay) cuts.push_back(member.until);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  struct Period {
    DayNumber from;
    DayNumber until;
    std::vector<CountryIndex> members;
  };
  std::vector<Period> periods;
  for (size_t i = 0; i < cuts.size(); ++i) {
    Period p{cuts[i], i + 1 < cuts.size() ? cuts[i + 1] : kLastDay + 1, {}};
    for (const DatedMember& member : set.members) {
      if (member.from <= p.from && p.from < member.until) p.members.push_back(member.country);
    }
    if (!periods.empty() && periods.back().members == p.members) {
      periods.back().until = p.until;
    } else {
      periods.push_back(std::move(p));
    }
  }
  Type boolean = MakeType(TypeKind::kBool);
  Type date = MakeType(TypeKind::kDate);
  Type countries{.kind = TypeKind::kSet, .element = TypeKind::kCountry};
  auto members = [&](const std::vector<CountryIndex>& list) {
    ir::CountrySet* constant = NewCountrySet();
    for (CountryIndex c : list) constant->Insert(c);
    return EmitConst(ir::Datum{.set = constant}, countries);
  };
  auto day_const = [&](DayNumber d) { return EmitConst(ir::Datum{.bits = d}, date); };
  if (periods.size() == 1) {
    return Emit(ir::Op::kIn, boolean, element, members(periods[0].members), env);
  }
  ir::ValueId day = Emit(ir::Op::kAsOf, date, 0, 0, env);
  if (day != ir::kNoId) program_.values[day].label = "as_of";
  if (IsConst(element)) {
    // A country known now: only the days it is a member remain to test (`MO in D5`, never a
    // member, folds to false, and the checker can say the rule never fires).
    auto country = static_cast<CountryIndex>(ConstOf(element).bits);
    ir::ValueId result = ir::kNoId;
    for (const Period& p : periods) {
      if (std::find(p.members.begin(), p.members.end(), country) == p.members.end()) continue;
      ir::ValueId term = EmitConst(ir::Datum{.bits = 1}, boolean);
      if (p.until <= kLastDay) term = Emit(ir::Op::kLt, boolean, day, day_const(p.until), env);
      if (p.from > kFirstDay) {
        ir::ValueId after = Emit(ir::Op::kGe, boolean, day, day_const(p.from), env);
        term = p.until <= kLastDay ? Emit(ir::Op::kAnd, boolean, after, term, env) : after;
      }
      result = result == ir::kNoId ? term : Emit(ir::Op::kOr, boolean, result, term, env);
    }
    return result != ir::kNoId ? result : EmitConst(ir::Datum{.bits = 0}, boolean);
  }
  // The members on the decision's day, picked by a chain of `if as_of < cut`, then one `in`:
  // --explain shows the comparisons that chose the period and the membership, by the set's name.
  ir::ValueId chosen = members(periods.back().members);
  for (size_t k = periods.size() - 1; k-- > 0;) {
    ir::ValueId before = Emit(ir::Op::kLt, boolean, day, day_const(periods[k].until), env);
    ir::ValueId pair = Emit(ir::Op::kElse, countries, members(periods[k].members), chosen, env);
    chosen = Emit(ir::Op::kIf, countries, before, pair, env);
  }
  if (chosen != ir::kNoId && !label.empty()) program_.values[chosen].label = label;
  return Emit(ir::Op::kIn, boolean, element, chosen, env);
}

auto Checker::CheckSet(const ast::Expr& /*expr*/, const ast::SetLit& set, Env& env,
                       const Type* expected) -> Typed {
  if (std::any_of(set.dates.begin(), set.dates.end(),
                  [](const ast::MemberDates& d) { return d.dated(); })) {
    return CheckDatedSet(set, env);
  }
  uint32_t m = env.module;
  Type element;
  const Type* hint = nullptr;
  Type hint_storage;
  if (expected != nullptr && expected->kind == TypeKind::kSet) {
    hint_storage = Type{.kind = expected->element, .id = expected->id};
    hint = &hint_storage;
  } else if (expected != nullptr && expected->kind != TypeKind::kError) {
    hint_storage = expected->NonOptional();
    hint = &hint_storage;
  }
  std::vector<Typed> elements;
  bool ok = true;
  for (const ast::ExprPtr& e : set.elements) {
    Typed t = Check(*e, env, hint);
    if (t.type.is_error()) {
      ok = false;
      continue;
    }
    if (!RequireValue(t, *e, env, "a set")) {
      ok = false;
      continue;
    }
    bool supported = t.type.kind == TypeKind::kCountry || t.type.kind == TypeKind::kText ||
                     t.type.kind == TypeKind::kEnum;
    if (!supported) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, e->range),
                 fmt::format("a set cannot hold {}", Describe(*e, t, m)))
          .Help(UnitHidesCountry(m, *e, env).empty()
                    ? "sets hold countries, texts or values of an enum"
                    : UnitHidesCountry(m, *e, env));
      ok = false;
      continue;
    }
    if (element.is_error()) {
      element = t.type;
    } else if (element.kind != t.type.kind || element.id != t.type.id) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, e->range),
                 fmt::format("this set holds {} values, but {} is not one", TypeName(element),
                             Describe(*e, t, m)))
          .Label(Loc(m, set.elements.front()->range), "the first element")
          .Help("every element of a set has the same type");
      ok = false;
      continue;
    }
    elements.push_back(t);
  }
  if (!ok) return Typed::Error();
  Type type{.kind = TypeKind::kSet, .id = element.id, .element = element.kind};
  if (elements.empty() && hint != nullptr) {
    type = Type{.kind = TypeKind::kSet, .id = hint->id, .element = hint->kind};
  }
  if (!env.emit) return Typed{.type = type};
  // Elements are constants (folded); a set of request values is not supported.
  ir::Datum datum;
  ir::CountrySet* countries = nullptr;
  ir::TextSet* texts = nullptr;
  if (type.element == TypeKind::kCountry || type.element == TypeKind::kError) {
    countries = NewCountrySet();
    datum.set = countries;
  } else if (type.element == TypeKind::kText) {
    texts = &program_.text_sets.emplace_back();
    datum.set = texts;
  }
  for (size_t i = 0; i < elements.size(); ++i) {
    if (!IsConst(elements[i].value)) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, set.elements[i]->range),
                 "set elements must be constants")
          .Help("to test several request values, combine conditions with `or`");
      return Typed::Error();
    }
    const ir::Datum& d = ConstOf(elements[i].value);
    if (countries != nullptr) countries->Insert(static_cast<uint32_t>(d.bits));
    if (texts != nullptr) texts->sorted.push_back(d.text);
    if (type.element == TypeKind::kEnum) datum.bits |= int64_t{1} << d.bits;
  }
  if (texts != nullptr) {
    std::sort(texts->sorted.begin(), texts->sorted.end());
    texts->sorted.erase(std::unique(texts->sorted.begin(), texts->sorted.end()),
                        texts->sorted.end());
  }
  if (type.element == TypeKind::kError) type.element = TypeKind::kCountry;
  return Typed{type, EmitConst(datum, type)};
}

auto Checker::BindingsOf(const ast::Expr& expr, const Typed& typed, Env& env) -> size_t {
  (void)typed;
  if (const auto* some = std::get_if<ast::IsSome>(&expr.kind)) {
    auto it = some_operands_.find({env.module, expr.id.index});
    if (it == some_operands_.end()) return 0;
    Typed operand = it->second;
    Typed bound = operand;
    bound.type.optional = false;
    if (operand.type.kind == TypeKind::kRecord) {
      bound.value = ir::kNoId;  // fields are read through the schema
    } else {
      bound.value = Emit(ir::Op::kUnwrap, bound.type, operand.value, 0, env);
    }
    env.locals.push_back(Binding{some->binding.text, bound});
    env.locals.back().range = some->binding.range;
    IndexLocal(env.module, some->binding.range, env.locals.back());
    return 1;
  }
  if (const auto* binary = std::get_if<ast::Binary>(&expr.kind)) {
    if (binary->op != ast::BinaryOp::kAnd) return 0;
    return BindingsOf(*binary->lhs, typed, env) + BindingsOf(*binary->rhs, typed, env);
  }
  return 0;
}

auto Checker::RootBinding(const ast::Expr& expr, const Env& env, bool* through_field) const
    -> const Binding* {
  const ast::Expr* at = &expr;
  while (const auto* field = std::get_if<ast::FieldAccess>(&at->kind)) at = field->object.get();
  if (through_field != nullptr) *through_field = at != &expr;
  const auto* name = std::get_if<ast::NameRef>(&at->kind);
  if (name == nullptr) return nullptr;
  for (auto it = env.locals.rbegin(); it != env.locals.rend(); ++it) {
    if (it->name == name->name) return &*it;
  }
  return nullptr;
}

auto Checker::ElementDepth(ir::ValueId binder) const -> uint32_t {
  uint32_t depth = 0;
  while (binder != ir::kNoId && program_.values[binder].op == ir::Op::kBinder) {
    ++depth;
    const ir::Value& list = program_.values[program_.values[binder].a];
    // A list read from an element (`o.owners`) is one level below that element's binder; one
    // read from the request (or unwrapped from such a slot) is at the top.
    ir::ValueId from = ir::kNoId;
    if (list.op == ir::Op::kElemField) {
      from = list.a;
    } else if (list.op == ir::Op::kUnwrap && program_.values[list.a].op == ir::Op::kElemField) {
      from = program_.values[list.a].a;
    }
    binder = from;
  }
  return depth;
}

auto Checker::CheckQuantified(const ast::Expr& expr, const ast::Quantified& q, Env& env) -> Typed {
  static constexpr const char* kNames[] = {"any", "all", "count", "sum", "min", "max"};
  const char* name = kNames[static_cast<int>(q.kind)];
  uint32_t m = env.module;
  Typed list = Check(*q.list, env);
  if (list.type.is_error()) return Typed::Error();
  if (list.type.kind != TypeKind::kList) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, q.list->range),
               fmt::format("`{}` goes over a list, and {} is not one", name,
                           Describe(*q.list, list, m)))
        .Help("lists are request fields declared `list<R>`, such as `request.end_user.owners`");
    return Typed::Error();
  }
  if (!RequireValue(list, *q.list, env, fmt::format("`{}`", name).c_str())) {
    return Typed::Error();
  }
  // The element: smaller than a parameter when the list is reached from one (recursion).
  Binding binding{q.binding.text, Typed{.type = MakeType(TypeKind::kRecord, list.type.id)}};
  bool through_field = false;
  if (const Binding* root = RootBinding(*q.list, env, &through_field); root && through_field) {
    binding.smaller = root->param || root->smaller;
  }
  ir::ValueId binder = ir::kNoId;
  if (env.emit && list.value != ir::kNoId) {
    // A value of its own (not hash-consed): two quantifiers over one list visit it separately.
    uint32_t shape = program_.values[list.value].enum_id;
    program_.values.push_back(ir::Value{.op = ir::Op::kBinder,
                                        .kind = ir::Kind::kElement,
                                        .a = list.value,
                                        .b = binders_++,
                                        .enum_id = shape});
    binder = static_cast<ir::ValueId>(program_.values.size() - 1);
    binding.value.schema = program_.lists[shape].element;
    binding.value.element = binder;
  }
  binding.range = q.binding.range;
  IndexLocal(env.module, q.binding.range, binding);
  env.locals.push_back(binding);
  Typed body = Check(*q.body, env);
  env.locals.pop_back();
  if (body.type.is_error()) return Typed::Error();
  bool logical = q.kind == ast::Quantifier::kAny || q.kind == ast::Quantifier::kAll ||
                 q.kind == ast::Quantifier::kCount;
  if (!RequireValue(body, *q.body, env, fmt::format("`{}`", name).c_str())) return Typed::Error();
  Type result;
  if (logical) {
    if (body.type.kind != TypeKind::kBool) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, q.body->range),
                 fmt::format("`{} {} in …:` needs a condition after the colon, and {} is not one",
                             name, q.binding.text, Describe(*q.body, body, m)))
          .Help(q.kind == ast::Quantifier::kCount
                    ? "`count o in xs: o.share >= 50 percent` counts the elements it holds for"
                    : "write a condition, such as `o.share >= 50 percent`");
      return Typed::Error();
    }
    result = q.kind == ast::Quantifier::kCount ? MakeType(TypeKind::kInt) : body.type;
  } else {
    if (!body.type.is_numeric() && body.type.kind != TypeKind::kDuration) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, q.body->range),
                 fmt::format("`{}` adds up or compares numbers, and {} is not one", name,
                             Describe(*q.body, body, m)))
          .Help(fmt::format("write a number after the colon: `{} o in xs: o.share`", name));
      return Typed::Error();
    }
    result = body.type;                                           // a sum of `percent` is `percent`
    if (q.kind != ast::Quantifier::kSum) result.optional = true;  // none for an empty list
  }
  if (!env.emit) return Typed{.type = result};
  static constexpr ir::Op kOps[] = {ir::Op::kAny, ir::Op::kAll, ir::Op::kCount,
                                    ir::Op::kSum, ir::Op::kMin, ir::Op::kMax};
  ir::ValueId value = Emit(kOps[static_cast<int>(q.kind)], result, binder, body.value, env);
  if (value != ir::kNoId && program_.values[value].label.empty()) {
    std::string text = LabelText(m, expr.range);
    program_.values[value].label = text.size() > 60 ? text.substr(0, 57) + "…" : text;
  }
  return Typed{result, value};
}

auto Checker::CheckIf(const ast::Expr& expr, const ast::If& e, Env& env, const Type* expected)
    -> Typed {
  uint32_t m = env.module;
  Type boolean = MakeType(TypeKind::kBool);
  Typed condition = Check(*e.condition, env, &boolean);
  // `if x is some v then v … else …`: `v` is bound in the `then` branch, as after `and`.
  size_t bound = condition.type.is_error() ? 0 : BindingsOf(*e.condition, condition, env);
  Typed yes = Check(*e.then_value, env, expected);
  env.locals.resize(env.locals.size() - bound);
  Typed no = Check(*e.else_value, env, yes.type.is_error() ? expected : &yes.type);
  if (yes.type.kind == TypeKind::kNone && !no.type.is_error() && no.type.kind != TypeKind::kNone) {
    Type optional = no.type;
    optional.optional = true;
    yes = Check(*e.then_value, env, &optional);
  }
  if (condition.type.is_error() || yes.type.is_error() || no.type.is_error()) {
    return Typed::Error();
  }
  if (!RequireValue(condition, *e.condition, env, "the condition of `if`")) return Typed::Error();
  if (condition.type.kind != TypeKind::kBool) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, e.condition->range),
               fmt::format("the condition of `if` must be true or false, but this is {}",
                           TypeName(condition.type)))
        .Help("compare it with something, e.g. `>= 4800` or `in D5`");
    return Typed::Error();
  }
  for (auto [side, typed] : {std::pair{e.then_value.get(), &yes}, {e.else_value.get(), &no}}) {
    TypeKind kind = typed->type.kind;
    if (kind == TypeKind::kRecord || kind == TypeKind::kRow || kind == TypeKind::kTable ||
        typed->dated != ir::kNoId) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, side->range),
                 fmt::format("`if` chooses between values, and {} is not one",
                             Describe(*side, *typed, m)))
          .Help("choose between the fields you need: `if c then a.field else b.field`");
      return Typed::Error();
    }
  }
  if (yes.type.kind == TypeKind::kNone && no.type.kind == TypeKind::kNone) {
    Diag(env)
        .Error(DiagnosticKind::TypeMismatch, Loc(m, expr.range),
               "both branches of `if` are `none`: the expression has no type")
        .Help("give one branch a value");
    return Typed::Error();
  }
  Type a = yes.type.NonOptional();
  Type b = no.type.NonOptional();
  if (!Assignable(a, b) && !Assignable(b, a)) {
    bool units = a.is_numeric() && b.is_numeric() && a.dim != b.dim;
    Diag(env)
        .Error(units ? DiagnosticKind::UnitMismatch : DiagnosticKind::TypeMismatch,
               Loc(m, e.else_value->range),
               fmt::format("the branches of `if` differ: {} and {}",
                           Describe(*e.then_value, yes, m), Describe(*e.else_value, no, m)))
        .Help(units ? "write both branches in the same unit"
                    : "both branches must have one type, so the result has it");
    return Typed::Error();
  }
  Type result = Assignable(a, b) ? a : b;  // int and number give number
  result.optional = yes.type.optional || no.type.optional;
  ir::ValueId pair = Emit(ir::Op::kElse, result, yes.value, no.value, env);
  return Typed{result, Emit(ir::Op::kIf, result, condition.value, pair, env)};
}

auto Checker::CheckBinary(const ast::Expr& expr, const ast::Binary& binary, Env& env,
                          const Type* expected) -> Typed {
  uint32_t m = env.module;
  Type boolean = MakeType(TypeKind::kBool);
  ast::BinaryOp op = binary.op;
  if (op == ast::BinaryOp::kAnd || op == ast::BinaryOp::kOr) {
    const char* word = op == ast::BinaryOp::kAnd ? "`and`" : "`or`";
    Typed lhs = Check(*binary.lhs, env, &boolean);
    size_t bound = 0;
    if (op == ast::BinaryOp::kAnd && !lhs.type.is_error())
      bound = BindingsOf(*binary.lhs, lhs, env);
    Typed rhs = Check(*binary.rhs, env, &boolean);
    env.locals.resize(env.locals.size() - bound);
    bool ok = !lhs.type.is_error() && !rhs.type.is_error();
    for (auto [side, typed] : {std::pair{binary.lhs.get(), &lhs}, {binary.rhs.get(), &rhs}}) {
      if (typed->type.is_error()) continue;
      if (!RequireValue(*typed, *side, env, word)) {
        ok = false;
      } else if (typed->type.kind != TypeKind::kBool) {
        Diag(env)
            .Error(DiagnosticKind::TypeMismatch, Loc(m, side->range),
                   fmt::format("{} joins conditions, but {} is not true or false", word,
                               Describe(*side, *typed, m)))
            .Help("compare it with something, e.g. `>= 4800` or `in D5`");
        ok = false;
      }
    }
    if (!ok) return Typed::Error();
    return Typed{boolean, Emit(ToIrOp(op), boolean, lhs.value, rhs.value, env)};
  }

  // Comparisons with `none`.
  bool lhs_none = std::holds_alternative<ast::NoneLit>(binary.lhs->kind);
  bool rhs_none = std::holds_alternative<ast::NoneLit>(binary.rhs->kind);
  if ((op == ast::BinaryOp::kEq || op == ast::BinaryOp::kNe) && (lhs_none || rhs_none)) {
    const ast::Expr& other = lhs_none ? *binary.rhs : *binary.lhs;
    Typed typed = Check(other, env);
    if (typed.type.is_error()) return Typed::Error();
    if (!typed.type.optional) {
      Diag(env)
          .Error(
              DiagnosticKind::TypeMismatch, Loc(m, other.range),
              fmt::format("{} is not optional, so it is never `none`", Describe(other, typed, m)))
          .Help("only fields declared with `?` can be absent");
      return Typed::Error();
    }
    ir::ValueId some = Emit(ir::Op::kIsSome, boolean, typed.value, 0, env);
    if (op == ast::BinaryOp::kNe) return Typed{boolean, some};
    return Typed{boolean, Emit(ir::Op::kNot, boolean, some, 0, env)};
  }

  // Check the side that can stand alone first, so that an enum value on the other side can be
  // read against its type: `request.kind == export`, `export == request.kind`.
  bool swap = false;
  if (const auto* name = std::get_if<ast::NameRef>(&binary.lhs->kind)) {
    // `GB == request.destination`: the other side says whether `GB` is the unit or the country.
    swap = !Resolves(m, name->name, env) || !UnitHidesCountry(m, *binary.lhs, env).empty();
  }
  Typed lhs;
  Typed rhs;
  bool in = op == ast::BinaryOp::kIn || op == ast::BinaryOp::kNotIn;
  if (swap && !in) {
    rhs = Check(*binary.rhs, env);
    lhs = Check(*binary.lhs, env, rhs.type.is_error() ? nullptr : &rhs.type);
  } else if (in && !UnitHidesCountry(m, *binary.lhs, env).empty()) {
    // `GB in D5`: the set's elements say whether `GB` is the unit or the country.
    rhs = Check(*binary.rhs, env);
    Type element{.kind = rhs.type.element, .id = rhs.type.id};
    lhs = Check(*binary.lhs, env, rhs.type.kind == TypeKind::kSet ? &element : nullptr);
  } else {
    lhs = Check(*binary.lhs, env, op == ast::BinaryOp::kOtherwise ? expected : nullptr);
    Type hint = lhs.type;
    if (in && !lhs.type.is_error()) {
      hint = Type{.kind = TypeKind::kSet, .id = lhs.type.id, .element = lhs.type.kind};
    }
    if (op == ast::BinaryOp::kOtherwise) hint.optional = false;
    rhs = Check(*binary.rhs, env, lhs.type.is_error() ? nullptr : &hint);
  }
  if (lhs.type.is_error() || rhs.type.is_error()) return Typed::Error();
  std::string op_text(ast::Spelling(op));
  if ((lhs.dated != ir::kNoId || rhs.dated != ir::kNoId) && !in && op != ast::BinaryOp::kAdd &&
      op != ast::BinaryOp::kSub) {
    const ast::Expr& side = lhs.dated != ir::kNoId ? *binary.lhs : *binary.rhs;
    Diag(env)
        .Error(DiagnosticKind::UnsupportedExpression, Loc(m, side.range),
               fmt::format("`{}` is a dated set: it is used with `in`, `+` and `-`, not `{}`",
                           Text(m, side.range), op_text))
        .Help(
            "its members change with the date, so it is tested for a member on the day of the "
            "decision: `request.destination in D5`");
    return Typed::Error();
  }

  if (op == ast::BinaryOp::kOtherwise) {
    if (!lhs.type.optional || lhs.type.kind == TypeKind::kNone) {
      Diag(env)
          .Error(DiagnosticKind::TypeMismatch, Loc(m, binary.lhs->range),
                 fmt::format("{} is not optional: `otherwise` has nothing to replace",
                             Describe(*binary.lhs, lhs, m)))
          .Help("`otherwise` supplies a value for a field declared with `?`");
      return Typed::Error();
    }
    if (lhs.type.kind == TypeKind::kRecord || lhs.type.kind == TypeKind::kRow) {
      Diag(env)
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, expr.range),
                 "`otherwise` cannot supply a whole record")
          .Help("apply it to the field you need: `x is some r and r.field`");
      return Typed::Error();
    }
    Type want = lhs.type.NonOptional();
    if (!Assignable(want, rhs.type.NonOptional()) || rhs.type.kind == TypeKind::kNone) {
      bool units = want.is_numeric() && rhs.type.is_numeric() && want.dim != rhs.type.dim;
      Diag(env)
          .Error(units ? DiagnosticKind::UnitMismatch : DiagnosticKind::TypeMismatch,
                 Loc(m, binary.op_range),
                 fmt::format("the default {} does not match {}", Describe(*binary.rhs, rhs, m),
                             Describe(*binary.lhs, lhs, m)))
          .Help("the value after `otherwise` must have the type of the optional");
      return Typed::Error();
    }
    Type result = want;
    if (want.kind == TypeKind::kInt && rhs.type.kind == TypeKind::kNumber)
      result.kind = TypeKind::kNumber;
    result.optional = rhs.type.optional;
    return Typed{result, Emit(ir::Op::kOtherwise, result, lhs.value, rhs.value, env)};
  }

  if (!RequireValue(lhs, *binary.lhs, env, fmt::format("`{}`", op_text).c_str()) ||
      !RequireValue(rhs, *binary.rhs, env, fmt::format("`{}`", op_text).c_str())) {
    return Typed::Error();
  }
  const Type& a = lhs.type;
  const Type& b = rhs.type;
  auto mismatch = [&](DiagnosticKind kind, const std::string& message, const std::string& help) {
    Diag(env)
        .Error(kind, Loc(m, binary.op_range), message)
        .Label(Loc(m, binary.lhs->range), TypeName(a))
        .Label(Loc(m, binary.rhs->range), TypeName(b))
        .Help(help);
    return Typed::Error();
  };
  auto unit_help = [&](const Type& x, const ast::Expr& side) {
    std::string unit = dims_.Format(x.dim);
    if (const auto* access = std::get_if<ast::FieldAccess>(&side.kind)) {
      return fmt::format("`{}` is declared {}", access->field.text,
                         unit.empty() ? "without a unit" : "in " + unit);
    }
    return fmt::format("`{}` is {}", Text(m, side.range),
                       unit.empty() ? "a plain number" : "in " + unit);
  };

  if (IsComparison(op)) {
    bool ordered = op != ast::BinaryOp::kEq && op != ast::BinaryOp::kNe;
    if (a.is_numeric() && b.is_numeric()) {
      if (a.dim != b.dim) {
        return mismatch(DiagnosticKind::UnitMismatch,
                        fmt::format("cannot compare {} with {}", Describe(*binary.lhs, lhs, m),
                                    Describe(*binary.rhs, rhs, m)),
                        unit_help(a, *binary.lhs) + "; " + unit_help(b, *binary.rhs));
      }
    } else if (a.kind != b.kind || a.id != b.id || a.element != b.element ||
               a.kind == TypeKind::kRecord || a.kind == TypeKind::kTable ||
               a.kind == TypeKind::kRow) {
      std::string hidden = UnitHidesCountry(m, *binary.lhs, env);
      if (hidden.empty()) hidden = UnitHidesCountry(m, *binary.rhs, env);
      return mismatch(
          DiagnosticKind::TypeMismatch,
          fmt::format("cannot compare {} with {}", Describe(*binary.lhs, lhs, m),
                      Describe(*binary.rhs, rhs, m)),
          hidden.empty() ? "both sides of a comparison must have the same type" : hidden);
    } else if (ordered && a.kind != TypeKind::kDate && a.kind != TypeKind::kDuration) {
      return mismatch(
          DiagnosticKind::TypeMismatch,
          fmt::format("`{}` orders numbers, dates and durations, not {}", op_text, TypeName(a)),
          "use `==` or `!=` for this type");
    }
    ir::ValueId value = Emit(ToIrOp(op), boolean, lhs.value, rhs.value, env);
    return Typed{boolean, value};
  }

  if (in) {
    ir::ValueId value = ir::kNoId;
    if (b.kind == TypeKind::kTable) {
      Type key = table_columns_[b.id][0].NonOptional();
      if (!Assignable(key, a)) {
        return mismatch(
            DiagnosticKind::TypeMismatch,
            fmt::format("the key of table `{}` is {}, so {} cannot be in it",
                        program_.tables[b.id].name, TypeName(key), Describe(*binary.lhs, lhs, m)),
            fmt::format("`in` looks up the first column, `{}`",
                        program_.tables[b.id].columns[0].name));
      }
      value = Emit(ir::Op::kTableHas, boolean, lhs.value, b.id, env);
    } else if (b.kind != TypeKind::kSet) {
      return mismatch(DiagnosticKind::TypeMismatch,
                      fmt::format("`{}` needs a set or a table on its right, not {}", op_text,
                                  Describe(*binary.rhs, rhs, m)),
                      "write a set such as `{CN, MO}`, a country group, or a table");
    } else if (b.element != a.kind || b.id != a.id) {
      return mismatch(DiagnosticKind::TypeMismatch,
                      fmt::format("{} cannot be in {}", Describe(*binary.lhs, lhs, m),
                                  Describe(*binary.rhs, rhs, m)),
                      "the element and the set must have the same type");
    } else if (rhs.dated != ir::kNoId) {
      std::string_view text = Text(m, binary.rhs->range);
      value = EmitDatedIn(lhs.value, dated_sets_[rhs.dated], env,
                          text.size() <= 80 && text.find('\n') == std::string_view::npos
                              ? text
                              : std::string_view());
    } else {
      value = Emit(ir::Op::kIn, boolean, lhs.value, rhs.value, env);
    }
    if (op == ast::BinaryOp::kNotIn) value = Emit(ir::Op::kNot, boolean, value, 0, env);
    return Typed{boolean, value};
  }

  // Arithmetic.
  if (a.kind == TypeKind::kSet || b.kind == TypeKind::kSet) {
    if (op != ast::BinaryOp::kAdd && op != ast::BinaryOp::kSub) {
      return mismatch(DiagnosticKind::TypeMismatch,
                      fmt::format("`{}` does not apply to sets", op_text),
                      "sets combine with `+` (union) and `-` (difference)");
    }
    if (a.kind != b.kind || (a.element != b.element && b.element != TypeKind::kError) ||
        a.id != b.id) {
      return mismatch(DiagnosticKind::TypeMismatch,
                      fmt::format("cannot combine {} with {}", Describe(*binary.lhs, lhs, m),
                                  Describe(*binary.rhs, rhs, m)),
                      "both sides must be sets of the same type, e.g. `D5 + {MO}`");
    }
    if (lhs.dated != ir::kNoId || rhs.dated != ir::kNoId) {
      std::optional<DatedSet> x = DatedOf(lhs);
      std::optional<DatedSet> y = DatedOf(rhs);
      // A `let` body checked for its diagnostics emits no values: its sets' members are known
      // only when it is inlined, where this is checked again.
      if (!env.emit && (!x || !y)) return NewDatedSet({});
      if (!x || !y) {
        return mismatch(DiagnosticKind::UnsupportedExpression,
                        "a dated set combines only with sets of countries known when the policy "
                        "is compiled",
                        "write the other set out, or name a `let` that holds one");
      }
      DatedSet out;
      if (op == ast::BinaryOp::kAdd) {
        out.members = x->members;
        out.members.insert(out.members.end(), y->members.begin(), y->members.end());
      } else {
        // Each member of x, less the days the same country is a member of y.
        for (const DatedMember& member : x->members) {
          std::vector<DatedMember> left{member};
          for (const DatedMember& cut : y->members) {
            if (cut.country != member.country) continue;
            std::vector<DatedMember> next;
            for (const DatedMember& piece : left) {
              if (cut.until <= piece.from || cut.from >= piece.until) {
                next.push_back(piece);
                continue;
              }
              if (piece.from < cut.from) next.push_back({piece.country, piece.from, cut.from});
              if (cut.until < piece.until) next.push_back({piece.country, cut.until, piece.until});
            }
            left = std::move(next);
          }
          out.members.insert(out.members.end(), left.begin(), left.end());
        }
      }
      return NewDatedSet(std::move(out));
    }
    if (a.element == TypeKind::kText && env.emit && (!IsConst(lhs.value) || !IsConst(rhs.value))) {
      return mismatch(DiagnosticKind::UnsupportedExpression,
                      "sets of texts can only be combined when both are constants",
                      "write the combined set out, or test membership in each with `or`");
    }
    ir::Op ir_op = op == ast::BinaryOp::kAdd ? ir::Op::kUnion : ir::Op::kDifference;
    return Typed{a, Emit(ir_op, a, lhs.value, rhs.value, env, &expr)};
  }
  if (a.kind == TypeKind::kDate || b.kind == TypeKind::kDate) {
    if (a.kind == TypeKind::kDate && b.kind == TypeKind::kDuration &&
        (op == ast::BinaryOp::kAdd || op == ast::BinaryOp::kSub)) {
      ir::Op ir_op = op == ast::BinaryOp::kAdd ? ir::Op::kDateAddDays : ir::Op::kDateSubDays;
      return Typed{a, Emit(ir_op, a, lhs.value, rhs.value, env, &expr)};
    }
    if (a.kind == TypeKind::kDate && b.kind == TypeKind::kDate && op == ast::BinaryOp::kSub) {
      Type duration = MakeType(TypeKind::kDuration);
      return Typed{duration, Emit(ir::Op::kDateDiff, duration, lhs.value, rhs.value, env)};
    }
    return mismatch(DiagnosticKind::TypeMismatch,
                    fmt::format("cannot apply `{}` to {} and {}", op_text,
                                Describe(*binary.lhs, lhs, m), Describe(*binary.rhs, rhs, m)),
                    "dates combine as `date + days(n)`, `date - days(n)` and `date - date`");
  }
  if (a.kind == TypeKind::kDuration || b.kind == TypeKind::kDuration) {
    if (a.kind == b.kind && (op == ast::BinaryOp::kAdd || op == ast::BinaryOp::kSub)) {
      return Typed{a, Emit(ToIrOp(op), a, lhs.value, rhs.value, env, &expr)};
    }
    return mismatch(DiagnosticKind::TypeMismatch,
                    fmt::format("cannot apply `{}` to {} and {}", op_text,
                                Describe(*binary.lhs, lhs, m), Describe(*binary.rhs, rhs, m)),
                    "durations add to and subtract from durations and dates");
  }
  if (!a.is_numeric() || !b.is_numeric()) {
    return mismatch(DiagnosticKind::TypeMismatch,
                    fmt::format("`{}` needs numbers, but got {} and {}", op_text,
                                Describe(*binary.lhs, lhs, m), Describe(*binary.rhs, rhs, m)),
                    "arithmetic applies to numbers and quantities");
  }
  Type result = MakeType(a.kind == TypeKind::kInt && b.kind == TypeKind::kInt ? TypeKind::kInt
                                                                              : TypeKind::kNumber);
  if (op == ast::BinaryOp::kAdd || op == ast::BinaryOp::kSub) {
    if (a.dim != b.dim) {
      return mismatch(
          DiagnosticKind::UnitMismatch,
          fmt::format("cannot {} {} and {}", op == ast::BinaryOp::kAdd ? "add" : "subtract",
                      Describe(*binary.lhs, lhs, m), Describe(*binary.rhs, rhs, m)),
          unit_help(a, *binary.lhs) + "; " + unit_help(b, *binary.rhs));
    }
    result.dim = a.dim;
  } else {
    result.dim = dims_.Combine(a.dim, b.dim, op == ast::BinaryOp::kMul ? 1 : -1);
    if (op == ast::BinaryOp::kDiv) result.kind = TypeKind::kNumber;
  }
  return Typed{result, Emit(ToIrOp(op), result, lhs.value, rhs.value, env, &expr)};
}

}  // namespace cordon::check
