// SPDX-License-Identifier: Apache-2.0
// The EAR stdlib policy by hand. Each block below names the module and rule it mirrors; the
// constants are copied from the rule files, with the line that states them.
#include "bench/ear_handwritten.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>

#include "runtime/base/names.h"

namespace cordon::ear_bench {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fputs(("ear_handwritten: " + message + "\n").c_str(), stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// ear.country_groups: a fixed set of countries as 676 bits, built at compile time.

struct Countries {
  std::array<uint64_t, 11> words{};
  constexpr Countries(std::initializer_list<Country> members) {
    for (Country c : members) words[c / 64] |= uint64_t{1} << (c % 64);
  }
  constexpr auto Has(Country c) const -> bool { return (words[c / 64] >> (c % 64)) & 1; }
};

// "Stable members (2019 on)", country_groups.cordon lines 57-83.
constexpr Countries kA5Stable = {
    CC("AR"), CC("AT"), CC("AU"), CC("BE"), CC("BG"), CC("CA"), CC("CH"), CC("CZ"),
    CC("DE"), CC("DK"), CC("EE"), CC("ES"), CC("FI"), CC("FR"), CC("GB"), CC("GR"),
    CC("HR"), CC("HU"), CC("IE"), CC("IN"), CC("IS"), CC("IT"), CC("JP"), CC("KR"),
    CC("LT"), CC("LU"), CC("LV"), CC("NL"), CC("NO"), CC("NZ"), CC("PL"), CC("PT"),
    CC("RO"), CC("SE"), CC("SI"), CC("SK"), CC("TR")};
constexpr Countries kA6Stable = {CC("AL"), CC("IL"), CC("MT"), CC("SG"), CC("TW"), CC("ZA")};
constexpr Countries kD1Stable = {CC("AM"), CC("AZ"), CC("BY"), CC("CN"), CC("GE"), CC("IQ"),
                                 CC("KG"), CC("KH"), CC("KP"), CC("KZ"), CC("LA"), CC("LY"),
                                 CC("MD"), CC("MM"), CC("MN"), CC("MO"), CC("RU"), CC("TJ"),
                                 CC("TM"), CC("UZ"), CC("VE"), CC("VN"), CC("YE")};
constexpr Countries kD4Stable = {CC("BH"), CC("BY"), CC("CN"), CC("EG"), CC("IL"), CC("IQ"),
                                 CC("IR"), CC("JO"), CC("KP"), CC("KW"), CC("LB"), CC("LY"),
                                 CC("MO"), CC("OM"), CC("PK"), CC("QA"), CC("RU"), CC("SA"),
                                 CC("SY"), CC("VE"), CC("YE")};
constexpr Countries kD5Stable = {CC("AF"), CC("BY"), CC("CD"), CC("CF"), CC("CN"), CC("CU"),
                                 CC("ER"), CC("HT"), CC("IQ"), CC("IR"), CC("KP"), CC("LB"),
                                 CC("LY"), CC("MM"), CC("RU"), CC("SD"), CC("SO"), CC("SS"),
                                 CC("SY"), CC("VE"), CC("ZW")};
constexpr Countries kE1 = {CC("IR"), CC("KP"), CC("SY")};
constexpr Countries kE2 = {CC("CU")};

// The dated changes, country_groups.cordon lines 30-52.
constexpr int32_t kHongKongAsChina = Day(2020, 12, 23);
constexpr int32_t kA6Additions2020 = Day(2020, 12, 28);  // CY, MX into A:6; UA out of D:1/3/4
constexpr int32_t kCambodiaIntoD5 = Day(2021, 12, 9);
constexpr int32_t kCambodiaOutOfD5 = Day(2026, 2, 3);
constexpr int32_t kNicaraguaIntoD1D5 = Day(2024, 3, 15);
constexpr int32_t kCyprusOutOfD5 = Day(2023, 10, 1);
constexpr int32_t kUae = Day(2026, 7, 10);  // AE out of D:3/D:4, into A:5 (uae_favorable_treatment)

// Membership on a day (in_A5 … in_E2). D:2 and D:3 are read by no rule.
auto InA5(Country c, int32_t day) -> bool {
  return kA5Stable.Has(c) || (c == CC("AE") && day >= kUae);
}
auto InA6(Country c, int32_t day) -> bool {
  return kA6Stable.Has(c) || ((c == CC("CY") || c == CC("MX")) && day >= kA6Additions2020);
}
auto InD1(Country c, int32_t day) -> bool {
  return kD1Stable.Has(c) || (c == CC("HK") && day >= kHongKongAsChina) ||
         (c == CC("NI") && day >= kNicaraguaIntoD1D5) || (c == CC("UA") && day < kA6Additions2020);
}
auto InD4(Country c, int32_t day) -> bool {
  return kD4Stable.Has(c) || (c == CC("AE") && day < kUae) ||
         (c == CC("HK") && day >= kHongKongAsChina) || (c == CC("UA") && day < kA6Additions2020);
}
auto InD5(Country c, int32_t day) -> bool {
  return kD5Stable.Has(c) || (c == CC("HK") && day >= kHongKongAsChina) ||
         (c == CC("KH") && day >= kCambodiaIntoD5 && day < kCambodiaOutOfD5) ||
         (c == CC("NI") && day >= kNicaraguaIntoD1D5) || (c == CC("CY") && day < kCyprusOutOfD5);
}
auto InE1OrE2(Country c, int32_t) -> bool { return kE1.Has(c) || kE2.Has(c); }

// ear.embargoes `embargoed`: Syria's controls relaxed from 2025-09-02 (90 FR 42315).
constexpr int32_t kSyriaRelaxed = Day(2025, 9, 2);
auto Embargoed(Country c, int32_t day) -> bool {
  return InE1OrE2(c, day) && !(c == CC("SY") && day >= kSyriaRelaxed);
}

// ear.end_users `meu_destinations`: the 744.21(a) destinations, each from its day.
auto MeuDestination(Country c, int32_t day) -> bool {
  if (c == CC("CN") || c == CC("RU") || c == CC("VE")) return day >= Day(2020, 6, 29);
  if (c == CC("MM")) return day >= Day(2021, 3, 8);
  if (c == CC("KH")) return day >= Day(2021, 12, 9);
  if (c == CC("BY")) return day >= Day(2022, 3, 2);
  if (c == CC("NI")) return day >= Day(2024, 3, 15);
  return false;
}

// ---------------------------------------------------------------------------------------------
// ear.scope

constexpr int32_t kMacauInto2022Rules = Day(2023, 1, 18);  // scope.cordon line 20

auto PrcOrMacau2022(Country c, int32_t day) -> bool {
  return c == CC("CN") || c == CC("HK") || (c == CC("MO") && day >= kMacauInto2022Rules);
}
auto D5OrMacau(Country c, int32_t day) -> bool { return InD5(c, day) || c == CC("MO"); }
auto AcScope2023(Country c, int32_t day) -> bool {
  return (InD1(c, day) || InD4(c, day) || InD5(c, day)) && !InA5(c, day) && !InA6(c, day);
}

// ---------------------------------------------------------------------------------------------
// Rule dates (`effective` / `until` of each rule)

constexpr int32_t kCoverageStart = Day(2019, 1, 1);  // before_coverage: until 2019-01-01
// ear.policy: `reviewed last_review grace days(30)`, last_review = 2026-12-07. A later day is
// decided as of the review date; more than 30 days later, the decision is also `error`.
constexpr int32_t kReviewed = Day(2026, 12, 7);
constexpr int32_t kReviewGraceDays = 30;
// ear.end_users: the Affiliates Rule, in force from 2025-09-29, suspended 2025-11-10 to
// 2026-11-09, applying again from 2026-11-10.
constexpr int32_t kAffiliates = Day(2025, 9, 29);
constexpr int32_t kAffiliatesSuspended = Day(2025, 11, 10);
constexpr int32_t kAffiliatesResumed = Day(2026, 11, 10);
constexpr int32_t kRussia = Day(2022, 2, 24);       // russia_sanctions
constexpr int32_t kBelarus = Day(2022, 3, 2);       // belarus_sanctions
constexpr int32_t kMeuList = Day(2020, 12, 23);     // military_end_user_party
constexpr int32_t kIsInformed = Day(2025, 4, 9);    // is_informed_letter
constexpr int32_t kGp10 = Day(2025, 5, 13);         // gp10_huawei_ascend
constexpr int32_t kAc2022 = Day(2022, 10, 7);       // *_2022: effective 2022-10-07
constexpr int32_t kAc2023 = Day(2023, 11, 17);      // *_2022 until, *_2023 and HQ effective
constexpr int32_t kAca = Day(2024, 4, 4);           // ac_destination_2023 until, _aca effective
constexpr int32_t kAiDiffusion = Day(2025, 1, 13);  // ai_diffusion_not_applied
constexpr int32_t kIaasCaution = Day(2025, 5, 13);  // iaas_ai_training_caution

// ---------------------------------------------------------------------------------------------
// ear.classification thresholds, in thousandths. Densities p/q are compared as
// tpp * q >= p * area, exactly: 5.92 = 148/25, 3.2 = 16/5, 1.6 = 8/5.

constexpr int64_t kTpp1600 = 1600 * kMilli;
constexpr int64_t kTpp2400 = 2400 * kMilli;
constexpr int64_t kTpp4800 = 4800 * kMilli;
constexpr int64_t kIo600 = 600 * kMilli;  // GB/s, the 2022 version only

// ear.entity_list: the SMIC entries reviewed case-by-case, published names (lines 63-75).
constexpr std::array<std::string_view, 11> kCaseByCase = {
    "Semiconductor Manufacturing International Corporation",
    "Semiconductor Manufacturing International (Beijing) Corporation",
    "Semiconductor Manufacturing International (Tianjin) Corporation",
    "Semiconductor Manufacturing International (Shenzhen) Corporation",
    "SMIC Semiconductor Manufacturing (Shanghai) Co., Ltd.",
    "SMIC Holdings Limited",
    "Semiconductor Manufacturing South China Corporation",
    "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.",
    "SMIC Hong Kong International Company Limited",
    "SJ Semiconductor",
    "Ningbo Semiconductor International Corporation"};

// Column index by header name, or abort.
auto Column(const std::vector<std::string>& header, std::string_view name) -> size_t {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) Die(fmt::format("a table has no column `{}`", name));
  return static_cast<size_t>(it - header.begin());
}

// A normalised key -> date table (is_informed, gp10_items, the Unverified List).
template <typename Map, typename Near = std::nullptr_t>
void LoadDated(std::string_view csv, std::string_view key_column, std::string_view date_column,
               bool with_aliases, Map& out, Near near = nullptr,
               std::vector<int32_t>* dates = nullptr) {
  std::vector<std::vector<std::string>> rows = ParseCsv(csv);
  if (rows.empty()) Die("an empty table");
  size_t key = Column(rows[0], key_column);
  size_t date = Column(rows[0], date_column);
  size_t aliases = with_aliases ? Column(rows[0], "aliases") : 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    // An empty date (the official Unverified List gives none) counts on every day.
    std::optional<int32_t> day = rows[i].at(date).empty()
                                     ? std::optional<int32_t>(std::numeric_limits<int32_t>::min())
                                     : ParseDay(rows[i][date]);
    if (!day) Die(fmt::format("`{}` is not a date", rows[i][date]));
    out.try_emplace(NormalizeName(rows[i].at(key)), *day);
    if constexpr (!std::is_same_v<Near, std::nullptr_t>) {
      near->Add(NormalizeName(rows[i].at(key)), static_cast<uint32_t>(dates->size()));
    }
    if (with_aliases) {
      for (const std::string& alias : SplitAliases(rows[i].at(aliases))) {
        out.try_emplace(NormalizeName(alias), *day);
        if constexpr (!std::is_same_v<Near, std::nullptr_t>) {
          near->Add(NormalizeName(alias), static_cast<uint32_t>(dates->size()));
        }
      }
    }
    if constexpr (!std::is_same_v<Near, std::nullptr_t>) dates->push_back(*day);
  }
}

}  // namespace

auto FormatDay(int32_t day) -> std::string {
  // H. Hinnant's civil_from_days.
  int z = day + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

auto ParseDay(std::string_view text) -> std::optional<int32_t> {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](size_t from, size_t n) -> int {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return std::nullopt;
  int32_t day = Day(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  if (FormatDay(day) != text) return std::nullopt;  // 2023-02-30 and the like
  return day;
}

auto ParseCountry(std::string_view code) -> Country {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
    return kNoCountry;
  }
  return static_cast<Country>((code[0] - 'A') * 26 + (code[1] - 'A'));
}

auto ParseCsv(std::string_view text) -> std::vector<std::vector<std::string>> {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;
  bool any = false;  // the current line has content
  auto end_row = [&] {
    if (any) {
      row.push_back(std::move(field));
      rows.push_back(std::move(row));
    }
    row.clear();
    field.clear();
    any = false;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && field.empty()) {
      any = true;
      for (++i; i < text.size(); ++i) {
        if (text[i] != '"') {
          field.push_back(text[i]);
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          break;
        }
      }
      ++i;  // the closing quote
    } else if (c == ',') {
      any = true;
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\n' || c == '\r') {
      end_row();
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
    } else {
      any = true;
      field.push_back(c);
      ++i;
    }
  }
  end_row();
  return rows;
}

auto SplitAliases(std::string_view cell) -> std::vector<std::string> {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= cell.size()) {
    size_t end = cell.find(';', start);
    if (end == std::string_view::npos) end = cell.size();
    std::string_view item = cell.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

auto RuleIds::Names() -> std::vector<std::string_view> {
  return {"before_coverage",
          "comprehensive_embargo",
          "russia_sanctions",
          "belarus_sanctions",
          "syria_relaxed_controls",
          "entity_list_party",
          "unverified_list_party",
          "affiliates_owned",
          "affiliates_owned_resumed",
          "affiliates_ownership_unknown",
          "affiliates_ownership_unknown_resumed",
          "military_end_user_party",
          "entity_list_near_miss",
          "unverified_list_near_miss",
          "military_end_user_near_miss",
          "is_informed_letter",
          "gp10_huawei_ascend",
          "ac_destination_2022",
          "ac_destination_2023",
          "ac_destination_2023_aca",
          "ac_headquarters",
          "ai_diffusion_not_applied",
          "ac_uae_2026",
          "supercomputer_end_use_2022",
          "supercomputer_end_use_2023",
          "advanced_node_end_use_2022",
          "advanced_node_end_use_2023",
          "iaas_not_an_export",
          "iaas_ai_training_caution"};
}

auto RuleIds::Resolve(const std::function<std::optional<uint32_t>(std::string_view)>& lookup,
                      std::vector<std::string>& missing) -> RuleIds {
  RuleIds ids{};
  uint8_t* fields[] = {&ids.before_coverage,
                       &ids.comprehensive_embargo,
                       &ids.russia_sanctions,
                       &ids.belarus_sanctions,
                       &ids.syria_relaxed_controls,
                       &ids.entity_list_party,
                       &ids.unverified_list_party,
                       &ids.affiliates_owned,
                       &ids.affiliates_owned_resumed,
                       &ids.affiliates_ownership_unknown,
                       &ids.affiliates_ownership_unknown_resumed,
                       &ids.military_end_user_party,
                       &ids.entity_list_near_miss,
                       &ids.unverified_list_near_miss,
                       &ids.military_end_user_near_miss,
                       &ids.is_informed_letter,
                       &ids.gp10_huawei_ascend,
                       &ids.ac_destination_2022,
                       &ids.ac_destination_2023,
                       &ids.ac_destination_2023_aca,
                       &ids.ac_headquarters,
                       &ids.ai_diffusion_not_applied,
                       &ids.ac_uae_2026,
                       &ids.supercomputer_end_use_2022,
                       &ids.supercomputer_end_use_2023,
                       &ids.advanced_node_end_use_2022,
                       &ids.advanced_node_end_use_2023,
                       &ids.iaas_not_an_export,
                       &ids.iaas_ai_training_caution};
  std::vector<std::string_view> names = Names();
  static_assert(sizeof(fields) / sizeof(fields[0]) == 29);
  for (size_t i = 0; i < names.size(); ++i) {
    std::optional<uint32_t> id = lookup(names[i]);
    if (!id || *id >= kMaxRules) {
      missing.emplace_back(names[i]);
      continue;
    }
    *fields[i] = static_cast<uint8_t>(*id);
  }
  return ids;
}

HandPolicy::HandPolicy(const RuleIds& ids, std::string_view entities_csv,
                       std::string_view unverified_csv, std::string_view meu_csv,
                       std::string_view is_informed_csv, std::string_view gp10_csv)
    : ids_(ids) {
  std::vector<std::vector<std::string>> rows = ParseCsv(entities_csv);
  if (rows.empty()) Die("the entity list has no header");
  size_t name = Column(rows[0], "name");
  size_t aliases = Column(rows[0], "aliases");
  size_t list = Column(rows[0], "list");
  size_t date = Column(rows[0], "date_added");
  entities_.reserve(rows.size());
  entity_index_.reserve(rows.size() * 3);
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& row = rows[i];
    std::optional<int32_t> added = row.at(date).empty()
                                       ? std::optional<int32_t>(std::numeric_limits<int32_t>::min())
                                       : ParseDay(row[date]);
    if (!added) Die(fmt::format("entity list row {}: `{}` is not a date", i, row.at(date)));
    const std::string& l = row.at(list);
    if (l != "entity_list" && l != "dod_1260h" && l != "ofac_ns_cmic") {
      Die(fmt::format("entity list row {}: unknown list `{}`", i, l));
    }
    bool smic =
        std::find(kCaseByCase.begin(), kCaseByCase.end(), row.at(name)) != kCaseByCase.end();
    auto index = static_cast<uint32_t>(entities_.size());
    entities_.push_back(Listing{l == "entity_list", smic, *added});
    entity_index_.try_emplace(NormalizeName(row[name]), index);
    entity_near_.Add(NormalizeName(row[name]), index);
    for (const std::string& alias : SplitAliases(row.at(aliases))) {
      entity_index_.try_emplace(NormalizeName(alias), index);
      entity_near_.Add(NormalizeName(alias), index);
    }
  }
  LoadDated(unverified_csv, "name", "date_added", /*with_aliases=*/true, unverified_,
            &unverified_near_, &unverified_dates_);
  LoadDated(meu_csv, "name", "date_added", /*with_aliases=*/true, meu_, &meu_near_, &meu_dates_);
  LoadDated(is_informed_csv, "item", "informed", /*with_aliases=*/false, is_informed_);
  LoadDated(gp10_csv, "item", "guidance_date", /*with_aliases=*/false, gp10_);
}

namespace {

// UTF-8 to code points; a byte that starts no valid sequence is one code point of its own.
void CodePoints(std::string_view text, std::u32string& out) {
  out.clear();
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    bool valid = len > 1 && i + len <= text.size();
    char32_t cp = c & (0x7f >> len);
    for (size_t k = 1; valid && k < len; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      cp = cp << 6 | (next & 0x3f);
    }
    out += valid ? cp : char32_t{c};
    i += valid ? len : 1;
  }
}

// The part of a key of `n` code points filed under `side` (0: its first half, 1: its end).
void Part(std::string& out, size_t n, char side, std::u32string_view cps) {
  out.assign(reinterpret_cast<const char*>(&n), sizeof n);
  out += side;
  out.append(reinterpret_cast<const char*>(cps.data()), cps.size() * sizeof(char32_t));
}

// Whether a and b are at most one edit apart (optimal string alignment).
auto OneEdit(std::u32string_view a, std::u32string_view b) -> bool {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return true;
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);
}

constexpr size_t kNearMin = 5;  // as ir::TableData::kNearMin
constexpr size_t kNearMax = 256;

}  // namespace

void HandPolicy::NearIndex::Add(std::string_view key, uint32_t row) {
  std::u32string cps;
  CodePoints(key, cps);
  size_t n = cps.size();
  if (n < kNearMin || n > kNearMax) return;
  auto index = static_cast<uint32_t>(keys_.size());
  std::u32string_view view(cps);
  Part(part_, n, 'P', view.substr(0, n / 2));
  parts_[part_].push_back(index);
  Part(part_, n, 'S', view.substr(n / 2 + 1));
  parts_[part_].push_back(index);
  keys_.emplace_back(std::move(cps), row);
}

auto HandPolicy::NearIndex::Find(std::string_view key) const -> int64_t {
  if (keys_.empty()) return -1;
  CodePoints(key, query_);  // into a buffer kept between decisions: no allocation
  size_t m = query_.size();
  if (m > kNearMax) return -1;
  std::u32string_view q(query_);
  int64_t best = -1;
  auto probe = [&] {
    auto it = parts_.find(std::string_view(part_));
    if (it == parts_.end()) return;
    for (uint32_t k : it->second) {
      const auto& [cps, row] = keys_[k];
      if ((best < 0 || row < best) && OneEdit(q, cps)) best = row;
    }
  };
  for (size_t n = std::max<size_t>(m, 1) - 1; n <= m + 1; ++n) {
    if (n < kNearMin || n > kNearMax) continue;
    size_t half = n / 2;
    size_t end = n - half - 1;
    if (m >= half) {
      Part(part_, n, 'P', q.substr(0, half));
      probe();
    }
    if (m >= end) {
      Part(part_, n, 'S', q.substr(m - end));
      probe();
    }
  }
  return best;
}

auto HandPolicy::Listed(std::string_view name, int32_t day, bool* case_by_case) const -> bool {
  auto it = entity_index_.find(NormalizeName(name, owner_scratch_));
  if (it == entity_index_.end()) return false;
  const Listing& e = entities_[it->second];
  if (!e.entity_list || e.date_added > day) return false;
  if (case_by_case != nullptr) *case_by_case = e.case_by_case;
  return true;
}

auto HandPolicy::Restricted(const HandOwner& o, int32_t day) const -> bool {
  if (Listed(o.name, day, nullptr)) return true;
  int64_t held = 0;
  for (const HandOwner& p : o.owners) {
    if (Restricted(p, day)) held += p.share_milli;
  }
  return held >= 50 * kMilli;
}

auto HandPolicy::Denial(const HandOwner& o, int32_t day) const -> bool {
  bool case_by_case = false;
  if (Listed(o.name, day, &case_by_case) && !case_by_case) return true;
  if (!Restricted(o, day)) return false;
  for (const HandOwner& p : o.owners) {
    if (Denial(p, day)) return true;
  }
  return false;
}

auto HandPolicy::OwnersValid(const std::vector<HandOwner>& owners) -> bool {
  int64_t total = 0;
  for (const HandOwner& o : owners) {
    if (o.name.empty() || o.share_milli < 0 || o.share_milli > 100 * kMilli) return false;
    if (!OwnersValid(o.owners)) return false;
    total += o.share_milli;
  }
  return total <= 100 * kMilli;
}

void HandPolicy::Decide(const EarRequest& r, HandDecision& out) const {
  using enum Outcome;
  const bool past_review = r.as_of > kReviewed && r.as_of - kReviewed > kReviewGraceDays;
  const int32_t day = std::min(r.as_of, kReviewed);
  uint64_t fired = 0;
  Outcome outcome = kNoLicenseRequired;  // the lowest outcome, when no rule fires
  auto fire = [&](uint8_t rule, Outcome o, uint8_t via = kThen) {
    fired |= uint64_t{1} << rule;
    out.unless[rule] = via;
    outcome = std::min(outcome, o);
  };
  uint8_t broken = 0;
  auto finish = [&] {
    out.outcome = outcome;
    out.broken = broken;
    out.fired = fired;
    out.past_review = past_review;
  };

  // ear.validity: impossible figures, `require`s in force on every day.
  const bool rental = r.kind == Kind::kIaasAccess;
  auto breaks = [&](Requirement k) { broken |= uint8_t(1u << k); };
  if (r.tpp_milli < 0) breaks(kTppNotNegative);
  if (r.has_die_area && r.die_area_milli <= 0) breaks(kDieAreaPositive);
  if (r.has_io && r.io_milli < 0) breaks(kTransferRateNotNegative);
  if (r.chips <= 0) breaks(kChipsAtLeastOne);
  if (rental && !r.has_rental_hours) breaks(kRentalGivesHours);
  if (rental && r.has_rental_hours && r.rental_hours_milli <= 0) breaks(kRentalHoursPositive);
  if (r.has_owners && !OwnersValid(r.owners)) breaks(kOwnershipValid);

  // ear.validity: coverage. Every other rule takes effect on 2019-01-01 or later, so before it
  // nothing else can fire.
  if (day < kCoverageStart) {
    fire(ids_.before_coverage, kLicenseRequired);
    return finish();
  }

  // ear.scope: the headquarters test of 744.23(a)(3), read by rentals and shipments alike.
  const bool hq = D5OrMacau(r.end_user_hq, day) ||
                  (r.end_user_parent_hq != kNoCountry && D5OrMacau(r.end_user_parent_hq, day));

  // The item's name, normalised at most once for both guidance tables, and only when a rule in
  // force reads it.
  std::string_view item;
  bool item_done = false;
  auto item_key = [&] {
    if (!item_done) {
      item = NormalizeName(r.item_name, item_scratch_);
      item_done = true;
    }
    return item;
  };

  // ear.guidance: gp10_huawei_ascend (rentals too: renting compute on the chip is using it).
  if (day >= kGp10) {
    auto it = gp10_.find(item_key());
    if (it != gp10_.end() && it->second <= day) fire(ids_.gp10_huawei_ascend, kProhibited);
  }

  // ear.remote_access: a rental moves no item, so no other rule reaches it.
  if (rental) {
    fire(ids_.iaas_not_an_export, kNoLicenseRequired);
    if (day >= kIaasCaution && r.end_use == EndUse::kTrainLargeAiModel &&
        (hq || D5OrMacau(r.end_user_country, day))) {
      fire(ids_.iaas_ai_training_caution, kNoLicenseRequired);
    }
    return finish();
  }

  // Everything below moves an item (ear.scope `moves_item`). The ultimate destination is the
  // destination country or the end user's own country.
  const Country dest = r.destination;
  const Country user = r.end_user_country;
  const bool reaches_d5_or_macau = D5OrMacau(dest, day) || D5OrMacau(user, day);

  // ear.embargoes
  if (Embargoed(dest, day) || Embargoed(user, day)) fire(ids_.comprehensive_embargo, kProhibited);
  if (day >= kSyriaRelaxed && (dest == CC("SY") || user == CC("SY"))) {
    fire(ids_.syria_relaxed_controls, kLicenseRequired);
  }
  if (day >= kRussia && (dest == CC("RU") || user == CC("RU"))) {
    fire(ids_.russia_sanctions, kLicenseRequired);
  }
  if (day >= kBelarus && (dest == CC("BY") || user == CC("BY"))) {
    fire(ids_.belarus_sanctions, kLicenseRequired);
  }

  // ear.end_users: one normalisation of the end user's name for both lists. The Entity List
  // row found must be of the Entity List itself and listed on the day.
  // A near miss is a row one edit away when no row has the name itself (a row that has it, but
  // is of another list or not yet listed, is no near miss either).
  std::string_view party = NormalizeName(r.end_user_name, party_scratch_);
  if (auto it = entity_index_.find(party); it != entity_index_.end()) {
    const Listing& e = entities_[it->second];
    if (e.entity_list && e.date_added <= day) {
      if (e.case_by_case) {
        fire(ids_.entity_list_party, kLicenseRequired, 0);
      } else {
        fire(ids_.entity_list_party, kProhibited);
      }
    }
  } else if (int64_t near = entity_near_.Find(party); near >= 0) {
    const Listing& e = entities_[near];
    if (e.entity_list && e.date_added <= day) fire(ids_.entity_list_near_miss, kReport);
  }
  bool on_unverified_list = false;  // also suspends NAC and ACA (744.15(a))
  if (auto it = unverified_.find(party); it != unverified_.end()) {
    if (it->second <= day) {
      on_unverified_list = true;
      fire(ids_.unverified_list_party, kReport);
    }
  } else if (int64_t near = unverified_near_.Find(party);
             near >= 0 && unverified_dates_[near] <= day) {
    fire(ids_.unverified_list_near_miss, kReport);
  }
  if (day >= kMeuList && (MeuDestination(dest, day) || MeuDestination(user, day))) {
    if (auto it = meu_.find(party); it != meu_.end()) {
      if (it->second <= day) fire(ids_.military_end_user_party, kLicenseRequired);
    } else if (int64_t near = meu_near_.Find(party); near >= 0 && meu_dates_[near] <= day) {
      fire(ids_.military_end_user_near_miss, kReport);
    }
  }
  // The Affiliates Rule: the share held by restricted owners (listed, or 50 % owned by restricted
  // owners, at any depth), and whether one of them is under a presumption of denial.
  const bool affiliates_in_force =
      (day >= kAffiliates && day < kAffiliatesSuspended) || day >= kAffiliatesResumed;
  if (!rental && affiliates_in_force) {
    const bool resumed = day >= kAffiliatesResumed;
    if (!r.has_owners) {
      fire(resumed ? ids_.affiliates_ownership_unknown_resumed : ids_.affiliates_ownership_unknown,
           kReport);
    } else {
      int64_t held = 0;
      bool denial = false;
      for (const HandOwner& o : r.owners) {
        if (Restricted(o, day)) held += o.share_milli;
        denial = denial || Denial(o, day);
      }
      if (held >= 50 * kMilli) {
        uint8_t rule = resumed ? ids_.affiliates_owned_resumed : ids_.affiliates_owned;
        if (denial) {
          fire(rule, kProhibited);
        } else {
          fire(rule, kLicenseRequired, 0);
        }
      }
    }
  }

  // ear.guidance: is_informed_letter, for D:5 and Macau.
  if (day >= kIsInformed && reaches_d5_or_macau) {
    auto it = is_informed_.find(item_key());
    if (it != is_informed_.end() && it->second <= day) {
      fire(ids_.is_informed_letter, kLicenseRequired);
    }
  }

  // No advanced-computing or end-use rule is in force before 2022-10-07.
  if (day < kAc2022) return finish();

  // ear.scope
  const bool reaches_prc_or_macau_2022 = PrcOrMacau2022(dest, day) || PrcOrMacau2022(user, day);
  const bool reaches_ac_scope_2023 = AcScope2023(dest, day) || AcScope2023(user, day);

  // ear.classification, exact.
  const bool dc = r.designed_for_datacenter;
  const int64_t tpp = r.tpp_milli;
  auto density_at_least = [&](int64_t p, int64_t q) {
    return r.has_die_area && r.die_area_milli > 0 && tpp * q >= p * r.die_area_milli;
  };
  const bool pd_592 = density_at_least(148, 25);
  const bool a1 = tpp >= kTpp4800;
  const bool a2 = dc && tpp >= kTpp1600 && pd_592;
  const bool b1 = dc && tpp >= kTpp2400 && tpp < kTpp4800 && density_at_least(8, 5) && !pd_592;
  const bool b2 = dc && tpp >= kTpp1600 && density_at_least(16, 5) && !pd_592;
  const bool is_a_2023 = a1 || a2;
  const bool is_2023 = is_a_2023 || b1 || b2;  // .b is "not .a and (.b.1 or .b.2)"
  const bool unclassified_2023 = dc && tpp >= kTpp1600 && tpp < kTpp4800 && !r.has_die_area;
  const bool is_2022 = a1 && r.has_io && r.io_milli >= kIo600;
  const bool unclassified_2022 = a1 && !r.has_io;
  const bool nac_item = is_2023 && !(dc && is_a_2023);  // NAC/ACA: not a datacenter .a part
  const bool covered_2023 = is_2023 || unclassified_2023;

  if (day < kAc2023) {
    // ear.advanced_computing: ac_destination_2022 (until 2023-11-17).
    if (reaches_prc_or_macau_2022 && (is_2022 || unclassified_2022)) {
      fire(ids_.ac_destination_2022, kLicenseRequired, unclassified_2022 ? 0 : kThen);
    }
    // ear.end_use, the 2022 text.
    if (reaches_prc_or_macau_2022 && r.end_use == EndUse::kSupercomputer) {
      fire(ids_.supercomputer_end_use_2022, kLicenseRequired);
    }
    if (reaches_prc_or_macau_2022 && r.end_use == EndUse::kAdvancedNodeIcProduction) {
      fire(ids_.advanced_node_end_use_2022, kLicenseRequired);
    }
    return finish();
  }

  // ear.advanced_computing: the destination rule, October 2023 text; `unless` clauses in order.
  if (reaches_ac_scope_2023 && covered_2023) {
    uint8_t via = kThen;
    Outcome o = kLicenseRequired;
    if (day < kAca) {  // ac_destination_2023, until 2024-04-04: one "NAC"
      if (unclassified_2023) {
        via = 0;
      } else if (nac_item && on_unverified_list) {
        via = 1;
      } else if (nac_item && reaches_d5_or_macau) {
        via = 2;
        o = kLicenseExceptionNac;
      } else if (nac_item) {
        via = 3;
        o = kLicenseExceptionNac;
      } else if (reaches_d5_or_macau) {
        via = 4;
      } else if (hq) {
        via = 5;
      }
      fire(ids_.ac_destination_2023, o, via);
    } else {  // ac_destination_2023_aca: NAC and ACA
      if (unclassified_2023) {
        via = 0;
      } else if (nac_item && on_unverified_list) {
        via = 1;
      } else if (nac_item && r.kind == Kind::kTransferInCountry && D5OrMacau(dest, day)) {
        via = 2;  // ACA, in-country transfer within D:5 or Macau
        o = kLicenseExceptionNac;
      } else if (nac_item && (reaches_d5_or_macau || hq)) {
        via = 3;  // NAC, with notification
        o = kLicenseExceptionNac;
      } else if (nac_item) {
        via = 4;  // ACA, D:1 or D:4
        o = kLicenseExceptionNac;
        // via 5, the January 2026 case-by-case review, needs `exported_from` and
        // `item.dram_bandwidth_gbps`, which the bench's requests never give: it never applies.
      } else if (reaches_d5_or_macau) {
        via = 6;
      } else if (hq) {
        via = 7;
      }
      fire(ids_.ac_destination_2023_aca, o, via);
    }
  }

  // ear.advanced_computing: ac_headquarters, outside the destination scope, not to the US.
  if (!reaches_ac_scope_2023 && dest != CC("US") && hq && covered_2023) {
    if (unclassified_2023) {
      fire(ids_.ac_headquarters, kLicenseRequired, 0);
    } else if (nac_item && on_unverified_list) {
      fire(ids_.ac_headquarters, kLicenseRequired, 1);
    } else if (nac_item) {
      fire(ids_.ac_headquarters, kLicenseExceptionNac, 2);
    } else {
      fire(ids_.ac_headquarters, kLicenseRequired);
    }
  }

  // ear.advanced_computing: ai_diffusion_not_applied (an explanation, no license).
  const bool reaches_uae = dest == CC("AE") || user == CC("AE");
  if (day >= kAiDiffusion && is_a_2023 && !reaches_ac_scope_2023 && !hq && dest != CC("US") &&
      !(reaches_uae && day >= kUae)) {
    fire(ids_.ai_diffusion_not_applied, kNoLicenseRequired);
  }
  // ear.advanced_computing: ac_uae_2026, the UAE's own requirement (no exception offered).
  if (day >= kUae && reaches_uae && covered_2023) fire(ids_.ac_uae_2026, kLicenseRequired);

  // ear.end_use, the October 2023 text: D:5 or Macau.
  if (reaches_d5_or_macau && r.end_use == EndUse::kSupercomputer) {
    fire(ids_.supercomputer_end_use_2023, kLicenseRequired);
  }
  if (reaches_d5_or_macau && r.end_use == EndUse::kAdvancedNodeIcProduction) {
    fire(ids_.advanced_node_end_use_2023, kLicenseRequired);
  }
  finish();
}

}  // namespace cordon::ear_bench
