// SPDX-License-Identifier: Apache-2.0
// A party screener written in plain C++, as an engineer would write one without Cordon: one pass
// over the name to make its key, a std::unordered_set of the keys of the listed names, the rules
// as `if`s, first match wins, the outcome only (no reasons). It is the independent baseline of
// bench/screen_bench.cpp (issue 28), next to ear_bench's tuned one, and deliberately includes
// nothing from runtime/: its normaliser is its own code, held to the same rules as a
// `match normalized` column (docs/language.md, "Matching names"), and the bench checks that it
// and every Cordon engine decide each request of its mix alike.
#ifndef CORDON_BENCH_PLAIN_SCREENER_H_
#define CORDON_BENCH_PLAIN_SCREENER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace cordon::screen_bench {

enum class Outcome : uint8_t { kNoLicenseRequired, kLicenseRequired, kProhibited };
auto OutcomeName(Outcome outcome) -> const char*;

struct ScreenRequest {
  std::string_view end_user;
  std::string_view destination;  // ISO 3166-1 alpha-2, upper case
  std::string_view item_class;   // an ECCN such as "3A090", or "EAR99"
};

// The key a name is compared by: ASCII letters lowercased; every other ASCII byte, the no-break
// space U+00A0, the spaces U+2000-U+200B, U+202F, U+205F and the ideographic space U+3000 end a
// word; full-width forms U+FF01-U+FF5E count as their ASCII characters; other bytes are kept as
// they are. Trailing legal-form words ("co", "ltd", "limited", …) are dropped while another
// word remains, and the words left are written end to end: "Tian-Ke Co., Ltd." -> "tianke".
class NameKey {
 public:
  // The key of `name`, valid until the next call.
  auto Make(std::string_view name) -> const std::string&;
  static auto IsLegalForm(std::string_view word) -> bool;

 private:
  std::string key_;
  std::vector<uint32_t> word_starts_;  // where each word of key_ begins
};

// Not thread-safe: each thread screens with its own screener (NameKey keeps its buffers).
class PlainScreener {
 public:
  explicit PlainScreener(const std::vector<std::string>& listed_names);

  auto Decide(const ScreenRequest& request) -> Outcome;
  auto IsListed(std::string_view name) -> bool;
  auto listed_keys() const -> size_t { return listed_.size(); }

 private:
  std::unordered_set<std::string> listed_;
  NameKey key_;
};

}  // namespace cordon::screen_bench

#endif  // CORDON_BENCH_PLAIN_SCREENER_H_
