// SPDX-License-Identifier: Apache-2.0
#include "compiler/base/names.h"

#include <array>

namespace cordon {
namespace {

// Legal-form words that may end a company name. Only whole trailing words are dropped, and
// never the last remaining word, so "Limited" alone stays "limited".
constexpr std::array<std::string_view, 30> kLegalForms = {
    "co",  "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
    "lp",  "llp",     "gmbh", "ag",          "sa",  "nv",           "bv",  "pte",     "pty", "srl",
    "spa", "jsc",     "ojsc", "pjsc",        "oao", "zao",          "ooo", "kk",      "sdn", "bhd"};

auto IsLegalForm(std::string_view word) -> bool {
  for (std::string_view form : kLegalForms) {
    if (word == form) return true;
  }
  return false;
}

}  // namespace

auto NormalizeName(std::string_view name, std::string& out) -> std::string_view {
  out.clear();
  bool pending_space = false;
  for (char raw : name) {
    auto c = static_cast<unsigned char>(raw);
    bool ascii_word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c < 0x80 && !ascii_word) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : raw);
  }
  // Drop trailing legal forms: "iflytek co ltd" -> "iflytek".
  while (true) {
    size_t space = out.rfind(' ');
    if (space == std::string::npos) break;
    if (!IsLegalForm(std::string_view(out).substr(space + 1))) break;
    out.resize(space);
  }
  return out;
}

auto NormalizeName(std::string_view name) -> std::string {
  std::string out;
  NormalizeName(name, out);
  return out;
}

}  // namespace cordon
