// SPDX-License-Identifier: Apache-2.0
// "Did you mean …?": the closest candidate to a misspelt name, shared by the checker (rule text)
// and the request decoder (JSON field names).
#ifndef CORDON_RUNTIME_BASE_SPELLING_H_
#define CORDON_RUNTIME_BASE_SPELLING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordon {

// Levenshtein distance: insertions, deletions and substitutions of bytes.
auto EditDistance(std::string_view a, std::string_view b, bool ignore_case = true) -> size_t;

// The candidate within a typo's distance of `name` (case-insensitive edits), or "".
auto ClosestSpelling(std::string_view name, const std::vector<std::string>& candidates)
    -> std::string;

// "`a`, `b`, `c`" for messages; after `limit` names, ", …".
auto QuotedList(const std::vector<std::string>& names, size_t limit = SIZE_MAX) -> std::string;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_SPELLING_H_
