// SPDX-License-Identifier: Apache-2.0
// The CSV reader: one forward pass over the bytes with no recursion. Bytes that cannot be a CSV
// file (too large, UTF-16, NUL, invalid UTF-8) stop it at once; a malformed row is reported,
// skipped to the end of its line, and reading goes on, so that one run shows every bad row (up
// to kMaxCsvErrors).
#include "runtime/tables/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace cordon::tables {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Longest field text that a help line quotes back to the user.
constexpr size_t kMaxQuotedField = 40;

// Header columns named in the help for a row of the wrong length.
constexpr size_t kMaxListedColumns = 12;

enum class RowResult { kRow, kBad, kEnd };

auto Range(size_t begin, size_t end) -> SourceRange {
  return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

auto Plural(size_t n, std::string_view word) -> std::string {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

class CsvReader {
 public:
  CsvReader(const SourceBuffer& source, DiagnosticEmitter& emitter)
      : source_(source), emitter_(emitter), text_(source.text()) {}

  auto Run() -> std::optional<CsvTable>;

 private:
  auto CheckBytes() -> bool;
  void SkipEmptyLines();
  // Reads the next record, appending its fields to fields_ (a bad row's too: the caller drops
  // them). kBad: it was malformed, has been reported, and pos_ is at the start of the next line.
  // kEnd: only empty lines were left.
  auto ReadRow(SourceRange& range) -> RowResult;
  auto ReadQuoted(CsvField& field) -> bool;
  auto ReadUnquoted(CsvField& field) -> bool;
  void CheckHeader(std::span<const CsvField> names);
  void ReportFieldCount(SourceRange row, size_t got, std::span<const CsvField> header,
                        SourceRange header_range);

  // Length of the line terminator at `at` (1 for \n, 2 for \r\n), 0 if there is none.
  auto TerminatorAt(size_t at) const -> size_t;
  // Where the field that contains `at` ends as written, ignoring quotes: the next `,`, `\r` or
  // `\n`, or the end of the file.
  auto FieldEnd(size_t at) const -> size_t;
  // After a malformed field: moves pos_ past the end of the current line.
  void SkipLine();

  auto Loc(SourceRange range) const -> Location { return {&source_, range}; }
  auto Report(Location location, std::string message) -> DiagnosticBuilder {
    ++errors_;
    return emitter_.Error(DiagnosticKind::BadCsvRow, location, std::move(message));
  }

  const SourceBuffer& source_;
  DiagnosticEmitter& emitter_;
  std::string_view text_;
  // INVARIANT: pos_ <= text_.size().
  size_t pos_ = 0;
  int errors_ = 0;
  std::vector<CsvField> fields_;       // moves to CsvTable::fields
  std::deque<std::string> unescaped_;  // moves to CsvTable::unescaped
};

auto CsvReader::Run() -> std::optional<CsvTable> {
  if (!CheckBytes()) return std::nullopt;
  if (text_.starts_with(kByteOrderMark)) pos_ = kByteOrderMark.size();

  CsvTable table;
  // Rows are kept as (first field, range) until fields_ stops growing.
  std::vector<std::pair<size_t, SourceRange>> rows;
  // An upper bound (a quoted field may hold a line break): one allocation, not a dozen.
  rows.reserve(source_.line_count());
  SourceRange header_range;
  RowResult header = ReadRow(header_range);
  const size_t width = fields_.size();
  // Every field but a line's last ends at a comma, so there are at most size + 1.
  fields_.reserve(std::min(width * source_.line_count(), text_.size() + 1));
  if (header == RowResult::kEnd) {
    Report(Location{&source_, std::nullopt},
           "the table file is empty: expected a header line naming the columns")
        .Help(
            "write the column names on the first line, separated by commas, as in "
            "`name,country,date_added`");
    return std::nullopt;
  }
  if (header == RowResult::kRow && width > kMaxCsvColumns) {
    Report(Loc(header_range), fmt::format("the header names {} columns, more than a table file may "
                                          "have ({})",
                                          width, kMaxCsvColumns))
        .Help("a table declares the columns it reads; keep the file to those and a few more");
    return std::nullopt;
  }
  if (header == RowResult::kRow) CheckHeader(fields_);

  while (true) {
    SkipEmptyLines();
    if (pos_ == text_.size()) break;
    if (errors_ >= kMaxCsvErrors) {
      emitter_
          .Error(DiagnosticKind::TooManyErrors, Loc(Range(pos_, pos_)),
                 fmt::format("stopped reading the table after {} errors", errors_))
          .Help("fix the first errors and run again");
      return std::nullopt;
    }
    size_t first = fields_.size();
    SourceRange range;
    RowResult result = ReadRow(range);
    size_t got = fields_.size() - first;
    // Without a readable header the expected length is unknown; the header's error says so.
    if (result == RowResult::kRow && header == RowResult::kRow && got != width) {
      ReportFieldCount(range, got, std::span(fields_).first(width), header_range);
    }
    if (result == RowResult::kRow && got == width && errors_ == 0) {
      rows.emplace_back(first, range);
    } else {
      fields_.resize(first);
    }
  }
  if (errors_ > 0) return std::nullopt;
  table.fields = std::move(fields_);
  table.header = CsvRow{.fields = std::span(table.fields).first(width), .range = header_range};
  table.rows.reserve(rows.size());
  for (auto [first, range] : rows) {
    table.rows.push_back(
        CsvRow{.fields = std::span(table.fields).subspan(first, width), .range = range});
  }
  table.unescaped = std::move(unescaped_);
  return table;
}

auto CsvReader::CheckBytes() -> bool {
  if (std::optional<uint64_t> size = source_.oversize()) {
    Report(Location{&source_, std::nullopt},
           fmt::format("the table file is {} bytes, over the size limit for a file", *size))
        .Help("split the data into smaller tables");
    return false;
  }
  if (text_.starts_with("\xFF\xFE") || text_.starts_with("\xFE\xFF")) {
    Report(Loc(Range(0, 2)), "the table file is UTF-16 text")
        .Help("save the table as UTF-8 CSV (in a spreadsheet, choose \"CSV UTF-8\")");
    return false;
  }
  if (size_t nul = text_.find('\0'); nul != std::string_view::npos) {
    Report(Loc(Range(nul, nul + 1)), "the table file contains a NUL byte")
        .Help("table files are UTF-8 CSV text; was a spreadsheet or other binary file given?");
    return false;
  }
  if (std::optional<uint32_t> bad = source_.FirstInvalidUtf8()) {
    Report(Loc(Range(*bad, *bad + 1)),
           fmt::format("byte 0x{:02X} is not valid UTF-8", static_cast<unsigned char>(text_[*bad])))
        .Help("save the table as UTF-8 CSV (in a spreadsheet, choose \"CSV UTF-8\")");
    return false;
  }
  return true;
}

void CsvReader::SkipEmptyLines() {
  while (size_t n = TerminatorAt(pos_)) pos_ += n;
}

auto CsvReader::ReadRow(SourceRange& range) -> RowResult {
  SkipEmptyLines();
  if (pos_ == text_.size()) return RowResult::kEnd;
  size_t begin = pos_;
  while (true) {
    CsvField field;
    bool ok = pos_ < text_.size() && text_[pos_] == '"' ? ReadQuoted(field) : ReadUnquoted(field);
    if (!ok) return RowResult::kBad;
    fields_.push_back(field);
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    // ReadQuoted and ReadUnquoted stop only at a comma, a line terminator or the end.
    range = Range(begin, pos_);
    pos_ += TerminatorAt(pos_);
    return RowResult::kRow;
  }
}

auto CsvReader::ReadQuoted(CsvField& field) -> bool {
  size_t open = pos_;
  // Built only when the field holds a `""`; otherwise the value is a view of the source.
  std::string unescaped;
  bool escaped = false;
  for (size_t at = open + 1;;) {
    size_t quote = text_.find('"', at);
    if (quote == std::string_view::npos) {
      Report(Loc(Range(open, open + 1)), "the quoted field that starts here has no closing `\"`")
          .Help("add the closing `\"`; a quote inside a quoted field is written `\"\"`");
      pos_ = text_.size();
      return false;
    }
    if (quote + 1 < text_.size() && text_[quote + 1] == '"') {
      escaped = true;
      unescaped.append(text_.substr(at, quote + 1 - at));
      at = quote + 2;
      continue;
    }
    if (escaped) unescaped.append(text_.substr(at, quote - at));
    pos_ = quote + 1;
    break;
  }
  std::string_view value =
      escaped ? std::string_view(unescaped) : text_.substr(open + 1, pos_ - 1 - (open + 1));
  if (pos_ < text_.size() && text_[pos_] != ',' && TerminatorAt(pos_) == 0) {
    size_t end = std::max(FieldEnd(pos_), pos_ + 1);
    DiagnosticBuilder d =
        Report(Loc(Range(pos_, end)), "unexpected text after the closing quote of a quoted field");
    d.Help(
        "a quote inside a quoted field is written `\"\"`; after the closing quote comes a "
        "comma or the end of the line");
    // A stray quote often opens a field that swallows the following lines: show where.
    if (value.find('\n') != std::string_view::npos) {
      d.Label(Loc(Range(open, open + 1)), "the quoted field starts here");
    }
    SkipLine();
    return false;
  }
  field.value = escaped ? std::string_view(unescaped_.emplace_back(std::move(unescaped))) : value;
  field.range = Range(open, pos_);
  return true;
}

auto CsvReader::ReadUnquoted(CsvField& field) -> bool {
  size_t begin = pos_;
  for (; pos_ < text_.size(); ++pos_) {
    char c = text_[pos_];
    if (c == ',' || c == '\n' || (c == '\r' && TerminatorAt(pos_) != 0)) break;
    if (c == '"') {
      std::string_view written = text_.substr(begin, FieldEnd(begin) - begin);
      std::string example = "\"";
      for (char w : written) example += w == '"' ? std::string("\"\"") : std::string(1, w);
      example += "\"";
      Report(Loc(Range(pos_, pos_ + 1)), "unexpected `\"` inside an unquoted field")
          .Help(written.size() <= kMaxQuotedField
                    ? fmt::format("put the field in quotes and double the quotes inside it: `{}`",
                                  example)
                    : std::string("put the field in quotes and double the quotes inside it, as "
                                  "in `\"say \"\"hi\"\"\"`"));
      SkipLine();
      return false;
    }
    if (c == '\r') {
      Report(Loc(Range(pos_, pos_ + 1)), "a carriage return that is not followed by a line feed")
          .Help("end lines with a line feed (\\n) or a carriage return and line feed (\\r\\n)");
      SkipLine();
      return false;
    }
  }
  field.value = text_.substr(begin, pos_ - begin);
  field.range = Range(begin, pos_);
  return true;
}

void CsvReader::CheckHeader(std::span<const CsvField> names) {
  std::unordered_map<std::string_view, size_t> first;  // linear in the header's width
  first.reserve(names.size());
  for (size_t i = 0; i < names.size() && errors_ < kMaxCsvErrors; ++i) {
    if (names[i].value.empty()) {
      Report(Loc(names[i].range), fmt::format("column {} of the header has no name", i + 1))
          .Help("name every column; a comma at the end of the header line adds an unnamed column");
      continue;
    }
    auto [it, inserted] = first.emplace(names[i].value, i);
    if (!inserted) {
      const CsvField& earlier = names[it->second];
      Report(Loc(names[i].range),
             fmt::format("the header names the column `{}` twice", names[i].value))
          .Label(Loc(earlier.range), fmt::format("`{}` is first named here", earlier.value))
          .Help("give each column a different name");
    }
  }
}

void CsvReader::ReportFieldCount(SourceRange row, size_t got, std::span<const CsvField> header,
                                 SourceRange header_range) {
  size_t want = header.size();
  std::string columns;
  for (size_t i = 0; i < want && i < kMaxListedColumns; ++i) {
    columns += fmt::format("{}`{}`", i == 0 ? "" : ", ", header[i].value);
  }
  if (want > kMaxListedColumns) columns += fmt::format(" and {} more", want - kMaxListedColumns);
  std::string help =
      got > want
          ? fmt::format(
                "expected {}; a value that contains a comma must be quoted, as in "
                "`\"Acme, Inc.\"`",
                columns)
          : fmt::format("expected {}; an empty value still needs its comma, as in `a,,c`", columns);
  Report(Loc(row), fmt::format("the row has {} but the header has {}", Plural(got, "field"), want))
      .Label(Loc(header_range), fmt::format("the header names {}", Plural(want, "column")))
      .Help(std::move(help));
}

auto CsvReader::TerminatorAt(size_t at) const -> size_t {
  if (at < text_.size() && text_[at] == '\n') return 1;
  if (text_.substr(at).starts_with("\r\n")) return 2;
  return 0;
}

auto CsvReader::FieldEnd(size_t at) const -> size_t {
  size_t end = text_.find_first_of(",\r\n", at);
  return end == std::string_view::npos ? text_.size() : end;
}

void CsvReader::SkipLine() {
  size_t newline = text_.find('\n', pos_);
  pos_ = newline == std::string_view::npos ? text_.size() : newline + 1;
}

}  // namespace

auto ReadCsv(const SourceBuffer& source, DiagnosticEmitter& emitter) -> std::optional<CsvTable> {
  return CsvReader(source, emitter).Run();
}

}  // namespace cordon::tables
