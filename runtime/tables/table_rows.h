// SPDX-License-Identifier: Apache-2.0
// The rows of a table from CSV, cell by cell against the table's declared columns. The checker
// reads `from` tables with it at compile time, and the runtime reads a swapped-in table with it
// at run time, so a bad row is the same error at file.csv:line:col in both.
#ifndef CORDON_RUNTIME_TABLES_TABLE_ROWS_H_
#define CORDON_RUNTIME_TABLES_TABLE_ROWS_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/ir.h"
#include "runtime/source/source_buffer.h"

namespace cordon::tables {

// Where the rows' texts and `set<text>` cells are stored; they must outlive the rows.
struct RowStorage {
  std::deque<std::string>* texts;
  std::deque<ir::TextSet>* text_sets;
  // Text that outlives the rows (the CSV itself, when the caller keeps it): values inside it are
  // viewed, not copied into `texts`.
  std::string_view stable = {};
};

// Where the table was declared, to label errors in the CSV (nullptr at run time).
struct TableDeclaration {
  Location name;
  std::vector<Location> columns;
};

// Reads `csv` (with a header; the declared columns may be any subset of the file's, in any
// order) as rows of `table`, whose enums are `program`'s. Reports every bad cell and duplicate
// key as a BadCsvRow error (at most kMaxCsvErrors) and returns nullopt if there was any.
auto ReadTableRows(const ir::Program& program, const ir::Table& table, const SourceBuffer& csv,
                   RowStorage storage, DiagnosticEmitter& emitter,
                   const TableDeclaration* declaration) -> std::optional<ir::Rows>;

}  // namespace cordon::tables

#endif  // CORDON_RUNTIME_TABLES_TABLE_ROWS_H_
