// SPDX-License-Identifier: Apache-2.0
// Declarations: the outcome lattice, `input` records and the request schema, units, `let`
// definitions, rules and their dates. Each is resolved on first use, so a module may use a
// name before the line that declares it; a definition that reaches itself is reported.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "compiler/check/checker.h"

namespace cordon::check {

namespace {

constexpr const char* kTypesHelp =
    "types are `bool`, `int`, `number`, `text`, `date`, `duration`, `country`, `enum { … }`, "
    "`set<…>` and records declared with `input`";

}  // namespace

void Checker::CheckOutcomes() {
  for (uint32_t m : order_) {
    for (uint32_t d = 0; d < modules_[m].file.decls.size(); ++d) {
      const auto* decl = std::get_if<ast::OutcomesDecl>(&modules_[m].file.decls[d].kind);
      if (decl == nullptr) continue;
      std::vector<std::string> names;
      for (const ast::Name& name : decl->outcomes) names.push_back(name.text);
      if (outcomes_decl_) {
        if (names != program_.outcomes) {
          auto [fm, fd] = *outcomes_decl_;
          emitter_
              .Error(DiagnosticKind::ConflictingOutcomes, Loc(m, modules_[m].file.decls[d].range),
                     "this policy already has a different outcome lattice")
              .Label(Loc(fm, modules_[fm].file.decls[fd].range), "the first lattice")
              .Help(
                  "a policy has exactly one `outcomes` lattice; declare it in one module and "
                  "repeat it verbatim or not at all");
        }
        continue;
      }
      outcomes_decl_ = {m, d};
      for (size_t i = 0; i < decl->outcomes.size(); ++i) {
        const ast::Name& name = decl->outcomes[i];
        if (name.text == "error") {
          lattice_has_errors_ = true;
          emitter_
              .Error(DiagnosticKind::ReservedName, Loc(m, name.range),
                     "`error` cannot be an outcome")
              .Help(
                  "`error` is the decision for a request that cannot be decided (a missing or "
                  "malformed field); choose another name");
        }
        for (size_t j = 0; j < i; ++j) {
          if (decl->outcomes[j].text == name.text) {
            lattice_has_errors_ = true;
            emitter_
                .Error(DiagnosticKind::DuplicateName, Loc(m, name.range),
                       fmt::format("`{}` appears twice in the outcome lattice", name.text))
                .Label(Loc(m, decl->outcomes[j].range), "first here")
                .Help("each outcome has one place in the order");
          }
        }
      }
      program_.outcomes = std::move(names);
      outcome_produced_.assign(program_.outcomes.size(), false);
    }
  }
}

void Checker::CheckRequest() {
  for (uint32_t m : order_) {
    auto it = modules_[m].own.find("Request");
    if (it == modules_[m].own.end() || it->second.kind != SymbolKind::kInput) continue;
    if (request_) {
      emitter_
          .Error(DiagnosticKind::DuplicateName,
                 Loc(m, modules_[m].file.decls[it->second.decl].range),
                 "this policy already has an `input Request`")
          .Label(Loc(request_->module, modules_[request_->module].file.decls[request_->decl].range),
                 "the first one")
          .Help("a policy decides one kind of request; declare `input Request` in one module");
      continue;
    }
    request_ = it->second;
  }
  if (!request_) return;
  request_record_ = RecordFor(*request_);
  std::vector<uint32_t> stack;
  BuildSchema(request_record_, "", false, stack, program_.slot_count);
  const Record& request = records_[request_record_];
  for (size_t f = 0; f < request.fields.size(); ++f) {
    const RecordField& field = request.fields[f];
    if (field.name == "as_of" && field.type.kind == TypeKind::kDate && !field.type.optional) {
      program_.as_of_slot = program_.schema[program_.schema[0].children[f]].slot;
    }
  }
}

auto Checker::ListShapeFor(uint32_t record_id, uint32_t max_length, const RecordField& field,
                           uint32_t module) -> uint32_t {
  if (max_length == 0) max_length = ast::kDefaultListLength;
  auto [it, inserted] = list_shapes_.emplace(std::pair{record_id, max_length}, 0);
  if (!inserted) return it->second;  // built, or being built: a record holding a list of itself
  auto shape = static_cast<uint32_t>(program_.lists.size());
  it->second = shape;
  program_.lists.push_back(
      ir::ListShape{.record = ResolveRecord(record_id).name, .max_length = max_length});
  // The element's slots count from 0, and its records may nest afresh: containment through a
  // list is what lets a tree be written (its depth is bounded by the decoder, kMaxListDepth).
  std::vector<uint32_t> stack;
  uint32_t slots = 0;
  uint32_t element = BuildSchema(record_id, ResolveRecord(record_id).name, false, stack, slots);
  program_.lists[shape].element = element;
  program_.lists[shape].slot_count = slots;
  if (slots > kMaxRequestFields) {
    emitter_.Error(
        DiagnosticKind::RequestTooLarge, Loc(module, field.range),
        fmt::format("an element of `{}` has more than {} fields", field.name, kMaxRequestFields));
  }
  return shape;
}

auto Checker::BuildSchema(uint32_t record_id, const std::string& name, bool optional,
                          std::vector<uint32_t>& stack, uint32_t& slots) -> uint32_t {
  const Record record = ResolveRecord(record_id);  // a copy: records_ may grow below
  auto node = static_cast<uint32_t>(program_.schema.size());
  program_.schema.push_back(ir::SchemaNode{.name = name, .is_record = true, .optional = optional});
  if (optional) program_.schema[node].slot = slots++;
  stack.push_back(record_id);
  for (const RecordField& field : record.fields) {
    uint32_t child;
    if (field.type.kind == TypeKind::kList) {
      uint32_t module = field.module == UINT32_MAX ? record.module : field.module;
      child = static_cast<uint32_t>(program_.schema.size());
      program_.schema.push_back(ir::SchemaNode{.name = field.name,
                                               .optional = field.type.optional,
                                               .kind = ir::Kind::kList,
                                               .type_text = field.type_text,
                                               .slot = slots++});
      uint32_t shape = ListShapeFor(field.type.id, field.list_max, field, module);
      program_.schema[child].list = shape;
      program_.schema[node].children.push_back(child);
      continue;
    }
    if (field.type.kind == TypeKind::kRecord) {
      if (std::find(stack.begin(), stack.end(), field.type.id) != stack.end()) {
        emitter_
            .Error(DiagnosticKind::RecursiveDefinition,
                   Loc(field.module == UINT32_MAX ? record.module : field.module, field.range),
                   fmt::format("record `{}` contains itself through field `{}`", record.name,
                               field.name))
            .Help(
                "a request is a finite tree of records: make the field a key (`text`) "
                "instead");
        // A placeholder keeps children aligned with fields.
        program_.schema[node].children.push_back(static_cast<uint32_t>(program_.schema.size()));
        program_.schema.push_back(ir::SchemaNode{.name = field.name, .is_record = true});
        continue;
      }
      if (stack.size() >= kMaxRecordDepth) {
        // Deeper requests exist only to attack: the limit bounds every phase's recursion.
        emitter_
            .Error(DiagnosticKind::NestingTooDeep,
                   Loc(field.module == UINT32_MAX ? record.module : field.module, field.range),
                   fmt::format("field `{}` nests the request's records more than {} deep",
                               field.name, kMaxRecordDepth))
            .Help("a request is a shallow tree: flatten the records, or key them by name");
        program_.schema[node].children.push_back(static_cast<uint32_t>(program_.schema.size()));
        program_.schema.push_back(ir::SchemaNode{.name = field.name, .is_record = true});
        continue;
      }
      child = BuildSchema(field.type.id, field.name, field.type.optional, stack, slots);
    } else {
      if (slots == kMaxRequestFields && !too_many_fields_) {
        too_many_fields_ = true;
        emitter_
            .Error(DiagnosticKind::RequestTooLarge,
                   Loc(field.module == UINT32_MAX ? record.module : field.module, field.range),
                   fmt::format("with field `{}`, the request has more than {} fields (counting "
                               "each field of each record it holds)",
                               field.name, kMaxRequestFields))
            .Help("a request carries what the rules read; move reference data into tables");
      }
      child = static_cast<uint32_t>(program_.schema.size());
      ir::SchemaNode leaf{.name = field.name,
                          .optional = field.type.optional,
                          .kind = KindOf(field.type),
                          .integer = field.type.kind == TypeKind::kInt,
                          .duration = field.type.kind == TypeKind::kDuration,
                          .scale = field.scale,
                          .type_text = field.type_text,
                          .slot = slots++};
      if (field.type.kind == TypeKind::kEnum ||
          (field.type.kind == TypeKind::kSet && field.type.element == TypeKind::kEnum)) {
        leaf.enum_id = field.type.id;
      }
      program_.schema.push_back(std::move(leaf));
    }
    program_.schema[node].children.push_back(child);
  }
  stack.pop_back();
  return node;
}

auto Checker::RecordFor(const Symbol& symbol) -> uint32_t {
  auto [it, inserted] = record_of_decl_.emplace(std::pair{symbol.module, symbol.decl}, 0);
  if (inserted) {
    const auto& input =
        std::get<ast::InputDecl>(modules_[symbol.module].file.decls[symbol.decl].kind);
    records_.push_back(
        Record{.name = input.name.text, .module = symbol.module, .decl = symbol.decl});
    it->second = static_cast<uint32_t>(records_.size() - 1);
  }
  return it->second;
}

auto Checker::ResolveRecord(uint32_t id) -> const Record& {
  if (records_[id].resolved || records_[id].resolving) return records_[id];
  records_[id].resolving = true;
  uint32_t m = records_[id].module;
  const auto& input = std::get<ast::InputDecl>(modules_[m].file.decls[records_[id].decl].kind);
  std::vector<RecordField> fields;
  for (const ast::FieldDecl& field : input.fields) {
    bool duplicate = false;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name != field.name.text) continue;
      duplicate = true;
      emitter_
          .Error(
              DiagnosticKind::DuplicateName, Loc(m, field.name.range),
              fmt::format("field `{}` is declared twice in `{}`", field.name.text, input.name.text))
          .Label(Loc(m, fields[i].range), "first declared here")
          .Help("rename or remove one of them");
    }
    RecordField out{.name = field.name.text, .range = field.name.range};
    out.type = ResolveType(m, field.type, input.name.text + "." + field.name.text, &out.scale,
                           &out.type_text);
    if (const auto* list = std::get_if<ast::ListType>(&field.type.base)) {
      out.list_max = list->max_length;
    }
    if (!duplicate) fields.push_back(std::move(out));
  }
  // Fields other modules add with `extend input` (optional ones only: requests written for the
  // record stay valid, and so do its module's tests).
  for (uint32_t em = 0; em < modules_.size(); ++em) {
    for (const ast::Decl& decl : modules_[em].file.decls) {
      const auto* extend = std::get_if<ast::ExtendDecl>(&decl.kind);
      if (extend == nullptr) continue;
      const Module::Visible* target = Lookup(em, extend->target.text, false);
      if (target == nullptr || target->symbol.kind != SymbolKind::kInput ||
          RecordFor(target->symbol) != id) {
        continue;
      }
      for (const ast::FieldDecl& field : extend->fields) {
        auto same = std::find_if(fields.begin(), fields.end(),
                                 [&](const RecordField& f) { return f.name == field.name.text; });
        if (same != fields.end()) {
          emitter_
              .Error(DiagnosticKind::DuplicateName, Loc(em, field.name.range),
                     fmt::format("`{}` already has a field `{}`", input.name.text, field.name.text))
              .Label(Loc(same->module == UINT32_MAX ? m : same->module, same->range),
                     "declared here")
              .Help("an extension adds fields under new names");
          continue;
        }
        RecordField out{.name = field.name.text, .range = field.name.range, .module = em};
        out.type = ResolveType(em, field.type, input.name.text + "." + field.name.text, &out.scale,
                               &out.type_text);
        if (const auto* list = std::get_if<ast::ListType>(&field.type.base)) {
          out.list_max = list->max_length;
        }
        // A list may be added as it is: an absent array is the empty list.
        if (!out.type.is_error() && !out.type.optional && out.type.kind != TypeKind::kList) {
          emitter_
              .Error(DiagnosticKind::TypeMismatch, Loc(em, field.type.range),
                     fmt::format("a field added to `{}` by `extend` must be optional: write `{}?`",
                                 input.name.text, Text(em, field.type.range)))
              .Label(Loc(m, input.name.range),
                     fmt::format("`{}` is declared here", input.name.text))
              .Help(
                  "requests written for the record before the extension do not give the field, "
                  "and must stay valid");
          continue;
        }
        fields.push_back(std::move(out));
      }
    }
  }
  // `records_` may have grown while resolving field types.
  records_[id].fields = std::move(fields);
  records_[id].resolved = true;
  records_[id].resolving = false;
  return records_[id];
}

auto Checker::ResolveType(uint32_t m, const ast::TypeExpr& type, const std::string& owner,
                          Number* scale, std::string* text) -> Type {
  Type out;
  if (text != nullptr) *text = LabelText(m, type.range);
  if (const auto* named = std::get_if<ast::NamedType>(&type.base)) {
    static const std::map<std::string, TypeKind> kBuiltins = {
        {"bool", TypeKind::kBool},      {"int", TypeKind::kInt},
        {"number", TypeKind::kNumber},  {"text", TypeKind::kText},
        {"date", TypeKind::kDate},      {"duration", TypeKind::kDuration},
        {"country", TypeKind::kCountry}};
    if (auto it = kBuiltins.find(named->name.text); it != kBuiltins.end()) {
      out.kind = it->second;
    } else if (const Module::Visible* v = Lookup(m, named->name.text, true)) {
      IndexDecl(m, named->name.range, v->symbol);
      if (v->symbol.kind == SymbolKind::kInput) {
        out = MakeType(TypeKind::kRecord, RecordFor(v->symbol));
      } else {
        emitter_
            .Error(DiagnosticKind::UnknownType, Loc(m, named->name.range),
                   fmt::format("`{}` is not a type", named->name.text))
            .Help(kTypesHelp);
      }
    } else {
      emitter_
          .Error(DiagnosticKind::UnknownType, Loc(m, named->name.range),
                 fmt::format("unknown type `{}`", named->name.text))
          .Help(kTypesHelp);
    }
  } else if (const auto* enumeration = std::get_if<ast::EnumType>(&type.base)) {
    ir::Enum e{.name = owner};
    for (const ast::Name& value : enumeration->values) {
      if (std::find(e.values.begin(), e.values.end(), value.text) != e.values.end()) {
        emitter_
            .Error(DiagnosticKind::DuplicateName, Loc(m, value.range),
                   fmt::format("`{}` appears twice in this enum", value.text))
            .Help("remove the repeated value");
        continue;
      }
      e.values.push_back(value.text);
    }
    program_.enums.push_back(std::move(e));
    out = MakeType(TypeKind::kEnum, static_cast<uint32_t>(program_.enums.size() - 1));
  } else if (const auto* list = std::get_if<ast::ListType>(&type.base)) {
    Type element = ResolveType(m, *list->element, owner, nullptr, nullptr);
    if (!element.is_error()) {
      if (element.kind != TypeKind::kRecord || element.optional || !list->element->unit.empty()) {
        emitter_
            .Error(DiagnosticKind::UnsupportedExpression, Loc(m, list->element->range),
                   fmt::format("a list holds records, and `{}` is not one",
                               Text(m, list->element->range)))
            .Help(
                "declare the element as an `input` record: `input Owner { name: text }`, "
                "then `list<Owner>`");
      } else {
        out = MakeType(TypeKind::kList, element.id);
      }
    }
  } else if (const auto* set = std::get_if<ast::SetType>(&type.base)) {
    Type element = ResolveType(m, *set->element, owner, nullptr, nullptr);
    if (!element.is_error()) {
      bool supported = element.kind == TypeKind::kCountry || element.kind == TypeKind::kText ||
                       element.kind == TypeKind::kEnum;
      if (!supported || element.optional || !set->element->unit.empty()) {
        emitter_
            .Error(DiagnosticKind::UnsupportedExpression, Loc(m, set->element->range),
                   fmt::format("a set cannot hold `{}` values", Text(m, set->element->range)))
            .Help("sets hold countries, texts or values of an enum");
      } else {
        out = Type{.kind = TypeKind::kSet, .id = element.id, .element = element.kind};
        if (element.kind == TypeKind::kEnum && program_.enums[element.id].values.size() > 64) {
          emitter_.Error(DiagnosticKind::UnsupportedExpression, Loc(m, set->element->range),
                         "a set of an enum with more than 64 values is not supported");
          out = Type{};
        }
      }
    }
  }
  if (!type.unit.empty() && !out.is_error()) {
    if (!out.is_numeric()) {
      emitter_
          .Error(DiagnosticKind::TypeMismatch, Loc(m, type.range),
                 fmt::format("only `int` and `number` can carry a unit, not {}", TypeName(out)))
          .Help("remove the unit");
      out = Type{};
    } else {
      Number factor = Number::Integer(1);
      for (const ast::UnitFactor& f : type.unit) {
        const Module::Visible* v = Lookup(m, f.unit.text, true);
        if (v != nullptr) IndexDecl(m, f.unit.range, v->symbol);
        if (v == nullptr || v->symbol.kind != SymbolKind::kUnit) {
          emitter_
              .Error(DiagnosticKind::UnknownUnit, Loc(m, f.unit.range),
                     fmt::format("unknown unit `{}`", f.unit.text))
              .Help(fmt::format("declare it with `unit {}` or import it", f.unit.text));
          out = Type{};
          break;
        }
        const UnitState& unit = Unit(v->symbol, Loc(m, f.unit.range));
        if (!unit.ok) {
          out = Type{};
          break;
        }
        out.dim = dims_.Combine(out.dim, unit.info.dim, f.divide ? -1 : 1);
        Number next;
        ArithmeticStatus status = f.divide ? Divide(factor, unit.info.scale, next)
                                           : Multiply(factor, unit.info.scale, next);
        if (status != ArithmeticStatus::kOk) {
          emitter_.Error(DiagnosticKind::NumberOutOfRange, Loc(m, type.range),
                         "the scale of this unit is out of range");
          out = Type{};
          break;
        }
        factor = next;
      }
      if (scale != nullptr) *scale = factor;
    }
  }
  out.optional = type.optional && !out.is_error();
  modules_[m].types[type.id.index] = out;
  return out;
}

auto Checker::Unit(const Symbol& symbol, std::optional<Location> use) -> const UnitState& {
  UnitState& state = units_[{symbol.module, symbol.decl}];
  const auto& decl = std::get<ast::UnitDecl>(modules_[symbol.module].file.decls[symbol.decl].kind);
  if (state.state == State::kInProgress) {
    // Without this, `unit a = 2 a` failed without a diagnostic and every rule using `a`
    // vanished from the policy: fail-open.
    emitter_
        .Error(DiagnosticKind::RecursiveDefinition,
               use.value_or(Loc(symbol.module, decl.name.range)),
               fmt::format("unit `{}` is defined in terms of itself", decl.name.text))
        .Label(Loc(symbol.module, decl.name.range), "declared here")
        .Help("define every unit from base units (`unit h`) or from units defined before it");
    return state;
  }
  if (state.state != State::kUnvisited) return state;
  state.state = State::kInProgress;
  UnitState result;
  result.state = State::kDone;
  if (decl.definition == nullptr) {
    auto [it, inserted] = base_units_.emplace(decl.name.text, 0);
    if (inserted) it->second = dims_.Intern({{decl.name.text, 1}});
    result.info.dim = it->second;
    result.ok = true;
  } else {
    Env env{.module = symbol.module, .constant_only = true};
    Typed value = Check(*decl.definition, env);
    if (!value.type.is_error()) {
      if (!value.type.is_numeric() || value.type.optional || !IsConst(value.value) ||
          ConstOf(value.value).number <= Number{}) {
        emitter_
            .Error(DiagnosticKind::InvalidUnitDefinition,
                   Loc(symbol.module, decl.definition->range),
                   fmt::format("unit `{}` must be defined as a positive multiple of other units",
                               decl.name.text))
            .Help("write, for example, `unit day = 24 h` or `unit tbps = 1000 GB / s`");
      } else {
        result.info.dim = value.type.dim;
        result.info.scale = ConstOf(value.value).number;
        result.ok = true;
      }
    }
  }
  // `units_` may have been rehashed by nested definitions; look the entry up again.
  UnitState& slot = units_[{symbol.module, symbol.decl}];
  slot = result;
  return slot;
}

auto Checker::Let(const Symbol& symbol) -> LetInfo& {
  LetInfo& info = lets_[{symbol.module, symbol.decl}];
  if (info.state != State::kUnvisited) return info;
  info.state = State::kInProgress;
  uint32_t m = symbol.module;
  const auto& decl = std::get<ast::LetDecl>(modules_[m].file.decls[symbol.decl].kind);
  Env env{.module = m, .let = {symbol.module, symbol.decl}};
  std::vector<Type> params;
  bool ok = decl.value != nullptr;
  if (decl.params) {
    env.emit = false;
    for (const ast::Param& param : *decl.params) {
      Type type =
          ResolveType(m, param.type, decl.name.text + "." + param.name.text, nullptr, nullptr);
      ok = ok && !type.is_error();
      params.push_back(type);
      env.locals.push_back(Binding{.name = param.name.text,
                                   .value = Typed{.type = type},
                                   .param = true,
                                   .range = param.name.range});
      IndexLocal(m, param.name.range, env.locals.back());
    }
  }
  // The declared type is what the definition is checked against, so it can decide what a name
  // means (`let g: set<country> = {GB, FR}` with a unit `GB` in scope).
  Type declared = decl.type ? ResolveType(m, *decl.type, decl.name.text, nullptr, nullptr)
                            : Type{.kind = TypeKind::kError};
  // What a recursive call in the body sees while the body is being checked.
  info.params = params;
  info.result = declared;
  Typed value;
  if (decl.value != nullptr) {
    value = Check(*decl.value, env, declared.is_error() ? nullptr : &declared);
  }
  ok = ok && !value.type.is_error();
  if (ok && decl.type) {
    if (!declared.is_error() && !Assignable(declared, value.type)) {
      bool units =
          declared.is_numeric() && value.type.is_numeric() && declared.dim != value.type.dim;
      emitter_
          .Error(units ? DiagnosticKind::UnitMismatch : DiagnosticKind::TypeMismatch,
                 Loc(m, decl.value->range),
                 fmt::format("`{}` is declared as {} but its definition is {}", decl.name.text,
                             TypeName(declared), TypeName(value.type)))
          .Label(Loc(m, decl.type->range), "declared here")
          .Help(units ? "the units of the definition must match the declared unit exactly"
                      : "change the declared type or the definition");
      ok = false;
    }
  }
  LetInfo& slot = lets_[{symbol.module, symbol.decl}];
  slot.state = State::kDone;
  slot.ok = ok;
  slot.result = value.type;
  slot.params = std::move(params);
  slot.constant = decl.params ? Typed{} : value;
  return slot;
}

auto Checker::OutcomeId(uint32_t m, const ast::Name& name) -> ir::OutcomeId {
  if (!outcomes_decl_) return ir::kNoId;
  for (size_t i = 0; i < program_.outcomes.size(); ++i) {
    if (program_.outcomes[i] == name.text) return static_cast<ir::OutcomeId>(i);
  }
  auto [fm, fd] = *outcomes_decl_;
  emitter_
      .Error(DiagnosticKind::UnknownOutcome, Loc(m, name.range),
             fmt::format("`{}` is not an outcome of this policy", name.text))
      .Label(Loc(fm, modules_[fm].file.decls[fd].range), "the outcomes are declared here")
      .Help(fmt::format("the outcomes are {}", QuotedList(program_.outcomes)));
  return ir::kNoId;
}

void Checker::CheckModule(uint32_t m) {
  for (uint32_t d = 0; d < modules_[m].file.decls.size(); ++d) {
    const ast::Decl& decl = modules_[m].file.decls[d];
    if (std::holds_alternative<ast::UnitDecl>(decl.kind)) {
      (void)Unit(Symbol{SymbolKind::kUnit, m, d});
    } else if (std::holds_alternative<ast::InputDecl>(decl.kind)) {
      (void)ResolveRecord(RecordFor(Symbol{SymbolKind::kInput, m, d}));
    } else if (const auto* extend = std::get_if<ast::ExtendDecl>(&decl.kind)) {
      CheckExtend(m, *extend);
    } else if (const auto* review = std::get_if<ast::ReviewDecl>(&decl.kind)) {
      CheckReview(m, decl, *review);
    } else if (std::holds_alternative<ast::LetDecl>(decl.kind)) {
      (void)Let(Symbol{SymbolKind::kLet, m, d});
    } else if (std::holds_alternative<ast::TableDecl>(decl.kind)) {
      (void)Table(Symbol{SymbolKind::kTable, m, d});
    } else if (std::holds_alternative<ast::NormalizationDecl>(decl.kind)) {
      (void)Normalization(Symbol{SymbolKind::kNormalization, m, d});
    } else if (const auto* rule = std::get_if<ast::RuleDecl>(&decl.kind)) {
      CheckRule(m, decl, *rule);
    } else if (const auto* require = std::get_if<ast::RequireDecl>(&decl.kind)) {
      CheckRequire(m, decl, *require);
    }
  }
}

// Once per policy: every rule and `require` needs the lattice, and one diagnostic says so.
void Checker::ReportMissingOutcomes(Location where, const std::string& what) {
  if (missing_outcomes_reported_) return;
  missing_outcomes_reported_ = true;
  emitter_
      .Error(DiagnosticKind::MissingOutcomes, where,
             fmt::format("{} needs an outcome lattice, but this policy declares none", what))
      .Help(
          "declare the outcomes, highest first, e.g. `outcomes prohibited > "
          "license_required > no_license_required`");
}

auto Checker::NamedDate(uint32_t m, const ast::Expr& name, const char* clause)
    -> std::optional<DayNumber> {
  Env env{.module = m, .constant_only = true};
  Type expected = MakeType(TypeKind::kDate);
  Typed value = Check(name, env, &expected);
  if (value.type.is_error()) return std::nullopt;  // reported where it went wrong
  if (value.type.kind != TypeKind::kDate || value.type.optional || !IsConst(value.value)) {
    emitter_
        .Error(DiagnosticKind::TypeMismatch, Loc(m, name.range),
               fmt::format("`{} {}` needs a date, but `{}` is {}", clause, Text(m, name.range),
                           Text(m, name.range), TypeName(value.type)))
        .Help(fmt::format("name a definition of a date, such as `let rescinded = 2025-05-13`, "
                          "or write the date: `{} 2025-05-13`",
                          clause));
    return std::nullopt;
  }
  return ConstOf(value.value).bits;
}

void Checker::CheckReview(uint32_t m, const ast::Decl& decl, const ast::ReviewDecl& review) {
  std::optional<DayNumber> day;
  if (review.date) day = DaysFromCivil(review.date->year, review.date->month, review.date->day);
  if (review.date_name) day = NamedDate(m, *review.date_name, "reviewed");
  if (!day) return;
  int64_t grace = 0;
  if (review.grace) {
    Env env{.module = m, .constant_only = true};
    Type duration = MakeType(TypeKind::kDuration);
    Typed value = Check(*review.grace, env, &duration);
    if (value.type.is_error()) return;
    if (value.type.kind != TypeKind::kDuration || !IsConst(value.value) ||
        ConstOf(value.value).number < Number{}) {
      emitter_
          .Error(DiagnosticKind::TypeMismatch, Loc(m, review.grace->range),
                 fmt::format("`grace` takes a duration of zero or more days, not {}",
                             Describe(*review.grace, value, m)))
          .Help("write it as `grace days(30)`");
      return;
    }
    // Whole days within the calendar (0001-9999), so that the count fits the day arithmetic.
    Number days = ConstOf(value.value).number;
    if (days > Number::Integer(kLastDay - kFirstDay)) {
      emitter_
          .Error(DiagnosticKind::TypeMismatch, Loc(m, review.grace->range),
                 fmt::format("`grace` of {} is longer than the calendar (0001-9999)",
                             Describe(*review.grace, value, m)))
          .Help("write a grace period in days, such as `grace days(30)`");
      return;
    }
    grace = static_cast<int64_t>(days.num / days.den);
  }
  if (review_decl_) {
    emitter_
        .Error(DiagnosticKind::DuplicateName, Loc(m, decl.range),
               "the policy's review date is declared twice")
        .Label(Loc(review_decl_->first, review_decl_->second), "first declared here")
        .Help("a policy has one review date: keep it in one module (the policy's root)");
    return;
  }
  review_decl_ = std::pair{m, decl.range};
  program_.reviewed = *day;
  program_.review_grace_days = static_cast<int32_t>(grace);
}

void Checker::WarnAfterReview() {
  if (!program_.reviewed) return;
  for (const RuleStart& start : rule_starts_) {
    if (start.effective <= *program_.reviewed) continue;
    emitter_
        .Warning(
            DiagnosticKind::RuleAfterReview, Loc(start.module, start.range),
            fmt::format("rule `{}` takes effect on {}, after the policy's review date {}: "
                        "it is never applied",
                        start.rule, FormatDate(start.effective), FormatDate(*program_.reviewed)))
        .Label(Loc(review_decl_->first, review_decl_->second), "the review date")
        .Help(
            "a request dated after the review date is decided as the law stood on it; move "
            "the review date forward once the new rule has been checked");
  }
}

void Checker::CheckExtend(uint32_t m, const ast::ExtendDecl& extend) {
  const Module::Visible* target = Lookup(m, extend.target.text, true);
  if (target != nullptr) IndexDecl(m, extend.target.range, target->symbol);
  if (target == nullptr) {
    emitter_
        .Error(DiagnosticKind::UnknownName, Loc(m, extend.target.range),
               fmt::format("`extend input {}`: no record `{}` is visible here", extend.target.text,
                           extend.target.text))
        .Help(fmt::format("import it from the module that declares it: `import MODULE ({})`",
                          extend.target.text));
    return;
  }
  if (target->symbol.kind != SymbolKind::kInput) {
    emitter_
        .Error(DiagnosticKind::TypeMismatch, Loc(m, extend.target.range),
               fmt::format("`{}` is not a record: `extend input` adds fields to an `input`",
                           extend.target.text))
        .Help("name the record to extend, such as `Item`");
    return;
  }
  (void)ResolveRecord(RecordFor(target->symbol));
}

void Checker::CheckRule(uint32_t m, const ast::Decl& decl, const ast::RuleDecl& rule) {
  if (!outcomes_decl_) {
    ReportMissingOutcomes(Loc(m, rule.name.range), fmt::format("rule `{}`", rule.name.text));
    return;
  }
  ir::Rule out;
  out.name = rule.name.text;
  out.module = modules_[m].name;
  out.file = modules_[m].path;
  out.line = modules_[m].source->LineOf(decl.range.begin);
  out.message = rule.then.message.value;
  if (rule.cites) {
    auto it = std::find(program_.citations.begin(), program_.citations.end(), rule.cites->value);
    out.cites = static_cast<ir::CitationId>(it - program_.citations.begin());
    if (it == program_.citations.end()) program_.citations.push_back(rule.cites->value);
  }
  auto day = [](const ast::Date& d) { return DaysFromCivil(d.year, d.month, d.day); };
  if (rule.effective) out.effective = day(*rule.effective);
  if (rule.until) out.until = day(*rule.until);
  bool dates_ok = true;
  if (rule.effective_name) {
    out.effective = NamedDate(m, *rule.effective_name, "effective");
    dates_ok = out.effective.has_value();
  }
  if (rule.until_name) {
    out.until = NamedDate(m, *rule.until_name, "until");
    dates_ok = dates_ok && out.until.has_value();
  }
  SourceRange effective_range = rule.effective        ? rule.effective->range
                                : rule.effective_name ? rule.effective_name->range
                                                      : SourceRange{};
  SourceRange until_range = rule.until        ? rule.until->range
                            : rule.until_name ? rule.until_name->range
                                              : SourceRange{};
  if (out.effective) {
    rule_starts_.push_back({m, effective_range, rule.name.text, *out.effective});
  }
  if (!dates_ok) {
    // Reported at the name; the rule is dropped with its error.
  } else if (out.effective && out.until && *out.until <= *out.effective) {
    emitter_
        .Error(DiagnosticKind::EffectiveAfterUntil, Loc(m, until_range),
               fmt::format("rule `{}` would never be in force: `until {}` is not after "
                           "`effective {}`",
                           rule.name.text, FormatDate(*out.until), FormatDate(*out.effective)))
        .Label(Loc(m, effective_range), "in force from here")
        .Help(
            "a rule is in force from its `effective` day up to, not including, its `until` "
            "day");
  }
  bool ok = dates_ok;
  Env when_env{.module = m};  // after the `when`, with the names it binds, for message holes
  auto condition = [&](const ast::Expr& expr, const char* what,
                       Env* keep = nullptr) -> ir::ValueId {
    Env local{.module = m};
    Env& env = keep != nullptr ? *keep : local;
    Type expected = MakeType(TypeKind::kBool);
    Typed typed = Check(expr, env, &expected);
    if (typed.type.is_error()) {
      ok = false;
      return ir::kNoId;
    }
    if (!RequireValue(typed, expr, env, what)) {
      ok = false;
      return ir::kNoId;
    }
    if (typed.type.kind != TypeKind::kBool) {
      emitter_
          .Error(
              DiagnosticKind::TypeMismatch, Loc(m, expr.range),
              fmt::format("{} must be true or false, but this is {}", what, TypeName(typed.type)))
          .Help("compare it with something, e.g. `>= 4800` or `in D5`");
      ok = false;
      return ir::kNoId;
    }
    if (keep != nullptr) (void)BindingsOf(expr, typed, env);
    return typed.value;
  };
  if (rule.when != nullptr)
    out.when = condition(*rule.when, "a rule's `when` condition", &when_env);
  else
    ok = false;
  if (ok && !MessageHoles(rule.then.message, when_env, out.message, out.holes)) ok = false;
  out.outcome = OutcomeId(m, rule.then.outcome);
  ok = ok && out.outcome != ir::kNoId;
  if (ok && IsConst(out.when) && ConstOf(out.when).bits == 0) {
    emitter_
        .Warning(
            DiagnosticKind::RuleNeverFires, Loc(m, rule.when->range),
            fmt::format("rule `{}` can never fire: its condition is always false", rule.name.text))
        .Help("check the condition; to switch a rule off, give it an `until` date instead");
  }
  bool always_replaced = false;
  for (const ast::UnlessClause& unless : rule.unless) {
    ir::Exception e;
    e.line = modules_[m].source->LineOf(unless.range.begin);
    e.message = unless.then.message.value;
    e.outcome = OutcomeId(m, unless.then.outcome);
    if (unless.condition == nullptr) {
      ok = false;
      continue;
    }
    e.condition = condition(*unless.condition, "an `unless` condition");
    if (e.condition == ir::kNoId || e.outcome == ir::kNoId) {
      ok = false;
      continue;
    }
    if (ok && !MessageHoles(unless.then.message, when_env, e.message, e.holes)) {
      ok = false;
      continue;
    }
    if (always_replaced || (IsConst(e.condition) && ConstOf(e.condition).bits == 0)) {
      emitter_
          .Warning(DiagnosticKind::UnlessNeverApplies, Loc(m, unless.condition->range),
                   always_replaced
                       ? "this `unless` can never apply: an earlier `unless` always does"
                       : "this `unless` can never apply: its condition is always false")
          .Help("remove it or correct its condition");
    }
    if (IsConst(e.condition) && ConstOf(e.condition).bits != 0) always_replaced = true;
    out.unless.push_back(std::move(e));
  }
  // Count what the rule produces even when it has errors: one mistake, one diagnostic.
  if (out.outcome != ir::kNoId) outcome_produced_[out.outcome] = true;
  for (const ast::UnlessClause& unless : rule.unless) {
    for (size_t i = 0; i < program_.outcomes.size(); ++i) {
      if (program_.outcomes[i] == unless.then.outcome.text) outcome_produced_[i] = true;
    }
  }
  if (!ok) return;
  program_.rules.push_back(std::move(out));
}

auto Checker::MessageHoles(const ast::Text& message, Env& env, std::string& text,
                           std::vector<ir::MessageHole>& holes) -> bool {
  uint32_t m = env.module;
  const std::string& in = message.value;
  text.clear();
  holes.clear();
  auto bad = [&](std::string what) {
    Diag(env)
        .Error(DiagnosticKind::BadMessageHole, Loc(m, message.range), std::move(what))
        .Help(
            "a message shows a value with `{name.field}`, the name bound by the `when` (`… is "
            "some e`) or `request`; write `{{` and `}}` for braces");
    return false;
  };
  auto is_name = [](std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) {
      return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '}') {
      if (i + 1 < in.size() && in[i + 1] == '}') {
        text += '}';
        ++i;
        continue;
      }
      return bad("a `}` in a message closes no value");
    }
    if (in[i] != '{') {
      text += in[i];
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '{') {
      text += '{';
      ++i;
      continue;
    }
    size_t close = in.find('}', i);
    if (close == std::string::npos) return bad("a `{` in a message starts a value that never ends");
    std::string_view path(in.data() + i + 1, close - i - 1);
    // name(.field)*, checked as the expression it spells.
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
      size_t dot = path.find('.', start);
      parts.push_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (!std::all_of(parts.begin(), parts.end(), is_name)) {
      return bad(fmt::format("`{{{}}}` in a message is not a name and its fields", path));
    }
    // Fresh node ids past the module's own, which index its per-node tables.
    auto fresh = [&] {
      std::vector<Type>& types = modules_[m].types;
      types.emplace_back();
      return ast::NodeId{static_cast<uint32_t>(types.size() - 1)};
    };
    auto node = [&](ast::Expr::Kind kind) {
      auto e = std::make_unique<ast::Expr>();
      e->id = fresh();
      e->range = message.range;
      e->kind = std::move(kind);
      return e;
    };
    ast::ExprPtr expr = node(ast::NameRef{std::string(parts[0])});
    for (size_t p = 1; p < parts.size(); ++p) {
      expr = node(ast::FieldAccess{
          .object = std::move(expr),
          .field =
              ast::Name{.id = fresh(), .range = message.range, .text = std::string(parts[p])}});
    }
    Typed typed = Check(*expr, env);
    if (typed.type.is_error()) return false;
    TypeKind k = typed.type.kind;
    if (typed.value == ir::kNoId || k == TypeKind::kRecord || k == TypeKind::kRow ||
        k == TypeKind::kList || k == TypeKind::kTable || k == TypeKind::kDuration) {
      return bad(fmt::format("`{{{}}}` is {}, which a message cannot show: name one of its fields",
                             path, TypeName(typed.type)));
    }
    if (typed.type.optional) {
      return bad(
          fmt::format("`{{{}}}` may be absent: bind it in the `when` (`{} is some x`) and "
                      "show `{{x}}`",
                      path, path));
    }
    auto begin = static_cast<uint32_t>(text.size());
    text.append(in, i, close - i + 1);
    std::string unit;
    if (k == TypeKind::kInt || k == TypeKind::kNumber) unit = dims_.Format(typed.type.dim);
    holes.push_back(ir::MessageHole{.begin = begin,
                                    .end = static_cast<uint32_t>(text.size()),
                                    .value = typed.value,
                                    .unit = std::move(unit)});
    i = close;
  }
  return true;
}

// A `require` becomes a rule that holds when the request breaks it (its condition is false), so
// that every engine evaluates it as it evaluates rules; FinishDecision turns it into an error.
void Checker::CheckRequire(uint32_t m, const ast::Decl& decl, const ast::RequireDecl& require) {
  if (!outcomes_decl_) {
    ReportMissingOutcomes(Loc(m, decl.range), "this `require`");
    return;
  }
  if (require.condition == nullptr) return;
  Env env{.module = m};
  Type expected = MakeType(TypeKind::kBool);
  Typed typed = Check(*require.condition, env, &expected);
  if (typed.type.is_error() || !RequireValue(typed, *require.condition, env, "a `require`")) {
    return;
  }
  if (typed.type.kind != TypeKind::kBool) {
    emitter_
        .Error(DiagnosticKind::TypeMismatch, Loc(m, require.condition->range),
               fmt::format("a `require` condition must be true or false, but this is {}",
                           TypeName(typed.type)))
        .Help("state what a valid request satisfies, e.g. `require request.chips >= 1 \"…\"`");
    return;
  }
  if (request_record_ == ir::kNoId) {
    emitter_
        .Error(DiagnosticKind::MissingRequest, Loc(m, decl.range),
               "this `require` needs a request, but the policy declares no `input Request`")
        .Help("declare the fields a request carries: `input Request { as_of: date  … }`");
    return;
  }
  if (IsConst(typed.value) && ConstOf(typed.value).bits != 0) {
    emitter_
        .Warning(DiagnosticKind::RuleNeverFires, Loc(m, require.condition->range),
                 "this `require` always holds: no request can break it")
        .Help("check the condition; a `require` names what some request could get wrong");
  }
  ir::Rule out;
  out.module = modules_[m].name;
  out.file = modules_[m].path;
  out.line = modules_[m].source->LineOf(decl.range.begin);
  out.name = fmt::format("require@{}:{}", out.module, out.line);
  out.requirement = true;
  out.when = Emit(ir::Op::kNot, expected, typed.value, 0, env, require.condition.get());
  if (out.when == ir::kNoId) return;
  out.outcome = static_cast<ir::OutcomeId>(program_.outcomes.size() - 1);
  out.message = fmt::format("{}: {}", RequestPaths(typed.value), require.message.value);
  requirements_.push_back(std::move(out));  // after every rule: see Program::first_requirement
}

// "$.item.tpp, $.chips": the request fields a value reads, in the order it reads them, or "$".
auto Checker::RequestPaths(ir::ValueId root) -> std::string {
  if (slot_paths_.empty()) {
    slot_paths_.assign(program_.slot_count, "");
    std::vector<std::pair<uint32_t, std::string>> pending = {{0, "$"}};
    while (!pending.empty()) {
      auto [node, path] = std::move(pending.back());
      pending.pop_back();
      const ir::SchemaNode& n = program_.schema[node];
      if (n.slot != ir::kNoId && n.slot < slot_paths_.size()) slot_paths_[n.slot] = path;
      for (uint32_t child : n.children) {
        pending.emplace_back(child, path + "." + program_.schema[child].name);
      }
    }
  }
  std::vector<std::string> paths;
  std::set<ir::ValueId> seen;
  std::vector<ir::ValueId> stack = {root};
  while (!stack.empty()) {
    ir::ValueId id = stack.back();
    stack.pop_back();
    if (id == ir::kNoId || !seen.insert(id).second) continue;
    const ir::Value& v = program_.values[id];
    if (v.op == ir::Op::kConst) continue;
    if (v.op == ir::Op::kSlot) {
      if (v.a < slot_paths_.size() &&
          std::find(paths.begin(), paths.end(), slot_paths_[v.a]) == paths.end()) {
        paths.push_back(slot_paths_[v.a]);
      }
      continue;
    }
    if (ir::TakesValueB(v.op)) stack.push_back(v.b);  // pushed first: `a` is read first
    if (ir::TakesValueA(v.op)) stack.push_back(v.a);
  }
  if (paths.empty()) return "$";
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

void Checker::WarnUnproduced() {
  // After an error in the lattice itself, which outcomes exist is in doubt.
  if (!outcomes_decl_ || program_.rules.empty() || lattice_has_errors_) return;
  auto [m, d] = *outcomes_decl_;
  const auto& decl = std::get<ast::OutcomesDecl>(modules_[m].file.decls[d].kind);
  for (size_t i = 0; i + 1 < program_.outcomes.size() && i < decl.outcomes.size(); ++i) {
    if (outcome_produced_[i]) continue;
    emitter_
        .Warning(DiagnosticKind::OutcomeNeverProduced, Loc(m, decl.outcomes[i].range),
                 fmt::format("no rule of this policy produces `{}`", program_.outcomes[i]))
        .Help(fmt::format("`{}`, the lowest outcome, is the decision when no rule fires; every "
                          "other outcome needs a rule or an `unless` that yields it",
                          program_.outcomes.back()));
  }
}

}  // namespace cordon::check
