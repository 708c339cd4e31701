// SPDX-License-Identifier: Apache-2.0
#include "compiler/ir/table_data.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "compiler/base/names.h"
#include "compiler/base/spelling.h"

namespace cordon::ir {
namespace {

constexpr uint64_t kSeed = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMultiplier = 0xbf58476d1ce4e5b9ull;

// The high and low halves of a 128-bit product folded together: every input bit reaches
// every output bit, in one multiplication.
auto Fold(uint64_t x) -> uint64_t {
  unsigned __int128 m = static_cast<unsigned __int128>(x) * kMultiplier;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

auto Load64(const char* p) -> uint64_t {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

auto Load32(const char* p) -> uint64_t {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

auto HashWord(uint64_t h, uint64_t v) -> uint64_t { return Fold(h ^ v); }

}  // namespace

auto HashText(std::string_view text) -> uint64_t {
  const char* p = text.data();
  size_t n = text.size();
  uint64_t h = kSeed ^ n;
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) h = Fold(h ^ Load64(p));
    h = Fold(h ^ Load64(p + n - 8));  // the last eight bytes, overlapping the block before
  } else if (n >= 4) {
    h = Fold(h ^ (Load32(p) << 32 | Load32(p + n - 4)));
  } else if (n > 0) {
    auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
    h = Fold(h ^ (byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1)));
  }
  return Fold(h);
}

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

auto HashKey(const Datum& key) -> uint64_t {
  switch (key.kind) {
    case Kind::kText:
      return HashText(key.text);
    case Kind::kNumber:
      return HashWord(HashWord(kSeed, static_cast<uint64_t>(key.number.num)),
                      static_cast<uint64_t>(key.number.den));
    default:
      return HashWord(kSeed, static_cast<uint64_t>(key.bits));
  }
}

TableData::TableData(const Table& schema, Rows rows) : schema_(&schema), rows_(std::move(rows)) {
  size_t entries = rows_.size();
  if (schema.normalized) {
    keys_.reserve(rows_.size() + 1);
    std::string scratch;
    auto add = [&](std::string_view name, uint32_t row) {
      keys_.push_back(KeyEntry{.start = static_cast<uint32_t>(key_bytes_.size()), .row = row});
      key_bytes_ += NormalizeName(name, scratch);
    };
    for (uint32_t row = 0; row < rows_.size(); ++row) {
      add(rows_[row][0].text, row);
      for (uint32_t column : schema.alias_columns) {
        const auto* aliases = static_cast<const TextSet*>(rows_[row][column].set);
        if (aliases == nullptr) continue;
        for (std::string_view alias : aliases->sorted) add(alias, row);
      }
    }
    entries = keys_.size();
    keys_.push_back(KeyEntry{.start = static_cast<uint32_t>(key_bytes_.size()), .row = 0});
  }
  size_t capacity = 4;
  while (capacity < entries * 2) capacity *= 2;
  slots_.assign(capacity, Slot{});
  // Entries go in row order, so when two rows share a normalised name the earlier row is found.
  // The hashes come first, so that the slot a few entries ahead can be fetched while this one
  // is placed: in a table of 100,000 names nearly every slot is a cache miss.
  std::vector<uint64_t> hashes(entries);
  for (uint32_t e = 0; e < entries; ++e) {
    hashes[e] = schema.normalized ? HashText(Key(e)) : HashKey(rows_[e][0]);
  }
  constexpr uint32_t kAhead = 8;
  for (uint32_t e = 0; e < entries; ++e) {
    if (e + kAhead < entries) __builtin_prefetch(&slots_[hashes[e + kAhead] & (capacity - 1)]);
    Insert(e, hashes[e]);
  }
}

void TableData::Insert(uint32_t entry, uint64_t hash) {
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].entry != 0) i = (i + 1) & mask;
  slots_[i] = Slot{.tag = static_cast<uint32_t>(hash >> 32), .entry = entry + 1};
}

void NormalizeKey(std::string_view name, NormalizedKey& out) {
  NormalizeName(name, out.text);
  out.hash = HashText(out.text);
}

auto KeyMemo::Get(std::string_view name, bool& fresh) -> uint32_t {
  for (uint32_t i = 0; i < used_; ++i) {
    if (entries_[i].data == name.data() && entries_[i].size == name.size()) {
      fresh = false;
      return i;
    }
  }
  uint32_t i = std::min(used_, kEntries - 1);
  used_ = std::min(used_ + 1, kEntries);
  entries_[i].data = name.data();
  entries_[i].size = name.size();
  NormalizeKey(name, entries_[i].key);
  fresh = true;
  return i;
}

auto TableData::Find(const Datum& key, std::string& scratch) const -> int64_t {
  if (schema_->normalized) {
    NormalizeName(key.text, scratch);
    return FindNormalized(scratch, HashText(scratch));
  }
  size_t mask = slots_.size() - 1;
  uint64_t h = HashKey(key);
  auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask; slots_[i].entry != 0; i = (i + 1) & mask) {
    uint32_t e = slots_[i].entry - 1;
    if (slots_[i].tag == tag && KeyCompare(rows_[e][0], key) == 0) return e;
  }
  return -1;
}

auto TableData::FindNormalized(const NormalizedKey& key) const -> int64_t {
  return FindNormalized(key.text, key.hash);
}

auto TableData::FindNormalized(std::string_view normalized, uint64_t h) const -> int64_t {
  assert(schema_->normalized);
  size_t mask = slots_.size() - 1;
  auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask; slots_[i].entry != 0; i = (i + 1) & mask) {
    if (slots_[i].tag != tag) continue;
    uint32_t e = slots_[i].entry - 1;
    if (Key(e) == normalized) return keys_[e].row;
  }
  return -1;
}

auto TableData::Closest(std::string_view key) const -> std::pair<std::string, int64_t> {
  if (!schema_->normalized || keys_.size() <= 1) return {"", -1};
  std::string normalized = NormalizeName(key);
  size_t best = 0;
  size_t best_distance = SIZE_MAX;
  for (uint32_t e = 0; e + 1 < keys_.size(); ++e) {
    size_t d = EditDistance(normalized, Key(e));
    if (d < best_distance) {
      best_distance = d;
      best = e;
    }
  }
  // A far miss has no closest name worth showing.
  if (best_distance > std::max<size_t>(2, normalized.size() / 3)) return {"", -1};
  uint32_t row = keys_[best].row;
  return {std::string(rows_[row][0].text), row};
}

}  // namespace cordon::ir
