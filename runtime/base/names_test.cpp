// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace cordon {
namespace {

TEST(NamesTest, CaseSpacingPunctuationAndLegalForms) {
  EXPECT_EQ(NormalizeName("IFLYTEK Co., Ltd."), "iflytek");
  EXPECT_EQ(NormalizeName("  iFlytek   co ltd "), "iflytek");
  EXPECT_EQ(NormalizeName("Keda-Xunfei"), "kedaxunfei");
  EXPECT_EQ(NormalizeName("Face++"), "face");
  EXPECT_EQ(NormalizeName("Semiconductor Manufacturing International Corporation"),
            "semiconductormanufacturinginternational");
  EXPECT_EQ(NormalizeName("Beijing Sensetime Technology Development Co., Ltd"),
            "beijingsensetimetechnologydevelopment");
}

// A spelling that only moves a hyphen or a space is the same name (a miss would be fail-open).
TEST(NamesTest, SeparatorsInsideANameDoNotCount) {
  for (const char* variant : {"Tian-Ke", "Tian Ke", "TianKe", "TIANKE", "Tian.Ke", "tian - ke"}) {
    EXPECT_EQ(NormalizeName(std::string(variant) + " Optoelectronics Group Co., Ltd."),
              "tiankeoptoelectronicsgroup")
        << variant;
  }
  EXPECT_EQ(NormalizeName("Sense Time"), NormalizeName("SenseTime"));
}

// More trailing legal forms than NormalizeName's ring of word starts remembers.
TEST(NamesTest, ManyTrailingLegalForms) {
  std::string forms;
  for (int i = 0; i < 20; ++i) forms += i % 2 == 0 ? " Co." : " Ltd";
  EXPECT_EQ(NormalizeName("Acme Tian" + forms), "acmetian");
  EXPECT_EQ(NormalizeName("Co" + forms), "co");
  EXPECT_EQ(NormalizeName("Acme" + forms.substr(0, 16 * 4)), "acme");
}

TEST(NamesTest, KeepsTheLastWordAndInnerLegalWords) {
  EXPECT_EQ(NormalizeName("Limited"), "limited");
  EXPECT_EQ(NormalizeName("Co. Ltd."), "co");
  // Only trailing words are legal forms: "Inc Research Labs" keeps its first word.
  EXPECT_EQ(NormalizeName("Inc Research Labs"), "incresearchlabs");
  EXPECT_EQ(NormalizeName(""), "");
  EXPECT_EQ(NormalizeName("..."), "");
}

TEST(NamesTest, EveryLegalFormIsDroppedAndNoOtherWord) {
  for (const char* form :
       {"co",  "company", "corp", "corporation", "inc",  "incorporated", "ltd",  "limited",
        "llc", "plc",     "lp",   "llp",         "gmbh", "ag",           "sa",   "nv",
        "bv",  "pte",     "pty",  "srl",         "spa",  "jsc",          "ojsc", "pjsc",
        "oao", "zao",     "ooo",  "kk",          "sdn",  "bhd"}) {
    EXPECT_EQ(NormalizeName(std::string("Acme ") + form), "acme") << form;
  }
  for (const char* word : {"c", "cos", "companies", "corporations", "incorporate", "l", "ltdd"}) {
    EXPECT_EQ(NormalizeName(std::string("Acme ") + word), std::string("acme") + word) << word;
  }
}

TEST(NamesTest, ReusedOutputHoldsOnlyTheNewName) {
  std::string out;
  EXPECT_EQ(NormalizeName("Beijing Sensetime Technology Development Co., Ltd", out),
            "beijingsensetimetechnologydevelopment");
  EXPECT_EQ(NormalizeName("SMIC", out), "smic");
  EXPECT_EQ(out, "smic");
  EXPECT_EQ(NormalizeName("--", out), "");
  EXPECT_EQ(NormalizeName(std::string_view("a\0b", 3), out), "ab");
}

TEST(NamesTest, NearMissesStayDifferent) {
  EXPECT_NE(NormalizeName("iFlytec"), NormalizeName("iFlytek"));
  EXPECT_NE(NormalizeName("Huawei Cloud"), NormalizeName("Huawei"));
}

TEST(NamesTest, NonAsciiBytesAreKept) {
  EXPECT_EQ(NormalizeName("华为技术有限公司"), "华为技术有限公司");
  // Only ASCII letters are folded: "É" stays as it is, "COLE" becomes "cole".
  EXPECT_EQ(NormalizeName("ÉCOLE Polytechnique"), "Écolepolytechnique");
}

// NormalizeName's rules written as plainly as possible: split into words, lowercase, drop
// trailing legal forms, join the rest with nothing between. The fast version must agree with it
// on every input.
auto PlainNormalize(std::string_view name) -> std::string {
  std::vector<std::string> words(1);
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool lower = u >= 'a' && u <= 'z';
    bool upper = u >= 'A' && u <= 'Z';
    bool digit = u >= '0' && u <= '9';
    if (lower || upper || digit || u >= 0x80) {
      words.back() += upper ? static_cast<char>(u - 'A' + 'a') : c;
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  static const std::vector<std::string> kForms = {
      "co",  "company", "corp", "corporation", "inc",  "incorporated", "ltd",  "limited",
      "llc", "plc",     "lp",   "llp",         "gmbh", "ag",           "sa",   "nv",
      "bv",  "pte",     "pty",  "srl",         "spa",  "jsc",          "ojsc", "pjsc",
      "oao", "zao",     "ooo",  "kk",          "sdn",  "bhd"};
  while (words.size() > 1 &&
         std::find(kForms.begin(), kForms.end(), words.back()) != kForms.end()) {
    words.pop_back();
  }
  std::string out;
  for (const std::string& w : words) out += w;
  return out;
}

// A name pasted with a no-break or ideographic space, or typed in full-width letters, is the
// same name: missing it would pass a listed party.
TEST(NamesTest, UnicodeSpacesAndFullWidthLettersAreTheirPlainForms) {
  std::string out;
  EXPECT_EQ(NormalizeName("IFLYTEK\u00a0Co., Ltd.", out), "iflytek");
  EXPECT_EQ(NormalizeName("Keda\u3000Xunfei", out), "kedaxunfei");
  EXPECT_EQ(NormalizeName("Keda\u2009Xunfei\u202fCo", out), "kedaxunfei");
  EXPECT_EQ(NormalizeName(
                "\uff29\uff26\uff2c\uff39\uff34\uff25\uff2b\uff0c\u3000\uff2c\uff54\uff44", out),
            "iflytek");  // ＩＦＬＹＴＥＫ，　Ｌｔｄ
  // Other UTF-8 is kept as it is, and a cut sequence is not read past the end.
  EXPECT_EQ(NormalizeName("华为\u00a0技术", out), "华为技术");
  EXPECT_EQ(NormalizeName("Acme\xef\xbc", out), "acme\xef\xbc");
  EXPECT_EQ(NormalizeName("Acme\xc2", out), "acme\xc2");
}

TEST(NamesTest, AgreesWithThePlainRulesOnRandomNames) {
  // Pieces that exercise every path: separators in runs, legal forms, UTF-8 bytes, NUL.
  const std::vector<std::string> pieces = {
      "Acme", "IFLYTEK", "x",    "9",        " ",   "  ",
      ".",    ",",       "-",    "+",        "\t",  std::string(1, '\0'),
      "Co",   "co.",     "Ltd",  "LIMITED",  "Inc", "gmbh",
      "K.K.", "corp",    "华为", "\xC3\x89", "\xFF"};
  std::mt19937 random(20261123);
  std::string out;
  for (int i = 0; i < 20000; ++i) {
    std::string name;
    int n = static_cast<int>(random() % 9);
    for (int k = 0; k < n; ++k) name += pieces[random() % pieces.size()];
    ASSERT_EQ(NormalizeName(name, out), PlainNormalize(name)) << "name: \"" << name << "\"";
  }
}

// A declared normalization, as a test describes it, and its rules written plainly: each
// character is removed, kept, a separator, or (a letter or digit, or other UTF-8) part of a
// word; trailing legal forms dropped; words joined with nothing or one space.
struct Declared {
  std::string removed, kept, separators;  // ASCII
  std::string middle_dot;                 // "remove", "keep", "separate" or "" for U+00B7
  bool compact = true;
  bool fold_case = true;
  std::vector<std::string> forms;  // empty: the built-in ones
};

auto PlainNormalizeDeclared(std::string_view name, const Declared& d) -> std::string {
  std::vector<std::string> words(1);
  auto next_word = [&] {
    if (!words.back().empty()) words.emplace_back();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    auto u = static_cast<unsigned char>(name[i]);
    if (name.substr(i, 2) == "\u00b7" && !d.middle_dot.empty()) {
      ++i;
      if (d.middle_dot == "keep") words.back() += "\u00b7";
      if (d.middle_dot == "separate") next_word();
      continue;
    }
    bool upper = u >= 'A' && u <= 'Z';
    bool alnum = (u >= 'a' && u <= 'z') || upper || (u >= '0' && u <= '9');
    if (u < 0x80 && d.removed.find(static_cast<char>(u)) != std::string::npos) continue;
    if (alnum || u >= 0x80 || (u != 0 && d.kept.find(static_cast<char>(u)) != std::string::npos)) {
      words.back() += upper && d.fold_case ? static_cast<char>(u - 'A' + 'a') : name[i];
    } else {
      next_word();
    }
  }
  if (words.back().empty()) words.pop_back();
  auto legal = [&](const std::string& w) {
    return d.forms.empty() ? IsLegalForm(w)
                           : std::find(d.forms.begin(), d.forms.end(), w) != d.forms.end();
  };
  while (words.size() > 1 && legal(words.back())) words.pop_back();
  std::string out;
  for (const std::string& w : words) out += (out.empty() || d.compact ? "" : " ") + w;
  return out;
}

auto RulesFor(const Declared& d) -> NameRules {
  NameRules rules;
  for (char c : d.removed) rules.fold[static_cast<unsigned char>(c)] = NameRules::kRemoved;
  for (char c : d.kept) rules.fold[static_cast<unsigned char>(c)] = static_cast<unsigned char>(c);
  for (char c : d.separators) rules.fold[static_cast<unsigned char>(c)] = NameRules::kSeparator;
  if (!d.fold_case) {
    for (int c = 'A'; c <= 'Z'; ++c) rules.fold[c] = static_cast<unsigned char>(c);
  }
  if (!d.middle_dot.empty()) {
    rules.sequences.push_back({"\u00b7", d.middle_dot == "remove" ? NameRules::Action::kRemove
                                         : d.middle_dot == "keep" ? NameRules::Action::kKeep
                                                                  : NameRules::Action::kSeparate});
  }
  rules.compact = d.compact;
  if (!d.forms.empty()) {
    rules.builtin_forms = false;
    rules.legal_forms = d.forms;
    std::sort(rules.legal_forms.begin(), rules.legal_forms.end());
  }
  rules.Finish();
  return rules;
}

TEST(NamesTest, DeclaredRules) {
  std::string out;
  Declared spaced{.removed = ".'", .kept = "&", .middle_dot = "separate", .compact = false};
  NameRules rules = RulesFor(spaced);
  EXPECT_EQ(NormalizeName("Xi'an  AT&T\u00b7Tian-Ke S.A.", out, rules), "xian at&t tian ke");
  EXPECT_EQ(NormalizeName("Acme Co. Ltd.", out, rules), "acme");
  EXPECT_EQ(NormalizeName("' . '", out, rules), "");
  Declared forms{.kept = "+", .fold_case = false, .forms = {"Kabushiki", "kaisha"}};
  rules = RulesFor(forms);
  EXPECT_EQ(NormalizeName("Face++ Kabushiki kaisha", out, rules), "Face++");
  EXPECT_EQ(NormalizeName("Face++ Ltd", out, rules), "Face++Ltd");  // not a form here
  EXPECT_EQ(Describe(rules), "case keep, words compact, keep \"+\", legal_forms 2 words");
}

TEST(NamesTest, DeclaredRulesAgreeWithThePlainRulesOnRandomNames) {
  const std::vector<std::string> pieces = {
      "Acme", "IFLYTEK", "x",  "9",    " ",      "  ",     ".",        ",",       "-",
      "+",    "&",       "'",  "\t",   "Co",     "co.",    "Ltd",      "LIMITED", "K.K.",
      "S.A.", "kk",      "sa", "华为", "\u00b7", "\u00a0", "\xC3\x89", "\xFF"};
  const std::string punctuation = ".,-+&'";
  std::mt19937 random(20261207);
  std::string out;
  for (int round = 0; round < 200; ++round) {
    Declared d;
    for (char c : punctuation) {
      switch (random() % 4) {
        case 0:
          d.removed += c;
          break;
        case 1:
          d.kept += c;
          break;
        case 2:
          d.separators += c;
          break;
        default:
          break;
      }
    }
    d.middle_dot = std::vector<std::string>{"", "remove", "keep", "separate"}[random() % 4];
    d.compact = random() % 2 == 0;
    d.fold_case = random() % 3 != 0;
    if (random() % 2 == 0) d.forms = {"co", "kk", "sa", "ltd", "LIMITED"};
    NameRules rules = RulesFor(d);
    for (int i = 0; i < 200; ++i) {
      std::string name;
      int n = static_cast<int>(random() % 9);
      for (int k = 0; k < n; ++k) name += pieces[random() % pieces.size()];
      // U+00A0 is a space to every rule set (PlainUnicode) before the declared characters.
      std::string plain;
      for (size_t at = 0; at < name.size(); ++at) {
        if (name.compare(at, 2, "\u00a0") == 0) {
          plain += ' ';
          ++at;
        } else {
          plain += name[at];
        }
      }
      ASSERT_EQ(NormalizeName(name, out, rules), PlainNormalizeDeclared(plain, d))
          << "name: \"" << name << "\" round " << round;
    }
  }
}

}  // namespace
}  // namespace cordon
