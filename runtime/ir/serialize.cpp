// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/serialize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "runtime/base/rational.h"

namespace cordon::ir {
namespace {

constexpr uint32_t kMagic = 0x4e44524f;  // "ORDN"
// The fewest bytes a serialised Datum takes (kind, presence and an empty text), to refuse a
// count that the remaining bytes cannot hold.
constexpr size_t kMinDatumBytes = 6;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void Strs(const std::vector<std::string>& v) {
    U32(static_cast<uint32_t>(v.size()));
    for (const std::string& s : v) Str(s);
  }
  // Low word first, then high: little-endian 128 bits.
  void I128(Int128 v) {
    auto bits = static_cast<unsigned __int128>(v);
    U64(static_cast<uint64_t>(bits));
    U64(static_cast<uint64_t>(bits >> 64));
  }
  void Num(Number n) {
    I128(n.num);
    I128(n.den);
  }
  void Holes(const std::vector<MessageHole>& holes) {
    U32(static_cast<uint32_t>(holes.size()));
    for (const MessageHole& h : holes) {
      U32(h.begin);
      U32(h.end);
      U32(h.value);
      Str(h.unit);
    }
  }
  void Datum(const ir::Datum& d) {
    U8(static_cast<uint8_t>(d.kind));
    U8(d.present ? 1 : 0);
    // Only the payload the kind reads: the others share its storage.
    switch (d.kind) {
      case Kind::kNumber:
        Num(d.number);
        break;
      case Kind::kText:
        Str(d.text);
        break;
      case Kind::kCountrySet: {
        // An absent optional set has none: it is written as the empty set.
        const auto* set = static_cast<const CountrySet*>(d.set);
        for (uint64_t w : set == nullptr ? CountrySet{}.words : set->words) U64(w);
        break;
      }
      case Kind::kTextSet: {
        const auto* set = static_cast<const TextSet*>(d.set);
        U32(set == nullptr ? 0 : static_cast<uint32_t>(set->sorted.size()));
        if (set != nullptr) {
          for (std::string_view s : set->sorted) Str(s);
        }
        break;
      }
      case Kind::kList: {
        const auto* list = static_cast<const List*>(d.set);
        U32(list == nullptr ? 0 : list->count);
        U32(list == nullptr ? 0 : list->stride);
        if (list == nullptr) break;
        for (uint64_t i = 0; i < uint64_t{list->count} * list->stride; ++i) Datum(list->items[i]);
        break;
      }
      default:
        I64(d.bits);
    }
  }
  auto bytes() -> std::vector<uint8_t>& { return out_; }

 private:
  std::vector<uint8_t> out_;
};

struct Corrupt {};  // thrown inside Reader only, caught in Deserialize

class Reader {
 public:
  Reader(std::span<const uint8_t> in, Program& program) : in_(in), program_(program) {}
  auto U8() -> uint8_t {
    Need(1);
    return in_[pos_++];
  }
  auto U32() -> uint32_t {
    Need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{in_[pos_++]} << (8 * i);
    return v;
  }
  auto U64() -> uint64_t {
    Need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{in_[pos_++]} << (8 * i);
    return v;
  }
  auto I64() -> int64_t { return static_cast<int64_t>(U64()); }
  auto Count(size_t max_element_bytes = 1) -> uint32_t {
    uint32_t n = U32();
    if (n > (in_.size() - pos_) / std::max<size_t>(1, max_element_bytes) + 1) throw Corrupt{};
    return n;
  }
  auto Str() -> std::string {
    uint32_t n = Count();
    Need(n);
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  auto Holes() -> std::vector<MessageHole> {
    std::vector<MessageHole> holes(Count(16));
    for (MessageHole& h : holes) {
      h.begin = U32();
      h.end = U32();
      h.value = U32();
      h.unit = Str();
    }
    return holes;
  }
  auto Strs() -> std::vector<std::string> {
    std::vector<std::string> v(Count(4));
    for (std::string& s : v) s = Str();
    return v;
  }
  auto I128() -> Int128 {
    unsigned __int128 low = U64();
    unsigned __int128 high = U64();
    return static_cast<Int128>(high << 64 | low);
  }
  auto Num() -> Number {
    Number n{I128(), I128()};
    if (n.den <= 0 || n.num < -CORDON_I128_MAX) throw Corrupt{};
    return n;
  }
  auto Kind() -> ir::Kind {
    uint8_t k = U8();
    if (k > static_cast<uint8_t>(Kind::kElement)) throw Corrupt{};
    return static_cast<ir::Kind>(k);
  }
  auto Datum(uint32_t depth = 0) -> ir::Datum {
    ir::Datum d;
    d.kind = Kind();
    d.present = U8() != 0;
    switch (d.kind) {
      case Kind::kNumber:
        d.number = Num();
        break;
      case Kind::kText:
        d.text = program_.AddText(Str());
        break;
      case Kind::kCountrySet: {
        CountrySet& set = program_.country_sets.emplace_back();
        for (uint64_t& w : set.words) w = U64();
        d.set = &set;
        break;
      }
      case Kind::kTextSet: {
        TextSet& set = program_.text_sets.emplace_back();
        uint32_t n = Count(4);
        for (uint32_t i = 0; i < n; ++i) set.sorted.push_back(program_.AddText(Str()));
        d.set = &set;
        break;
      }
      case Kind::kList: {
        // Only in a test's request, nested as deep as a request may be.
        if (depth > kMaxListDepth) throw Corrupt{};
        List& list = program_.lists_data.emplace_back();
        list.count = U32();
        list.stride = U32();
        uint64_t cells = uint64_t{list.count} * list.stride;
        if (cells > (in_.size() - pos_) / kMinDatumBytes + 1) throw Corrupt{};
        std::vector<ir::Datum>& items = program_.list_items.emplace_back(cells);
        for (ir::Datum& item : items) item = Datum(depth + 1);
        list.items = items.data();
        d.set = &list;
        break;
      }
      case Kind::kElement:
        throw Corrupt{};  // never stored
      default:
        d.bits = I64();
    }
    if ((d.kind == Kind::kCountry && (d.bits < 0 || d.bits >= 676))) throw Corrupt{};
    return d;
  }
  auto done() const -> bool { return pos_ == in_.size(); }

 private:
  void Need(size_t n) {
    if (in_.size() - pos_ < n) throw Corrupt{};
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  Program& program_;
};

void WriteSchema(Writer& w, const Program& p) {
  w.Strs(p.outcomes);
  w.U32(static_cast<uint32_t>(p.enums.size()));
  for (const Enum& e : p.enums) {
    w.Str(e.name);
    w.Strs(e.values);
  }
  w.U32(static_cast<uint32_t>(p.schema.size()));
  for (const SchemaNode& n : p.schema) {
    w.Str(n.name);
    w.U8(n.is_record);
    w.U8(n.optional);
    w.U8(static_cast<uint8_t>(n.kind));
    w.U32(n.enum_id);
    w.U8(n.integer);
    w.U8(n.duration);
    w.Num(n.scale);
    w.Str(n.type_text);
    w.U32(n.slot);
    w.U32(static_cast<uint32_t>(n.children.size()));
    for (uint32_t c : n.children) w.U32(c);
    w.U32(n.list);
  }
  w.U32(static_cast<uint32_t>(p.lists.size()));
  for (const ListShape& l : p.lists) {
    w.Str(l.record);
    w.U32(l.element);
    w.U32(l.slot_count);
    w.U32(l.max_length);
  }
  w.U32(p.slot_count);
  w.U32(p.as_of_slot);
  w.U32(static_cast<uint32_t>(p.tables.size()));
  for (const Table& t : p.tables) {
    w.Str(t.name);
    w.U8(t.is_extern);
    w.U8(t.normalized);
    w.U32(static_cast<uint32_t>(t.alias_columns.size()));
    for (uint32_t c : t.alias_columns) w.U32(c);
    w.U32(static_cast<uint32_t>(t.columns.size()));
    for (const Column& c : t.columns) {
      w.Str(c.name);
      w.U8(static_cast<uint8_t>(c.kind));
      w.U32(c.enum_id);
      w.U8(c.optional);
      w.Str(c.type_text);
      w.Num(c.scale);
      w.U8(c.match_normalized);
      w.U8(c.integer);
    }
  }
}

void ReadSchema(Reader& r, Program& p) {
  p.outcomes = r.Strs();
  p.enums.resize(r.Count(8));
  for (Enum& e : p.enums) {
    e.name = r.Str();
    e.values = r.Strs();
  }
  p.schema.resize(r.Count(16));
  for (SchemaNode& n : p.schema) {
    n.name = r.Str();
    n.is_record = r.U8() != 0;
    n.optional = r.U8() != 0;
    n.kind = r.Kind();
    n.enum_id = r.U32();
    n.integer = r.U8() != 0;
    n.duration = r.U8() != 0;
    n.scale = r.Num();
    n.type_text = r.Str();
    n.slot = r.U32();
    n.children.resize(r.Count(4));
    for (uint32_t& c : n.children) c = r.U32();
    n.list = r.U32();
  }
  p.lists.resize(r.Count(16));
  for (ListShape& l : p.lists) {
    l.record = r.Str();
    l.element = r.U32();
    l.slot_count = r.U32();
    l.max_length = r.U32();
  }
  p.slot_count = r.U32();
  p.as_of_slot = r.U32();
  p.tables.resize(r.Count(8));
  for (Table& t : p.tables) {
    t.name = r.Str();
    t.is_extern = r.U8() != 0;
    t.normalized = r.U8() != 0;
    t.alias_columns.resize(r.Count(4));
    for (uint32_t& c : t.alias_columns) c = r.U32();
    t.columns.resize(r.Count(8));
    for (Column& c : t.columns) {
      c.name = r.Str();
      c.kind = r.Kind();
      c.enum_id = r.U32();
      c.optional = r.U8() != 0;
      c.type_text = r.Str();
      c.scale = r.Num();
      c.match_normalized = r.U8() != 0;
      c.integer = r.U8() != 0;
    }
  }
}

auto Bad(std::string_view what) -> Error {
  return Error{fmt::format("the compiled policy's program is corrupt ({})", what)};
}

// Every id the engines follow must point inside the program: a corrupt blob that passed the
// checksum by chance still cannot make an engine read out of bounds.
auto Validate(const Program& p) -> std::string {
  auto values = p.values.size();
  for (size_t i = 0; i < p.schema.size(); ++i) {
    const SchemaNode& n = p.schema[i];
    for (uint32_t c : n.children) {
      // Children follow their parent, so walking the tree always ends.
      if (c >= p.schema.size() || c <= i) return "schema child";
    }
    if (n.enum_id != kNoId && n.enum_id >= p.enums.size()) return "schema enum";
    if ((!n.is_record && n.kind == Kind::kList) != (n.list != kNoId)) return "schema list";
    if (n.list != kNoId && n.list >= p.lists.size()) return "schema list";
  }
  for (const ListShape& l : p.lists) {
    if (l.element >= p.schema.size() || !p.schema[l.element].is_record) return "list shape";
  }
  // Slots: the request's under the root, each list's own under its element record.
  std::string bad_slot;
  auto check_slots = [&](auto&& self, uint32_t node, uint32_t bound) -> void {
    const SchemaNode& n = p.schema[node];
    if (n.slot != kNoId && n.slot >= bound) bad_slot = "schema slot";
    if (!n.is_record && n.slot == kNoId) bad_slot = "schema slot";
    for (uint32_t c : n.children) self(self, c, bound);
  };
  if (!p.schema.empty()) check_slots(check_slots, 0, p.slot_count);
  for (const ListShape& l : p.lists) check_slots(check_slots, l.element, l.slot_count);
  if (!bad_slot.empty()) return bad_slot;
  if (p.as_of_slot != kNoId && p.as_of_slot >= p.slot_count) return "as_of slot";
  for (const Table& t : p.tables) {
    if (t.columns.empty()) return "table without columns";
    for (uint32_t c : t.alias_columns) {
      if (c >= t.columns.size() || t.columns[c].kind != Kind::kTextSet) return "alias column";
    }
    for (const auto& row : t.rows) {
      if (row.size() != t.columns.size()) return "table row";
      for (size_t c = 0; c < row.size(); ++c) {
        if (row[c].kind != t.columns[c].kind) return "table cell";
      }
    }
  }
  for (ValueId id = 0; id < values; ++id) {
    const Value& v = p.values[id];
    if (static_cast<size_t>(v.op) >= kOpCount) return "operation";
    switch (OperandsOf(v.op)) {
      case Operands::kNone:
        break;
      case Operands::kConstant:
        if (v.a >= p.constants.size()) return "constant";
        break;
      case Operands::kSlot:
        if (v.a >= p.slot_count) return "slot";
        break;
      case Operands::kTable:
        if (v.a >= id || v.b >= p.tables.size()) return "table lookup";
        break;
      case Operands::kColumn:
        if (v.a >= id) return "row field";
        break;
      case Operands::kOne:
        if (v.a >= id) return "operand";
        break;
      case Operands::kTwo:
        if (v.a >= id || v.b >= id) return "operand";
        break;
      case Operands::kBinder:
        if (v.a >= id || p.values[v.a].kind != Kind::kList || v.enum_id >= p.lists.size()) {
          return "binder";
        }
        break;
      case Operands::kElement:
        if (v.a >= id || p.values[v.a].op != Op::kBinder ||
            v.b >= p.lists[p.values[v.a].enum_id].slot_count) {
          return "element field";
        }
        break;
    }
    if (v.kind == Kind::kList && v.enum_id >= p.lists.size()) return "list value";
    bool quantifier = v.op == Op::kAny || v.op == Op::kAll || v.op == Op::kCount ||
                      v.op == Op::kSum || v.op == Op::kMin || v.op == Op::kMax;
    if (quantifier && p.values[v.a].op != Op::kBinder) return "quantifier";
  }
  for (size_t i = 0; i < p.rules.size(); ++i) {
    if (p.rules[i].requirement != (i >= p.first_requirement)) return "requirement order";
  }
  for (const Rule& r : p.rules) {
    if (r.when >= values || r.outcome >= p.outcomes.size()) return "rule";
    if (r.cites != kNoId && r.cites >= p.citations.size()) return "citation";
    for (const Exception& e : r.unless) {
      if (e.condition >= values || e.outcome >= p.outcomes.size()) return "unless";
    }
    // Holes in order, inside their message, each a value a message can show.
    auto holes_ok = [&](const std::string& message, const std::vector<MessageHole>& holes) {
      uint32_t at = 0;
      for (const MessageHole& h : holes) {
        if (h.begin < at || h.end < h.begin || h.end > message.size() || h.value >= values) {
          return false;
        }
        Kind k = p.values[h.value].kind;
        if (k == Kind::kRow || k == Kind::kList || p.values[h.value].optional) return false;
        at = h.end;
      }
      return true;
    };
    if (!holes_ok(r.message, r.holes)) return "message hole";
    for (const Exception& e : r.unless) {
      if (!holes_ok(e.message, e.holes)) return "message hole";
    }
  }
  for (const Test& t : p.tests) {
    if (t.request.size() != p.slot_count || t.expect >= p.outcomes.size()) return "test";
    for (RuleId r : t.by) {
      if (r >= p.rules.size()) return "test";
    }
  }
  return "";
}

}  // namespace

auto Fnv1a(std::span<const uint8_t> bytes, uint64_t h) -> uint64_t {
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 1099511628211ull;
  }
  return h;
}

auto SchemaHash(const Program& program) -> uint64_t {
  Writer w;
  WriteSchema(w, program);
  return Fnv1a(w.bytes());
}

namespace {

// `identity`: leave out where files lay on disk and the tests, which are not the policy.
auto Write(const Program& p, bool identity) -> std::vector<uint8_t> {
  Writer w;
  w.U32(kMagic);
  w.U32(kFormat);
  WriteSchema(w, p);
  w.Strs(p.modules);
  // How names compare is policy, not request layout: outside the schema, whose hash a host's
  // header is checked by, and inside the policy hash.
  for (const Table& t : p.tables) {
    if (t.normalized) {
      const NameRules& n = t.names;
      w.U32(t.names_id);
      w.Str(n.name);
      w.Str(std::string_view(reinterpret_cast<const char*>(n.fold.data()), n.fold.size()));
      w.U8(n.compact);
      w.U8(n.builtin_forms);
      w.Strs(n.legal_forms);
      w.U32(static_cast<uint32_t>(n.sequences.size()));
      for (const NameRules::Sequence& seq : n.sequences) {
        w.Str(seq.utf8);
        w.U8(static_cast<uint8_t>(seq.action));
      }
    }
  }
  w.U32(static_cast<uint32_t>(p.values.size()));
  for (const Value& v : p.values) {
    w.U8(static_cast<uint8_t>(v.op));
    w.U8(static_cast<uint8_t>(v.kind));
    w.U8(v.optional);
    w.U32(v.a);
    w.U32(v.b);
    w.U32(v.enum_id);
    w.Str(v.label);
  }
  w.U32(static_cast<uint32_t>(p.constants.size()));
  for (const Datum& d : p.constants) w.Datum(d);
  for (const Table& t : p.tables) {
    w.Str(identity ? "" : t.file);
    w.U32(static_cast<uint32_t>(t.rows.size()));
    for (const auto& row : t.rows) {
      for (const Datum& d : row) w.Datum(d);
    }
  }
  w.Strs(p.citations);
  w.U32(static_cast<uint32_t>(p.rules.size()));
  for (const Rule& r : p.rules) {
    w.Str(r.name);
    w.Str(r.module);
    w.Str(identity ? "" : r.file);
    w.U32(r.line);
    w.U32(r.cites);
    w.U8(r.effective.has_value());
    w.I64(r.effective.value_or(0));
    w.U8(r.until.has_value());
    w.I64(r.until.value_or(0));
    w.U32(r.when);
    w.U32(r.outcome);
    w.Str(r.message);
    w.Holes(r.holes);
    w.U8(r.requirement);
    w.U32(static_cast<uint32_t>(r.unless.size()));
    for (const Exception& e : r.unless) {
      w.U32(e.condition);
      w.U32(e.outcome);
      w.Str(e.message);
      w.Holes(e.holes);
    }
  }
  w.U8(p.reviewed.has_value());
  w.I64(p.reviewed.value_or(0));
  w.I64(p.review_grace_days);
  w.U32(identity ? 0 : static_cast<uint32_t>(p.tests.size()));
  for (const Test& t : identity ? std::span<const Test>() : std::span<const Test>(p.tests)) {
    w.Str(t.name);
    w.Str(t.file);
    w.U32(t.line);
    w.U32(static_cast<uint32_t>(t.request.size()));
    for (const Datum& d : t.request) w.Datum(d);
    w.U32(t.expect);
    w.U8(t.expect_error);
    w.U32(static_cast<uint32_t>(t.by.size()));
    for (RuleId r : t.by) w.U32(r);
  }
  std::vector<uint8_t>& out = w.bytes();
  uint64_t sum = Fnv1a(out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(sum >> (8 * i)));
  return std::move(out);
}

}  // namespace

auto RowsHash(const Rows& rows) -> uint64_t {
  Writer w;
  w.U32(static_cast<uint32_t>(rows.columns()));
  for (const auto& row : rows) {
    for (const Datum& d : row) w.Datum(d);
  }
  return Fnv1a(w.bytes());
}

auto Serialize(const Program& program) -> std::vector<uint8_t> { return Write(program, false); }

auto PolicyHash(const Program& program) -> uint64_t { return Fnv1a(Write(program, true)); }

auto Deserialize(std::span<const uint8_t> bytes) -> ErrorOr<Program> {
  if (bytes.size() < 16) return Bad("too short");
  std::span<const uint8_t> body = bytes.first(bytes.size() - 8);
  uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= uint64_t{bytes[body.size() + i]} << (8 * i);
  if (Fnv1a(body) != sum) return Bad("checksum mismatch");
  Program p;
  Reader r(body, p);
  try {
    if (r.U32() != kMagic) return Bad("not a Cordon program");
    if (r.U32() != kFormat) return Bad("another format version");
    ReadSchema(r, p);
    p.modules = r.Strs();
    for (Table& t : p.tables) {
      if (t.normalized) {
        NameRules& n = t.names;
        t.names_id = r.U32();
        if (t.names_id > p.tables.size()) throw Corrupt{};  // one rule set a table at most
        n.name = r.Str();
        std::string fold = r.Str();
        if (fold.size() != n.fold.size()) throw Corrupt{};
        std::memcpy(n.fold.data(), fold.data(), fold.size());
        n.compact = r.U8() != 0;
        n.builtin_forms = r.U8() != 0;
        n.legal_forms = r.Strs();
        if (!std::is_sorted(n.legal_forms.begin(), n.legal_forms.end())) throw Corrupt{};
        n.sequences.resize(r.Count(5));
        for (NameRules::Sequence& seq : n.sequences) {
          seq.utf8 = r.Str();
          uint8_t action = r.U8();
          // A sequence is one non-ASCII character (NameRules::Finish reads its lead byte).
          if (seq.utf8.empty() || static_cast<unsigned char>(seq.utf8[0]) < 0xc2 || action > 2) {
            throw Corrupt{};
          }
          seq.action = static_cast<NameRules::Action>(action);
        }
        n.Finish();
      }
    }
    p.values.resize(r.Count(15));
    for (Value& v : p.values) {
      uint8_t op = r.U8();
      if (op >= kOpCount)
        return Bad("an operation this runtime does not know (written by a newer Cordon?)");
      v.op = static_cast<Op>(op);
      v.kind = r.Kind();
      v.optional = r.U8() != 0;
      v.a = r.U32();
      v.b = r.U32();
      v.enum_id = r.U32();
      v.label = r.Str();
    }
    p.constants.resize(r.Count(kMinDatumBytes));
    for (Datum& d : p.constants) d = r.Datum();
    for (Table& t : p.tables) {
      t.file = r.Str();
      auto columns = static_cast<uint32_t>(t.columns.size());
      uint32_t rows = r.Count(kMinDatumBytes * std::max<size_t>(1, columns));
      t.rows = Rows(columns);
      t.rows.reserve(rows);
      for (uint32_t i = 0; i < rows; ++i) {
        for (Datum& d : t.rows.AddRow()) d = r.Datum();
      }
    }
    p.citations = r.Strs();
    p.rules.resize(r.Count(40));
    for (Rule& rule : p.rules) {
      rule.name = r.Str();
      rule.module = r.Str();
      rule.file = r.Str();
      rule.line = r.U32();
      rule.cites = r.U32();
      bool has_effective = r.U8() != 0;
      int64_t effective = r.I64();
      if (has_effective) rule.effective = effective;
      bool has_until = r.U8() != 0;
      int64_t until = r.I64();
      if (has_until) rule.until = until;
      rule.when = r.U32();
      rule.outcome = r.U32();
      rule.message = r.Str();
      rule.holes = r.Holes();
      rule.requirement = r.U8() != 0;
      rule.unless.resize(r.Count(16));
      for (Exception& e : rule.unless) {
        e.condition = r.U32();
        e.outcome = r.U32();
        e.message = r.Str();
        e.holes = r.Holes();
      }
    }
    bool reviewed = r.U8() != 0;
    int64_t review_day = r.I64();
    int64_t grace = r.I64();
    if (reviewed) {
      if (review_day < kFirstDay || review_day > kLastDay) throw Corrupt{};
      p.reviewed = static_cast<DayNumber>(review_day);
    }
    if (grace < 0 || grace > kLastDay - kFirstDay) throw Corrupt{};
    p.review_grace_days = static_cast<int32_t>(grace);
    p.tests.resize(r.Count(16));
    for (Test& t : p.tests) {
      t.name = r.Str();
      t.file = r.Str();
      t.line = r.U32();
      t.request.resize(r.Count(kMinDatumBytes));
      for (Datum& d : t.request) d = r.Datum();
      t.expect = r.U32();
      t.expect_error = r.U8() != 0;
      t.by.resize(r.Count(4));
      for (RuleId& id : t.by) id = r.U32();
    }
    if (!r.done()) return Bad("trailing bytes");
  } catch (const Corrupt&) {
    return Bad("truncated or out of range");
  }
  // Not stored: the requirements are the last rules (Program::first_requirement).
  p.first_requirement = static_cast<RuleId>(p.rules.size());
  while (p.first_requirement > 0 && p.rules[p.first_requirement - 1].requirement) {
    --p.first_requirement;
  }
  std::string problem = Validate(p);
  if (!problem.empty()) return Bad(problem);
  return p;
}

}  // namespace cordon::ir
