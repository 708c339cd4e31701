// SPDX-License-Identifier: Apache-2.0
// The ANTLR firewall. In order:
//   1. refuse what is not rule text (too large, NUL bytes, invalid UTF-8) before ANTLR sees it;
//   2. lex everything, report malformed tokens, and cut the token stream into declarations at
//      declaration keywords (the recovery points), refusing nesting beyond the limit;
//   3. parse one declaration at a time with an error strategy that reports the first error in a
//      declaration as the construct that was expected, then abandons that declaration;
//   4. turn each parse tree into Cordon's AST, validating literals (dates, escapes, numbers).
// Nothing ANTLR-specific escapes this file.
#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <exception>
#include <string_view>
#include <utility>

#include "CordonLexer.h"
#include "CordonParser.h"
#include "antlr4-runtime.h"
#include "runtime/base/spelling.h"

namespace cordon::parse {
namespace {

using G = cordon_grammar::CordonParser;
using antlr4::Token;

// Thrown by ErrorStrategy to abandon the declaration being parsed; caught in ParseDecls.
struct DeclAbort {};

// Tokens that start a declaration. Parsing resumes at the next one after a syntax error.
auto IsDeclKeyword(size_t type) -> bool {
  switch (type) {
    case G::MODULE:
    case G::IMPORT:
    case G::UNIT:
    case G::OUTCOMES:
    case G::INPUT:
    case G::EXTEND:
    case G::LET:
    case G::EXTERN:
    case G::TABLE:
    case G::NORMALIZATION:
    case G::RULE:
    case G::REQUIRE:
    case G::REVIEWED:
    case G::TEST:
      return true;
    default:
      return false;
  }
}

auto IsNameToken(size_t type) -> bool {
  switch (type) {
    case G::IDENT:
    case G::TITLE:
    case G::SOURCE:
    case G::FROM:
    case G::BY:
    case G::SOME:
    case G::SET:
    case G::LIST:
    case G::ANY:
    case G::ALL:
    case G::COUNT:
    case G::SUM:
    case G::MIN:
    case G::MAX:
      return true;
    default:
      return false;
  }
}

auto IsOpener(size_t type) -> bool { return type == G::LPAREN || type == G::LBRACE; }
auto IsCloser(size_t type) -> bool { return type == G::RPAREN || type == G::RBRACE; }
auto CloserFor(size_t opener) -> size_t { return opener == G::LPAREN ? G::RPAREN : G::RBRACE; }

// True when a `-` or `not` token here is a prefix operator (it nests its operand).
auto StartsOperand(size_t previous) -> bool {
  switch (previous) {
    case G::NUMBER:
    case G::STRING:
    case G::DATE:
    case G::BAD_DATE:
    case G::TRUE:
    case G::FALSE:
    case G::NONE:
    case G::RPAREN:
    case G::RBRACE:
      return false;
    default:
      return !IsNameToken(previous);
  }
}

constexpr std::array<std::string_view, 10> kDeclKeywordSpellings = {
    "import", "unit", "outcomes", "input", "let", "table", "extern", "rule", "require", "test"};

auto DateToken(G::DateContext* ctx) -> antlr4::tree::TerminalNode* {
  return ctx->DATE() != nullptr ? ctx->DATE() : ctx->BAD_DATE();
}

// Rule clauses that must come before `then`.
auto IsRuleClauseKeyword(size_t type) -> bool {
  return type == G::CITES || type == G::EFFECTIVE || type == G::UNTIL || type == G::WHEN;
}

auto DaysInMonth(int year, int month) -> int {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<size_t>(month - 1)];
}

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

class ErrorStrategy;

// The state of one Parse call.
class Parser {
 public:
  Parser(const SourceBuffer& source, DiagnosticEmitter& emitter, const ParseOptions& options)
      : source_(source), emitter_(emitter), options_(options) {}

  auto Run() -> ast::File;

  // Called by ErrorStrategy with the first error of a declaration.
  void ReportSyntaxError(antlr4::Parser* parser, const antlr4::RecognitionException& e);

 private:
  // --- positions
  auto ByteOffset(size_t code_point_index) const -> uint32_t {
    if (ascii_) return static_cast<uint32_t>(code_point_index);
    return code_point_to_byte_[std::min(code_point_index, code_point_to_byte_.size() - 1)];
  }
  auto Range(const Token* t) const -> SourceRange {
    if (t->getType() == Token::EOF) {
      // Point at the end of the last line, not at the empty line after a final newline.
      std::string_view text = source_.text();
      auto end = static_cast<uint32_t>(text.size());
      if (end > 0 && text.back() == '\n') --end;
      return {end, end};
    }
    return {ByteOffset(t->getStartIndex()), ByteOffset(t->getStopIndex() + 1)};
  }
  auto Range(antlr4::ParserRuleContext* ctx) const -> SourceRange {
    SourceRange begin = Range(ctx->getStart());
    const Token* stop = ctx->getStop();
    if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) {
      return {begin.begin, begin.begin};
    }
    return {begin.begin, Range(stop).end};
  }
  auto Loc(SourceRange range) const -> Location { return {&source_, range}; }
  auto NewId() -> ast::NodeId { return {file_.node_count++}; }
  // True when the token scan already reported this token (the parser must stay silent on it).
  auto AlreadyReported(size_t token_index) const -> bool {
    return std::find(reported_tokens_.begin(), reported_tokens_.end(), token_index) !=
           reported_tokens_.end();
  }

  // --- phases
  auto CheckBytes() -> bool;
  auto Lex() -> bool;
  void ScanTokens();
  void ParseDecls();
  void ReportUnknownDeclaration(Token* t);
  auto DescribeToken(const Token* t) const -> std::string;
  auto DescribeExpected(const antlr4::misc::IntervalSet& expected, size_t rule,
                        size_t previous) const -> std::string;

  // --- AST building
  auto DocFor(const Token* start) -> std::string;
  auto MakeName(G::NameContext* ctx) -> ast::Name;
  // A reference to a name, as an expression (`effective rescinded`).
  auto NameExpr(G::NameContext* ctx) -> ast::ExprPtr {
    return MakeExpr(Range(ctx), ast::NameRef{ctx->getText()});
  }
  auto MakeName(const Token* token) -> ast::Name;
  auto MakeText(antlr4::tree::TerminalNode* node) -> ast::Text;
  auto MakeDate(antlr4::tree::TerminalNode* node) -> std::optional<ast::Date>;
  auto MakeDigits(antlr4::tree::TerminalNode* node) -> std::optional<std::string>;
  auto MakePath(G::QualifiedNameContext* ctx) -> std::vector<ast::Name>;
  auto BuildModule(G::ModuleDeclContext* ctx) -> ast::ModuleDecl;
  auto BuildDecl(G::DeclContext* ctx) -> ast::Decl;
  auto BuildRule(G::RuleDeclContext* ctx, ast::Decl& decl) -> ast::RuleDecl;
  auto BuildTest(G::TestDeclContext* ctx) -> ast::TestDecl;
  template <typename DeclContext>
  auto BuildFields(const std::vector<DeclContext*>& ctxs) -> std::vector<ast::FieldDecl>;
  auto BuildType(G::TypeExprContext* ctx) -> ast::TypeExpr;
  auto BuildOutcome(G::NameContext* name, antlr4::tree::TerminalNode* message) -> ast::Outcome;
  auto BuildExpr(G::ExprContext* ctx, int depth) -> ast::ExprPtr;
  auto BuildPrimary(G::PrimaryContext* ctx, int depth) -> ast::ExprPtr;
  auto MakeExpr(SourceRange range, ast::Expr::Kind kind) -> ast::ExprPtr {
    return std::make_unique<ast::Expr>(ast::Expr{NewId(), range, std::move(kind)});
  }
  auto ErrorExpr(SourceRange range) -> ast::ExprPtr { return MakeExpr(range, ast::ErrorExpr{}); }

  const SourceBuffer& source_;
  DiagnosticEmitter& emitter_;
  const ParseOptions& options_;
  ast::File file_;

  bool ascii_ = true;
  std::vector<uint32_t> code_point_to_byte_;
  std::unique_ptr<antlr4::ANTLRInputStream> input_;
  std::unique_ptr<cordon_grammar::CordonLexer> lexer_;
  std::unique_ptr<antlr4::CommonTokenStream> tokens_;
  std::unique_ptr<G> parser_;
  std::shared_ptr<ErrorStrategy> strategy_;

  // Default-channel token indexes where declarations (or stray text) start, then EOF.
  std::vector<size_t> segments_;
  // Segment starts whose declaration must not be parsed (a lexical error or nesting beyond the
  // limit was already reported there).
  std::vector<bool> poisoned_;
  // Token indexes already reported by the scan; the parser must not report them again.
  std::vector<size_t> reported_tokens_;
  size_t current_segment_ = 0;
  int syntax_errors_ = 0;
  bool reported_in_decl_ = false;
  bool nesting_reported_ = false;
};

// Reports the first error of a declaration, then abandons it (recovery happens at declaration
// granularity in Parser::ParseDecls, so one mistake gives one diagnostic).
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit ErrorStrategy(Parser& owner) : owner_(owner) {}

  void reportError(antlr4::Parser* parser, const antlr4::RecognitionException& e) override {
    owner_.ReportSyntaxError(parser, e);
  }
  void recover(antlr4::Parser* /*parser*/, std::exception_ptr /*e*/) override { throw DeclAbort{}; }
  auto recoverInline(antlr4::Parser* parser) -> Token* override {
    throw antlr4::InputMismatchException(parser);
  }
  // Like the default, but never deletes or inserts tokens: report at the loop or block entry so
  // that the expected set names every construct that could have come next.
  void sync(antlr4::Parser* parser) override {
    const antlr4::atn::ATN& atn = parser->getATN();
    antlr4::atn::ATNState* state = atn.states[parser->getState()];
    size_t la = parser->getTokenStream()->LA(1);
    antlr4::misc::IntervalSet next = atn.nextTokens(state);
    if (next.contains(Token::EPSILON) || next.contains(la)) {
      return;
    }
    switch (state->getStateType()) {
      case antlr4::atn::ATNState::BLOCK_START:
      case antlr4::atn::ATNState::STAR_BLOCK_START:
      case antlr4::atn::ATNState::PLUS_BLOCK_START:
      case antlr4::atn::ATNState::STAR_LOOP_ENTRY:
      case antlr4::atn::ATNState::PLUS_LOOP_BACK:
      case antlr4::atn::ATNState::STAR_LOOP_BACK:
        throw antlr4::InputMismatchException(parser);
      default:
        return;
    }
  }

 private:
  Parser& owner_;
};

auto Parser::Run() -> ast::File {
  file_.source = &source_;
  if (!CheckBytes() || !Lex()) {
    return std::move(file_);
  }
  ScanTokens();
  ParseDecls();
  if (!file_.module && file_.decls.empty() && emitter_.error_count() == 0) {
    emitter_
        .Error(DiagnosticKind::EmptyFile, Location{&source_, std::nullopt},
               "the file declares nothing")
        .Help("a rule file holds declarations such as `outcomes`, `input`, `rule` and `test`");
  }
  return std::move(file_);
}

auto Parser::CheckBytes() -> bool {
  if (auto size = source_.oversize(); size || source_.text().size() > options_.max_source_bytes) {
    uint64_t bytes = size ? *size : source_.text().size();
    emitter_
        .Error(DiagnosticKind::SourceTooLarge, Location{&source_, std::nullopt},
               fmt::format("the file is {} bytes; rule files are limited to {} bytes", bytes,
                           options_.max_source_bytes))
        .Help("split the policy into modules, or supply large data as a `table` from a CSV file");
    return false;
  }
  std::string_view text = source_.text();
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    auto at = static_cast<uint32_t>(nul);
    emitter_.Error(DiagnosticKind::NulByte, Loc({at, at + 1}), "the file contains a NUL byte")
        .Help("rule files are UTF-8 text; was a binary file given?");
    return false;
  }
  if (auto bad = source_.FirstInvalidUtf8()) {
    emitter_
        .Error(
            DiagnosticKind::InvalidUtf8, Loc({*bad, *bad + 1}),
            fmt::format("byte 0x{:02X} is not valid UTF-8", static_cast<unsigned char>(text[*bad])))
        .Help("save the file as UTF-8");
    return false;
  }
  return true;
}

auto Parser::Lex() -> bool {
  std::string_view text = source_.text();
  // ANTLR 4.9 drops a leading UTF-8 byte-order mark: its code point 0 is the byte after it.
  size_t first = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  if (first != 0) ascii_ = false;
  for (size_t i = first; i < text.size();) {
    size_t n = Utf8SequenceLength(text.substr(i));
    if (n != 1) ascii_ = false;
    code_point_to_byte_.push_back(static_cast<uint32_t>(i));
    i += n;
  }
  code_point_to_byte_.push_back(static_cast<uint32_t>(text.size()));

  input_ = std::make_unique<antlr4::ANTLRInputStream>();
  try {
    input_->load(std::string(text));
  } catch (const std::exception&) {
    // Unreachable after CheckBytes; kept because ANTLR 4.9 throws std::range_error here.
    emitter_.Error(DiagnosticKind::InvalidUtf8, Loc({0, 0}), "the file is not valid UTF-8");
    return false;
  }
  lexer_ = std::make_unique<cordon_grammar::CordonLexer>(input_.get());
  lexer_->removeErrorListeners();
  tokens_ = std::make_unique<antlr4::CommonTokenStream>(lexer_.get());
  tokens_->fill();
  return true;
}

// Splits the default-channel tokens into declaration segments, and reports malformed tokens and
// nesting beyond the limit, marking their segments so they are not parsed again.
void Parser::ScanTokens() {
  const std::vector<Token*>& all = tokens_->getTokens();
  int depth = 0;
  int open_set_types = 0;  // `set<` not yet closed by `>`
  int prefix_run = 0;
  size_t previous = Token::INVALID_TYPE;
  bool depth_reported = false;
  auto poison = [&] {
    if (!poisoned_.empty()) poisoned_.back() = true;
  };
  size_t merged_until = 0;
  bool merged_any = false;
  for (Token* t : all) {
    if (t->getChannel() != Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    if (merged_any && t->getTokenIndex() <= merged_until) {
      previous = type;
      continue;  // part of a run of stray characters already reported
    }
    // `extern table` and `extend input` are one declaration keyword each.
    bool starts_segment = segments_.empty() || type == Token::EOF ||
                          (IsDeclKeyword(type) && !(type == G::TABLE && previous == G::EXTERN) &&
                           !(type == G::INPUT && previous == G::EXTEND));
    if (starts_segment) {
      segments_.push_back(t->getTokenIndex());
      poisoned_.push_back(false);
      depth = 0;
      open_set_types = 0;
      prefix_run = 0;
      depth_reported = false;
      if (type == Token::EOF) break;
    }
    switch (type) {
      case G::ERROR_CHAR: {
        // Adjacent stray characters (`&&`, `≥=`) are one mistake: one diagnostic.
        SourceRange range = Range(t);
        size_t last = t->getTokenIndex();
        while (last + 1 < all.size() && all[last + 1]->getType() == G::ERROR_CHAR &&
               Range(all[last + 1]).begin == range.end) {
          ++last;
          range.end = Range(all[last]).end;
          reported_tokens_.push_back(last);
        }
        merged_until = last;
        merged_any = true;
        std::string text(source_.text().substr(range.begin, range.end - range.begin));
        auto d = emitter_.Error(
            DiagnosticKind::UnexpectedCharacter, Loc(range),
            fmt::format("unexpected {} `{}`",
                        last == t->getTokenIndex() ? "character" : "characters", text));
        if (text == "\xC3\x97") {
          d.Help("multiply with `*`");
        } else if (text == "\xE2\x89\xA5" || text == "\xE2\x89\xA4" || text == "\xE2\x89\xA0") {
          d.Help("compare with `>=`, `<=` or `!=`");
        } else if (text == "#") {
          d.Help("comments start with `//`");
        } else if (text == "&" || text == "|" || text == "!" || text == "&&" || text == "||") {
          d.Help("write `and`, `or` and `not`");
        }
        reported_tokens_.push_back(t->getTokenIndex());
        poison();
        break;
      }
      case G::SINGLE_QUOTED:
        emitter_
            .Error(DiagnosticKind::UnexpectedCharacter, Loc(Range(t)),
                   "strings are written in double quotes, not single quotes")
            .Help(fmt::format("write \"{}\"", t->getText().substr(1, t->getText().size() - 2)));
        reported_tokens_.push_back(t->getTokenIndex());
        poison();
        break;
      case G::UNTERMINATED_STRING:
        emitter_
            .Error(DiagnosticKind::UnterminatedString, Loc(Range(t)),
                   "this string is not closed before the end of the line")
            .Help("add the closing `\"`; a string cannot span lines");
        reported_tokens_.push_back(t->getTokenIndex());
        poison();
        break;
      default:
        break;
    }
    if (IsOpener(type) || (type == G::LT && previous == G::SET)) {
      ++depth;
      if (type == G::LT) ++open_set_types;
    } else if (IsCloser(type) || (type == G::GT && open_set_types > 0)) {
      --depth;
      if (type == G::GT) --open_set_types;
    }
    bool prefix = (type == G::MINUS || type == G::NOT) && StartsOperand(previous);
    prefix_run = prefix ? prefix_run + 1 : 0;
    if (!depth_reported && depth + prefix_run > options_.max_nesting) {
      emitter_
          .Error(DiagnosticKind::NestingTooDeep, Loc(Range(t)),
                 fmt::format("nested more than {} levels deep", options_.max_nesting))
          .Help("name parts of the expression with `let` definitions");
      depth_reported = true;
      poison();
    }
    previous = type;
  }
}

auto Parser::DescribeToken(const Token* t) const -> std::string {
  switch (t->getType()) {
    case Token::EOF:
      return "the end of the file";
    case G::STRING:
      return "a string";
    case G::UNTERMINATED_STRING:
      return "an unterminated string";
    default: {
      std::string text = t->getText();
      if (text.size() > 24) text = text.substr(0, 21) + "...";
      return fmt::format("`{}`", text);
    }
  }
}

// Turns ANTLR's expected-token set into the constructs a rule writer knows.
auto Parser::DescribeExpected(const antlr4::misc::IntervalSet& expected, size_t rule,
                              size_t previous) const -> std::string {
  std::vector<size_t> types;
  for (ssize_t t : expected.toList()) {
    types.push_back(static_cast<size_t>(t));
  }
  auto has = [&](size_t t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  auto drop = [&](auto pred) {
    types.erase(std::remove_if(types.begin(), types.end(), pred), types.end());
  };
  std::vector<std::string> parts;

  if (std::count_if(types.begin(), types.end(), IsDeclKeyword) >= 3) {
    parts.push_back("a declaration");
    drop([](size_t t) { return IsDeclKeyword(t); });
  }
  bool expression = has(G::NUMBER) && has(G::STRING) && has(G::LPAREN);
  if (expression) {
    parts.push_back("an expression");
    drop([](size_t t) {
      return IsNameToken(t) || t == G::NUMBER || t == G::STRING || t == G::DATE ||
             t == G::BAD_DATE || t == G::TRUE || t == G::FALSE || t == G::NONE || t == G::LBRACE ||
             t == G::LPAREN || t == G::MINUS || t == G::NOT || t == G::IF || t == G::LBRACK;
    });
  }
  auto is_operator = [](size_t t) {
    return t == G::STAR || t == G::SLASH || t == G::PLUS || t == G::MINUS || t == G::OTHERWISE ||
           t == G::EQ || t == G::NE || t == G::LT || t == G::LE || t == G::GT || t == G::GE ||
           t == G::IN || t == G::NOT || t == G::IS || t == G::AND || t == G::OR || t == G::DOT ||
           (t == G::LPAREN);
  };
  if (std::count_if(types.begin(), types.end(), is_operator) >= 5) {
    parts.push_back("an operator");
    drop(is_operator);
  }
  // A unit may always follow a bare number (`826 mm2`), even where ANTLR has already decided
  // that none did.
  if (previous == G::NUMBER && !std::any_of(types.begin(), types.end(), IsNameToken)) {
    parts.insert(parts.begin(), "a unit");
  }
  if (std::any_of(types.begin(), types.end(), IsNameToken)) {
    std::string noun = "a name";
    if (previous == G::NUMBER) {
      noun = "a unit";
    } else if (previous == G::THEN || rule == G::RuleThenClause ||
               (rule == G::RuleExpectClause && previous == G::EXPECT)) {
      noun = "an outcome";
    } else if (rule == G::RuleExpectClause) {
      noun = "a rule name";
    } else if (rule == G::RuleImportDecl || rule == G::RuleQualifiedName) {
      noun = previous == G::IMPORT || previous == G::DOT ? "a module name" : "a name";
    } else if (previous == G::DOT) {
      noun = "a field name";
    } else if (rule == G::RuleUnitSpec) {
      noun = "a unit";
    } else if (rule == G::RuleTypeExpr || rule == G::RuleTypeBase) {
      noun = "a type";
      drop([](size_t t) { return t == G::ENUM || t == G::LIST; });
    } else if (rule == G::RuleUnitDecl) {
      noun = "a unit name";
    } else if (rule == G::RuleRuleDecl && previous == G::RULE) {
      noun = "a rule name";
    } else if (rule == G::RuleInputDecl || rule == G::RuleExtendDecl || rule == G::RuleFieldDecl) {
      noun = previous == G::INPUT ? "a record name" : "a field name";
    } else if (rule == G::RuleTableDecl || rule == G::RuleColumnDecl) {
      noun = previous == G::TABLE ? "a table name" : "a column name";
    } else if (rule == G::RuleNormalizationDecl) {
      noun = previous == G::NORMALIZATION ? "a normalization name" : "a setting";
    } else if (rule == G::RuleNormSetting) {
      noun = "a setting's value";
    } else if (rule == G::RuleOutcomesDecl) {
      noun = "an outcome";
    }
    parts.insert(parts.begin(), noun);
    drop([](size_t t) { return IsNameToken(t); });
  }
  // Separators read before closing brackets: "`,` or `}`".
  std::stable_partition(types.begin(), types.end(), [](size_t t) { return !IsCloser(t); });
  for (size_t t : types) {
    switch (t) {
      case Token::EOF:
        parts.push_back("the end of the file");
        break;
      case G::STRING:
        parts.push_back(rule == G::RuleThenClause || rule == G::RuleUnlessClause
                            ? "a message string"
                            : "a string");
        break;
      case G::DATE:
        parts.push_back("a date (YYYY-MM-DD)");
        break;
      case G::NUMBER:
        parts.push_back("a number");
        break;
      default: {
        std::string literal = lexer_->getVocabulary().getLiteralName(t);
        if (literal.size() >= 2) {
          parts.push_back(fmt::format("`{}`", literal.substr(1, literal.size() - 2)));
        }
      }
    }
  }
  if (parts.empty()) return "something else";
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    out += (i + 1 == parts.size() ? " or " : ", ") + parts[i];
  }
  return out;
}

void Parser::ReportSyntaxError(antlr4::Parser* parser, const antlr4::RecognitionException& e) {
  if (reported_in_decl_) return;
  reported_in_decl_ = true;
  ++syntax_errors_;
  Token* t = e.getOffendingToken();
  if (t == nullptr) t = parser->getCurrentToken();
  size_t index = t->getTokenIndex();
  if (AlreadyReported(index)) {
    return;  // the scan already reported this token
  }
  // The previous default-channel token, and the brackets still open since the segment began.
  Token* previous = nullptr;
  std::vector<Token*> open;
  for (size_t i = segments_[current_segment_]; i < index; ++i) {
    Token* u = tokens_->get(i);
    if (u->getChannel() != Token::DEFAULT_CHANNEL) continue;
    previous = u;
    if (IsOpener(u->getType())) {
      open.push_back(u);
    } else if (IsCloser(u->getType()) && !open.empty()) {
      open.pop_back();
    }
  }
  size_t type = t->getType();
  if (IsCloser(type) && (open.empty() || CloserFor(open.back()->getType()) != type)) {
    auto d = emitter_.Error(
        DiagnosticKind::UnbalancedBracket, Loc(Range(t)),
        fmt::format("`{}` has no matching `{}`", t->getText(), type == G::RPAREN ? "(" : "{"));
    if (!open.empty()) {
      d.Label(Loc(Range(open.back())),
              fmt::format("the innermost open bracket is this `{}`", open.back()->getText()));
    }
    return;
  }
  if ((type == Token::EOF || IsDeclKeyword(type)) && !open.empty()) {
    Token* opener = open.back();
    emitter_
        .Error(DiagnosticKind::UnbalancedBracket, Loc(Range(opener)),
               fmt::format("this `{}` is never closed", opener->getText()))
        .Label(Loc(Range(t)),
               fmt::format("expected `{}` before {}", opener->getType() == G::LPAREN ? ")" : "}",
                           DescribeToken(t)));
    return;
  }

  antlr4::misc::IntervalSet expected_here = e.getExpectedTokens();
  std::string spelling = t->getText();
  bool is_keyword = type != Token::EOF && !spelling.empty() &&
                    std::isalpha(static_cast<unsigned char>(spelling[0])) && !IsNameToken(type) &&
                    type != G::BAD_DATE;
  // A keyword where only a name can stand, on the same line: the writer meant it as a name.
  bool only_names = !expected_here.isEmpty();
  for (ssize_t e_type : expected_here.toList()) {
    only_names = only_names && IsNameToken(static_cast<size_t>(e_type));
  }
  bool same_line =
      previous != nullptr && source_.LineOf(Range(previous).end) == source_.LineOf(Range(t).begin);
  if (is_keyword && only_names && same_line) {
    emitter_
        .Error(DiagnosticKind::SyntaxError, Loc(Range(t)),
               fmt::format("`{}` is a reserved word and cannot be used as a name", spelling))
        .Help("choose another name, such as `" + spelling + "_`");
    // A declaration keyword also starts the next segment; do not report it a second time.
    if (current_segment_ + 1 < segments_.size() && segments_[current_segment_ + 1] == index) {
      poisoned_[current_segment_ + 1] = true;
    }
    return;
  }
  antlr4::RuleContext* ctx = e.getCtx() != nullptr ? e.getCtx() : parser->getContext();
  // `name` is used everywhere; what a name is for depends on the rule that asked for it.
  while (ctx != nullptr && ctx->getRuleIndex() == G::RuleName && ctx->parent != nullptr) {
    ctx = dynamic_cast<antlr4::RuleContext*>(ctx->parent);
  }
  size_t rule = ctx != nullptr ? ctx->getRuleIndex() : static_cast<size_t>(G::RuleDecl);
  const antlr4::misc::IntervalSet& expected = expected_here;
  size_t previous_type = previous ? previous->getType() : Token::INVALID_TYPE;
  std::string message = "expected " + DescribeExpected(expected, rule, previous_type);
  if (previous != nullptr) {
    message += fmt::format(" after `{}`", previous->getText());
  }
  message += ", found " + DescribeToken(t);
  // Point at the offending token, unless it starts something new on a later line (the next
  // declaration or clause, or the end of the file): then the missing piece belongs just after
  // the previous token.
  SourceRange at = Range(t);
  bool starts_next = type == Token::EOF || IsDeclKeyword(type) || IsRuleClauseKeyword(type) ||
                     type == G::THEN || type == G::UNLESS || type == G::GIVEN ||
                     type == G::EXPECT || IsCloser(type);
  if (previous != nullptr && starts_next) {
    SourceRange prev = Range(previous);
    if (source_.LineOf(prev.end) != source_.LineOf(at.begin)) {
      at = {prev.end, prev.end};
    }
  }
  auto d = emitter_.Error(DiagnosticKind::SyntaxError, Loc(at), message);
  if (!open.empty() && expected.contains(CloserFor(open.back()->getType()))) {
    d.Label(Loc(Range(open.back())), fmt::format("to match this `{}`", open.back()->getText()));
  }
  if ((rule == G::RuleThenClause || rule == G::RuleUnlessClause) && IsNameToken(previous_type) &&
      type != G::STRING) {
    d.Help("every outcome carries a message for the decision's reasons: then outcome \"why\"");
  } else if (previous_type == G::THEN) {
    d.Help(
        "name one of the outcomes declared with `outcomes`, then the message: "
        "then license_required \"why\"");
  } else if (type == G::EQ && previous_type != Token::INVALID_TYPE) {
    d.Help("`==` compares; definitions use a single `=`");
  }
}

void Parser::ReportUnknownDeclaration(Token* t) {
  ++syntax_errors_;
  if (AlreadyReported(t->getTokenIndex())) {
    return;
  }
  if (IsCloser(t->getType())) {
    emitter_.Error(DiagnosticKind::UnbalancedBracket, Loc(Range(t)),
                   fmt::format("`{}` has no matching `{}`", t->getText(),
                               t->getType() == G::RPAREN ? "(" : "{"));
    return;
  }
  auto d = emitter_.Error(DiagnosticKind::UnknownDeclaration, Loc(Range(t)),
                          fmt::format("expected a declaration, found {}", DescribeToken(t)));
  std::string text = t->getText();
  for (std::string_view keyword : kDeclKeywordSpellings) {
    if (text != keyword && cordon::EditDistance(text, keyword, /*ignore_case=*/false) <= 2 &&
        text.size() > 2) {
      d.Help(fmt::format("did you mean `{}`?", keyword));
      return;
    }
  }
  d.Help(
      "a declaration starts with `import`, `unit`, `outcomes`, `input`, `let`, `table`, "
      "`extern table`, `rule`, `require` or `test`");
}

void Parser::ParseDecls() {
  parser_ = std::make_unique<G>(tokens_.get());
  parser_->removeErrorListeners();
  strategy_ = std::make_shared<ErrorStrategy>(*this);
  parser_->setErrorHandler(strategy_);

  for (current_segment_ = 0; current_segment_ + 1 < segments_.size(); ++current_segment_) {
    if (syntax_errors_ >= options_.max_syntax_errors) {
      Token* t = tokens_->get(segments_[current_segment_]);
      emitter_
          .Error(DiagnosticKind::TooManyErrors, Loc(Range(t)),
                 fmt::format("stopped parsing after {} syntax errors", syntax_errors_))
          .Help("fix the first errors and run again");
      return;
    }
    size_t begin = segments_[current_segment_];
    size_t end = segments_[current_segment_ + 1];
    Token* first = tokens_->get(begin);
    SourceRange segment_range = {Range(first).begin, Range(tokens_->get(end)).begin};
    auto error_decl = [&] {
      file_.decls.push_back(ast::Decl{NewId(), Range(first), "", ast::ErrorDecl{}});
    };
    if (poisoned_[current_segment_]) {
      error_decl();
      continue;
    }
    size_t type = first->getType();
    if (!IsDeclKeyword(type)) {
      ReportUnknownDeclaration(first);
      continue;
    }
    if (type == G::MODULE && (current_segment_ != 0 || file_.module)) {
      emitter_
          .Error(DiagnosticKind::MisplacedModule, Loc(Range(first)),
                 "`module` must be the first declaration of the file")
          .Help("a file is one module; move this header to the top or split the file");
      ++syntax_errors_;
      continue;
    }
    tokens_->seek(begin);
    reported_in_decl_ = false;
    nesting_reported_ = false;
    try {
      if (type == G::MODULE) {
        G::ModuleDeclContext* ctx = parser_->moduleDecl();
        file_.module = BuildModule(ctx);
      } else {
        G::DeclContext* ctx = parser_->decl();
        file_.decls.push_back(BuildDecl(ctx));
      }
      // The declaration ended before the next declaration keyword: something is left over.
      Token* next = tokens_->LT(1);
      if (next->getTokenIndex() < end) {
        ++syntax_errors_;
        if (!AlreadyReported(next->getTokenIndex())) {
          bool starts_line =
              source_.LineOf(Range(next).begin) != source_.LineOf(Range(tokens_->LT(-1)).end);
          if (IsCloser(next->getType()) || (starts_line && IsNameToken(next->getType()))) {
            --syntax_errors_;  // counted again by ReportUnknownDeclaration
            ReportUnknownDeclaration(next);
          } else if (type == G::RULE && IsRuleClauseKeyword(next->getType())) {
            emitter_
                .Error(DiagnosticKind::SyntaxError, Loc(Range(next)),
                       fmt::format("`{}` must come before `then`", next->getText()))
                .Help(
                    "a rule reads: rule NAME, then `cites`, `effective`, `until` and `when` in "
                    "any order, then `then OUTCOME \"message\"`, then any `unless` clauses");
          } else {
            emitter_
                .Error(DiagnosticKind::SyntaxError, Loc(Range(next)),
                       fmt::format("expected a new declaration after this `{}` declaration, "
                                   "found {}",
                                   first->getText(), DescribeToken(next)))
                .Help("a new declaration starts with a keyword such as `rule` or `let`");
          }
        }
      }
    } catch (const DeclAbort&) {
      error_decl();
      file_.decls.back().range = segment_range;
    } catch (const std::exception& e) {
      // ANTLR failed internally; say so at the declaration rather than crash.
      emitter_.Error(DiagnosticKind::SyntaxError, Loc(Range(first)),
                     fmt::format("cannot parse this declaration ({})", e.what()));
      ++syntax_errors_;
      error_decl();
    }
    // The AST keeps nothing of the parse tree: free this declaration's nodes now, so that the
    // next one reuses memory still in cache instead of the parser growing with the file.
    parser_->getTreeTracker().reset();
  }
}

// ---------------------------------------------------------------------------------------------
// AST building

auto Parser::DocFor(const Token* start) -> std::string {
  std::string doc;
  for (Token* t : tokens_->getHiddenTokensToLeft(start->getTokenIndex(), 2)) {
    std::string text = t->getText();
    std::string_view line = text;
    line.remove_prefix(3);
    if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
    if (!doc.empty()) doc += '\n';
    doc += line;
  }
  return doc;
}

auto Parser::MakeName(G::NameContext* ctx) -> ast::Name {
  return {NewId(), Range(ctx), ctx->getText()};
}

auto Parser::MakeName(const Token* token) -> ast::Name {
  return {NewId(), Range(token), token->getText()};
}

auto Parser::MakePath(G::QualifiedNameContext* ctx) -> std::vector<ast::Name> {
  std::vector<ast::Name> path;
  for (G::NameContext* n : ctx->name()) path.push_back(MakeName(n));
  return path;
}

auto Parser::MakeText(antlr4::tree::TerminalNode* node) -> ast::Text {
  SourceRange range = Range(node->getSymbol());
  // Work on the source bytes: ANTLR's getText() round-trips through UTF-32.
  std::string_view raw = source_.text().substr(range.begin + 1, range.end - range.begin - 2);
  std::string value;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      value += raw[i];
      continue;
    }
    auto at = static_cast<uint32_t>(range.begin + 1 + i);
    char c = i + 1 < raw.size() ? raw[i + 1] : '\0';
    switch (c) {
      case '"':
        value += '"';
        ++i;
        continue;
      case '\\':
        value += '\\';
        ++i;
        continue;
      case 'n':
        value += '\n';
        ++i;
        continue;
      case 't':
        value += '\t';
        ++i;
        continue;
      case 'r':
        value += '\r';
        ++i;
        continue;
      case 'u': {
        size_t close = raw.find('}', i);
        bool braces = i + 2 < raw.size() && raw[i + 2] == '{' && close != std::string_view::npos;
        std::string_view hex = braces ? raw.substr(i + 3, close - i - 3) : std::string_view();
        bool hex_ok =
            !hex.empty() && hex.size() <= 6 && std::all_of(hex.begin(), hex.end(), [](char h) {
              return std::isxdigit(static_cast<unsigned char>(h));
            });
        uint32_t cp = hex_ok ? static_cast<uint32_t>(std::stoul(std::string(hex), nullptr, 16)) : 0;
        if (!hex_ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          auto end = static_cast<uint32_t>(braces ? range.begin + 2 + close : at + 2);
          emitter_
              .Error(DiagnosticKind::InvalidEscape, Loc({at, end}),
                     "`\\u` must be followed by a Unicode scalar value in braces")
              .Help("write a code point such as \\u{e9} or \\u{1F600}");
          i = braces ? close : i + 1;
          continue;
        }
        // Encode as UTF-8.
        if (cp < 0x80) {
          value += static_cast<char>(cp);
        } else if (cp < 0x800) {
          value += static_cast<char>(0xC0 | (cp >> 6));
          value += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          value += static_cast<char>(0xE0 | (cp >> 12));
          value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          value += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          value += static_cast<char>(0xF0 | (cp >> 18));
          value += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          value += static_cast<char>(0x80 | (cp & 0x3F));
        }
        i = close;
        continue;
      }
      default: {
        size_t n = std::max<size_t>(1, Utf8SequenceLength(raw.substr(i + 1)));
        emitter_
            .Error(DiagnosticKind::InvalidEscape, Loc({at, static_cast<uint32_t>(at + 1 + n)}),
                   fmt::format("`\\{}` is not an escape sequence", raw.substr(i + 1, n)))
            .Help("the escapes are \\\" \\\\ \\n \\t \\r and \\u{...}");
        i += n;
      }
    }
  }
  return {range, std::move(value)};
}

auto Parser::MakeDate(antlr4::tree::TerminalNode* node) -> std::optional<ast::Date> {
  SourceRange range = Range(node->getSymbol());
  std::string text = node->getText();
  if (node->getSymbol()->getType() == G::BAD_DATE) {
    emitter_
        .Error(DiagnosticKind::InvalidDate, Loc(range),
               fmt::format("`{}` is not a date of the form YYYY-MM-DD", text))
        .Help("write months and days with two digits, as in 2024-01-05");
    return std::nullopt;
  }
  int year = std::stoi(text.substr(0, 4));
  int month = std::stoi(text.substr(5, 2));
  int day = std::stoi(text.substr(8, 2));
  if (month < 1 || month > 12) {
    emitter_
        .Error(DiagnosticKind::InvalidDate, Loc(range),
               fmt::format("`{}` is not a date: there is no month {}", text, month))
        .Help("months run from 01 to 12; dates are written YYYY-MM-DD");
    return std::nullopt;
  }
  int days = DaysInMonth(year, month);
  if (day == 0) {
    emitter_
        .Error(DiagnosticKind::InvalidDate, Loc(range),
               fmt::format("`{}` is not a date: there is no day 0", text))
        .Help("days run from 01; dates are written YYYY-MM-DD");
    return std::nullopt;
  }
  if (day > days) {
    auto d = emitter_.Error(DiagnosticKind::InvalidDate, Loc(range),
                            fmt::format("`{}` is not a date: {} {} has {} days", text,
                                        kMonthNames[static_cast<size_t>(month - 1)], year, days));
    if (month == 2 && day == 29) {
      d.Help(fmt::format("{} is not a leap year", year));
    }
    return std::nullopt;
  }
  return ast::Date{range, year, static_cast<uint8_t>(month), static_cast<uint8_t>(day)};
}

auto Parser::MakeDigits(antlr4::tree::TerminalNode* node) -> std::optional<std::string> {
  std::string text = node->getText();
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      bool between = i > 0 && i + 1 < text.size() &&
                     std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                     std::isdigit(static_cast<unsigned char>(text[i + 1]));
      if (!between) {
        emitter_
            .Error(DiagnosticKind::InvalidNumber, Loc(Range(node->getSymbol())),
                   fmt::format("`{}` is not a number: `_` must stand between two digits", text))
            .Help("group digits like 10_000 or 1_000_000.5");
        return std::nullopt;
      }
      continue;
    }
    digits += text[i];
  }
  return digits;
}

auto Parser::BuildModule(G::ModuleDeclContext* ctx) -> ast::ModuleDecl {
  ast::ModuleDecl m{
      NewId(),      Range(ctx),  DocFor(ctx->getStart()), MakePath(ctx->qualifiedName()),
      std::nullopt, std::nullopt};
  for (G::ModuleAttrContext* attr : ctx->moduleAttr()) {
    bool is_title = dynamic_cast<G::TitleAttrContext*>(attr) != nullptr;
    antlr4::tree::TerminalNode* str = attr->getToken(G::STRING, 0);
    std::optional<ast::Text>& slot = is_title ? m.title : m.source;
    if (slot) {
      emitter_
          .Error(DiagnosticKind::DuplicateClause, Loc(Range(attr)),
                 fmt::format("the module has two `{}` lines", is_title ? "title" : "source"))
          .Label(Loc(slot->range), "the first is here");
      continue;
    }
    slot = MakeText(str);
  }
  return m;
}

// Input fields and table columns share one shape.
template <typename DeclContext>
auto Parser::BuildFields(const std::vector<DeclContext*>& ctxs) -> std::vector<ast::FieldDecl> {
  std::vector<ast::FieldDecl> fields;
  for (DeclContext* f : ctxs) {
    ast::FieldDecl field{NewId(), Range(f), DocFor(f->getStart()), MakeName(f->name()),
                         BuildType(f->typeExpr())};
    if constexpr (requires { f->matchClause(); }) {
      if (f->matchClause() != nullptr) field.match = MakeName(f->matchClause()->name());
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

auto Parser::BuildType(G::TypeExprContext* ctx) -> ast::TypeExpr {
  ast::TypeExpr type{NewId(), Range(ctx), ast::ErrorType{}, {}, ctx->QUESTION() != nullptr};
  G::TypeBaseContext* base = ctx->typeBase();
  if (auto* e = dynamic_cast<G::EnumTypeContext*>(base)) {
    ast::EnumType en;
    for (G::NameContext* n : e->name()) en.values.push_back(MakeName(n));
    type.base = std::move(en);
  } else if (auto* s = dynamic_cast<G::SetTypeContext*>(base)) {
    type.base = ast::SetType{std::make_unique<ast::TypeExpr>(BuildType(s->typeExpr()))};
  } else if (auto* n = dynamic_cast<G::NamedTypeContext*>(base)) {
    type.base = ast::NamedType{MakeName(n->name())};
  } else if (auto* l = dynamic_cast<G::ListTypeContext*>(base)) {
    ast::ListType list{std::make_unique<ast::TypeExpr>(BuildType(l->typeExpr()))};
    if (l->NUMBER() != nullptr) {
      list.max_range = Range(l->NUMBER()->getSymbol());
      std::string text = l->NUMBER()->getText();
      uint64_t n = 0;
      bool ok = !text.empty() && text.size() <= 9;
      for (char c : text) {
        if (c < '0' || c > '9') ok = false;
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (!ok || n == 0 || n > ast::kMaxListLength) {
        emitter_
            .Error(DiagnosticKind::NumberOutOfRange, Loc(list.max_range),
                   fmt::format("a list's maximum length is a whole number from 1 to {}, not {}",
                               ast::kMaxListLength, text))
            .Help("write, for example, `list<Owner, 32>`; without a number it is 256");
      } else {
        list.max_length = static_cast<uint32_t>(n);
      }
    }
    type.base = std::move(list);
  }
  if (G::UnitSpecContext* unit = ctx->unitSpec()) {
    bool divide = false;
    for (antlr4::tree::ParseTree* child : unit->children) {
      if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        divide = term->getSymbol()->getType() == G::SLASH;
      } else if (auto* name = dynamic_cast<G::NameContext*>(child)) {
        type.unit.push_back({MakeName(name), divide});
        divide = false;
      }
    }
  }
  return type;
}

auto Parser::BuildOutcome(G::NameContext* name, antlr4::tree::TerminalNode* message)
    -> ast::Outcome {
  return {MakeName(name), MakeText(message)};
}

auto Parser::BuildRule(G::RuleDeclContext* ctx, ast::Decl& decl) -> ast::RuleDecl {
  ast::RuleDecl rule{MakeName(ctx->name()),
                     std::nullopt,
                     std::nullopt,
                     std::nullopt,
                     nullptr,
                     nullptr,
                     nullptr,
                     BuildOutcome(ctx->thenClause()->name(), ctx->thenClause()->STRING()),
                     {}};
  SourceRange when_range{};
  auto duplicate = [&](antlr4::ParserRuleContext* clause, std::string_view keyword,
                       SourceRange first) {
    emitter_
        .Error(DiagnosticKind::DuplicateClause, Loc(Range(clause)),
               fmt::format("rule `{}` has a second `{}` clause", rule.name.text, keyword))
        .Label(Loc(first), "the first is here")
        .Help(keyword == "when" ? "combine the conditions with `and` or `or`"
                                : "a rule has at most one of each clause");
  };
  for (G::RuleClauseContext* clause : ctx->ruleClause()) {
    if (auto* c = dynamic_cast<G::CitesClauseContext*>(clause)) {
      if (rule.cites) {
        duplicate(clause, "cites", rule.cites->range);
        continue;
      }
      rule.cites = MakeText(c->STRING());
    } else if (auto* c = dynamic_cast<G::EffectiveClauseContext*>(clause)) {
      if (rule.effective || rule.effective_name) {
        duplicate(clause, "effective",
                  rule.effective ? rule.effective->range : rule.effective_name->range);
        continue;
      }
      if (c->dateRef()->date() != nullptr) {
        rule.effective = MakeDate(DateToken(c->dateRef()->date()));
      } else {
        rule.effective_name = NameExpr(c->dateRef()->name());
      }
    } else if (auto* c = dynamic_cast<G::UntilClauseContext*>(clause)) {
      if (rule.until || rule.until_name) {
        duplicate(clause, "until", rule.until ? rule.until->range : rule.until_name->range);
        continue;
      }
      if (c->dateRef()->date() != nullptr) {
        rule.until = MakeDate(DateToken(c->dateRef()->date()));
      } else {
        rule.until_name = NameExpr(c->dateRef()->name());
      }
    } else if (auto* c = dynamic_cast<G::WhenClauseContext*>(clause)) {
      if (rule.when) {
        duplicate(clause, "when", when_range);
        continue;
      }
      when_range = Range(clause);
      rule.when = BuildExpr(c->expr(), 0);
    }
  }
  // A clause written after `then` is reported once, as misplaced, by ParseDecls.
  if (!rule.when && !IsRuleClauseKeyword(tokens_->LA(1))) {
    emitter_
        .Error(DiagnosticKind::MissingClause, Loc(rule.then.outcome.range),
               fmt::format("rule `{}` has no `when` condition", rule.name.text))
        .Label(Loc(rule.name.range), "the rule starts here")
        .Help("say when the rule applies; write `when true` for a rule that always applies");
  }
  if (!rule.when) {
    rule.when = ErrorExpr(decl.range);
  }
  for (G::UnlessClauseContext* u : ctx->unlessClause()) {
    rule.unless.push_back(
        {NewId(), Range(u), BuildExpr(u->expr(), 0), BuildOutcome(u->name(), u->STRING())});
  }
  return rule;
}

auto Parser::BuildTest(G::TestDeclContext* ctx) -> ast::TestDecl {
  ast::TestDecl test{MakeText(ctx->STRING()), {}, {}, {}};
  for (G::GivenClauseContext* g : ctx->givenClause()) {
    test.givens.push_back({NewId(), Range(g), MakeName(g->name()), BuildExpr(g->expr(), 0)});
  }
  std::vector<G::NameContext*> names = ctx->expectClause()->name();
  test.expect = MakeName(names[0]);
  for (size_t i = 1; i < names.size(); ++i) test.by.push_back(MakeName(names[i]));
  return test;
}

auto Parser::BuildDecl(G::DeclContext* ctx) -> ast::Decl {
  ast::Decl decl{NewId(), Range(ctx), DocFor(ctx->getStart()), ast::ErrorDecl{}};
  if (auto* d = ctx->importDecl()) {
    ast::ImportDecl imp{MakePath(d->qualifiedName()), std::nullopt};
    if (d->LPAREN() != nullptr) {
      imp.names.emplace();
      for (G::NameContext* n : d->name()) imp.names->push_back(MakeName(n));
    }
    decl.kind = std::move(imp);
  } else if (auto* d = ctx->unitDecl()) {
    decl.kind = ast::UnitDecl{MakeName(d->name()), d->expr() ? BuildExpr(d->expr(), 0) : nullptr};
  } else if (auto* d = ctx->outcomesDecl()) {
    ast::OutcomesDecl out;
    for (G::NameContext* n : d->name()) out.outcomes.push_back(MakeName(n));
    decl.kind = std::move(out);
  } else if (auto* d = ctx->inputDecl()) {
    decl.kind = ast::InputDecl{MakeName(d->name()), BuildFields(d->fieldDecl())};
  } else if (auto* d = ctx->extendDecl()) {
    decl.kind = ast::ExtendDecl{MakeName(d->name()), BuildFields(d->fieldDecl())};
  } else if (auto* d = ctx->letDecl()) {
    ast::LetDecl let{MakeName(d->name()), std::nullopt, std::nullopt, nullptr};
    if (d->LPAREN() != nullptr) {
      let.params.emplace();
      for (G::ParamContext* p : d->param()) {
        let.params->push_back({NewId(), Range(p), MakeName(p->name()), BuildType(p->typeExpr())});
      }
    }
    if (d->typeExpr() != nullptr) let.type = BuildType(d->typeExpr());
    let.value = BuildExpr(d->expr(), 0);
    decl.kind = std::move(let);
  } else if (auto* d = ctx->tableDecl()) {
    ast::TableDecl table{MakeName(d->name()), d->EXTERN() != nullptr, std::nullopt,
                         BuildFields(d->columnDecl())};
    if (d->STRING() != nullptr) table.path = MakeText(d->STRING());
    decl.kind = std::move(table);
  } else if (auto* d = ctx->normalizationDecl()) {
    ast::NormalizationDecl norm{MakeName(d->name()), {}};
    for (G::NormSettingContext* setting : d->normSetting()) {
      std::vector<G::NameContext*> names = setting->name();
      ast::NormalizationDecl::Setting out{.range = Range(setting), .name = MakeName(names[0])};
      if (names.size() > 1) out.word = MakeName(names[1]);
      if (setting->NONE() != nullptr) {
        out.word = ast::Name{NewId(), Range(setting->NONE()->getSymbol()), "none"};
      }
      if (setting->STRING() != nullptr) out.text = MakeText(setting->STRING());
      out.from = setting->FROM() != nullptr;
      norm.settings.push_back(std::move(out));
    }
    decl.kind = std::move(norm);
  } else if (auto* d = ctx->ruleDecl()) {
    decl.kind = BuildRule(d, decl);
  } else if (auto* d = ctx->requireDecl()) {
    decl.kind = ast::RequireDecl{BuildExpr(d->expr(), 0), MakeText(d->STRING())};
  } else if (auto* d = ctx->reviewDecl()) {
    ast::ReviewDecl review;
    review.range = Range(d);
    if (d->dateRef()->date() != nullptr) {
      review.date = MakeDate(DateToken(d->dateRef()->date()));
    } else {
      review.date_name = NameExpr(d->dateRef()->name());
    }
    if (d->expr() != nullptr) review.grace = BuildExpr(d->expr(), 0);
    decl.kind = std::move(review);
  } else if (auto* d = ctx->testDecl()) {
    decl.kind = BuildTest(d);
  }
  return decl;
}

auto Parser::BuildExpr(G::ExprContext* ctx, int depth) -> ast::ExprPtr {
  SourceRange range = Range(ctx);
  if (depth > options_.max_nesting) {
    // Long operator chains nest in the tree without nesting brackets; bound them here, once per
    // declaration.
    if (std::exchange(nesting_reported_, true)) {
      return ErrorExpr(range);
    }
    emitter_
        .Error(DiagnosticKind::NestingTooDeep, Loc(range),
               fmt::format("nested more than {} levels deep", options_.max_nesting))
        .Help("name parts of the expression with `let` definitions");
    return ErrorExpr(range);
  }
  auto binary = [&](ast::BinaryOp op, Token* op_token, G::ExprContext* lhs, G::ExprContext* rhs) {
    SourceRange op_range = Range(op_token);
    return MakeExpr(
        range, ast::Binary{op, op_range, BuildExpr(lhs, depth + 1), BuildExpr(rhs, depth + 1)});
  };
  if (auto* e = dynamic_cast<G::PrimaryExprContext*>(ctx)) {
    return BuildPrimary(e->primary(), depth);
  }
  if (auto* e = dynamic_cast<G::FieldExprContext*>(ctx)) {
    return MakeExpr(range, ast::FieldAccess{BuildExpr(e->expr(), depth + 1), MakeName(e->name())});
  }
  if (auto* e = dynamic_cast<G::CallExprContext*>(ctx)) {
    std::vector<G::ExprContext*> parts = e->expr();
    ast::Call call{BuildExpr(parts[0], depth + 1), {}};
    for (size_t i = 1; i < parts.size(); ++i) call.args.push_back(BuildExpr(parts[i], depth + 1));
    return MakeExpr(range, std::move(call));
  }
  if (auto* e = dynamic_cast<G::NegExprContext*>(ctx)) {
    return MakeExpr(range, ast::Unary{ast::UnaryOp::kNeg, Range(e->MINUS()->getSymbol()),
                                      BuildExpr(e->expr(), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::NotExprContext*>(ctx)) {
    return MakeExpr(range, ast::Unary{ast::UnaryOp::kNot, Range(e->NOT()->getSymbol()),
                                      BuildExpr(e->expr(), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::MulExprContext*>(ctx)) {
    return binary(e->op->getType() == G::STAR ? ast::BinaryOp::kMul : ast::BinaryOp::kDiv, e->op,
                  e->expr(0), e->expr(1));
  }
  if (auto* e = dynamic_cast<G::AddExprContext*>(ctx)) {
    return binary(e->op->getType() == G::PLUS ? ast::BinaryOp::kAdd : ast::BinaryOp::kSub, e->op,
                  e->expr(0), e->expr(1));
  }
  if (auto* e = dynamic_cast<G::OtherwiseExprContext*>(ctx)) {
    return binary(ast::BinaryOp::kOtherwise, e->OTHERWISE()->getSymbol(), e->expr(0), e->expr(1));
  }
  if (auto* e = dynamic_cast<G::CompareExprContext*>(ctx)) {
    ast::BinaryOp op = ast::BinaryOp::kEq;
    switch (e->op->getType()) {
      case G::EQ:
        op = ast::BinaryOp::kEq;
        break;
      case G::NE:
        op = ast::BinaryOp::kNe;
        break;
      case G::LT:
        op = ast::BinaryOp::kLt;
        break;
      case G::LE:
        op = ast::BinaryOp::kLe;
        break;
      case G::GT:
        op = ast::BinaryOp::kGt;
        break;
      default:
        op = ast::BinaryOp::kGe;
        break;
    }
    return binary(op, e->op, e->expr(0), e->expr(1));
  }
  if (auto* e = dynamic_cast<G::InExprContext*>(ctx)) {
    bool negated = e->NOT() != nullptr;
    SourceRange op_range = Range(e->IN()->getSymbol());
    if (negated) op_range.begin = Range(e->NOT()->getSymbol()).begin;
    return MakeExpr(
        range, ast::Binary{negated ? ast::BinaryOp::kNotIn : ast::BinaryOp::kIn, op_range,
                           BuildExpr(e->expr(0), depth + 1), BuildExpr(e->expr(1), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::IsSomeExprContext*>(ctx)) {
    return MakeExpr(range, ast::IsSome{BuildExpr(e->expr(), depth + 1), MakeName(e->name())});
  }
  if (auto* e = dynamic_cast<G::IfExprContext*>(ctx)) {
    return MakeExpr(range,
                    ast::If{BuildExpr(e->expr(0), depth + 1), BuildExpr(e->expr(1), depth + 1),
                            BuildExpr(e->expr(2), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::QuantExprContext*>(ctx)) {
    ast::Quantifier kind = ast::Quantifier::kAny;
    switch (e->quant->getType()) {
      case G::ALL:
        kind = ast::Quantifier::kAll;
        break;
      case G::COUNT:
        kind = ast::Quantifier::kCount;
        break;
      case G::SUM:
        kind = ast::Quantifier::kSum;
        break;
      case G::MIN:
        kind = ast::Quantifier::kMin;
        break;
      case G::MAX:
        kind = ast::Quantifier::kMax;
        break;
      default:
        break;
    }
    return MakeExpr(
        range, ast::Quantified{kind, Range(e->quant), MakeName(e->name()),
                               BuildExpr(e->expr(0), depth + 1), BuildExpr(e->expr(1), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::IsNoneExprContext*>(ctx)) {
    return MakeExpr(range, ast::IsNone{BuildExpr(e->expr(), depth + 1)});
  }
  if (auto* e = dynamic_cast<G::AndExprContext*>(ctx)) {
    return binary(ast::BinaryOp::kAnd, e->AND()->getSymbol(), e->expr(0), e->expr(1));
  }
  if (auto* e = dynamic_cast<G::OrExprContext*>(ctx)) {
    return binary(ast::BinaryOp::kOr, e->OR()->getSymbol(), e->expr(0), e->expr(1));
  }
  return ErrorExpr(range);
}

auto Parser::BuildPrimary(G::PrimaryContext* ctx, int depth) -> ast::ExprPtr {
  SourceRange range = Range(ctx);
  if (auto* p = dynamic_cast<G::NumberLitContext*>(ctx)) {
    std::optional<std::string> digits = MakeDigits(p->NUMBER());
    if (!digits) return ErrorExpr(range);
    // `90 min`: `min` is also a quantifier, but after a number it is the unit.
    if (p->unit != nullptr) {
      SourceRange number = Range(p->NUMBER()->getSymbol());
      SourceRange unit = Range(p->unit);
      if (source_.LineOf(number.end) != source_.LineOf(unit.begin)) {
        emitter_
            .Error(DiagnosticKind::SyntaxError, Loc(unit),
                   fmt::format("`{}` on the line after `{}` would be read as its unit",
                               p->unit->getText(), p->NUMBER()->getText()))
            .Label(Loc(number), "the number is here")
            .Help("write a unit on the same line as its number");
        return ErrorExpr(range);
      }
      return MakeExpr(range, ast::QuantityLit{std::move(*digits), MakeName(p->unit)});
    }
    return MakeExpr(range, ast::NumberLit{std::move(*digits)});
  }
  if (auto* p = dynamic_cast<G::StringLitContext*>(ctx)) {
    return MakeExpr(range, ast::StringLit{MakeText(p->STRING()).value});
  }
  if (auto* p = dynamic_cast<G::DateLitContext*>(ctx)) {
    std::optional<ast::Date> date = MakeDate(p->DATE());
    return date ? MakeExpr(range, ast::DateLit{*date}) : ErrorExpr(range);
  }
  if (auto* p = dynamic_cast<G::BadDateLitContext*>(ctx)) {
    (void)MakeDate(p->BAD_DATE());
    return ErrorExpr(range);
  }
  if (auto* p = dynamic_cast<G::BoolLitContext*>(ctx)) {
    return MakeExpr(range, ast::BoolLit{p->TRUE() != nullptr});
  }
  if (dynamic_cast<G::NoneLitContext*>(ctx) != nullptr) {
    return MakeExpr(range, ast::NoneLit{});
  }
  if (auto* p = dynamic_cast<G::NameRefContext*>(ctx)) {
    return MakeExpr(range, ast::NameRef{p->name()->getText()});
  }
  if (auto* p = dynamic_cast<G::RecordLitContext*>(ctx)) {
    ast::RecordLit record;
    for (G::FieldInitContext* f : p->fieldInit()) {
      record.fields.push_back({MakeName(f->name()), BuildExpr(f->expr(), depth + 1)});
    }
    return MakeExpr(range, std::move(record));
  }
  if (auto* p = dynamic_cast<G::SetLitContext*>(ctx)) {
    ast::SetLit set;
    for (G::SetElementContext* e : p->setElement()) {
      set.elements.push_back(BuildExpr(e->expr(), depth + 1));
      ast::MemberDates dates;
      auto date_ref = [&](G::DateRefContext* ref, std::optional<ast::Date>& date,
                          ast::ExprPtr& name) {
        if (ref == nullptr) return;
        if (ref->date() != nullptr) {
          date = MakeDate(DateToken(ref->date()));
        } else {
          name = NameExpr(ref->name());
        }
      };
      date_ref(e->FROM() != nullptr ? e->dateRef(0) : nullptr, dates.from, dates.from_name);
      date_ref(e->UNTIL() != nullptr ? e->dateRef(e->FROM() != nullptr ? 1 : 0) : nullptr,
               dates.until, dates.until_name);
      set.dates.push_back(std::move(dates));
    }
    return MakeExpr(range, std::move(set));
  }
  if (auto* p = dynamic_cast<G::ListLitContext*>(ctx)) {
    ast::ListLit list;
    for (G::ExprContext* e : p->expr()) list.elements.push_back(BuildExpr(e, depth + 1));
    return MakeExpr(range, std::move(list));
  }
  if (auto* p = dynamic_cast<G::ParenExprContext*>(ctx)) {
    ast::ExprPtr inner = BuildExpr(p->expr(), depth + 1);
    inner->range = range;  // diagnostics underline the parentheses too
    return inner;
  }
  return ErrorExpr(range);
}

}  // namespace

auto Parse(const SourceBuffer& source, DiagnosticEmitter& emitter, const ParseOptions& options)
    -> ast::File {
  Parser parser(source, emitter, options);
  return parser.Run();
}

}  // namespace cordon::parse
