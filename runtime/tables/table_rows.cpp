// SPDX-License-Identifier: Apache-2.0
#include "runtime/tables/table_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/base/names.h"
#include "runtime/base/spelling.h"
#include "runtime/ir/table_data.h"
#include "runtime/tables/csv.h"

namespace cordon::tables {
namespace {

// `value` as text the rows may keep.
auto Keep(RowStorage storage, std::string_view value) -> std::string_view {
  std::less<const char*> before;
  const char* stable_end = storage.stable.data() + storage.stable.size();
  if (value.empty() || (!before(value.data(), storage.stable.data()) &&
                        !before(stable_end, value.data() + value.size()))) {
    return value;
  }
  return storage.texts->emplace_back(value);
}

// One cell, or a problem (with a help line) when the text is not a value of the column.
auto ReadCell(const ir::Program& program, const ir::Column& column, std::string_view value,
              RowStorage storage, ir::Datum& d, std::string& help) -> std::string {
  d = ir::Datum{.kind = column.kind};
  bool may_be_empty = column.kind == ir::Kind::kText || column.kind == ir::Kind::kTextSet;
  // An empty cell is `none` in an optional column, empty text or an empty set otherwise.
  if (value.empty() && (column.optional || !may_be_empty)) {
    if (column.optional) {
      d.present = false;
      return "";
    }
    help = fmt::format(
        "every row needs a value of type `{}` here; declare the column with `?` if it may be "
        "empty",
        column.type_text);
    return "no value";
  }
  switch (column.kind) {
    case ir::Kind::kText:
      d.text = Keep(storage, value);
      return "";
    case ir::Kind::kNumber: {
      std::optional<Number> n = ParseDecimal(value);
      if (!n) {
        help = fmt::format("column `{}` holds `{}` values, e.g. `4992` or `5.92`", column.name,
                           column.type_text);
        return fmt::format("`{}` is not a number", value);
      }
      if (column.integer && !n->is_integer()) {
        help = fmt::format("column `{}` is declared `int`", column.name);
        return fmt::format("`{}` is not a whole number", value);
      }
      if (Multiply(*n, column.scale, d.number) != ArithmeticStatus::kOk) {
        return fmt::format("`{}` is out of range", value);
      }
      return "";
    }
    case ir::Kind::kBool:
      if (value == "true" || value == "false") {
        d.bits = value == "true" ? 1 : 0;
        return "";
      }
      help = fmt::format("column `{}` is declared `bool`", column.name);
      return fmt::format("`{}` is not `true` or `false`", value);
    case ir::Kind::kDate:
      if (std::optional<DayNumber> day = ParseDate(value)) {
        d.bits = *day;
        return "";
      }
      help = "dates are written YYYY-MM-DD and must exist, e.g. `2023-11-17`";
      return fmt::format("`{}` is not a date", value);
    case ir::Kind::kCountry:
      if (std::optional<CountryIndex> country = LookupCountry(value)) {
        d.bits = *country;
        return "";
      }
      help = CountryHelp(value);
      return fmt::format("`{}` is not an ISO 3166-1 alpha-2 country code", value);
    case ir::Kind::kEnum: {
      const ir::Enum& e = program.enums[column.enum_id];
      auto it = std::find(e.values.begin(), e.values.end(), value);
      if (it != e.values.end()) {
        d.bits = it - e.values.begin();
        return "";
      }
      help = fmt::format("the values are {}", QuotedList(e.values));
      return fmt::format("`{}` is not a value of `{}`", value, e.name);
    }
    case ir::Kind::kTextSet: {
      ir::TextSet& set = storage.text_sets->emplace_back();
      size_t start = 0;
      while (start <= value.size()) {
        size_t end = value.find(';', start);
        if (end == std::string_view::npos) end = value.size();
        std::string_view item = value.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) set.sorted.push_back(Keep(storage, item));
        start = end + 1;
      }
      std::sort(set.sorted.begin(), set.sorted.end());
      d.set = &set;
      return "";
    }
    default:
      return fmt::format("a table column cannot be {}", column.type_text);
  }
}

// Two rows whose names are one `match normalized` key (the compact key: "Tian-Ke Group" and
// "Tianke Group"): a lookup finds the first, never the second, which is most likely a mistake in
// the data. Checked when a policy is compiled, not on every swap (it costs a normalisation a row).
void WarnCollidingNames(const ir::Table& table, const SourceBuffer& csv, const CsvTable& file,
                        size_t key_column, DiagnosticEmitter& emitter) {
  std::unordered_map<std::string, size_t> first;  // normalised name -> row in `file`
  first.reserve(file.rows.size());
  std::string normal;
  int warnings = 0;
  for (size_t r = 0; r < file.rows.size() && warnings < kMaxCsvErrors; ++r) {
    const CsvField& field = file.rows[r].fields[key_column];
    auto [it, fresh] =
        first.try_emplace(std::string(NormalizeName(field.value, normal, table.names)), r);
    if (fresh) continue;
    const CsvField& earlier = file.rows[it->second].fields[key_column];
    bool declared = table.names_id != 0;
    emitter
        .Warning(DiagnosticKind::NamesCollide, Location{&csv, field.range},
                 fmt::format("`{}` and `{}` are one name to `match {}` in table `{}` (both are "
                             "\"{}\"): a lookup finds the earlier row, never this one",
                             field.value, earlier.value, table.names.name, table.name, it->first))
        .Label(Location{&csv, earlier.range}, "the earlier row")
        .Help(declared
                  ? fmt::format("names are compared as normalization `{}` declares; merge the "
                                "two rows, make one name an alias of the other, or change what "
                                "`{}` removes or drops",
                                table.names.name, table.names.name)
                  : "names are compared ignoring case, punctuation, spacing, where the words "
                    "break and trailing legal forms; merge the two rows, or make one name an "
                    "alias of the other");
    ++warnings;
  }
}

}  // namespace

auto ReadTableRows(const ir::Program& program, const ir::Table& table, const SourceBuffer& csv,
                   RowStorage storage, DiagnosticEmitter& emitter,
                   const TableDeclaration* declaration) -> std::optional<ir::Rows> {
  int errors_before = emitter.error_count();
  std::optional<CsvTable> file = ReadCsv(csv, emitter);
  if (!file) return std::nullopt;
  std::vector<size_t> index;
  std::vector<std::string> header;
  for (const CsvField& h : file->header.fields) header.emplace_back(h.value);
  for (const ir::Column& column : table.columns) {
    auto found = std::find(header.begin(), header.end(), column.name);
    if (found == header.end()) {
      auto diag = emitter.Error(DiagnosticKind::BadCsvRow, Location{&csv, file->header.range},
                                fmt::format("the header has no column `{}`, which table `{}` "
                                            "declares",
                                            column.name, table.name));
      if (declaration != nullptr) diag.Label(declaration->name, "declared here");
      diag.Help(fmt::format("the file's columns are {}", QuotedList(header, 12)));
      return std::nullopt;
    }
    index.push_back(static_cast<size_t>(found - header.begin()));
  }
  ir::Rows rows(static_cast<uint32_t>(table.columns.size()));
  rows.reserve(file->rows.size());
  // Keys seen so far: an open-addressing set of row indices, at most half full, so that a
  // swapped 100,000-row list costs no allocation per key. A slot holds the high half of the
  // key's hash above row + 1 (0: empty), so a probe reads a row only when the hashes agree.
  std::vector<SourceRange> key_ranges;
  key_ranges.reserve(file->rows.size());
  size_t capacity = 16;
  while (capacity < file->rows.size() * 2) capacity *= 2;
  std::vector<uint64_t> key_slots(capacity, 0);
  // The slot holding a row with `key`, or the empty slot where it would go.
  constexpr uint64_t kTagBits = 0xFFFF'FFFF'0000'0000;
  auto find_key = [&](const ir::Datum& key, uint64_t hash) -> uint64_t& {
    size_t mask = key_slots.size() - 1;
    uint64_t tag = hash & kTagBits;
    size_t i = hash & mask;
    while (key_slots[i] != 0 &&
           ((key_slots[i] & kTagBits) != tag ||
            ir::KeyCompare(rows[static_cast<uint32_t>(key_slots[i]) - 1][0], key) != 0)) {
      i = (i + 1) & mask;
    }
    return key_slots[i];
  };
  int errors = 0;
  // The probe of a 100,000-row set misses the cache on nearly every row, so the slot a row a
  // few ahead will probe is fetched now, while this one is read: for a text key, by the hash
  // of its field as written (the key's own, unless reading the cell changes the text; a
  // prefetch that guesses wrong costs only itself).
  constexpr size_t kAhead = 8;
  const bool text_key = table.columns[0].kind == ir::Kind::kText;
  for (size_t r = 0; r < file->rows.size(); ++r) {
    const CsvRow& row = file->rows[r];
    if (text_key && r + kAhead < file->rows.size()) {
      std::string_view ahead = file->rows[r + kAhead].fields[index[0]].value;
      __builtin_prefetch(&key_slots[ir::HashText(ahead) & (key_slots.size() - 1)]);
    }
    std::span<ir::Datum> cells = rows.AddRow();
    bool row_ok = true;
    for (size_t c = 0; c < table.columns.size() && row_ok; ++c) {
      const CsvField& field = row.fields[index[c]];
      std::string help;
      std::string problem =
          ReadCell(program, table.columns[c], field.value, storage, cells[c], help);
      if (problem.empty()) continue;
      auto diag = emitter.Error(DiagnosticKind::BadCsvRow, Location{&csv, field.range},
                                fmt::format("{} in column `{}` of table `{}`", problem,
                                            table.columns[c].name, table.name));
      if (declaration != nullptr)
        diag.Label(declaration->columns[c], "the column is declared here");
      if (!help.empty()) diag.Help(help);
      row_ok = false;
    }
    if (row_ok) {
      uint64_t hash = ir::HashKey(cells[0]);
      uint64_t& slot = find_key(cells[0], hash);
      if (slot == 0) {
        slot = (hash & kTagBits) | rows.size();  // the row just added, + 1
        key_ranges.push_back(row.fields[index[0]].range);
        continue;
      }
      std::string key = ir::FormatDatum(program, cells[0], table.columns[0].enum_id);
      emitter
          .Error(DiagnosticKind::BadCsvRow, Location{&csv, row.fields[index[0]].range},
                 fmt::format("key {} appears twice in table `{}`", key, table.name))
          .Label(Location{&csv, key_ranges[static_cast<uint32_t>(slot) - 1]}, "first here")
          .Help(fmt::format("the first column, `{}`, identifies a row: merge the two rows",
                            table.columns[0].name));
    }
    rows.PopRow();  // a bad or repeated row is reported, not kept
    if (++errors >= kMaxCsvErrors) break;
  }
  if (emitter.error_count() != errors_before) return std::nullopt;
  if (table.normalized && declaration != nullptr)
    WarnCollidingNames(table, csv, *file, index[0], emitter);
  return rows;
}

}  // namespace cordon::tables
