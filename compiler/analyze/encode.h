// SPDX-License-Identifier: Apache-2.0
// Internal to compiler/analyze (includes z3++.h, which is heavy): an ir::Program's decision as Z3
// terms over a symbolic request that several programs share, so that two policies' decisions can
// be compared field for field.
//
// The encoding follows runtime/interp exactly: rules in force by effective/until against the
// decision's day (after the review date's move), `when` and `unless` with the interpreter's
// short-circuit order of evaluation (what fails decides which rule is in error), `require`s as
// `error`, the highest outcome fired, the lowest when none. What it cannot say exactly (text
// functions, ordering of texts, sets compared whole) becomes an uninterpreted function of the
// operands: an over-approximation, so "no request differs" stays true of the real policy, and
// whatever a model says is re-decided by the interpreter before anyone sees it.
//
// The request space is bounded (Bounds): lists have at most `list_length` elements, nested at
// most `list_depth` deep; numbers are within ±10^15; dates within 1990-01-01..2099-12-31; a text
// is one of the texts the policy names (table keys and aliases, one near miss of each listed
// name, constants) or a name that no table lists and no rule names.
#ifndef CORDON_COMPILER_ANALYZE_ENCODE_H_
#define CORDON_COMPILER_ANALYZE_ENCODE_H_

#include <z3++.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/analyze/analyze.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/table_data.h"

namespace cordon::analyze {

inline constexpr int kFirstAnalysedYear = 1990;
inline constexpr int kLastAnalysedYear = 2099;

struct ListVar;

// One request field (a leaf of the schema), shared by every program that has it (by JSON path).
struct SlotVar {
  std::string path;  // "end_user.owners[0].name"
  ir::Kind kind;
  const ir::SchemaNode* node;
  z3::expr value;           // Bool, Real (numbers), Int (dates, countries, enums, texts as ids)
  z3::expr present;         // false: absent (an optional field or one under an absent record)
  z3::expr own;             // the field's own presence variable (true when required)
  z3::expr symbol;          // the constant behind `value` (an `int`'s count of its unit)
  ListVar* list = nullptr;  // kList
};

struct ElementVar {
  std::vector<SlotVar*> slots;  // by the element's slot number
};

struct ListVar {
  std::string path;
  z3::expr length;
  std::vector<std::unique_ptr<ElementVar>> elements;
};

// The texts a request's text fields range over: index = the text's id; ids from `known.size()`
// on are names that nothing lists or names.
struct TextUniverse {
  std::vector<std::string> known;
  std::map<std::string, int, std::less<>> ids;
  auto Id(std::string_view text) -> int;
  auto Text(int64_t id) const -> std::string;
};

class RequestSpace;

// The symbolic value of one IR value.
struct Sym {
  explicit Sym(z3::context& ctx)
      : v(ctx.bool_val(true)), present(ctx.bool_val(true)), ok(ctx.bool_val(true)) {}
  ir::Kind kind = ir::Kind::kBool;
  z3::expr v;
  z3::expr present;
  z3::expr ok;
  std::function<z3::expr(const z3::expr&)> has;  // sets: membership of an element
  const ListVar* list = nullptr;                 // kList (v: its effective length)
  const ElementVar* element = nullptr;           // kElement
  ir::TableId table = ir::kNoId;                 // kRow (v: the row index, -1 none)
  bool approximate = false;
};

// The decision terms of one program.
struct RuleTerms {
  z3::expr in_force;
  z3::expr fires;                 // fired without error, with `outcome`
  z3::expr fails;                 // in error (the decision is `error`)
  z3::expr when;                  // in force, `when` evaluated and true
  z3::expr outcome;               // Int: the rule's outcome when it fires
  std::vector<z3::expr> reached;  // per unless: its condition is evaluated
  std::vector<z3::expr> taken;    // per unless: it applies
  std::vector<size_t> atoms;      // into DecisionTerms::atoms: this rule's condition leaves
  bool approximate = false;
};

struct DecisionTerms {
  z3::expr error;
  z3::expr outcome;  // Int, an OutcomeId; meaningful when !error
  std::vector<RuleTerms> rules;
  bool approximate = false;
  std::vector<z3::expr> atoms;          // the Boolean leaves of the rules' conditions
  std::vector<std::string> atom_texts;  // how each reads
};

// The symbolic request every encoded program reads, and the texts it ranges over.
class RequestSpace {
 public:
  RequestSpace(z3::context& ctx, const Bounds& bounds) : ctx_(ctx), bounds_(bounds) {}
  // Adds `program`'s fields and texts. Call for every program before Encode.
  void AddProgram(const ir::Program& program);
  // The day the decisions are made for: `as_of` when given, else the `as_of` field.
  void SetDay(std::optional<DayNumber> as_of);

  auto ctx() -> z3::context& { return ctx_; }
  auto bounds() const -> const Bounds& { return bounds_; }
  auto texts() -> TextUniverse& { return texts_; }
  auto domain() const -> const std::vector<z3::expr>& { return domain_; }
  auto day() const -> const z3::expr& { return *day_; }
  auto Field(const std::string& path) -> SlotVar*;
  auto fields() -> std::vector<SlotVar*>;
  auto lists() -> std::vector<ListVar*>;

  // The request a model describes, as JSON `cordon decide` reads (the first program's schema).
  using Valuation = std::function<z3::expr(const z3::expr&)>;
  auto ModelJson(const z3::model& model) -> std::string;
  auto ModelJson(const Valuation& eval) -> std::string;
  // A field's value as a request gives it ("4992", "CN", "2024-06-01", "\"Acme\"").
  auto FormatValue(const SlotVar& field, const z3::model& model) -> std::string;
  auto FormatValue(const SlotVar& field, const Valuation& eval) -> std::string;
  auto FormatNumberIn(const ir::SchemaNode& node, const z3::expr& base) -> std::string;
  // Every field fixed to `request`'s value (slots of `program`): a constant for each symbol.
  struct Fixed {
    SlotVar* var;
    z3::expr symbol;
    z3::expr value;
  };
  auto Fix(const ir::Program& program, std::span<const ir::Datum> request) -> std::vector<Fixed>;

  auto SlotPath(const ir::Program& program, ir::SlotId slot) -> SlotVar*;

 private:
  void AddNode(const ir::Program& program, uint32_t node, const std::string& path,
               const z3::expr& parent_present, std::vector<SlotVar*>* element, uint32_t depth);
  auto NewField(const ir::Program& program, const ir::SchemaNode& node, const std::string& path,
                const z3::expr& parent_present, uint32_t depth) -> SlotVar*;
  void JsonNode(const ir::Program& program, uint32_t node, const std::string& path,
                const Valuation& eval, std::string& out);
  void FixDatum(const ir::Program& program, SlotVar* var, const ir::Datum& d,
                std::vector<Fixed>& out);

  z3::context& ctx_;
  Bounds bounds_;
  TextUniverse texts_;
  std::vector<z3::expr> domain_;
  std::optional<z3::expr> day_;
  std::map<std::string, std::unique_ptr<SlotVar>> fields_;
  std::map<std::string, std::unique_ptr<ListVar>> lists_;
  std::vector<const ir::Program*> programs_;
  std::map<const ir::Program*, std::vector<std::string>> slot_paths_;
};

// Encodes one program's decision over `space`.
auto EncodeDecision(RequestSpace& space, const ir::Program& program) -> DecisionTerms;

// A readable rendering of an IR value (field paths, names of lets where the IR keeps them).
auto RenderValue(const ir::Program& program, ir::ValueId id) -> std::string;

// z3 numeral -> Number; nullopt when it does not fit.
auto ToNumber(const z3::expr& numeral) -> std::optional<Number>;
// The unit a field's declared type gives ("number GB / s?" -> "GB / s"; "" for none).
auto UnitText(const ir::SchemaNode& node) -> std::string;
auto ToZ3(z3::context& ctx, const Number& n) -> z3::expr;

}  // namespace cordon::analyze

#endif  // CORDON_COMPILER_ANALYZE_ENCODE_H_
