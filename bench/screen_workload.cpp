// SPDX-License-Identifier: Apache-2.0
// The screening workload (screen_workload.h). Choices are made from raw draws of
// std::mt19937_64, whose output the standard fixes (its distributions it does not), so the
// lists and the mix are the same with every compiler and library.
#include "bench/screen_workload.h"

#include <random>
#include <unordered_set>
#include <utility>

#include "bench/plain_screener.h"

namespace cordon::screen_bench {
namespace {

constexpr uint64_t kListSeed = 20261207;

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  auto Below(uint64_t n) -> uint64_t { return engine() % n; }
  auto Percent(unsigned p) -> bool { return Below(100) < p; }
  template <typename T, size_t N>
  auto Of(const T (&items)[N]) -> const T& {
    return items[Below(N)];
  }
};

// Romanised Chinese and Western-sounding syllables: two or three make a brand ("Huaxin",
// "Nortek").
const char* const kChineseSyllables[] = {
    "hua",   "xin",  "tian", "ke",    "long",   "rui",  "kai",  "jing", "zhong", "hai",
    "sheng", "feng", "hong", "yuan",  "chuang", "wei",  "ming", "xing", "bo",    "jia",
    "tong",  "heng", "yi",   "zhi",   "run",    "teng", "chen", "an",   "lian",  "kun",
    "rong",  "yu",   "hao",  "cheng", "fang",   "jun",  "lei",  "nan",  "qi",    "da",
    "guo",   "mei",  "sen",  "tai",   "lin",    "bao",  "fu",   "xiang"};
const char* const kWesternSyllables[] = {"nor", "tek", "vel", "mar", "sol", "tri",  "dex",
                                         "ion", "ara", "vin", "kor", "len", "sta",  "lux",
                                         "pro", "gen", "tor", "zen", "mid", "quan", "rex"};
const char* const kSectors[] = {"Technology", "Electronics", "Semiconductor", "Microelectronics",
                                "Systems",    "Instruments", "Photonics",     "Computing",
                                "Trading",    "Industrial",  "Precision",     "Materials",
                                "Software",   "Networks",    "Optics",        "Robotics",
                                "Aerospace",  "Data",        "Intelligent",   "Devices"};
// Legal forms whose every word is one a key drops, so that one may replace another; the common
// ones more often.
const char* const kForms[] = {"Co., Ltd.",   "Co., Ltd.", "Co., Ltd.",
                              "Co Ltd",      "Ltd",       "Ltd.",
                              "Limited",     "Limited",   "Company Limited",
                              "Inc.",        "Inc",       "Corp.",
                              "Corporation", "LLC",       "GmbH",
                              "AG",          "JSC",       "PLC",
                              "Pte. Ltd.",   "Pty Ltd",   "Sdn. Bhd.",
                              "Co.",         "Company",   "Incorporated"};
// Words that make another company of a listed one: "Huaxin Trading Co., Ltd.".
const char* const kExtraWords[] = {"Trading",         "International", "Group",     "Holdings",
                                   "Global",          "Industrial",    "Logistics", "Investment",
                                   "Import & Export", "Development",   "Services",  "Research"};

const char* const kEmbargoed[] = {"CU", "IR", "KP", "SY"};
const char* const kWatched[] = {"CN", "CN", "CN", "MO", "RU", "RU", "BY"};
const char* const kOrdinary[] = {"US", "US", "US", "DE", "JP", "GB", "FR", "IN", "BR", "SG",
                                 "MY", "VN", "AE", "KR", "TW", "NL", "MX", "TH", "ID", "IT",
                                 "ES", "CA", "AU", "TR", "SA", "IL", "PL", "SE", "CH", "ZA",
                                 "HK", "KZ", "EG", "NG", "AR", "CL", "PH", "FI", "IE", "NZ"};
const char* const kItemClasses[] = {"3A090", "3A090", "3A090", "3A090", "3A090", "3A090", "3A090",
                                    "4A090", "4A090", "3A001", "3A001", "5A002", "5A002", "5A992",
                                    "5A992", "EAR99", "EAR99", "EAR99", "EAR99", "3A991"};

// A company name as its core words and its legal form (several words, or none).
struct NameParts {
  std::vector<std::string> words;
  std::string form;
};

auto Render(const NameParts& p) -> std::string {
  std::string out;
  for (const std::string& w : p.words) out += (out.empty() ? "" : " ") + w;
  if (!p.form.empty()) out += " " + p.form;
  return out;
}

auto MakeWord(Rng& rng, bool western) -> std::string {
  std::string word;
  const int syllables = rng.Percent(75) ? 2 : 3;
  for (int i = 0; i < syllables; ++i) {
    word += western ? rng.Of(kWesternSyllables) : rng.Of(kChineseSyllables);
  }
  word[0] = static_cast<char>(word[0] - 'a' + 'A');
  return word;
}

// Two to four core words (one to three brand or place words, maybe a sector) and, for three
// names in four, a legal form.
auto SyntheticParts(Rng& rng) -> NameParts {
  NameParts p;
  const bool western = rng.Percent(30);
  const size_t brands = 1 + rng.Below(3);
  for (size_t i = 0; i < brands; ++i) p.words.push_back(MakeWord(rng, western));
  if (brands == 1 || rng.Percent(60)) p.words.push_back(rng.Of(kSectors));
  if (rng.Percent(75)) p.form = rng.Of(kForms);
  return p;
}

// Whether a word of a written name ("Co.,", "Ltd.") is made of legal forms only.
auto IsFormToken(std::string_view token) -> bool {
  bool any = false;
  std::string run;
  auto flush = [&] {
    if (run.empty()) return true;
    bool form = NameKey::IsLegalForm(run);
    any = any || form;
    run.clear();
    return form;
  };
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') {
      run += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      run += c;
    } else if (static_cast<unsigned char>(c) >= 0x80 || !flush()) {
      return false;
    }
  }
  return flush() && any;
}

// A written name back into its parts: the words after the first that are legal forms are the
// form.
auto SplitName(std::string_view name) -> NameParts {
  std::vector<std::string> tokens;
  size_t at = 0;
  while (at < name.size()) {
    size_t end = name.find(' ', at);
    if (end == std::string_view::npos) end = name.size();
    if (end > at) tokens.emplace_back(name.substr(at, end - at));
    at = end + 1;
  }
  size_t core = tokens.size();
  while (core > 1 && IsFormToken(tokens[core - 1])) --core;
  NameParts p;
  p.words.assign(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(core));
  for (size_t i = core; i < tokens.size(); ++i) p.form += (p.form.empty() ? "" : " ") + tokens[i];
  return p;
}

auto Utf8(uint32_t cp) -> std::string {
  return {static_cast<char>(0xe0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
          static_cast<char>(0x80 | (cp & 0x3f))};
}

// Another spelling of the name `p`, by one or two of the changes order systems make: case, a
// hyphen inside a word, a space removed between words, the legal form added, dropped or
// changed, a no-break space, an ideographic space or a word in full-width letters, the
// punctuation left out. Not every result keeps the key (a hyphen can cut a legal form off a
// word): the caller checks.
auto Respell(NameParts p, Rng& rng) -> std::string {
  enum class Case : uint8_t { kAsIs, kUpper, kLower, kMixed } letter_case = Case::kAsIs;
  const char* space = nullptr;  // one separator written as this Unicode space
  bool full_width = false;
  bool no_punctuation = false;
  const int changes = rng.Percent(40) ? 2 : 1;
  for (int k = 0; k < changes; ++k) {
    const unsigned r = static_cast<unsigned>(rng.Below(100));
    if (r < 25) {
      letter_case = static_cast<Case>(1 + rng.Below(3));
    } else if (r < 40) {
      std::string& w = p.words[rng.Below(p.words.size())];
      if (w.size() >= 4) w.insert(2 + rng.Below(w.size() - 3), "-");
    } else if (r < 55) {
      if (p.words.size() >= 2) {
        size_t i = rng.Below(p.words.size() - 1);
        p.words[i] += p.words[i + 1];
        p.words.erase(p.words.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      }
    } else if (r < 80) {
      if (!p.form.empty() && rng.Percent(35)) {
        p.form.clear();
      } else {
        p.form = rng.Of(kForms);
      }
    } else if (r < 92) {
      space = "\u00a0";
    } else if (r < 96) {
      if (rng.Percent(50)) {
        space = "\u3000";
      } else {
        full_width = true;
      }
    } else {
      no_punctuation = true;
    }
  }
  if (full_width) {
    std::string& w = p.words[rng.Below(p.words.size())];
    std::string wide;
    for (char c : w) {
      auto u = static_cast<unsigned char>(c);
      wide += u > 0x20 && u < 0x7f ? Utf8(u + 0xfee0) : std::string(1, c);
    }
    w = wide;
  }
  std::string name = Render(p);
  if (space != nullptr) {
    std::vector<size_t> spaces;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == ' ') spaces.push_back(i);
    }
    if (!spaces.empty()) name.replace(spaces[rng.Below(spaces.size())], 1, space);
  }
  std::string out;
  for (char c : name) {
    if (no_punctuation && (c == ',' || c == '.')) continue;
    const bool upper = c >= 'A' && c <= 'Z';
    const bool lower = c >= 'a' && c <= 'z';
    switch (letter_case) {
      case Case::kAsIs:
        break;
      case Case::kUpper:
        if (lower) c = static_cast<char>(c - 'a' + 'A');
        break;
      case Case::kLower:
        if (upper) c = static_cast<char>(c - 'A' + 'a');
        break;
      case Case::kMixed:
        if ((upper || lower) && rng.Percent(30)) c = static_cast<char>(c ^ 0x20);
        break;
    }
    out += c;
  }
  return out;
}

// A name that shares words with the listed `p` and is another company: a word replaced, a word
// added ("Huaxin Trading Co., Ltd."), a word left out, two words swapped; respelt half the time.
auto Decoy(NameParts p, Rng& rng) -> std::string {
  const unsigned r = static_cast<unsigned>(rng.Below(100));
  const size_t n = p.words.size();
  if (r < 40 || n < 2) {
    p.words[rng.Below(n)] = MakeWord(rng, rng.Percent(30));
  } else if (r < 75) {
    std::string extra = rng.Percent(60) ? rng.Of(kExtraWords) : MakeWord(rng, rng.Percent(30));
    size_t at = rng.Percent(60) ? n : rng.Below(n + 1);
    p.words.insert(p.words.begin() + static_cast<std::ptrdiff_t>(at), std::move(extra));
  } else if (r < 85) {
    p.words.erase(p.words.begin() + static_cast<std::ptrdiff_t>(rng.Below(n)));
  } else {
    size_t i = rng.Below(n - 1);
    std::swap(p.words[i], p.words[i + 1]);
  }
  return rng.Percent(50) ? Respell(std::move(p), rng) : Render(p);
}

auto CleanName(Rng& rng) -> std::string {
  NameParts p = SyntheticParts(rng);
  return rng.Percent(30) ? Respell(std::move(p), rng) : Render(p);
}

auto CsvField(std::string_view v) -> std::string {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

auto MakeListedNames(size_t count, const std::vector<std::string>& real_names)
    -> std::vector<std::string> {
  std::vector<std::string> out;
  out.reserve(count);
  std::unordered_set<std::string> keys;
  keys.reserve(count);
  NameKey key;
  for (const std::string& name : real_names) {
    if (out.size() == count) return out;
    const std::string& k = key.Make(name);
    if (!k.empty() && keys.insert(k).second) out.push_back(name);
  }
  Rng rng(kListSeed);
  while (out.size() < count) {
    std::string name = Render(SyntheticParts(rng));
    if (keys.insert(key.Make(name)).second) out.push_back(std::move(name));
  }
  return out;
}

auto MakeRequests(const std::vector<std::string>& listed, uint64_t seed)
    -> std::vector<WorkloadRequest> {
  Rng rng(seed);
  PlainScreener screener(listed);
  NameKey key;
  std::vector<WorkloadRequest> out;
  out.reserve(kMixSize);
  for (size_t i = 0; i < kMixSize; ++i) {
    WorkloadRequest q;
    const std::string& base = listed[rng.Below(listed.size())];
    const NameParts parts = SplitName(base);
    const unsigned kind = static_cast<unsigned>(rng.Below(100));
    if (kind < 30) {
      // Tries spellings until one keeps the key; the name as listed if none does.
      q.kind = NameKind::kListedVariant;
      const std::string want = key.Make(base);
      q.end_user = base;
      for (int attempt = 0; attempt < 16; ++attempt) {
        std::string name = Respell(parts, rng);
        if (key.Make(name) == want) {
          q.end_user = std::move(name);
          break;
        }
      }
    } else {
      // Tries decoys until one is on no list; a clean name if none is.
      q.kind = NameKind::kClean;
      for (int attempt = 0; attempt < 16 && q.end_user.empty(); ++attempt) {
        std::string name = kind < 80 ? Decoy(parts, rng) : CleanName(rng);
        if (!key.Make(name).empty() && !screener.IsListed(name)) {
          q.end_user = std::move(name);
          q.kind = kind < 80 ? NameKind::kDecoy : NameKind::kClean;
        }
      }
      while (q.end_user.empty()) {
        std::string name = CleanName(rng);
        if (!screener.IsListed(name)) q.end_user = std::move(name);
      }
    }
    const unsigned where = static_cast<unsigned>(rng.Below(100));
    q.destination = where < 5    ? rng.Of(kEmbargoed)
                    : where < 20 ? rng.Of(kWatched)
                                 : rng.Of(kOrdinary);
    q.item_class = rng.Of(kItemClasses);
    out.push_back(std::move(q));
  }
  return out;
}

auto ListedCsv(const std::vector<std::string>& listed) -> std::string {
  std::string out = "name\n";
  for (const std::string& name : listed) out += CsvField(name) + "\n";
  return out;
}

auto ParseCsv(std::string_view text) -> std::vector<std::vector<std::string>> {
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    if (row.size() > 1 || !row[0].empty()) rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      end_row();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) end_row();
  return rows;
}

}  // namespace cordon::screen_bench
