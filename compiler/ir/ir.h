// SPDX-License-Identifier: Apache-2.0
// The IR: a checked policy as flat, id-indexed data. compiler/check builds it; the reference
// interpreter (compiler/interp) and the LLVM backend read it. It is data, not an engine.
//
// Everything the engines need is resolved here: names are ids, units are gone (every quantity is
// a Number in its dimension's base unit, literals already converted), `let` definitions are
// inlined, constant sub-expressions are folded, and equal expressions share one ValueId.
// A request is a flat array of slots, one per leaf field of the `input Request` record (and one
// presence slot per optional nested record), described by `schema`.
#ifndef CORDON_COMPILER_IR_IR_H_
#define CORDON_COMPILER_IR_IR_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/date.h"
#include "compiler/base/number.h"

namespace cordon::ir {

// Dense ids; the `_id` suffix names them in code.
using ValueId = uint32_t;
using RuleId = uint32_t;
using TableId = uint32_t;
using CitationId = uint32_t;
using OutcomeId = uint32_t;  // index into Program::outcomes: 0 is the highest
using EnumId = uint32_t;
using SlotId = uint32_t;

inline constexpr uint32_t kNoId = UINT32_MAX;

// Run-time kinds. `int`, `number`, quantities and `duration` (whole days) are all kNumber.
enum class Kind : uint8_t {
  kBool,
  kNumber,
  kDate,
  kCountry,
  kEnum,
  kText,
  kCountrySet,
  kEnumSet,
  kTextSet,
  kRow,
};
auto KindName(Kind kind) -> const char*;

// A set of countries: one bit per CountryIndex (0..675).
struct CountrySet {
  std::array<uint64_t, 11> words{};
  auto Has(uint32_t country) const -> bool { return (words[country / 64] >> (country % 64)) & 1; }
  void Insert(uint32_t country) { words[country / 64] |= uint64_t{1} << (country % 64); }
  friend auto operator==(const CountrySet&, const CountrySet&) -> bool = default;
};

struct TextSet {
  std::vector<std::string_view> sorted;  // into Program::texts
};

// One run-time value: a request slot, a table cell, a constant or an intermediate result.
// Which member is meaningful follows `kind`. Texts point into storage that outlives the datum
// (the program's text pool, or the decoded request).
struct Datum {
  Kind kind = Kind::kBool;
  bool present = true;        // false: an absent optional
  Number number;              // kNumber
  int64_t bits = 0;           // kBool 0/1, kDate day number, kCountry index, kEnum ordinal,
                              // kEnumSet mask, kRow (table << 32 | row)
  std::string_view text;      // kText
  const void* set = nullptr;  // kCountrySet: CountrySet*, kTextSet: TextSet*
};

enum class Op : uint8_t {
  kConst,      // a: index into Program::constants
  kSlot,       // a: request slot (absent when the field is optional and missing)
  kRowField,   // a: row value, b: column
  kIsSome,     // a: optional value
  kUnwrap,     // a: optional value the checker proved present
  kOtherwise,  // a if present, else b
  kNot,
  kAnd,  // short-circuit
  kOr,   // short-circuit
  kNeg,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kDateAddDays,  // a: date, b: days
  kDateSubDays,
  kDateDiff,  // a - b in days
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,  // a: element, b: set
  kUnion,
  kDifference,
  kTableHas,   // a: key, b: TableId
  kTableFind,  // a: key, b: TableId; an optional row
};
auto OpName(Op op) -> const char*;
// Whether `b` names a value: false for unary ops, and where `b` is a column or a TableId.
auto TakesValueB(Op op) -> bool;

struct Value {
  Op op;
  Kind kind;
  bool optional = false;
  uint32_t a = 0;
  uint32_t b = 0;
  EnumId enum_id = kNoId;  // kEnum and kEnumSet values
  // Source text of the expression, for --explain (empty for most values).
  std::string label;
};

// The request schema: a tree of records and leaves, stored flat; node 0 is `input Request`.
struct SchemaNode {
  std::string name;  // JSON key ("" for the root)
  bool is_record = false;
  bool optional = false;
  Kind kind = Kind::kBool;            // leaves
  EnumId enum_id = kNoId;             // kEnum and kEnumSet leaves
  bool integer = false;               // `int`: JSON must give a whole number
  bool duration = false;              // `duration`: whole days
  Number scale = Number::Integer(1);  // JSON value times scale = value in base units
  std::string type_text;              // the declared type, for messages ("number GB / s")
  SlotId slot = kNoId;                // leaf: its slot; optional record: its presence slot
  std::vector<uint32_t> children;
};

struct Enum {
  std::string name;
  std::vector<std::string> values;
};

struct Column {
  std::string name;
  Kind kind;
  EnumId enum_id = kNoId;
  bool optional = false;
  std::string type_text;
  Number scale = Number::Integer(1);  // CSV cell times scale = value in base units
  bool match_normalized = false;      // `match normalized`: compared by NormalizeName
  bool integer = false;               // `int`: cells must be whole numbers
};

// Column 0 is the key. Rows of a `from` table are read and checked at compile time; an
// `extern` table starts with them (or empty) and the host may replace them.
struct Table {
  std::string name;
  bool is_extern = false;
  std::string file;  // the CSV it was read from, if any
  std::vector<Column> columns;
  // `match normalized` on the key: keys compare after NormalizeName, and each `set<text>`
  // column in `alias_columns` adds its elements as further keys of the row.
  bool normalized = false;
  std::vector<uint32_t> alias_columns;
  std::vector<std::vector<Datum>> rows;
};

struct Exception {
  ValueId condition;
  OutcomeId outcome;
  std::string message;
};

struct Rule {
  std::string name;
  std::string module;
  std::string file;
  uint32_t line = 0;
  CitationId cites = kNoId;
  std::optional<DayNumber> effective;  // in force from this day
  std::optional<DayNumber> until;      // up to, not including, this day
  ValueId when;
  OutcomeId outcome;
  std::string message;
  std::vector<Exception> unless;
};

// A `test` block: a request built at compile time and the decision it must get.
struct Test {
  std::string name;
  std::string file;
  uint32_t line = 0;
  std::vector<Datum> request;
  OutcomeId expect;
  std::vector<RuleId> by;  // each must be among the fired rules
};

struct Program {
  std::vector<std::string> modules;   // loaded, in dependency order
  std::vector<std::string> outcomes;  // highest first
  std::vector<Enum> enums;
  std::vector<SchemaNode> schema;
  uint32_t slot_count = 0;
  SlotId as_of_slot = kNoId;  // `as_of: date` of the request, if declared
  std::vector<Value> values;
  std::vector<Datum> constants;
  std::vector<Table> tables;
  std::vector<std::string> citations;
  std::vector<Rule> rules;
  std::vector<Test> tests;

  // Storage that data points into. Deques: growing them never moves an element.
  std::deque<std::string> texts;
  std::deque<CountrySet> country_sets;
  std::deque<TextSet> text_sets;

  Program() = default;
  Program(const Program&) = delete;
  auto operator=(const Program&) -> Program& = delete;
  Program(Program&&) = default;
  auto operator=(Program&&) -> Program& = default;

  // Stores a text for the lifetime of the program.
  auto AddText(std::string_view text) -> std::string_view;
};

// A stable text rendering for `cordon compile --phase=ir` and golden tests.
auto Print(const Program& program) -> std::string;
// A datum as rule text would write it ("4992", "CN", "2023-11-17", "{CN, MO}").
auto FormatDatum(const Program& program, const Datum& datum, EnumId enum_id = kNoId) -> std::string;

}  // namespace cordon::ir

#endif  // CORDON_COMPILER_IR_IR_H_
