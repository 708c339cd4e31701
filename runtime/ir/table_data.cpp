// SPDX-License-Identifier: Apache-2.0
#include "runtime/ir/table_data.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "runtime/base/names.h"
#include "runtime/base/spelling.h"

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

// The hash of some words (`h`) and then `word`, for NameKey and the index of its keys. Inline
// in NameKey::ReadTo.
[[gnu::always_inline]] inline auto HashNextWord(uint64_t h, std::string_view word) -> uint64_t {
  // One multiplication for a word of up to eight bytes. The length goes in with the last block,
  // so that "abcdefgh ij" and "abcdefghij" part.
  const char* p = word.data();
  size_t n = word.size();
  for (; n > 8; p += 8, n -= 8) h = Fold(h ^ Load64(p));
  uint64_t last = 0;
  if (n >= 4) {
    last = Load32(p) << 32 | Load32(p + n - 4);
  } else if (n > 0) {
    auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
    last = byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1);
  }
  return Fold(h ^ last ^ (uint64_t{word.size()} << 56 | kMultiplier >> 8));
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
    case Kind::kNumber:
      return HashWord(HashWord(kSeed, static_cast<uint64_t>(key.number.num)),
                      static_cast<uint64_t>(key.number.den));
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
    size_t prefixes = 0;  // the first word of each key, its first two words, …
    auto append_word = [&](uint32_t word) {
      char bytes[sizeof word];
      std::memcpy(bytes, &word, sizeof word);
      records_.insert(records_.end(), bytes, bytes + sizeof word);
    };
    auto add = [&](std::string_view name, uint32_t row) {
      std::string_view key = NormalizeName(name, scratch);
      keys_.push_back(static_cast<uint32_t>(records_.size()));
      append_word(row);
      append_word(static_cast<uint32_t>(key.size()));
      records_.insert(records_.end(), key.begin(), key.end());
      records_.resize((records_.size() + 3) & ~size_t{3}, '\0');
      if (!key.empty())
        prefixes += 1 + static_cast<size_t>(std::count(key.begin(), key.end(), ' '));
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
    // 4-8 bits a prefix, but far more a distinct one ("beijing" starts thousands of names):
    // 512 KiB for the bench's 100,000 names (683,933 prefixes of 260,844 names and aliases),
    // where 1 MiB and 256 KiB were no faster.
    size_t words = 1;
    while (words * 16 < prefixes) words *= 2;
    starts_.assign(words, 0);
    hashes.resize(entries);
    for (uint32_t e = 0; e < entries; ++e) {
      std::string_view key = Key(e);
      uint64_t h = NameKey::kNoWords;
      for (size_t at = 0; at < key.size();) {
        size_t space = std::min(key.find(' ', at), key.size());
        h = HashNextWord(h, key.substr(at, space - at));
        starts_[(h >> 40) & (words - 1)] |= StartBits(h);
        at = space + 1;
      }
      hashes[e] = h;
    }
  } else {
    hashes.resize(entries);
    for (uint32_t e = 0; e < entries; ++e) hashes[e] = HashKey(rows_[e][0]);
  }
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

void NameKey::Reset(std::string_view name) {
  name_ = PlainUnicode(name, plain_);  // as NormalizeName reads it
  pos_ = 0;
  next_ = 0;
  hash_ = kNoWords;
  // Sized once for the whole name (the normalised name is never longer), so reading a word
  // never moves the text.
  if (text_.size() < name.size() + 1) text_.resize(name.size() + 1);
  words_.clear();
}

auto NameKey::ReadTo(uint32_t count) -> bool {
  // The state lives in locals for the loop: a call per word made a name read word by word a
  // third slower than NormalizeName and HashText over it whole.
  const auto* begin = reinterpret_cast<const unsigned char*>(name_.data());
  const unsigned char* s = begin + pos_;
  const unsigned char* const end = begin + name_.size();
  char* const text = text_.data();
  uint32_t at = next_;
  uint64_t h = hash_;
  bool read = true;
  while (words_.size() < count) {
    size_t n = FoldWord(s, end, text + at);
    if (n == 0) {
      read = false;
      break;
    }
    if (at != 0) text[at - 1] = ' ';
    h = HashNextWord(h, std::string_view(text + at, n));
    words_.push_back(Word{.start = at, .end = static_cast<uint32_t>(at + n), .hash = h});
    at += static_cast<uint32_t>(n) + 1;
  }
  pos_ = static_cast<size_t>(s - begin);
  next_ = at;
  hash_ = h;
  return read;
}

auto NameKey::legal_form(uint32_t word) const -> bool {
  const Word& w = words_[word - 1];
  return IsLegalForm(std::string_view(text_.data() + w.start, w.end - w.start));
}

auto NameKey::KeyWords() -> uint32_t {
  ReadTo(UINT32_MAX);
  auto count = static_cast<uint32_t>(words_.size());
  while (count > 1 && legal_form(count)) --count;
  return count;
}

void FieldLookups::Resize(size_t fields, size_t tables) {
  tables_ = tables;
  keys_.assign(fields, Key{});
  rows_.assign(fields * tables, Row{});
}

auto FieldLookups::Find(const TableData& data, uint32_t table, uint32_t field,
                        std::string_view text) -> int64_t {
  if (field >= keys_.size()) {
    auto at = reinterpret_cast<uintptr_t>(text.data());
    Other& slot =
        others_[((at >> 3) ^ (at >> 11) ^ (table * 0x9e3779b1u) ^ text.size()) % others_.size()];
    if (slot.epoch == epoch_ && slot.data == text.data() && slot.size == text.size() &&
        slot.table == table) {
      return slot.row;
    }
    other_.Reset(text);
    int64_t row = data.FindName(other_);
    slot = Other{
        .epoch = epoch_, .data = text.data(), .size = text.size(), .table = table, .row = row};
    return row;
  }
  Row& row = rows_[field * tables_ + table];
  if (row.epoch == epoch_) return row.row;
  Key& key = keys_[field];
  if (key.epoch != epoch_) {
    key.epoch = epoch_;
    key.name.Reset(text);
  }
  row = Row{.epoch = epoch_, .row = data.FindName(key.name)};
  return row.row;
}

auto TableData::Find(const Datum& key) const -> int64_t {
  if (schema_->normalized) {
    NameKey name;
    name.Reset(key.text);
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
  for (uint32_t count = 1; name.Read(count); ++count) {
    if (MayStart(name.hash(count))) continue;
    // No key starts with the first `count` words. The normalised name keeps them all, and is
    // no key, unless it is a single word or this word and all after it are legal forms.
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
  std::string normalized = NormalizeName(key);
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
