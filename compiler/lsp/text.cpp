// SPDX-License-Identifier: Apache-2.0
// The protocol's view of text: UTF-16 positions, file URIs, and text made valid UTF-8 so that
// every document, however broken, can be checked and quoted in JSON.
#include <algorithm>
#include <cctype>
#include <string>

#include "compiler/lsp/lsp.h"
#include "runtime/source/source_buffer.h"

namespace cordon::lsp {

LineMap::LineMap(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(static_cast<uint32_t>(i + 1));
  }
}

auto LineMap::PositionOf(uint32_t offset) const -> Position {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto line = static_cast<uint32_t>(it - starts_.begin() - 1);
  uint32_t character = 0;
  for (size_t i = starts_[line]; i < offset;) {
    size_t length = Utf8SequenceLength(text_.substr(i));
    if (length == 0) length = 1;
    character += length == 4 ? 2 : 1;  // outside the BMP: a surrogate pair
    i += length;
  }
  return Position{line, character};
}

auto LineMap::OffsetOf(Position position) const -> uint32_t {
  if (position.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  size_t end = position.line + 1 < starts_.size() ? starts_[position.line + 1] - 1 : text_.size();
  if (end > starts_[position.line] && text_[end - 1] == '\r') {
    --end;
  }
  size_t i = starts_[position.line];
  uint32_t character = 0;
  while (i < end && character < position.character) {
    size_t length = Utf8SequenceLength(text_.substr(i));
    if (length == 0) length = 1;
    character += length == 4 ? 2 : 1;
    i += length;
  }
  return static_cast<uint32_t>(std::min(i, end));
}

namespace {

auto HexValue(char c) -> int {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

auto UriToPath(std::string_view uri) -> std::string {
  constexpr std::string_view kFile = "file://";
  if (uri.substr(0, kFile.size()) != kFile) return std::string(uri);
  std::string_view rest = uri.substr(kFile.size());
  // file://host/path: only the local host is ours.
  size_t slash = rest.find('/');
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 &&
        HexValue(rest[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2]));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  return out;
}

auto PathToUri(std::string_view path) -> std::string {
  if (path.empty() || path.front() != '/') return std::string(path);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

auto SanitizeUtf8(std::string_view text) -> std::string {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace cordon::lsp
