// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/names.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cordon {
namespace {

// Legal-form words that may end a company name. Only whole trailing words are dropped, and
// never the last remaining word, so "Limited" alone stays "limited". By length, because this
// runs on every name looked up (a loop over the list was a third of NormalizeName). Inline in
// NormalizeName: a call there cost it 3%.
[[gnu::always_inline]] inline auto IsLegalFormInline(std::string_view w) -> bool {
  switch (w.size()) {
    case 2:
      return w == "co" || w == "lp" || w == "ag" || w == "sa" || w == "nv" || w == "bv" ||
             w == "kk";
    case 3:
      return w == "inc" || w == "ltd" || w == "llc" || w == "plc" || w == "llp" || w == "pte" ||
             w == "pty" || w == "srl" || w == "spa" || w == "jsc" || w == "oao" || w == "zao" ||
             w == "ooo" || w == "sdn" || w == "bhd";
    case 4:
      return w == "corp" || w == "gmbh" || w == "ojsc" || w == "pjsc";
    case 7:
      return w == "company" || w == "limited";
    case 11:
      return w == "corporation";
    case 12:
      return w == "incorporated";
    default:
      return false;
  }
}

}  // namespace

// How many bytes at the start of s[0, n) are in whole blocks of eight ASCII bytes: every byte
// PlainUnicode or a declaration rewrites starts a UTF-8 sequence (0x80 and up), and most names
// are ASCII throughout. Eight at a time: a byte at a time, this scan was a tenth of a screening
// decision.
auto AsciiBlocks(const unsigned char* s, size_t n) -> size_t {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, s + i, sizeof word);
    if ((word & 0x8080808080808080ull) != 0) break;
  }
  return i;
}

auto IsLegalForm(std::string_view word) -> bool { return IsLegalFormInline(word); }

auto PlainUnicode(std::string_view name, std::string& out) -> std::string_view {
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  // The common case, plain ASCII or no lead byte of the sequences below: untouched.
  size_t i = AsciiBlocks(s, n);
  while (i < n && s[i] != 0xc2 && s[i] != 0xe2 && s[i] != 0xe3 && s[i] != 0xef) ++i;
  if (i == n) return name;
  out.assign(name.substr(0, i));
  while (i < n) {
    unsigned char c = s[i];
    auto cont = [&](size_t k) { return i + k < n && (s[i + k] & 0xc0) == 0x80; };
    if (size_t space = UnicodeSpaceAt(name, i)) {
      out.push_back(' ');
      i += space;
      continue;
    }
    if (c == 0xef && cont(1) && cont(2)) {
      uint32_t cp = (uint32_t{c} & 0x0f) << 12 | (uint32_t{s[i + 1]} & 0x3f) << 6 |
                    (uint32_t{s[i + 2]} & 0x3f);
      if (cp >= 0xff01 && cp <= 0xff5e) {  // full-width ASCII
        out.push_back(static_cast<char>(cp - 0xfee0));
        i += 3;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
    ++i;
  }
  return out;
}

auto DefaultNameRules() -> const NameRules& {
  static const NameRules rules;
  return rules;
}

auto Describe(const NameRules& rules) -> std::string {
  const NameRules& plain = DefaultNameRules();
  std::string removed, kept, separated;
  for (int c = 0; c < 128; ++c) {
    if (rules.fold[c] == plain.fold[c] || (c >= 'A' && c <= 'Z')) continue;
    std::string& to = rules.fold[c] == NameRules::kRemoved     ? removed
                      : rules.fold[c] == NameRules::kSeparator ? separated
                                                               : kept;
    to.push_back(static_cast<char>(c));
  }
  for (const NameRules::Sequence& seq : rules.sequences) {
    (seq.action == NameRules::Action::kRemove ? removed
     : seq.action == NameRules::Action::kKeep ? kept
                                              : separated) += seq.utf8;
  }
  std::string out = rules.fold['A'] == 'a' ? "case fold" : "case keep";
  out += rules.compact ? ", words compact" : ", words spaced";
  if (!removed.empty()) out += ", remove \"" + removed + "\"";
  if (!kept.empty()) out += ", keep \"" + kept + "\"";
  if (!separated.empty()) out += ", separate \"" + separated + "\"";
  if (rules.builtin_forms) {
    out += ", legal_forms builtin";
  } else if (rules.legal_forms.empty()) {
    out += ", legal_forms none";
  } else {
    size_t n = rules.legal_forms.size();
    out += fmt::format(", legal_forms {} word{}", n, n == 1 ? "" : "s");
  }
  return out;
}

void NameRules::Finish() {
  lead_ = DefaultLead();
  for (const Sequence& seq : sequences) lead_[static_cast<unsigned char>(seq.utf8[0])] = true;
}

auto NameRules::IsLegalForm(std::string_view word) const -> bool {
  if (builtin_forms) return IsLegalFormInline(word);
  return std::binary_search(legal_forms.begin(), legal_forms.end(), word);
}

auto PlainName(std::string_view name, std::string& out, const NameRules& rules)
    -> std::string_view {
  if (rules.sequences.empty()) return PlainUnicode(name, out);
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  size_t i = AsciiBlocks(s, n);
  while (i < n && !rules.lead(s[i])) ++i;
  if (i == n) return name;
  // Declared characters first (a declaration may keep a Unicode space), then PlainUnicode's.
  std::string rest;
  out.assign(name.substr(0, i));
  while (i < n) {
    const NameRules::Sequence* hit = nullptr;
    if (s[i] >= 0x80) {
      for (const NameRules::Sequence& seq : rules.sequences) {
        if (name.substr(i, seq.utf8.size()) == seq.utf8) {
          hit = &seq;
          break;
        }
      }
    }
    if (hit == nullptr) {
      size_t from = i++;
      while (i < n && !rules.lead(s[i])) ++i;
      // Sequences start at lead bytes only, so the run between is PlainUnicode's to rewrite;
      // its first byte is a lead byte of no declared sequence here, or of one of PlainUnicode's.
      out.append(PlainUnicode(name.substr(from, i - from), rest));
      continue;
    }
    if (hit->action == NameRules::Action::kSeparate) out.push_back(' ');
    if (hit->action == NameRules::Action::kKeep) out.append(hit->utf8);
    i += hit->utf8.size();
  }
  return out;
}

auto NormalizeName(std::string_view name, std::string& out) -> std::string_view {
  return NormalizeName(name, out, DefaultNameRules());
}

auto NormalizeName(std::string_view name, std::string& out, const NameRules& rules)
    -> std::string_view {
  // Rewritten first when it has Unicode spaces, full-width letters or declared characters (never
  // longer than it was).
  thread_local std::string plain;
  name = PlainName(name, plain, rules);
  // The result is never longer than the input, so bytes go straight into it: each word whole,
  // end to end (the compact key; or one space between words), remembering where the last few
  // words start so that trailing legal forms can be dropped.
  out.resize(name.size());
  char* const begin = out.data();
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const unsigned char* const end = s + name.size();
  const unsigned char* fold = rules.fold.data();
  const bool builtin = rules.builtin_forms;
  const size_t gap = rules.compact ? 0 : 1;
  auto legal = [&](std::string_view w) {
    return builtin ? IsLegalFormInline(w) : rules.IsLegalForm(w);
  };
  constexpr size_t kRing = 16;
  std::array<size_t, kRing> starts;
  size_t words = 0;
  size_t size = 0;
  // A word after the first is read `gap` bytes on, where its space goes: a separator came
  // before it, so the key still fits.
  while (size_t n = FoldWord(s, end, begin + size + (words == 0 ? 0 : gap), fold)) {
    if (words != 0 && gap != 0) begin[size++] = ' ';
    starts[words % kRing] = size;
    ++words;
    size += n;
  }
  // Drop trailing legal forms while another word remains: "iflytek co ltd" -> "iflytek".
  size_t dropped = 0;
  for (; words - dropped > 1 && dropped < kRing; ++dropped) {
    size_t start = starts[(words - dropped - 1) % kRing];
    if (!legal(std::string_view(begin + start, size - start))) break;
    size = start - gap;
  }
  if (dropped == kRing && words - dropped > 1) {
    // More trailing legal forms than the ring remembers: read the words again, one at a time.
    s = reinterpret_cast<const unsigned char*>(name.data());
    std::string word(name.size(), '\0');
    size_t at = 0;
    std::vector<size_t> ends;
    while (size_t n = FoldWord(s, end, word.data() + at, fold)) ends.push_back(at += n);
    size_t kept = ends.size();
    while (kept > 1 &&
           legal(std::string_view(word.data() + ends[kept - 2], ends[kept - 1] - ends[kept - 2]))) {
      --kept;
    }
    // Each kept word but the first is preceded by its space.
    size = ends[kept - 1] + gap * (kept - 1);
  }
  out.resize(size);
  return out;
}

auto NormalizeName(std::string_view name) -> std::string {
  std::string out;
  NormalizeName(name, out);
  return out;
}

}  // namespace cordon
