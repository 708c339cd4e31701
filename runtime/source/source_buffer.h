// SPDX-License-Identifier: Apache-2.0
// SourceBuffer: the bytes of one rule file, its line table, and the mapping from byte offsets to
// the line:column positions that diagnostics print. Knows nothing about any compiler phase.
#ifndef CORDON_RUNTIME_SOURCE_SOURCE_BUFFER_H_
#define CORDON_RUNTIME_SOURCE_SOURCE_BUFFER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error_or.h"

namespace cordon {

// Half-open range of byte offsets into one SourceBuffer.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;

  auto empty() const -> bool { return begin == end; }
  friend auto operator==(SourceRange, SourceRange) -> bool = default;
};

// 1-based line and column. Columns count Unicode code points, as editors do.
struct LineCol {
  uint32_t line = 0;
  uint32_t column = 0;
};

// Rule files larger than this are refused before any parsing (16 MiB).
inline constexpr size_t kDefaultMaxSourceBytes = size_t{16} << 20;

class SourceBuffer {
 public:
  // Reads a file. Fails (a tool failure, exit 1) when the path is missing, unreadable or a
  // directory. A file over `max_bytes` is not read: the buffer is empty and `oversize()` holds
  // its size, so the caller can report it as a diagnostic against the file.
  static auto FromFile(const std::string& path, size_t max_bytes = kDefaultMaxSourceBytes)
      -> ErrorOr<SourceBuffer>;
  static auto FromText(std::string filename, std::string text) -> SourceBuffer;

  auto filename() const -> const std::string& { return filename_; }
  auto text() const -> std::string_view { return text_; }
  auto oversize() const -> std::optional<uint64_t> { return oversize_; }

  auto line_count() const -> uint32_t { return static_cast<uint32_t>(line_starts_.size()); }
  // The line and column of `offset` (offset == size() maps to the last line). The column costs
  // a walk over the line; use LineOf when only the line matters.
  auto LineColAt(uint32_t offset) const -> LineCol;
  // The 1-based line containing `offset`: a binary search.
  auto LineOf(uint32_t offset) const -> uint32_t;
  // Text of 1-based `line`, without its line terminator.
  auto LineText(uint32_t line) const -> std::string_view;
  auto LineStart(uint32_t line) const -> uint32_t { return line_starts_[line - 1]; }

  // Byte offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlongs, no
  // surrogates, nothing above U+10FFFF), if any.
  auto FirstInvalidUtf8() const -> std::optional<uint32_t>;

 private:
  SourceBuffer(std::string filename, std::string text);

  std::string filename_;
  std::string text_;
  std::optional<uint64_t> oversize_;
  // INVARIANT: line_starts_[0] == 0 and it is sorted; one entry per line.
  std::vector<uint32_t> line_starts_;
};

// Length in bytes of the well-formed UTF-8 sequence at the start of `s`, or 0 if it is not one.
auto Utf8SequenceLength(std::string_view s) -> size_t;

// Columns a code point occupies in a terminal: 2 for East Asian wide characters, 0 for
// combining marks, else 1.
auto DisplayWidth(char32_t code_point) -> int;

// Decodes the well-formed UTF-8 sequence at the start of `s` (see Utf8SequenceLength).
auto DecodeUtf8(std::string_view s, size_t length) -> char32_t;

}  // namespace cordon

#endif  // CORDON_RUNTIME_SOURCE_SOURCE_BUFFER_H_
