// SPDX-License-Identifier: Apache-2.0
// The IR: a checked policy as flat, id-indexed data. compiler/check builds it; the reference
// interpreter (compiler/interp) and the LLVM backend read it. It is data, not an engine.
//
// Everything the engines need is resolved here: names are ids, units are gone (every quantity is
// a Number in its dimension's base unit, literals already converted), `let` definitions are
// inlined, constant sub-expressions are folded, and equal expressions share one ValueId.
// A request is a flat array of slots, one per leaf field of the `input Request` record (and one
// presence slot per optional nested record), described by `schema`.
#ifndef CORDON_RUNTIME_IR_IR_H_
#define CORDON_RUNTIME_IR_IR_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/base/huge_pages.h"
#include "runtime/base/names.h"
#include "runtime/base/number.h"

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
  kList,     // a request list: `set` points to an ir::List
  kElement,  // a quantifier's current element: `set` points to its first slot (const Datum*)
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

// A std::string_view that a union can hold (its default constructor is trivial, which
// string_view's is not). Size first: a Datum's default payload, the number 0/1, reads as empty.
class TextView {
 public:
  TextView() = default;
  constexpr TextView(std::string_view v) : size_(v.size()), data_(v.data()) {}
  TextView(const std::string& s) : TextView(std::string_view(s)) {}
  constexpr operator std::string_view() const { return {data_, size_}; }
  constexpr auto view() const -> std::string_view { return {data_, size_}; }
  constexpr auto data() const -> const char* { return data_; }
  constexpr auto size() const -> size_t { return size_; }
  constexpr auto empty() const -> bool { return size_ == 0; }
  constexpr auto begin() const -> const char* { return data_; }
  constexpr auto end() const -> const char* { return data_ + size_; }
  constexpr auto compare(std::string_view other) const -> int { return view().compare(other); }
  friend constexpr auto operator==(TextView a, std::string_view b) -> bool { return a.view() == b; }
  friend constexpr auto operator<=>(TextView a, std::string_view b) { return a.view() <=> b; }
  // Where compiled code reads a text cell in place (runtime/abi/abi.h).
  static constexpr auto SizeOffset() -> size_t { return offsetof(TextView, size_); }
  static constexpr auto DataOffset() -> size_t { return offsetof(TextView, data_); }

 private:
  size_t size_;
  const char* data_;
};

// One run-time value: a request slot, a table cell, a constant or an intermediate result.
// Exactly one payload member is meaningful, the one `kind` names; they share storage, so that a
// request, a memo and a table row are 40 bytes a value (they were 56, and a decision's time went
// to the cache misses; 24 before numbers grew to 128 bits). Texts point into storage that outlives
// the datum (the program's text pool, or the decoded request).
struct Datum {
  Kind kind = Kind::kBool;
  bool present = true;  // false: an absent optional
  union {
    Number number = {};  // kNumber. The default 0/1 leaves bits 0, set null and text empty.
    int64_t bits;        // kBool 0/1, kDate day number, kCountry index, kEnum ordinal,
                         // kEnumSet mask, kRow (table << 32 | row)
    TextView text;       // kText
    const void* set;     // kCountrySet: CountrySet*, kTextSet: TextSet*, kList: List*,
                         // kElement: the element's first slot (const Datum*)
  };
};
static_assert(sizeof(Datum) == 40);

// A list in a decoded request: `count` elements of `stride` slots each, one after another. An
// element's slots are numbered from 0 (ListShape); a list inside an element is a kList slot of
// it, so an ownership tree is lists of lists. Storage belongs to the decoder (or the program,
// for a test's request).
struct List {
  const Datum* items = nullptr;
  uint32_t count = 0;
  uint32_t stride = 0;
};

// The empty list (an absent `list<R>`), from storage that lives as long as the program.
inline auto EmptyList() -> Datum {
  static const List kEmpty;
  return Datum{.kind = Kind::kList, .set = &kEmpty};
}

// Lists nest at most this deep in a request (`$.end_user.owners[0].owners[0]…`: 16 levels of
// owners). A deeper request is refused with its JSON path, and recursion over a list is unrolled
// to this depth, so every decision ends.
inline constexpr uint32_t kMaxListDepth = 16;
// What every engine says when Op::kTooDeep is reached.
inline constexpr const char* kTooDeepMessage =
    "the request's lists nest deeper than the 16 levels a recursive definition is unrolled to";

// Which member of a Datum a kind is read through: the one place that says so.
enum class Payload : uint8_t { kBits, kNumber, kText, kSet };
constexpr auto PayloadOf(Kind kind) -> Payload {
  switch (kind) {
    case Kind::kNumber:
      return Payload::kNumber;
    case Kind::kText:
      return Payload::kText;
    case Kind::kCountrySet:
    case Kind::kTextSet:
    case Kind::kList:
    case Kind::kElement:
      return Payload::kSet;
    default:
      return Payload::kBits;
  }
}

// The operations, from ops.def (where each is described).
enum class Op : uint8_t {
#define CORDON_OP(Name, text, operands) k##Name,
#include "runtime/ir/ops.def"
};
inline constexpr size_t kOpCount = 0
#define CORDON_OP(Name, text, operands) +1
#include "runtime/ir/ops.def"
    ;

// What a value's `a` and `b` hold, by op (ops.def).
enum class Operands : uint8_t {
  kNone,      // neither
  kConstant,  // a: a constant
  kSlot,      // a: a request slot
  kOne,       // a: a value
  kTwo,       // a and b: values
  kColumn,    // a: a row value, b: a column
  kTable,     // a: a key value, b: a TableId
  kElement,   // a: a binder value, b: a slot of its list's elements
  kBinder,    // a: a list value, b: a number that makes each quantifier's binder its own
};
auto OperandsOf(Op op) -> Operands;
auto OpName(Op op) -> const char*;
// Whether `b` names a value: false for unary ops, and where `b` is a column or a TableId.
inline auto TakesValueB(Op op) -> bool { return OperandsOf(op) == Operands::kTwo; }
// Whether `a` names a value (false for constants, slots and ops without operands).
inline auto TakesValueA(Op op) -> bool {
  Operands o = OperandsOf(op);
  return o == Operands::kOne || o == Operands::kTwo || o == Operands::kColumn ||
         o == Operands::kTable || o == Operands::kElement || o == Operands::kBinder;
}

struct Value {
  Op op;
  Kind kind;
  bool optional = false;
  uint32_t a = 0;
  uint32_t b = 0;
  EnumId enum_id = kNoId;  // kEnum and kEnumSet values; kList and kElement: the ListShape
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
  uint32_t list = kNoId;  // a kList leaf: its ListShape (Program::lists)
};

// The elements of a `list<R>` field. Their slots are numbered from 0 under `element`, a record
// node of the schema that the list leaf does not list among its children; a recursive record
// (`Owner` holding `owners: list<Owner>`) points back to its own shape.
struct ListShape {
  std::string record;        // the element record's name, for messages and the C header
  uint32_t element = kNoId;  // schema node of the element record
  uint32_t slot_count = 0;   // slots per element
  uint32_t max_length = 0;   // a longer JSON array is refused
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
  bool match_normalized = false;      // `match normalized` or `match R`: compared by names
  bool integer = false;               // `int`: cells must be whole numbers
};

// A table's rows as one block of cells, `columns` to a row: a 100,000-row table is one
// allocation, not 100,000, and a row is found by arithmetic, not through a pointer.
class Rows {
 public:
  Rows() = default;
  explicit Rows(uint32_t columns) : columns_(columns) {}

  auto columns() const -> uint32_t { return columns_; }
  auto size() const -> size_t { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  auto empty() const -> bool { return cells_.empty(); }
  auto cells() const -> const Datum* { return cells_.data(); }
  auto operator[](size_t row) const -> std::span<const Datum> {
    return {cells_.data() + row * columns_, columns_};
  }
  auto operator[](size_t row) -> std::span<Datum> {
    return {cells_.data() + row * columns_, columns_};
  }
  void reserve(size_t rows) { cells_.reserve(rows * columns_); }
  // Appends a row of default cells and returns it (valid until the next AddRow).
  auto AddRow() -> std::span<Datum> {
    cells_.resize(cells_.size() + columns_);
    return (*this)[size() - 1];
  }
  void PopRow() { cells_.resize(cells_.size() - columns_); }

  class Iterator {
   public:
    Iterator(const Datum* at, uint32_t columns) : at_(at), columns_(columns) {}
    auto operator*() const -> std::span<const Datum> { return {at_, columns_}; }
    auto operator++() -> Iterator& {
      at_ += columns_;
      return *this;
    }
    friend auto operator==(const Iterator&, const Iterator&) -> bool = default;

   private:
    const Datum* at_;
    uint32_t columns_;
  };
  auto begin() const -> Iterator { return {cells_.data(), columns_}; }
  auto end() const -> Iterator { return {cells_.data() + cells_.size(), columns_}; }

 private:
  uint32_t columns_ = 0;
  HugeVector<Datum> cells_;  // read at random by lookups: huge pages when large
};

// Column 0 is the key. Rows of a `from` table are read and checked at compile time; an
// `extern` table starts with them (or empty) and the host may replace them.
struct Table {
  std::string name;
  bool is_extern = false;
  std::string file;  // the CSV it was read from, if any
  std::vector<Column> columns;
  // `match normalized` (or `match R`, R a `normalization`) on the key: keys compare after
  // NormalizeName by `names`, and each `set<text>` column in `alias_columns` adds its elements
  // as further keys of the row. `names_id` numbers the program's distinct rule sets (0 for
  // `normalized`), so that a name is normalised once for all the tables that share its rules.
  bool normalized = false;
  NameRules names;
  uint32_t names_id = 0;
  std::vector<uint32_t> alias_columns;
  Rows rows;
};

// `{e.name}` in a message: the bytes [begin, end) of the message stand for the value `value`,
// written out when the rule fires ("one letter from {e.name}" says which listed party).
struct MessageHole {
  uint32_t begin;
  uint32_t end;
  ValueId value;
  std::string unit;  // a quantity's unit, written after its number ("814.5 mm2")
};

struct Exception {
  ValueId condition;
  OutcomeId outcome;
  std::string message;
  std::vector<MessageHole> holes;
  // The line of its `unless`, for `cordon test --coverage`. Not serialised (a bundle or a .so
  // reads 0): only a policy checked from rule text is reported on, and no engine reads it.
  uint32_t line = 0;
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
  std::vector<MessageHole> holes;
  std::vector<Exception> unless;
  // A `require`: `when` holds when the request breaks it, and then the decision is `error` with
  // `message` (its JSON paths included) instead of a reason. `outcome` is the lowest, unused.
  bool requirement = false;
};

// A `test` block: a request built at compile time and the decision it must get.
struct Test {
  std::string name;
  std::string file;
  uint32_t line = 0;
  std::vector<Datum> request;
  OutcomeId expect;
  bool expect_error = false;  // `expect error`: the request breaks a `require` (expect is 0)
  std::vector<RuleId> by;     // each must be among the fired rules
};

struct Program {
  std::vector<std::string> modules;   // loaded, in dependency order
  std::vector<std::string> outcomes;  // highest first
  std::vector<Enum> enums;
  std::vector<SchemaNode> schema;
  std::vector<ListShape> lists;
  uint32_t slot_count = 0;
  SlotId as_of_slot = kNoId;  // `as_of: date` of the request, if declared
  std::vector<Value> values;
  std::vector<Datum> constants;
  std::vector<Table> tables;
  // How many distinct Table::names_id the tables have (at least 1).
  auto name_rule_sets() const -> uint32_t {
    uint32_t most = 0;
    for (const Table& t : tables) most = std::max(most, t.names_id);
    return most + 1;
  }
  std::vector<std::string> citations;
  std::vector<Rule> rules;
  // INVARIANT: rules[first_requirement..] are the `require`s, and only they. Engines list reasons
  // in rule order, so a decision's broken requirements are the tail of its reasons.
  RuleId first_requirement = kNoId;  // kNoId: none (a Program not built by the checker)
  // `reviewed D grace N`: the law is encoded as it stood on D. A request for a later day up to N
  // days after D is decided as of D with a warning; one later still is refused (fails closed).
  std::optional<DayNumber> reviewed;
  int32_t review_grace_days = 0;
  std::vector<Test> tests;

  // Storage that data points into. Deques: growing them never moves an element.
  std::deque<std::string> texts;
  std::deque<CountrySet> country_sets;
  std::deque<TextSet> text_sets;
  std::deque<List> lists_data;                // the lists of test requests
  std::deque<std::vector<Datum>> list_items;  // their elements

  Program() = default;
  Program(const Program&) = delete;
  auto operator=(const Program&) -> Program& = delete;
  Program(Program&&) = default;
  auto operator=(Program&&) -> Program& = default;

  // Stores a text for the lifetime of the program.
  auto AddText(std::string_view text) -> std::string_view;
};

// The text slots that tables are looked up by (an end user's name), each once. Their bytes live
// far from the rest of a request, so the engines fetch them as a decision starts, and every
// engine memoises a decision's lookups by a slot's index here (FieldLookups).
auto LookupKeySlots(const Program& program) -> std::vector<SlotId>;
// The request text slot that the table key `key` reads, present or proved present; kNoId when
// the key is computed (a row's text, a constant).
auto LookupKeySlot(const Program& program, ValueId key) -> SlotId;
// Which of `slots` (LookupKeySlots) the table key `key` reads, or kNoId: the field number the
// engines memoise a decision's lookups by (FieldLookups).
auto LookupKeyField(const Program& program, const std::vector<SlotId>& slots, ValueId key)
    -> uint32_t;

// Where each rule's message holes start in one array of all of them, numbered rule by rule (a
// rule's own holes, then each `unless`'s): the compiled code writes the values there.
auto MessageHoleStarts(const Program& program) -> std::vector<uint32_t>;
auto MessageHoleCount(const Program& program) -> uint32_t;
// `message` with each hole replaced by its value, as a message says it (a text without quotes).
auto FillMessage(const Program& program, std::string_view message,
                 std::span<const MessageHole> holes, std::span<const Datum> values) -> std::string;

// Whether a decision depends on its day: a rule in force only from or until a date, a review
// date, or a value reading `as_of` (a dated set, a listing date, `request.as_of`). When none
// does, the engines skip reading the clock.
auto ReadsDay(const Program& program) -> bool;

// Whether each value reads a quantifier's current element (through its binder), so that an
// engine computes it again for every element instead of once a decision. A quantifier itself
// depends only on its list and on the binders of quantifiers around it, not on its own binder.
auto ElementDependent(const Program& program) -> std::vector<bool>;
inline auto IsQuantifier(Op op) -> bool {
  return op == Op::kAny || op == Op::kAll || op == Op::kCount || op == Op::kSum || op == Op::kMin ||
         op == Op::kMax;
}

// A stable text rendering for `cordon compile --phase=ir` and golden tests.
auto Print(const Program& program) -> std::string;
// A datum as rule text would write it ("4992", "CN", "2023-11-17", "{CN, MO}").
auto FormatDatum(const Program& program, const Datum& datum, EnumId enum_id = kNoId) -> std::string;

}  // namespace cordon::ir

#endif  // CORDON_RUNTIME_IR_IR_H_
