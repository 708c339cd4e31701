// SPDX-License-Identifier: Apache-2.0
// SourceBuffer: file reading, the line table and UTF-8 helpers.
#include "runtime/source/source_buffer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace cordon {

SourceBuffer::SourceBuffer(std::string filename, std::string text)
    : filename_(std::move(filename)), text_(std::move(text)) {
  line_starts_.push_back(0);
  const char* begin = text_.data();
  const char* end = begin + text_.size();
  for (const char* at = begin; (at = static_cast<const char*>(std::memchr(at, '\n', end - at)));) {
    ++at;
    line_starts_.push_back(static_cast<uint32_t>(at - begin));
  }
}

auto SourceBuffer::FromText(std::string filename, std::string text) -> SourceBuffer {
  return SourceBuffer(std::move(filename), std::move(text));
}

auto SourceBuffer::FromFile(const std::string& path, size_t max_bytes) -> ErrorOr<SourceBuffer> {
  // Open first, then ask the descriptor what it is: a path checked with stat() can be swapped
  // for a FIFO before it is opened, and O_NONBLOCK keeps a FIFO from blocking the open itself.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Error{path + ": cannot open: " + std::strerror(errno), ErrorKind::kIo};
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Error{path + ": cannot read: " + std::strerror(errno), ErrorKind::kIo};
  }
  if (S_ISDIR(st.st_mode)) {
    return Error{path + ": is a directory, not a file", ErrorKind::kIo};
  }
  if (!S_ISREG(st.st_mode)) {
    return Error{path + ": is not a regular file (a pipe or a device cannot be read as one)",
                 ErrorKind::kIo};
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    SourceBuffer buffer(path, "");
    buffer.oversize_ = static_cast<uint64_t>(st.st_size);
    return buffer;
  }
  // Read at most max_bytes + 1: files under /proc say size 0 and may be endless.
  std::string text;
  text.resize(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes) + 1);
  size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (used > max_bytes) break;
      text.resize(std::min(max_bytes + 1, std::max<size_t>(used * 2, 4096)));
    }
    ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{path + ": cannot read: " + std::strerror(errno), ErrorKind::kIo};
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  text.resize(used);
  // The file may have grown between fstat and read.
  if (text.size() > max_bytes) {
    SourceBuffer buffer(path, "");
    buffer.oversize_ = text.size();
    return buffer;
  }
  return SourceBuffer(path, std::move(text));
}

auto SourceBuffer::LineOf(uint32_t offset) const -> uint32_t {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<uint32_t>(it - line_starts_.begin());
}

auto SourceBuffer::LineColAt(uint32_t offset) const -> LineCol {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  uint32_t line = LineOf(offset);
  uint32_t column = 1;
  std::string_view rest = text_;
  for (uint32_t i = line_starts_[line - 1]; i < offset;) {
    size_t n = Utf8SequenceLength(rest.substr(i));
    i += n == 0 ? 1 : static_cast<uint32_t>(n);
    ++column;
  }
  return {.line = line, .column = column};
}

auto SourceBuffer::LineText(uint32_t line) const -> std::string_view {
  if (line == 0 || line > line_starts_.size()) {
    return {};
  }
  uint32_t begin = line_starts_[line - 1];
  uint32_t end =
      line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  std::string_view text = std::string_view(text_).substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
  }
  return text;
}

auto SourceBuffer::FirstInvalidUtf8() const -> std::optional<uint32_t> {
  std::string_view text = text_;
  for (size_t i = 0; i < text.size();) {
    // Eight ASCII bytes at a time: most tables and rule files are ASCII.
    if (i + 8 <= text.size()) {
      uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text.substr(i));
    if (n == 0) {
      return static_cast<uint32_t>(i);
    }
    i += n;
  }
  return std::nullopt;
}

auto Utf8SequenceLength(std::string_view s) -> size_t {
  if (s.empty()) {
    return 0;
  }
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) {
      return 0;
    }
    if (b0 == 0xE0 && byte(1) < 0xA0) {
      return 0;  // overlong
    }
    if (b0 == 0xED && byte(1) >= 0xA0) {
      return 0;  // UTF-16 surrogate
    }
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) {
      return 0;
    }
    if (b0 == 0xF0 && byte(1) < 0x90) {
      return 0;  // overlong
    }
    if (b0 == 0xF4 && byte(1) >= 0x90) {
      return 0;  // above U+10FFFF
    }
    return 4;
  }
  return 0;
}

auto DecodeUtf8(std::string_view s, size_t length) -> char32_t {
  auto b = [&](size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  switch (length) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    case 4:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    default:
      return 0xFFFD;
  }
}

auto DisplayWidth(char32_t c) -> int {
  // Combining marks take no column of their own.
  bool combining = (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
                   (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
                   (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200D;
  if (combining) {
    return 0;
  }
  // East Asian Wide and Fullwidth blocks (Unicode 15, abridged to whole blocks).
  bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
              (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
              (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
              (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
              (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
              (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
              (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace cordon
