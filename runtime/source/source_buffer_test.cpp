// SPDX-License-Identifier: Apache-2.0
#include "runtime/source/source_buffer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cordon {
namespace {

TEST(SourceBufferTest, LineColCountsCodePoints) {
  SourceBuffer b = SourceBuffer::FromText("t", "ab\n\xC3\xA9x\n\ty");
  EXPECT_EQ(b.line_count(), 3u);
  EXPECT_EQ(b.LineColAt(0).line, 1u);
  EXPECT_EQ(b.LineColAt(1).column, 2u);
  EXPECT_EQ(b.LineColAt(3).line, 2u);
  EXPECT_EQ(b.LineColAt(5).column, 2u);  // after the two-byte é
  EXPECT_EQ(b.LineColAt(8).column, 2u);  // after the tab
  EXPECT_EQ(b.LineText(2), "\xC3\xA9x");
  EXPECT_EQ(b.LineText(3), "\ty");
  EXPECT_EQ(b.LineText(4), "");
}

TEST(SourceBufferTest, LineTextDropsCarriageReturn) {
  SourceBuffer b = SourceBuffer::FromText("t", "a\r\nb");
  EXPECT_EQ(b.LineText(1), "a");
}

TEST(SourceBufferTest, RejectsMalformedUtf8) {
  EXPECT_FALSE(SourceBuffer::FromText("t", "ok \xE2\x82\xAC").FirstInvalidUtf8());
  EXPECT_EQ(SourceBuffer::FromText("t", "ab\xFF").FirstInvalidUtf8(), 2u);
  EXPECT_EQ(SourceBuffer::FromText("t", "\xC0\xAF").FirstInvalidUtf8(), 0u);      // overlong
  EXPECT_EQ(SourceBuffer::FromText("t", "\xED\xA0\x80").FirstInvalidUtf8(), 0u);  // surrogate
  EXPECT_EQ(SourceBuffer::FromText("t", "\xF4\x90\x80\x80").FirstInvalidUtf8(), 0u);
  EXPECT_EQ(SourceBuffer::FromText("t", "x\xE2\x82").FirstInvalidUtf8(), 1u);  // truncated
}

// The check reads eight ASCII bytes at a time: a bad byte must be found at any offset, and a
// sequence that straddles two words must still be read whole.
TEST(SourceBufferTest, FindsMalformedUtf8AtEveryOffset) {
  for (size_t at = 0; at < 24; ++at) {
    std::string text(24, 'a');
    text[at] = '\xFF';
    EXPECT_EQ(SourceBuffer::FromText("t", text).FirstInvalidUtf8(), at) << at;
    std::string straddling(24, 'a');
    straddling.replace(at, 3, "\xE2\x82\xAC");
    straddling.resize(24);
    bool whole = at + 3 <= 24;
    EXPECT_EQ(SourceBuffer::FromText("t", straddling).FirstInvalidUtf8().has_value(), !whole) << at;
  }
}

TEST(SourceBufferTest, FileFailuresAreErrors) {
  EXPECT_FALSE(SourceBuffer::FromFile("/nonexistent/x.cordon").ok());
  ErrorOr<SourceBuffer> dir = SourceBuffer::FromFile("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("is a directory"), std::string::npos);
}

TEST(SourceBufferTest, OversizeFileIsNotRead) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / "cordon_oversize.cordon";
  {
    std::ofstream f(path);
    f << std::string(2048, 'x');
  }
  ErrorOr<SourceBuffer> b = SourceBuffer::FromFile(path.string(), 1024);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->oversize(), 2048u);
  EXPECT_TRUE(b->text().empty());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace cordon
