// SPDX-License-Identifier: Apache-2.0
// The textual AST dump: one node per line, children indented by two spaces.
#include <fmt/format.h>

#include "compiler/ast/ast.h"

namespace cordon::ast {

auto Spelling(UnaryOp op) -> const char* {
  switch (op) {
#define CORDON_UNARY(Name, spelling, IrOp) \
  case UnaryOp::k##Name:                   \
    return spelling;
#include "compiler/ast/operators.def"
  }
  return "?";
}

auto Spelling(BinaryOp op) -> const char* {
  switch (op) {
#define CORDON_BINARY(Name, spelling, IrOp) \
  case BinaryOp::k##Name:                   \
    return spelling;
#include "compiler/ast/operators.def"
  }
  return "?";
}

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// Quotes a string for the dump with the escapes the language itself accepts.
auto Quote(std::string_view s) -> std::string {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{{{:x}}}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

auto FormatDate(const Date& d) -> std::string {
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

class Dumper {
 public:
  explicit Dumper(const SourceBuffer& source) : source_(source) {}

  auto Take() -> std::string { return std::move(out_); }

  void DumpFile(const File& file) {
    if (file.module) {
      const ModuleDecl& m = *file.module;
      Line(0, m.range, fmt::format("module {}", Path(m.path)));
      Doc(1, m.doc);
      if (m.title) Line(1, m.title->range, "title " + Quote(m.title->value));
      if (m.source) Line(1, m.source->range, "source " + Quote(m.source->value));
    }
    for (const Decl& decl : file.decls) {
      DumpDecl(decl);
    }
  }

 private:
  void Line(int depth, SourceRange range, std::string_view text) {
    LineCol lc = source_.LineColAt(range.begin);
    out_ += fmt::format("{:{}}{} @{}:{}\n", "", depth * 2, text, lc.line, lc.column);
  }
  void Doc(int depth, const std::string& doc) {
    if (!doc.empty()) out_ += fmt::format("{:{}}doc {}\n", "", depth * 2, Quote(doc));
  }
  static auto Path(const std::vector<Name>& path) -> std::string {
    std::string s;
    for (const Name& n : path) s += (s.empty() ? "" : ".") + n.text;
    return s;
  }
  static auto Names(const std::vector<Name>& names, std::string_view sep) -> std::string {
    std::string s;
    for (const Name& n : names) s += (s.empty() ? "" : std::string(sep)) + n.text;
    return s;
  }

  static auto Type(const TypeExpr& t) -> std::string {
    std::string s = std::visit(
        Overloaded{
            [](const ErrorType&) -> std::string { return "<error>"; },
            [](const NamedType& n) { return n.name.text; },
            [](const EnumType& e) { return "enum {" + Names(e.values, ", ") + "}"; },
            [](const SetType& st) { return "set<" + Type(*st.element) + ">"; },
            [](const ListType& l) {
              return "list<" + Type(*l.element) +
                     (l.max_length == 0 ? "" : ", " + std::to_string(l.max_length)) + ">";
            },
        },
        t.base);
    for (size_t i = 0; i < t.unit.size(); ++i) {
      const UnitFactor& f = t.unit[i];
      s += f.divide ? " / " : (i == 0 ? " " : " * ");
      s += f.unit.text;
    }
    if (t.optional) s += "?";
    return s;
  }

  void Fields(int depth, std::string_view what, const std::vector<FieldDecl>& fields) {
    for (const FieldDecl& f : fields) {
      Line(depth, f.range,
           fmt::format("{} {}: {}{}", what, f.name.text, Type(f.type),
                       f.match ? " match " + f.match->text : ""));
      Doc(depth + 1, f.doc);
    }
  }

  void DumpOutcome(int depth, const Outcome& o) {
    Line(depth, o.outcome.range, fmt::format("then {} {}", o.outcome.text, Quote(o.message.value)));
  }

  void DumpDecl(const Decl& decl) {
    std::visit(Overloaded{
                   [&](const ErrorDecl&) { Line(0, decl.range, "<error>"); },
                   [&](const ImportDecl& d) {
                     std::string names = d.names ? " (" + Names(*d.names, ", ") + ")" : "";
                     Line(0, decl.range, "import " + Path(d.path) + names);
                     Doc(1, decl.doc);
                   },
                   [&](const UnitDecl& d) {
                     Line(0, decl.range, "unit " + d.name.text);
                     Doc(1, decl.doc);
                     if (d.definition) {
                       DumpExpr(1, *d.definition, "= ");
                     }
                   },
                   [&](const OutcomesDecl& d) {
                     Line(0, decl.range, "outcomes " + Names(d.outcomes, " > "));
                     Doc(1, decl.doc);
                   },
                   [&](const InputDecl& d) {
                     Line(0, decl.range, "input " + d.name.text);
                     Doc(1, decl.doc);
                     Fields(1, "field", d.fields);
                   },
                   [&](const ExtendDecl& d) {
                     Line(0, decl.range, "extend input " + d.target.text);
                     Doc(1, decl.doc);
                     Fields(1, "field", d.fields);
                   },
                   [&](const LetDecl& d) {
                     std::string sig = d.name.text;
                     if (d.params) {
                       std::string ps;
                       for (const Param& p : *d.params) {
                         ps += (ps.empty() ? "" : ", ") + p.name.text + ": " + Type(p.type);
                       }
                       sig += "(" + ps + ")";
                     }
                     if (d.type) sig += ": " + Type(*d.type);
                     Line(0, decl.range, "let " + sig);
                     Doc(1, decl.doc);
                     DumpExpr(1, *d.value, "= ");
                   },
                   [&](const TableDecl& d) {
                     std::string head = d.is_extern ? "extern table " : "table ";
                     head += d.name.text;
                     if (d.path) head += " from " + Quote(d.path->value);
                     Line(0, decl.range, head);
                     Doc(1, decl.doc);
                     Fields(1, "column", d.columns);
                   },
                   [&](const NormalizationDecl& d) {
                     Line(0, decl.range, "normalization " + d.name.text);
                     Doc(1, decl.doc);
                     for (const NormalizationDecl::Setting& setting : d.settings) {
                       std::string line = setting.name.text;
                       if (setting.word) line += " " + setting.word->text;
                       if (setting.from) line += " from";
                       if (setting.text) line += " " + Quote(setting.text->value);
                       Line(1, setting.range, line);
                     }
                   },
                   [&](const RuleDecl& d) {
                     Line(0, decl.range, "rule " + d.name.text);
                     Doc(1, decl.doc);
                     if (d.cites) Line(1, d.cites->range, "cites " + Quote(d.cites->value));
                     if (d.effective)
                       Line(1, d.effective->range, "effective " + FormatDate(*d.effective));
                     if (d.until) Line(1, d.until->range, "until " + FormatDate(*d.until));
                     if (d.effective_name) DumpExpr(1, *d.effective_name, "effective ");
                     if (d.until_name) DumpExpr(1, *d.until_name, "until ");
                     if (d.when) DumpExpr(1, *d.when, "when ");
                     DumpOutcome(1, d.then);
                     for (const UnlessClause& u : d.unless) {
                       Line(1, u.range, "unless");
                       DumpExpr(2, *u.condition, "");
                       DumpOutcome(2, u.then);
                     }
                   },
                   [&](const RequireDecl& d) {
                     Line(0, decl.range, "require " + Quote(d.message.value));
                     Doc(1, decl.doc);
                     if (d.condition) DumpExpr(1, *d.condition, "");
                   },
                   [&](const ReviewDecl& d) {
                     Line(0, decl.range,
                          d.date ? "reviewed " + FormatDate(*d.date) : std::string("reviewed"));
                     Doc(1, decl.doc);
                     if (d.date_name) DumpExpr(1, *d.date_name, "");
                     if (d.grace) DumpExpr(1, *d.grace, "grace ");
                   },
                   [&](const TestDecl& d) {
                     Line(0, decl.range, "test " + Quote(d.name.value));
                     Doc(1, decl.doc);
                     for (const GivenClause& g : d.givens) {
                       Line(1, g.range, "given " + g.name.text);
                       DumpExpr(2, *g.value, "");
                     }
                     std::string by = d.by.empty() ? "" : " by " + Names(d.by, ", ");
                     Line(1, d.expect.range, "expect " + d.expect.text + by);
                   },
               },
               decl.kind);
  }

  void DumpExpr(int depth, const Expr& e, std::string_view prefix) {
    auto line = [&](std::string_view text) {
      Line(depth, e.range, std::string(prefix) + std::string(text));
    };
    std::visit(
        Overloaded{
            [&](const ErrorExpr&) { line("<error>"); },
            [&](const NumberLit& n) { line("number " + n.digits); },
            [&](const QuantityLit& q) { line("quantity " + q.digits + " " + q.unit.text); },
            [&](const StringLit& s) { line("string " + Quote(s.value)); },
            [&](const DateLit& d) { line("date " + FormatDate(d.date)); },
            [&](const BoolLit& b) { line(b.value ? "true" : "false"); },
            [&](const NoneLit&) { line("none"); },
            [&](const NameRef& n) { line("name " + n.name); },
            [&](const FieldAccess& f) {
              line("field ." + f.field.text);
              DumpExpr(depth + 1, *f.object, "");
            },
            [&](const Call& c) {
              line(fmt::format("call ({} args)", c.args.size()));
              DumpExpr(depth + 1, *c.callee, "callee ");
              for (const ExprPtr& a : c.args) DumpExpr(depth + 1, *a, "");
            },
            [&](const Unary& u) {
              line(std::string("unary ") + Spelling(u.op));
              DumpExpr(depth + 1, *u.operand, "");
            },
            [&](const Binary& b) {
              line(std::string("binary ") + Spelling(b.op));
              DumpExpr(depth + 1, *b.lhs, "");
              DumpExpr(depth + 1, *b.rhs, "");
            },
            [&](const IsSome& s) {
              line("is some " + s.binding.text);
              DumpExpr(depth + 1, *s.operand, "");
            },
            [&](const IsNone& s) {
              line("is none");
              DumpExpr(depth + 1, *s.operand, "");
            },
            [&](const If& i) {
              line("if");
              DumpExpr(depth + 1, *i.condition, "");
              DumpExpr(depth + 1, *i.then_value, "then ");
              DumpExpr(depth + 1, *i.else_value, "else ");
            },
            [&](const SetLit& s) {
              line(fmt::format("set ({} elements)", s.elements.size()));
              for (size_t i = 0; i < s.elements.size(); ++i) {
                DumpExpr(depth + 1, *s.elements[i], "");
                const MemberDates& d = s.dates[i];
                if (d.from) Line(depth + 2, d.from->range, "from " + FormatDate(*d.from));
                if (d.from_name) DumpExpr(depth + 2, *d.from_name, "from ");
                if (d.until) Line(depth + 2, d.until->range, "until " + FormatDate(*d.until));
                if (d.until_name) DumpExpr(depth + 2, *d.until_name, "until ");
              }
            },
            [&](const RecordLit& r) {
              line("record");
              for (const FieldInit& f : r.fields) DumpExpr(depth + 1, *f.value, f.name.text + ": ");
            },
            [&](const Quantified& q) {
              static constexpr const char* kNames[] = {"any", "all", "count", "sum", "min", "max"};
              line(fmt::format("{} {} in", kNames[static_cast<int>(q.kind)], q.binding.text));
              DumpExpr(depth + 1, *q.list, "");
              DumpExpr(depth + 1, *q.body, ": ");
            },
            [&](const ListLit& l) {
              line(fmt::format("list ({} elements)", l.elements.size()));
              for (const ExprPtr& x : l.elements) DumpExpr(depth + 1, *x, "");
            },
        },
        e.kind);
  }

  const SourceBuffer& source_;
  std::string out_;
};

}  // namespace

auto Dump(const File& file) -> std::string {
  Dumper dumper(*file.source);
  dumper.DumpFile(file);
  return dumper.Take();
}

}  // namespace cordon::ast
