// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/table_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "runtime/base/names.h"
#include "runtime/ir/ops.h"
#include "runtime/tables/csv.h"

namespace cordon::ir {
namespace {

// A `match normalized` table of names with an alias column, and what a lookup must find: the
// first row whose name or an alias normalises as the query does.
class NamedTable {
 public:
  explicit NamedTable(const std::vector<std::vector<std::string>>& rows,
                      const NameRules& rules = DefaultNameRules())
      : texts_(rows) {
    schema_.normalized = true;
    schema_.names = rules;
    schema_.columns = {Column{.name = "name", .kind = Kind::kText},
                       Column{.name = "aliases", .kind = Kind::kTextSet}};
    schema_.alias_columns = {1};
    Rows cells(2);
    for (const std::vector<std::string>& row : texts_) {
      std::span<Datum> cell = cells.AddRow();
      cell[0] = Datum{.kind = Kind::kText, .present = true};
      cell[0].text = std::string_view(row[0]);
      TextSet& aliases = sets_.emplace_back();
      for (size_t i = 1; i < row.size(); ++i) aliases.sorted.emplace_back(row[i]);
      cell[1] = Datum{.kind = Kind::kTextSet, .present = true};
      cell[1].set = &aliases;
    }
    data_.emplace(schema_, std::move(cells));
  }

  auto data() const -> const TableData& { return *data_; }
  // FindName on `query`, read afresh.
  auto Find(std::string_view query) -> int64_t {
    name_.Reset(query, schema_.names);
    return data_->FindName(name_);
  }

  // FindNear on `query`, read afresh.
  auto FindNear(std::string_view query) -> int64_t {
    name_.Reset(query, schema_.names);
    return data_->FindNear(name_);
  }

  // What FindNear must find, by brute force: the exact row, else the first row with a name or
  // alias of at least five code points at most one edit (OSA distance) from the query's key.
  auto ExpectedNear(std::string_view query) const -> int64_t {
    if (int64_t exact = Expected(query); exact >= 0) return exact;
    std::u32string key = Decode(Normalize(query));
    for (size_t r = 0; r < texts_.size(); ++r) {
      for (const std::string& name : texts_[r]) {
        std::u32string listed = Decode(Normalize(name));
        if (listed.size() >= TableData::kNearMin && Osa(key, listed) <= 1) {
          return static_cast<int64_t>(r);
        }
      }
    }
    return -1;
  }

  // UTF-8 to code points (the test's names are valid UTF-8).
  static auto Decode(std::string_view text) -> std::u32string {
    std::u32string out;
    for (size_t i = 0; i < text.size();) {
      auto c = static_cast<unsigned char>(text[i]);
      size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      char32_t cp = len == 1 ? c : c & (0x7f >> len);
      for (size_t k = 1; k < len; ++k)
        cp = cp << 6 | (static_cast<unsigned char>(text[i + k]) & 0x3f);
      out += cp;
      i += len;
    }
    return out;
  }

  // The optimal string alignment distance, by the textbook table.
  static auto Osa(const std::u32string& a, const std::u32string& b) -> size_t {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.size()][b.size()];
  }

  auto Expected(std::string_view query) const -> int64_t {
    std::string key = Normalize(query);
    for (size_t r = 0; r < texts_.size(); ++r) {
      for (const std::string& name : texts_[r]) {
        if (Normalize(name) == key) return static_cast<int64_t>(r);
      }
    }
    return -1;
  }

  auto Normalize(std::string_view name) const -> std::string {
    std::string out;
    NormalizeName(name, out, schema_.names);
    return out;
  }

 private:
  std::vector<std::vector<std::string>> texts_;
  std::deque<TextSet> sets_;
  Table schema_;
  std::optional<TableData> data_;
  NameKey name_;
};

TEST(TableDataTest, LegalFormsAtTheEndOfAQueryStillFindTheKey) {
  NamedTable table({{"Huawei Technologies Co., Ltd.", "Huawei"}, {"Limited"}, {"Co Ltd"}});
  auto find = [&](std::string_view query) { return table.Find(query); };
  EXPECT_EQ(find("HUAWEI TECHNOLOGIES"), 0);
  EXPECT_EQ(find("huawei technologies company limited"), 0);
  EXPECT_EQ(find("Huawei Ltd"), 0);
  EXPECT_EQ(find("Huawei Cloud"), -1);
  EXPECT_EQ(find("Huawei Technologies Cloud Ltd"), -1);
  EXPECT_EQ(find("limited"), 1);
  // "Co Ltd" normalises to "co": no key starts with "co ltd", yet "co" is one.
  EXPECT_EQ(find("co. inc."), 2);
  EXPECT_EQ(find("Co"), 2);
  EXPECT_EQ(find("Ltd Co"), -1);
  EXPECT_EQ(find(""), -1);
}

TEST(TableDataTest, TheEmptyNameIsAKeyLikeAnother) {
  NamedTable table({{"Acme"}, {"--"}});
  EXPECT_EQ(table.Find("..."), 1);
  EXPECT_EQ(table.Find("Acme Inc"), 0);
}

TEST(TableDataTest, AnAliasOfManyRowsFindsTheFirst) {
  std::vector<std::vector<std::string>> rows;
  for (int k = 0; k < 2000; ++k)
    rows.push_back({"Listed Company " + std::to_string(k), "LC Group"});
  NamedTable table(rows);
  EXPECT_EQ(table.Find("lc group ltd"), 0);
  EXPECT_EQ(table.Find("Listed Company 1999"), 1999);
}

// Small sets are searched by size first, large ones by binary search: both must find exactly
// the members, including texts of a member's size that differ from it.
TEST(TextSetTest, SmallAndLargeSetsFindExactlyTheirMembers) {
  for (size_t n : {0, 1, 11, 32, 33, 200}) {
    std::vector<std::string> texts;
    for (size_t k = 0; k < n; ++k) texts.push_back("member " + std::to_string(k * 7));
    std::sort(texts.begin(), texts.end());
    TextSet set;
    for (const std::string& t : texts) set.sorted.emplace_back(t);
    for (size_t k = 0; k < n + 3; ++k) {
      std::string probe = "member " + std::to_string(k * 7);
      EXPECT_EQ(TextSetHas(set, probe), k < n) << n << " " << probe;
      std::string same_size = probe;
      same_size.back() = same_size.back() == 'x' ? 'y' : 'x';
      EXPECT_FALSE(TextSetHas(set, same_size)) << n << " " << same_size;
    }
    EXPECT_FALSE(TextSetHas(set, ""));
  }
}

// Random tables and queries against the plain definition. The pieces make names that share
// first words, end in legal forms, are nothing but legal forms, or differ in one late word.
void AgreeWithNormalizeNameOnRandomTables(const NameRules& rules) {
  const std::vector<std::string> words = {
      "Beijing", "Huaxin", "Tech", "Semiconductor", "Co",   "Ltd", "Inc",      "Limited",
      "x",       "9",      "华为", "Corporation",   "ltdd", "AB",  "abcdefgh", "abcdefghij"};
  const std::vector<std::string> separators = {" ",      "  ", ", ", ".", "-",      " (", ") ",
                                               "\u00b7", "'",  "·-", "&", "\u3000", "''", " . "};
  std::mt19937 random(20261124);
  auto word = [&] { return words[random() % words.size()]; };
  auto phrase = [&](size_t most) {
    std::string out;
    size_t n = random() % most + (random() % 8 == 0 ? 0 : 1);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out += separators[random() % separators.size()];
      out += word();
    }
    return out;
  };
  // Another spelling of `name`: case, separators, and legal forms or words added at the end.
  auto respell = [&](std::string name) {
    for (char& c : name) {
      if (random() % 4 == 0) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    switch (random() % 4) {
      case 0:
        return name + ", " + (random() % 2 == 0 ? "Co. Ltd." : "Inc");
      case 1:
        return name + " " + word();
      case 2:
        return std::string(" ") + name + ".";
      default:
        return name;
    }
  };
  for (int round = 0; round < 40; ++round) {
    std::vector<std::vector<std::string>> rows(random() % 60 + 1);
    for (auto& row : rows) {
      row.push_back(phrase(4));
      for (size_t a = random() % 3; a > 0; --a) row.push_back(phrase(3));
    }
    NamedTable big(rows, rules);
    NamedTable small({rows[random() % rows.size()]}, rules);
    NameKey shared;  // read by both tables, as one decision's memo entry is
    for (int q = 0; q < 500; ++q) {
      const auto& row = rows[random() % rows.size()];
      std::string query = random() % 2 == 0 ? respell(row[random() % row.size()]) : phrase(5);
      shared.Reset(query, rules);
      bool small_first = random() % 2 == 0;
      if (small_first) {
        ASSERT_EQ(small.data().FindName(shared), small.Expected(query)) << query;
      }
      ASSERT_EQ(big.data().FindName(shared), big.Expected(query)) << query;
      ASSERT_EQ(small.data().FindName(shared), small.Expected(query)) << query;
      Datum key{.kind = Kind::kText, .present = true};
      key.text = std::string_view(query);
      ASSERT_EQ(big.data().Find(key), big.Expected(query)) << query;
    }
  }
}

TEST(TableDataTest, AgreesWithNormalizeNameOnRandomTables) {
  AgreeWithNormalizeNameOnRandomTables(DefaultNameRules());
}

// The same under declared rules: removed characters, kept ones, declared non-ASCII separators,
// words with spaces between them, case kept, and legal forms of one's own.
TEST(TableDataTest, AgreesWithNormalizeNameUnderDeclaredRules) {
  NameRules spaced;
  spaced.name = "spaced";
  spaced.compact = false;
  spaced.fold['.'] = NameRules::kRemoved;
  spaced.fold['\''] = NameRules::kRemoved;
  spaced.fold['&'] = '&';
  spaced.sequences = {{"\u00b7", NameRules::Action::kSeparate},
                      {"\u3000", NameRules::Action::kKeep}};
  spaced.Finish();
  NameRules forms;
  forms.name = "forms";
  forms.builtin_forms = false;
  forms.legal_forms = {"ab", "co", "tech", "x"};
  forms.fold['-'] = NameRules::kRemoved;
  for (int c = 'A'; c <= 'Z'; ++c) forms.fold[c] = static_cast<unsigned char>(c);
  forms.sequences = {{"\u00b7", NameRules::Action::kRemove}};
  forms.Finish();
  for (const NameRules* rules : {&spaced, &forms}) {
    SCOPED_TRACE(rules->name);
    AgreeWithNormalizeNameOnRandomTables(*rules);
  }
}

// One random edit of `name`'s characters (code points): one inserted, deleted or replaced, or
// two neighbours swapped.
auto Edit(std::string_view name, std::mt19937& random) -> std::string {
  std::u32string cps = NamedTable::Decode(name);
  if (cps.empty()) return std::string(name);
  size_t at = random() % cps.size();
  const std::u32string letters = U"aeiknrstxz9华";
  char32_t letter = letters[random() % letters.size()];
  switch (random() % 4) {
    case 0:
      cps.insert(cps.begin() + static_cast<long>(at), letter);
      break;
    case 1:
      cps.erase(at, 1);
      break;
    case 2:
      cps[at] = letter;
      break;
    default:
      if (at + 1 < cps.size()) std::swap(cps[at], cps[at + 1]);
      break;
  }
  std::string out;
  for (char32_t c : cps) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {  // the test's letters are in the BMP
      out += static_cast<char>(0xe0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

// FindNear against brute force: names one and two edits from listed names and aliases, and
// unrelated phrases, on random tables (rows sharing keys, short keys, Chinese characters).
TEST(TableDataTest, NearAgreesWithBruteForceOnRandomTables) {
  const std::vector<std::string> words = {"Beijing", "Huaxin", "Tech", "Semi",
                                          "Co",      "Ltd",    "x",    "9",
                                          "华为",    "abcd",   "abce", "Kedaxunfei"};
  const std::vector<std::string> separators = {" ", ", ", "-"};
  std::mt19937 random(20261207);
  auto phrase = [&](size_t most) {
    std::string out;
    size_t n = random() % most + 1;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out += separators[random() % separators.size()];
      out += words[random() % words.size()];
    }
    return out;
  };
  size_t near = 0;
  for (int round = 0; round < 30; ++round) {
    std::vector<std::vector<std::string>> rows(random() % 40 + 1);
    for (auto& row : rows) {
      row.push_back(phrase(3));
      for (size_t a = random() % 2; a > 0; --a) row.push_back(phrase(2));
    }
    NamedTable table(rows);
    for (int q = 0; q < 400; ++q) {
      const auto& row = rows[random() % rows.size()];
      std::string query = NormalizeName(row[random() % row.size()]);
      switch (random() % 4) {
        case 0:
          query = Edit(query, random);
          break;
        case 1:
          query = Edit(Edit(query, random), random);
          break;
        case 2:
          query = phrase(4);
          break;
        default:
          query = Edit(query, random) + ", Ltd.";
          break;
      }
      int64_t expected = table.ExpectedNear(query);
      ASSERT_EQ(table.FindNear(query), expected) << "\"" << query << "\"";
      near += expected >= 0 && table.Expected(query) < 0 ? 1 : 0;
    }
  }
  EXPECT_GT(near, 1000u);  // the near path itself was taken, not only exact hits
}

}  // namespace
}  // namespace cordon::ir

namespace cordon::ir {
namespace {

// The stdlib's listed names (stdlib/ear/entities.csv): per row, its name and then its aliases.
void ReadStdlibNames(std::vector<std::vector<std::string>>& rows) {
  ErrorOr<SourceBuffer> file = SourceBuffer::FromFile(CORDON_SOURCE_DIR "/stdlib/ear/entities.csv");
  ASSERT_TRUE(file.ok());
  CollectingConsumer sink;
  DiagnosticEmitter emitter(sink);
  std::optional<tables::CsvTable> table = tables::ReadCsv(*file, emitter);
  ASSERT_TRUE(table);
  for (const tables::CsvRow& row : table->rows) {
    std::vector<std::string>& out = rows.emplace_back();
    out.emplace_back(row.fields[0].value);
    std::string_view aliases = row.fields[1].value;
    for (size_t start = 0; start <= aliases.size();) {
      size_t end = std::min(aliases.find(';', start), aliases.size());
      if (end > start) out.emplace_back(aliases.substr(start, end - start));
      start = end + 1;
    }
  }
}

// The stdlib's real listed names and aliases (stdlib/ear/entities.csv), each spelt again with
// its separators moved: a word split by a hyphen or a space ("Hik-vision", "Sense Time"), two
// words run together ("KedaXunfei"), case changed, a legal form added. Every variant must find a
// row with the same compact key as the listed name: a miss would pass a listed party.
TEST(TableDataTest, SpellingVariantsOfTheStdlibNamesAreFound) {
  std::vector<std::vector<std::string>> rows;
  ASSERT_NO_FATAL_FAILURE(ReadStdlibNames(rows));
  ASSERT_GT(rows.size(), 80u);
  NamedTable names(rows);
  std::mt19937 random(20261207);
  const std::vector<std::string> separators = {"-", " ", " - ", ".", "\u00a0"};
  size_t variants = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const std::string& listed : rows[r]) {
      // The name's words, and how many of them its key keeps (trailing legal forms dropped).
      std::vector<std::string> words;
      std::string word;
      for (char c : listed + " ") {
        if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
          word += c;
        } else if (!word.empty()) {
          words.push_back(word);
          word.clear();
        }
      }
      size_t kept = words.size();
      while (kept > 1 && IsLegalForm(NormalizeName(words[kept - 1]))) --kept;
      for (int v = 0; v < 8; ++v) {
        std::vector<std::string> respelt(words.begin(), words.begin() + kept);
        size_t w = random() % kept;
        if (v % 2 == 0 && respelt[w].size() >= 4) {
          // Split a word, not at its ends, unless that would make its last piece a legal form.
          size_t at = 1 + random() % (respelt[w].size() - 2);
          std::string tail = respelt[w].substr(at);
          if (w + 1 == kept && IsLegalForm(NormalizeName(tail))) continue;
          respelt[w] = respelt[w].substr(0, at) + separators[random() % separators.size()] + tail;
        } else if (w + 1 < kept) {
          respelt[w] += respelt[w + 1];  // two words run together
          respelt.erase(respelt.begin() + static_cast<long>(w) + 1);
        }
        std::string query;
        for (const std::string& piece : respelt) query += (query.empty() ? "" : " ") + piece;
        for (char& c : query) {
          if (random() % 3 == 0) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (random() % 3 == 0) query += ", Co., Ltd.";
        int64_t expected = names.Expected(listed);
        ASSERT_GE(expected, 0) << listed;
        ASSERT_EQ(names.Find(query), expected) << "\"" << query << "\" for \"" << listed << "\"";
        ++variants;
      }
    }
  }
  EXPECT_GT(variants, 1000u);
}

// Every real listed name and alias of five characters or more, misspelt by one edit, is found by
// FindNear: at its own row, or at an earlier row as near (brute force decides which).
TEST(TableDataTest, OneEditFromAStdlibNameIsNear) {
  std::vector<std::vector<std::string>> rows;
  ASSERT_NO_FATAL_FAILURE(ReadStdlibNames(rows));
  NamedTable names(rows);
  std::mt19937 random(20261208);
  size_t variants = 0;
  for (const auto& row : rows) {
    for (const std::string& listed : row) {
      std::string key = NormalizeName(listed);
      if (NamedTable::Decode(key).size() < TableData::kNearMin) continue;
      for (int v = 0; v < 6; ++v) {
        std::string query = Edit(key, random);
        int64_t found = names.FindNear(query);
        ASSERT_GE(found, 0) << "\"" << query << "\" for \"" << listed << "\"";
        ASSERT_LE(found, names.Expected(listed)) << query;
        ASSERT_EQ(found, names.ExpectedNear(query)) << query;
        ++variants;
      }
    }
  }
  EXPECT_GT(variants, 500u);
}

}  // namespace
}  // namespace cordon::ir
