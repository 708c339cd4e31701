// SPDX-License-Identifier: Apache-2.0
// Tables: typed columns, and the CSV behind a `from` table read and checked cell by cell at
// compile time, so a bad row is an error at file.csv:line:col before any request is decided.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "compiler/check/checker.h"
#include "runtime/base/countries.h"
#include "runtime/tables/table_rows.h"

namespace cordon::check {

using tables::ReadTableRows;
using tables::RowStorage;
using tables::TableDeclaration;

// `match normalized` on the key column makes it compare by NormalizeName; on a later
// `set<text>` column it makes each element another key of its row (aliases).
auto Checker::CheckMatch(uint32_t m, const ast::TableDecl& decl, const ast::FieldDecl& column,
                         const Type& type, ir::Table& table) -> bool {
  const ast::Name& mode = *column.match;
  if (mode.text != "normalized") {
    emitter_
        .Error(DiagnosticKind::UnknownName, Loc(m, mode.range),
               fmt::format("unknown match mode `{}`", mode.text))
        .Help(
            "the only mode is `match normalized`: names compared ignoring case, punctuation, "
            "spacing and legal-form suffixes such as \"Co., Ltd.\"");
    return false;
  }
  bool key = table.columns.empty();
  if (key && type.kind == TypeKind::kText && !type.optional) {
    table.normalized = true;
    return true;
  }
  if (!key && type.kind == TypeKind::kSet && type.element == TypeKind::kText) {
    if (!table.normalized) {
      emitter_
          .Error(DiagnosticKind::TypeMismatch, Loc(m, column.match->range),
                 fmt::format("`{}` can be matched as aliases only when the key column `{}` is "
                             "`match normalized` too",
                             column.name.text, decl.columns[0].name.text))
          .Help(fmt::format("write `{}: text match normalized` first", decl.columns[0].name.text));
      return false;
    }
    table.alias_columns.push_back(static_cast<uint32_t>(table.columns.size()));
    return true;
  }
  emitter_
      .Error(DiagnosticKind::TypeMismatch, Loc(m, column.match->range),
             key ? fmt::format("`match normalized` needs a `text` key, not {}", TypeName(type))
                 : fmt::format("`match normalized` on `{}`, which is neither the key nor a "
                               "`set<text>` of aliases",
                               column.name.text))
      .Help(
          "put `match normalized` on the key column (`name: text`) and on `set<text>` "
          "columns of other names for the same row");
  return false;
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
    if (column.match && !CheckMatch(m, decl, column, type, table)) {
      ok = false;
      continue;
    }
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
