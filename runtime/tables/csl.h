// SPDX-License-Identifier: Apache-2.0
// The Consolidated Screening List (CSL), the U.S. government's weekly export of its screening
// lists (International Trade Administration, data.trade.gov), read into the rows of the tables a
// policy screens against. It keeps the three lists of the Bureau of Industry and Security that
// decide export licences here: the Entity List, the Unverified List and the Military End-User
// List. Rows of the other ten lists are counted and left out; a list or a column the CSL is not
// known to have is reported, never guessed at. Errors are diagnostics at file:line:col, and an
// import with any error returns nothing, so the table in use stays as it was.
//
// Both official layouts are read: the CSV (one row per entry, multi-valued cells joined with
// "; ") and the JSON (`{"results": [ {…}, … ]}`, with arrays and address objects). Columns are
// found by name, not by position: the order has changed between releases.
#ifndef CORDON_RUNTIME_TABLES_CSL_H_
#define CORDON_RUNTIME_TABLES_CSL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::tables {

// The lists an import keeps, each written to a table file of its own.
enum class CslList : uint8_t { kEntityList, kUnverifiedList, kMilitaryEndUser };
inline constexpr int kCslListCount = 3;

struct CslListInfo {
  CslList list;
  // The CSL's `source` value, exactly.
  std::string_view source;
  // The short code the CSL's API uses (`EL`).
  std::string_view code;
  // The table file it is written to, and the value of its `list` column.
  std::string_view file;
  std::string_view list_value;
};
auto CslListInfoOf(CslList list) -> const CslListInfo&;

// One entry of a kept list, as read.
struct CslEntry {
  CslList list;
  std::string name;
  std::vector<std::string> alt_names;
  // ISO 3166-1 alpha-2 codes of the entry's addresses, in order, each once.
  std::vector<std::string> countries;
  // None when the CSL gives no start date (the Unverified List gives none): the table leaves
  // `date_added` empty, and the stdlib counts such a party as listed on every date.
  std::optional<DayNumber> start_date;
  std::string license_requirement;
  std::string license_policy;
  std::string federal_register_notice;
  // The line the entry starts on, for messages about it.
  uint32_t line = 0;
};

// How many rows each source had, kept or not.
struct CslSourceCount {
  std::string source;
  size_t rows = 0;
  // Kept lists only: how many parties remain once entries of one name are merged (WriteCslTable).
  bool kept = false;
  // Not one of the CSL's thirteen lists (reported as a warning).
  bool unknown = false;
};

struct CslImport {
  std::vector<CslEntry> entries;
  // In order of first appearance.
  std::vector<CslSourceCount> sources;
  size_t rows = 0;
  // Kept entries without a start date, by list.
  std::array<size_t, kCslListCount> undated{};
};

// The largest file read (the CSL's JSON is about 60 MB; the limit keeps a runaway download from
// exhausting memory).
inline constexpr size_t kMaxCslBytes = size_t{512} << 20;

// Reads `file` as the CSL in CSV or JSON (told apart by the first byte that is not a space or a
// byte-order mark: `{` or `[` is JSON). Reports errors (BadScreeningList, or BadCsvRow for the
// CSV's own syntax) and warnings through `emitter`; nullopt if there was any error.
auto ImportCsl(const SourceBuffer& file, DiagnosticEmitter& emitter) -> std::optional<CslImport>;

// The entries of `list`, as the CSV of a screening table (`stdlib/ear/entities.csv` has these
// columns): name, aliases, country, countries, list, license_requirement, license_policy,
// federal_register_citation, date_added. Entries whose names are the same once normalised (as
// `match normalized` compares them) are one row: the first entry's name, every other spelling and
// alias as aliases, every address's country, the earliest start date (none if any entry has
// none), each distinct citation and policy once. `parties` receives the number of rows written.
auto WriteCslTable(const CslImport& import, CslList list, size_t* parties = nullptr) -> std::string;

}  // namespace cordon::tables

#endif  // CORDON_RUNTIME_TABLES_CSL_H_
