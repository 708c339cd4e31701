// SPDX-License-Identifier: Apache-2.0
// The formatter prints ANTLR's concrete tree of a file that parsed cleanly. Every default-channel
// token is printed once, in order, with spacing decided by the pair of tokens and their rule
// (`{A, B}` but `{ a: 1 }`, `set<text>` but `a < b`); the walk over the tree only decides where
// lines break. Comments never move past a token: one that shared a line with the token before it
// stays at the end of that line, any other stays on its own line before the next token. That
// keeps doc comments attached to the declaration they document, so the meaning cannot change.
#include "compiler/format/format.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "CordonLexer.h"
#include "CordonParser.h"
#include "antlr4-runtime.h"
#include "compiler/parse/parse.h"

namespace cordon::format {
namespace {

using G = cordon_grammar::CordonParser;
using antlr4::ParserRuleContext;
using antlr4::Token;

// Marks where a trailing comment starts in a printed line, so that a final pass can align the
// trailing comments of consecutive lines. Never part of the output.
constexpr char kTrailingMark = '\x01';
constexpr int kIndent = 2;

class Printer {
 public:
  Printer(antlr4::CommonTokenStream& tokens, const FormatOptions& options)
      : tokens_(tokens.getTokens()), width_(options.line_width) {
    parents_.resize(tokens_.size(), nullptr);
    leading_.resize(tokens_.size());
    trailing_.resize(tokens_.size(), nullptr);
    AttachComments();
  }

  auto Print(G::FileContext* file) -> std::string {
    IndexParents(file);
    bool first = true;
    auto top = [&](ParserRuleContext* ctx, auto&& emit) {
      if (!first) Break(0, ctx->getStart(), /*allow_blank=*/true);
      first = false;
      emit();
    };
    if (G::ModuleDeclContext* m = file->moduleDecl()) top(m, [&] { Module(m); });
    for (G::DeclContext* d : file->decl()) top(d, [&] { Decl(d); });
    // Comments after the last declaration.
    Token* eof = file->EOF()->getSymbol();
    if (!leading_[eof->getTokenIndex()].empty()) {
      if (!first) Break(0, eof, /*allow_blank=*/true);
      EmitLeadingComments(eof);
    }
    FlushTrailing();
    // Exactly one line break at the end of the file.
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
    out_ += '\n';
    return AlignTrailingComments(out_);
  }

 private:
  // ---------------------------------------------------------------------------------------------
  // Comments

  void AttachComments() {
    Token* previous = nullptr;  // the last default-channel token
    std::vector<Token*> pending;
    for (Token* t : tokens_) {
      if (t->getChannel() == Token::DEFAULT_CHANNEL) {
        leading_[t->getTokenIndex()] = std::move(pending);
        pending.clear();
        previous = t;
        continue;
      }
      if (previous != nullptr && t->getLine() == previous->getLine() &&
          trailing_[previous->getTokenIndex()] == nullptr && pending.empty()) {
        trailing_[previous->getTokenIndex()] = t;
      } else {
        pending.push_back(t);
      }
    }
  }

  auto HasComments(ParserRuleContext* ctx) const -> bool {
    size_t begin = ctx->getStart()->getTokenIndex();
    size_t end = ctx->getStop()->getTokenIndex();
    for (size_t i = begin; i <= end; ++i) {
      if (tokens_[i]->getChannel() != Token::DEFAULT_CHANNEL) return true;
    }
    return false;
  }

  static auto CommentText(Token* t) -> std::string {
    std::string text = t->getText();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
      text.pop_back();
    }
    return text;
  }

  void EmitLeadingComments(Token* t) {
    const std::vector<Token*>& comments = leading_[t->getTokenIndex()];
    for (size_t i = 0; i < comments.size(); ++i) {
      Token* c = comments[i];
      if (!at_line_start_) Newline(line_indent_, c->getLine(), /*allow_blank=*/true);
      out_ += CommentText(c);
      last_line_ = c->getLine();
      at_line_start_ = false;
      size_t next = i + 1 < comments.size() ? comments[i + 1]->getLine() : t->getLine();
      Newline(line_indent_, next, /*allow_blank=*/true);
    }
  }

  void FlushTrailing() {
    if (pending_trailing_ == nullptr) return;
    out_ += kTrailingMark;
    out_ += CommentText(pending_trailing_);
    last_line_ = pending_trailing_->getLine();
    pending_trailing_ = nullptr;
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  // A new line indented to `column`. A blank line is kept where the source had one before
  // `next_line` (declarations, clauses and fields; not inside an expression).
  void Newline(int column, size_t next_line, bool allow_blank) {
    FlushTrailing();
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    out_ += '\n';
    if (allow_blank && last_line_ != 0 && next_line > last_line_ + 1) out_ += '\n';
    out_.append(static_cast<size_t>(column), ' ');
    line_indent_ = column;
    column_ = column;
    at_line_start_ = true;
  }

  // A line break before `next` (its leading comments come first).
  void Break(int column, Token* next, bool allow_blank = false) {
    const std::vector<Token*>& comments = leading_[next->getTokenIndex()];
    size_t line = comments.empty() ? next->getLine() : comments.front()->getLine();
    Newline(column, line, allow_blank);
  }

  void Put(Token* t) {
    if (!leading_[t->getTokenIndex()].empty()) {
      if (!at_line_start_) Newline(line_indent_ + kIndent, t->getLine(), false);
      EmitLeadingComments(t);
    } else if (pending_trailing_ != nullptr) {
      Newline(hang_ >= 0 ? hang_ : line_indent_ + kIndent, t->getLine(), false);
    }
    if (!at_line_start_ && previous_ != nullptr && SpaceBetween(previous_, t)) Write(" ");
    Write(t->getText());
    at_line_start_ = false;
    previous_ = t;
    last_line_ = t->getLine();
    if (Token* c = trailing_[t->getTokenIndex()]) pending_trailing_ = c;
  }

  void Write(std::string_view text) {
    out_ += text;
    column_ += static_cast<int>(Utf8Width(text));
  }

  static auto Utf8Width(std::string_view text) -> size_t {
    size_t n = 0;
    for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
  }

  void PutAll(ParserRuleContext* ctx) { PutRange(ctx->getStart(), ctx->getStop()); }
  void PutRange(Token* first, Token* last) {
    for (size_t i = first->getTokenIndex(); i <= last->getTokenIndex(); ++i) {
      if (tokens_[i]->getChannel() == Token::DEFAULT_CHANNEL) Put(tokens_[i]);
    }
  }
  void PutNode(antlr4::tree::TerminalNode* node) { Put(node->getSymbol()); }

  // ---------------------------------------------------------------------------------------------
  // Spacing

  void IndexParents(antlr4::tree::ParseTree* node) {
    for (antlr4::tree::ParseTree* child : node->children) {
      if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        Token* t = terminal->getSymbol();
        if (t->getTokenIndex() < parents_.size()) {
          parents_[t->getTokenIndex()] = dynamic_cast<ParserRuleContext*>(node);
        }
      } else {
        IndexParents(child);
      }
    }
  }

  auto Parent(Token* t) const -> ParserRuleContext* { return parents_[t->getTokenIndex()]; }

  template <typename T>
  auto ParentIs(Token* t) const -> bool {
    return dynamic_cast<T*>(Parent(t)) != nullptr;
  }

  // Whether a space separates two tokens printed on one line.
  auto SpaceBetween(Token* prev, Token* next) const -> bool {
    size_t p = prev->getType();
    size_t n = next->getType();
    if (n == G::COMMA || n == G::RPAREN || n == G::RBRACK || n == G::DOT || n == G::COLON ||
        n == G::QUESTION) {
      return false;
    }
    if (p == G::LPAREN || p == G::LBRACK || p == G::DOT) return false;
    if (p == G::LBRACE && n == G::RBRACE) return false;
    if (p == G::LBRACE || n == G::RBRACE) {
      // Records and enum types breathe inside their braces; sets do not.
      ParserRuleContext* owner = Parent(p == G::LBRACE ? prev : next);
      return dynamic_cast<G::SetLitContext*>(owner) == nullptr;
    }
    if (n == G::LPAREN) {
      return !(ParentIs<G::CallExprContext>(next) || ParentIs<G::LetDeclContext>(next));
    }
    bool type_bracket = [&] {
      auto in_type = [&](Token* t) {
        return ParentIs<G::SetTypeContext>(t) || ParentIs<G::ListTypeContext>(t);
      };
      return ((n == G::LT || n == G::GT) && in_type(next)) || (p == G::LT && in_type(prev));
    }();
    if (type_bracket) return false;
    if (p == G::MINUS && ParentIs<G::NegExprContext>(prev)) return false;
    return true;
  }

  // The width of `ctx` printed on one line, or "too wide" when a comment forces it apart.
  auto FlatWidth(ParserRuleContext* ctx) const -> int {
    if (HasComments(ctx)) return std::numeric_limits<int>::max() / 2;
    int width = 0;
    Token* previous = nullptr;
    for (size_t i = ctx->getStart()->getTokenIndex(); i <= ctx->getStop()->getTokenIndex(); ++i) {
      Token* t = tokens_[i];
      if (previous != nullptr && SpaceBetween(previous, t)) ++width;
      width += static_cast<int>(Utf8Width(t->getText()));
      previous = t;
    }
    return width;
  }

  auto NeedsSpaceBefore(Token* next) const -> bool {
    return previous_ != nullptr && !at_line_start_ && SpaceBetween(previous_, next);
  }

  // Whether `ctx` fits on the current line, with `after` more columns behind it.
  auto Fits(ParserRuleContext* ctx, int after = 0) const -> bool {
    int space = NeedsSpaceBefore(ctx->getStart()) ? 1 : 0;
    return column_ + space + FlatWidth(ctx) + after <= width_;
  }

  // ---------------------------------------------------------------------------------------------
  // Declarations

  void Module(G::ModuleDeclContext* m) {
    PutNode(m->MODULE());
    PutAll(m->qualifiedName());
    for (G::ModuleAttrContext* attr : m->moduleAttr()) {
      Break(kIndent, attr->getStart(), /*allow_blank=*/false);
      Put(attr->getStart());
      // `title` and `source` values line up.
      std::vector<G::ModuleAttrContext*> attrs = m->moduleAttr();
      bool has_source = std::any_of(attrs.begin(), attrs.end(),
                                    [](auto* a) { return a->getStart()->getType() == G::SOURCE; });
      if (attr->getStart()->getType() == G::TITLE && has_source) Write(" ");
      PutRange(attr->getStop(), attr->getStop());
    }
  }

  void Decl(G::DeclContext* d) {
    if (auto* x = d->importDecl()) return Import(x);
    if (auto* x = d->inputDecl())
      return Block(x->getStart(), x->LBRACE()->getSymbol(), x->fieldDecl(),
                   x->RBRACE()->getSymbol());
    if (auto* x = d->extendDecl())
      return Block(x->getStart(), x->LBRACE()->getSymbol(), x->fieldDecl(),
                   x->RBRACE()->getSymbol());
    if (auto* x = d->tableDecl())
      return Block(x->getStart(), x->LBRACE()->getSymbol(), x->columnDecl(),
                   x->RBRACE()->getSymbol());
    if (auto* x = d->normalizationDecl())
      return Block(x->getStart(), x->LBRACE()->getSymbol(), x->normSetting(),
                   x->RBRACE()->getSymbol());
    if (auto* x = d->letDecl()) return Let(x);
    if (auto* x = d->ruleDecl()) return Rule(x);
    if (auto* x = d->requireDecl()) return Require(x);
    if (auto* x = d->testDecl()) return Test(x);
    // unit, outcomes, reviewed: one line each.
    PutAll(d);
  }

  void Import(G::ImportDeclContext* x) {
    if (x->LPAREN() == nullptr || Fits(x)) return PutAllButTrailingComma(x);
    PutNode(x->IMPORT());
    PutAll(x->qualifiedName());
    PutNode(x->LPAREN());
    Break(kIndent, x->name(0)->getStart());
    FillList(x->name(), x->COMMA(), kIndent);
    Break(0, x->RPAREN()->getSymbol());
    PutNode(x->RPAREN());
  }

  // `head {` members one a line `}`; the commas between members are dropped.
  template <typename Member>
  void Block(Token* head, Token* open, const std::vector<Member*>& members, Token* close) {
    PutRange(head, open);
    if (members.empty() && leading_[close->getTokenIndex()].empty()) return Put(close);
    for (Member* member : members) {
      Break(kIndent, member->getStart(), /*allow_blank=*/member != members.front());
      PutWithoutTrailingComma(member);
    }
    Break(0, close, /*allow_blank=*/false);
    Put(close);
  }

  void Let(G::LetDeclContext* x) {
    G::ExprContext* body = x->expr();
    PutRange(x->getStart(), x->ASSIGN()->getSymbol());
    if (Fits(body)) return Expr(body);
    if (auto* set = AsSetLiteral(body); set != nullptr && !set->setElement().empty()) {
      // A long set of its own (a country group): `= {`, the members filled, `}`.
      PutNode(set->LBRACE());
      Break(kIndent, set->setElement(0)->getStart());
      FillList(set->setElement(), set->COMMA(), kIndent);
      Break(0, set->RBRACE()->getSymbol());
      return PutNode(set->RBRACE());
    }
    Break(kIndent, body->getStart());
    Expr(body);
  }

  void Rule(G::RuleDeclContext* x) {
    PutNode(x->RULE());
    PutAll(x->name());
    for (G::RuleClauseContext* clause : x->ruleClause()) {
      Break(kIndent, clause->getStart(), /*allow_blank=*/true);
      if (auto* when = dynamic_cast<G::WhenClauseContext*>(clause)) {
        PutNode(when->WHEN());
        Expr(when->expr());
      } else {
        PutAll(clause);
      }
    }
    Break(kIndent, x->thenClause()->getStart(), /*allow_blank=*/true);
    PutAll(x->thenClause());
    for (G::UnlessClauseContext* unless : x->unlessClause()) {
      Break(kIndent, unless->getStart(), /*allow_blank=*/true);
      PutNode(unless->UNLESS());
      Expr(unless->expr());
      Break(2 * kIndent, unless->THEN()->getSymbol());
      PutRange(unless->THEN()->getSymbol(), unless->getStop());
    }
  }

  void Require(G::RequireDeclContext* x) {
    if (Fits(x)) return PutAll(x);
    PutNode(x->REQUIRE());
    Expr(x->expr());
    Break(kIndent, x->STRING()->getSymbol());
    PutNode(x->STRING());
  }

  void Test(G::TestDeclContext* x) {
    PutRange(x->getStart(), x->LBRACE()->getSymbol());
    for (G::GivenClauseContext* given : x->givenClause()) {
      Break(kIndent, given->getStart(), /*allow_blank=*/given != x->givenClause().front());
      PutRange(given->getStart(), given->ASSIGN()->getSymbol());
      Expr(given->expr());
    }
    Break(kIndent, x->expectClause()->getStart(), /*allow_blank=*/!x->givenClause().empty());
    PutAll(x->expectClause());
    Break(0, x->RBRACE()->getSymbol());
    PutNode(x->RBRACE());
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  static auto AsSetLiteral(G::ExprContext* e) -> G::SetLitContext* {
    auto* primary = dynamic_cast<G::PrimaryExprContext*>(e);
    return primary == nullptr ? nullptr : dynamic_cast<G::SetLitContext*>(primary->primary());
  }

  // An `and` (or `or`) chain's operands, left to right: `a and b and c` is ((a and b) and c).
  template <typename Chain>
  static void Operands(G::ExprContext* e, std::vector<G::ExprContext*>& out) {
    if (auto* chain = dynamic_cast<Chain*>(e)) {
      Operands<Chain>(chain->expr(0), out);
      out.push_back(chain->expr(1));
    } else {
      out.push_back(e);
    }
  }

  // Prints `e` from the current column: on one line when it fits, otherwise broken the same way
  // every time (a chain one operand a line, lists filled).
  void Expr(G::ExprContext* e) {
    if (Fits(e)) return PutAll(e);
    if (dynamic_cast<G::AndExprContext*>(e) != nullptr) return Chain<G::AndExprContext>(e);
    if (dynamic_cast<G::OrExprContext*>(e) != nullptr) return Chain<G::OrExprContext>(e);
    if (auto* p = dynamic_cast<G::PrimaryExprContext*>(e)) return Primary(p->primary());
    if (auto* call = dynamic_cast<G::CallExprContext*>(e)) {
      Expr(call->expr(0));
      PutNode(call->LPAREN());
      std::vector<G::ExprContext*> args(call->expr().begin() + 1, call->expr().end());
      if (!args.empty()) FillList(args, call->COMMA(), column_);
      return PutNode(call->RPAREN());
    }
    if (auto* n = dynamic_cast<G::NotExprContext*>(e)) {
      PutNode(n->NOT());
      return Expr(n->expr());
    }
    if (auto* q = dynamic_cast<G::QuantExprContext*>(e)) {
      PutRange(q->getStart(), q->COLON()->getSymbol());
      if (!Fits(q->expr(1))) Break(line_indent_ + kIndent, q->expr(1)->getStart());
      return Expr(q->expr(1));
    }
    if (auto* i = dynamic_cast<G::IfExprContext*>(e)) {
      int column = column_;
      PutNode(i->IF());
      Expr(i->expr(0));
      Break(column + kIndent, i->THEN()->getSymbol());
      PutNode(i->THEN());
      Expr(i->expr(1));
      Break(column + kIndent, i->ELSE()->getSymbol());
      PutNode(i->ELSE());
      return Expr(i->expr(2));
    }
    // A binary operation: its operands may break inside, the operator never starts a line.
    if (BinaryParts(e)) return;
    PutAll(e);
  }

  auto BinaryParts(G::ExprContext* e) -> bool {
    std::vector<G::ExprContext*> operands = e->getRuleContexts<G::ExprContext>();
    if (operands.size() != 2) return false;
    Expr(operands[0]);
    PutRange(tokens_[operands[0]->getStop()->getTokenIndex() + 1],
             tokens_[operands[1]->getStart()->getTokenIndex() - 1]);
    Expr(operands[1]);
    return true;
  }

  template <typename ChainContext>
  void Chain(G::ExprContext* e) {
    std::vector<G::ExprContext*> operands;
    Operands<ChainContext>(e, operands);
    int first = column_ + (NeedsSpaceBefore(operands.front()->getStart()) ? 1 : 0);
    int block = line_indent_;
    for (size_t i = 0; i < operands.size(); ++i) {
      if (i > 0) {
        auto* chain = dynamic_cast<ChainContext*>(operands[i]->parent);
        Token* op =
            chain->getToken(std::is_same_v<ChainContext, G::AndExprContext> ? G::AND : G::OR, 0)
                ->getSymbol();
        int op_width = static_cast<int>(op->getText().size()) + 1;
        // Operands line up under the first when the operator fits before them (`when a` /
        // `   and b`); otherwise (a `let` body) each line starts with the operator.
        int column = first - op_width > block ? first - op_width : first;
        Break(column, op);
        Put(op);
        int saved = line_indent_;
        int saved_hang = hang_;
        line_indent_ = column_ + 1;  // a nested break lines up with this operand
        hang_ = column_ + 1;         // so does the operand after a comment that ends the line
        Expr(operands[i]);
        line_indent_ = std::min(saved, line_indent_);
        hang_ = saved_hang;
      } else {
        Expr(operands[i]);
      }
    }
  }

  void Primary(G::PrimaryContext* p) {
    if (auto* set = dynamic_cast<G::SetLitContext*>(p)) {
      PutNode(set->LBRACE());
      FillList(set->setElement(), set->COMMA(), column_);
      return PutNode(set->RBRACE());
    }
    if (auto* list = dynamic_cast<G::ListLitContext*>(p)) {
      PutNode(list->LBRACK());
      FillList(list->expr(), list->COMMA(), column_);
      return PutNode(list->RBRACK());
    }
    if (auto* record = dynamic_cast<G::RecordLitContext*>(p)) return Record(record);
    if (auto* paren = dynamic_cast<G::ParenExprContext*>(p)) {
      PutNode(paren->LPAREN());
      int saved = line_indent_;
      line_indent_ = column_;
      Expr(paren->expr());
      line_indent_ = saved;
      return PutNode(paren->RPAREN());
    }
    PutAll(p);
  }

  // A record too long for one line: `{`, its plain fields filled, each field holding a record on
  // a line of its own, `}`.
  void Record(G::RecordLitContext* record) {
    int block = line_indent_;
    int inner = block + kIndent;
    PutNode(record->LBRACE());
    std::vector<G::FieldInitContext*> fields = record->fieldInit();
    bool line_has_field = false;
    for (size_t i = 0; i < fields.size(); ++i) {
      G::FieldInitContext* field = fields[i];
      bool last = i + 1 == fields.size();
      bool nested = IsRecord(field->expr());
      int after = last ? 0 : 1;  // its comma
      if (!line_has_field || nested || !Fits(field, after)) {
        Break(inner, field->getStart());
      }
      PutRange(field->getStart(), field->COLON()->getSymbol());
      Expr(field->expr());
      if (!last) Put(record->COMMA(i)->getSymbol());
      line_has_field = !nested;
    }
    // Drop a trailing comma, keeping any comment on it.
    for (size_t i = fields.size() - 1; i < record->COMMA().size(); ++i) {
      CarryComments(record->COMMA(i)->getSymbol());
    }
    Break(block, record->RBRACE()->getSymbol());
    PutNode(record->RBRACE());
  }

  static auto IsRecord(G::ExprContext* e) -> bool {
    auto* primary = dynamic_cast<G::PrimaryExprContext*>(e);
    return primary != nullptr && dynamic_cast<G::RecordLitContext*>(primary->primary()) != nullptr;
  }

  // Items separated by commas, as many to a line as fit, continuation lines at `column`. A
  // trailing comma is dropped.
  template <typename Item>
  void FillList(const std::vector<Item*>& items,
                const std::vector<antlr4::tree::TerminalNode*>& commas, int column) {
    int saved = line_indent_;
    for (size_t i = 0; i < items.size(); ++i) {
      bool last = i + 1 == items.size();
      // One column more: the comma after it, or the closing bracket.
      if (i > 0 && !Fits(items[i], 1)) Break(column, items[i]->getStart());
      line_indent_ = column;
      ExprOrAll(items[i]);
      if (!last) Put(commas[i]->getSymbol());
    }
    for (size_t i = items.size() - 1; i < commas.size(); ++i) CarryComments(commas[i]->getSymbol());
    line_indent_ = saved;
  }

  void ExprOrAll(ParserRuleContext* item) {
    if (auto* e = dynamic_cast<G::ExprContext*>(item)) return Expr(e);
    if (auto* element = dynamic_cast<G::SetElementContext*>(item)) {
      Expr(element->expr());
      if (element->expr()->getStop() != element->getStop()) {
        PutRange(tokens_[element->expr()->getStop()->getTokenIndex() + 1], element->getStop());
      }
      return;
    }
    PutAll(item);
  }

  // A token left out of the output (a trailing comma): its comments are kept.
  void CarryComments(Token* dropped) {
    if (!leading_[dropped->getTokenIndex()].empty()) {
      if (!at_line_start_) Newline(line_indent_, dropped->getLine(), false);
      EmitLeadingComments(dropped);
    }
    if (Token* c = trailing_[dropped->getTokenIndex()]) {
      FlushTrailing();
      pending_trailing_ = c;
    }
  }

  void PutWithoutTrailingComma(ParserRuleContext* ctx) {
    Token* stop = ctx->getStop();
    if (stop->getType() == G::COMMA && stop != ctx->getStart()) {
      PutRange(ctx->getStart(), tokens_[stop->getTokenIndex() - 1]);
      CarryComments(stop);
    } else {
      PutAll(ctx);
    }
  }

  void PutAllButTrailingComma(G::ImportDeclContext* x) {
    if (x->RPAREN() == nullptr) return PutAll(x);
    Token* rparen = x->RPAREN()->getSymbol();
    size_t i = rparen->getTokenIndex() - 1;
    while (tokens_[i]->getChannel() != Token::DEFAULT_CHANNEL) --i;
    Token* before = tokens_[i];
    if (before->getType() != G::COMMA) return PutAll(x);
    PutRange(x->getStart(), tokens_[i - 1]);
    CarryComments(before);
    Put(rparen);
  }

  // ---------------------------------------------------------------------------------------------
  // Trailing comments of consecutive lines start in one column (gofmt's rule).

  static auto AlignTrailingComments(const std::string& text) -> std::string {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    for (size_t i = 0; i < lines.size();) {
      if (lines[i].find(kTrailingMark) == std::string::npos) {
        ++i;
        continue;
      }
      size_t j = i;
      size_t column = 0;
      while (j < lines.size() && lines[j].find(kTrailingMark) != std::string::npos) {
        std::string_view code(lines[j].data(), lines[j].find(kTrailingMark));
        while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
        column = std::max(column, Utf8Width(code));
        ++j;
      }
      for (size_t k = i; k < j; ++k) {
        size_t mark = lines[k].find(kTrailingMark);
        std::string code = lines[k].substr(0, mark);
        while (!code.empty() && code.back() == ' ') code.pop_back();
        std::string comment = lines[k].substr(mark + 1);
        size_t pad = column - Utf8Width(code) + 2;
        lines[k] = code + std::string(pad, ' ') + comment;
      }
      i = j;
    }
    std::string joined;
    for (const std::string& line : lines) {
      joined += line;
      joined += '\n';
    }
    return joined;
  }

  std::vector<Token*> tokens_;
  int width_;
  std::vector<ParserRuleContext*> parents_;
  std::vector<std::vector<Token*>> leading_;
  std::vector<Token*> trailing_;

  std::string out_;
  int column_ = 0;
  int line_indent_ = 0;
  int hang_ = -1;  // where a token goes when a comment ended the line before it (-1: indented)
  bool at_line_start_ = true;
  Token* previous_ = nullptr;
  Token* pending_trailing_ = nullptr;
  size_t last_line_ = 0;
};

}  // namespace

auto Format(const SourceBuffer& source, DiagnosticEmitter& emitter, const FormatOptions& options)
    -> std::optional<std::string> {
  // The parser of the compiler reports syntax errors the way `cordon check` does; a file with any
  // is left alone.
  int errors = emitter.error_count();
  (void)parse::Parse(source, emitter);
  if (emitter.error_count() != errors) return std::nullopt;

  antlr4::ANTLRInputStream input(source.text().data(), source.text().size());
  cordon_grammar::CordonLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  G parser(&tokens);
  parser.removeErrorListeners();
  G::FileContext* file = parser.file();
  if (parser.getNumberOfSyntaxErrors() != 0) {
    emitter
        .Error(DiagnosticKind::InternalError, Location{&source, std::nullopt},
               "the formatter could not read this file, which the compiler accepts")
        .Help("please report this file; it was left unchanged");
    return std::nullopt;
  }
  Printer printer(tokens, options);
  return printer.Print(file);
}

}  // namespace cordon::format
