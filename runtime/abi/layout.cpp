// SPDX-License-Identifier: Apache-2.0
#include "runtime/abi/layout.h"

#include <fmt/format.h>

#include <cstring>
#include <set>

#include "runtime/abi/abi.h"
#include "runtime/ir/serialize.h"

namespace cordon::abi {
namespace {

// `records`: the slots of the optional records around `node`, outermost first (their presence
// offsets are filled in once every slot has its place).
void Walk(const ir::Program& program, uint32_t node, const std::string& name,
          const std::string& path, std::vector<uint32_t>& records, RequestLayout& layout) {
  const ir::SchemaNode& n = program.schema[node];
  if (n.is_record) {
    if (n.slot != ir::kNoId) {
      SlotLayout& s = layout.slots[n.slot];
      s = SlotLayout{.kind = ir::Kind::kBool, .optional = true, .name = name, .path = path};
      s.is_record_presence = true;
      s.type_text = "record";
      s.records = records;
      records.push_back(n.slot);
    }
    for (uint32_t child : n.children) {
      const ir::SchemaNode& c = program.schema[child];
      Walk(program, child, name.empty() ? c.name : name + "_" + c.name, path + "." + c.name,
           records, layout);
    }
    if (n.slot != ir::kNoId) records.pop_back();
    return;
  }
  layout.slots[n.slot] = SlotLayout{.kind = n.kind,
                                    .optional = n.optional,
                                    .name = name,
                                    .path = path,
                                    .enum_id = n.enum_id,
                                    .type_text = n.type_text,
                                    .integer = n.integer,
                                    .list = n.list,
                                    .records = records};
}

}  // namespace

auto GetStructBounds() -> const StructBounds& {
  static const StructBounds kBounds = [] {
    StructBounds b{.assigned_countries = {}};
    for (int i = 0; i < kCountrySlots; ++i) {
      if (LookupCountry(CountryCode(static_cast<CountryIndex>(i)))) {
        b.assigned_countries[i / 64] |= uint64_t{1} << (i % 64);
      }
    }
    return b;
  }();
  return kBounds;
}

namespace {

auto Align(uint32_t offset, uint32_t align) -> uint32_t {
  return (offset + align - 1) / align * align;
}

auto SlotAlign(ir::Kind kind) -> uint32_t {
  switch (kind) {
    case ir::Kind::kBool:
      return 1;
    case ir::Kind::kDate:
      return 4;
    case ir::Kind::kCountry:
    case ir::Kind::kEnum:
      return 2;
    case ir::Kind::kNumber:
      return 16;  // as C aligns the header's __int128
    default:
      return 8;
  }
}

auto CIdent(std::string_view text) -> std::string {
  std::string out;
  for (char c : text) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

// Names a generated header must not use as they are: C11 and C++17 keywords, and the types
// the header itself names (a member `uint8_t` would hide the type in C++).
auto IsReservedInHeader(std::string_view name) -> bool {
  static const std::set<std::string_view> kReserved = {"_Alignas",
                                                       "_Alignof",
                                                       "_Atomic",
                                                       "_Bool",
                                                       "_Complex",
                                                       "_Generic",
                                                       "_Imaginary",
                                                       "_Noreturn",
                                                       "_Static_assert",
                                                       "_Thread_local",
                                                       "alignas",
                                                       "alignof",
                                                       "and",
                                                       "and_eq",
                                                       "asm",
                                                       "auto",
                                                       "bitand",
                                                       "bitor",
                                                       "bool",
                                                       "break",
                                                       "case",
                                                       "catch",
                                                       "char",
                                                       "char16_t",
                                                       "char32_t",
                                                       "char8_t",
                                                       "class",
                                                       "co_await",
                                                       "co_return",
                                                       "co_yield",
                                                       "compl",
                                                       "concept",
                                                       "const",
                                                       "const_cast",
                                                       "consteval",
                                                       "constexpr",
                                                       "constinit",
                                                       "continue",
                                                       "decltype",
                                                       "default",
                                                       "delete",
                                                       "do",
                                                       "double",
                                                       "dynamic_cast",
                                                       "else",
                                                       "enum",
                                                       "explicit",
                                                       "export",
                                                       "extern",
                                                       "false",
                                                       "float",
                                                       "for",
                                                       "friend",
                                                       "goto",
                                                       "if",
                                                       "inline",
                                                       "int",
                                                       "int16_t",
                                                       "int32_t",
                                                       "int64_t",
                                                       "int8_t",
                                                       "long",
                                                       "mutable",
                                                       "namespace",
                                                       "new",
                                                       "noexcept",
                                                       "not",
                                                       "not_eq",
                                                       "nullptr",
                                                       "operator",
                                                       "or",
                                                       "or_eq",
                                                       "private",
                                                       "protected",
                                                       "public",
                                                       "register",
                                                       "reinterpret_cast",
                                                       "requires",
                                                       "restrict",
                                                       "return",
                                                       "short",
                                                       "signed",
                                                       "sizeof",
                                                       "static",
                                                       "static_assert",
                                                       "static_cast",
                                                       "struct",
                                                       "switch",
                                                       "template",
                                                       "this",
                                                       "thread_local",
                                                       "throw",
                                                       "true",
                                                       "try",
                                                       "typedef",
                                                       "typeid",
                                                       "typename",
                                                       "uint16_t",
                                                       "uint32_t",
                                                       "uint64_t",
                                                       "uint8_t",
                                                       "union",
                                                       "unsigned",
                                                       "using",
                                                       "virtual",
                                                       "void",
                                                       "volatile",
                                                       "wchar_t",
                                                       "while",
                                                       "xor",
                                                       "xor_eq"};
  return kReserved.count(name) != 0;
}

// Hands out identifiers that are neither reserved nor taken: `class` becomes `class_`, and a
// second `has_y` (a field `y?` and a field `has_y`) becomes `has_y_2`. First come, first
// served, in layout order, so a header is stable for a given policy.
class UniqueNames {
 public:
  auto Take(std::string name) -> std::string {
    if (IsReservedInHeader(name)) name += '_';
    std::string out = name;
    for (int n = 2; taken_.count(out) != 0; ++n) out = fmt::format("{}_{}", name, n);
    taken_.insert(out);
    return out;
  }

 private:
  std::set<std::string> taken_;
};

}  // namespace

auto SlotSize(ir::Kind kind) -> uint32_t {
  switch (kind) {
    case ir::Kind::kBool:
      return 1;
    case ir::Kind::kNumber:
      return 32;  // num, den: __int128 each
    case ir::Kind::kDate:
      return 4;
    case ir::Kind::kCountry:
    case ir::Kind::kEnum:
      return 2;
    case ir::Kind::kText:
      return 16;  // pointer, size
    case ir::Kind::kCountrySet:
      return 88;  // 11 words
    case ir::Kind::kEnumSet:
    case ir::Kind::kTextSet:
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      return 8;
    case ir::Kind::kList:
      return 16;  // items, count
  }
  return 8;
}

namespace {

// The slots of one record (the request, or a list's element) in order, each aligned.
auto Place(const ir::Program& program, uint32_t root, uint32_t slot_count, std::string path)
    -> RequestLayout {
  RequestLayout layout;
  layout.slots.resize(slot_count);
  std::vector<uint32_t> records;
  if (root < program.schema.size()) Walk(program, root, "", path, records, layout);
  uint32_t offset = 0;
  uint32_t align = 8;
  for (SlotLayout& s : layout.slots) {
    if (s.optional) s.presence = offset++;
    align = std::max(align, SlotAlign(s.kind));
    offset = Align(offset, SlotAlign(s.kind));
    s.offset = offset;
    offset += SlotSize(s.kind);
  }
  for (SlotLayout& s : layout.slots) {
    for (uint32_t& record : s.records) record = layout.slots[record].presence;
  }
  // As C sizes the header's struct: a multiple of its strictest member's alignment.
  layout.size = Align(std::max<uint32_t>(offset, 1), align);
  return layout;
}

}  // namespace

auto LayoutRequest(const ir::Program& program) -> RequestLayout {
  RequestLayout layout =
      Place(program, program.schema.empty() ? ir::kNoId : 0, program.slot_count, "$");
  for (const ir::ListShape& shape : program.lists) {
    layout.elements.push_back(Place(program, shape.element, shape.slot_count, ""));
  }
  return layout;
}

auto PackArena::Allocate(size_t bytes) -> uint8_t* {
  if (used_ == blocks_.size()) blocks_.emplace_back();
  std::vector<uint64_t>& block = blocks_[used_++];
  block.assign((bytes + 7) / 8, 0);
  return reinterpret_cast<uint8_t*>(block.data());
}

namespace {

void Pack(const RequestLayout& layout, const std::vector<RequestLayout>& elements,
          std::span<const ir::Datum> slots, uint8_t* out, PackArena* arena) {
  std::memset(out, 0, layout.size);
  for (size_t i = 0; i < layout.slots.size() && i < slots.size(); ++i) {
    const SlotLayout& s = layout.slots[i];
    const ir::Datum& d = slots[i];
    if (s.presence != ir::kNoId) out[s.presence] = d.present ? 1 : 0;
    if (!d.present) continue;
    uint8_t* p = out + s.offset;
    switch (s.kind) {
      case ir::Kind::kBool:
        *p = d.bits != 0 ? 1 : 0;
        break;
      case ir::Kind::kNumber: {
        Int128 num = d.number.num;
        Int128 den = d.number.den;
        std::memcpy(p, &num, 16);
        std::memcpy(p + 16, &den, 16);
        break;
      }
      case ir::Kind::kDate: {
        auto day = static_cast<int32_t>(d.bits);
        std::memcpy(p, &day, 4);
        break;
      }
      case ir::Kind::kCountry:
      case ir::Kind::kEnum: {
        auto v = static_cast<uint16_t>(d.bits);
        std::memcpy(p, &v, 2);
        break;
      }
      case ir::Kind::kText: {
        const char* data = d.text.data();
        uint64_t size = d.text.size();
        std::memcpy(p, &data, 8);
        std::memcpy(p + 8, &size, 8);
        break;
      }
      case ir::Kind::kCountrySet:
        std::memcpy(p, static_cast<const ir::CountrySet*>(d.set)->words.data(), 88);
        break;
      case ir::Kind::kEnumSet:
      case ir::Kind::kRow:
        std::memcpy(p, &d.bits, 8);
        break;
      case ir::Kind::kTextSet:
        std::memcpy(p, &d.set, 8);
        break;
      case ir::Kind::kList: {
        const auto* list = static_cast<const ir::List*>(d.set);
        uint64_t count = list == nullptr ? 0 : list->count;
        uint8_t* items = nullptr;
        if (count > 0) {
          if (arena == nullptr) std::abort();  // a caller's bug: lists need somewhere to go
          const RequestLayout& element = elements[s.list];
          items = arena->Allocate(count * element.size);
          for (uint64_t i = 0; i < count; ++i) {
            Pack(element, elements,
                 std::span<const ir::Datum>(list->items + i * list->stride, list->stride),
                 items + i * element.size, arena);
          }
        }
        std::memcpy(p, &items, 8);
        std::memcpy(p + 8, &count, 8);
        break;
      }
      case ir::Kind::kElement:
        break;
    }
  }
}

}  // namespace

void PackRequest(const RequestLayout& layout, std::span<const ir::Datum> slots, uint8_t* out,
                 PackArena* arena) {
  Pack(layout, layout.elements, slots, out, arena);
}

auto UnpackArena::NewSet() -> ir::CountrySet* {
  if (sets_used_ == sets_.size()) sets_.emplace_back();
  return &sets_[sets_used_++];
}

auto UnpackArena::NewList() -> ir::List* {
  if (lists_used_ == lists_.size()) lists_.emplace_back();
  return &lists_[lists_used_++];
}

auto UnpackArena::NewData(size_t count) -> ir::Datum* {
  if (data_used_ == data_.size()) data_.emplace_back();
  std::vector<ir::Datum>& data = data_[data_used_++];
  data.assign(count, ir::Datum{});
  return data.data();
}

namespace {

// PackRequest backwards, into `out` (one Datum a slot of `layout`).
void Unpack(const RequestLayout& layout, const std::vector<RequestLayout>& elements,
            const uint8_t* in, ir::Datum* out, UnpackArena& arena) {
  for (size_t i = 0; i < layout.slots.size(); ++i) {
    const SlotLayout& s = layout.slots[i];
    ir::Datum& d = out[i];
    d = ir::Datum{.kind = s.kind};
    bool present = s.presence == ir::kNoId || in[s.presence] == 1;
    for (uint32_t record : s.records) present = present && in[record] == 1;
    d.present = present;
    if (!present || s.is_record_presence) continue;
    const uint8_t* p = in + s.offset;
    switch (s.kind) {
      case ir::Kind::kBool:
        d.bits = *p;
        break;
      case ir::Kind::kNumber: {
        Int128 num = 0;
        Int128 den = 1;
        std::memcpy(&num, p, 16);
        std::memcpy(&den, p + 16, 16);
        d.number = Number{num, den};
        break;
      }
      case ir::Kind::kDate: {
        int32_t day = 0;
        std::memcpy(&day, p, 4);
        d.bits = day;
        break;
      }
      case ir::Kind::kCountry:
      case ir::Kind::kEnum: {
        uint16_t v = 0;
        std::memcpy(&v, p, 2);
        d.bits = v;
        break;
      }
      case ir::Kind::kText: {
        const char* data = nullptr;
        uint64_t size = 0;
        std::memcpy(&data, p, 8);
        std::memcpy(&size, p + 8, 8);
        d.text = ir::TextView(std::string_view(data == nullptr ? "" : data, size));
        break;
      }
      case ir::Kind::kCountrySet: {
        ir::CountrySet* set = arena.NewSet();
        std::memcpy(set->words.data(), p, 88);
        d.set = set;
        break;
      }
      case ir::Kind::kEnumSet:
      case ir::Kind::kRow:
        std::memcpy(&d.bits, p, 8);
        break;
      case ir::Kind::kTextSet:
        std::memcpy(&d.set, p, 8);
        break;
      case ir::Kind::kList: {
        const uint8_t* items = nullptr;
        uint64_t count = 0;
        std::memcpy(&items, p, 8);
        std::memcpy(&count, p + 8, 8);
        const RequestLayout& element = elements[s.list];
        ir::List* list = arena.NewList();
        auto stride = static_cast<uint32_t>(element.slots.size());
        ir::Datum* data = arena.NewData(count * stride);
        for (uint64_t k = 0; k < count; ++k) {
          Unpack(element, elements, items + k * element.size, data + k * stride, arena);
        }
        *list = ir::List{.items = data, .count = static_cast<uint32_t>(count), .stride = stride};
        d.set = list;
        break;
      }
      case ir::Kind::kElement:
        break;
    }
  }
}

}  // namespace

void UnpackRequest(const RequestLayout& layout, const uint8_t* request,
                   std::vector<ir::Datum>& slots, UnpackArena& arena) {
  arena.Reset();
  slots.resize(layout.slots.size());
  Unpack(layout, layout.elements, request, slots.data(), arena);
}

auto CHeader(const ir::Program& program, const RequestLayout& layout, std::string_view prefix,
             uint64_t schema_hash) -> std::string {
  std::string p = CIdent(prefix);
  std::string upper;
  for (char c : p) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  std::string out = fmt::format(
      "/* Generated by `cordon compile`: the request struct of policy `{}`. Do not edit.\n"
      " * Fill it and pass it to cordon_decide_struct() with the matching .so. Dates are days\n"
      " * since 1970-01-01; numbers exact fractions num/den of 128-bit integers (den > 0, in base\n"
      " * units); countries CountryIndex ((c0 - 'A') * 26 + (c1 - 'A')); texts pointer + size. */\n"
      "#ifndef {}_CORDON_H_\n#define {}_CORDON_H_\n\n#include <stdint.h>\n\n"
      "#ifndef CORDON_INT128_DEFINED\n#define CORDON_INT128_DEFINED\n"
      "/* GCC and Clang's 128-bit integer; __extension__ keeps -pedantic quiet. */\n"
      "__extension__ typedef __int128 cordon_int128;\n#endif\n\n"
      "#define {}_SCHEMA_HASH UINT64_C(0x{:016x})\n#define {}_ABI_VERSION {}u\n"
      "/* The whole policy (rules, dates, table rows): cordon_config.expected_policy_hash. */\n"
      "#define {}_POLICY_HASH UINT64_C(0x{:016x})\n\n",
      program.modules.empty() ? "" : program.modules.back(), upper, upper, upper, schema_hash,
      upper, CORDON_ABI_VERSION, upper, ir::PolicyHash(program));
  // Macros share one namespace: an enum named `RULE` must not redefine a rule's macro.
  // An element's fields are named by their path in the element: "Owner.share".
  auto record_path = [](const std::string& record, const std::string& path) {
    return record + path;
  };
  UniqueNames macros;
  for (const char* fixed : {"SCHEMA_HASH", "ABI_VERSION", "POLICY_HASH", "CORDON_H_"}) {
    macros.Take(fmt::format("{}_{}", upper, fixed));
  }
  for (size_t e = 0; e < program.enums.size(); ++e) {
    const ir::Enum& en = program.enums[e];
    std::string en_name = CIdent(en.name.empty() ? fmt::format("enum{}", e) : en.name);
    out += fmt::format("/* enum {} */\n", en.name);
    for (size_t v = 0; v < en.values.size(); ++v) {
      out += fmt::format("#define {} {}\n",
                         macros.Take(fmt::format("{}_{}_{}", upper, en_name, CIdent(en.values[v]))),
                         v);
    }
  }
  for (size_t r = 0; r < program.rules.size(); ++r) {
    // A `require` is named by its line, which moves with every edit: hosts read its message.
    if (program.rules[r].requirement) continue;
    out += fmt::format("#define {} {}\n",
                       macros.Take(fmt::format("{}_RULE_{}", upper, CIdent(program.rules[r].name))),
                       r);
  }
  for (size_t o = 0; o < program.outcomes.size(); ++o) {
    out += fmt::format(
        "#define {} {}\n",
        macros.Take(fmt::format("{}_OUTCOME_{}", upper, CIdent(program.outcomes[o]))), o);
  }
  // The element structs of lists, declared first so that any struct can point to any.
  UniqueNames types;
  types.Take(p + "_request");
  std::vector<std::string> element_names;
  for (const ir::ListShape& shape : program.lists) {
    element_names.push_back(types.Take(fmt::format("{}_{}", p, CIdent(shape.record))));
  }
  if (!element_names.empty()) out += "\n";
  for (const std::string& name : element_names) {
    out += fmt::format("typedef struct {0} {0};\n", name);
  }
  auto emit_struct = [&](const std::string& name, const RequestLayout& record, bool is_typedef,
                         const std::string& label) {
    out += is_typedef ? fmt::format("\ntypedef struct {}_request {{\n", p)
                      : fmt::format("\nstruct {} {{\n", name);
    uint32_t offset = 0;
    int pad = 0;
    UniqueNames members;
    auto padding = [&](uint32_t bytes) {
      out += fmt::format("  uint8_t {}[{}];\n", members.Take(fmt::format("pad{}_", pad++)), bytes);
    };
    auto field = [&](uint32_t at, const std::string& type, const std::string& member,
                     const char* array, uint32_t size, const std::string& comment) {
      if (at > offset) padding(at - offset);
      out += fmt::format("  {} {}{}; /* {} */\n", type, members.Take(member), array, comment);
      offset = at + size;
    };
    for (const SlotLayout& s : record.slots) {
      std::string path = is_typedef ? s.path : record_path(label, s.path);
      if (s.presence != ir::kNoId) {
        field(s.presence, "uint8_t", "has_" + s.name, "", 1, path + " is present");
      }
      std::string comment = path + ": " + s.type_text;
      switch (s.kind) {
        case ir::Kind::kBool:
          field(s.offset, "uint8_t", s.name, "", 1, comment);
          break;
        case ir::Kind::kNumber:
          field(s.offset, "cordon_int128", s.name + "_num", "", 16, comment);
          field(s.offset + 16, "cordon_int128", s.name + "_den", "", 16, "denominator, > 0");
          break;
        case ir::Kind::kDate:
          field(s.offset, "int32_t", s.name, "", 4, comment + ", days since 1970-01-01");
          break;
        case ir::Kind::kCountry:
        case ir::Kind::kEnum:
          field(s.offset, "uint16_t", s.name, "", 2, comment);
          break;
        case ir::Kind::kText:
          field(s.offset, "const char*", s.name, "", 8, comment);
          field(s.offset + 8, "uint64_t", s.name + "_size", "", 8, "bytes");
          break;
        case ir::Kind::kCountrySet:
          field(s.offset, "uint64_t", s.name, "[11]", 88, comment + ", bit per CountryIndex");
          break;
        case ir::Kind::kEnumSet:
        case ir::Kind::kRow:
        case ir::Kind::kElement:
          field(s.offset, "uint64_t", s.name, "", 8, comment + ", bit per value");
          break;
        case ir::Kind::kTextSet:
          field(s.offset, "const void*", s.name, "", 8, comment + ", set through the runtime");
          break;
        case ir::Kind::kList:
          field(s.offset, fmt::format("const {}*", element_names[s.list]), s.name, "", 8,
                fmt::format("{}, at most {} elements", comment, program.lists[s.list].max_length));
          field(s.offset + 8, "uint64_t", s.name + "_count", "", 8, "elements");
          break;
      }
    }
    if (record.size > offset) padding(record.size - offset);
    out += is_typedef ? fmt::format("}} {}_request;\n\n", p) : "};\n";
  };
  for (size_t k = 0; k < program.lists.size(); ++k) {
    emit_struct(element_names[k], layout.elements[k], false, program.lists[k].record);
  }
  emit_struct("", layout, true, "");
  auto assert_size = [&](const std::string& type, uint32_t size) {
    out += fmt::format(
        "#ifdef __cplusplus\nstatic_assert(sizeof({0}) == {1}, \"layout\");\n#else\n"
        "_Static_assert(sizeof({0}) == {1}, \"layout\");\n#endif\n",
        type, size);
  };
  for (size_t k = 0; k < program.lists.size(); ++k) {
    assert_size(element_names[k], layout.elements[k].size);
  }
  assert_size(p + "_request", layout.size);
  out += "\n#endif\n";
  return out;
}

}  // namespace cordon::abi
