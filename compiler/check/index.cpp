// SPDX-License-Identifier: Apache-2.0
// The index an editor reads (CheckOptions::index, for `cordon lsp`): each module's declarations
// with their types, citations and `///` comments, the names each module sees, and what each
// name the checker resolved refers to. Built from the checker's state after the check; it
// reports nothing and changes nothing the check decided.
#include <fmt/format.h>

#include "compiler/check/checker.h"

namespace cordon::check {

namespace {

auto Unquote(std::string text) -> std::string {
  if (text.size() >= 2 && text.front() == '`' && text.back() == '`') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

// A declaration without its fields or columns: what a reference to it needs (the fields are in
// SymbolIndex::Module::decls once).
auto Bare(SymbolIndex::Symbol symbol) -> SymbolIndex::Symbol {
  symbol.children.clear();
  return symbol;
}

auto DateText(const ast::Date& date) -> std::string {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

}  // namespace

void Checker::FillIndex(SymbolIndex& index) {
  if (index_filled_) return;
  index_filled_ = true;
  using Sym = SymbolIndex::Symbol;

  auto file_of = [&](uint32_t m) -> std::string {
    return modules_[m].source != nullptr ? modules_[m].source->filename() : modules_[m].path;
  };
  auto site = [&](uint32_t m, SourceRange range) { return SymbolIndex::Site{file_of(m), range}; };
  // The checked type where there is one, else the type as written.
  auto type_text = [&](uint32_t m, const ast::TypeExpr& type) -> std::string {
    const std::vector<Type>& types = modules_[m].types;
    if (type.id.index < types.size() && !types[type.id.index].is_error()) {
      return Unquote(TypeName(types[type.id.index]));
    }
    return std::string(Text(m, type.range));
  };
  auto text_of = [&](uint32_t m, const ast::Expr* expr) -> std::string {
    return expr == nullptr ? std::string() : std::string(Text(m, expr->range));
  };
  auto field = [&](uint32_t m, const ast::FieldDecl& f, const char* kind) {
    return Sym{.name = f.name.text,
               .kind = kind,
               .site = site(m, f.name.range),
               .extent = f.range,
               .detail = type_text(m, f.type),
               .doc = f.doc};
  };

  // One declaration, as an editor shows it.
  auto declared = [&](uint32_t m, uint32_t d) -> std::optional<Sym> {
    const ast::Decl& decl = modules_[m].file.decls[d];
    Sym out{.extent = decl.range, .doc = decl.doc};
    auto named = [&](const ast::Name& name, const char* kind) {
      out.name = name.text;
      out.kind = kind;
      out.site = site(m, name.range);
    };
    return std::visit(
        [&](const auto& kind) -> std::optional<Sym> {
          using T = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<T, ast::ErrorDecl> || std::is_same_v<T, ast::ImportDecl>) {
            return std::nullopt;
          } else if constexpr (std::is_same_v<T, ast::UnitDecl>) {
            named(kind.name, "unit");
            out.detail = kind.definition == nullptr
                             ? fmt::format("unit {} (a base unit)", kind.name.text)
                             : fmt::format("unit {} = {}", kind.name.text,
                                           text_of(m, kind.definition.get()));
          } else if constexpr (std::is_same_v<T, ast::OutcomesDecl>) {
            out.name = "outcomes";
            out.kind = "outcomes";
            out.site = site(m, decl.range);
            std::string list;
            for (const ast::Name& outcome : kind.outcomes) {
              out.children.push_back(Sym{.name = outcome.text,
                                         .kind = "outcome",
                                         .site = site(m, outcome.range),
                                         .extent = outcome.range});
              list += (list.empty() ? "" : " > ") + outcome.text;
            }
            out.detail = list;
          } else if constexpr (std::is_same_v<T, ast::InputDecl>) {
            named(kind.name, "input");
            out.detail = "input " + kind.name.text;
            for (const ast::FieldDecl& f : kind.fields)
              out.children.push_back(field(m, f, "field"));
          } else if constexpr (std::is_same_v<T, ast::ExtendDecl>) {
            named(kind.target, "extend");
            out.detail = "extend input " + kind.target.text;
            for (const ast::FieldDecl& f : kind.fields)
              out.children.push_back(field(m, f, "field"));
          } else if constexpr (std::is_same_v<T, ast::LetDecl>) {
            named(kind.name, "let");
            std::string params;
            if (kind.params) {
              for (const ast::Param& p : *kind.params) {
                params += fmt::format("{}{}: {}", params.empty() ? "" : ", ", p.name.text,
                                      type_text(m, p.type));
              }
              params = "(" + params + ")";
            }
            std::string result;
            if (auto it = lets_.find({m, d});
                it != lets_.end() && it->second.ok && !it->second.result.is_error()) {
              result = Unquote(TypeName(it->second.result));
            } else if (kind.type) {
              result = type_text(m, *kind.type);
            }
            out.detail = fmt::format("let {}{}{}", kind.name.text, params,
                                     result.empty() ? "" : ": " + result);
          } else if constexpr (std::is_same_v<T, ast::TableDecl>) {
            named(kind.name, "table");
            out.detail =
                fmt::format("{}table {}{}", kind.is_extern ? "extern " : "", kind.name.text,
                            kind.path ? fmt::format(" from \"{}\"", kind.path->value) : "");
            for (const ast::FieldDecl& c : kind.columns) {
              out.children.push_back(field(m, c, "column"));
            }
          } else if constexpr (std::is_same_v<T, ast::NormalizationDecl>) {
            named(kind.name, "normalization");
            out.detail = "normalization " + kind.name.text;
          } else if constexpr (std::is_same_v<T, ast::RuleDecl>) {
            named(kind.name, "rule");
            std::vector<std::string> lines;
            if (kind.cites) lines.push_back("cites " + kind.cites->value);
            std::string dates;
            if (kind.effective) dates = "effective " + DateText(*kind.effective);
            if (kind.effective_name) dates = "effective " + text_of(m, kind.effective_name.get());
            std::string until;
            if (kind.until) until = "until " + DateText(*kind.until);
            if (kind.until_name) until = "until " + text_of(m, kind.until_name.get());
            if (!until.empty()) dates += (dates.empty() ? "" : ", ") + until;
            if (!dates.empty()) lines.push_back(dates);
            lines.push_back(
                fmt::format("then {} \"{}\"", kind.then.outcome.text, kind.then.message.value));
            for (const ast::UnlessClause& u : kind.unless) {
              lines.push_back(fmt::format("unless {} then {}", text_of(m, u.condition.get()),
                                          u.then.outcome.text));
            }
            for (const std::string& line : lines) {
              out.detail += (out.detail.empty() ? "" : "\n") + line;
            }
          } else if constexpr (std::is_same_v<T, ast::RequireDecl>) {
            out.name = kind.message.value.empty() ? "require" : kind.message.value;
            out.kind = "require";
            out.site = site(m, decl.range);
            out.detail = "require " + text_of(m, kind.condition.get());
          } else if constexpr (std::is_same_v<T, ast::ReviewDecl>) {
            out.name = "reviewed";
            out.kind = "review";
            out.site = site(m, decl.range);
            out.detail = kind.date ? "reviewed " + DateText(*kind.date) : "reviewed";
          } else {
            static_assert(std::is_same_v<T, ast::TestDecl>);
            out.name = kind.name.value;
            out.kind = "test";
            out.site = site(m, kind.name.range);
            out.detail = "expect " + kind.expect.text;
          }
          return out;
        },
        decl.kind);
  };

  // The declarations of every module, and where each one's symbol is, for references.
  std::map<std::pair<uint32_t, uint32_t>, Sym> by_decl;
  std::map<std::string, SymbolIndex::Site> rules;  // by name, for a test's `by`
  std::optional<std::pair<uint32_t, uint32_t>> outcomes;
  const size_t base = index.modules.size();
  for (uint32_t m = 0; m < modules_.size(); ++m) {
    SymbolIndex::Module& out = index.modules.emplace_back();
    out.name = modules_[m].name;
    out.file = file_of(m);
    for (uint32_t d = 0; d < modules_[m].file.decls.size(); ++d) {
      std::optional<Sym> sym = declared(m, d);
      if (!sym) continue;
      if (sym->kind == "rule") rules.emplace(sym->name, sym->site);
      if (sym->kind == "outcomes" && !outcomes) outcomes = {m, d};
      by_decl.emplace(std::pair{m, d}, *sym);
      out.decls.push_back(std::move(*sym));
    }
  }
  if (outcomes_decl_) outcomes = outcomes_decl_;
  const Sym* outcome_decl = nullptr;
  if (outcomes) {
    outcome_decl = &by_decl[*outcomes];
    for (const Sym& o : outcome_decl->children) index.outcomes.push_back(o.name);
  }
  auto outcome_ref = [&](uint32_t m, const ast::Name& name) {
    if (outcome_decl == nullptr) return;
    for (const Sym& o : outcome_decl->children) {
      if (o.name != name.text) continue;
      Sym target = o;
      target.detail = "outcome, of " + outcome_decl->detail;
      index.references.push_back({site(m, name.range), std::move(target)});
    }
  };

  for (uint32_t m = 0; m < modules_.size(); ++m) {
    SymbolIndex::Module& out = index.modules[base + m];
    for (const auto& [name, visible] : modules_[m].visible) {
      auto it = by_decl.find({visible.symbol.module, visible.symbol.decl});
      if (it != by_decl.end()) out.visible.emplace(name, Bare(it->second));
    }
    // Imports: the path names the module's file; the names listed, what they import.
    for (const Module::Import& import : modules_[m].imports) {
      if (import.module == ir::kNoId || import.decl >= modules_[m].file.decls.size()) continue;
      const auto* decl = std::get_if<ast::ImportDecl>(&modules_[m].file.decls[import.decl].kind);
      if (decl == nullptr || decl->path.empty()) continue;
      SourceRange path{decl->path.front().range.begin, decl->path.back().range.end};
      out.imports.emplace_back(path, file_of(import.module));
      const ast::File& imported = modules_[import.module].file;
      SourceRange name;  // `module a.b`: the a.b; a file without one: its start
      if (imported.module && !imported.module->path.empty()) {
        name = {imported.module->path.front().range.begin, imported.module->path.back().range.end};
      }
      Sym target{.name = modules_[import.module].name,
                 .kind = "module",
                 .site = site(import.module, name),
                 .detail = fmt::format("module {}", modules_[import.module].name),
                 .doc = imported.module ? imported.module->doc : std::string()};
      if (imported.module && imported.module->title) {
        target.detail += "\n" + imported.module->title->value;
      }
      index.references.push_back({site(m, path), target});
      if (!decl->names) continue;
      for (const ast::Name& name : *decl->names) {
        auto own = modules_[import.module].own.find(name.text);
        if (own == modules_[import.module].own.end()) continue;
        auto it = by_decl.find({own->second.module, own->second.decl});
        if (it != by_decl.end()) {
          index.references.push_back({site(m, name.range), Bare(it->second)});
        }
      }
    }
    // Outcomes and rules named in rules and tests.
    for (const ast::Decl& decl : modules_[m].file.decls) {
      if (const auto* rule = std::get_if<ast::RuleDecl>(&decl.kind)) {
        outcome_ref(m, rule->then.outcome);
        for (const ast::UnlessClause& u : rule->unless) outcome_ref(m, u.then.outcome);
      } else if (const auto* test = std::get_if<ast::TestDecl>(&decl.kind)) {
        outcome_ref(m, test->expect);
        for (const ast::Name& by : test->by) {
          auto it = rules.find(by.text);
          if (it == rules.end()) continue;
          for (const SymbolIndex::Module& mod : index.modules) {
            for (const Sym& sym : mod.decls) {
              if (sym.kind == "rule" && sym.name == by.text) {
                index.references.push_back({site(m, by.range), sym});
              }
            }
          }
        }
      }
    }
  }

  // A record's field, with the `///` comment of the declaration that added it.
  auto record_field = [&](uint32_t record, uint32_t f) -> Sym {
    const Record& r = records_[record];
    const RecordField& rf = r.fields[f];
    uint32_t m = rf.module == UINT32_MAX ? r.module : rf.module;
    Sym out{.name = rf.name,
            .kind = "field",
            .site = site(m, rf.range),
            .detail = rf.type.is_error() ? rf.type_text : Unquote(TypeName(rf.type))};
    for (const ast::Decl& decl : modules_[m].file.decls) {
      const std::vector<ast::FieldDecl>* fields = nullptr;
      if (const auto* input = std::get_if<ast::InputDecl>(&decl.kind)) fields = &input->fields;
      if (const auto* extend = std::get_if<ast::ExtendDecl>(&decl.kind)) fields = &extend->fields;
      if (fields == nullptr) continue;
      for (const ast::FieldDecl& fd : *fields) {
        if (fd.name.range == rf.range) {
          out.doc = fd.doc;
          out.extent = fd.range;
        }
      }
    }
    out.detail += fmt::format("\nfield of {}", r.name);
    return out;
  };

  // A test's `given request = …`: the request's record.
  if (request_) {
    auto it = by_decl.find({request_->module, request_->decl});
    for (uint32_t m = 0; m < modules_.size() && it != by_decl.end(); ++m) {
      for (const ast::Decl& decl : modules_[m].file.decls) {
        const auto* test = std::get_if<ast::TestDecl>(&decl.kind);
        if (test == nullptr) continue;
        for (const ast::GivenClause& given : test->givens) {
          if (given.name.text != "request") continue;
          index.references.push_back({site(m, given.name.range), Bare(it->second)});
        }
      }
    }
  }

  // Column `c` of table `table` (a TableId), as its declaration shows it.
  std::map<uint32_t, const Sym*> table_decls;
  for (const auto& [key, info] : tables_) {
    if (info.table == ir::kNoId) continue;
    if (auto it = by_decl.find(key); it != by_decl.end()) table_decls[info.table] = &it->second;
  }
  auto table_column = [&](uint32_t table, uint32_t c) -> const Sym* {
    auto it = table_decls.find(table);
    if (it == table_decls.end() || c >= it->second->children.size()) return nullptr;
    return &it->second->children[c];
  };

  for (const IndexedUse& use : index_uses_) {
    switch (use.what) {
      case IndexedUse::What::kDecl:
        if (auto it = by_decl.find({use.a, use.b}); it != by_decl.end()) {
          index.references.push_back({site(use.module, use.use), Bare(it->second)});
        }
        break;
      case IndexedUse::What::kField:
        if (use.a < records_.size() && use.b < records_[use.a].fields.size()) {
          index.references.push_back({site(use.module, use.use), record_field(use.a, use.b)});
        }
        break;
      case IndexedUse::What::kColumn:
        if (const Sym* column = table_column(use.a, use.b)) {
          index.references.push_back({site(use.module, use.use), *column});
        }
        break;
      case IndexedUse::What::kLocal:
        index.references.push_back(
            {site(use.module, use.use), Sym{.name = std::string(Text(use.module, use.use)),
                                            .kind = "local",
                                            .site = site(use.module, use.bound),
                                            .detail = Unquote(use.detail)}});
        break;
    }
  }
  for (const IndexedObject& object : index_objects_) {
    auto key = std::pair{file_of(object.module), std::string(Text(object.module, object.range))};
    if (index.fields_of.contains(key)) continue;
    if (object.row) {
      std::vector<Sym>& columns = index.fields_of[key];
      for (uint32_t c = 0; const Sym* column = table_column(object.record, c); ++c) {
        columns.push_back(*column);
      }
      continue;
    }
    if (object.record >= records_.size()) continue;
    std::vector<Sym>& fields = index.fields_of[key];
    for (uint32_t f = 0; f < records_[object.record].fields.size(); ++f) {
      fields.push_back(record_field(object.record, f));
    }
  }
}

}  // namespace cordon::check
