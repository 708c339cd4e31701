// SPDX-License-Identifier: Apache-2.0
// The CSL importer. Both layouts are read into one RawEntry per row, with the place of each
// value in the file, and Accept() decides the rest the same way for both: which list, whether a
// value is well-formed, which countries. Layout and source names: tests/tables/csl/README.md and
// docs/research/ear_2025_2026.md §5.
#include "runtime/tables/csl.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "runtime/base/countries.h"
#include "runtime/base/names.h"
#include "runtime/tables/csv.h"

namespace cordon::tables {
namespace {

constexpr std::array<CslListInfo, kCslListCount> kKeptLists = {{
    {CslList::kEntityList, "Entity List (EL) - Bureau of Industry and Security", "EL",
     "entities.csv", "entity_list"},
    {CslList::kUnverifiedList, "Unverified List (UVL) - Bureau of Industry and Security", "UVL",
     "unverified_list.csv", "unverified_list"},
    {CslList::kMilitaryEndUser, "Military End User (MEU) List - Bureau of Industry and Security",
     "MEU", "military_end_user_list.csv", "military_end_user"},
}};

// The CSL's other lists: sanctions and debarments of State and Treasury, and the Denied Persons
// List, whose orders a policy here does not model. Counted, not imported.
constexpr std::array<std::string_view, 10> kOtherSources = {
    "Denied Persons List (DPL) - Bureau of Industry and Security",
    "ITAR Debarred (DTC) - State Department",
    "Nonproliferation Sanctions (ISN) - State Department",
    "Specially Designated Nationals (SDN) - Treasury Department",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    "Foreign Sanctions Evaders (FSE) - Treasury Department",
    "Palestinian Legislative Council List (PLC) - Treasury Department",
    "Capta List (CAP) - Treasury Department",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
};

// Every column of the CSV export seen in a release (`information` and `tonnage` in older ones).
constexpr std::array<std::string_view, 32> kKnownColumns = {
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
    "information",
    "tonnage",
    "id",
};

// The columns an import reads; a file without one of them is refused.
enum Column : uint8_t {
  kSource,
  kName,
  kAltNames,
  kAddresses,
  kStartDate,
  kFederalRegisterNotice,
  kLicenseRequirement,
  kLicensePolicy,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kReadColumns = {"source",
                                                                     "name",
                                                                     "alt_names",
                                                                     "addresses",
                                                                     "start_date",
                                                                     "federal_register_notice",
                                                                     "license_requirement",
                                                                     "license_policy"};

// The fields of an address object in the JSON export.
constexpr std::array<std::string_view, 5> kAddressFields = {"address", "city", "state",
                                                            "postal_code", "country"};

// Errors reported before the rest are counted and left out.
constexpr int kMaxErrors = 20;

auto Trim(std::string_view s) -> std::string_view {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

auto Range(size_t begin, size_t end) -> SourceRange {
  return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

// One alias of a list. BIS writes the last of some lists as "…; and X": X is the alias (kept as
// "and X", a request naming X would miss the party), and a lone "and" is none.
auto AliasPiece(std::string_view item, bool first) -> std::string_view {
  item = Trim(item);
  if (!first && item.starts_with("and ")) item = Trim(item.substr(4));
  if (!first && item == "and") return {};
  return item;
}

// A value and where it was written (empty range: not in the file).
struct Placed {
  std::string_view text;
  SourceRange range;
};

struct RawEntry {
  Placed source, name, start_date;
  std::string_view license_requirement, license_policy, federal_register_notice;
  std::vector<std::string_view> alt_names;
  std::vector<Placed> countries;
  SourceRange row;
};

class Importer {
 public:
  Importer(const SourceBuffer& file, DiagnosticEmitter& emitter) : file_(file), emitter_(emitter) {}

  auto Run() -> std::optional<CslImport>;

 private:
  auto ReadCsvLayout() -> bool;
  auto ReadJsonLayout() -> bool;
  auto ReadJsonEntry(simdjson::ondemand::object entry, const char* base) -> simdjson::error_code;
  void Accept(RawEntry& raw);
  auto Error(SourceRange range, std::string message) -> DiagnosticBuilder;
  void Warn(SourceRange range, std::string message, std::string help);
  auto At(SourceRange range) -> Location {
    if (range.empty() && range.begin == 0) return Location{&file_, std::nullopt};
    return Location{&file_, range};
  }
  // A country as an address gives it: a code (`CN`) or an English short name (`China`).
  static auto CountryOf(std::string_view text) -> std::optional<CountryIndex>;

  const SourceBuffer& file_;
  DiagnosticEmitter& emitter_;
  CslImport import_;
  int errors_ = 0;
  int dropped_errors_ = 0;
  std::unordered_map<std::string, size_t> source_index_;
  std::unordered_set<std::string> unknown_keys_;
  std::array<bool, kCslListCount> undated_reported_{};
  // Strings that JSON unescaping produced for the entry being read (a deque: views of them
  // must stay put while it grows); Accept copies what it keeps.
  std::deque<std::string> scratch_;
};

auto Importer::Error(SourceRange range, std::string message) -> DiagnosticBuilder {
  ++errors_;
  return emitter_.Error(DiagnosticKind::BadScreeningList, At(range), std::move(message));
}

void Importer::Warn(SourceRange range, std::string message, std::string help) {
  emitter_.Warning(DiagnosticKind::BadScreeningList, At(range), std::move(message))
      .Help(std::move(help));
}

auto Importer::CountryOf(std::string_view text) -> std::optional<CountryIndex> {
  if (std::optional<CountryIndex> code = LookupCountry(text)) return code;
  return LookupCountryName(text);
}

auto Importer::Run() -> std::optional<CslImport> {
  if (file_.oversize()) {
    Error({}, fmt::format("the file is {} bytes; an import reads at most {} MiB", *file_.oversize(),
                          kMaxCslBytes >> 20));
    return std::nullopt;
  }
  std::string_view text = file_.text();
  size_t first = 0;
  if (text.starts_with("\xEF\xBB\xBF")) first = 3;
  while (first < text.size() && (text[first] == ' ' || text[first] == '\n' || text[first] == '\r' ||
                                 text[first] == '\t')) {
    ++first;
  }
  if (first == text.size()) {
    Error({}, "the file is empty").Help("download the Consolidated Screening List as CSV or JSON");
    return std::nullopt;
  }
  bool read = text[first] == '{' || text[first] == '[' ? ReadJsonLayout() : ReadCsvLayout();
  if (dropped_errors_ > 0) {
    emitter_.Error(DiagnosticKind::TooManyErrors, At({}),
                   fmt::format("{} more errors in this file are not shown", dropped_errors_));
  }
  if (!read || errors_ > 0) return std::nullopt;
  return std::move(import_);
}

auto Importer::ReadCsvLayout() -> bool {
  std::optional<CsvTable> table = ReadCsv(file_, emitter_);
  if (!table) return false;
  std::array<int, kColumnCount> index;
  index.fill(-1);
  const std::span<const CsvField> header = table->header.fields;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view name = header[i].value;
    auto read = std::find(kReadColumns.begin(), kReadColumns.end(), name);
    if (read != kReadColumns.end()) index[read - kReadColumns.begin()] = static_cast<int>(i);
    if (std::find(kKnownColumns.begin(), kKnownColumns.end(), name) == kKnownColumns.end()) {
      Warn(header[i].range,
           fmt::format("column `{}` is not a column of the Consolidated Screening List; it is "
                       "not read",
                       name),
           "if the official export has gained this column, what it holds is not imported: "
           "check its documentation before relying on the import");
    }
  }
  for (int c = 0; c < kColumnCount; ++c) {
    if (index[c] >= 0) continue;
    Error(header.empty() ? table->header.range : header[0].range,
          fmt::format("the header has no column `{}`, which an import needs", kReadColumns[c]))
        .Help(fmt::format("the Consolidated Screening List's CSV names its columns in the first "
                          "line, among them {}",
                          fmt::join(kReadColumns, ", ")));
  }
  if (errors_ > 0) return false;

  for (const CsvRow& row : table->rows) {
    auto cell = [&](Column c) -> const CsvField& { return row.fields[index[c]]; };
    auto placed = [&](Column c) { return Placed{Trim(cell(c).value), cell(c).range}; };
    RawEntry raw;
    raw.row = row.range;
    raw.source = placed(kSource);
    raw.name = placed(kName);
    raw.start_date = placed(kStartDate);
    raw.license_requirement = Trim(cell(kLicenseRequirement).value);
    raw.license_policy = Trim(cell(kLicensePolicy).value);
    raw.federal_register_notice = Trim(cell(kFederalRegisterNotice).value);
    // Multi-valued cells join their values with "; ".
    std::string_view alt = cell(kAltNames).value;
    for (size_t start = 0; start <= alt.size();) {
      size_t end = std::min(alt.find(';', start), alt.size());
      std::string_view item = AliasPiece(alt.substr(start, end - start), start == 0);
      if (!item.empty()) raw.alt_names.push_back(item);
      start = end + 1;
    }
    // An address is "street, city, state, postal code, country": the country is its last part.
    const CsvField& addresses = cell(kAddresses);
    std::string_view all = addresses.value;
    // Offsets into the file hold only when the cell had no `""` (its value is then a view of it).
    bool in_file = all.data() >= file_.text().data() &&
                   all.data() + all.size() <= file_.text().data() + file_.text().size();
    for (size_t start = 0; start <= all.size();) {
      size_t end = std::min(all.find(';', start), all.size());
      std::string_view address = all.substr(start, end - start);
      size_t comma = address.rfind(',');
      std::string_view country =
          Trim(comma == std::string_view::npos ? address : address.substr(comma + 1));
      if (!country.empty()) {
        SourceRange range = addresses.range;
        if (in_file) {
          size_t at = static_cast<size_t>(country.data() - file_.text().data());
          range = Range(at, at + country.size());
        }
        raw.countries.push_back({country, range});
      }
      start = end + 1;
    }
    Accept(raw);
  }
  return true;
}

auto Importer::ReadJsonLayout() -> bool {
  namespace od = simdjson::ondemand;
  simdjson::padded_string json(file_.text());
  od::parser parser;
  od::document doc;
  const char* base = json.data();
  auto fail = [&](simdjson::error_code code, const char* where) {
    SourceRange range{};
    if (where != nullptr && where >= base && where <= base + json.size()) {
      size_t at = static_cast<size_t>(where - base);
      range = Range(at, std::min(at + 1, json.size()));
    } else {
      const char* location = nullptr;
      if (doc.current_location().get(location) == simdjson::SUCCESS && location >= base &&
          location <= base + json.size()) {
        size_t at = static_cast<size_t>(location - base);
        range = Range(at, std::min(at + 1, json.size()));
      }
    }
    Error(range, fmt::format("the JSON is not valid here: {}", simdjson::error_message(code)))
        .Help(
            "the Consolidated Screening List's JSON is one object with an array `results` of "
            "entries; download the file again if it was cut off");
    return false;
  };
  if (auto error = parser.iterate(json).get(doc)) return fail(error, nullptr);

  od::array results;
  auto read_results = [&] {
    for (auto element : results) {
      od::object entry;
      if (auto error = element.get_object().get(entry)) return fail(error, nullptr);
      if (auto error = ReadJsonEntry(entry, base)) return fail(error, nullptr);
    }
    return true;
  };
  od::json_type type;
  if (auto error = doc.type().get(type)) return fail(error, nullptr);
  if (type == od::json_type::array) {
    if (auto error = doc.get_array().get(results)) return fail(error, nullptr);
    return read_results();
  }
  od::object top;
  if (auto error = doc.get_object().get(top)) return fail(error, nullptr);
  bool found = false;
  for (auto field : top) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return fail(error, nullptr);
    if (key != "results") continue;  // total, sources_used, search metadata
    found = true;
    if (auto error = field.value().get_array().get(results)) return fail(error, nullptr);
    if (!read_results()) return false;
  }
  if (!found) {
    Error({}, "the JSON has no array `results`")
        .Help(
            "the Consolidated Screening List's JSON is one object with an array `results` of "
            "entries (or the array itself)");
    return false;
  }
  return true;
}

auto Importer::ReadJsonEntry(simdjson::ondemand::object entry, const char* base)
    -> simdjson::error_code {
  namespace od = simdjson::ondemand;
  RawEntry raw;
  scratch_.clear();
  auto range_of = [&](std::string_view token) {
    size_t at = static_cast<size_t>(token.data() - base);
    return Range(at, at + token.size());
  };
  // A string or null (""), placed where its token is.
  auto text = [&](od::value value, Placed& out) -> simdjson::error_code {
    std::string_view token = Trim(value.raw_json_token());
    out.range = range_of(token);
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      out.text = {};
      return simdjson::SUCCESS;
    }
    std::string_view s;
    if (auto error = value.get_string().get(s)) return error;
    out.text = Trim(scratch_.emplace_back(s));
    return simdjson::SUCCESS;
  };
  const char* start = nullptr;
  for (auto field : entry) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value value;
    if (auto error = field.value().get(value)) return error;
    if (start == nullptr) start = value.raw_json_token().data();
    Placed p;
    if (key == "source") {
      if (auto error = text(value, raw.source)) return error;
    } else if (key == "name") {
      if (auto error = text(value, raw.name)) return error;
    } else if (key == "start_date") {
      if (auto error = text(value, raw.start_date)) return error;
    } else if (key == "license_requirement" || key == "license_policy" ||
               key == "federal_register_notice") {
      if (auto error = text(value, p)) return error;
      (key == "license_requirement" ? raw.license_requirement
       : key == "license_policy"    ? raw.license_policy
                                    : raw.federal_register_notice) = p.text;
    } else if (key == "alt_names") {
      bool is_null = false;
      if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      od::array names;
      if (auto error = value.get_array().get(names)) return error;
      bool first = true;
      for (auto name : names) {
        od::value v;
        if (auto error = name.get(v)) return error;
        if (auto error = text(v, p)) return error;
        if (std::string_view item = AliasPiece(p.text, first); !item.empty()) {
          raw.alt_names.push_back(item);
        }
        first = false;
      }
    } else if (key == "addresses") {
      bool is_null = false;
      if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      od::array addresses;
      if (auto error = value.get_array().get(addresses)) return error;
      for (auto address : addresses) {
        od::object object;
        if (auto error = address.get_object().get(object)) return error;
        for (auto part : object) {
          std::string_view part_key;
          if (auto error = part.unescaped_key().get(part_key)) return error;
          if (part_key == "country") {
            od::value v;
            if (auto error = part.value().get(v)) return error;
            if (auto error = text(v, p)) return error;
            if (!p.text.empty()) raw.countries.push_back(p);
          } else if (std::find(kAddressFields.begin(), kAddressFields.end(), part_key) ==
                         kAddressFields.end() &&
                     unknown_keys_.insert(fmt::format("addresses.{}", part_key)).second) {
            od::value v;
            if (auto error = part.value().get(v)) return error;
            Warn(range_of(Trim(v.raw_json_token())),
                 fmt::format("address field `{}` is not a field of the Consolidated Screening "
                             "List; it is not read",
                             part_key),
                 fmt::format("an address has the fields {}", fmt::join(kAddressFields, ", ")));
          }
        }
      }
    } else if (std::find(kKnownColumns.begin(), kKnownColumns.end(), key) == kKnownColumns.end() &&
               unknown_keys_.insert(std::string(key)).second) {
      Warn(range_of(Trim(value.raw_json_token())),
           fmt::format("field `{}` is not a field of the Consolidated Screening List; it is "
                       "not read",
                       key),
           "if the official export has gained this field, what it holds is not imported: "
           "check its documentation before relying on the import");
    }
  }
  // The entry is placed at its `{`, found back from its first value.
  if (start != nullptr) {
    while (start > base && *start != '{') --start;
    size_t at = static_cast<size_t>(start - base);
    raw.row = Range(at, at + 1);
  }
  Accept(raw);
  return simdjson::SUCCESS;
}

void Importer::Accept(RawEntry& raw) {
  ++import_.rows;
  const CslListInfo* kept = nullptr;
  for (const CslListInfo& info : kKeptLists) {
    if (raw.source.text == info.source) kept = &info;
  }
  bool other =
      std::find(kOtherSources.begin(), kOtherSources.end(), raw.source.text) != kOtherSources.end();
  auto [it, first] =
      source_index_.try_emplace(std::string(raw.source.text), import_.sources.size());
  if (first) {
    import_.sources.push_back({.source = std::string(raw.source.text),
                               .kept = kept != nullptr,
                               .unknown = kept == nullptr && !other});
    if (kept == nullptr && !other) {
      Warn(raw.source.range.empty() ? raw.row : raw.source.range,
           raw.source.text.empty()
               ? std::string("an entry names no source list; entries without one are not imported")
               : fmt::format("source `{}` is not one of the Consolidated Screening List's lists; "
                             "its entries are not imported",
                             raw.source.text),
           fmt::format("the lists imported are {}, {} and {}; the CSL's other ten lists are "
                       "counted and left out",
                       kKeptLists[0].source, kKeptLists[1].source, kKeptLists[2].source));
    }
  }
  ++import_.sources[it->second].rows;
  if (kept == nullptr) return;

  if (errors_ >= kMaxErrors) {
    ++dropped_errors_;
    return;
  }
  CslEntry entry{.list = kept->list};
  entry.line = file_.LineOf(raw.row.begin);
  bool ok = true;
  if (raw.name.text.empty()) {
    Error(raw.name.range.empty() ? raw.row : raw.name.range,
          fmt::format("an entry of the {} has no name", kept->code))
        .Help("a party is screened by its name: the entry cannot be imported without one");
    ok = false;
  }
  std::optional<DayNumber> day;
  if (raw.start_date.text.empty()) {
    // The Unverified List's entries carry no dates: said once per list, not per entry.
    if (!undated_reported_[static_cast<size_t>(kept->list)]) {
      undated_reported_[static_cast<size_t>(kept->list)] = true;
      Warn(raw.start_date.range.empty() ? raw.row : raw.start_date.range,
           fmt::format("entry `{}` of the {} has no start date, and may not be the only one: "
                       "such entries count as listed on every date",
                       raw.name.text, kept->code),
           "a policy judging a past date cannot tell when an undated entry was listed, so it "
           "treats the entry as listed then too (the stricter answer); the summary counts them");
    }
  } else if (day = ParseDate(raw.start_date.text); !day) {
    Error(raw.start_date.range,
          fmt::format("`{}` is not a date (entry `{}`)", raw.start_date.text, raw.name.text))
        .Help("the CSL writes dates YYYY-MM-DD, e.g. `2019-10-09`, and they must exist");
    ok = false;
  }
  if (!ok) return;
  entry.name = std::string(raw.name.text);
  entry.start_date = day;
  if (!day) ++import_.undated[static_cast<size_t>(kept->list)];
  for (std::string_view alt : raw.alt_names) entry.alt_names.emplace_back(alt);
  for (const Placed& country : raw.countries) {
    std::optional<CountryIndex> index = CountryOf(country.text);
    if (!index) {
      std::string help = CountryHelp(country.text);
      Warn(country.range,
           fmt::format("`{}` is not an ISO 3166-1 country code or name; entry `{}` keeps its "
                       "other countries",
                       country.text, entry.name),
           help.empty() ? "an address's country is an ISO 3166-1 alpha-2 code such as `CN`" : help);
      continue;
    }
    std::string code = CountryCode(*index);
    if (std::find(entry.countries.begin(), entry.countries.end(), code) == entry.countries.end()) {
      entry.countries.push_back(std::move(code));
    }
  }
  entry.license_requirement = std::string(raw.license_requirement);
  entry.license_policy = std::string(raw.license_policy);
  entry.federal_register_notice = std::string(raw.federal_register_notice);
  import_.entries.push_back(std::move(entry));
}

// One CSV cell, quoted when it must be (RFC 4180).
void AppendCell(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Values joined with `separator`, each once, in order of appearance.
void AddOnce(std::vector<std::string>& values, std::string_view value) {
  if (!value.empty() && std::find(values.begin(), values.end(), value) == values.end()) {
    values.emplace_back(value);
  }
}

}  // namespace

auto CslListInfoOf(CslList list) -> const CslListInfo& {
  return kKeptLists[static_cast<size_t>(list)];
}

auto ImportCsl(const SourceBuffer& file, DiagnosticEmitter& emitter) -> std::optional<CslImport> {
  return Importer(file, emitter).Run();
}

auto WriteCslTable(const CslImport& import, CslList list, size_t* parties) -> std::string {
  struct Party {
    const CslEntry* first;
    std::vector<std::string> aliases, countries, requirements, policies, notices;
    std::optional<DayNumber> start;
  };
  std::vector<Party> rows;
  std::unordered_map<std::string, size_t> by_name;
  std::string plain, normal;
  for (const CslEntry& entry : import.entries) {
    if (entry.list != list) continue;
    std::string key(NormalizeName(PlainUnicode(entry.name, plain), normal));
    auto [it, fresh] = by_name.try_emplace(key, rows.size());
    if (fresh) rows.push_back({.first = &entry, .start = entry.start_date});
    Party& party = rows[it->second];
    if (!fresh) {
      if (entry.name != party.first->name) AddOnce(party.aliases, entry.name);
      // An undated entry makes the party undated: listed on every date, the stricter reading.
      if (!party.start || !entry.start_date) {
        party.start = std::nullopt;
      } else {
        party.start = std::min(*party.start, *entry.start_date);
      }
    }
    // `;` separates a set's values in the table, so it cannot be inside one.
    for (const std::string& alt : entry.alt_names) {
      std::string clean = alt;
      std::replace(clean.begin(), clean.end(), ';', ',');
      if (clean != party.first->name) AddOnce(party.aliases, clean);
    }
    for (const std::string& country : entry.countries) AddOnce(party.countries, country);
    AddOnce(party.requirements, entry.license_requirement);
    AddOnce(party.policies, entry.license_policy);
    AddOnce(party.notices, entry.federal_register_notice);
  }
  std::string out =
      "name,aliases,country,countries,list,license_requirement,license_policy,"
      "federal_register_citation,date_added\n";
  out.reserve(rows.size() * 256);
  auto join = [](const std::vector<std::string>& values, std::string_view separator) {
    return fmt::format("{}", fmt::join(values, separator));
  };
  for (const Party& party : rows) {
    AppendCell(out, party.first->name);
    out += ',';
    AppendCell(out, join(party.aliases, ";"));
    out += ',';
    if (!party.countries.empty()) out += party.countries.front();
    out += ',';
    out += join(party.countries, ";");
    out += ',';
    out += CslListInfoOf(list).list_value;
    out += ',';
    AppendCell(out, join(party.requirements, " | "));
    out += ',';
    AppendCell(out, join(party.policies, " | "));
    out += ',';
    AppendCell(out, join(party.notices, "; "));
    out += ',';
    if (party.start) out += FormatDate(*party.start);
    out += '\n';
  }
  if (parties != nullptr) *parties = rows.size();
  return out;
}

}  // namespace cordon::tables
