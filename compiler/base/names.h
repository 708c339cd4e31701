// SPDX-License-Identifier: Apache-2.0
// Party names as screening lists compare them. The Entity List publishes "IFLYTEK Co., Ltd."; an
// order says "iFlytek Co Ltd" or "IFLYTEK". A table column declared `match normalized` compares
// names after NormalizeName, so these match, while a different name ("iFlytec") does not.
#ifndef CORDON_COMPILER_BASE_NAMES_H_
#define CORDON_COMPILER_BASE_NAMES_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace cordon {

// ASCII letters lowercased; every ASCII character that is not a letter or digit is a separator;
// runs of separators become one space, none at either end; then trailing legal-form words
// ("co", "ltd", "limited", "inc", "corp", "llc", "gmbh", …) are dropped while another word
// remains. Bytes of UTF-8 sequences are kept as they are: "华为技术有限公司" is its own form.
// Writes into `out` (reusing its capacity) and returns it.
auto NormalizeName(std::string_view name, std::string& out) -> std::string_view;
auto NormalizeName(std::string_view name) -> std::string;

// NormalizeName a word at a time, for lookups that can stop before the end of a name.
// FoldWord folds the next word of `name` at or after `pos` into `out`, which has room for
// name.size() - pos bytes, moves `pos` past it, and returns its length: 0 when none is left.
inline auto FoldWord(std::string_view name, size_t& pos, char* out) -> size_t;
// Whether a folded word is a legal form that NormalizeName drops from the end of a name.
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

// Inline, because a call per word made NormalizeName 15% slower.
[[gnu::always_inline]] inline auto FoldNextWord(const unsigned char*& s, const unsigned char* end,
                                                char* out) -> size_t {
  while (s < end && kFold[*s] == 0) ++s;
  char* p = out;
  for (; s < end && kFold[*s] != 0; ++s) *p++ = static_cast<char>(kFold[*s]);
  return static_cast<size_t>(p - out);
}

}  // namespace names_internal

inline auto FoldWord(std::string_view name, size_t& pos, char* out) -> size_t {
  const auto* begin = reinterpret_cast<const unsigned char*>(name.data());
  const unsigned char* s = begin + pos;
  size_t n = names_internal::FoldNextWord(s, begin + name.size(), out);
  pos = static_cast<size_t>(s - begin);
  return n;
}

}  // namespace cordon

#endif  // CORDON_COMPILER_BASE_NAMES_H_
