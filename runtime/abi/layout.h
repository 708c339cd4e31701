// SPDX-License-Identifier: Apache-2.0
// The request as a flat C struct: one field per request slot, in schema order, with a presence
// byte for each optional slot. The generated code reads it, the generated header declares it,
// and the runtime fills it from decoded JSON; all three use this one layout. No LLVM here.
#ifndef CORDON_RUNTIME_ABI_LAYOUT_H_
#define CORDON_RUNTIME_ABI_LAYOUT_H_

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/ir/ir.h"

namespace cordon::abi {

struct SlotLayout {
  ir::Kind kind = ir::Kind::kBool;
  bool optional = false;
  uint32_t offset = 0;            // the value
  uint32_t presence = ir::kNoId;  // offset of the presence byte (optional slots)
  std::string name;               // C field name: the JSON path joined by `_` ("item_tpp")
  std::string path;               // "$.item.tpp", for comments and messages
  ir::EnumId enum_id = ir::kNoId;
  std::string type_text;
  bool is_record_presence = false;  // an optional record's own slot: only its presence counts
  bool integer = false;             // `int`: the denominator must be 1
  uint32_t list = ir::kNoId;        // a kList slot: its shape (RequestLayout::elements)
  // The presence bytes of the optional records around this slot, outermost first. While one of
  // them is 0 the slot is never read, and may hold anything.
  std::vector<uint32_t> records;
};

// A list field is `{const ELEMENT* items; uint64_t count;}`: 16 bytes, the elements an array of
// structs laid out by `elements[shape]` (slots numbered from 0, paths relative: ".share").
struct RequestLayout {
  std::vector<SlotLayout> slots;  // indexed by SlotId
  uint32_t size = 0;
  uint32_t align = 8;
  std::vector<RequestLayout> elements;  // by ir::ListShape id; only in the request's layout
};

auto LayoutRequest(const ir::Program& program) -> RequestLayout;

// Where PackRequest puts the element structs of lists: reused from decision to decision.
class PackArena {
 public:
  void Reset() { used_ = 0; }
  // `bytes` zeroed bytes, 8-aligned, valid until the arena is destroyed (Reset reuses them).
  auto Allocate(size_t bytes) -> uint8_t*;

 private:
  std::deque<std::vector<uint64_t>> blocks_;
  size_t used_ = 0;
};

// Where UnpackRequest puts what decoded slots point to (list elements, country sets): reused from
// decision to decision.
class UnpackArena {
 public:
  void Reset() { sets_used_ = lists_used_ = data_used_ = 0; }
  auto NewSet() -> ir::CountrySet*;
  auto NewList() -> ir::List*;
  auto NewData(size_t count) -> ir::Datum*;

 private:
  std::deque<ir::CountrySet> sets_;
  std::deque<ir::List> lists_;
  std::deque<std::vector<ir::Datum>> data_;
  size_t sets_used_ = 0;
  size_t lists_used_ = 0;
  size_t data_used_ = 0;
};

// The slots of a request struct that Session::CheckStruct accepted, as the decoder would have
// made them from JSON: the interpreter decides a host's struct this way. Texts point into the
// host's memory. A field of an absent optional (or inside an absent optional record) is absent.
void UnpackRequest(const RequestLayout& layout, const uint8_t* request,
                   std::vector<ir::Datum>& slots, UnpackArena& arena);

// What a host-filled struct may hold, checked by the generated evaluator (which refuses the
// struct) and by the runtime (which then says which field is wrong): one definition for both.
// Days are kFirstDay to kLastDay (runtime/base/date.h).
struct StructBounds {
  // Bit i: country index i is an assigned code.
  std::array<uint64_t, (kCountrySlots + 63) / 64> assigned_countries;
};
auto GetStructBounds() -> const StructBounds&;

// Bytes and alignment of a slot's value.
auto SlotSize(ir::Kind kind) -> uint32_t;

// Writes decoded slots into a request struct of layout.size bytes (8-aligned). Texts and sets
// are pointers into the datums' storage, which must outlive the decision; the elements of lists
// go into `arena` (required when the policy has lists).
void PackRequest(const RequestLayout& layout, std::span<const ir::Datum> slots, uint8_t* out,
                 PackArena* arena = nullptr);

// The C declaration of the request struct and its enums, for the generated header.
auto CHeader(const ir::Program& program, const RequestLayout& layout, std::string_view prefix,
             uint64_t schema_hash) -> std::string;

}  // namespace cordon::abi

#endif  // CORDON_RUNTIME_ABI_LAYOUT_H_
