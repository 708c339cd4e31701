// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/spelling.h"

#include <algorithm>
#include <cctype>

namespace cordon {
auto EditDistance(std::string_view a, std::string_view b, bool ignore_case) -> size_t {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      auto fold = [&](char c) {
        return ignore_case ? std::tolower(static_cast<unsigned char>(c)) : c;
      };
      size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = up;
    }
  }
  return row[b.size()];
}

auto ClosestSpelling(std::string_view name, const std::vector<std::string>& candidates)
    -> std::string {
  std::string best;
  // A typo is at most one edit per three letters, and never the whole name.
  size_t limit = std::max<size_t>(1, name.size() / 3);
  if (limit >= name.size()) return best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c == name) continue;
    size_t d = EditDistance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

auto QuotedList(const std::vector<std::string>& names, size_t limit) -> std::string {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i == limit) return out + ", …";
    out += (i == 0 ? "`" : ", `") + names[i] + "`";
  }
  return out;
}

}  // namespace cordon
