// SPDX-License-Identifier: Apache-2.0
// The symbolic request and the encoding of a program's decision (encode.h says what is exact and
// what is bounded or approximated).
#include "compiler/analyze/encode.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "runtime/base/civil.h"
#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/ir/ops.h"

namespace cordon::analyze {

auto Bounds::Describe() const -> std::string {
  return fmt::format(
      "lists of at most {} elements, nested at most {} deep; numbers within ±10^15; dates "
      "{}-01-01 to {}-12-31; names among those the policy lists or names, one near miss of "
      "each listed name, and names listed nowhere",
      list_length, list_depth, kFirstAnalysedYear, kLastAnalysedYear);
}

auto TextUniverse::Id(std::string_view text) -> int {
  auto it = ids.find(text);
  if (it != ids.end()) return it->second;
  int id = static_cast<int>(known.size());
  known.emplace_back(text);
  ids.emplace(std::string(text), id);
  return id;
}

auto TextUniverse::Text(int64_t id) const -> std::string {
  if (id >= 0 && static_cast<size_t>(id) < known.size()) return known[static_cast<size_t>(id)];
  return fmt::format("Unlisted Party {}", id);
}

auto ToZ3(z3::context& ctx, const Number& n) -> z3::expr {
  std::string text = FormatInt128(n.num);
  if (n.den != 1) text += "/" + FormatInt128(n.den);
  return ctx.real_val(text.c_str());
}

auto ToNumber(const z3::expr& numeral) -> std::optional<Number> {
  if (!numeral.is_numeral()) return std::nullopt;
  std::string text = Z3_get_numeral_string(numeral.ctx(), numeral);
  auto parse = [](std::string_view s, Int128& out) {
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    if (s.empty() || s.size() > 36) return false;
    Int128 v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    out = negative ? -v : v;
    return true;
  };
  Int128 num = 0;
  Int128 den = 1;
  size_t slash = text.find('/');
  if (slash == std::string::npos) {
    if (!parse(text, num)) return std::nullopt;
  } else if (!parse(std::string_view(text).substr(0, slash), num) ||
             !parse(std::string_view(text).substr(slash + 1), den)) {
    return std::nullopt;
  }
  Number n;
  n.num = num;
  n.den = den;
  return n;
}

namespace {

auto DayOf(int year, int month, int day) -> DayNumber {
  return *ParseDate(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

}  // namespace

auto UnitText(const ir::SchemaNode& node) -> std::string {
  std::string t = node.type_text;
  if (!t.empty() && t.back() == '?') t.pop_back();
  for (std::string_view prefix : {"number", "int", "duration"}) {
    if (t.starts_with(prefix)) {
      t = t.substr(prefix.size());
      break;
    }
  }
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  return t;
}

auto RequestSpace::NewField(const ir::Program& program, const ir::SchemaNode& node,
                            const std::string& path, const z3::expr& parent_present, uint32_t depth)
    -> SlotVar* {
  if (auto it = fields_.find(path); it != fields_.end()) {
    if (it->second->kind != node.kind) {
      throw std::runtime_error(fmt::format(
          "the policies' requests differ: field `{}` is a {} in one and a {} in the other", path,
          ir::KindName(it->second->kind), ir::KindName(node.kind)));
    }
    return it->second.get();
  }
  z3::context& c = ctx_;
  z3::expr own = node.optional ? c.bool_const((path + "?").c_str()) : c.bool_val(true);
  z3::expr value = c.bool_val(true);
  std::optional<z3::expr> symbol;
  std::string name = path;
  switch (node.kind) {
    case ir::Kind::kBool:
      value = c.bool_const(name.c_str());
      break;
    case ir::Kind::kNumber: {
      z3::expr limit = c.real_val("1000000000000000");
      if (node.integer || node.duration) {
        z3::expr k = c.int_const((name + "#").c_str());
        symbol = k;
        value = z3::to_real(k) * ToZ3(c, node.scale);
        domain_.push_back(z3::to_real(k) <= limit && z3::to_real(k) >= -limit);
      } else {
        value = c.real_const(name.c_str());
        z3::expr json = value / ToZ3(c, node.scale);
        domain_.push_back(json <= limit && json >= -limit);
      }
      break;
    }
    case ir::Kind::kDate:
      value = c.int_const(name.c_str());
      domain_.push_back(value >= DayOf(kFirstAnalysedYear, 1, 1) &&
                        value <= DayOf(kLastAnalysedYear, 12, 31));
      break;
    case ir::Kind::kCountry: {
      value = c.int_const(name.c_str());
      z3::expr_vector any(c);
      for (int i = 0; i < kCountrySlots; ++i) {
        if (LookupCountry(CountryCode(static_cast<CountryIndex>(i)))) any.push_back(value == i);
      }
      domain_.push_back(z3::mk_or(any));
      break;
    }
    case ir::Kind::kEnum: {
      value = c.int_const(name.c_str());
      auto n = node.enum_id < program.enums.size()
                   ? static_cast<int>(program.enums[node.enum_id].values.size())
                   : 1;
      domain_.push_back(value >= 0 && value < n);
      break;
    }
    case ir::Kind::kText:
      value = c.int_const(name.c_str());
      domain_.push_back(value >= 0);
      break;
    case ir::Kind::kCountrySet:
    case ir::Kind::kEnumSet:
    case ir::Kind::kTextSet:
      value = c.constant(name.c_str(), c.array_sort(c.int_sort(), c.bool_sort()));
      break;
    case ir::Kind::kList:
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      break;
  }
  auto var = std::make_unique<SlotVar>(SlotVar{.path = path,
                                               .kind = node.kind,
                                               .node = &node,
                                               .value = value,
                                               .present = parent_present && own,
                                               .own = own,
                                               .symbol = symbol ? *symbol : value});
  SlotVar* out = var.get();
  fields_.emplace(path, std::move(var));
  if (node.kind == ir::Kind::kList && node.list < program.lists.size()) {
    const ir::ListShape& shape = program.lists[node.list];
    auto list = std::make_unique<ListVar>(ListVar{.path = path, .length = c.int_val(0)});
    uint32_t cap = depth < bounds_.list_depth ? std::min(bounds_.list_length, shape.max_length) : 0;
    if (cap > 0) {
      list->length = c.int_const((path + "#length").c_str());
      domain_.push_back(list->length >= 0 && list->length <= static_cast<int>(cap));
    }
    for (uint32_t i = 0; i < cap; ++i) {
      auto element = std::make_unique<ElementVar>();
      element->slots.resize(shape.slot_count, nullptr);
      const ir::SchemaNode& record = program.schema[shape.element];
      for (uint32_t child : record.children) {
        AddNode(program, child, fmt::format("{}[{}]", path, i), c.bool_val(true), &element->slots,
                depth + 1);
      }
      list->elements.push_back(std::move(element));
    }
    out->list = list.get();
    lists_.emplace(path, std::move(list));
  }
  return out;
}

void RequestSpace::AddNode(const ir::Program& program, uint32_t index, const std::string& prefix,
                           const z3::expr& parent_present, std::vector<SlotVar*>* element,
                           uint32_t depth) {
  const ir::SchemaNode& node = program.schema[index];
  std::string path = prefix.empty() ? node.name : prefix + "." + node.name;
  auto assign = [&](ir::SlotId slot, SlotVar* var) {
    if (slot == ir::kNoId) return;
    if (element != nullptr) {
      if (slot < element->size()) (*element)[slot] = var;
    } else {
      std::vector<std::string>& paths = slot_paths_[&program];
      if (slot < paths.size()) paths[slot] = var->path;
    }
  };
  if (node.is_record) {
    z3::expr present = parent_present;
    if (node.optional && node.slot != ir::kNoId) {
      // The presence slot: a Bool field of its own, "path?".
      std::string key = path + "?";
      SlotVar* var = nullptr;
      if (auto it = fields_.find(key); it != fields_.end()) {
        var = it->second.get();
      } else {
        z3::expr own = ctx_.bool_const(key.c_str());
        auto made = std::make_unique<SlotVar>(SlotVar{.path = key,
                                                      .kind = ir::Kind::kBool,
                                                      .node = &node,
                                                      .value = parent_present && own,
                                                      .present = ctx_.bool_val(true),
                                                      .own = own,
                                                      .symbol = own});
        var = made.get();
        fields_.emplace(key, std::move(made));
      }
      assign(node.slot, var);
      present = var->value;
    }
    for (uint32_t child : node.children) AddNode(program, child, path, present, element, depth);
    return;
  }
  SlotVar* var = NewField(program, node, path, parent_present, depth);
  assign(node.slot, var);
}

void RequestSpace::AddProgram(const ir::Program& program) {
  programs_.push_back(&program);
  slot_paths_[&program].assign(program.slot_count, "");
  if (!program.schema.empty()) {
    for (uint32_t child : program.schema[0].children) {
      AddNode(program, child, "", ctx_.bool_val(true), nullptr, 0);
    }
  }
  // The texts the policy names.
  for (const ir::Datum& d : program.constants) {
    if (d.kind == ir::Kind::kText) texts_.Id(d.text.view());
    if (d.kind == ir::Kind::kTextSet && d.set != nullptr) {
      for (std::string_view t : static_cast<const ir::TextSet*>(d.set)->sorted) texts_.Id(t);
    }
  }
  for (const ir::Table& table : program.tables) {
    for (std::span<const ir::Datum> row : table.rows) {
      for (const ir::Datum& d : row) {
        if (d.kind == ir::Kind::kText && d.present) texts_.Id(d.text.view());
        if (d.kind == ir::Kind::kTextSet && d.present && d.set != nullptr) {
          for (std::string_view t : static_cast<const ir::TextSet*>(d.set)->sorted) texts_.Id(t);
        }
      }
    }
  }
  // One near miss of each listed name: a letter in its middle replaced, kept only when no table
  // lists it exactly and the table finds it near (so `near` rules can be reached).
  std::vector<std::unique_ptr<ir::TableData>> data;
  for (const ir::Table& table : program.tables) {
    data.push_back(std::make_unique<ir::TableData>(table, table.rows));
  }
  ir::FieldLookups lookups;
  lookups.Resize(0, program.tables.size(), program.name_rule_sets());
  for (size_t t = 0; t < program.tables.size(); ++t) {
    const ir::Table& table = program.tables[t];
    if (!table.normalized || table.columns.empty() || table.columns[0].kind != ir::Kind::kText) {
      continue;
    }
    for (std::span<const ir::Datum> row : table.rows) {
      std::string name(row[0].text.view());
      if (name.size() < 8) continue;
      for (size_t at = name.size() / 2; at < name.size(); ++at) {
        char ch = name[at];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) continue;
        std::string miss = name;
        miss[at] = (ch == 'q' || ch == 'Q') ? 'z' : 'q';
        bool listed = false;
        for (size_t u = 0; u < program.tables.size() && !listed; ++u) {
          lookups.Start();
          if (program.tables[u].normalized) {
            listed = lookups.Find(*data[u], static_cast<uint32_t>(u), ir::FieldLookups::kNoField,
                                  miss) >= 0;
          }
        }
        lookups.Start();
        if (!listed && lookups.Find(*data[t], static_cast<uint32_t>(t), ir::FieldLookups::kNoField,
                                    miss, true) >= 0) {
          texts_.Id(miss);
        }
        break;
      }
    }
  }
}

void RequestSpace::SetDay(std::optional<DayNumber> as_of) {
  if (as_of) {
    day_ = ctx_.int_val(*as_of);
    return;
  }
  for (const ir::Program* p : programs_) {
    if (p->as_of_slot == ir::kNoId) continue;
    if (SlotVar* var = SlotPath(*p, p->as_of_slot)) {
      day_ = var->value;
      return;
    }
  }
  day_ = ctx_.int_val(Today());
}

auto RequestSpace::SlotPath(const ir::Program& program, ir::SlotId slot) -> SlotVar* {
  auto it = slot_paths_.find(&program);
  if (it == slot_paths_.end() || slot >= it->second.size()) return nullptr;
  return Field(it->second[slot]);
}

auto RequestSpace::Field(const std::string& path) -> SlotVar* {
  auto it = fields_.find(path);
  return it == fields_.end() ? nullptr : it->second.get();
}

auto RequestSpace::fields() -> std::vector<SlotVar*> {
  std::vector<SlotVar*> out;
  for (auto& [path, var] : fields_) out.push_back(var.get());
  return out;
}

auto RequestSpace::lists() -> std::vector<ListVar*> {
  std::vector<ListVar*> out;
  for (auto& [path, var] : lists_) out.push_back(var.get());
  return out;
}

auto RequestSpace::FormatNumberIn(const ir::SchemaNode& node, const z3::expr& base) -> std::string {
  std::optional<Number> n = ToNumber(base);
  if (!n) return "?";
  Number json;
  if (Divide(*n, node.scale, json) != ArithmeticStatus::kOk) return "?";
  return FormatNumber(json);
}

namespace {

auto Quote(std::string_view s) -> std::string {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A decimal the request decoder reads: a fraction that is not one is written to 9 places.
auto JsonNumber(const Number& n) -> std::string {
  std::string text = FormatNumber(n);
  if (text.find('/') == std::string::npos) return text;
  long double v = static_cast<long double>(n.num) / static_cast<long double>(n.den);
  return fmt::format("{:.9f}", static_cast<double>(v));
}

}  // namespace

auto RequestSpace::FormatValue(const SlotVar& field, const z3::model& model) -> std::string {
  return FormatValue(field, [&](const z3::expr& e) { return model.eval(e, true); });
}

auto RequestSpace::FormatValue(const SlotVar& field, const Valuation& eval) -> std::string {
  z3::expr v = eval(field.value);
  const ir::SchemaNode& node = *field.node;
  switch (field.kind) {
    case ir::Kind::kBool:
      return v.is_true() ? "true" : "false";
    case ir::Kind::kNumber: {
      std::optional<Number> n = ToNumber(v);
      Number json;
      if (!n || Divide(*n, node.scale, json) != ArithmeticStatus::kOk) return "0";
      return JsonNumber(json);
    }
    case ir::Kind::kDate:
      return Quote(FormatDate(static_cast<DayNumber>(v.get_numeral_int64())));
    case ir::Kind::kCountry:
      return Quote(CountryCode(static_cast<CountryIndex>(v.get_numeral_int64())));
    case ir::Kind::kEnum: {
      int64_t i = v.get_numeral_int64();
      for (const ir::Program* p : programs_) {
        if (node.enum_id < p->enums.size() && i >= 0 &&
            static_cast<size_t>(i) < p->enums[node.enum_id].values.size()) {
          return Quote(p->enums[node.enum_id].values[static_cast<size_t>(i)]);
        }
      }
      return "\"?\"";
    }
    case ir::Kind::kText:
      return Quote(texts_.Text(v.get_numeral_int64()));
    case ir::Kind::kCountrySet: {
      std::string out = "[";
      for (int i = 0; i < kCountrySlots; ++i) {
        if (!LookupCountry(CountryCode(static_cast<CountryIndex>(i)))) continue;
        if (eval(z3::select(field.value, i)).is_true()) {
          out += (out.size() > 1 ? ", " : "") + Quote(CountryCode(static_cast<CountryIndex>(i)));
        }
      }
      return out + "]";
    }
    case ir::Kind::kEnumSet: {
      std::string out = "[";
      const ir::Program* p = programs_.front();
      if (node.enum_id < p->enums.size()) {
        for (size_t i = 0; i < p->enums[node.enum_id].values.size(); ++i) {
          if (eval(z3::select(field.value, static_cast<int>(i))).is_true()) {
            out += (out.size() > 1 ? ", " : "") + Quote(p->enums[node.enum_id].values[i]);
          }
        }
      }
      return out + "]";
    }
    case ir::Kind::kTextSet: {
      std::string out = "[";
      for (size_t i = 0; i < texts_.known.size(); ++i) {
        if (eval(z3::select(field.value, static_cast<int>(i))).is_true()) {
          out += (out.size() > 1 ? ", " : "") + Quote(texts_.known[i]);
        }
      }
      return out + "]";
    }
    case ir::Kind::kList:
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      break;
  }
  return "null";
}

void RequestSpace::JsonNode(const ir::Program& program, uint32_t index, const std::string& prefix,
                            const Valuation& eval, std::string& out) {
  const ir::SchemaNode& node = program.schema[index];
  std::string path = prefix.empty() ? node.name : prefix + "." + node.name;
  auto key = [&] {
    if (out.back() != '{') out += ", ";
    out += Quote(node.name) + ": ";
  };
  if (node.is_record) {
    if (node.optional) {
      SlotVar* presence = Field(path + "?");
      if (presence == nullptr || !eval(presence->value).is_true()) return;
    }
    key();
    out += "{";
    for (uint32_t child : node.children) JsonNode(program, child, path, eval, out);
    out += "}";
    return;
  }
  SlotVar* var = Field(path);
  if (var == nullptr) return;
  if (node.optional && !eval(var->own).is_true()) return;
  key();
  if (node.kind == ir::Kind::kList) {
    out += "[";
    if (var->list != nullptr && node.list < program.lists.size()) {
      int64_t n = eval(var->list->length).get_numeral_int64();
      const ir::SchemaNode& record = program.schema[program.lists[node.list].element];
      for (int64_t i = 0; i < n && static_cast<size_t>(i) < var->list->elements.size(); ++i) {
        out += i > 0 ? ", {" : "{";
        for (uint32_t child : record.children) {
          JsonNode(program, child, fmt::format("{}[{}]", path, i), eval, out);
        }
        out += "}";
      }
    }
    out += "]";
    return;
  }
  out += FormatValue(*var, eval);
}

auto RequestSpace::ModelJson(const z3::model& model) -> std::string {
  return ModelJson([&](const z3::expr& e) { return model.eval(e, true); });
}

auto RequestSpace::ModelJson(const Valuation& eval) -> std::string {
  std::string out = "{";
  const ir::Program& program = *programs_.front();
  if (!program.schema.empty()) {
    for (uint32_t child : program.schema[0].children) JsonNode(program, child, "", eval, out);
  }
  return out + "}";
}

void RequestSpace::FixDatum(const ir::Program& program, SlotVar* var, const ir::Datum& d,
                            std::vector<Fixed>& out) {
  z3::context& c = ctx_;
  if (var == nullptr) return;
  auto fix = [&](const z3::expr& symbol, const z3::expr& value) {
    out.push_back(Fixed{var, symbol, value});
  };
  if (!d.present) {
    if (var->own.is_const() && !var->own.is_true()) fix(var->own, c.bool_val(false));
    return;
  }
  if (var->own.is_const() && !var->own.is_true()) fix(var->own, c.bool_val(true));
  switch (var->kind) {
    case ir::Kind::kBool:
      // A presence slot's value is its own presence (under its parent's), fixed above.
      if (!var->node->is_record) fix(var->symbol, c.bool_val(d.bits != 0));
      break;
    case ir::Kind::kNumber:
      if (var->node->integer || var->node->duration) {
        Number count;
        if (Divide(d.number, var->node->scale, count) != ArithmeticStatus::kOk ||
            !count.is_integer()) {
          throw std::runtime_error(fmt::format("`{}` is not a whole number", var->path));
        }
        fix(var->symbol, c.int_val(FormatInt128(count.num).c_str()));
      } else {
        fix(var->symbol, ToZ3(c, d.number));
      }
      break;
    case ir::Kind::kDate:
    case ir::Kind::kCountry:
    case ir::Kind::kEnum:
      fix(var->symbol, c.int_val(d.bits));
      break;
    case ir::Kind::kText:
      fix(var->symbol, c.int_val(texts_.Id(d.text.view())));
      break;
    case ir::Kind::kCountrySet:
    case ir::Kind::kEnumSet: {
      z3::expr array = z3::const_array(c.int_sort(), c.bool_val(false));
      if (var->kind == ir::Kind::kCountrySet) {
        const auto* set = static_cast<const ir::CountrySet*>(d.set);
        for (int i = 0; set != nullptr && i < kCountrySlots; ++i) {
          if (set->Has(static_cast<uint32_t>(i))) array = z3::store(array, i, c.bool_val(true));
        }
      } else {
        for (int i = 0; i < 64; ++i) {
          if ((static_cast<uint64_t>(d.bits) >> i) & 1) {
            array = z3::store(array, i, c.bool_val(true));
          }
        }
      }
      fix(var->symbol, array);
      break;
    }
    case ir::Kind::kTextSet: {
      z3::expr array = z3::const_array(c.int_sort(), c.bool_val(false));
      if (d.set != nullptr) {
        for (std::string_view t : static_cast<const ir::TextSet*>(d.set)->sorted) {
          array = z3::store(array, texts_.Id(t), c.bool_val(true));
        }
      }
      fix(var->symbol, array);
      break;
    }
    case ir::Kind::kList: {
      const auto* list = static_cast<const ir::List*>(d.set);
      uint32_t count = list == nullptr ? 0 : list->count;
      if (var->list == nullptr || count > var->list->elements.size()) {
        throw std::runtime_error(
            fmt::format("`{}` has {} elements, more than the {} the analysis explores", var->path,
                        count, var->list == nullptr ? 0 : var->list->elements.size()));
      }
      if (var->list->length.is_const() && !var->list->length.is_numeral()) {
        fix(var->list->length, c.int_val(static_cast<int>(count)));
      }
      for (uint32_t i = 0; i < count; ++i) {
        const ElementVar& element = *var->list->elements[i];
        for (uint32_t s = 0; s < element.slots.size() && s < list->stride; ++s) {
          FixDatum(program, element.slots[s], list->items[size_t{i} * list->stride + s], out);
        }
      }
      break;
    }
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      break;
  }
}

auto RequestSpace::Fix(const ir::Program& program, std::span<const ir::Datum> request)
    -> std::vector<Fixed> {
  std::vector<Fixed> out;
  for (ir::SlotId s = 0; s < request.size() && s < program.slot_count; ++s) {
    FixDatum(program, SlotPath(program, s), request[s], out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering IR values as a reader writes them.

namespace {

auto StripRequest(std::string s) -> std::string {
  if (s.starts_with("request.")) s = s.substr(8);
  return s;
}

// The schema node a Slot or ElemField reads, for its unit.
auto NodeOf(const ir::Program& program, ir::ValueId id) -> const ir::SchemaNode* {
  const ir::Value& v = program.values[id];
  if (v.op == ir::Op::kUnwrap || v.op == ir::Op::kOtherwise) return NodeOf(program, v.a);
  if (v.op == ir::Op::kSlot) {
    for (const ir::SchemaNode& n : program.schema) {
      if (!n.is_record && n.slot == v.a) return &n;
    }
  }
  return nullptr;
}

auto Render(const ir::Program& program, ir::ValueId id, int depth) -> std::string;

auto RenderOperand(const ir::Program& program, ir::ValueId id, int depth) -> std::string {
  const ir::Value& v = program.values[id];
  std::string s = Render(program, id, depth);
  bool compound =
      v.label.empty() && (v.op == ir::Op::kAnd || v.op == ir::Op::kOr || v.op == ir::Op::kAdd ||
                          v.op == ir::Op::kSub || v.op == ir::Op::kOtherwise);
  return compound ? "(" + s + ")" : s;
}

auto Render(const ir::Program& program, ir::ValueId id, int depth) -> std::string {
  const ir::Value& v = program.values[id];
  if (!v.label.empty()) return StripRequest(v.label);
  if (depth > 24) return "…";
  auto sub = [&](ir::ValueId x) { return RenderOperand(program, x, depth + 1); };
  auto binary = [&](std::string_view op) {
    return fmt::format("{} {} {}", sub(v.a), op, sub(v.b));
  };
  switch (v.op) {
    case ir::Op::kConst:
      return ir::FormatDatum(program, program.constants[v.a], v.enum_id);
    case ir::Op::kSlot:
      if (const ir::SchemaNode* n = NodeOf(program, id)) return n->name;
      return fmt::format("field {}", v.a);
    case ir::Op::kRowField: {
      std::string row = sub(v.a);
      const ir::Value& r = program.values[v.a];
      std::string column = fmt::format("column {}", v.b);
      if ((r.op == ir::Op::kTableFind || r.op == ir::Op::kTableNear || r.op == ir::Op::kUnwrap)) {
        const ir::Value& t = r.op == ir::Op::kUnwrap ? program.values[r.a] : r;
        if (t.op != ir::Op::kUnwrap && t.b < program.tables.size() &&
            v.b < program.tables[t.b].columns.size()) {
          column = program.tables[t.b].columns[v.b].name;
        }
      }
      return fmt::format("{}.{}", row, column);
    }
    case ir::Op::kIsSome:
      return fmt::format("{} is given", sub(v.a));
    case ir::Op::kUnwrap:
      return Render(program, v.a, depth + 1);
    case ir::Op::kOtherwise:
      return binary("otherwise");
    case ir::Op::kNot:
      return "not " + sub(v.a);
    case ir::Op::kAnd:
      return binary("and");
    case ir::Op::kOr:
      return binary("or");
    case ir::Op::kNeg:
      return "-" + sub(v.a);
    case ir::Op::kAdd:
    case ir::Op::kDateAddDays:
      return binary("+");
    case ir::Op::kSub:
    case ir::Op::kDateSubDays:
    case ir::Op::kDateDiff:
      return binary("-");
    case ir::Op::kMul:
      return binary("×");
    case ir::Op::kDiv:
      return binary("/");
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kIn:
      return binary(ir::ComparisonSymbol(v.op));
    case ir::Op::kUnion:
      return binary("+");
    case ir::Op::kDifference:
      return binary("-");
    case ir::Op::kTableHas:
      return fmt::format("{} in {}", sub(v.a),
                         v.b < program.tables.size() ? program.tables[v.b].name : "a table");
    case ir::Op::kTableFind:
      return fmt::format("{}({})", v.b < program.tables.size() ? program.tables[v.b].name : "?",
                         Render(program, v.a, depth + 1));
    case ir::Op::kTableNear:
      return fmt::format("near({}, {})",
                         v.b < program.tables.size() ? program.tables[v.b].name : "?",
                         Render(program, v.a, depth + 1));
    case ir::Op::kYear:
      return fmt::format("year({})", Render(program, v.a, depth + 1));
    case ir::Op::kIf: {
      const ir::Value& pair = program.values[v.b];
      return fmt::format("if {} then {} else {}", sub(v.a), sub(pair.a), sub(pair.b));
    }
    case ir::Op::kElse:
      return binary("else");
    case ir::Op::kAsOf:
      return "as_of";
    case ir::Op::kBinder:
      return "each of " + sub(v.a);
    case ir::Op::kElemField: {
      const ir::Value& binder = program.values[v.a];
      std::string name = fmt::format("field {}", v.b);
      if (binder.op == ir::Op::kBinder) {
        const ir::Value& list = program.values[binder.a];
        if (list.enum_id < program.lists.size()) {
          const ir::SchemaNode& record = program.schema[program.lists[list.enum_id].element];
          for (uint32_t child : record.children) {
            if (program.schema[child].slot == v.b) name = program.schema[child].name;
          }
        }
      }
      return name;
    }
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax: {
      const ir::Value& binder = program.values[v.a];
      return fmt::format("{}({}: {})", ir::OpName(v.op), Render(program, binder.a, depth + 1),
                         Render(program, v.b, depth + 1));
    }
    case ir::Op::kTooDeep:
      return "…";
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
      return fmt::format("{}({})", ir::OpName(v.op), Render(program, v.a, depth + 1));
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
    case ir::Op::kReplace:
    case ir::Op::kWith:
      return fmt::format("{}({}, {})", ir::OpName(v.op), Render(program, v.a, depth + 1),
                         Render(program, v.b, depth + 1));
  }
  return "?";
}

}  // namespace

auto RenderValue(const ir::Program& program, ir::ValueId id) -> std::string {
  const ir::Value& v = program.values[id];
  // A comparison of a field with a number: the number in the field's declared unit.
  if ((v.op == ir::Op::kLt || v.op == ir::Op::kLe || v.op == ir::Op::kGt || v.op == ir::Op::kGe ||
       v.op == ir::Op::kEq || v.op == ir::Op::kNe) &&
      program.values[v.b].op == ir::Op::kConst &&
      program.constants[program.values[v.b].a].kind == ir::Kind::kNumber) {
    if (const ir::SchemaNode* node = NodeOf(program, v.a)) {
      Number json;
      if (Divide(program.constants[program.values[v.b].a].number, node->scale, json) ==
          ArithmeticStatus::kOk) {
        std::string unit = UnitText(*node);
        return fmt::format("{} {} {}{}", Render(program, v.a, 0), ir::ComparisonSymbol(v.op),
                           FormatNumber(json), unit.empty() ? "" : " " + unit);
      }
    }
  }
  std::string s = Render(program, id, 0);
  if (s.size() > 600) s = s.substr(0, 597) + "…";
  return s;
}

// ---------------------------------------------------------------------------------------------
// The encoder.

namespace {

struct Env {
  const Env* parent = nullptr;
  ir::ValueId binder = ir::kNoId;
  const ElementVar* element = nullptr;
};

class Encoder {
 public:
  Encoder(RequestSpace& space, const ir::Program& program)
      : space_(space),
        c_(space.ctx()),
        program_(program),
        inner_(ir::ElementDependent(program)),
        day_(space.day()) {
    for (const ir::Table& table : program.tables) {
      tables_.push_back(std::make_unique<ir::TableData>(table, table.rows));
    }
    lookups_.Resize(0, program.tables.size(), program.name_rule_sets());
    if (program.reviewed) {
      z3::expr rev = c_.int_val(*program.reviewed);
      day_ = z3::ite(space.day() > rev, rev, space.day());
      past_grace_ = space.day() - rev > c_.int_val(program.review_grace_days);
    }
  }

  auto Decide() -> DecisionTerms;

 private:
  auto Eval(ir::ValueId id, const Env* env) -> const Sym&;
  auto Compute(ir::ValueId id, const Env* env) -> Sym;
  auto FromDatum(const ir::Datum& d, ir::EnumId enum_id) -> Sym;
  auto FromSlot(const SlotVar* var, const ir::Value& v, bool as_of) -> Sym;
  auto Lookup(const ir::Value& v, const Sym& key) -> Sym;
  auto Uninterpreted(std::string_view name, const std::vector<const Sym*>& args, ir::Kind kind)
      -> Sym;
  void Atoms(ir::ValueId id, std::vector<ir::ValueId>& out, std::vector<bool>& seen);

  RequestSpace& space_;
  z3::context& c_;
  const ir::Program& program_;
  std::vector<bool> inner_;
  z3::expr day_;
  std::optional<z3::expr> past_grace_;
  std::vector<std::unique_ptr<ir::TableData>> tables_;
  ir::FieldLookups lookups_;
  std::map<std::pair<ir::ValueId, const Env*>, Sym> memo_;
  std::deque<Env> envs_;
  std::map<std::pair<ir::TableId, bool>, std::vector<std::pair<int, int64_t>>> found_;
};

auto Encoder::FromDatum(const ir::Datum& d, ir::EnumId /*enum_id*/) -> Sym {
  Sym s(c_);
  s.kind = d.kind;
  s.present = c_.bool_val(d.present);
  switch (d.kind) {
    case ir::Kind::kBool:
      s.v = c_.bool_val(d.bits != 0);
      break;
    case ir::Kind::kNumber:
      s.v = ToZ3(c_, d.number);
      break;
    case ir::Kind::kDate:
    case ir::Kind::kCountry:
    case ir::Kind::kEnum:
      s.v = c_.int_val(d.bits);
      break;
    case ir::Kind::kText:
      s.v = c_.int_val(space_.texts().Id(d.text.view()));
      break;
    case ir::Kind::kCountrySet: {
      const auto* set = static_cast<const ir::CountrySet*>(d.set);
      std::vector<int> members;
      for (int i = 0; set != nullptr && i < kCountrySlots; ++i) {
        if (set->Has(static_cast<uint32_t>(i))) members.push_back(i);
      }
      z3::context* c = &c_;
      s.has = [members, c](const z3::expr& x) {
        z3::expr_vector any(*c);
        for (int m : members) any.push_back(x == m);
        return z3::mk_or(any);
      };
      break;
    }
    case ir::Kind::kEnumSet: {
      auto bits = static_cast<uint64_t>(d.bits);
      z3::context* c = &c_;
      s.has = [bits, c](const z3::expr& x) {
        z3::expr_vector any(*c);
        for (int i = 0; i < 64; ++i) {
          if ((bits >> i) & 1) any.push_back(x == i);
        }
        return z3::mk_or(any);
      };
      break;
    }
    case ir::Kind::kTextSet: {
      std::vector<int> members;
      if (d.set != nullptr) {
        for (std::string_view t : static_cast<const ir::TextSet*>(d.set)->sorted) {
          members.push_back(space_.texts().Id(t));
        }
      }
      z3::context* c = &c_;
      s.has = [members, c](const z3::expr& x) {
        z3::expr_vector any(*c);
        for (int m : members) any.push_back(x == m);
        return z3::mk_or(any);
      };
      break;
    }
    case ir::Kind::kList: {
      static const ListVar* empty = nullptr;
      (void)empty;
      s.list = nullptr;  // a constant list is the empty list
      s.v = c_.int_val(0);
      break;
    }
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      s.ok = c_.bool_val(false);
      break;
  }
  return s;
}

auto Encoder::FromSlot(const SlotVar* var, const ir::Value& v, bool as_of) -> Sym {
  Sym s(c_);
  s.kind = v.kind;
  if (var == nullptr) {
    s.ok = c_.bool_val(false);
    return s;
  }
  s.v = as_of ? day_ : var->value;
  s.present = var->present;
  if (var->kind == ir::Kind::kCountrySet || var->kind == ir::Kind::kEnumSet ||
      var->kind == ir::Kind::kTextSet) {
    z3::expr array = var->value;
    s.has = [array](const z3::expr& x) { return z3::select(array, x); };
  }
  if (var->kind == ir::Kind::kList) {
    s.list = var->list;
    s.v = var->list != nullptr ? var->list->length : c_.int_val(0);
  }
  // A required value that is missing fails the rule (the decoder never lets one through).
  if (!v.optional) s.ok = var->present;
  return s;
}

auto Encoder::Uninterpreted(std::string_view name, const std::vector<const Sym*>& args,
                            ir::Kind kind) -> Sym {
  Sym s(c_);
  s.kind = kind;
  s.approximate = true;
  z3::sort_vector domain(c_);
  z3::expr_vector values(c_);
  z3::expr ok = c_.bool_val(true);
  for (const Sym* a : args) {
    if (a->has) {
      // A set as an operand: nothing to apply a function to; a fresh value of no inputs.
      continue;
    }
    domain.push_back(a->v.get_sort());
    values.push_back(a->v);
    ok = ok && a->ok;
  }
  z3::sort range = kind == ir::Kind::kBool     ? c_.bool_sort()
                   : kind == ir::Kind::kNumber ? c_.real_sort()
                                               : c_.int_sort();
  std::string fname = fmt::format("{}#{}", name, values.size());
  z3::func_decl f = c_.function(fname.c_str(), domain, range);
  s.v = f(values);
  s.ok = ok;
  return s;
}

auto Encoder::Lookup(const ir::Value& v, const Sym& key) -> Sym {
  Sym s(c_);
  s.kind = v.kind;
  s.ok = key.ok && key.present;
  const ir::TableId t = v.b;
  const bool near = v.op == ir::Op::kTableNear;
  const ir::TableData& data = *tables_[t];
  const ir::Table& schema = program_.tables[t];
  z3::expr row = c_.int_val(-1);
  if (key.kind == ir::Kind::kText) {
    // Which known texts the table finds, computed once with the runtime's own lookup.
    auto [it, fresh] = found_.try_emplace({t, near});
    if (fresh) {
      const auto& known = space_.texts().known;
      for (size_t i = 0; i < known.size(); ++i) {
        lookups_.Start();
        int64_t r = -1;
        if (schema.normalized) {
          r = lookups_.Find(data, t, ir::FieldLookups::kNoField, known[i], near);
        } else {
          ir::Datum d{.kind = ir::Kind::kText, .text = ir::TextView(known[i])};
          r = data.Find(d);
        }
        if (r >= 0) it->second.emplace_back(static_cast<int>(i), r);
      }
    }
    for (auto [id, r] : it->second) row = z3::ite(key.v == id, c_.int_val(r), row);
  } else {
    const ir::Rows& rows = data.rows();
    for (size_t r = rows.size(); r-- > 0;) {
      Sym cell = FromDatum(rows[r][0], ir::kNoId);
      if (!rows[r][0].present) continue;
      if (cell.has) continue;
      row = z3::ite(key.v == cell.v, c_.int_val(static_cast<int64_t>(r)), row);
    }
  }
  if (v.op == ir::Op::kTableHas) {
    s.v = row >= 0;
  } else {
    s.table = t;
    s.v = row;
    s.present = row >= 0;
  }
  return s;
}

auto Encoder::Eval(ir::ValueId id, const Env* env) -> const Sym& {
  const Env* key_env = inner_[id] ? env : nullptr;
  auto it = memo_.find({id, key_env});
  if (it != memo_.end()) return it->second;
  Sym s = Compute(id, env);
  return memo_.emplace(std::make_pair(id, key_env), std::move(s)).first->second;
}

auto Encoder::Compute(ir::ValueId id, const Env* env) -> Sym {
  const ir::Value& v = program_.values[id];
  Sym s(c_);
  s.kind = v.kind;
  auto approx = [&](std::initializer_list<const Sym*> xs) {
    for (const Sym* x : xs) s.approximate = s.approximate || x->approximate;
  };
  switch (v.op) {
    case ir::Op::kConst:
      return FromDatum(program_.constants[v.a], v.enum_id);
    case ir::Op::kSlot:
      return FromSlot(space_.SlotPath(program_, v.a), v,
                      v.a == program_.as_of_slot && program_.as_of_slot != ir::kNoId);
    case ir::Op::kRowField: {
      const Sym& row = Eval(v.a, env);
      s = Sym(c_);
      s.kind = v.kind;
      s.ok = row.ok;
      approx({&row});
      if (row.table >= tables_.size()) {
        s.ok = c_.bool_val(false);
        return s;
      }
      const ir::Rows& rows = tables_[row.table]->rows();
      std::vector<Sym> cells;
      for (size_t r = 0; r < rows.size(); ++r) cells.push_back(FromDatum(rows[r][v.b], v.enum_id));
      if (v.kind == ir::Kind::kCountrySet || v.kind == ir::Kind::kEnumSet ||
          v.kind == ir::Kind::kTextSet) {
        z3::expr index = row.v;
        s.has = [cells, index, this](const z3::expr& x) {
          z3::expr_vector any(c_);
          for (size_t r = 0; r < cells.size(); ++r) {
            any.push_back(index == static_cast<int>(r) && cells[r].has(x));
          }
          return z3::mk_or(any);
        };
        return s;
      }
      z3::expr value = cells.empty() ? s.v : cells.back().v;
      z3::expr present = c_.bool_val(false);
      for (size_t r = cells.size(); r-- > 0;) {
        value = z3::ite(row.v == static_cast<int>(r), cells[r].v, value);
        present = z3::ite(row.v == static_cast<int>(r), cells[r].present, present);
      }
      if (cells.empty()) {
        s.ok = c_.bool_val(false);
        return s;
      }
      s.v = value;
      s.present = present;
      return s;
    }
    case ir::Op::kIsSome: {
      const Sym& a = Eval(v.a, env);
      s.v = a.present;
      s.ok = a.ok;
      approx({&a});
      return s;
    }
    case ir::Op::kUnwrap: {
      s = Eval(v.a, env);
      s.ok = s.ok && s.present;
      s.present = c_.bool_val(true);
      s.kind = v.kind;
      return s;
    }
    case ir::Op::kOtherwise: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      s.ok = a.ok && (a.present || b.ok);
      s.present = a.present || b.present;
      if (a.has && b.has) {
        auto ha = a.has;
        auto hb = b.has;
        z3::expr pa = a.present;
        s.has = [ha, hb, pa](const z3::expr& x) { return z3::ite(pa, ha(x), hb(x)); };
      } else if (v.kind == ir::Kind::kList) {
        // `list otherwise []`: the list when given, else none.
        s.list = a.list;
        if (b.list != nullptr && b.list != a.list) {
          return Uninterpreted("otherwise_list", {&a, &b}, v.kind);
        }
        s.v = z3::ite(a.present, a.v, b.v);
      } else if (v.kind == ir::Kind::kRow) {
        if (a.table != b.table) return Uninterpreted("otherwise_row", {&a, &b}, v.kind);
        s.table = a.table;
        s.v = z3::ite(a.present, a.v, b.v);
      } else {
        s.v = z3::ite(a.present, a.v, b.v);
      }
      return s;
    }
    case ir::Op::kNot: {
      const Sym& a = Eval(v.a, env);
      s.v = !a.v;
      s.ok = a.ok;
      approx({&a});
      return s;
    }
    case ir::Op::kAnd:
    case ir::Op::kOr: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      if (v.op == ir::Op::kAnd) {
        s.v = a.v && b.v;
        s.ok = a.ok && (!a.v || b.ok);
      } else {
        s.v = a.v || b.v;
        s.ok = a.ok && (a.v || b.ok);
      }
      return s;
    }
    case ir::Op::kNeg: {
      const Sym& a = Eval(v.a, env);
      s.v = -a.v;
      s.ok = a.ok;
      approx({&a});
      return s;
    }
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      s.ok = a.ok && b.ok;
      switch (v.op) {
        case ir::Op::kAdd:
          s.v = a.v + b.v;
          break;
        case ir::Op::kSub:
          s.v = a.v - b.v;
          break;
        case ir::Op::kMul:
          s.v = a.v * b.v;
          break;
        default:
          s.ok = s.ok && b.v != c_.real_val(0);
          s.v = a.v / b.v;
          break;
      }
      return s;
    }
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      z3::expr days(c_, Z3_mk_real2int(c_, b.v));
      s.v = v.op == ir::Op::kDateAddDays ? a.v + days : a.v - days;
      s.ok = a.ok && b.ok && s.v >= kFirstDay && s.v <= kLastDay;
      return s;
    }
    case ir::Op::kDateDiff: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      s.v = z3::to_real(a.v - b.v);
      s.ok = a.ok && b.ok;
      return s;
    }
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      bool ordered_text = a.kind == ir::Kind::kText && v.op != ir::Op::kEq && v.op != ir::Op::kNe;
      if (a.has || b.has || ordered_text || a.kind == ir::Kind::kList || a.kind == ir::Kind::kRow) {
        // Texts in order, sets compared whole: a function of the operands.
        return Uninterpreted(ir::OpName(v.op), {&a, &b}, ir::Kind::kBool);
      }
      approx({&a, &b});
      s.ok = a.ok && b.ok;
      switch (v.op) {
        case ir::Op::kEq:
          s.v = a.v == b.v;
          break;
        case ir::Op::kNe:
          s.v = a.v != b.v;
          break;
        case ir::Op::kLt:
          s.v = a.v < b.v;
          break;
        case ir::Op::kLe:
          s.v = a.v <= b.v;
          break;
        case ir::Op::kGt:
          s.v = a.v > b.v;
          break;
        default:
          s.v = a.v >= b.v;
          break;
      }
      return s;
    }
    case ir::Op::kIn: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      s.ok = a.ok && b.ok;
      if (!b.has) return Uninterpreted("in", {&a, &b}, ir::Kind::kBool);
      s.v = b.has(a.v);
      return s;
    }
    case ir::Op::kUnion:
    case ir::Op::kDifference: {
      const Sym& a = Eval(v.a, env);
      const Sym& b = Eval(v.b, env);
      approx({&a, &b});
      s.ok = a.ok && b.ok;
      if (!a.has || !b.has) return Uninterpreted("set", {&a, &b}, ir::Kind::kBool);
      auto ha = a.has;
      auto hb = b.has;
      if (v.op == ir::Op::kUnion) {
        s.has = [ha, hb](const z3::expr& x) { return ha(x) || hb(x); };
      } else {
        s.has = [ha, hb](const z3::expr& x) { return ha(x) && !hb(x); };
      }
      return s;
    }
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear: {
      const Sym& key = Eval(v.a, env);
      Sym out = Lookup(v, key);
      out.approximate = key.approximate;
      return out;
    }
    case ir::Op::kYear: {
      const Sym& a = Eval(v.a, env);
      approx({&a});
      s.ok = a.ok;
      // Exact within the analysed years, a function of the day outside them.
      z3::func_decl other = c_.function("year#outside", c_.int_sort(), c_.real_sort());
      z3::expr y = other(a.v);
      for (int year = kLastAnalysedYear; year >= kFirstAnalysedYear; --year) {
        y = z3::ite(a.v >= DayOf(year, 1, 1) && a.v <= DayOf(year, 12, 31), c_.real_val(year), y);
      }
      s.v = y;
      return s;
    }
    case ir::Op::kIf: {
      const Sym& cond = Eval(v.a, env);
      const ir::Value& pair = program_.values[v.b];
      const Sym& t = Eval(pair.a, env);
      const Sym& e = Eval(pair.b, env);
      approx({&cond, &t, &e});
      s.ok = cond.ok && z3::ite(cond.v, t.ok, e.ok);
      s.present = z3::ite(cond.v, t.present, e.present);
      if (t.has && e.has) {
        auto ht = t.has;
        auto he = e.has;
        z3::expr cv = cond.v;
        s.has = [ht, he, cv](const z3::expr& x) { return z3::ite(cv, ht(x), he(x)); };
      } else if (v.kind == ir::Kind::kList || v.kind == ir::Kind::kRow) {
        if (t.list != e.list || t.table != e.table) {
          return Uninterpreted("if", {&cond, &t, &e}, v.kind);
        }
        s.list = t.list;
        s.table = t.table;
        s.v = z3::ite(cond.v, t.v, e.v);
      } else {
        s.v = z3::ite(cond.v, t.v, e.v);
      }
      return s;
    }
    case ir::Op::kElse:
    case ir::Op::kWith:
      s.ok = c_.bool_val(false);
      return s;
    case ir::Op::kAsOf:
      s.v = day_;
      return s;
    case ir::Op::kBinder: {
      for (const Env* e = env; e != nullptr; e = e->parent) {
        if (e->binder == id) {
          s.kind = ir::Kind::kElement;
          s.element = e->element;
          return s;
        }
      }
      s.ok = c_.bool_val(false);
      return s;
    }
    case ir::Op::kElemField: {
      const Sym& binder = Eval(v.a, env);
      if (binder.element == nullptr || v.b >= binder.element->slots.size()) {
        s.ok = c_.bool_val(false);
        return s;
      }
      Sym out = FromSlot(binder.element->slots[v.b], v, false);
      out.ok = out.ok && binder.ok;
      return out;
    }
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax: {
      const ir::Value& binder = program_.values[v.a];
      const Sym& list = Eval(binder.a, env);
      approx({&list});
      s.ok = list.ok;
      const bool boolean = v.op == ir::Op::kAny || v.op == ir::Op::kAll;
      z3::expr acc = v.op == ir::Op::kAny   ? c_.bool_val(false)
                     : v.op == ir::Op::kAll ? c_.bool_val(true)
                                            : c_.real_val(0);
      z3::expr decided = c_.bool_val(false);  // any/all: an element settled it
      z3::expr some = c_.bool_val(false);     // min/max: an element was seen
      size_t n = list.list != nullptr ? list.list->elements.size() : 0;
      for (size_t i = 0; i < n; ++i) {
        envs_.push_back(Env{.parent = env, .binder = v.a, .element = list.list->elements[i].get()});
        const Sym& x = Eval(v.b, &envs_.back());
        approx({&x});
        z3::expr active = list.v > static_cast<int>(i);
        z3::expr reach = active && !decided;
        s.ok = s.ok && z3::implies(reach, x.ok);
        switch (v.op) {
          case ir::Op::kAny:
            acc = z3::ite(reach && x.v, c_.bool_val(true), acc);
            decided = decided || (reach && x.v);
            break;
          case ir::Op::kAll:
            acc = z3::ite(reach && !x.v, c_.bool_val(false), acc);
            decided = decided || (reach && !x.v);
            break;
          case ir::Op::kCount:
            acc = acc + z3::ite(active && x.v, c_.real_val(1), c_.real_val(0));
            break;
          case ir::Op::kSum:
            acc = acc + z3::ite(active, x.v, c_.real_val(0));
            break;
          default: {
            z3::expr better = v.op == ir::Op::kMin ? x.v < acc : x.v > acc;
            acc = z3::ite(active && (!some || better), x.v, acc);
            some = some || active;
            break;
          }
        }
      }
      (void)boolean;
      s.v = acc;
      if (v.op == ir::Op::kMin || v.op == ir::Op::kMax) s.present = some;
      return s;
    }
    case ir::Op::kTooDeep:
      s.ok = c_.bool_val(false);
      return s;
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith: {
      const Sym& a = Eval(v.a, env);
      if (ir::TakesValueB(v.op)) {
        const Sym& b = Eval(v.b, env);
        return Uninterpreted(ir::OpName(v.op), {&a, &b}, v.kind);
      }
      return Uninterpreted(ir::OpName(v.op), {&a}, v.kind);
    }
    case ir::Op::kReplace: {
      const Sym& a = Eval(v.a, env);
      const ir::Value& with = program_.values[v.b];
      const Sym& from = Eval(with.a, env);
      const Sym& to = Eval(with.b, env);
      return Uninterpreted("replace", {&a, &from, &to}, v.kind);
    }
  }
  s.ok = c_.bool_val(false);
  return s;
}

// The Boolean leaves of a condition: what a region is described by.
void Encoder::Atoms(ir::ValueId id, std::vector<ir::ValueId>& out, std::vector<bool>& seen) {
  if (seen[id]) return;
  seen[id] = true;
  const ir::Value& v = program_.values[id];
  switch (v.op) {
    // Conjuncts only: a disjunction stays one condition ("hq in D:5 or parent in D:5"), so a
    // region is not cut into a piece per way of satisfying it.
    case ir::Op::kAnd:
      Atoms(v.a, out, seen);
      Atoms(v.b, out, seen);
      return;
    case ir::Op::kConst:
      return;
    default:
      break;
  }
  if (v.kind == ir::Kind::kBool && !inner_[id]) out.push_back(id);
}

auto Encoder::Decide() -> DecisionTerms {
  DecisionTerms d{.error = c_.bool_val(false), .outcome = c_.int_val(0)};
  const int lowest = program_.outcomes.empty() ? 0 : static_cast<int>(program_.outcomes.size()) - 1;
  z3::expr outcome = c_.int_val(lowest);
  z3::expr error = past_grace_ ? *past_grace_ : c_.bool_val(false);
  std::vector<ir::ValueId> atoms;  // each once, for the whole program
  std::map<ir::ValueId, size_t> atom_index;
  auto rule_atoms = [&](const ir::Rule& rule) {
    std::vector<ir::ValueId> mine;
    std::vector<bool> seen(program_.values.size(), false);
    Atoms(rule.when, mine, seen);
    for (const ir::Exception& e : rule.unless) Atoms(e.condition, mine, seen);
    std::vector<size_t> out;
    for (ir::ValueId a : mine) {
      auto [it, fresh] = atom_index.try_emplace(a, atoms.size());
      if (fresh) atoms.push_back(a);
      out.push_back(it->second);
    }
    return out;
  };
  for (ir::RuleId r = 0; r < program_.rules.size(); ++r) {
    const ir::Rule& rule = program_.rules[r];
    z3::expr in_force = c_.bool_val(true);
    if (rule.effective) in_force = in_force && day_ >= *rule.effective;
    if (rule.until) in_force = in_force && day_ < *rule.until;
    in_force = in_force.simplify();
    const Sym& when = Eval(rule.when, nullptr);
    RuleTerms t{.in_force = in_force,
                .fires = c_.bool_val(false),
                .fails = in_force && !when.ok,
                .when = in_force && when.ok && when.v,
                .outcome = c_.int_val(static_cast<int>(rule.outcome))};
    t.approximate = when.approximate;
    z3::expr going = t.when;  // reached the next `unless` without an error or an exception
    z3::expr chosen_outcome = c_.int_val(static_cast<int>(rule.outcome));
    std::vector<z3::expr> branch;  // per exception: it applied
    for (uint32_t k = 0; k < rule.unless.size(); ++k) {
      const Sym& u = Eval(rule.unless[k].condition, nullptr);
      t.approximate = t.approximate || u.approximate;
      t.reached.push_back(going);
      t.fails = t.fails || (going && !u.ok);
      z3::expr taken = going && u.ok && u.v;
      t.taken.push_back(taken);
      branch.push_back(taken);
      going = going && u.ok && !u.v;
    }
    // The message holes of the branch chosen must evaluate too.
    auto holes_ok = [&](const std::vector<ir::MessageHole>& holes) {
      z3::expr ok = c_.bool_val(true);
      for (const ir::MessageHole& h : holes) ok = ok && Eval(h.value, nullptr).ok;
      return ok;
    };
    z3::expr fires = going && holes_ok(rule.holes);
    t.fails = t.fails || (going && !holes_ok(rule.holes));
    for (uint32_t k = 0; k < rule.unless.size(); ++k) {
      z3::expr ok = holes_ok(rule.unless[k].holes);
      fires = fires || (branch[k] && ok);
      t.fails = t.fails || (branch[k] && !ok);
      chosen_outcome =
          z3::ite(branch[k], c_.int_val(static_cast<int>(rule.unless[k].outcome)), chosen_outcome);
    }
    t.fires = fires;
    t.outcome = chosen_outcome;
    t.atoms = rule_atoms(rule);
    d.approximate = d.approximate || t.approximate;
    error = error || t.fails;
    if (rule.requirement) {
      error = error || t.fires;
    } else {
      outcome = z3::ite(t.fires && t.outcome < outcome, t.outcome, outcome);
    }
    d.rules.push_back(std::move(t));
  }
  d.error = error;
  d.outcome = outcome;
  for (ir::ValueId a : atoms) {
    const Sym& s = Eval(a, nullptr);
    d.atoms.push_back(s.v);
    d.atom_texts.push_back(RenderValue(program_, a));
  }
  // The days the rules come into and go out of force, as atoms too.
  for (size_t r = 0; r < program_.rules.size(); ++r) {
    const ir::Rule& rule = program_.rules[r];
    if (rule.effective) {
      d.rules[r].atoms.push_back(d.atoms.size());
      d.atoms.push_back(day_ >= *rule.effective);
      d.atom_texts.push_back("as_of ≥ " + FormatDate(*rule.effective));
    }
    if (rule.until) {
      d.rules[r].atoms.push_back(d.atoms.size());
      d.atoms.push_back(day_ >= *rule.until);
      d.atom_texts.push_back("as_of ≥ " + FormatDate(*rule.until));
    }
  }
  if (past_grace_) {
    d.atoms.push_back(*past_grace_);
    d.atom_texts.push_back(fmt::format("as_of > {} (past the review date and its grace)",
                                       FormatDate(*program_.reviewed)));
  }
  return d;
}

}  // namespace

auto EncodeDecision(RequestSpace& space, const ir::Program& program) -> DecisionTerms {
  Encoder encoder(space, program);
  return encoder.Decide();
}

}  // namespace cordon::analyze
