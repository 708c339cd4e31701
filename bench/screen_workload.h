// SPDX-License-Identifier: Apache-2.0
// The screening workload of bench/screen_bench.cpp (issue 28), made deterministically from fixed
// seeds with std::mt19937_64: a list of N company names (the real names of
// stdlib/ear/entities.csv, then synthetic ones of two to four words and an optional legal form,
// no two with the same key), and a mix of requests naming end users three ways: listed names
// respelt so that they must still match (case, a hyphen inside a word, a space removed, the
// legal form added, dropped or changed, a no-break space, ...), decoys that share words with a
// listed name without being one, and clean unlisted names; each with a destination and an item
// class. Standard library only, plus the plain screener's NameKey, which says what "must still
// match" and "not listed" mean.
#ifndef CORDON_BENCH_SCREEN_WORKLOAD_H_
#define CORDON_BENCH_SCREEN_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::screen_bench {

// Requests per mix; a power of two, so that `i & (kMixSize - 1)` cycles through them.
inline constexpr size_t kMixSize = 4096;

// What the generator meant a request's end user to be.
enum class NameKind : uint8_t { kListedVariant, kDecoy, kClean };

struct WorkloadRequest {
  std::string end_user;
  std::string destination;  // ISO 3166-1 alpha-2
  std::string item_class;
  NameKind kind = NameKind::kClean;
};

// `count` names: those of `real_names` whose key is new, then synthetic ones. The list of a
// size is a prefix of the list of any larger size.
auto MakeListedNames(size_t count, const std::vector<std::string>& real_names)
    -> std::vector<std::string>;

// kMixSize requests against `listed`: about 30 % listed names respelt, 50 % decoys, 20 % clean
// names; destinations mostly ordinary, some in China, Macau, Russia or Belarus, some embargoed.
auto MakeRequests(const std::vector<std::string>& listed, uint64_t seed)
    -> std::vector<WorkloadRequest>;

// `listed` as a CSV file of one column, `name`.
auto ListedCsv(const std::vector<std::string>& listed) -> std::string;

// The rows of a CSV text (RFC 4180: quoted fields, doubled quotes, line breaks in quotes),
// header included.
auto ParseCsv(std::string_view text) -> std::vector<std::vector<std::string>>;

}  // namespace cordon::screen_bench

#endif  // CORDON_BENCH_SCREEN_WORKLOAD_H_
