// SPDX-License-Identifier: Apache-2.0
// `test` blocks: the request a test gives is built at compile time, checked field by field
// against `input Request` like a JSON request would be, so a test cannot pass by a typo.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/checker.h"

namespace cordon::check {

void Checker::CheckTest(uint32_t m, const ast::Decl& decl, const ast::TestDecl& test) {
  if (!request_) {
    emitter_
        .Error(DiagnosticKind::MissingRequest, Loc(m, test.name.range),
               "this test needs a request, but the policy declares no `input Request`")
        .Help("declare the fields a request carries: `input Request { as_of: date  … }`");
    return;
  }
  ir::Test out{.name = test.name.value,
               .file = modules_[m].path,
               .line = modules_[m].source->LineOf(decl.range.begin)};
  out.request.resize(program_.slot_count);
  AbsentSlots(0, out.request);
  bool ok = true;
  const ast::GivenClause* given_request = nullptr;
  for (const ast::GivenClause& given : test.givens) {
    if (given.name.text != "request") {
      emitter_
          .Error(DiagnosticKind::InvalidTest, Loc(m, given.name.range),
                 fmt::format("a test gives `request`, not `{}`", given.name.text))
          .Help("write `given request = { … }` with the fields of `input Request`");
      ok = false;
      continue;
    }
    if (given_request != nullptr) {
      emitter_
          .Error(DiagnosticKind::DuplicateName, Loc(m, given.name.range),
                 "this test gives `request` twice")
          .Label(Loc(m, given_request->name.range), "first given here");
      ok = false;
      continue;
    }
    given_request = &given;
    if (given.value == nullptr || !ConstRecord(m, *given.value, request_record_, 0, out.request)) {
      ok = false;
    }
  }
  if (given_request == nullptr && ok) {
    emitter_
        .Error(DiagnosticKind::InvalidTest, Loc(m, test.name.range), "this test gives no request")
        .Help("add `given request = { … }` with the fields of `input Request`");
    ok = false;
  }
  // `expect error`: the request breaks a `require`. `error` cannot be an outcome's name.
  if (test.expect.text == "error" && std::find(program_.outcomes.begin(), program_.outcomes.end(),
                                               "error") == program_.outcomes.end()) {
    out.expect_error = true;
    out.expect = 0;
    if (!test.by.empty()) {
      emitter_
          .Error(DiagnosticKind::InvalidTest, Loc(m, test.by.front().range),
                 "`expect error` takes no `by`: a request in error fires no rule")
          .Help("the decision's errors say which `require` the request breaks");
      ok = false;
    }
  } else {
    out.expect = OutcomeId(m, test.expect);
  }
  ok = ok && out.expect != ir::kNoId;
  for (const ast::Name& name : test.by) {
    auto it = std::find_if(program_.rules.begin(), program_.rules.end(),
                           [&](const ir::Rule& r) { return r.name == name.text; });
    if (it == program_.rules.end()) {
      std::string help = "`by` names rules of this policy that must fire";
      if (rule_names_.count(name.text) != 0) help = "that rule has errors of its own";
      emitter_
          .Error(DiagnosticKind::UnknownName, Loc(m, name.range),
                 fmt::format("no rule named `{}` in this policy", name.text))
          .Help(help);
      ok = false;
      continue;
    }
    out.by.push_back(static_cast<ir::RuleId>(it - program_.rules.begin()));
  }
  if (ok) program_.tests.push_back(std::move(out));
}

// Every slot under `root` (the request's, or a list element's: each has slots from 0) absent,
// with its kind.
void Checker::AbsentSlots(uint32_t root, std::vector<ir::Datum>& slots) {
  const ir::SchemaNode& node = program_.schema[root];
  if (node.slot != ir::kNoId) {
    slots[node.slot] =
        ir::Datum{.kind = node.is_record ? ir::Kind::kBool : node.kind, .present = false};
  }
  for (uint32_t child : node.children) AbsentSlots(child, slots);
}

auto Checker::ConstList(uint32_t m, const ast::Expr& expr, const RecordField& field, uint32_t node,
                        ir::Datum& slot) -> bool {
  const auto* literal = std::get_if<ast::ListLit>(&expr.kind);
  const ir::ListShape& shape = program_.lists[program_.schema[node].list];
  if (literal == nullptr) {
    emitter_
        .Error(
            DiagnosticKind::TypeMismatch, Loc(m, expr.range),
            fmt::format("field `{}` is a list: write its elements as `[{{…}}, {{…}}]`", field.name))
        .Help(fmt::format("each element is a record of type `{}`; `[]` is the empty list",
                          shape.record));
    return false;
  }
  if (literal->elements.size() > shape.max_length) {
    emitter_
        .Error(DiagnosticKind::InvalidTest, Loc(m, expr.range),
               fmt::format("{} elements, but `{}` holds at most {}", literal->elements.size(),
                           field.name, shape.max_length))
        .Help("a request with more is refused, and so is this test's");
    return false;
  }
  bool ok = true;
  std::vector<ir::Datum>& items = program_.list_items.emplace_back(
      literal->elements.size() * shape.slot_count, ir::Datum{.present = false});
  for (size_t i = 0; i < literal->elements.size(); ++i) {
    // Filled in place: ConstRecord writes slots by index into the element's own vector.
    std::vector<ir::Datum> element(shape.slot_count);
    AbsentSlots(shape.element, element);
    ok = ConstRecord(m, *literal->elements[i], field.type.id, shape.element, element) && ok;
    std::copy(element.begin(), element.end(), items.begin() + i * shape.slot_count);
  }
  ir::List& list = program_.lists_data.emplace_back();
  list = ir::List{.items = items.data(),
                  .count = static_cast<uint32_t>(literal->elements.size()),
                  .stride = shape.slot_count};
  slot = ir::Datum{.kind = ir::Kind::kList, .set = &list};
  return ok;
}

void Checker::MarkAbsent(uint32_t schema_node, std::vector<ir::Datum>& slots) {
  const ir::SchemaNode& node = program_.schema[schema_node];
  if (!node.is_record && node.kind == ir::Kind::kList) {
    // An absent list is the empty list, or `none` when it is optional.
    slots[node.slot] = ir::EmptyList();
    slots[node.slot].present = !node.optional;
    return;
  }
  if (node.slot != ir::kNoId) slots[node.slot].present = false;
  for (uint32_t child : node.children) MarkAbsent(child, slots);
}

auto Checker::ConstRecord(uint32_t m, const ast::Expr& expr, uint32_t record_id,
                          uint32_t schema_node, std::vector<ir::Datum>& slots) -> bool {
  const Record record = ResolveRecord(record_id);
  const auto* literal = std::get_if<ast::RecordLit>(&expr.kind);
  // `{}` parses as an empty set; where a record is expected it is the record with no field
  // given, as the JSON `{}` is (each field then needs to be optional).
  static const ast::RecordLit kEmpty{};
  if (const auto* set = std::get_if<ast::SetLit>(&expr.kind);
      set != nullptr && set->elements.empty()) {
    literal = &kEmpty;
  }
  if (literal == nullptr) {
    emitter_
        .Error(
            DiagnosticKind::TypeMismatch, Loc(m, expr.range),
            fmt::format("expected a `{}` record written as `{{ field: value, … }}`", record.name))
        .Help(fmt::format("list the fields of `{}`", record.name));
    return false;
  }
  bool ok = true;
  std::vector<const ast::FieldInit*> seen(record.fields.size(), nullptr);
  for (const ast::FieldInit& init : literal->fields) {
    size_t f = 0;
    while (f < record.fields.size() && record.fields[f].name != init.name.text) ++f;
    if (f == record.fields.size()) {
      std::vector<std::string> names;
      for (const RecordField& field : record.fields) names.push_back(field.name);
      std::string all = QuotedList(names);
      emitter_
          .Error(DiagnosticKind::UnknownField, Loc(m, init.name.range),
                 fmt::format("`{}` has no field `{}`", record.name, init.name.text))
          .Help(fmt::format("its fields are {}", all));
      ok = false;
      continue;
    }
    IndexField(m, init.name.range, record_id, f);
    if (seen[f] != nullptr) {
      emitter_
          .Error(DiagnosticKind::DuplicateName, Loc(m, init.name.range),
                 fmt::format("field `{}` is given twice", init.name.text))
          .Label(Loc(m, seen[f]->name.range), "first given here");
      ok = false;
      continue;
    }
    seen[f] = &init;
    const RecordField& field = record.fields[f];
    uint32_t child = program_.schema[schema_node].children[f];
    if (init.value == nullptr) {
      ok = false;
      continue;
    }
    if (field.type.kind == TypeKind::kList) {
      if (std::holds_alternative<ast::NoneLit>(init.value->kind) && field.type.optional) {
        MarkAbsent(child, slots);
        continue;
      }
      ok = ConstList(m, *init.value, field, child, slots[program_.schema[child].slot]) && ok;
      continue;
    }
    if (field.type.kind == TypeKind::kRecord) {
      if (std::holds_alternative<ast::NoneLit>(init.value->kind) && field.type.optional) {
        MarkAbsent(child, slots);
        continue;
      }
      if (field.type.optional) {
        slots[program_.schema[child].slot] = ir::Datum{.kind = ir::Kind::kBool, .bits = 1};
      }
      ok = ConstRecord(m, *init.value, field.type.id, child, slots) && ok;
      continue;
    }
    Env env{.module = m, .constant_only = true};
    Typed value = Check(*init.value, env, &field.type);
    if (value.type.is_error()) {
      ok = false;
      continue;
    }
    if (!Assignable(field.type, value.type)) {
      bool units =
          field.type.is_numeric() && value.type.is_numeric() && field.type.dim != value.type.dim;
      emitter_
          .Error(units ? DiagnosticKind::UnitMismatch : DiagnosticKind::TypeMismatch,
                 Loc(m, init.value->range),
                 fmt::format("field `{}` of `{}` is {}, but {} is given", field.name, record.name,
                             TypeName(field.type), Describe(*init.value, value, m)))
          .Label(Loc(field.module == UINT32_MAX ? record.module : field.module, field.range),
                 "declared here")
          .Help(units ? "write the value with the declared unit, e.g. `826 mm2`"
                      : "give a value of the declared type");
      ok = false;
      continue;
    }
    if (!IsConst(value.value)) {
      // kNoId: folding failed (`1 / 0`, an overflow) and said so at the expression.
      if (value.value != ir::kNoId) {
        emitter_
            .Error(DiagnosticKind::InvalidTest, Loc(m, init.value->range),
                   fmt::format("field `{}` of a test's request must be a constant", field.name))
            .Help("write the value itself, e.g. `4800` or `2025-01-15`");
      }
      ok = false;
      continue;
    }
    ir::Datum datum = ConstOf(value.value);
    datum.kind = KindOf(field.type);
    slots[program_.schema[child].slot] = datum;
  }
  std::vector<std::string> missing_names;
  for (size_t f = 0; f < record.fields.size(); ++f) {
    if (seen[f] != nullptr) continue;
    if (record.fields[f].type.optional || record.fields[f].type.kind == TypeKind::kList) {
      MarkAbsent(program_.schema[schema_node].children[f], slots);
      continue;
    }
    missing_names.push_back(record.fields[f].name);
  }
  std::string missing = QuotedList(missing_names);
  if (!missing.empty()) {
    emitter_
        .Error(DiagnosticKind::MissingField, Loc(m, expr.range),
               fmt::format("this `{}` lacks {}", record.name, missing))
        .Label(Loc(record.module, modules_[record.module].file.decls[record.decl].range),
               fmt::format("`{}` is declared here", record.name))
        .Help("a test gives every field that is not optional (`?`), as a request must");
    ok = false;
  }
  return ok;
}

}  // namespace cordon::check
