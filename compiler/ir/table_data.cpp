// SPDX-License-Identifier: Apache-2.0
#include "compiler/ir/table_data.h"

#include <algorithm>
#include <cassert>

#include "compiler/base/names.h"
#include "compiler/base/spelling.h"

namespace cordon::ir {
namespace {

constexpr uint64_t kFnvBasis = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

auto HashBytes(std::string_view text) -> uint64_t {
  uint64_t h = kFnvBasis;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

auto HashWord(uint64_t h, uint64_t v) -> uint64_t {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= kFnvPrime;
  }
  return h;
}

}  // namespace

auto KeyCompare(const Datum& a, const Datum& b) -> int {
  switch (a.kind) {
    case Kind::kNumber:
      return a.number < b.number ? -1 : (b.number < a.number ? 1 : 0);
    case Kind::kText:
      return a.text.compare(b.text);
    default:
      return a.bits < b.bits ? -1 : (a.bits > b.bits ? 1 : 0);
  }
}

auto TableData::Hash(const Datum& key, std::string_view normalized) const -> uint64_t {
  if (schema_->normalized) return HashBytes(normalized);
  switch (key.kind) {
    case Kind::kText:
      return HashBytes(key.text);
    case Kind::kNumber:
      return HashWord(HashWord(kFnvBasis, static_cast<uint64_t>(key.number.num)),
                      static_cast<uint64_t>(key.number.den));
    default:
      return HashWord(kFnvBasis, static_cast<uint64_t>(key.bits));
  }
}

TableData::TableData(const Table& schema, std::vector<std::vector<Datum>> rows)
    : schema_(&schema), rows_(std::move(rows)) {
  size_t entries = rows_.size();
  if (schema.normalized) {
    for (uint32_t row = 0; row < rows_.size(); ++row) {
      keys_.push_back(NormalizeName(rows_[row][0].text));
      key_rows_.push_back(row);
      for (uint32_t column : schema.alias_columns) {
        const auto* aliases = static_cast<const TextSet*>(rows_[row][column].set);
        if (aliases == nullptr) continue;
        for (std::string_view alias : aliases->sorted) {
          keys_.push_back(NormalizeName(alias));
          key_rows_.push_back(row);
        }
      }
    }
    entries = keys_.size();
  }
  size_t capacity = 4;
  while (capacity < entries * 2) capacity *= 2;
  slots_.assign(capacity, 0);
  // Entries go in row order, so when two rows share a normalised name the earlier row is found.
  for (uint32_t e = 0; e < entries; ++e) {
    uint64_t h = schema.normalized ? HashBytes(keys_[e]) : Hash(rows_[e][0], {});
    size_t i = h & (capacity - 1);
    while (slots_[i] != 0) i = (i + 1) & (capacity - 1);
    slots_[i] = e + 1;
  }
}

auto TableData::Find(const Datum& key, std::string& scratch) const -> int64_t {
  if (schema_->normalized) return FindNormalized(NormalizeName(key.text, scratch));
  size_t mask = slots_.size() - 1;
  for (size_t i = Hash(key, {}) & mask; slots_[i] != 0; i = (i + 1) & mask) {
    uint32_t e = slots_[i] - 1;
    if (KeyCompare(rows_[e][0], key) == 0) return e;
  }
  return -1;
}

auto TableData::FindNormalized(std::string_view normalized) const -> int64_t {
  assert(schema_->normalized);
  Datum key{.kind = Kind::kText};
  size_t mask = slots_.size() - 1;
  for (size_t i = Hash(key, normalized) & mask; slots_[i] != 0; i = (i + 1) & mask) {
    uint32_t e = slots_[i] - 1;
    if (keys_[e] == normalized) return key_rows_[e];
  }
  return -1;
}

auto TableData::Closest(std::string_view key) const -> std::pair<std::string, int64_t> {
  if (!schema_->normalized || keys_.empty()) return {"", -1};
  std::string normalized = NormalizeName(key);
  size_t best = 0;
  size_t best_distance = SIZE_MAX;
  for (size_t e = 0; e < keys_.size(); ++e) {
    size_t d = EditDistance(normalized, keys_[e]);
    if (d < best_distance) {
      best_distance = d;
      best = e;
    }
  }
  // A far miss has no closest name worth showing.
  if (best_distance > std::max<size_t>(2, normalized.size() / 3)) return {"", -1};
  uint32_t row = key_rows_[best];
  return {std::string(rows_[row][0].text), row};
}

}  // namespace cordon::ir
