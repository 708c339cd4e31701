// SPDX-License-Identifier: Apache-2.0
// The rows of one table and the hash index that finds a row by key. The interpreter and the
// compiled engines both look keys up through this one class, so `match normalized` and every
// other key rule means the same in each engine. An `extern` table the host swaps at run time is
// a new TableData built beside the old one.
#ifndef CORDON_RUNTIME_IR_TABLE_DATA_H_
#define CORDON_RUNTIME_IR_TABLE_DATA_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/huge_pages.h"
#include "runtime/base/names.h"
#include "runtime/ir/ir.h"

namespace cordon::ir {

// A name as `match normalized` tables look it up: normalised lazily, a word at a time, into its
// compact key (the folded words with nothing between them, so "Tian-Ke" and "Tianke" are one
// key). Most names looked up are on no list, and most of those part from every listed name
// within a few bytes, so a lookup stops at the first block of kBlock bytes no listed key starts
// with (TableData::FindName) and the rest is never read.
class NameKey {
 public:
  // Starts on `name`, which must stay where it is while this key is used, as `rules` read it
  // (which must outlive this use).
  void Reset(std::string_view name, const NameRules& rules = DefaultNameRules());
  // Reads the name up to its `count`th word (from 1); false when it has fewer words.
  auto Read(uint32_t count) -> bool { return count <= words_.size() || ReadTo(count); }
  // Of words already read: whether word `word` (from 1) is a legal form ("co", "ltd", …), and
  // the hash and compact text of the first `count` words (0 words: the empty name).
  auto legal_form(uint32_t word) const -> bool;
  auto hash(uint32_t count) const -> uint64_t;
  auto text(uint32_t count) const -> std::string_view {
    return std::string_view(text_.data(), count == 0 ? 0 : words_[count - 1].end);
  }
  // How many whole blocks of kBlock bytes the first `count` words' compact text holds, and the
  // hash of the text up to the end of block `block` (from 1): the Bloom filter's checkpoints.
  auto blocks(uint32_t count) const -> uint32_t {
    return count == 0 ? 0 : words_[count - 1].end / kBlock;
  }
  auto block_hash(uint32_t block) const -> uint64_t { return blocks_[block]; }
  // Reads every word and returns how many NormalizeName keeps: trailing legal forms are
  // dropped while another word remains.
  auto KeyWords() -> uint32_t;

  // The hash of no bytes. A `match normalized` key's hash is built a block at a time
  // (table_data.cpp, HashBlock), so that every whole block on the way has one. Four bytes: a
  // name on no list is given up after its first four letters when no listed name starts so
  // (with eight, a short first word such as "Example" read the next word too).
  static constexpr uint64_t kNoWords = 0x9e3779b97f4a7c15ull;
  static constexpr uint32_t kBlock = 4;

 private:
  auto ReadTo(uint32_t count) -> bool;

  struct Word {
    uint32_t start;  // in text_
    uint32_t end;
  };
  const NameRules* rules_ = &DefaultNameRules();
  std::string_view name_;  // the name, or plain_ when PlainName rewrote it
  std::string plain_;
  size_t pos_ = 0;     // in name_, past the last word read
  uint32_t next_ = 0;  // in text_, where the next word goes
  std::string text_;   // the words read, folded, end to end; sized for the whole name
  std::vector<Word> words_;
  std::vector<uint64_t> blocks_;  // [b]: the hash after b whole blocks of text_
};

// A compact key prepared for TableData::Near: its code points, and the hash of every start and
// every end of it, so that one name is hashed once for all the tables it is looked up near.
class NearQuery {
 public:
  static constexpr uint32_t kMax = 256;  // longer keys are matched exactly only
  // False for a key of more than kMax code points.
  auto Prepare(std::string_view key) -> bool;
  auto size() const -> size_t { return size_; }
  auto code_points() const -> const char32_t* { return cps_.data(); }
  // The hash of the first `n` code points, and of the last `n` (hashed from the end), for `n`
  // up to half the size, plus one.
  auto start(size_t n) const -> uint64_t { return starts_[n]; }
  auto end(size_t n) const -> uint64_t { return ends_[n]; }

 private:
  size_t size_ = 0;
  std::array<char32_t, kMax> cps_;
  std::array<uint64_t, kMax + 1> starts_;
  std::array<uint64_t, kMax + 1> ends_;
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
  // RowsHash of the rows, computed on first use (a table version's hash).
  auto rows_hash() const -> uint64_t;

  // The row whose key (or, with `match normalized`, whose normalised name or alias) equals
  // `key`, or -1. A `match normalized` table is better asked through FindName.
  auto Find(const Datum& key) const -> int64_t;
  // The same for a `match normalized` table, reading no more of the name than it must.
  auto FindName(NameKey& name) const -> int64_t;

  // `near(table, name)` on a `match normalized` table: the row FindName finds; else the first
  // row (in row order) with a name or alias one edit from the name's compact key (one character
  // inserted, deleted or replaced, or two neighbours swapped, counting code points), when that
  // key has at least kNearMin characters; else -1. A misspelt listed party ("Hikvison") is found
  // so that a rule can say so, where a lookup of the exact key passes it silently.
  auto FindNear(NameKey& name) const -> int64_t;
  // The near part alone: the first row one edit from `query`, which no key equals, or -1.
  auto Near(const NearQuery& query) const -> int64_t;
  static constexpr uint32_t kNearMin = 5;  // "Face++" is "face": one edit from "fact", "race"
  static constexpr uint32_t kNearMax = NearQuery::kMax;

  // For --explain: the listed name or alias closest to `key` (edit distance on normalised
  // names), with its row, or -1 when the table is empty or not `match normalized`.
  auto Closest(std::string_view key) const -> std::pair<std::string, int64_t>;

  // Storage the rows' texts and sets point into, when they do not point into the program.
  std::deque<std::string> texts;
  std::deque<TextSet> text_sets;
  // What else they point into: the CSV text a table swapped in at run time was read from.
  std::shared_ptr<const void> source;
  // Where the rows came from, for table versions: the file or the name the host gave the CSV
  // ("" for rows compiled into the policy), and the file's modification time (UTC, ISO 8601).
  std::string source_name;
  std::string modified;

 private:
  // Open addressing, at most half full. `tag` is the high half of the key's hash, so a probe
  // compares keys only when their hashes agree.
  struct Slot {
    uint32_t tag = 0;
    uint32_t entry = 0;  // 0 empty; else the row + 1, or with `match normalized` its record + 1
  };
  auto KeyAt(uint32_t record) const -> std::string_view {
    uint32_t size;
    std::memcpy(&size, records_.data() + record + 4, sizeof size);
    return std::string_view(records_.data() + record + 8, size);
  }
  auto RowAt(uint32_t record) const -> uint32_t {
    uint32_t row;
    std::memcpy(&row, records_.data() + record, sizeof row);
    return row;
  }
  auto Key(uint32_t entry) const -> std::string_view { return KeyAt(keys_[entry]); }
  void Insert(uint32_t entry, uint64_t hash);
  void BuildNear();
  auto FindNormalized(std::string_view normalized, uint64_t hash) const -> int64_t;
  // Whether some key may start with the blocks whose hash is `hash` (NameKey::block_hash; a
  // Bloom filter: never false when one does).
  auto MayStart(uint64_t hash) const -> bool {
    uint64_t bits = StartBits(hash);
    return (starts_[(hash >> 40) & (starts_.size() - 1)] & bits) == bits;
  }
  static auto StartBits(uint64_t hash) -> uint64_t {
    return uint64_t{1} << (hash & 63) | uint64_t{1} << ((hash >> 6) & 63) |
           uint64_t{1} << ((hash >> 12) & 63);
  }

  const Table* schema_;
  Rows rows_;
  mutable std::atomic<uint64_t> rows_hash_{0};
  mutable std::atomic<bool> rows_hashed_{false};  // rows_hash_ holds the hash
  // With `match normalized`: a record per name and alias (an entry), in row order, end to end:
  // the row (4 bytes), the normalised key's length (4 bytes), the key, padded to 4 bytes. An
  // index slot names its record, so a hit finds the row and the key in one place (a table of
  // key starts between the two cost one more cache miss). This and the arrays below are read
  // at random by lookups: huge pages when large.
  HugeVector<char> records_;
  std::vector<uint32_t> keys_;  // where each entry's record starts
  HugeVector<Slot> slots_;
  // With `match normalized`, for FindNear: two slots an entry of n code points (kNearMin <= n <=
  // kNearMax), hashed with n: its first n/2 code points, and its last n - n/2 - 1. One edit
  // leaves one of the two whole (the edit is after the first half, or before the last part, a
  // swap across the middle included), so a name one edit away finds the entry by one of them.
  HugeVector<Slot> near_;
  // A Bloom filter of the near slots' hashes (StartBits, as `starts_`), tested before a probe:
  // most names are one edit from no key, and the filter stays in cache where the index does not.
  HugeVector<uint64_t> near_filter_;
  // With `match normalized`: the first kBlock bytes of every compact key, its first 2 * kBlock,
  // and so on (a Bloom filter of block hashes).
  HugeVector<uint64_t> starts_;
};

// One decision's `match normalized` lookups, by the request field a key is (its index in
// LookupKeySlots): the rules look the same names up again and again (the end user in the Entity
// and the Unverified List, from several rules), so each field is normalised once per decision
// and found in each table once. Any other text (a list element's, a row's, a constant) is
// remembered by its address for the rest of the decision, in a small cache: an ownership tree's
// names are read again by each rule that walks it, and the bytes at an address do not change
// while a decision is made. A decision starts afresh by counting, not by clearing: an entry is
// current when its stamp is the decision's (64 bits never wrap). Not thread-safe.
class FieldLookups {
 public:
  static constexpr uint32_t kNoField = kNoId;
  // For a program with `fields` lookup key fields, `tables` tables and `rule_sets` sets of name
  // rules (Program::name_rule_sets).
  void Resize(size_t fields, size_t tables, size_t rule_sets);
  void Start() { ++epoch_; }
  // The row of `table` (the `table`th of the program) whose key matches `text`, which is
  // request field `field` or kNoField; a field past those given to Resize counts as kNoField.
  // With `near`, the row TableData::FindNear finds.
  auto Find(const TableData& data, uint32_t table, uint32_t field, std::string_view text,
            bool near = false) -> int64_t;

 private:
  struct Key {
    uint64_t epoch = 0;
    NameKey name;
    uint64_t near_epoch = 0;  // `near` prepared for this decision
    bool near_ok = false;     // and short enough to be matched near
    NearQuery near;
  };
  struct Row {
    uint64_t epoch = 0;
    int64_t row = -1;
  };
  // A text that is no request field, found in a table this decision: direct-mapped by address.
  struct Other {
    uint64_t epoch = 0;
    const char* data = nullptr;
    size_t size = 0;
    uint32_t table = 0;
    bool near = false;
    int64_t row = -1;
  };
  auto fields() const -> size_t { return keys_.size() / rule_sets_; }

  uint64_t epoch_ = 1;  // entries start stale
  size_t tables_ = 0;
  size_t rule_sets_ = 1;
  std::vector<Key> keys_;  // by field, then by the table's Table::names_id
  std::vector<Row> rows_;  // [(field * tables_ + table) * 2 + near]
  NameKey other_;
  NearQuery other_near_;
  std::array<Other, 64> others_{};
};

// The hash of the table index (a multiply-fold hash, eight bytes at a time).
auto HashText(std::string_view text) -> uint64_t;
// The hash of a key as a table without `match normalized` compares it (KeyCompare).
auto HashKey(const Datum& key) -> uint64_t;

// Orders two keys of one column kind (numbers, texts, or the `bits` kinds).
auto KeyCompare(const Datum& a, const Datum& b) -> int;

}  // namespace cordon::ir

#endif  // CORDON_RUNTIME_IR_TABLE_DATA_H_
