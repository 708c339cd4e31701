// SPDX-License-Identifier: Apache-2.0
// The plain C++ screener (plain_screener.h): its own name key and its rules, standard library
// only.
#include "bench/plain_screener.h"

#include <algorithm>
#include <array>

namespace cordon::screen_bench {
namespace {

// The legal forms a company name may end with, as a `match normalized` column drops them.
constexpr std::array<std::string_view, 30> kLegalForms = {
    "co",   "lp",   "ag",      "sa",      "nv",          "bv",          "kk",   "inc",
    "ltd",  "llc",  "plc",     "llp",     "pte",         "pty",         "srl",  "spa",
    "jsc",  "oao",  "zao",     "ooo",     "sdn",         "bhd",         "corp", "gmbh",
    "ojsc", "pjsc", "company", "limited", "corporation", "incorporated"};

auto IsContinuation(unsigned char c) -> bool { return (c & 0xc0) == 0x80; }

}  // namespace

auto OutcomeName(Outcome outcome) -> const char* {
  switch (outcome) {
    case Outcome::kProhibited:
      return "prohibited";
    case Outcome::kLicenseRequired:
      return "license_required";
    case Outcome::kNoLicenseRequired:
      return "no_license_required";
  }
  return "?";
}

auto NameKey::IsLegalForm(std::string_view word) -> bool {
  return std::find(kLegalForms.begin(), kLegalForms.end(), word) != kLegalForms.end();
}

auto NameKey::Make(std::string_view name) -> const std::string& {
  key_.clear();
  word_starts_.clear();
  bool in_word = false;
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  for (size_t i = 0; i < n;) {
    // The next character as one byte: ASCII, a byte of some other UTF-8 sequence (kept as it
    // is), or a Unicode space or full-width form read as its ASCII equivalent.
    unsigned char c = s[i++];
    if (c == 0xc2 && i < n && s[i] == 0xa0) {  // U+00A0, the no-break space
      c = ' ';
      i += 1;
    } else if ((c == 0xe2 || c == 0xe3 || c == 0xef) && i + 1 < n && IsContinuation(s[i]) &&
               IsContinuation(s[i + 1])) {
      const uint32_t cp =
          (uint32_t{c} & 0x0f) << 12 | (uint32_t{s[i]} & 0x3f) << 6 | (uint32_t{s[i + 1]} & 0x3f);
      if ((cp >= 0x2000 && cp <= 0x200b) || cp == 0x202f || cp == 0x205f || cp == 0x3000) {
        c = ' ';
        i += 2;
      } else if (cp >= 0xff01 && cp <= 0xff5e) {
        c = static_cast<unsigned char>(cp - 0xfee0);
        i += 2;
      }
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      if (!in_word) word_starts_.push_back(static_cast<uint32_t>(key_.size()));
      in_word = true;
      key_.push_back(static_cast<char>(c));
    } else {
      in_word = false;
    }
  }
  // "iflytek co ltd" -> "iflytek", but "limited" alone stays.
  while (word_starts_.size() > 1 &&
         IsLegalForm(std::string_view(key_).substr(word_starts_.back()))) {
    key_.resize(word_starts_.back());
    word_starts_.pop_back();
  }
  return key_;
}

PlainScreener::PlainScreener(const std::vector<std::string>& listed_names) {
  listed_.reserve(listed_names.size());
  for (const std::string& name : listed_names) listed_.insert(key_.Make(name));
}

auto PlainScreener::IsListed(std::string_view name) -> bool {
  return listed_.contains(key_.Make(name));
}

auto PlainScreener::Decide(const ScreenRequest& request) -> Outcome {
  const std::string_view to = request.destination;
  if (to == "CU" || to == "IR" || to == "KP" || to == "SY") return Outcome::kProhibited;
  if (IsListed(request.end_user)) return Outcome::kLicenseRequired;
  if (request.item_class == "3A090" && (to == "CN" || to == "MO" || to == "RU" || to == "BY")) {
    return Outcome::kLicenseRequired;
  }
  return Outcome::kNoLicenseRequired;
}

}  // namespace cordon::screen_bench
