// SPDX-License-Identifier: Apache-2.0
// Cordon's own syntax tree. Built by compiler/parse, read by compiler/check; knows nothing of
// ANTLR. Every node carries a NodeId (dense, per file, for side tables in later phases) and the
// SourceRange it was written at. Syntax errors leave ErrorExpr / ErrorDecl nodes behind so that
// later phases skip the damage instead of reporting it again.
#ifndef CORDON_COMPILER_AST_AST_H_
#define CORDON_COMPILER_AST_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/source/source_buffer.h"

namespace cordon::ast {

struct NodeId {
  uint32_t index = 0;
  friend auto operator==(NodeId, NodeId) -> bool = default;
};

// An identifier as written, e.g. a field, rule, unit or outcome name.
struct Name {
  NodeId id;
  SourceRange range;
  std::string text;
};

// A string literal with escapes resolved.
struct Text {
  SourceRange range;
  std::string value;
};

// A calendar date, validated when the tree is built.
struct Date {
  SourceRange range;
  int32_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
};

// ---------------------------------------------------------------------------------------------
// Expressions

// Operators, from operators.def.
enum class UnaryOp : uint8_t {
#define CORDON_UNARY(Name, spelling, IrOp) k##Name,
#include "compiler/ast/operators.def"
};
enum class BinaryOp : uint8_t {
#define CORDON_BINARY(Name, spelling, IrOp) k##Name,
#include "compiler/ast/operators.def"
};
auto Spelling(UnaryOp op) -> const char*;
auto Spelling(BinaryOp op) -> const char*;

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct ErrorExpr {};
// Decimal literal, exactly as written minus `_` separators ("4800", "5.92"): kept as text so
// that the checker can represent it exactly.
struct NumberLit {
  std::string digits;
};
// `826 mm2`, `72 h`: a number written with a unit.
struct QuantityLit {
  std::string digits;
  Name unit;
};
struct StringLit {
  std::string value;
};
struct DateLit {
  Date date;
};
struct BoolLit {
  bool value = false;
};
struct NoneLit {};
// A bare name: a parameter, `let`, input, table, country code, group, enum value or unit.
struct NameRef {
  std::string name;
};
struct FieldAccess {
  ExprPtr object;
  Name field;
};
struct Call {
  ExprPtr callee;
  std::vector<ExprPtr> args;
};
struct Unary {
  UnaryOp op;
  SourceRange op_range;
  ExprPtr operand;
};
struct Binary {
  BinaryOp op;
  SourceRange op_range;
  ExprPtr lhs;
  ExprPtr rhs;
};
// `x is some c`: true when optional `x` holds a value, which `c` then names.
struct IsSome {
  ExprPtr operand;
  Name binding;
};
struct IsNone {
  ExprPtr operand;
};
// When a member of a dated set is one: `from` inclusive, `until` exclusive, each a date written
// out or named (as in a rule's `effective`), or absent.
struct MemberDates {
  std::optional<Date> from;
  ExprPtr from_name;
  std::optional<Date> until;
  ExprPtr until_name;
  auto dated() const -> bool { return from || from_name || until || until_name; }
};
struct SetLit {
  std::vector<ExprPtr> elements;
  std::vector<MemberDates> dates;  // one per element
};
struct FieldInit {
  Name name;
  ExprPtr value;
};
struct RecordLit {
  std::vector<FieldInit> fields;
};
// `if condition then value else otherwise`: only the branch the condition picks is evaluated.
struct If {
  ExprPtr condition;
  ExprPtr then_value;
  ExprPtr else_value;
};

// `any x in xs: body` and its kin: `body` once for each element of list `xs`, named `x`.
enum class Quantifier : uint8_t { kAny, kAll, kCount, kSum, kMin, kMax };
struct Quantified {
  Quantifier kind;
  SourceRange keyword;
  Name binding;
  ExprPtr list;
  ExprPtr body;
};
// `[ {…}, {…} ]`: the elements of a list, in a test's request.
struct ListLit {
  std::vector<ExprPtr> elements;
};

struct Expr {
  using Kind = std::variant<ErrorExpr, NumberLit, QuantityLit, StringLit, DateLit, BoolLit, NoneLit,
                            NameRef, FieldAccess, Call, Unary, Binary, IsSome, IsNone, SetLit,
                            RecordLit, If, Quantified, ListLit>;
  NodeId id;
  SourceRange range;
  Kind kind;
};

// ---------------------------------------------------------------------------------------------
// Types: `number mm2`, `number / mm2`, `country?`, `enum { a, b }`, `set<country>`

struct TypeExpr;
struct ErrorType {};
struct NamedType {
  Name name;
};
struct EnumType {
  std::vector<Name> values;
};
struct SetType {
  std::unique_ptr<TypeExpr> element;
};
// The bounds of `list<R, N>`: N without it, and the largest N may be.
inline constexpr uint32_t kDefaultListLength = 256;
inline constexpr uint32_t kMaxListLength = 100000;
// `list<Owner>`, `list<Owner, 32>`: at most `max_length` elements (0: the default).
struct ListType {
  std::unique_ptr<TypeExpr> element;
  uint32_t max_length = 0;
  SourceRange max_range;
};
// One factor of a unit: `mm2` (multiply) or `/ s` (divide).
struct UnitFactor {
  Name unit;
  bool divide = false;
};

struct TypeExpr {
  NodeId id;
  SourceRange range;
  std::variant<ErrorType, NamedType, EnumType, SetType, ListType> base;
  std::vector<UnitFactor> unit;  // empty: dimensionless
  bool optional = false;
};

// ---------------------------------------------------------------------------------------------
// Declarations

struct FieldDecl {
  NodeId id;
  SourceRange range;
  std::string doc;
  Name name;
  TypeExpr type;
  std::optional<Name> match;  // table columns: `match normalized`
};

struct ModuleDecl {
  NodeId id;
  SourceRange range;
  std::string doc;
  std::vector<Name> path;
  std::optional<Text> title;
  std::optional<Text> source;
};

struct ErrorDecl {};
struct ImportDecl {
  std::vector<Name> path;
  std::optional<std::vector<Name>> names;  // nullopt: the whole module
};
struct UnitDecl {
  Name name;
  ExprPtr definition;  // null for a base unit
};
struct OutcomesDecl {
  std::vector<Name> outcomes;  // highest first
};
struct InputDecl {
  Name name;
  std::vector<FieldDecl> fields;
};
// `extend input Item { … }`: optional fields added to a record declared elsewhere.
struct ExtendDecl {
  Name target;
  std::vector<FieldDecl> fields;
};
struct Param {
  NodeId id;
  SourceRange range;
  Name name;
  TypeExpr type;
};
struct LetDecl {
  Name name;
  std::optional<std::vector<Param>> params;  // nullopt: a constant, not a function
  std::optional<TypeExpr> type;
  ExprPtr value;
};
struct TableDecl {
  Name name;
  bool is_extern = false;
  std::optional<Text> path;
  std::vector<FieldDecl> columns;
};
// `normalization listed_names { keep "&" remove "'" legal_forms from "forms.csv" }`: how a
// `match listed_names` column compares names. Each setting is a name and one value: a word
// (`words compact`), a string (`remove "'"`) or `from` a file.
struct NormalizationDecl {
  struct Setting {
    SourceRange range;
    Name name;
    std::optional<Name> word;
    std::optional<Text> text;
    bool from = false;  // `from "file"`: `text` is the file
  };
  Name name;
  std::vector<Setting> settings;
};
struct Outcome {
  Name outcome;
  Text message;
};
struct UnlessClause {
  NodeId id;
  SourceRange range;
  ExprPtr condition;
  Outcome then;
};
struct RuleDecl {
  Name name;
  std::optional<Text> cites;
  // Written out (`effective 2025-01-15`), or named (`effective rescinded`: a `let` the checker
  // folds to a date), never both.
  std::optional<Date> effective;
  std::optional<Date> until;
  ExprPtr effective_name;
  ExprPtr until_name;
  ExprPtr when;
  Outcome then;
  std::vector<UnlessClause> unless;
};
// A condition every request must meet; one that does not is decided `error` with the message.
struct RequireDecl {
  ExprPtr condition;
  Text message;
};
// `reviewed D grace N`: the day the policy's law was last reviewed, and how long after it a
// request is still decided (as of D, with a warning).
struct ReviewDecl {
  std::optional<Date> date;
  ExprPtr date_name;
  ExprPtr grace;  // a constant duration; null: none
  SourceRange range;
};
struct GivenClause {
  NodeId id;
  SourceRange range;
  Name name;
  ExprPtr value;
};
struct TestDecl {
  Text name;
  std::vector<GivenClause> givens;
  Name expect;
  std::vector<Name> by;
};

struct Decl {
  using Kind =
      std::variant<ErrorDecl, ImportDecl, UnitDecl, OutcomesDecl, InputDecl, ExtendDecl, LetDecl,
                   TableDecl, NormalizationDecl, RuleDecl, RequireDecl, ReviewDecl, TestDecl>;
  NodeId id;
  SourceRange range;
  std::string doc;  // from `///` lines directly above, joined by newlines
  Kind kind;
};

struct File {
  const SourceBuffer* source = nullptr;
  std::optional<ModuleDecl> module;
  std::vector<Decl> decls;
  uint32_t node_count = 0;  // NodeIds are 0 .. node_count-1
};

// A stable, readable, indented rendering of the tree (used by `cordon parse --dump-ast` and the
// golden tests). Positions print as @line:col.
auto Dump(const File& file) -> std::string;

}  // namespace cordon::ast

#endif  // CORDON_COMPILER_AST_AST_H_
