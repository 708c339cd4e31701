// SPDX-License-Identifier: Apache-2.0
// The checker's state, shared by the files of compiler/check (modules, declarations,
// expressions, tables, tests). Internal to the phase: include only from compiler/check.
#ifndef CORDON_COMPILER_CHECK_CHECKER_H_
#define CORDON_COMPILER_CHECK_CHECKER_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/check/types.h"
#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/base/spelling.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/ops.h"

namespace cordon::check {

struct Builtin;  // expressions.cpp

// What a top-level name in a module refers to.
enum class SymbolKind : uint8_t { kUnit, kInput, kLet, kTable, kNormalization };

struct Symbol {
  SymbolKind kind;
  uint32_t module;  // the declaring module
  uint32_t decl;    // index into its File::decls
};

struct Module {
  std::string name;
  std::string path;
  std::string dir;
  const SourceBuffer* source = nullptr;
  ast::File file;
  // Declared here, by name.
  std::map<std::string, Symbol> own;
  // Visible here: own names, then imported ones. `import_decl` says which import brought it.
  struct Visible {
    Symbol symbol;
    uint32_t import_decl = ir::kNoId;  // kNoId: declared here
    SourceRange import_range;
    bool used = false;
  };
  std::map<std::string, Visible> visible;
  std::map<std::string, std::vector<uint32_t>> ambiguous;  // name -> modules that offer it
  struct Import {
    uint32_t decl;
    uint32_t module = ir::kNoId;
    bool whole = false;
    bool used = false;
  };
  std::vector<Import> imports;
  bool has_rules = false;
  // Names promised by imports that failed: using one is not reported again.
  std::set<std::string> broken;
  bool has_broken_whole_import = false;
  // Side table: the checked type of every expression and type node, by NodeId.
  std::vector<Type> types;
};

// The checked result of an expression.
struct Typed {
  Type type;
  ir::ValueId value = ir::kNoId;  // kNoId while checking a `let` body for its own sake
  uint32_t schema = ir::kNoId;    // kRecord: the request schema node it denotes
  uint32_t table = ir::kNoId;     // kTable
  uint32_t dated = ir::kNoId;     // a dated set<country>: its index in Checker::dated_sets_
  // kRecord inside a list element: the binder of the quantifier visiting it, whose fields are
  // read with Op::kElemField (the request's own records read Op::kSlot).
  ir::ValueId element = ir::kNoId;

  static auto Error() -> Typed { return Typed{}; }
};

// A set of countries whose members carry dates (`{CN, NI from 2024-03-15}`), known when the
// policy is compiled. It has no IR value of its own: its algebra is done here, and membership
// becomes a test of the decision's day (Op::kAsOf) against each period of fixed membership.
struct DatedMember {
  CountryIndex country = 0;
  DayNumber from = kFirstDay;      // inclusive
  DayNumber until = kLastDay + 1;  // exclusive
};
struct DatedSet {
  std::vector<DatedMember> members;  // by country, then from; no two overlap or touch
};

struct Binding {
  std::string name;
  Typed value;
  // For structural recursion: a parameter of the definition being checked, or an element of a
  // list reached from one (strictly smaller than the parameter, so a call on it goes down).
  bool param = false;
  bool smaller = false;
  SourceRange range;  // where the name is bound, for the editor index
};

// Where an expression is checked.
struct Env {
  uint32_t module = 0;
  std::vector<Binding> locals;
  // false while checking a `let` body once for its diagnostics; true when lowering to IR.
  bool emit = true;
  // true when a `let` body is inlined: it was checked already, so no diagnostic repeats.
  bool quiet = false;
  // Unit definitions and test values must be constant.
  bool constant_only = false;
  // The `let` whose body this is ({module, decl}), so a call of it is known to be recursive.
  std::pair<uint32_t, uint32_t> let = {UINT32_MAX, UINT32_MAX};
};

struct RecordField {
  std::string name;
  Type type;
  Number scale = Number::Integer(1);
  std::string type_text;
  SourceRange range;
  uint32_t module = UINT32_MAX;  // where it is declared, when an `extend` in another module adds it
  uint32_t list_max = 0;         // `list<R, N>`: N (the default when not written)
};

struct Record {
  std::string name;
  uint32_t module;
  uint32_t decl;
  std::vector<RecordField> fields;
  bool resolved = false;
  bool resolving = false;
};

struct UnitInfo {
  DimensionId dim = kDimensionless;
  Number scale = Number::Integer(1);
};

enum class State : uint8_t { kUnvisited, kInProgress, kDone };

struct LetInfo {
  State state = State::kUnvisited;
  bool ok = false;
  Type result;
  std::vector<Type> params;
  Typed constant;  // a `let` without parameters, lowered once
  bool used = false;
  bool recursive = false;  // calls itself on smaller parts of its parameters
  uint32_t inlining = 0;   // how deep its body is being inlined into itself now
};

struct UnitState {
  State state = State::kUnvisited;
  bool ok = false;
  UnitInfo info;
};

struct TableInfo {
  State state = State::kUnvisited;
  uint32_t table = ir::kNoId;
  std::vector<Type> columns;
};

struct NormalizationInfo {
  State state = State::kUnvisited;
  bool ok = false;
  NameRules rules;
  uint32_t id = 0;  // Table::names_id once a table uses it, from 1 (0 is `match normalized`)
};

class Checker : public ir::SetStorage {
 public:
  Checker(const CheckOptions& options, ast::ModuleLoader& loader, DiagnosticEmitter& emitter)
      : options_(options), loader_(loader), emitter_(emitter) {}

  auto Run(const std::vector<std::string>& roots) -> ErrorOr<std::optional<ir::Program>>;

  auto NewCountrySet() -> ir::CountrySet* override { return &program_.country_sets.emplace_back(); }
  // A text function of constants, folded: its text belongs to the program.
  auto NewText(size_t size) -> char* override {
    return program_.texts.emplace_back(size, '\0').data();
  }

 private:
  // modules.cpp
  auto LoadRoot(const std::string& path) -> ErrorOr<uint32_t>;
  auto LoadFile(const std::string& path, const std::string& fallback_name) -> ErrorOr<uint32_t>;
  void LoadImports(uint32_t module);
  void OrderModules(const std::vector<uint32_t>& roots);
  void DeclareNames(uint32_t module);
  void ImportNames(uint32_t module);
  void ReportUnused(uint32_t module);
  void ReportDropped(const std::vector<uint32_t>& roots);
  void ReportShadowed();

  // declarations.cpp
  void CheckOutcomes();
  void CheckRequest();
  void CheckModule(uint32_t module);
  // The day a `let` names in `effective NAME` / `until NAME`, or nullopt once reported.
  auto NamedDate(uint32_t m, const ast::Expr& name, const char* clause) -> std::optional<DayNumber>;
  void CheckRule(uint32_t module, const ast::Decl& decl, const ast::RuleDecl& rule);
  // `{e.name}` in a rule's message: each hole a name the `when` binds (or `request`) and its
  // fields, checked in `env`. Writes the message with `{{` and `}}` made single braces.
  auto MessageHoles(const ast::Text& message, Env& env, std::string& text,
                    std::vector<ir::MessageHole>& holes) -> bool;
  // `extend input NAME { … }`: NAME must be a record; its fields are added by ResolveRecord.
  void CheckExtend(uint32_t module, const ast::ExtendDecl& extend);
  // `reviewed D grace N`: at most one per policy, into Program::reviewed.
  void CheckReview(uint32_t module, const ast::Decl& decl, const ast::ReviewDecl& review);
  // A rule that takes effect after the review date is never applied: say so.
  void WarnAfterReview();
  void CheckRequire(uint32_t module, const ast::Decl& decl, const ast::RequireDecl& require);
  void ReportMissingOutcomes(Location where, const std::string& what);
  auto RequestPaths(ir::ValueId value) -> std::string;
  // `use` is where the unit is named: a unit reached again while its own definition is being
  // checked is a cycle, reported there.
  auto Unit(const Symbol& symbol, std::optional<Location> use = std::nullopt) -> const UnitState&;
  auto RecordFor(const Symbol& symbol) -> uint32_t;
  auto ResolveRecord(uint32_t record) -> const Record&;
  auto Let(const Symbol& symbol) -> LetInfo&;
  auto ResolveType(uint32_t module, const ast::TypeExpr& type, const std::string& owner,
                   Number* scale, std::string* text) -> Type;
  // `slots`: the counter of the slot space being laid out (the request's, or a list element's).
  auto BuildSchema(uint32_t record, const std::string& name, bool optional,
                   std::vector<uint32_t>& stack, uint32_t& slots) -> uint32_t;
  // The shape of `list<record, max_length>`, built once (a recursive record reuses its own).
  auto ListShapeFor(uint32_t record, uint32_t max_length, const RecordField& field, uint32_t module)
      -> uint32_t;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> list_shapes_;  // (record, max) -> shape
  auto OutcomeId(uint32_t module, const ast::Name& name) -> ir::OutcomeId;
  void WarnUnproduced();

  // tables.cpp
  auto Table(const Symbol& symbol) -> const TableInfo&;
  auto CheckMatch(uint32_t m, const ast::TableDecl& decl, const ast::FieldDecl& column,
                  const Type& type, ir::Table& table) -> bool;
  void LoadTableRows(uint32_t module, const ast::TableDecl& decl, ir::Table& table);
  auto Normalization(const Symbol& symbol) -> NormalizationInfo&;
  auto ReadLegalForms(uint32_t m, const ast::NormalizationDecl::Setting& setting, NameRules& rules)
      -> bool;

  // tests.cpp
  void CheckTest(uint32_t module, const ast::Decl& decl, const ast::TestDecl& test);
  auto ConstRecord(uint32_t module, const ast::Expr& expr, uint32_t record, uint32_t schema_node,
                   std::vector<ir::Datum>& slots) -> bool;
  void MarkAbsent(uint32_t schema_node, std::vector<ir::Datum>& slots);

 public:
  // expressions.cpp (public for the helpers there)
  auto Check(const ast::Expr& expr, Env& env, const Type* expected = nullptr) -> Typed;
  auto Lookup(uint32_t module, const std::string& name, bool mark_used) -> const Module::Visible*;
  // Appends (or finds: equal values share an id) a value, folding constant operands. On a
  // folding failure (division by zero, overflow) reports it at `where` and returns kNoId.
  auto Emit(ir::Op op, const Type& type, ir::ValueId a, ir::ValueId b, const Env& env,
            const ast::Expr* where = nullptr) -> ir::ValueId;
  auto EmitConst(ir::Datum datum, const Type& type) -> ir::ValueId;
  auto KindOf(const Type& type) -> ir::Kind;
  auto TypeName(const Type& type) -> std::string;
  auto Describe(const ast::Expr& expr, const Typed& typed, uint32_t module) -> std::string;
  auto Text(uint32_t module, SourceRange range) -> std::string_view;
  // An expression's (or type's) text as messages show it: each run of whitespace (and any
  // comment) one space, no trailing comma, so that it does not depend on the layout.
  auto LabelText(uint32_t module, SourceRange range) -> std::string;
  auto Loc(uint32_t module, SourceRange range) -> Location {
    return Location{modules_[module].source, range};
  }
  // Diagnostics of an inlined `let` body were reported when it was first checked.
  auto Diag(const Env& env) -> DiagnosticEmitter& { return env.quiet ? quiet_ : emitter_; }
  auto Assignable(const Type& to, const Type& from) const -> bool;
  auto IsConst(ir::ValueId value) const -> bool {
    return value != ir::kNoId && program_.values[value].op == ir::Op::kConst;
  }
  auto ConstOf(ir::ValueId value) const -> const ir::Datum& {
    return program_.constants[program_.values[value].a];
  }
  auto BindingsOf(const ast::Expr& expr, const Typed& typed, Env& env) -> size_t;
  auto CheckCall(const ast::Expr& expr, const ast::Call& call, Env& env) -> Typed;
  auto CheckNear(const ast::Expr& expr, const ast::Call& call, Env& env) -> Typed;
  auto CheckTextCall(const ast::Expr& expr, const ast::Call& call, ir::Op op, Env& env) -> Typed;
  auto CheckIf(const ast::Expr& expr, const ast::If& e, Env& env, const Type* expected) -> Typed;
  // `any x in xs: …` and its kin (expressions.cpp).
  auto CheckQuantified(const ast::Expr& expr, const ast::Quantified& q, Env& env) -> Typed;
  uint32_t binders_ = 0;  // numbers each quantifier's binder
  // The local that `x` or `x.f.g` starts from, if any; `through_field`: whether fields were read.
  auto RootBinding(const ast::Expr& expr, const Env& env, bool* through_field) const
      -> const Binding*;
  // How many lists deep the element a binder visits is (1: an element of a request's list).
  auto ElementDepth(ir::ValueId binder) const -> uint32_t;
  // A test's list literal, onto `slot` of `slots` (tests.cpp).
  auto ConstList(uint32_t module, const ast::Expr& expr, const RecordField& field, uint32_t node,
                 ir::Datum& slot) -> bool;
  void AbsentSlots(uint32_t root, std::vector<ir::Datum>& slots);
  // Dated sets (expressions.cpp).
  auto CheckDatedSet(const ast::SetLit& set, Env& env) -> Typed;
  // The members of a dated set, or of a constant set of countries (members on every day).
  auto DatedOf(const Typed& typed) -> std::optional<DatedSet>;
  auto NewDatedSet(DatedSet set) -> Typed;
  // `element in set`: a test of the decision's day against each period of fixed membership.
  // `label` names the set in --explain (its source text).
  auto EmitDatedIn(ir::ValueId element, const DatedSet& set, const Env& env, std::string_view label)
      -> ir::ValueId;
  // A call of a builtin function (runtime/ir/ops.def), such as `year(request.as_of)`.
  auto CheckBuiltin(const ast::Expr& expr, const ast::Call& call, const Builtin& builtin, Env& env)
      -> Typed;
  auto CheckBinary(const ast::Expr& expr, const ast::Binary& binary, Env& env, const Type* expected)
      -> Typed;
  auto CheckName(const ast::Expr& expr, const std::string& name, Env& env, const Type* expected)
      -> Typed;
  auto CheckField(const ast::Expr& expr, const ast::FieldAccess& access, Env& env) -> Typed;
  auto CheckSet(const ast::Expr& expr, const ast::SetLit& set, Env& env, const Type* expected)
      -> Typed;
  auto RequireValue(const Typed& typed, const ast::Expr& expr, Env& env, const char* use) -> bool;
  auto Quantity(const std::string& digits, SourceRange range, const UnitInfo* unit, Env& env)
      -> Typed;
  auto Resolves(uint32_t module, const std::string& name, const Env& env) -> bool;
  // When `expr` is a bare name that is a unit in scope and also an ISO country code (`GB`): the
  // help that says which hides which and how to write the country; "" otherwise.
  auto UnitHidesCountry(uint32_t module, const ast::Expr& expr, const Env& env) -> std::string;
  auto Suggest(uint32_t module, const std::string& name, const Env& env) -> std::string;

  // For editors (CheckOptions::index): the names checked are noted here, and FillIndex turns
  // them into a SymbolIndex once the check is over (index.cpp). Nothing here is read by checking.
  struct IndexedUse {
    enum class What : uint8_t { kDecl, kField, kColumn, kLocal };
    What what;
    uint32_t module;  // where the name is written
    SourceRange use;
    uint32_t a = 0;      // kDecl: the declaring module; kField: the record; kColumn: the table
    uint32_t b = 0;      // kDecl: the declaration; kField: the field; kColumn: the column
    std::string detail;  // kLocal: its type
    SourceRange bound;   // kLocal: where it is bound
  };
  std::vector<IndexedUse> index_uses_;
  struct IndexedObject {
    uint32_t module;
    SourceRange range;
    uint32_t record;  // or the table, for a row
    bool row = false;
  };
  std::vector<IndexedObject> index_objects_;
  bool index_filled_ = false;
  void IndexDecl(uint32_t module, SourceRange use, const Symbol& symbol) {
    if (options_.index == nullptr) return;
    index_uses_.push_back(
        {IndexedUse::What::kDecl, module, use, symbol.module, symbol.decl, std::string()});
  }
  void IndexField(uint32_t module, SourceRange use, uint32_t record, size_t field) {
    if (options_.index == nullptr) return;
    index_uses_.push_back({IndexedUse::What::kField, module, use, record,
                           static_cast<uint32_t>(field), std::string()});
  }
  void IndexObject(uint32_t module, SourceRange object, uint32_t record, bool row = false) {
    if (options_.index != nullptr) index_objects_.push_back({module, object, record, row});
  }
  void IndexColumn(uint32_t module, SourceRange use, uint32_t table, size_t column) {
    if (options_.index == nullptr) return;
    index_uses_.push_back({IndexedUse::What::kColumn, module, use, table,
                           static_cast<uint32_t>(column), std::string()});
  }
  void IndexLocal(uint32_t module, SourceRange use, const Binding& binding) {
    if (options_.index == nullptr || binding.value.type.is_error()) return;
    index_uses_.push_back(
        {IndexedUse::What::kLocal, module, use, 0, 0, TypeName(binding.value.type), binding.range});
  }

 public:
  void FillIndex(SymbolIndex& index);

  const CheckOptions& options_;
  ast::ModuleLoader& loader_;
  std::deque<DatedSet> dated_sets_;
  std::optional<std::pair<uint32_t, SourceRange>> review_decl_;  // where the review date is
  struct RuleStart {
    uint32_t module;
    SourceRange range;  // the `effective` clause
    std::string rule;
    DayNumber effective;
  };
  std::vector<RuleStart> rule_starts_;
  DiagnosticEmitter& emitter_;
  ir::Program program_;
  Dimensions dims_;
  std::vector<Module> modules_;
  std::vector<uint32_t> order_;  // modules in dependency order
  // -I directories, then the directories the roots' module names imply, then the stdlib.
  std::vector<std::string> module_path_;
  std::map<std::string, uint32_t> by_path_;
  // Modules found outside the stdlib that the stdlib also has: name -> file used.
  std::map<std::string, std::string> shadowed_;
  std::optional<std::pair<uint32_t, SourceRange>> shadowed_at_;  // the first such import
  std::vector<Record> records_;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> record_of_decl_;
  std::map<std::pair<uint32_t, uint32_t>, LetInfo> lets_;
  std::map<std::pair<uint32_t, uint32_t>, UnitState> units_;
  std::map<std::pair<uint32_t, uint32_t>, TableInfo> tables_;
  std::map<std::pair<uint32_t, uint32_t>, NormalizationInfo> normalizations_;
  uint32_t next_names_id_ = 1;
  std::vector<std::vector<Type>> table_columns_;  // by TableId
  std::map<std::string, DimensionId> base_units_;
  std::unordered_map<std::string, ir::ValueId> value_ids_;  // hash-consing
  // Inlined calls by (module, decl, each argument's value and type): see CheckCall.
  std::map<std::vector<uint64_t>, Typed> inlined_;
  // The policy-wide declarations.
  std::optional<Symbol> request_;
  uint32_t request_record_ = ir::kNoId;
  std::optional<std::pair<uint32_t, uint32_t>> outcomes_decl_;
  std::vector<bool> outcome_produced_;
  std::map<std::string, std::pair<uint32_t, SourceRange>> rule_names_;
  bool missing_outcomes_reported_ = false;
  bool too_many_fields_ = false;
  std::vector<std::string> slot_paths_;  // "$.item.tpp" by slot, for `require` messages
  std::vector<ir::Rule> requirements_;   // appended to the rules once they are all checked
  bool lattice_has_errors_ = false;
  // The operand of each `is some`, by (module, NodeId): read by the enclosing `and`.
  std::map<std::pair<uint32_t, uint32_t>, Typed> some_operands_;
  class DiscardingConsumer : public DiagnosticConsumer {
    void Consume(Diagnostic) override {}
  };
  DiscardingConsumer discard_;
  DiagnosticEmitter quiet_{discard_};
};

}  // namespace cordon::check

#endif  // CORDON_COMPILER_CHECK_CHECKER_H_
