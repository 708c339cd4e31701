// SPDX-License-Identifier: Apache-2.0
// Tables: typed columns, and the CSV behind a `from` table read and checked cell by cell at
// compile time, so a bad row is an error at file.csv:line:col before any request is decided.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/check/checker.h"
#include "runtime/base/countries.h"
#include "runtime/base/names.h"
#include "runtime/tables/csv.h"
#include "runtime/tables/table_rows.h"

namespace cordon::check {

using tables::ReadTableRows;
using tables::RowStorage;
using tables::TableDeclaration;

// `match normalized` (or `match R`, R a `normalization`) on the key column makes it compare by
// NormalizeName with those rules; on a later `set<text>` column it makes each element another
// key of its row (aliases), compared by the same rules.
auto Checker::CheckMatch(uint32_t m, const ast::TableDecl& decl, const ast::FieldDecl& column,
                         const Type& type, ir::Table& table) -> bool {
  const ast::Name& mode = *column.match;
  const NameRules* rules = &DefaultNameRules();
  uint32_t names_id = 0;
  if (mode.text != "normalized") {
    const Module::Visible* v = Lookup(m, mode.text, true);
    if (v != nullptr) IndexDecl(m, mode.range, v->symbol);
    if (v == nullptr || v->symbol.kind != SymbolKind::kNormalization) {
      emitter_
          .Error(DiagnosticKind::UnknownName, Loc(m, mode.range),
                 v == nullptr ? fmt::format("unknown match mode `{}`", mode.text)
                              : fmt::format("`{}` is not a normalization", mode.text))
          .Help(
              "write `match normalized` (names compared ignoring case, punctuation, spacing and "
              "legal-form suffixes such as \"Co., Ltd.\"), or `match R` for a `normalization R "
              "{ … }` declared in this module or imported");
      return false;
    }
    NormalizationInfo& info = Normalization(v->symbol);
    if (!info.ok) return false;
    // Numbered as tables use them, so that the program's ids are dense.
    if (info.id == 0) info.id = next_names_id_++;
    rules = &info.rules;
    names_id = info.id;
  }
  bool key = table.columns.empty();
  if (key && type.kind == TypeKind::kText && !type.optional) {
    table.normalized = true;
    table.names = *rules;
    table.names_id = names_id;
    return true;
  }
  if (!key && type.kind == TypeKind::kSet && type.element == TypeKind::kText) {
    if (!table.normalized && decl.columns[0].match) return false;  // the key's was reported
    if (!table.normalized) {
      emitter_
          .Error(DiagnosticKind::TypeMismatch, Loc(m, column.match->range),
                 fmt::format("`{}` can be matched as aliases only when the key column `{}` is "
                             "matched too",
                             column.name.text, decl.columns[0].name.text))
          .Help(
              fmt::format("write `{}: text match {}` first", decl.columns[0].name.text, mode.text));
      return false;
    }
    if (table.names_id != names_id) {
      emitter_
          .Error(
              DiagnosticKind::TypeMismatch, Loc(m, column.match->range),
              fmt::format("the aliases in `{}` would be compared by `{}`, and the key `{}` by "
                          "`{}`: a row's names are compared one way",
                          column.name.text, mode.text, decl.columns[0].name.text, table.names.name))
          .Help(fmt::format("write `{}: set<text> match {}`", column.name.text, table.names.name));
      return false;
    }
    table.alias_columns.push_back(static_cast<uint32_t>(table.columns.size()));
    return true;
  }
  emitter_
      .Error(DiagnosticKind::TypeMismatch, Loc(m, column.match->range),
             key ? fmt::format("`match {}` needs a `text` key, not {}", mode.text, TypeName(type))
                 : fmt::format("`match {}` on `{}`, which is neither the key nor a "
                               "`set<text>` of aliases",
                               mode.text, column.name.text))
      .Help(fmt::format(
          "put `match {}` on the key column (`name: text`) and on `set<text>` columns of other "
          "names for the same row",
          mode.text));
  return false;
}

namespace {

// The code points of `text`, each as its UTF-8 bytes; nullopt when `text` is not UTF-8.
auto SplitCodePoints(std::string_view text) -> std::optional<std::vector<std::string>> {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || c == 0xc0 || c == 0xc1 || i + n > text.size()) return std::nullopt;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
    }
    out.emplace_back(text.substr(i, n));
    i += n;
  }
  return out;
}

auto IsAsciiAlnum(unsigned char c) -> bool {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

// `normalization R { … }`: the settings, each checked, into NameRules. What a declaration does
// not say stays as `match normalized` has it.
auto Checker::Normalization(const Symbol& symbol) -> NormalizationInfo& {
  NormalizationInfo& info = normalizations_[{symbol.module, symbol.decl}];
  if (info.state != State::kUnvisited) return info;
  info.state = State::kDone;
  uint32_t m = symbol.module;
  const auto& decl = std::get<ast::NormalizationDecl>(modules_[m].file.decls[symbol.decl].kind);
  NameRules& rules = info.rules;
  rules.name = decl.name.text;
  bool ok = true;
  if (decl.name.text == "normalized") {
    emitter_
        .Error(DiagnosticKind::ReservedName, Loc(m, decl.name.range),
               "`normalized` is the built-in normalization and cannot be declared again")
        .Help("give this normalization another name, such as `listed_names`");
    ok = false;
  }
  // Where each character was given a part, so that one given two parts is reported.
  std::map<std::string, SourceRange> placed;
  std::set<std::string> seen;  // settings given once
  auto bad = [&](const SourceRange& range, std::string message, std::string help) {
    emitter_.Error(DiagnosticKind::BadNormalization, Loc(m, range), std::move(message))
        .Help(std::move(help));
    ok = false;
  };
  constexpr std::string_view kSettings =
      "the settings are `case fold|keep`, `words compact|spaced`, `remove \"…\"`, `keep "
      "\"…\"`, `separate \"…\"` and `legal_forms from \"file.csv\"|builtin|none`";
  const ast::NormalizationDecl::Setting* forms_file = nullptr;
  for (const ast::NormalizationDecl::Setting& setting : decl.settings) {
    const std::string& what = setting.name.text;
    bool once = what == "case" || what == "words" || what == "legal_forms";
    if (once && !seen.insert(what).second) {
      bad(setting.range, fmt::format("`{}` is set twice in normalization `{}`", what, rules.name),
          "keep one of them");
      continue;
    }
    auto word = [&](std::initializer_list<std::string_view> allowed) -> std::string {
      std::string list;
      for (std::string_view a : allowed)
        list += fmt::format("{}`{} {}`", list.empty() ? "" : " or ", what, a);
      if (!setting.word || setting.from ||
          std::find(allowed.begin(), allowed.end(), setting.word->text) == allowed.end()) {
        bad(setting.range, fmt::format("`{}` takes a word here", what), "write " + list);
        return "";
      }
      return setting.word->text;
    };
    if (what == "case") {
      std::string v = word({"fold", "keep"});
      if (v == "keep") {
        for (int c = 'A'; c <= 'Z'; ++c) rules.fold[c] = static_cast<unsigned char>(c);
      }
    } else if (what == "words") {
      std::string v = word({"compact", "spaced"});
      rules.compact = v != "spaced";
    } else if (what == "legal_forms") {
      if (setting.from && setting.text) {
        forms_file = &setting;  // read once the characters are settled: forms are folded words
      } else {
        std::string v = word({"builtin", "none"});
        if (v == "none") {
          rules.builtin_forms = false;
          rules.legal_forms.clear();
        }
      }
    } else if (what == "remove" || what == "keep" || what == "separate") {
      if (!setting.text || setting.from) {
        bad(setting.range, fmt::format("`{}` takes the characters as a string", what),
            fmt::format("write `{} \"'.\"`: each character of the string", what));
        continue;
      }
      std::optional<std::vector<std::string>> chars = SplitCodePoints(setting.text->value);
      if (!chars || chars->empty()) {
        bad(setting.text->range, fmt::format("`{}` names no characters", what),
            "write the characters between the quotes, e.g. `\"'.\"`");
        continue;
      }
      auto action = what == "remove" ? NameRules::Action::kRemove
                    : what == "keep" ? NameRules::Action::kKeep
                                     : NameRules::Action::kSeparate;
      for (const std::string& ch : *chars) {
        auto c = static_cast<unsigned char>(ch[0]);
        if (ch.size() == 1 && (IsAsciiAlnum(c) || c < 0x20 || c == 0x7f)) {
          bad(setting.text->range,
              IsAsciiAlnum(c)
                  ? fmt::format("`{}` is a letter or digit: letters and digits are always part "
                                "of a word",
                                ch)
                  : fmt::format("`{}` names a control character", what),
              "name punctuation and symbols only, such as `'`, `.`, `&` or `·`");
          continue;
        }
        auto [at, fresh] = placed.try_emplace(ch, setting.range);
        if (!fresh) {
          emitter_
              .Error(DiagnosticKind::BadNormalization, Loc(m, setting.range),
                     fmt::format("`{}` is given two parts in normalization `{}`", ch, rules.name))
              .Label(Loc(m, at->second), "first given here")
              .Help("a character is removed, kept or a separator: say which once");
          ok = false;
          continue;
        }
        if (ch.size() == 1) {
          rules.fold[c] = action == NameRules::Action::kRemove ? NameRules::kRemoved
                          : action == NameRules::Action::kKeep ? c
                                                               : NameRules::kSeparator;
        } else {
          rules.sequences.push_back({ch, action});
        }
      }
    } else {
      bad(setting.name.range,
          fmt::format("unknown setting `{}` in normalization `{}`", what, rules.name),
          std::string(kSettings));
    }
  }
  // Longest first, so that PlainName finds a sequence before any of its prefixes.
  std::stable_sort(rules.sequences.begin(), rules.sequences.end(),
                   [](const auto& a, const auto& b) { return a.utf8.size() > b.utf8.size(); });
  rules.Finish();
  if (forms_file != nullptr && !ReadLegalForms(m, *forms_file, rules)) ok = false;
  info.ok = ok;
  return info;
}

// `legal_forms from "file.csv"`: the words of the file's first column, each folded by `rules`.
// A form must fold to one word: "Co., Ltd." is two forms, and a name ending in it drops both.
auto Checker::ReadLegalForms(uint32_t m, const ast::NormalizationDecl::Setting& setting,
                             NameRules& rules) -> bool {
  std::filesystem::path path = std::filesystem::path(modules_[m].dir) / setting.text->value;
  ErrorOr<const SourceBuffer*> source = loader_.LoadTable(path.string(), options_.max_source_bytes);
  if (!source.ok()) {
    emitter_
        .Error(DiagnosticKind::TableFileError, Loc(m, setting.text->range),
               fmt::format("cannot read the legal forms of normalization `{}`: {}", rules.name,
                           source.error().message))
        .Help("the path is relative to the directory of this rule file");
    return false;
  }
  std::optional<tables::CsvTable> csv = tables::ReadCsv(**source, emitter_);
  if (!csv) return false;
  if (csv->header.fields.empty() || csv->header.fields[0].value != "form") {
    emitter_
        .Error(DiagnosticKind::BadCsvRow, Location{*source, csv->header.range},
               "a legal forms file starts with the header `form`")
        .Help("one legal-form word a line under the header: `form`, `co`, `ltd`, `gmbh`, …");
    return false;
  }
  NameRules plain = rules;  // folds, and drops no word
  plain.builtin_forms = false;
  plain.legal_forms.clear();
  plain.compact = false;
  std::string folded;
  std::vector<std::string> forms;
  bool ok = true;
  for (const tables::CsvRow& row : csv->rows) {
    const tables::CsvField& field = row.fields[0];
    std::string_view form = NormalizeName(field.value, folded, plain);
    if (form.empty() || form.find(' ') != std::string_view::npos) {
      emitter_
          .Error(DiagnosticKind::BadCsvRow, Location{*source, field.range},
                 form.empty()
                     ? fmt::format("legal form `{}` has no letters left once folded", field.value)
                     : fmt::format("legal form `{}` is more than one word once folded (\"{}\")",
                                   field.value, form))
          .Help(fmt::format("give each word its own line (a name ending in several forms drops "
                            "them all), or `remove` the character between them in `{}`",
                            rules.name));
      ok = false;
      continue;
    }
    forms.emplace_back(form);
  }
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  rules.builtin_forms = false;
  rules.legal_forms = std::move(forms);
  return ok;
}

auto Checker::Table(const Symbol& symbol) -> const TableInfo& {
  auto key = std::pair{symbol.module, symbol.decl};
  if (tables_[key].state != State::kUnvisited) return tables_[key];
  tables_[key].state = State::kInProgress;
  uint32_t m = symbol.module;
  const auto& decl = std::get<ast::TableDecl>(modules_[m].file.decls[symbol.decl].kind);
  ir::Table table{.name = decl.name.text, .is_extern = decl.is_extern};
  std::vector<Type> types;
  bool ok = true;
  for (const ast::FieldDecl& column : decl.columns) {
    std::string text;
    Number scale = Number::Integer(1);
    Type type = ResolveType(m, column.type, decl.name.text + "." + column.name.text, &scale, &text);
    if (type.is_error()) {
      ok = false;
      continue;
    }
    bool supported = type.kind != TypeKind::kRecord && type.kind != TypeKind::kDuration &&
                     (type.kind != TypeKind::kSet || type.element == TypeKind::kText);
    if (!supported) {
      emitter_
          .Error(DiagnosticKind::UnsupportedExpression, Loc(m, column.type.range),
                 fmt::format("a table column cannot be {}", TypeName(type)))
          .Help(
              "columns hold `text`, `int`, `number` (with a unit), `bool`, `date`, `country`, "
              "an enum, or `set<text>` written as `a;b;c`");
      ok = false;
      continue;
    }
    for (const ir::Column& other : table.columns) {
      if (other.name == column.name.text) {
        emitter_.Error(DiagnosticKind::DuplicateName, Loc(m, column.name.range),
                       fmt::format("column `{}` is declared twice", column.name.text));
        ok = false;
      }
    }
    ir::Column out{.name = column.name.text,
                   .kind = KindOf(type),
                   .optional = type.optional,
                   .type_text = text,
                   .scale = scale,
                   .integer = type.kind == TypeKind::kInt};
    // A column whose `match` is wrong is still a column: the key's must not make the next
    // column the key.
    if (column.match && !CheckMatch(m, decl, column, type, table)) ok = false;
    out.match_normalized = column.match.has_value();
    if (type.kind == TypeKind::kEnum) out.enum_id = type.id;
    table.columns.push_back(std::move(out));
    types.push_back(type);
  }
  if (decl.columns.empty()) {
    emitter_
        .Error(DiagnosticKind::MissingField, Loc(m, decl.name.range),
               fmt::format("table `{}` declares no columns", decl.name.text))
        .Help("declare the columns, key first: `{ name: text, country: country }`");
    ok = false;
  }
  if (ok && types[0].optional) {
    emitter_
        .Error(DiagnosticKind::TypeMismatch, Loc(m, decl.columns[0].type.range),
               "the first column is the key of the table and cannot be optional")
        .Help("move a column that every row has to the front");
    ok = false;
  }
  if (ok && !decl.path && !decl.is_extern) {
    emitter_
        .Error(DiagnosticKind::TableFileError, Loc(m, decl.name.range),
               fmt::format("table `{}` has no rows: give it a file or declare it `extern`",
                           decl.name.text))
        .Help(fmt::format("write `table {} from \"{}.csv\" {{ … }}`, or `extern table` for a "
                          "table the host supplies at run time",
                          decl.name.text, decl.name.text));
    ok = false;
  }
  TableInfo info;
  info.state = State::kDone;
  if (ok) {
    auto id = static_cast<uint32_t>(program_.tables.size());
    program_.tables.push_back(std::move(table));
    table_columns_.resize(id + 1);
    table_columns_[id] = types;
    info.table = id;
    info.columns = types;
    if (decl.path) LoadTableRows(m, decl, program_.tables[id]);
  }
  tables_[key] = info;
  return tables_[key];
}

void Checker::LoadTableRows(uint32_t m, const ast::TableDecl& decl, ir::Table& table) {
  std::filesystem::path path = std::filesystem::path(modules_[m].dir) / decl.path->value;
  table.file = path.string();
  ErrorOr<const SourceBuffer*> source = loader_.LoadTable(path.string(), options_.max_source_bytes);
  if (!source.ok()) {
    emitter_
        .Error(DiagnosticKind::TableFileError, Loc(m, decl.path->range),
               fmt::format("cannot read the rows of table `{}`: {}", decl.name.text,
                           source.error().message))
        .Help("the path is relative to the directory of this rule file");
    return;
  }
  TableDeclaration declaration{.name = Loc(m, decl.name.range)};
  for (const ast::FieldDecl& column : decl.columns) {
    declaration.columns.push_back(Loc(m, column.range));
  }
  std::optional<ir::Rows> rows =
      ReadTableRows(program_, table, **source,
                    RowStorage{.texts = &program_.texts, .text_sets = &program_.text_sets},
                    emitter_, &declaration);
  if (rows) table.rows = std::move(*rows);
}

}  // namespace cordon::check
