// SPDX-License-Identifier: Apache-2.0
// Tables: typed columns, and the CSV behind a `from` table read and checked cell by cell at
// compile time, so a bad row is an error at file.csv:line:col before any request is decided.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "compiler/base/countries.h"
#include "compiler/check/checker.h"
#include "compiler/check/csv.h"

namespace cordon::check {

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
  std::vector<Number> scales;
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
                   .scale = scale};
    if (column.match && !CheckMatch(m, decl, column, type, table)) {
      ok = false;
      continue;
    }
    out.match_normalized = column.match.has_value();
    if (type.kind == TypeKind::kEnum) out.enum_id = type.id;
    table.columns.push_back(std::move(out));
    types.push_back(type);
    scales.push_back(scale);
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
    scales_.resize(id + 1);
    scales_[id] = scales;
    program_.tables.push_back(std::move(table));
    table_columns_.resize(id + 1);
    table_columns_[id] = types;
    info.table = id;
    info.columns = types;
    if (decl.path) LoadTableRows(m, decl, info, program_.tables[id]);
  }
  tables_[key] = info;
  return tables_[key];
}

void Checker::LoadTableRows(uint32_t m, const ast::TableDecl& decl, const TableInfo& info,
                            ir::Table& table) {
  std::filesystem::path path = std::filesystem::path(modules_[m].dir) / decl.path->value;
  table.file = path.string();
  ErrorOr<const SourceBuffer*> source = sources_.Load(path.string(), options_.max_source_bytes);
  if (!source.ok()) {
    emitter_
        .Error(DiagnosticKind::TableFileError, Loc(m, decl.path->range),
               fmt::format("cannot read the rows of table `{}`: {}", decl.name.text,
                           source.error().message))
        .Help("the path is relative to the directory of this rule file");
    return;
  }
  const SourceBuffer& csv = **source;
  std::optional<CsvTable> rows = ReadCsv(csv, emitter_);
  if (!rows) return;
  // Declared columns may be any subset of the file's, in any order.
  std::vector<size_t> index;
  std::vector<std::string> header;
  for (const CsvField& h : rows->header.fields) header.push_back(h.value);
  std::string header_names = QuotedList(header);
  for (const ir::Column& column : table.columns) {
    size_t found = rows->header.fields.size();
    for (size_t i = 0; i < rows->header.fields.size(); ++i) {
      if (rows->header.fields[i].value == column.name) found = i;
    }
    if (found == rows->header.fields.size()) {
      emitter_
          .Error(DiagnosticKind::BadCsvRow, Location{&csv, rows->header.range},
                 fmt::format("the header has no column `{}`, which table `{}` declares",
                             column.name, table.name))
          .Label(Loc(m, decl.name.range), "declared here")
          .Help(fmt::format("the file's columns are {}", header_names));
      return;
    }
    index.push_back(found);
  }
  uint32_t table_id = info.table;
  std::map<std::string, SourceRange> keys;
  int errors = 0;
  for (const CsvRow& row : rows->rows) {
    std::vector<ir::Datum> cells;
    bool row_ok = true;
    for (size_t c = 0; c < table.columns.size() && row_ok; ++c) {
      const CsvField& field = row.fields[index[c]];
      const Type& type = info.columns[c];
      ir::Datum d{.kind = KindOf(type)};
      std::string problem;
      std::string help;
      std::string_view value = field.value;
      // An empty cell is `none` in an optional column, empty text or an empty set otherwise.
      if (value.empty() &&
          (type.optional || (type.kind != TypeKind::kText && type.kind != TypeKind::kSet))) {
        if (type.optional) {
          d.present = false;
        } else {
          problem = "no value";
          help = fmt::format(
              "every row needs a value of type `{}` here; declare the column "
              "with `?` if it may be empty",
              table.columns[c].type_text);
        }
      } else {
        switch (type.kind) {
          case TypeKind::kText:
            d.text = program_.AddText(value);
            break;
          case TypeKind::kInt:
          case TypeKind::kNumber: {
            std::optional<Number> n = ParseDecimal(value);
            Number scaled;
            if (!n) {
              problem = fmt::format("`{}` is not a number", value);
              help = fmt::format("column `{}` holds `{}` values, e.g. `4992` or `5.92`",
                                 table.columns[c].name, table.columns[c].type_text);
            } else if (type.kind == TypeKind::kInt && !n->is_integer()) {
              problem = fmt::format("`{}` is not a whole number", value);
              help = fmt::format("column `{}` is declared `int`", table.columns[c].name);
            } else if (Multiply(*n, scales_[table_id][c], scaled) != ArithmeticStatus::kOk) {
              problem = fmt::format("`{}` is out of range", value);
            } else {
              d.number = scaled;
            }
            break;
          }
          case TypeKind::kBool:
            if (value == "true" || value == "false") {
              d.bits = value == "true" ? 1 : 0;
            } else {
              problem = fmt::format("`{}` is not `true` or `false`", value);
              help = fmt::format("column `{}` is declared `bool`", table.columns[c].name);
            }
            break;
          case TypeKind::kDate:
            if (std::optional<DayNumber> day = ParseDate(value)) {
              d.bits = *day;
            } else {
              problem = fmt::format("`{}` is not a date", value);
              help = "dates are written YYYY-MM-DD and must exist, e.g. `2023-11-17`";
            }
            break;
          case TypeKind::kCountry:
            if (std::optional<CountryIndex> country = LookupCountry(value)) {
              d.bits = *country;
            } else {
              problem = fmt::format("`{}` is not an ISO 3166-1 alpha-2 country code", value);
              help = CountryHelp(value);
            }
            break;
          case TypeKind::kEnum: {
            const ir::Enum& e = program_.enums[type.id];
            auto it = std::find(e.values.begin(), e.values.end(), value);
            if (it == e.values.end()) {
              problem = fmt::format("`{}` is not a value of `{}`", value, e.name);
              help = fmt::format("the values are {}", QuotedList(e.values));
            } else {
              d.bits = it - e.values.begin();
            }
            break;
          }
          case TypeKind::kSet: {
            ir::TextSet& set = program_.text_sets.emplace_back();
            size_t start = 0;
            while (start <= value.size()) {
              size_t end = value.find(';', start);
              if (end == std::string_view::npos) end = value.size();
              std::string_view item = value.substr(start, end - start);
              while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
              while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
              if (!item.empty()) set.sorted.push_back(program_.AddText(item));
              start = end + 1;
            }
            std::sort(set.sorted.begin(), set.sorted.end());
            d.set = &set;
            break;
          }
          default:
            break;
        }
      }
      if (!problem.empty()) {
        auto diag = emitter_.Error(DiagnosticKind::BadCsvRow, Location{&csv, field.range},
                                   fmt::format("{} in column `{}` of table `{}`", problem,
                                               table.columns[c].name, table.name));
        diag.Label(Loc(m, decl.columns[c].range), "the column is declared here");
        if (!help.empty()) diag.Help(help);
        row_ok = false;
        break;
      }
      cells.push_back(d);
    }
    if (!row_ok) {
      if (++errors >= kMaxCsvErrors) return;
      continue;
    }
    std::string key = ir::FormatDatum(program_, cells[0], table.columns[0].enum_id);
    auto [it, inserted] = keys.emplace(key, row.fields[index[0]].range);
    if (!inserted) {
      emitter_
          .Error(DiagnosticKind::BadCsvRow, Location{&csv, row.fields[index[0]].range},
                 fmt::format("key {} appears twice in table `{}`", key, table.name))
          .Label(Location{&csv, it->second}, "first here")
          .Help(fmt::format("the first column, `{}`, identifies a row: merge the two rows",
                            table.columns[0].name));
      if (++errors >= kMaxCsvErrors) return;
      continue;
    }
    table.rows.push_back(std::move(cells));
  }
}

}  // namespace cordon::check
