// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/table_data.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>

#include "runtime/base/names.h"
#include "runtime/base/spelling.h"
#include "runtime/ir/serialize.h"

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

// A compact key (the folded words of a name with nothing between them) is hashed a block of
// NameKey::kBlock bytes at a time, so the hash after each block depends only on the characters,
// not on where the words broke: "tian ke" and "tianke" reach the same states. Those states are the
// Bloom filter's checkpoints (TableData::MayStart); the key's hash adds the last, partial block and
// the length.
[[gnu::always_inline]] inline auto HashBlock(uint64_t h, const char* block) -> uint64_t {
  static_assert(NameKey::kBlock == 4);
  return Fold(h ^ Load32(block));
}

[[gnu::always_inline]] inline auto HashTail(uint64_t h, const char* p, size_t n, size_t size)
    -> uint64_t {
  uint64_t last = 0;
  if (n >= 4) {
    last = Load32(p) << 32 | Load32(p + n - 4);
  } else if (n > 0) {
    auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
    last = byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1);
  }
  return Fold(h ^ last ^ (uint64_t{size} << 56 | kMultiplier >> 8));
}

// A compact key as code points, for FindNear (which counts an edit in characters, not bytes).
// False for a key over TableData::kNearMax code points, which is not matched near. Bytes that are
// no UTF-8 sequence count one each.
auto CodePoints(std::string_view key, std::array<char32_t, TableData::kNearMax>& out, size_t& n)
    -> bool {
  n = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(key.data());
  const unsigned char* end = s + key.size();
  while (s < end) {
    if (n == out.size()) return false;
    char32_t c = *s;
    size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len > 1 && static_cast<size_t>(end - s) >= len) {
      char32_t cp = c & (0x7f >> len);
      bool valid = true;
      for (size_t i = 1; i < len; ++i) {
        valid = valid && (s[i] & 0xc0) == 0x80;
        cp = cp << 6 | (s[i] & 0x3f);
      }
      if (valid) {
        out[n++] = cp;
        s += len;
        continue;
      }
    }
    out[n++] = c;
    ++s;
  }
  return true;
}

// The hashes of a key's first half and last part (NearQuery::start and end), with the key's
// length and side folded in, as the near index files them.
auto NearSlotHash(uint64_t part, size_t n, uint32_t side) -> uint64_t {
  return Fold(part ^ ((uint64_t{n} << 1 | side) * kMultiplier));
}
// Whether `a` and `b` are at most one edit apart: one code point inserted, deleted or replaced,
// or two neighbours swapped (the optimal string alignment distance is at most 1).
auto WithinOneEdit(const char32_t* a, size_t na, const char32_t* b, size_t nb) -> bool {
  if (na > nb) return WithinOneEdit(b, nb, a, na);
  if (nb - na > 1) return false;
  size_t i = 0;
  while (i < na && a[i] == b[i]) ++i;
  if (i == na) return true;  // equal, or b is a with one more at the end
  if (na == nb) {
    if (std::equal(a + i + 1, a + na, b + i + 1)) return true;  // replaced
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           std::equal(a + i + 2, a + na, b + i + 2);  // swapped
  }
  return std::equal(a + i, a + na, b + i + 1);  // inserted into a
}

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
    case Kind::kNumber: {
      auto num = static_cast<unsigned __int128>(key.number.num);
      auto den = static_cast<unsigned __int128>(key.number.den);
      uint64_t h =
          HashWord(HashWord(kSeed, static_cast<uint64_t>(num)), static_cast<uint64_t>(num >> 64));
      return HashWord(HashWord(h, static_cast<uint64_t>(den)), static_cast<uint64_t>(den >> 64));
    }
    default:
      return HashWord(kSeed, static_cast<uint64_t>(key.bits));
  }
}

TableData::TableData(const Table& schema, Rows rows) : schema_(&schema), rows_(std::move(rows)) {
  size_t entries = rows_.size();
  std::vector<uint64_t> hashes;  // of each entry's key
  if (schema.normalized) {
    keys_.reserve(rows_.size());
    std::string scratch;
    size_t blocks = 0;  // the first block of each compact key, its first two, …
    auto append_word = [&](uint32_t word) {
      char bytes[sizeof word];
      std::memcpy(bytes, &word, sizeof word);
      records_.insert(records_.end(), bytes, bytes + sizeof word);
    };
    auto add = [&](std::string_view name, uint32_t row) {
      std::string_view key = NormalizeName(name, scratch, schema.names);
      keys_.push_back(static_cast<uint32_t>(records_.size()));
      append_word(row);
      append_word(static_cast<uint32_t>(key.size()));
      records_.insert(records_.end(), key.begin(), key.end());
      records_.resize((records_.size() + 3) & ~size_t{3}, '\0');
      blocks += key.size() / NameKey::kBlock;
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
    // 4-8 bits a checkpoint, but far more a distinct one ("beijing" starts thousands of names).
    size_t words = 1;
    while (words * 16 < blocks) words *= 2;
    starts_.assign(words, 0);
    hashes.resize(entries);
    for (uint32_t e = 0; e < entries; ++e) {
      std::string_view key = Key(e);
      uint64_t h = NameKey::kNoWords;
      size_t at = 0;
      for (; at + NameKey::kBlock <= key.size(); at += NameKey::kBlock) {
        h = HashBlock(h, key.data() + at);
        starts_[(h >> 40) & (words - 1)] |= StartBits(h);
      }
      hashes[e] = HashTail(h, key.data() + at, key.size() - at, key.size());
    }
  } else {
    hashes.resize(entries);
    for (uint32_t e = 0; e < entries; ++e) hashes[e] = HashKey(rows_[e][0]);
  }
  if (schema.normalized) BuildNear();
  size_t capacity = 4;
  while (capacity < entries * 2) capacity *= 2;
  slots_.assign(capacity, Slot{});
  // Entries go in row order, so when two rows share a normalised name the earlier row is found.
  // The hashes come first, so that the slot a few entries ahead can be fetched while this one
  // is placed: in a table of 100,000 names nearly every slot is a cache miss.
  constexpr uint32_t kAhead = 8;
  for (uint32_t e = 0; e < entries; ++e) {
    if (e + kAhead < entries) __builtin_prefetch(&slots_[hashes[e + kAhead] & (capacity - 1)]);
    Insert(e, hashes[e]);
  }
}

auto NearQuery::Prepare(std::string_view key) -> bool {
  if (!CodePoints(key, cps_, size_)) return false;
  // Near reads no start or end longer than half a key one longer than this one.
  size_t most = std::min(size_, size_ / 2 + 1);
  starts_[0] = kSeed;
  for (size_t i = 0; i < most; ++i) starts_[i + 1] = Fold(starts_[i] ^ cps_[i]);
  ends_[0] = kSeed;
  for (size_t i = 0; i < most; ++i) ends_[i + 1] = Fold(ends_[i] ^ cps_[size_ - 1 - i]);
  return true;
}

void TableData::BuildNear() {
  std::vector<uint64_t> hashes;  // pairs: a slot's hash, its entry
  hashes.reserve(keys_.size() * 4);
  NearQuery key;
  for (uint32_t e = 0; e < keys_.size(); ++e) {
    if (!key.Prepare(Key(e)) || key.size() < kNearMin) continue;
    size_t n = key.size();
    hashes.push_back(NearSlotHash(key.start(n / 2), n, 0));
    hashes.push_back(e);
    hashes.push_back(NearSlotHash(key.end(n - n / 2 - 1), n, 1));
    hashes.push_back(e);
  }
  size_t count = hashes.size() / 2;
  size_t capacity = 4;
  while (capacity < count * 2) capacity *= 2;
  near_.assign(capacity, Slot{});
  // At most 5 slot hashes a word, 3 bits each: about 1% of the probes that find nothing still
  // read the index, in a filter an eighth of its size.
  size_t words = 1;
  while (words * 5 < count) words *= 2;
  near_filter_.assign(words, 0);
  for (size_t k = 0; k < hashes.size(); k += 2) {
    near_filter_[(hashes[k] >> 40) & (words - 1)] |= StartBits(hashes[k]);
  }
  size_t mask = capacity - 1;
  for (size_t k = 0; k < hashes.size(); k += 2) {
    uint64_t h = hashes[k];
    size_t i = h & mask;
    while (near_[i].entry != 0) i = (i + 1) & mask;
    near_[i] = Slot{.tag = static_cast<uint32_t>(h >> 32),
                    .entry = static_cast<uint32_t>(hashes[k + 1]) + 1};
  }
}

auto TableData::FindNear(NameKey& name) const -> int64_t {
  int64_t found = FindName(name);
  if (found >= 0 || near_.empty()) return found;
  NearQuery query;
  if (!query.Prepare(name.text(name.KeyWords()))) return -1;
  return Near(query);
}

auto TableData::Near(const NearQuery& query) const -> int64_t {
  size_t m = query.size();
  if (near_.empty() || m + 1 < kNearMin) return -1;
  std::array<char32_t, kNearMax> key;
  size_t mask = near_.size() - 1;
  auto best = static_cast<uint32_t>(-1);
  auto probe = [&](uint64_t h) {
    uint64_t bits = StartBits(h);
    if ((near_filter_[(h >> 40) & (near_filter_.size() - 1)] & bits) != bits) return;
    auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask; near_[i].entry != 0; i = (i + 1) & mask) {
      if (near_[i].tag != tag) continue;
      uint32_t e = near_[i].entry - 1;
      uint32_t row = RowAt(keys_[e]);
      if (row >= best) continue;
      size_t n = 0;
      if (CodePoints(Key(e), key, n) && WithinOneEdit(query.code_points(), m, key.data(), n)) {
        best = row;
      }
    }
  };
  // A key of n code points one edit from the query: n is m - 1, m or m + 1.
  for (size_t n = m == 0 ? 1 : m - 1; n <= m + 1; ++n) {
    if (n < kNearMin || n > kNearMax) continue;
    size_t half = n / 2;
    size_t last = n - half - 1;
    if (m >= half) probe(NearSlotHash(query.start(half), n, 0));
    if (m >= last) probe(NearSlotHash(query.end(last), n, 1));
  }
  return best == static_cast<uint32_t>(-1) ? int64_t{-1} : int64_t{best};
}

void TableData::Insert(uint32_t entry, uint64_t hash) {
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  auto tag = static_cast<uint32_t>(hash >> 32);
  for (; slots_[i].entry != 0; i = (i + 1) & mask) {
    // A name or alias an earlier row already has is never found in this row, and left out:
    // an alias in thousands of rows would otherwise make one probe run of thousands of slots.
    if (schema_->normalized && slots_[i].tag == tag && KeyAt(slots_[i].entry - 1) == Key(entry)) {
      return;
    }
  }
  slots_[i] = Slot{.tag = tag, .entry = (schema_->normalized ? keys_[entry] : entry) + 1};
}

void NameKey::Reset(std::string_view name, const NameRules& rules) {
  rules_ = &rules;
  name_ = PlainName(name, plain_, rules);  // as NormalizeName reads it
  pos_ = 0;
  next_ = 0;
  // Sized once for the whole name (the compact key is never longer), so reading a word never
  // moves the text.
  if (text_.size() < name.size() + 1) text_.resize(name.size() + 1);
  words_.clear();
  blocks_.assign(1, kNoWords);
}

auto NameKey::ReadTo(uint32_t count) -> bool {
  // The state lives in locals for the loop: a call per word made a name read word by word a
  // third slower than NormalizeName and HashText over it whole.
  const auto* begin = reinterpret_cast<const unsigned char*>(name_.data());
  const unsigned char* s = begin + pos_;
  const unsigned char* const end = begin + name_.size();
  char* const text = text_.data();
  const unsigned char* fold = rules_->fold.data();
  // Words after the first start after a space when words are not compact: a separator came
  // before them, so the text still fits.
  const uint32_t gap = rules_->compact ? 0 : 1;
  uint32_t at = next_;
  bool read = true;
  while (words_.size() < count) {
    uint32_t space = words_.empty() ? 0 : gap;
    size_t n = FoldWord(s, end, text + at + space, fold);
    if (n == 0) {
      read = false;
      break;
    }
    if (space != 0) text[at++] = ' ';
    auto word_end = static_cast<uint32_t>(at + n);
    for (size_t block = blocks_.size() - 1; (block + 1) * kBlock <= word_end; ++block) {
      blocks_.push_back(HashBlock(blocks_.back(), text + block * kBlock));
    }
    words_.push_back(Word{.start = at, .end = word_end});
    at = word_end;
  }
  pos_ = static_cast<size_t>(s - begin);
  next_ = at;
  return read;
}

auto NameKey::hash(uint32_t count) const -> uint64_t {
  uint32_t size = count == 0 ? 0 : words_[count - 1].end;
  uint32_t full = size / kBlock;
  return HashTail(blocks_[full], text_.data() + full * kBlock, size - full * kBlock, size);
}

auto NameKey::legal_form(uint32_t word) const -> bool {
  const Word& w = words_[word - 1];
  return rules_->IsLegalForm(std::string_view(text_.data() + w.start, w.end - w.start));
}

auto NameKey::KeyWords() -> uint32_t {
  ReadTo(UINT32_MAX);
  auto count = static_cast<uint32_t>(words_.size());
  while (count > 1 && legal_form(count)) --count;
  return count;
}

void FieldLookups::Resize(size_t fields, size_t tables, size_t rule_sets) {
  tables_ = tables;
  rule_sets_ = std::max<size_t>(rule_sets, 1);
  keys_.assign(fields * rule_sets_, Key{});
  rows_.assign(fields * tables * 2, Row{});
}

auto FieldLookups::Find(const TableData& data, uint32_t table, uint32_t field,
                        std::string_view text, bool near) -> int64_t {
  const Table& schema = data.schema();
  if (field >= fields() || schema.names_id >= rule_sets_) {
    auto at = reinterpret_cast<uintptr_t>(text.data());
    Other& slot = others_[((at >> 3) ^ (at >> 11) ^ (table * 0x9e3779b1u) ^ text.size() ^
                           static_cast<size_t>(near)) %
                          others_.size()];
    if (slot.epoch == epoch_ && slot.data == text.data() && slot.size == text.size() &&
        slot.table == table && slot.near == near) {
      return slot.row;
    }
    other_.Reset(text, schema.names);
    int64_t row = data.FindName(other_);
    if (near && row < 0 && other_near_.Prepare(other_.text(other_.KeyWords()))) {
      row = data.Near(other_near_);
    }
    slot = Other{.epoch = epoch_,
                 .data = text.data(),
                 .size = text.size(),
                 .table = table,
                 .near = near,
                 .row = row};
    return row;
  }
  // A name is read once a decision for each set of rules it is compared by.
  Key& key = keys_[field * rule_sets_ + schema.names_id];
  auto exact = [&]() -> int64_t {
    Row& row = rows_[(field * tables_ + table) * 2];
    if (row.epoch == epoch_) return row.row;
    if (key.epoch != epoch_) {
      key.epoch = epoch_;
      key.name.Reset(text, schema.names);
    }
    row = Row{.epoch = epoch_, .row = data.FindName(key.name)};
    return row.row;
  };
  if (!near) return exact();
  Row& row = rows_[(field * tables_ + table) * 2 + 1];
  if (row.epoch == epoch_) return row.row;
  int64_t found = exact();
  if (found < 0) {
    // The name's code points and end hashes once a decision, for every table it is near.
    if (key.near_epoch != epoch_) {
      key.near_epoch = epoch_;
      key.near_ok = key.near.Prepare(key.name.text(key.name.KeyWords()));
    }
    if (key.near_ok) found = data.Near(key.near);
  }
  row = Row{.epoch = epoch_, .row = found};
  return found;
}

auto TableData::rows_hash() const -> uint64_t {
  // Two threads may both compute it: they store the same value.
  if (rows_hashed_.load(std::memory_order_acquire)) {
    return rows_hash_.load(std::memory_order_relaxed);
  }
  uint64_t h = RowsHash(rows_);
  rows_hash_.store(h, std::memory_order_relaxed);
  rows_hashed_.store(true, std::memory_order_release);
  return h;
}

auto TableData::Find(const Datum& key) const -> int64_t {
  if (schema_->normalized) {
    NameKey name;
    name.Reset(key.text, schema_->names);
    return FindName(name);
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

auto TableData::FindName(NameKey& name) const -> int64_t {
  assert(schema_->normalized);
  uint32_t checked = 0;  // blocks found at the start of some key
  for (uint32_t count = 1; name.Read(count); ++count) {
    uint32_t blocks = name.blocks(count);
    while (checked < blocks && MayStart(name.block_hash(checked + 1))) ++checked;
    if (checked == blocks) continue;
    // No key starts with the bytes up to a block that ends within word `count`. The compact key
    // keeps this word, and then is no key, unless it is the first word or this word and all
    // after it are legal forms (which the key drops).
    if (count == 1) return -1;
    for (uint32_t word = count; name.Read(word); ++word) {
      if (!name.legal_form(word)) return -1;
    }
    break;
  }
  uint32_t words = name.KeyWords();
  return FindNormalized(name.text(words), name.hash(words));
}

auto TableData::FindNormalized(std::string_view normalized, uint64_t h) const -> int64_t {
  assert(schema_->normalized);
  size_t mask = slots_.size() - 1;
  auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask; slots_[i].entry != 0; i = (i + 1) & mask) {
    if (slots_[i].tag != tag) continue;
    uint32_t record = slots_[i].entry - 1;
    if (KeyAt(record) == normalized) return RowAt(record);
  }
  return -1;
}

auto TableData::Closest(std::string_view key) const -> std::pair<std::string, int64_t> {
  if (!schema_->normalized || keys_.empty()) return {"", -1};
  std::string normalized;
  NormalizeName(key, normalized, schema_->names);
  size_t best = 0;
  size_t best_distance = SIZE_MAX;
  for (uint32_t e = 0; e < keys_.size(); ++e) {
    size_t d = EditDistance(normalized, Key(e));
    if (d < best_distance) {
      best_distance = d;
      best = e;
    }
  }
  // A far miss has no closest name worth showing.
  if (best_distance > std::max<size_t>(2, normalized.size() / 3)) return {"", -1};
  uint32_t row = RowAt(keys_[best]);
  return {std::string(rows_[row][0].text), row};
}

}  // namespace cordon::ir
