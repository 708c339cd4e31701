// SPDX-License-Identifier: Apache-2.0
// Names of IR enums and the text form of a Program (`cordon compile --phase=ir`).
#include "runtime/ir/ir.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "runtime/base/countries.h"

namespace cordon::ir {

auto KindName(Kind kind) -> const char* {
  switch (kind) {
    case Kind::kBool:
      return "bool";
    case Kind::kNumber:
      return "number";
    case Kind::kDate:
      return "date";
    case Kind::kCountry:
      return "country";
    case Kind::kEnum:
      return "enum";
    case Kind::kText:
      return "text";
    case Kind::kCountrySet:
      return "set<country>";
    case Kind::kEnumSet:
      return "set<enum>";
    case Kind::kTextSet:
      return "set<text>";
    case Kind::kRow:
      return "row";
    case Kind::kList:
      return "list";
    case Kind::kElement:
      return "element";
  }
  return "?";
}

auto OpName(Op op) -> const char* {
  switch (op) {
#define CORDON_OP(Name, text, operands) \
  case Op::k##Name:                     \
    return text;
#include "runtime/ir/ops.def"
  }
  return "?";
}

auto OperandsOf(Op op) -> Operands {
  switch (op) {
#define CORDON_OP(Name, text, operands) \
  case Op::k##Name:                     \
    return Operands::operands;
#include "runtime/ir/ops.def"
  }
  return Operands::kTwo;
}

auto Program::AddText(std::string_view text) -> std::string_view {
  texts.emplace_back(text);
  return texts.back();
}

namespace {

auto Quote(std::string_view text) -> std::string {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

auto LookupKeySlot(const Program& program, ValueId key) -> SlotId {
  const Value* v = &program.values[key];
  if (v->op == Op::kUnwrap) v = &program.values[v->a];
  return v->op == Op::kSlot && v->kind == Kind::kText ? v->a : kNoId;
}

auto LookupKeyField(const Program& program, const std::vector<SlotId>& slots, ValueId key)
    -> uint32_t {
  SlotId slot = LookupKeySlot(program, key);
  auto it = std::find(slots.begin(), slots.end(), slot);
  return slot == kNoId || it == slots.end() ? kNoId : static_cast<uint32_t>(it - slots.begin());
}

auto LookupKeySlots(const Program& program) -> std::vector<SlotId> {
  std::vector<SlotId> slots;
  for (const Value& v : program.values) {
    if (v.op != Op::kTableFind && v.op != Op::kTableHas && v.op != Op::kTableNear) continue;
    SlotId slot = LookupKeySlot(program, v.a);
    if (slot == kNoId) continue;
    if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
  }
  return slots;
}

auto MessageHoleStarts(const Program& program) -> std::vector<uint32_t> {
  std::vector<uint32_t> starts;
  starts.reserve(program.rules.size());
  uint32_t at = 0;
  for (const Rule& rule : program.rules) {
    starts.push_back(at);
    at += static_cast<uint32_t>(rule.holes.size());
    for (const Exception& e : rule.unless) at += static_cast<uint32_t>(e.holes.size());
  }
  return starts;
}

auto MessageHoleCount(const Program& program) -> uint32_t {
  uint32_t count = 0;
  for (const Rule& rule : program.rules) {
    count += static_cast<uint32_t>(rule.holes.size());
    for (const Exception& e : rule.unless) count += static_cast<uint32_t>(e.holes.size());
  }
  return count;
}

auto FillMessage(const Program& program, std::string_view message,
                 std::span<const MessageHole> holes, std::span<const Datum> values) -> std::string {
  std::string out;
  size_t at = 0;
  for (size_t i = 0; i < holes.size(); ++i) {
    out.append(message.substr(at, holes[i].begin - at));
    const Datum& d = values[i];
    if (d.kind == Kind::kText) {
      out.append(d.text.view());
    } else {
      out += FormatDatum(program, d, program.values[holes[i].value].enum_id);
      if (!holes[i].unit.empty()) out += " " + holes[i].unit;
    }
    at = holes[i].end;
  }
  out.append(message.substr(at));
  return out;
}

auto ReadsDay(const Program& program) -> bool {
  if (program.reviewed || program.as_of_slot != kNoId) return true;
  for (const Rule& rule : program.rules) {
    if (rule.effective || rule.until) return true;
  }
  return std::any_of(program.values.begin(), program.values.end(),
                     [](const Value& v) { return v.op == Op::kAsOf; });
}

auto ElementDependent(const Program& program) -> std::vector<bool> {
  // The binders each value depends on; few values have any, and those few.
  std::vector<std::vector<ValueId>> binders(program.values.size());
  auto merge = [](std::vector<ValueId>& into, const std::vector<ValueId>& from, ValueId except) {
    for (ValueId b : from) {
      if (b != except && std::find(into.begin(), into.end(), b) == into.end()) into.push_back(b);
    }
  };
  std::vector<bool> out(program.values.size(), false);
  for (ValueId id = 0; id < program.values.size(); ++id) {
    const Value& v = program.values[id];
    std::vector<ValueId>& mine = binders[id];
    if (v.op == Op::kBinder) mine.push_back(id);
    if (IsQuantifier(v.op)) {
      merge(mine, binders[program.values[v.a].a], kNoId);  // the list's
      merge(mine, binders[v.b], v.a);                      // the body's, but its own element's
    } else {
      if (TakesValueA(v.op)) merge(mine, binders[v.a], kNoId);
      if (TakesValueB(v.op)) merge(mine, binders[v.b], kNoId);
    }
    out[id] = !mine.empty();
  }
  return out;
}

auto FormatDatum(const Program& program, const Datum& datum, EnumId enum_id) -> std::string {
  if (!datum.present) return "none";
  auto enum_value = [&](int64_t ordinal) -> std::string {
    if (enum_id < program.enums.size() &&
        static_cast<size_t>(ordinal) < program.enums[enum_id].values.size()) {
      return program.enums[enum_id].values[static_cast<size_t>(ordinal)];
    }
    return fmt::format("#{}", ordinal);
  };
  switch (datum.kind) {
    case Kind::kBool:
      return datum.bits ? "true" : "false";
    case Kind::kNumber:
      return FormatNumber(datum.number);
    case Kind::kDate:
      return FormatDate(static_cast<DayNumber>(datum.bits));
    case Kind::kCountry:
      return CountryCode(static_cast<CountryIndex>(datum.bits));
    case Kind::kEnum:
      return enum_value(datum.bits);
    case Kind::kText:
      return Quote(datum.text);
    case Kind::kCountrySet: {
      std::string out = "{";
      const auto* set = static_cast<const CountrySet*>(datum.set);
      for (uint32_t c = 0; set != nullptr && c < kCountrySlots; ++c) {
        if (!set->Has(c)) continue;
        if (out.size() > 1) out += ", ";
        out += CountryCode(static_cast<CountryIndex>(c));
      }
      return out + "}";
    }
    case Kind::kEnumSet: {
      std::string out = "{";
      for (int64_t i = 0; i < 64; ++i) {
        if (!((static_cast<uint64_t>(datum.bits) >> i) & 1)) continue;
        if (out.size() > 1) out += ", ";
        out += enum_value(i);
      }
      return out + "}";
    }
    case Kind::kTextSet: {
      std::string out = "{";
      const auto* set = static_cast<const TextSet*>(datum.set);
      for (std::string_view t : set->sorted) {
        if (out.size() > 1) out += ", ";
        out += Quote(t);
      }
      return out + "}";
    }
    case Kind::kRow: {
      auto table = static_cast<uint32_t>(datum.bits >> 32);
      auto row = static_cast<uint32_t>(datum.bits & 0xffffffff);
      std::string name = table < program.tables.size() ? program.tables[table].name : "?";
      return fmt::format("{}[row {}]", name, row + 1);
    }
    case Kind::kList: {
      const auto* list = static_cast<const List*>(datum.set);
      size_t n = list == nullptr ? 0 : list->count;
      return fmt::format("[{} element{}]", n, n == 1 ? "" : "s");
    }
    case Kind::kElement:
      return "element";
  }
  return "?";
}

namespace {

auto DateOrDash(const std::optional<DayNumber>& day) -> std::string {
  return day ? FormatDate(*day) : "-";
}

void PrintSchema(const Program& program, uint32_t node_id, const std::string& prefix,
                 std::string& out, std::vector<uint32_t>& printing) {
  const SchemaNode& node = program.schema[node_id];
  std::string path = prefix.empty() ? node.name : prefix + "." + node.name;
  if (node.is_record) {
    if (node_id != 0) {
      out += fmt::format("  record {}{}", path, node.optional ? "?" : "");
      if (node.slot != kNoId) out += fmt::format(" presence s{}", node.slot);
      out += '\n';
    }
    for (uint32_t child : node.children) PrintSchema(program, child, path, out, printing);
    return;
  }
  if (node.list != kNoId && node.list < program.lists.size()) {
    // The element's slots count from 0; a recursive shape is printed once, where it starts.
    const ListShape& shape = program.lists[node.list];
    out += fmt::format("  s{} {}: {} (list l{}, at most {}, {} slots an element)\n", node.slot,
                       path, node.type_text, node.list, shape.max_length, shape.slot_count);
    if (std::find(printing.begin(), printing.end(), node.list) != printing.end()) return;
    printing.push_back(node.list);
    for (uint32_t child : program.schema[shape.element].children) {
      PrintSchema(program, child, path + "[]", out, printing);
    }
    printing.pop_back();
    return;
  }
  // type_text is the declared type as written, `?` included.
  out += fmt::format("  s{} {}: {}", node.slot, path, node.type_text);
  if (node.scale != Number::Integer(1)) out += fmt::format(" (x {})", FormatNumber(node.scale));
  out += '\n';
}

}  // namespace

auto Print(const Program& program) -> std::string {
  std::string out;
  out += "modules:";
  for (const std::string& m : program.modules) out += " " + m;
  out += "\noutcomes:";
  for (size_t i = 0; i < program.outcomes.size(); ++i) {
    out += fmt::format("{} {}", i == 0 ? "" : " >", program.outcomes[i]);
  }
  out += '\n';
  for (size_t i = 0; i < program.enums.size(); ++i) {
    out += fmt::format("enum e{} {} {{", i, program.enums[i].name);
    for (size_t v = 0; v < program.enums[i].values.size(); ++v) {
      out += fmt::format("{}{}", v == 0 ? "" : ", ", program.enums[i].values[v]);
    }
    out += "}\n";
  }
  if (!program.schema.empty()) {
    out += fmt::format("request ({} slots):\n", program.slot_count);
    std::vector<uint32_t> printing;
    PrintSchema(program, 0, "", out, printing);
  }
  for (size_t t = 0; t < program.tables.size(); ++t) {
    const Table& table = program.tables[t];
    out += fmt::format("table t{} {}{} (", t, table.is_extern ? "extern " : "", table.name);
    for (size_t c = 0; c < table.columns.size(); ++c) {
      out += fmt::format("{}{}: {}{}", c == 0 ? "" : ", ", table.columns[c].name,
                         table.columns[c].type_text,
                         table.columns[c].match_normalized ? " match " + table.names.name : "");
    }
    out += fmt::format(") {} rows\n", table.rows.size());
    if (table.normalized && table.names_id != 0) {
      out += fmt::format("  names {}: {}\n", table.names.name, Describe(table.names));
    }
  }
  out += "values:\n";
  for (size_t i = 0; i < program.values.size(); ++i) {
    const Value& v = program.values[i];
    out += fmt::format("  v{} = {}", i, OpName(v.op));
    switch (OperandsOf(v.op)) {
      case Operands::kNone:
        break;
      case Operands::kConstant:
        out += " " + FormatDatum(program, program.constants[v.a], v.enum_id);
        break;
      case Operands::kSlot:
        out += fmt::format(" s{}", v.a);
        break;
      case Operands::kColumn:
        out += fmt::format(" v{} col {}", v.a, v.b);
        break;
      case Operands::kTable:
        out += fmt::format(" v{} t{}", v.a, v.b);
        break;
      case Operands::kOne:
        out += fmt::format(" v{}", v.a);
        break;
      case Operands::kTwo:
        out += fmt::format(" v{} v{}", v.a, v.b);
        break;
      case Operands::kElement:
        out += fmt::format(" v{} e{}", v.a, v.b);
        break;
      case Operands::kBinder:
        out += fmt::format(" v{} #{}", v.a, v.b);
        break;
    }
    out += fmt::format(" : {}{}", KindName(v.kind), v.optional ? "?" : "");
    if (!v.label.empty()) out += "  // " + v.label;
    out += '\n';
  }
  out += "citations:\n";
  for (size_t i = 0; i < program.citations.size(); ++i) {
    out += fmt::format("  c{} {}\n", i, Quote(program.citations[i]));
  }
  out += "rules:\n";
  for (size_t i = 0; i < program.rules.size(); ++i) {
    const Rule& r = program.rules[i];
    out += fmt::format("  r{} {} ({}) in force {} .. {}", i, r.name, r.module,
                       DateOrDash(r.effective), DateOrDash(r.until));
    if (r.cites != kNoId) out += fmt::format(" cites c{}", r.cites);
    // `{v12}` where a hole's value goes.
    auto holes = [](std::string_view message, const std::vector<MessageHole>& holes) {
      std::string text;
      size_t at = 0;
      for (const MessageHole& h : holes) {
        text.append(message.substr(at, h.begin - at));
        text += fmt::format("{{v{}}}", h.value);
        at = h.end;
      }
      text.append(message.substr(at));
      return Quote(text);
    };
    if (r.requirement) {
      out += fmt::format("\n    when v{} then error {}\n", r.when, Quote(r.message));
    } else {
      out += fmt::format("\n    when v{} then {} {}\n", r.when, program.outcomes[r.outcome],
                         holes(r.message, r.holes));
    }
    for (const Exception& e : r.unless) {
      out += fmt::format("    unless v{} then {} {}\n", e.condition, program.outcomes[e.outcome],
                         holes(e.message, e.holes));
    }
  }
  if (!program.tests.empty()) {
    out += "tests:\n";
    for (const Test& t : program.tests) {
      out += fmt::format("  {} expects {}", Quote(t.name),
                         t.expect_error ? "error" : program.outcomes[t.expect]);
      for (RuleId r : t.by) out += " " + program.rules[r].name;
      out += '\n';
    }
  }
  return out;
}

}  // namespace cordon::ir
