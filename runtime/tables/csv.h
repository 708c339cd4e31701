// SPDX-License-Identifier: Apache-2.0
// An RFC 4180 CSV reader for the files behind `extern table` declarations. It reads a
// SourceBuffer, so every problem is a diagnostic located at file.csv:line:col; it knows nothing
// of column types, which the checker validates field by field using the ranges kept here.
#ifndef CORDON_RUNTIME_TABLES_CSV_H_
#define CORDON_RUNTIME_TABLES_CSV_H_

#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::tables {

struct CsvField {
  // The value with its enclosing quotes removed and each `""` inside them read as one `"`: a
  // view of the source text, or of CsvTable::unescaped when the field held a `""`.
  std::string_view value;
  // The field as written, including its quotes.
  SourceRange range;
};

struct CsvRow {
  // A view of CsvTable::fields.
  std::span<const CsvField> fields;
  // From the first byte of the row to its line terminator (several lines when a quoted field
  // holds a newline).
  SourceRange range;
};

// Moving a table keeps the views in it valid; it cannot be copied.
struct CsvTable {
  CsvTable() = default;
  CsvTable(CsvTable&&) = default;
  auto operator=(CsvTable&&) -> CsvTable& = default;

  CsvRow header;
  // INVARIANT: every row has as many fields as the header.
  std::vector<CsvRow> rows;
  // The fields of the header and every row, in one array rather than one per row.
  std::vector<CsvField> fields;
  // The values that differ from their text as written. A deque, so that values stay where they
  // are when the table moves.
  std::deque<std::string> unescaped;
};

// ReadCsv reports at most this many problems, then one TooManyErrors diagnostic if the file
// goes on.
inline constexpr int kMaxCsvErrors = 20;
// The widest header read: real tables have a dozen columns, and the limit keeps a hostile
// header (250,000 columns) from costing more than its reading.
inline constexpr size_t kMaxCsvColumns = 1024;

// Parses `source` as CSV with a header line. Reports problems as DiagnosticKind::BadCsvRow errors
// through `emitter` (located in `source`, with a help line) and returns nullopt if there was any.
// Lines end with \n or \r\n; empty lines are skipped; a UTF-8 byte-order mark is ignored.
auto ReadCsv(const SourceBuffer& source, DiagnosticEmitter& emitter) -> std::optional<CsvTable>;

}  // namespace cordon::tables

#endif  // CORDON_RUNTIME_TABLES_CSV_H_
