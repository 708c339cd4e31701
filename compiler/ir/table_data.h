// SPDX-License-Identifier: Apache-2.0
// The rows of one table and the hash index that finds a row by key. The interpreter and the
// compiled engines both look keys up through this one class, so `match normalized` and every
// other key rule means the same in each engine. An `extern` table the host swaps at run time is
// a new TableData built beside the old one.
#ifndef CORDON_COMPILER_IR_TABLE_DATA_H_
#define CORDON_COMPILER_IR_TABLE_DATA_H_

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace cordon::ir {

// A name as `match normalized` tables compare it, normalised and hashed once however many tables
// look it up.
struct NormalizedKey {
  std::string text;
  uint64_t hash = 0;
};
void NormalizeKey(std::string_view name, NormalizedKey& out);

// The normalised keys of the few names one decision looks up, by the address of their text: a
// policy looks the same name up in several tables (the end user in the Entity and the Unverified
// List), and texts stay where they are during a decision. Not thread-safe.
class KeyMemo {
 public:
  static constexpr uint32_t kEntries = 4;
  void Clear() { used_ = 0; }
  // The entry of `name`, normalising it if it is new. `fresh` says so, and is the caller's cue
  // to forget anything it kept for the entry's previous name. Past kEntries names the last entry
  // is reused: a policy reading more names per decision only normalises some of them twice.
  auto Get(std::string_view name, bool& fresh) -> uint32_t;
  auto key(uint32_t entry) const -> const NormalizedKey& { return entries_[entry].key; }

 private:
  struct Entry {
    const char* data = nullptr;
    size_t size = 0;
    NormalizedKey key;
  };
  std::array<Entry, kEntries> entries_;
  uint32_t used_ = 0;
};

class TableData {
 public:
  // Indexes `rows`, whose texts and sets point into `program` or into storage this object was
  // given with AdoptStorage. `schema` must outlive this object.
  TableData(const Table& schema, Rows rows);
  TableData(const TableData&) = delete;
  auto operator=(const TableData&) -> TableData& = delete;

  auto schema() const -> const Table& { return *schema_; }
  auto rows() const -> const Rows& { return rows_; }

  // The row whose key (or, with `match normalized`, whose normalised name or alias) equals
  // `key`, or -1. `scratch` holds the normalised key; reusing it makes lookups allocation-free.
  auto Find(const Datum& key, std::string& scratch) const -> int64_t;
  // The same for a `match normalized` table, given the key already normalised.
  auto FindNormalized(const NormalizedKey& key) const -> int64_t;
  // Starts fetching the index slot FindNormalized(key) will read first: a name looked up in one
  // large table is usually looked up in the others too, and each first probe misses the cache.
  void Prefetch(const NormalizedKey& key) const {
    __builtin_prefetch(&slots_[key.hash & (slots_.size() - 1)]);
  }

  // For --explain: the listed name or alias closest to `key` (edit distance on normalised
  // names), with its row, or -1 when the table is empty or not `match normalized`.
  auto Closest(std::string_view key) const -> std::pair<std::string, int64_t>;

  // Storage the rows' texts and sets point into, when they do not point into the program.
  std::deque<std::string> texts;
  std::deque<TextSet> text_sets;
  // What else they point into: the CSV text a table swapped in at run time was read from.
  std::shared_ptr<const void> source;

 private:
  // Open addressing, at most half full. `tag` is the high half of the key's hash, so a probe
  // compares keys only when their hashes agree.
  struct Slot {
    uint32_t tag = 0;
    uint32_t entry = 0;  // entry + 1; 0 empty
  };
  auto Key(uint32_t entry) const -> std::string_view {
    return std::string_view(key_bytes_)
        .substr(keys_[entry].start, keys_[entry + 1].start - keys_[entry].start);
  }
  void Insert(uint32_t entry, uint64_t hash);
  auto FindNormalized(std::string_view normalized, uint64_t hash) const -> int64_t;

  const Table* schema_;
  Rows rows_;
  // With `match normalized`: one entry per name and alias, in row order, the normalised keys
  // end to end in one string.
  std::string key_bytes_;
  // Where each entry's key starts and the row it names, side by side so that a hit costs one
  // cache miss here; one more at the end, whose start is where the last key ends.
  struct KeyEntry {
    uint32_t start;
    uint32_t row;
  };
  std::vector<KeyEntry> keys_;
  std::vector<Slot> slots_;
};

// TableData::Prefetch in each `match normalized` table of `tables`.
inline void PrefetchNormalized(std::span<const TableData* const> tables, const NormalizedKey& key) {
  for (const TableData* table : tables) {
    if (table->schema().normalized) table->Prefetch(key);
  }
}

// The hash of the table index (a multiply-fold hash, eight bytes at a time).
auto HashText(std::string_view text) -> uint64_t;
// The hash of a key as a table without `match normalized` compares it (KeyCompare).
auto HashKey(const Datum& key) -> uint64_t;

// Orders two keys of one column kind (numbers, texts, or the `bits` kinds).
auto KeyCompare(const Datum& a, const Datum& b) -> int;

}  // namespace cordon::ir

#endif  // CORDON_COMPILER_IR_TABLE_DATA_H_
