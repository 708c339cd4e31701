// SPDX-License-Identifier: Apache-2.0
// The EAR stdlib policy (stdlib/ear/policy.cordon) decided by the reference interpreter, the JIT
// and the AOT .so, next to the same rules written by hand in C++ (bench/ear_handwritten.*), on a
// deterministic mix of 4,096 requests and synthetic Entity Lists of 1,000, 10,000 and 100,000
// rows. Also: the whole `cordon decide` path on the same requests as JSON Lines, and the time to
// swap in an Entity List. Ratios within one run are the claim, never absolute figures.
//
// Before any number is reported for a list size, every request of its mix is decided by the
// interpreter and by the hand-written code, and the run aborts unless both give the same outcome,
// the same fired rules and, for each, the same `unless`. The compiled engines are held to the
// interpreter the same way before they are timed.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench/ear_handwritten.h"
#include "compiler/frontend/frontend.h"
#include "runtime/abi/layout.h"
#include "runtime/base/names.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/batch.h"
#include "runtime/engine/decide_json.h"
#include "runtime/engine/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"
#include "runtime/request/request.h"
#include "runtime/tables/csl.h"

namespace cordon {
namespace {

using ear_bench::Day;
using ear_bench::EarRequest;
using ear_bench::EndUse;
using ear_bench::HandDecision;
using ear_bench::HandPolicy;
using ear_bench::Kind;
using ear_bench::kMilli;
using ear_bench::kThen;
using ear_bench::RuleIds;

constexpr const char* kStdlib = CORDON_SOURCE_DIR "/stdlib";
constexpr const char* kPolicy = CORDON_SOURCE_DIR "/stdlib/ear/policy.cordon";
constexpr const char* kEar = CORDON_SOURCE_DIR "/stdlib/ear/";
constexpr size_t kMix = 4096;  // requests per mix; a power of two, so `i & (kMix - 1)` cycles
constexpr uint64_t kSeed = 20261123;

[[noreturn]] void Die(const std::string& message) {
  fmt::print(stderr, "ear_bench: {}\n", message);
  std::abort();
}

auto ReadFile(const std::string& path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(fmt::format("cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

auto CheckOrDie(const std::vector<std::string>& roots) -> ir::Program {
  static frontend::SourceStore sources;
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  check::CheckOptions options;
  options.module_path = {kStdlib};
  auto result = frontend::CheckFiles(roots, options, sources, emitter);
  if (!result.ok() || !result->has_value()) {
    if (!result.ok()) fmt::print(stderr, "{}\n", result.error().message);
    for (const Diagnostic& d : consumer.diagnostics) fmt::print(stderr, "{}", RenderToString(d));
    Die("the EAR policy does not check");
  }
  return std::move(**result);
}

auto TheProgram() -> const ir::Program& {
  static const ir::Program program = CheckOrDie({kPolicy});
  return program;
}

// ---------------------------------------------------------------------------------------------
// Deterministic choices. Only the output of std::mt19937_64 is specified by the standard (the
// distributions are not), so choices are made from raw draws: the mix is the same everywhere.

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  auto Below(uint64_t n) -> uint64_t { return engine() % n; }
  auto Percent(unsigned p) -> bool { return Below(100) < p; }
  template <typename T, size_t N>
  auto Of(const T (&items)[N]) -> const T& {
    return items[Below(N)];
  }
  template <typename T>
  auto Of(const std::vector<T>& items) -> const T& {
    return items[Below(items.size())];
  }
};

// ---------------------------------------------------------------------------------------------
// Items: the figures of /work/shared/domain/chips.csv (TPP, applicable die area in mm²,
// bidirectional IO in GB/s), in thousandths; -1 where the vendor publishes none. "Reference
// parts" sit exactly on the bounds of 3A090, where exact arithmetic matters.

struct Chip {
  const char* name;
  int64_t tpp;   // thousandths
  int64_t area;  // thousandths of mm², -1: not given
  int64_t io;    // thousandths of GB/s, -1: not given
  bool datacenter;
};
constexpr int64_t K = kMilli;

// 3A090 (.a or .b) or unclassified under the October 2023 version.
const Chip kControlled[] = {
    {"NVIDIA A100 SXM4", 4992 * K, 826 * K, 664 * K, true},
    {"NVIDIA A100 PCIe 80GB", 4992 * K, 826 * K, 664 * K, true},
    {"NVIDIA A800 SXM4 80GB", 4992 * K, 826 * K, 464 * K, true},  // under 600 GB/s: not 2022
    {"NVIDIA A800 PCIe 80GB", 4992 * K, 826 * K, 464 * K, true},
    {"NVIDIA H100 SXM5", 15832 * K, 814 * K, 1028 * K, true},
    {"NVIDIA H100 PCIe", 12104 * K, 814 * K, 728 * K, true},
    {"NVIDIA H800 SXM5", 15832 * K, 814 * K, 528 * K, true},
    {"NVIDIA H200 SXM", 15832 * K, 814 * K, 1028 * K, true},
    {"NVIDIA L40", 2896 * K, 608500, 64 * K, true},                // .b.1: NAC/ACA
    {"NVIDIA L40S", 5864 * K, 608500, 64 * K, true},               // .a, datacenter
    {"NVIDIA L4", 1940 * K, 294500, 64 * K, true},                 // .a.2
    {"NVIDIA GeForce RTX 4090", 5285 * K, 608500, 64 * K, false},  // .a.1, consumer: NAC
    {"NVIDIA A30", 2640 * K, 826 * K, 264 * K, true},              // .b.1
    {"NVIDIA B200 (HGX)", 36000 * K, -1, 1800 * K, true},
    {"AMD Instinct MI250X", 6128 * K, -1, 800 * K, true},
    {"AMD Instinct MI300X", 20919 * K, -1, 1024 * K, true},
    {"Intel Gaudi2", 6920 * K, -1, 664 * K, true},
    {"Intel Gaudi3", 29360 * K, -1, 1328 * K, true},
    {"Huawei Ascend 910B", 5120 * K, -1, -1, true},  // no rate: unclassified in 2022; GP10
    {"Huawei Ascend 910C", 5120 * K, -1, -1, true},  // figures of the 910B, assumed
    {"Huawei Ascend 910D", 5120 * K, -1, -1, true},  // likewise
    {"Google TPU v4", 4400 * K, -1, -1, true},       // no die area: unclassified in 2023
    {"Reference part PD 5.92", 4736 * K, 800 * K, 600 * K, true},           // .a.2 exactly
    {"Reference part PD 3.2", 1600 * K, 500 * K, 64 * K, true},             // .b.2 exactly
    {"Reference part PD 1.6", 2400 * K, 1500 * K, 64 * K, true},            // .b.1 exactly
    {"Reference part TPP 4799.9", 4799900, 900500, 700 * K, true},          // .b, just under .a.1
    {"Reference part IO 599.9", 4800 * K, 1000 * K, 599900, true},          // .a.1; not 2022 3A090
    {"Reference part TPP 4800 IO 600", 4800 * K, 1000 * K, 600 * K, true},  // 2022 exactly
    {"Reference part TPP 2400 no die area", 2400 * K, -1, 600 * K, true},   // unclassified 2023
};

const Chip kUncontrolled[] = {
    {"NVIDIA H20", 2368 * K, 814 * K, 1028 * K, true},  // is-informed letter from 2025-04-09
    {"NVIDIA L20", 1912 * K, 608500, 64 * K, true},
    {"NVIDIA GeForce RTX 4090 D", 4707 * K, 608500, 64 * K, false},
    {"NVIDIA GeForce RTX 4080", 3120 * K, 378600, 64 * K, false},
    {"NVIDIA A10", 2000 * K, 628400, 64 * K, true},
    {"NVIDIA V100 SXM2", 2000 * K, 815 * K, 332 * K, true},
    {"NVIDIA T4", 1040 * K, 545 * K, 32 * K, true},
    {"Reference part TPP 1599.9", 1599900, 100 * K, 64 * K, true},  // dense, but under 1600
};

// Countries, by what the rules make of them (KH, NI and CY are in D:5 on some days only).
const char* const kD5OrMacau[] = {"CN", "CN", "CN", "HK", "HK", "MO", "RU", "BY",
                                  "IR", "KP", "SY", "CU", "VE", "MM", "KH", "NI",
                                  "CY", "AF", "IQ", "LB", "LY", "ZW", "SD", "CD"};
const char* const kD1OrD4[] = {"AE", "SA", "VN", "KZ", "EG", "JO", "KW", "QA",
                               "OM", "BH", "MN", "UZ", "AM", "AZ", "GE", "KG",
                               "TJ", "TM", "YE", "PK", "LA", "MD", "UA", "IL"};
const char* const kAllied[] = {"US", "US", "DE", "FR", "GB", "JP", "KR", "NL", "AU",
                               "CA", "IT", "ES", "SE", "IN", "TR", "IL", "TW", "SG",
                               "MX", "ZA", "MT", "AL", "NZ", "IE", "PL", "CY"};
const char* const kOther[] = {"MY", "TH", "ID", "BR", "PH", "NG",
                              "KE", "CL", "CO", "PE", "LK", "BD"};
const char* const kCloudSites[] = {"US", "US", "SG", "MY", "DE", "JP",
                                   "AE", "CN", "HK", "IN", "SA", "FI"};

auto AnyCountry(Rng& rng) -> const char* {
  switch (rng.Below(4)) {
    case 0:
      return rng.Of(kD5OrMacau);
    case 1:
      return rng.Of(kD1OrD4);
    case 2:
      return rng.Of(kAllied);
    default:
      return rng.Of(kOther);
  }
}

// ---------------------------------------------------------------------------------------------
// Synthetic Entity List rows, after the real rows of stdlib/ear/entities.csv.

const char* const kCities[] = {
    "Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Wuhan",     "Chengdu",
    "Tianjin", "Nanjing",  "Xi'an",    "Hefei",     "Suzhou",   "Changsha",  "Chongqing",
    "Qingdao", "Dalian",   "Xiamen",   "Harbin",    "Jinan",    "Zhengzhou", "Kunshan",
    "Wuxi",    "Ningbo",   "Shenyang", "Zhuhai",    "Dongguan", "Fuzhou",    "Kunming"};
const char* const kSyllables[] = {
    "Hua",   "Zhong", "Xin",  "Tian", "Guo",   "Hai",    "Rui",  "Kai",  "Jing", "Long",
    "Sheng", "Feng",  "Hong", "Da",   "Yuan",  "Chuang", "Wei",  "Ming", "Xing", "Bo",
    "Jia",   "Tong",  "Heng", "Yi",   "Zhi",   "Run",    "Teng", "Chen", "An",   "Lian",
    "Kun",   "Rong",  "Yu",   "Hao",  "Cheng", "Fang",   "Jun",  "Lei",  "Nan",  "Qi"};
const char* const kSectors[] = {
    "Microelectronics",         "Semiconductor",   "Information Technology",
    "Intelligent Technology",   "Electronics",     "Computing Technology",
    "Data Technology",          "Optoelectronics", "Integrated Circuit",
    "Aerospace Technology",     "Photonics",       "Network Technology",
    "Precision Instruments",    "Supercomputing",  "Artificial Intelligence",
    "Communication Technology", "New Materials",   "Robotics",
    "Cloud Computing",          "Software"};
const char* const kForms[] = {
    "Co., Ltd.",           "Co., Ltd.",       "Co., Ltd.",          "Limited",
    "Corporation",         "Group Co., Ltd.", "Research Institute", "Holdings Limited",
    "Technology Co., Ltd."};
const char* const kRussianWords[] = {"Mikron", "Elbrus", "Baikal", "Tekhno", "Sever",  "Angstrem",
                                     "Kvant",  "Orion",  "Zenit",  "Almaz",  "Granit", "Vega"};
const char* const kOtherWords[] = {"Orient", "Pinnacle", "Crescent", "Summit", "Horizon",
                                   "Falcon", "Delta",    "Lotus",    "Atlas",  "Meridian"};

struct ListedParty {
  std::string name;
  std::vector<std::string> aliases;
  std::string country;
  int32_t date_added;
};

auto CsvField(std::string_view v) -> std::string {
  if (v.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct EntityList {
  std::string csv;                   // the real file, then synthetic rows
  std::vector<ListedParty> parties;  // every row, in file order
  size_t real_rows = 0;
};

// `rows` rows in all: the real rows of entities.csv, then synthetic companies with plausible
// names and aliases, countries, lists and dates. Short aliases are shared by many rows, as on
// the real list ("Cambricon", "Zhipu"): the first row wins, in the engines and by hand alike.
auto MakeEntityList(size_t rows) -> EntityList {
  EntityList list;
  list.csv = ReadFile(std::string(kEar) + "entities.csv");
  if (!list.csv.ends_with('\n')) list.csv += '\n';
  std::vector<std::vector<std::string>> real = ear_bench::ParseCsv(list.csv);
  std::unordered_set<std::string> names;
  for (size_t i = 1; i < real.size(); ++i) {
    // name,aliases,country,list,license_policy,federal_register_citation,date_added
    list.parties.push_back(ListedParty{real[i].at(0), ear_bench::SplitAliases(real[i].at(1)),
                                       real[i].at(2), *ear_bench::ParseDay(real[i].at(6))});
    names.insert(real[i][0]);
  }
  list.real_rows = list.parties.size();
  // One seed for every size, so the 1,000-row list is a prefix of the 10,000-row one, and so on.
  Rng rng(kSeed);
  const int32_t first = Day(2015, 1, 1);
  const int32_t last = Day(2026, 10, 31);
  while (list.parties.size() < rows) {
    ListedParty p;
    // A romanised brand of two or three syllables: "Huaxin", "Tianruikai".
    std::string stem = std::string(rng.Of(kSyllables)) + rng.Of(kSyllables);
    if (rng.Percent(15)) stem += rng.Of(kSyllables);
    std::transform(stem.begin() + 1, stem.end(), stem.begin() + 1, ::tolower);
    const char* sector = rng.Of(kSectors);
    unsigned where = static_cast<unsigned>(rng.Below(100));
    if (where < 80 || where >= 96) {
      p.country = where < 80 ? "CN" : (where < 98 ? "HK" : "MO");
      const char* city =
          p.country == "CN" ? rng.Of(kCities) : (p.country == "HK" ? "Hong Kong" : "Macau");
      p.name = fmt::format("{} {} {} {}", city, stem, sector, rng.Of(kForms));
      p.aliases.push_back(stem);
      if (rng.Percent(50)) p.aliases.push_back(fmt::format("{} {}", stem, sector));
      if (rng.Percent(30)) p.aliases.push_back(fmt::format("{} {}", city, stem));
      if (rng.Percent(25)) {
        // Initials, as "JICT" or "HMC": short, and shared by unrelated rows.
        std::string initials{city[0], stem[0], sector[0]};
        p.aliases.push_back(initials);
      }
      if (rng.Percent(30)) p.aliases.erase(p.aliases.begin());  // not every row has the stem
    } else if (where < 88) {
      p.country = "RU";
      std::string word = std::string(rng.Of(kRussianWords)) + "-" + rng.Of(kRussianWords);
      p.name = fmt::format("{} {} JSC", word, sector);
      if (rng.Percent(60)) p.aliases.push_back(fmt::format("AO {}", word));
    } else {
      static const char* const kCountries[] = {"IR", "SG", "AE", "PK", "TR", "MY"};
      p.country = rng.Of(kCountries);
      std::string word = std::string(rng.Of(kOtherWords)) + " " + stem;
      p.name = fmt::format("{} {} {}", word, sector,
                           p.country == "SG"   ? "Pte. Ltd."
                           : p.country == "AE" ? "FZE"
                           : p.country == "MY" ? "Sdn. Bhd."
                                               : "Company");
      if (rng.Percent(50)) p.aliases.push_back(word);
    }
    if (!names.insert(p.name).second) continue;  // a table's key appears once
    p.date_added = first + static_cast<int32_t>(rng.Below(last - first + 1));
    unsigned which = static_cast<unsigned>(rng.Below(100));
    const char* list_name =
        which < 92 ? "entity_list" : (which < 97 ? "dod_1260h" : "ofac_ns_cmic");
    std::string aliases;
    for (const std::string& a : p.aliases) aliases += (aliases.empty() ? "" : ";") + a;
    list.csv +=
        fmt::format("{},{},{},{},{},synthetic,{}\n", CsvField(p.name), CsvField(aliases), p.country,
                    list_name, which < 92 ? "presumption of denial" : "not an EAR list",
                    ear_bench::FormatDay(p.date_added));
    list.parties.push_back(std::move(p));
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Requests

// A request as the generator chose it: rendered to JSON for the engines and converted to the
// hand-written struct, so both sides read the same choices.
struct GenOwner {
  std::string name;
  std::string country;
  int64_t share = 0;  // percent, thousandths
  std::vector<GenOwner> owners;
};

struct GenRequest {
  int32_t as_of = 0;
  Kind kind = Kind::kExport;
  EndUse end_use = EndUse::kNone;
  std::string item_name;
  int64_t tpp = 0;
  std::optional<int64_t> area, io, rental_hours;  // thousandths
  bool datacenter = false;
  std::string destination;
  std::string user_name, user_country, user_hq;
  std::optional<std::string> user_parent_hq;
  int64_t chips = 1;
  std::optional<std::vector<GenOwner>> owners;  // absent: not given
};

// Another spelling of a listed name that normalises the same: case, punctuation, spacing, a
// legal form added or swapped ("Co., Ltd." -> "Company Limited").
auto Respell(std::string name, Rng& rng) -> std::string {
  switch (rng.Below(6)) {
    case 0:
      return name;
    case 1:
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    case 2:
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return name;
    case 3:
      for (char& c : name) {
        if (c == ',' || c == '.' || c == '(' || c == ')') c = ' ';
      }
      return name;
    case 4:
      if (name.ends_with(" Co., Ltd."))
        return name.substr(0, name.size() - 10) + " Company Limited";
      return name + " Ltd";
    default: {
      std::string out;
      for (char c : name) out += c == ' ' ? std::string("   ") : std::string(1, c);
      return out;
    }
  }
}

// Names on no list, and near misses of listed names (or rows of lists without licence effect).
const char* const kUnlisted[] = {"Acme Compute GmbH",
                                 "Nordlicht Rechenzentrum AG",
                                 "Sakura Data K.K.",
                                 "Pacific Rim Servers Pte. Ltd.",
                                 "Gulf AI Cloud FZE",
                                 "Andes Datacenter S.A.",
                                 "Maple Research Inc.",
                                 "Baltic HPC UAB",
                                 "Kiwi Render Ltd",
                                 "Lakeside University",
                                 "Hanoi Smart Systems JSC",
                                 "Almaty Data Center LLP",
                                 "Riyadh Compute Company",
                                 "Mumbai Inference Pvt Ltd",
                                 "Tel Aviv Vision Ltd",
                                 "Taipei Edge Computing Corp.",
                                 "Seoul Robotics Inc.",
                                 "Kuala Lumpur GPU Hosting Sdn. Bhd.",
                                 "Some Distributor",
                                 "Example Cloud Ltd.",
                                 "Hong Kong Bright Future Trading Limited",
                                 "Macau Gaming Analytics Limited",
                                 "Moscow Data Systems OOO",
                                 "Tehran Computing Center"};
const char* const kNearMisses[] = {"iFlytec",
                                   "Hikvison",
                                   "SenseTime Group Limited",
                                   "Tencent Holdings",
                                   "Megvi Technology",
                                   "Huawei Device USA Inc.",
                                   "Sugon Trading",
                                   "Dahua Technology Europe",
                                   "SMIC Americas",
                                   "Yangtze Memory Technologies",
                                   "YMTC",
                                   "Cambricon",
                                   "SMIC Holdings Ltd"};

auto UnlistedName(Rng& rng) -> std::string {
  if (rng.Percent(50)) return rng.Of(kUnlisted);
  // A Chinese trading company: "trading" is no sector of the synthetic list.
  std::string stem = std::string(rng.Of(kSyllables)) + rng.Of(kSyllables);
  std::transform(stem.begin() + 1, stem.end(), stem.begin() + 1, ::tolower);
  return fmt::format("{} {} {} Trading Co., Ltd.", rng.Of(kCities), stem, rng.Of(kSectors));
}

// Days: mostly uniform over 2019-2026 (the last weeks of 2026 are after the policy's review);
// some before 2019; some on or next to a day where a rule or a country group changes.
auto RandomDay(Rng& rng) -> int32_t {
  static const int32_t kEdges[] = {
      Day(2019, 1, 1),   Day(2020, 12, 23), Day(2020, 12, 28), Day(2021, 12, 9), Day(2022, 2, 24),
      Day(2022, 3, 2),   Day(2022, 10, 7),  Day(2022, 12, 16), Day(2023, 1, 18), Day(2023, 10, 1),
      Day(2023, 11, 17), Day(2024, 3, 15),  Day(2024, 4, 4),   Day(2025, 1, 13), Day(2025, 1, 16),
      Day(2025, 4, 9),   Day(2025, 5, 13),  Day(2026, 2, 3),   Day(2026, 11, 24)};
  unsigned r = static_cast<unsigned>(rng.Below(100));
  if (r < 2) return Day(2018, 1, 1) + static_cast<int32_t>(rng.Below(365));
  if (r < 14) return rng.Of(kEdges) + static_cast<int32_t>(rng.Below(3)) - 1;
  const int32_t first = Day(2019, 1, 1);
  return first + static_cast<int32_t>(rng.Below(Day(2026, 12, 31) - first + 1));
}

void SetItem(GenRequest& q, const Chip& chip, Rng& rng) {
  q.item_name = chip.name;
  // Spellings the guidance tables must still find ("nvidia h20").
  if (rng.Percent(20)) {
    for (char& c : q.item_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else if (rng.Percent(10)) {
    std::replace(q.item_name.begin(), q.item_name.end(), ' ', '-');
  }
  q.tpp = chip.tpp;
  q.area = chip.area >= 0 ? std::optional<int64_t>(chip.area) : std::nullopt;
  q.io = chip.io >= 0 ? std::optional<int64_t>(chip.io) : std::nullopt;
  q.datacenter = chip.datacenter;
}

auto AnyChip(Rng& rng) -> const Chip& {
  return rng.Percent(60) ? rng.Of(kControlled) : rng.Of(kUncontrolled);
}

auto ChipNamed(std::string_view name) -> const Chip& {
  for (const Chip& c : kControlled) {
    if (c.name == name) return c;
  }
  Die(fmt::format("no chip `{}`", name));
}

// 3A090 parts that License Exceptions NAC and ACA may cover: .b parts and consumer .a parts.
const char* const kNacParts[] = {"NVIDIA L40",
                                 "NVIDIA A30",
                                 "NVIDIA GeForce RTX 4090",
                                 "Reference part PD 3.2",
                                 "Reference part PD 1.6",
                                 "Reference part TPP 4799.9"};

// A reference part: on a bound of 3A090 exactly, or a hair off it.
auto ReferencePart(Rng& rng) -> const Chip& {
  static const std::vector<const Chip*> parts = [] {
    std::vector<const Chip*> out;
    for (const Chip& c : kControlled) {
      if (std::string_view(c.name).starts_with("Reference part")) out.push_back(&c);
    }
    for (const Chip& c : kUncontrolled) {
      if (std::string_view(c.name).starts_with("Reference part")) out.push_back(&c);
    }
    return out;
  }();
  return *rng.Of(parts);
}

// A Huawei Ascend part, which General Prohibition 10 guidance names (gp10_items.csv).
auto AscendChip(Rng& rng) -> const Chip& {
  static const std::vector<const Chip*> ascend = [] {
    std::vector<const Chip*> out;
    for (const Chip& c : kControlled) {
      if (std::string_view(c.name).starts_with("Huawei Ascend")) out.push_back(&c);
    }
    return out;
  }();
  return *rng.Of(ascend);
}

// Days on which a country's groups change or a rule first reaches it, with that country: the
// mix puts the country on the day before, the day and the day after.
struct CountryEdge {
  int32_t day;
  const char* country;
};
const CountryEdge kCountryEdges[] = {{Day(2023, 1, 18), "MO"},  {Day(2024, 3, 15), "NI"},
                                     {Day(2026, 2, 3), "KH"},   {Day(2021, 12, 9), "KH"},
                                     {Day(2023, 10, 1), "CY"},  {Day(2020, 12, 23), "HK"},
                                     {Day(2020, 12, 28), "UA"}, {Day(2020, 12, 28), "MX"},
                                     {Day(2022, 2, 24), "RU"},  {Day(2022, 3, 2), "BY"}};

// Owners of one party, `levels` deep: listed parties (by any spelling), unlisted ones, and
// holding companies with owners of their own; shares add up to at most 100 %, and now and then
// to exactly 50 % with listed owners.
auto MakeOwners(const EntityList& list, Rng& rng, int levels) -> std::vector<GenOwner> {
  std::vector<GenOwner> owners;
  if (levels <= 0) return owners;
  int64_t left = 100 * K;
  size_t n = 1 + rng.Below(4);
  for (size_t i = 0; i < n && left > 0; ++i) {
    GenOwner o;
    bool listed = rng.Percent(35);
    o.name =
        listed ? Respell(list.parties[rng.Below(list.real_rows)].name, rng) : UnlistedName(rng);
    o.country = listed ? "CN" : AnyCountry(rng);
    static const int64_t kShares[] = {50 * K, 25 * K, 49990, 60 * K, 100 * K, 10 * K, 30 * K};
    o.share = std::min(left, rng.Of(kShares));
    left -= o.share;
    if (!listed && rng.Percent(50)) o.owners = MakeOwners(list, rng, levels - 1);
    owners.push_back(std::move(o));
  }
  return owners;
}

// The mix: a quarter each of listed buyers, controlled chips to D:5 or Macau destinations or
// headquarters, uncontrolled chips or allied destinations, and rentals (iaas_access).
auto MakeRequests(const EntityList& list, uint64_t seed) -> std::vector<GenRequest> {
  Rng rng(seed);
  std::vector<GenRequest> out;
  out.reserve(kMix);
  for (size_t i = 0; i < kMix; ++i) {
    GenRequest q;
    q.as_of = RandomDay(rng);
    unsigned k = static_cast<unsigned>(rng.Below(100));
    q.kind = k < 45 ? Kind::kExport : (k < 70 ? Kind::kReexport : Kind::kTransferInCountry);
    unsigned e = static_cast<unsigned>(rng.Below(100));
    q.end_use = e < 70   ? EndUse::kNone
                : e < 80 ? EndUse::kSupercomputer
                : e < 87 ? EndUse::kAdvancedNodeIcProduction
                : e < 92 ? EndUse::kTrainLargeAiModel
                         : EndUse::kInference;
    q.chips = 1 + static_cast<int64_t>(rng.Below(1024));
    if (rng.Percent(20)) q.user_parent_hq = AnyCountry(rng);
    switch (i % 4) {
      case 0: {  // a listed buyer, by name or alias, in another spelling
        if (rng.Percent(4)) {
          // A Military End-User List party (military_end_user_list.csv), in and outside the
          // 744.21 destinations, before and after the list was published.
          static const char* const kWhere[] = {"CN", "RU", "DE", "AE", "VE"};
          q.user_name = Respell(rng.Percent(50) ? "AVIC Aircraft Co. Ltd."
                                                : "Shanghai Tianlang Electronic Science Co., Ltd.",
                                rng);
          SetItem(q, ChipNamed(rng.Of(kNacParts)), rng);
          q.destination = rng.Of(kWhere);
          q.user_country = q.destination;
          q.user_hq = "CN";
          break;
        }
        if (rng.Percent(8)) {
          // The one Unverified List party (unverified_list.csv) buying a part NAC or ACA could
          // cover, in or outside the destination scope: the UVL suspends those exceptions.
          static const char* const kWhere[] = {"CN", "SG", "VN", "MY", "MO"};
          q.user_name =
              Respell(rng.Percent(50) ? "YMTC" : "Yangtze Memory Technologies Co., Ltd.", rng);
          SetItem(q, ChipNamed(rng.Of(kNacParts)), rng);
          q.destination = rng.Of(kWhere);
          q.user_country = q.destination;
          q.user_hq = "CN";
          q.as_of = Day(2022, 10, 7) +
                    static_cast<int32_t>(rng.Below(Day(2026, 11, 24) - Day(2022, 10, 7)));
          break;
        }
        size_t row = rng.Percent(30)
                         ? rng.Below(list.real_rows)
                         : list.real_rows + rng.Below(list.parties.size() - list.real_rows);
        const ListedParty& p = list.parties[row];
        if (rng.Percent(10)) {
          q.user_name = rng.Of(kNearMisses);
        } else {
          bool alias = !p.aliases.empty() && rng.Percent(40);
          q.user_name = Respell(alias ? rng.Of(p.aliases) : p.name, rng);
        }
        q.user_country = p.country;
        q.user_hq = rng.Percent(80) ? p.country : AnyCountry(rng);
        q.destination = rng.Percent(50) ? p.country : AnyCountry(rng);
        if (rng.Percent(15)) q.as_of = p.date_added + static_cast<int32_t>(rng.Below(3)) - 1;
        if (rng.Percent(10)) q.kind = Kind::kIaasAccess;
        SetItem(q, AnyChip(rng), rng);
        break;
      }
      case 1: {  // a controlled chip to D:5 or Macau, or for a party headquartered there
        SetItem(q, rng.Of(kControlled), rng);
        // More days under the 2022 and early 2023 texts, which are in force for 18 months only.
        if (rng.Percent(25)) {
          q.as_of = Day(2022, 10, 7) +
                    static_cast<int32_t>(rng.Below(Day(2024, 4, 4) - Day(2022, 10, 7)));
        }
        q.user_name = UnlistedName(rng);
        if (rng.Percent(12)) {
          // A country on a day its groups change.
          const CountryEdge& edge = rng.Of(kCountryEdges);
          q.as_of = edge.day + static_cast<int32_t>(rng.Below(3)) - 1;
          q.destination = edge.country;
          q.user_country = edge.country;
          q.user_hq = rng.Percent(50) ? edge.country : AnyCountry(rng);
          if (rng.Percent(40)) SetItem(q, ReferencePart(rng), rng);
        } else if (rng.Percent(10)) {
          // A part on a bound of 3A090 to the PRC or Macau, under any version.
          static const char* const kPrc[] = {"CN", "HK", "MO"};
          SetItem(q, ReferencePart(rng), rng);
          q.destination = rng.Of(kPrc);
          q.user_country = q.destination;
          q.user_hq = q.destination;
          q.as_of = Day(2022, 10, 7) +
                    static_cast<int32_t>(rng.Below(Day(2026, 11, 24) - Day(2022, 10, 7)));
        } else if (rng.Percent(10)) {
          // A part NAC or ACA may cover, to D:1 or D:4 only.
          SetItem(q, ChipNamed(rng.Of(kNacParts)), rng);
          q.destination = rng.Of(kD1OrD4);
          q.user_country = q.destination;
          q.user_hq = AnyCountry(rng);
        } else if (rng.Percent(60)) {
          q.destination = rng.Of(kD5OrMacau);
          q.user_country = rng.Percent(80) ? q.destination : rng.Of(kD5OrMacau);
          q.user_hq = rng.Percent(70) ? q.user_country : AnyCountry(rng);
        } else {
          q.destination = rng.Percent(40)   ? rng.Of(kAllied)
                          : rng.Percent(50) ? rng.Of(kD1OrD4)
                                            : rng.Of(kOther);
          q.user_country = rng.Percent(85) ? q.destination : rng.Of(kD5OrMacau);
          if (rng.Percent(70)) {
            q.user_hq = rng.Of(kD5OrMacau);
          } else {
            q.user_hq = q.user_country;
            q.user_parent_hq = rng.Of(kD5OrMacau);
          }
        }
        break;
      }
      case 2: {  // an uncontrolled chip anywhere, or a controlled one to an ally
        q.user_name = UnlistedName(rng);
        if (rng.Percent(50)) {
          SetItem(q, rng.Of(kUncontrolled), rng);
          q.destination = AnyCountry(rng);
          q.user_country = q.destination;
          q.user_hq = rng.Percent(70) ? q.destination : AnyCountry(rng);
        } else {
          SetItem(q, rng.Of(kControlled), rng);
          q.destination = rng.Of(kAllied);
          q.user_country = q.destination;
          q.user_hq = rng.Percent(80) ? q.destination : rng.Of(kAllied);
        }
        break;
      }
      default: {  // renting compute
        q.kind = Kind::kIaasAccess;
        SetItem(q, rng.Percent(15) ? AscendChip(rng) : AnyChip(rng), rng);
        q.destination = rng.Of(kCloudSites);
        q.user_country = rng.Percent(50) ? rng.Of(kD5OrMacau) : AnyCountry(rng);
        q.user_hq = rng.Percent(60) ? q.user_country : rng.Of(kD5OrMacau);
        q.user_name = rng.Percent(20)
                          ? Respell(list.parties[rng.Below(list.parties.size())].name, rng)
                          : UnlistedName(rng);
        unsigned u = static_cast<unsigned>(rng.Below(100));
        q.end_use = u < 40   ? EndUse::kTrainLargeAiModel
                    : u < 70 ? EndUse::kInference
                             : EndUse::kNone;
        unsigned h = static_cast<unsigned>(rng.Below(100));
        if (h < 94) {
          q.rental_hours = (1 + static_cast<int64_t>(rng.Below(10000))) * 500;  // 0.5 h steps
        } else if (h < 97) {
          q.rental_hours = std::nullopt;  // invalid: a rental must give its hours
        } else {
          q.rental_hours = -static_cast<int64_t>(rng.Below(2)) * 1000;  // 0 or -1: invalid
        }
        break;
      }
    }
    // An in-country transfer stays in the end user's country.
    if (q.kind == Kind::kTransferInCountry) q.destination = q.user_country;
    // Hours given for a shipment are ignored by the rules.
    if (q.kind != Kind::kIaasAccess && rng.Percent(30)) q.rental_hours = 24 * K;
    // Who owns the end user: not given for most, none for some, and for the rest a tree of up to
    // three levels whose shares reach 50 % exactly, miss it, or come through a holding company.
    unsigned own = static_cast<unsigned>(rng.Below(100));
    if (own >= 60)
      q.owners = MakeOwners(list, rng, own < 70 ? 0 : 1 + static_cast<int>(rng.Below(3)));
    // A few impossible figures, for ear.validity.
    unsigned bad = static_cast<unsigned>(rng.Below(1000));
    if (bad < 10)
      q.chips = -static_cast<int64_t>(rng.Below(2));  // 0 or -1
    else if (bad < 20 && q.area)
      *q.area = -static_cast<int64_t>(rng.Below(2)) * 5 * K;
    else if (bad < 25)
      q.tpp = -q.tpp;
    else if (bad < 30 && q.io)
      *q.io = -*q.io;
    out.push_back(std::move(q));
  }
  return out;
}

auto JsonString(std::string_view s) -> std::string {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Thousandths as the shortest exact decimal: 608500 -> "608.5".
auto Decimal(int64_t milli) -> std::string {
  std::string sign = milli < 0 ? "-" : "";
  uint64_t v = milli < 0 ? -static_cast<uint64_t>(milli) : static_cast<uint64_t>(milli);
  std::string out = sign + std::to_string(v / 1000);
  if (v % 1000 != 0) {
    std::string frac = fmt::format("{:03}", v % 1000);
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

auto OrNull(const std::optional<int64_t>& v) -> std::string { return v ? Decimal(*v) : "null"; }

// One line of JSON in the request schema of stdlib/ear/base.cordon.
auto OwnersJson(const std::vector<GenOwner>& owners) -> std::string {
  std::string out = "[";
  for (const GenOwner& o : owners) {
    if (out.size() > 1) out += ", ";
    out += fmt::format(R"({{"name": {}, "country": "{}", "share_percent": {}, "owners": {}}})",
                       JsonString(o.name), o.country, Decimal(o.share), OwnersJson(o.owners));
  }
  return out + "]";
}

auto ToJson(const GenRequest& q) -> std::string {
  static const char* const kKinds[] = {"export", "reexport", "transfer_in_country", "iaas_access"};
  static const char* const kEndUses[] = {"null", "\"supercomputer\"",
                                         "\"advanced_node_ic_production\"",
                                         "\"train_large_ai_model\"", "\"inference\""};
  return fmt::format(
      R"({{"as_of": "{}", "kind": "{}", "item": {{"name": {}, "tpp": {}, "die_area_mm2": {}, )"
      R"("designed_for_datacenter": {}, "bidirectional_io_gbps": {}}}, "destination_country": "{}", )"
      R"("end_user": {{"name": {}, "country": "{}", "hq_country": "{}", "parent_hq_country": {}, )"
      R"("owners": {}}}, "chips": {}, "rental_hours": {}, "end_use": {}}})",
      ear_bench::FormatDay(q.as_of), kKinds[static_cast<int>(q.kind)], JsonString(q.item_name),
      Decimal(q.tpp), OrNull(q.area), q.datacenter ? "true" : "false", OrNull(q.io), q.destination,
      JsonString(q.user_name), q.user_country, q.user_hq,
      q.user_parent_hq ? "\"" + *q.user_parent_hq + "\"" : std::string("null"),
      q.owners ? OwnersJson(*q.owners) : std::string("null"), q.chips, OrNull(q.rental_hours),
      kEndUses[static_cast<int>(q.end_use)]);
}

auto HandOwners(const std::vector<GenOwner>& owners) -> std::vector<ear_bench::HandOwner> {
  std::vector<ear_bench::HandOwner> out;
  for (const GenOwner& o : owners) {
    out.push_back({.name = o.name, .share_milli = o.share, .owners = HandOwners(o.owners)});
  }
  return out;
}

// The plain struct the hand-written code takes; its texts point into `q`.
auto ToHand(const GenRequest& q) -> EarRequest {
  EarRequest r;
  r.as_of = q.as_of;
  r.kind = q.kind;
  r.end_use = q.end_use;
  r.designed_for_datacenter = q.datacenter;
  r.has_die_area = q.area.has_value();
  r.has_io = q.io.has_value();
  r.has_rental_hours = q.rental_hours.has_value();
  r.destination = ear_bench::ParseCountry(q.destination);
  r.end_user_country = ear_bench::ParseCountry(q.user_country);
  r.end_user_hq = ear_bench::ParseCountry(q.user_hq);
  r.end_user_parent_hq =
      q.user_parent_hq ? ear_bench::ParseCountry(*q.user_parent_hq) : ear_bench::kNoCountry;
  r.tpp_milli = q.tpp;
  r.die_area_milli = q.area.value_or(0);
  r.io_milli = q.io.value_or(0);
  r.rental_hours_milli = q.rental_hours.value_or(0);
  r.chips = q.chips;
  r.item_name = q.item_name;
  r.end_user_name = q.user_name;
  r.has_owners = q.owners.has_value();
  if (q.owners) r.owners = HandOwners(*q.owners);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Engines: one per kind, built once; each holds the Entity List of the size last asked for.

struct EngineSlot {
  std::unique_ptr<runtime::Engine> engine;
  size_t rows = 0;  // rows of the Entity List in force; 0: the stdlib's own
  std::string error;
};

auto Slot(runtime::EngineKind kind) -> EngineSlot& {
  static std::array<EngineSlot, 3> slots;
  EngineSlot& slot = slots[static_cast<size_t>(kind)];
  if (slot.engine == nullptr && slot.error.empty()) {
    auto engine = runtime::Engine::FromProgram(TheProgram(), kind);
    if (engine.ok()) {
      slot.engine = std::move(*engine);
    } else {
      slot.error = engine.error().message;
    }
  }
  return slot;
}

// The engine of `kind` with the `rows`-row list swapped in, or nullptr and `error`.
auto EngineWithList(runtime::EngineKind kind, size_t rows, const std::string& csv,
                    std::string& error) -> runtime::Engine* {
  EngineSlot& slot = Slot(kind);
  if (slot.engine == nullptr) {
    error = fmt::format("{} engine: {}", runtime::EngineKindName(kind), slot.error);
    return nullptr;
  }
  if (slot.rows != rows) {
    if (auto failed =
            slot.engine->SwapTableCsv("entity_list", csv, fmt::format("entities_{}.csv", rows))) {
      error = failed->message;
      return nullptr;
    }
    slot.rows = rows;
  }
  return slot.engine.get();
}

// ---------------------------------------------------------------------------------------------
// One list size: the list, the mix in every form, the hand-written policy, and the
// interpreter's decisions that every other engine must reproduce.

auto DescribeInterp(const ir::Program& p, const interp::Decision& d) -> std::string {
  std::string out(runtime::DecisionName(p, d));
  for (const interp::Reason& r : d.reasons) {
    out += fmt::format(" {}", p.rules[r.rule].name);
    if (r.exception != ir::kNoId) out += fmt::format("(unless #{})", r.exception + 1);
  }
  for (const interp::RuleError& e : d.errors) out += " [" + runtime::RuleErrorText(p, e) + "]";
  return out;
}

auto DescribeHand(const ir::Program& p, const HandDecision& h) -> std::string {
  std::string out = h.broken != 0 || h.past_review ? std::string("error")
                                                   : p.outcomes.at(static_cast<size_t>(h.outcome));
  for (uint32_t r = 0; r < p.rules.size(); ++r) {
    if (((h.fired >> r) & 1) == 0) continue;
    out += fmt::format(" {}", p.rules[r].name);
    if (h.unless[r] != kThen) out += fmt::format("(unless #{})", h.unless[r] + 1);
  }
  return out;
}

// The index among the policy's `require`s of each rule (-1 for a rule).
auto RequirementIndex() -> std::vector<int>& {
  static std::vector<int> index;
  return index;
}

auto Agree(const interp::Decision& d, const HandDecision& h) -> bool {
  uint8_t broken = 0;
  bool past_review = false;
  for (const interp::RuleError& e : d.errors) {
    if (e.rule == interp::RuleError::kPastReview) {
      past_review = true;
      continue;
    }
    int k = e.rule < RequirementIndex().size() ? RequirementIndex()[e.rule] : -1;
    if (k < 0) return false;  // a rule that failed: the baseline never fails
    broken |= uint8_t(1u << k);
  }
  if (broken != h.broken || past_review != h.past_review ||
      d.error != (broken != 0 || past_review)) {
    return false;
  }
  if (!d.error && d.outcome != static_cast<uint32_t>(h.outcome)) return false;
  uint64_t fired = 0;
  for (const interp::Reason& r : d.reasons) fired |= uint64_t{1} << r.rule;
  if (fired != h.fired) return false;
  for (const interp::Reason& r : d.reasons) {
    if (h.unless[r.rule] != (r.exception == ir::kNoId ? kThen : r.exception)) return false;
  }
  return true;
}

auto SameDecision(const interp::Decision& a, const interp::Decision& b) -> bool {
  if (a.error != b.error || a.outcome != b.outcome || a.reasons.size() != b.reasons.size()) {
    return false;
  }
  for (size_t i = 0; i < a.reasons.size(); ++i) {
    if (a.reasons[i].rule != b.reasons[i].rule ||
        a.reasons[i].exception != b.reasons[i].exception ||
        a.reasons[i].outcome != b.reasons[i].outcome) {
      return false;
    }
  }
  return a.errors.size() == b.errors.size();
}

auto ResolveRuleIds(const ir::Program& p) -> RuleIds {
  std::vector<std::string> missing;
  RuleIds ids = RuleIds::Resolve(
      [&](std::string_view name) -> std::optional<uint32_t> {
        for (uint32_t r = 0; r < p.rules.size(); ++r) {
          if (p.rules[r].name == name) return r;
        }
        return std::nullopt;
      },
      missing);
  if (!missing.empty()) {
    Die(fmt::format("the policy has no rule {}: the hand-written baseline is out of date",
                    fmt::join(missing, ", ")));
  }
  // A rule added to the stdlib and not written by hand would make the comparison meaningless.
  std::vector<std::string_view> known = RuleIds::Names();
  RequirementIndex().assign(p.rules.size(), -1);
  int requirements = 0;
  for (uint32_t r = 0; r < p.rules.size(); ++r) {
    if (p.rules[r].requirement) RequirementIndex()[r] = requirements++;
  }
  if (requirements != ear_bench::kRequirementCount) {
    Die(fmt::format("the policy has {} `require`s and the baseline {}", requirements,
                    static_cast<int>(ear_bench::kRequirementCount)));
  }
  for (const ir::Rule& rule : p.rules) {
    if (rule.requirement) continue;
    if (std::find(known.begin(), known.end(), rule.name) == known.end()) {
      Die(fmt::format("rule `{}` ({}) is not in the hand-written baseline", rule.name,
                      rule.module));
    }
  }
  const std::vector<std::string> lattice = {"prohibited", "license_required", "report",
                                            "license_exception_nac", "no_license_required"};
  if (p.outcomes != lattice) Die("the policy's outcomes are not the lattice the baseline assumes");
  return ids;
}

struct Mix {
  size_t rows;
  EntityList list;
  std::vector<GenRequest> generated;
  std::vector<std::string> json;
  std::vector<EarRequest> hand_requests;
  std::deque<std::string> texts;  // other decoded texts: the decoder's own are overwritten
  std::deque<ir::List> lists;     // and its lists (the end user's owners), with their elements
  std::deque<std::vector<ir::Datum>> list_items;
  std::vector<std::vector<ir::Datum>> slots;
  std::vector<DayNumber> days;
  std::vector<interp::Decision> expected;  // the interpreter's decisions
  std::unique_ptr<HandPolicy> hand;

  explicit Mix(size_t n) : rows(n), list(MakeEntityList(n)) {
    const ir::Program& program = TheProgram();
    generated = MakeRequests(list, kSeed + n);
    request::Decoder decoder(program);
    std::vector<std::string> problems;
    for (const GenRequest& q : generated) {
      json.push_back(ToJson(q));
      hand_requests.push_back(ToHand(q));
      std::vector<ir::Datum> s;
      if (!decoder.Decode(json.back(), s, problems)) {
        Die(fmt::format("a generated request is malformed:\n{}\n{}", json.back(),
                        fmt::join(problems, "\n")));
      }
      for (ir::Datum& d : s) {
        if (d.kind == ir::Kind::kList) Keep(d);
        if (d.kind != ir::Kind::kText || !d.present) continue;
        // The names the hand-written code reads, read from the same bytes at the same
        // addresses, so that no side has its texts packed closer together in memory.
        if (d.text == q.user_name) {
          d.text = q.user_name;
        } else if (d.text == q.item_name) {
          d.text = q.item_name;
        } else {
          d.text = texts.emplace_back(d.text);
        }
      }
      days.push_back(static_cast<DayNumber>(s[program.as_of_slot].bits));
      slots.push_back(std::move(s));
    }
    hand = std::make_unique<HandPolicy>(ResolveRuleIds(program), list.csv,
                                        ReadFile(std::string(kEar) + "unverified_list.csv"),
                                        ReadFile(std::string(kEar) + "military_end_user_list.csv"),
                                        ReadFile(std::string(kEar) + "is_informed.csv"),
                                        ReadFile(std::string(kEar) + "gp10_items.csv"));
    CheckAgainstInterpreter();
  }

  // Copies a decoded list, its elements and their texts out of the decoder, which reuses them.
  void Keep(ir::Datum& d) {
    const auto* list = static_cast<const ir::List*>(d.set);
    if (list == nullptr) return;  // an empty list's header is the decoder's too: kept below
    std::vector<ir::Datum>& items =
        list_items.emplace_back(list->items, list->items + size_t{list->count} * list->stride);
    for (ir::Datum& item : items) {
      if (item.kind == ir::Kind::kList) Keep(item);
      if (item.kind == ir::Kind::kText && item.present) item.text = texts.emplace_back(item.text);
    }
    d.set = &lists.emplace_back(
        ir::List{.items = items.data(), .count = list->count, .stride = list->stride});
  }

  // The precondition: the interpreter and the hand-written code agree on every request.
  void CheckAgainstInterpreter() {
    const ir::Program& program = TheProgram();
    std::string error;
    runtime::Engine* engine = EngineWithList(runtime::EngineKind::kInterp, rows, list.csv, error);
    if (engine == nullptr) Die(fmt::format("{}-row list: {}", rows, error));
    runtime::Session session(*engine);
    HandDecision mine;
    std::vector<size_t> disagree;
    std::vector<size_t> fired(program.rules.size(), 0);
    // taken[r][k]: rule r fired with its `unless` #k (k = 0: its own `then`).
    std::vector<std::vector<size_t>> taken(program.rules.size());
    for (size_t r = 0; r < taken.size(); ++r) taken[r].resize(program.rules[r].unless.size() + 1);
    std::vector<size_t> outcomes(program.outcomes.size(), 0);
    expected.resize(kMix);
    for (size_t i = 0; i < kMix; ++i) {
      session.Decide(slots[i], days[i], expected[i]);
      hand->Decide(hand_requests[i], mine);
      if (!Agree(expected[i], mine)) {
        if (disagree.size() < 10) {
          fmt::print(stderr, "request {}: {}\n  interpreter:  {}\n  hand-written: {}\n", i, json[i],
                     DescribeInterp(program, expected[i]), DescribeHand(program, mine));
        }
        disagree.push_back(i);
        continue;
      }
      if (!expected[i].error) ++outcomes[expected[i].outcome];
      for (const interp::Reason& r : expected[i].reasons) {
        ++fired[r.rule];
        ++taken[r.rule][r.exception == ir::kNoId ? 0 : r.exception + 1];
      }
    }
    if (!disagree.empty()) {
      Die(
          fmt::format("{}-row list: the hand-written baseline disagrees with the interpreter on "
                      "{} of {} requests (the first are above); no figures are reported",
                      rows, disagree.size(), kMix));
    }
    // What the mix exercised, so that a rule the mix never reaches is visible.
    std::string summary;
    for (size_t o = 0; o < outcomes.size(); ++o) {
      summary += fmt::format("{}{} {}", o == 0 ? "" : ", ", program.outcomes[o], outcomes[o]);
    }
    std::string never;
    std::string rules;
    for (size_t r = 0; r < fired.size(); ++r) {
      rules += fmt::format(" {}:{}", program.rules[r].name, fired[r]);
      if (fired[r] == 0) never += " " + program.rules[r].name;
      for (size_t k = 1; k < taken[r].size(); ++k) {
        if (fired[r] != 0 && taken[r][k] == 0) {
          never += fmt::format(" {}(unless #{})", program.rules[r].name, k);
        }
      }
    }
    fmt::print(stderr,
               "ear_bench: {}-row Entity List: the interpreter and the hand-written code agree on "
               "all {} requests ({})\n  fired:{}\n",
               rows, kMix, summary, rules);
    if (!never.empty()) fmt::print(stderr, "  never fired in this mix:{}\n", never);
  }
};

auto TheMix(int64_t rows) -> Mix& {
  static std::map<int64_t, std::unique_ptr<Mix>> mixes;
  std::unique_ptr<Mix>& mix = mixes[rows];
  if (mix == nullptr) mix = std::make_unique<Mix>(static_cast<size_t>(rows));
  return *mix;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks. Each iteration decides one request of the mix, in order, so every figure is
// ns per decision over the same 4,096 requests.

void BM_EarInterp(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  std::string error;
  runtime::Engine* engine =
      EngineWithList(runtime::EngineKind::kInterp, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  runtime::Session session(*engine);
  interp::Decision decision;
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++ & (kMix - 1);
    session.Decide(mix.slots[k], mix.days[k], decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}

// The compiled engines decide requests already packed in the generated request struct, as a
// host filling the struct from its own data would call them.
void CompiledBench(benchmark::State& state, runtime::EngineKind kind) {
  Mix& mix = TheMix(state.range(0));
  std::string error;
  runtime::Engine* engine = EngineWithList(kind, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  runtime::Session session(*engine);
  // One array of structs, as the hand-written requests are one vector.
  const abi::RequestLayout& layout = engine->layout();
  const size_t words = (layout.size + 7) / 8;
  std::vector<uint64_t> buffer(words * kMix);
  std::vector<const uint64_t*> packed;
  abi::PackArena arena;  // the owners' element structs, kept for the whole run
  for (size_t k = 0; k < kMix; ++k) {
    abi::PackRequest(layout, mix.slots[k], reinterpret_cast<uint8_t*>(&buffer[k * words]), &arena);
    packed.push_back(&buffer[k * words]);
  }
  interp::Decision decision;
  // Held to the interpreter before it is timed.
  for (size_t k = 0; k < kMix; ++k) {
    session.DecideStruct(packed[k], mix.days[k], decision);
    if (!SameDecision(decision, mix.expected[k])) {
      error = fmt::format("{} disagrees with the interpreter on {}: {} vs {}",
                          runtime::EngineKindName(kind), mix.json[k],
                          DescribeInterp(TheProgram(), decision),
                          DescribeInterp(TheProgram(), mix.expected[k]));
      return state.SkipWithError(error.c_str());
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++ & (kMix - 1);
    session.DecideStruct(packed[k], mix.days[k], decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_EarJit(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kJit); }
void BM_EarAot(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kAot); }

// The batch API over the same structs, back to back (cordon_decide_batch), with state.range(1)
// threads: one call decides the whole mix. "per_decision" is the wall time of one decision.
// state.range(2): 1 to fetch the next request's names while one is decided (the default), 0 not.
void BM_EarBatchAot(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  const auto threads = static_cast<uint32_t>(state.range(1));
  std::string error;
  runtime::Engine* engine =
      EngineWithList(runtime::EngineKind::kAot, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  const abi::RequestLayout& layout = engine->layout();
  struct alignas(16) Block {
    uint8_t bytes[16];
  };
  std::vector<Block> buffer((layout.size * kMix + 15) / 16);
  uint8_t* structs = buffer.data()->bytes;
  abi::PackArena arena;
  for (size_t k = 0; k < kMix; ++k) {
    abi::PackRequest(layout, mix.slots[k], structs + k * layout.size, &arena);
  }
  runtime::Batch batch(*engine);
  batch.set_lookahead(state.range(2) != 0);
  batch.DecideStructs(structs, kMix, threads);
  for (size_t k = 0; k < kMix; ++k) {
    if (!SameDecision(batch[k].decision, mix.expected[k])) {
      error = fmt::format("the batch disagrees with the interpreter on {}: {} vs {}", mix.json[k],
                          DescribeInterp(TheProgram(), batch[k].decision),
                          DescribeInterp(TheProgram(), mix.expected[k]));
      return state.SkipWithError(error.c_str());
    }
  }
  for (auto _ : state) {
    batch.DecideStructs(structs, kMix, threads);
    benchmark::DoNotOptimize(batch[kMix - 1].decision.outcome);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMix));
  state.counters["per_decision"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kMix),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The same rules by hand, on the same requests converted once to the plain struct (as the
// compiled engines get theirs packed once).
void BM_EarHandWritten(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  HandDecision decision;
  size_t i = 0;
  for (auto _ : state) {
    mix.hand->Decide(mix.hand_requests[i++ & (kMix - 1)], decision);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}

// NormalizeName alone, on the mix's end-user and item names: every engine and the hand-written
// code pay it for each name they look up.
void BM_NormalizeName(benchmark::State& state) {
  Mix& mix = TheMix(1000);
  std::vector<std::string_view> names;
  for (const EarRequest& r : mix.hand_requests) {
    names.push_back(r.end_user_name);
    names.push_back(r.item_name);
  }
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(NormalizeName(names[i++ % names.size()], out));
  }
  state.SetItemsProcessed(state.iterations());
}

// `cordon decide` on the mix as JSON Lines: decode, decide, render the decision line, exactly
// as the driver does per line (runtime::JsonDecider + runtime::DecisionJson).
void BM_EarDecideJsonl(benchmark::State& state, runtime::EngineKind kind) {
  Mix& mix = TheMix(state.range(0));
  std::string error;
  runtime::Engine* engine = EngineWithList(kind, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  runtime::JsonDecider decider(*engine);
  std::vector<std::string> problems;
  interp::Decision decision;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& line = mix.json[i++ & (kMix - 1)];
    decider.Decide(line, std::nullopt, decision, nullptr, problems);
    std::string out =
        runtime::DecisionJson(engine->program(), decision, problems, nullptr, decider.day());
    benchmark::DoNotOptimize(out.data());
    bytes += static_cast<int64_t>(line.size()) + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// `cordon decide`'s batch path: the mix as one JSON Lines buffer, decoded, decided and written
// as JSON Lines by runtime::Batch with state.range(1) threads. "per_line" is the wall time of
// one line.
void BM_EarDecideBatchJsonl(benchmark::State& state, runtime::EngineKind kind) {
  Mix& mix = TheMix(state.range(0));
  const auto threads = static_cast<uint32_t>(state.range(1));
  std::string error;
  runtime::Engine* engine = EngineWithList(kind, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  std::string jsonl;
  for (const std::string& line : mix.json) jsonl += line + "\n";
  runtime::Batch batch(*engine);
  batch.set_render(true);
  size_t bytes = 0;
  for (auto _ : state) {
    batch.DecideJsonLines(jsonl, std::nullopt, threads);
    for (std::string_view piece : batch.rendered()) bytes += piece.size();
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * mix.json.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * jsonl.size()));
  state.counters["per_line"] =
      benchmark::Counter(static_cast<double>(state.iterations() * mix.json.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// One request (an H20 to Malaysia, dated within the Affiliates Rule) without owners, and with a
// tree of `owners` owners in three levels (4 direct owners of 25 %, each owned by 4 holding
// companies, the first of 55 % owned 60 % by a listed party in three of the four: restricted at
// 75 %), decided from its struct by the compiled engine, or decoded from JSON: what walking an
// ownership tree costs on top of the same decision (issue 23: at most 3x).
auto OwnersRequest(int owners) -> GenRequest {
  GenRequest q;
  q.as_of = Day(2026, 11, 20);
  q.kind = Kind::kExport;
  q.item_name = "NVIDIA H20";
  q.tpp = 2368 * K;
  q.area = 814 * K;
  q.datacenter = true;
  q.destination = "MY";
  q.user_name = "Example Sdn. Bhd.";
  q.user_country = "MY";
  q.user_hq = "MY";
  q.chips = 8;
  if (owners == 0) return q;
  q.owners.emplace();
  int made = 0;
  for (int d = 0; d < 4 && made < owners; ++d, ++made) {
    GenOwner direct{.name = fmt::format("Owner {}", d), .country = "SG", .share = 25 * K};
    for (int k = 0; k < 4 && made + 1 < owners; ++k) {
      ++made;
      GenOwner holding{.name = fmt::format("Holding {}-{}", d, k),
                       .country = "HK",
                       .share = (k == 0 ? 55 : 15) * K};
      if (k == 0 && made + 1 < owners) {
        ++made;
        holding.owners.push_back(GenOwner{
            .name = d < 3 ? "Sense Time" : "Example Fund", .country = "CN", .share = 60 * K});
      }
      direct.owners.push_back(std::move(holding));
    }
    q.owners->push_back(std::move(direct));
  }
  return q;
}

enum class OwnersPath : uint8_t { kEngine, kJson, kHand };

void BM_EarOwners(benchmark::State& state, runtime::EngineKind kind, OwnersPath path) {
  Mix& mix = TheMix(1000);
  std::string error;
  runtime::Engine* engine = EngineWithList(kind, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  const GenRequest q = OwnersRequest(static_cast<int>(state.range(0)));
  const std::string json = ToJson(q);
  if (path == OwnersPath::kHand) {
    EarRequest r = ToHand(q);
    ear_bench::HandDecision hand;
    for (auto _ : state) {
      mix.hand->Decide(r, hand);
      benchmark::DoNotOptimize(hand.fired);
    }
    state.SetItemsProcessed(state.iterations());
    return;
  }
  request::Decoder decoder(engine->program());
  std::vector<ir::Datum> slots;
  std::vector<std::string> problems;
  if (!decoder.Decode(json, slots, problems)) {
    return state.SkipWithError(fmt::format("{}", fmt::join(problems, "; ")).c_str());
  }
  runtime::Session session(*engine);
  const abi::RequestLayout& layout = engine->layout();
  std::vector<uint64_t> buffer((layout.size + 7) / 8);
  abi::PackArena arena;
  abi::PackRequest(layout, slots, reinterpret_cast<uint8_t*>(buffer.data()), &arena);
  const DayNumber day = static_cast<DayNumber>(slots[engine->program().as_of_slot].bits);
  interp::Decision decision;
  const bool from_json = path == OwnersPath::kJson;
  for (auto _ : state) {
    if (from_json) {
      decoder.Decode(json, slots, problems);
      benchmark::DoNotOptimize(slots.data());
    } else if (kind == runtime::EngineKind::kInterp) {
      session.Decide(slots, day, decision);
    } else {
      session.DecideStruct(buffer.data(), day, decision);
    }
  }
  if (!from_json && decision.error) {
    return state.SkipWithError("the ownership request is decided `error`");
  }
  state.SetItemsProcessed(state.iterations());
}

// Replacing the Entity List of a live engine from CSV text: parse and check every row, index
// the normalised names and aliases, swap. (The copy of the text handed over is not timed.)
void BM_EarSwap(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  std::string error;
  runtime::Engine* engine =
      EngineWithList(runtime::EngineKind::kInterp, mix.rows, mix.list.csv, error);
  if (engine == nullptr) return state.SkipWithError(error.c_str());
  const std::string source = fmt::format("entities_{}.csv", mix.rows);
  for (auto _ : state) {
    state.PauseTiming();
    std::string csv = mix.list.csv;
    state.ResumeTiming();
    if (auto failed = engine->SwapTableCsv("entity_list", std::move(csv), source)) {
      state.SkipWithError(failed->message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(mix.rows));
}

// A synthetic Consolidated Screening List of `rows` entries, every one of a list the import
// keeps (the worst case: the real file's SDN rows are only counted), in the official CSV layout
// (every cell quoted, multi-valued cells joined with "; ") or the JSON one. One entry in 30 is on
// the Unverified List (undated, as there), one on the MEU List, the rest on the Entity List, each
// with two aliases and two addresses.
auto SyntheticCsl(size_t rows, bool json) -> std::string {
  constexpr std::string_view kSources[] = {
      "Entity List (EL) - Bureau of Industry and Security",
      "Unverified List (UVL) - Bureau of Industry and Security",
      "Military End User (MEU) List - Bureau of Industry and Security"};
  std::string out = json ? "{\"results\": [\n"
                         : "_id,source,entity_number,type,programs,name,title,addresses,"
                           "federal_register_notice,start_date,end_date,standard_order,"
                           "license_requirement,license_policy,call_sign,vessel_type,"
                           "gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,"
                           "remarks,source_list_url,alt_names,citizenships,dates_of_birth,"
                           "nationalities,places_of_birth,source_information_url,ids\n";
  for (size_t i = 0; i < rows; ++i) {
    std::string_view source = kSources[i % 30 == 0 ? 1 : i % 30 == 1 ? 2 : 0];
    std::string date =
        i % 30 == 0 ? "" : fmt::format("20{:02}-{:02}-{:02}", 10 + i % 16, 1 + i % 12, 1 + i % 28);
    if (json) {
      out += fmt::format(
          "{}{{\"id\": \"{:056x}\", \"source\": \"{}\", \"type\": null, \"programs\": [], "
          "\"name\": \"Synthetic Trading {} Technology Co., Ltd.\", \"alt_names\": "
          "[\"ST{}\", \"Synthetic {} Group\"], \"addresses\": [{{\"address\": \"Room {}, 1 "
          "Road\", \"city\": \"Shenzhen\", \"state\": \"Guangdong\", \"postal_code\": null, "
          "\"country\": \"CN\"}}, {{\"address\": \"2 Road\", \"city\": \"Kowloon\", "
          "\"state\": null, \"postal_code\": null, \"country\": \"HK\"}}], "
          "\"federal_register_notice\": \"84 FR {}\", \"start_date\": {}, \"end_date\": null, "
          "\"license_requirement\": \"For all items subject to the EAR. (See \u00a7744.11 of "
          "the EAR).\", \"license_policy\": \"Presumption of denial.\"}}\n",
          i == 0 ? "" : ",", i, source, i, i, i, i, 50000 + i % 9000,
          date.empty() ? "null" : fmt::format("\"{}\"", date));
    } else {
      out += fmt::format(
          "\"{:056x}\",\"{}\",\"\",\"\",\"\",\"Synthetic Trading {} Technology Co., Ltd.\",\"\","
          "\"Room {}, 1 Road, Shenzhen, Guangdong, CN; 2 Road, Kowloon, Hong Kong, HK\","
          "\"84 FR {}\",\"{}\",\"\",\"\",\"For all items subject to the EAR. (See §744.11 of "
          "the EAR).\",\"Presumption of denial.\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
          "\"https://www.bis.doc.gov/\",\"ST{}; Synthetic {} Group\",\"\",\"\",\"\",\"\","
          "\"https://www.bis.doc.gov/\",\"\"\n",
          i, source, i, i, 50000 + i % 9000, date, i, i);
    }
  }
  if (json) out += "]}\n";
  return out;
}

// `cordon table import` without the file system: read a CSL-sized file (30,000 entries) and
// write the three table files' text. The aim (issue 24): under 1 s.
void BM_CslImport(benchmark::State& state, bool json) {
  const size_t rows = static_cast<size_t>(state.range(0));
  const std::string text = SyntheticCsl(rows, json);
  for (auto _ : state) {
    SourceBuffer file = SourceBuffer::FromText(json ? "csl.json" : "csl.csv", text);
    CollectingConsumer sink;
    DiagnosticEmitter emitter(sink);
    std::optional<tables::CslImport> import = tables::ImportCsl(file, emitter);
    if (!import || import->entries.size() != rows) {
      state.SkipWithError("the synthetic CSL did not import whole");
      break;
    }
    size_t written = 0;
    for (int list = 0; list < tables::kCslListCount; ++list) {
      written += tables::WriteCslTable(*import, static_cast<tables::CslList>(list)).size();
    }
    benchmark::DoNotOptimize(written);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}

// The imported Entity List (28,000 parties of a 30,000-entry CSL) swapped into a live engine of
// the stdlib: every row checked against the table's columns, the names and aliases indexed. The
// aim (issue 24): under 100 ms.
void BM_CslSwap(benchmark::State& state) {
  const std::string text = SyntheticCsl(static_cast<size_t>(state.range(0)), false);
  SourceBuffer file = SourceBuffer::FromText("csl.csv", text);
  CollectingConsumer sink;
  DiagnosticEmitter emitter(sink);
  std::optional<tables::CslImport> import = tables::ImportCsl(file, emitter);
  if (!import) return state.SkipWithError("the synthetic CSL did not import");
  size_t parties = 0;
  const std::string entities =
      tables::WriteCslTable(*import, tables::CslList::kEntityList, &parties);
  EngineSlot& slot = Slot(runtime::EngineKind::kInterp);
  if (slot.engine == nullptr) return state.SkipWithError(slot.error.c_str());
  runtime::Engine* engine = slot.engine.get();
  for (auto _ : state) {
    state.PauseTiming();
    std::string csv = entities;
    state.ResumeTiming();
    if (auto failed = engine->SwapTableCsv("entity_list", std::move(csv), "entities.csv")) {
      state.SkipWithError(failed->message.c_str());
      break;
    }
  }
  // The engine no longer holds the mix's list: the next benchmark that needs it swaps it back.
  slot.rows = 0;
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(parties));
}

// The argument is the number of Entity List rows: 1,000, 10,000 and 100,000.
BENCHMARK(BM_EarInterp)->RangeMultiplier(10)->Range(1000, 100000);
BENCHMARK(BM_EarJit)->RangeMultiplier(10)->Range(1000, 100000);
BENCHMARK(BM_EarAot)->RangeMultiplier(10)->Range(1000, 100000);
BENCHMARK(BM_EarHandWritten)->RangeMultiplier(10)->Range(1000, 100000);
BENCHMARK(BM_EarBatchAot)->ArgsProduct({{1000, 10000, 100000}, {1, 2}, {0, 1}})->UseRealTime();
BENCHMARK_CAPTURE(BM_EarDecideBatchJsonl, jit, runtime::EngineKind::kJit)
    ->ArgsProduct({{10000}, {1, 2}})
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_EarDecideBatchJsonl, aot, runtime::EngineKind::kAot)
    ->ArgsProduct({{10000}, {1, 2}})
    ->UseRealTime();
BENCHMARK(BM_NormalizeName);
BENCHMARK_CAPTURE(BM_EarDecideJsonl, interp, runtime::EngineKind::kInterp)->Arg(10000);
BENCHMARK_CAPTURE(BM_EarDecideJsonl, jit, runtime::EngineKind::kJit)->Arg(10000);
BENCHMARK_CAPTURE(BM_EarDecideJsonl, aot, runtime::EngineKind::kAot)->Arg(10000);
BENCHMARK_CAPTURE(BM_EarOwners, aot, runtime::EngineKind::kAot, OwnersPath::kEngine)
    ->Arg(0)
    ->Arg(20);
BENCHMARK_CAPTURE(BM_EarOwners, hand, runtime::EngineKind::kAot, OwnersPath::kHand)
    ->Arg(0)
    ->Arg(20);
BENCHMARK_CAPTURE(BM_EarOwners, interp, runtime::EngineKind::kInterp, OwnersPath::kEngine)
    ->Arg(0)
    ->Arg(20);
BENCHMARK_CAPTURE(BM_EarOwners, decode, runtime::EngineKind::kInterp, OwnersPath::kJson)
    ->Arg(0)
    ->Arg(20);
BENCHMARK(BM_EarSwap)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CslImport, csv, false)->Arg(30000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CslImport, json, true)->Arg(30000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CslSwap)->Arg(30000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cordon

BENCHMARK_MAIN();
