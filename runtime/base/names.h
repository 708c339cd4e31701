// SPDX-License-Identifier: Apache-2.0
// Party names as screening lists compare them. The Entity List publishes "IFLYTEK Co., Ltd."; an
// order says "iFlytek Co Ltd" or "IFLYTEK". A table column declared `match normalized` compares
// names after NormalizeName, so these match, while a different name ("iFlytec") does not.
#ifndef CORDON_RUNTIME_BASE_NAMES_H_
#define CORDON_RUNTIME_BASE_NAMES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordon {

struct NameRules;

// ASCII letters lowercased; every ASCII character that is not a letter or digit separates words;
// trailing legal-form words ("co", "ltd", "limited", "inc", "corp", "llc", "gmbh", …) are
// dropped while another word remains; the words that are left are written end to end, with
// nothing between them (the compact key), so "Tian-Ke", "Tian Ke", "TianKe" and "TIANKE" are all
// "tianke", and "IFLYTEK Co., Ltd." is "iflytek". Unicode spaces (no-break U+00A0,
// U+2000-U+200B, U+202F, U+205F, ideographic U+3000) are separators and full-width ASCII
// (U+FF01-U+FF5E) is its ASCII letter (PlainUnicode); other bytes of UTF-8 sequences are kept as
// they are: "华为技术有限公司" is its own form. That is `match normalized`; a `normalization`
// declaration gives other `rules` (NameRules).
// Writes into `out` (reusing its capacity) and returns it.
auto NormalizeName(std::string_view name, std::string& out) -> std::string_view;
auto NormalizeName(std::string_view name, std::string& out, const NameRules& rules)
    -> std::string_view;
auto NormalizeName(std::string_view name) -> std::string;

// `name` with Unicode spaces as ASCII spaces and full-width ASCII as ASCII, so that a name pasted
// with a no-break space ("IFLYTEK\u00a0Co., Ltd.") or typed full-width ("ＩＦＬＹＴＥＫ") is read
// as its plain form: missing a listed party that way would be fail-open. `name` itself when it has
// none of them (no copy); else the rewritten name, in `out`.
auto PlainUnicode(std::string_view name, std::string& out) -> std::string_view;

// The bytes of the Unicode space that starts at `text[at]` (U+00A0, U+2000-U+200B, U+202F,
// U+205F, U+3000: PlainUnicode's), or 0. One list for names and for `trim`.
inline auto UnicodeSpaceAt(std::string_view text, size_t at) -> size_t {
  auto byte = [&](size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : static_cast<unsigned char>(0);
  };
  unsigned char c = byte(at);
  if (c == 0xc2) return byte(at + 1) == 0xa0 ? 2 : 0;
  unsigned char c1 = byte(at + 1);
  unsigned char c2 = byte(at + 2);
  if (c == 0xe2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8b) || c2 == 0xaf)) return 3;
  if (c == 0xe2 && c1 == 0x81 && c2 == 0x9f) return 3;  // U+205F
  if (c == 0xe3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  return 0;
}

// Whether a folded word is a legal form that `match normalized` drops from the end of a name.
auto IsLegalForm(std::string_view word) -> bool;

namespace names_internal {

// What each byte becomes: 0 for a separator (ASCII that is not a letter or digit), else the
// byte itself, lowercased when it is an ASCII capital. Bytes of UTF-8 sequences stay.
inline constexpr std::array<unsigned char, 256> kFold = [] {
  std::array<unsigned char, 256> fold{};
  for (int c = 0; c < 256; ++c) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      fold[c] = static_cast<unsigned char>(c - 'A' + 'a');
    } else if (alnum || c >= 0x80) {
      fold[c] = static_cast<unsigned char>(c);
    }
  }
  return fold;
}();

}  // namespace names_internal

// How a `match` column compares names. The default is `match normalized` (NormalizeName above);
// a `normalization` declaration changes what it declares: case kept, characters removed (joined
// into their word) or kept as letters, more separators, legal forms from a data file, words
// joined by one space instead of the compact key. Unicode spaces and full-width letters are
// always their plain forms, unless a declaration names one.
struct NameRules {
  // What `fold` maps a byte to besides the byte it becomes.
  static constexpr unsigned char kSeparator = 0;
  static constexpr unsigned char kRemoved = 1;  // 0x01 itself is a separator in every rule set
  enum class Action : uint8_t { kSeparate, kRemove, kKeep };
  // A non-ASCII character a declaration names, as UTF-8, and what it is.
  struct Sequence {
    std::string utf8;
    Action action;
    friend auto operator==(const Sequence&, const Sequence&) -> bool = default;
  };

  std::string name = "normalized";  // the declaration's, for messages
  std::array<unsigned char, 256> fold = names_internal::kFold;
  bool compact = true;                   // words end to end; else joined by one space
  bool builtin_forms = true;             // IsLegalForm's words; else `legal_forms`
  std::vector<std::string> legal_forms;  // sorted, each one folded word
  std::vector<Sequence> sequences;       // longest first

  // The lead bytes of sequences Plain rewrites; call after changing `sequences`.
  void Finish();
  auto IsLegalForm(std::string_view word) const -> bool;
  auto lead(unsigned char c) const -> bool { return lead_[c]; }
  friend auto operator==(const NameRules& a, const NameRules& b) -> bool {
    return a.fold == b.fold && a.compact == b.compact && a.builtin_forms == b.builtin_forms &&
           a.legal_forms == b.legal_forms && a.sequences == b.sequences;
  }

 private:
  std::array<bool, 256> lead_ = DefaultLead();
  static constexpr auto DefaultLead() -> std::array<bool, 256> {
    std::array<bool, 256> lead{};
    lead[0xc2] = lead[0xe2] = lead[0xe3] = lead[0xef] = true;
    return lead;
  }
};

// The rules of `match normalized`.
auto DefaultNameRules() -> const NameRules&;
// What `rules` does, in the words of a `normalization` declaration, for the IR listing and
// --explain: `case fold, words compact, remove "'.", keep "&", legal_forms 31 words`.
auto Describe(const NameRules& rules) -> std::string;

// PlainUnicode, and then the non-ASCII characters `rules` declares: a separator becomes a space,
// a removed one nothing. Never longer than `name`.
auto PlainName(std::string_view name, std::string& out, const NameRules& rules) -> std::string_view;

// NormalizeName a word at a time, for lookups that can stop before the end of a name: folds
// the next word at or after `s` into `out`, which has room for end - s bytes, moves `s` past
// it, and returns its length, 0 when no word is left. `fold` is NameRules::fold: a removed
// byte is written and not counted, so a word of removed bytes alone is no word. Inline,
// because a call per word made NormalizeName 15% slower.
[[gnu::always_inline]] inline auto FoldWord(const unsigned char*& s, const unsigned char* end,
                                            char* out, const unsigned char* fold) -> size_t {
  char* p = out;
  do {
    while (s < end && fold[*s] == NameRules::kSeparator) ++s;
    for (; s < end && fold[*s] != NameRules::kSeparator; ++s) {
      unsigned char f = fold[*s];
      *p = static_cast<char>(f);
      p += f != NameRules::kRemoved;
    }
  } while (p == out && s < end);
  return static_cast<size_t>(p - out);
}
[[gnu::always_inline]] inline auto FoldWord(const unsigned char*& s, const unsigned char* end,
                                            char* out) -> size_t {
  return FoldWord(s, end, out, names_internal::kFold.data());
}

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_NAMES_H_
