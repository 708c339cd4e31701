// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/names.h"

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

auto IsLegalForm(std::string_view word) -> bool { return IsLegalFormInline(word); }

auto NormalizeName(std::string_view name, std::string& out) -> std::string_view {
  // The result is never longer than the input (a space stands for at least one separator), so
  // bytes go straight into it: each word whole, then one space before the next.
  out.resize(name.size());
  char* const begin = out.data();
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const unsigned char* const end = s + name.size();
  size_t size = FoldWord(s, end, begin);
  while (size_t n = FoldWord(s, end, begin + size + 1)) {
    begin[size] = ' ';
    size += 1 + n;
  }
  // Drop trailing legal forms: "iflytek co ltd" -> "iflytek".
  while (true) {
    size_t space = std::string_view(begin, size).rfind(' ');
    if (space == std::string_view::npos) break;
    if (!IsLegalFormInline(std::string_view(begin + space + 1, size - space - 1))) break;
    size = space;
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
