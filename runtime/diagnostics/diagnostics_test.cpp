// SPDX-License-Identifier: Apache-2.0
#include "runtime/diagnostics/diagnostics.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cordon {
namespace {

auto At(const SourceBuffer& b, uint32_t begin, uint32_t end) -> Location {
  return {&b, SourceRange{begin, end}};
}

TEST(DiagnosticsTest, RendersGutterCaretAndHelp) {
  SourceBuffer b = SourceBuffer::FromText("f.cordon", "rule r\n  when x >= 600\n");
  Diagnostic d{DiagnosticKind::SyntaxError, Severity::kError, At(b, 16, 18), "bad", {}, "try"};
  d.labels.push_back({At(b, 14, 15), ""});
  d.labels.push_back({At(b, 19, 22), ""});
  EXPECT_EQ(RenderToString(d),
            "f.cordon:2:10: error: bad [SyntaxError]\n"
            "    2 |   when x >= 600\n"
            "      |        ~ ^^ ~~~\n"
            "help: try\n");
}

TEST(DiagnosticsTest, UnderlineFollowsTabsAndWideCharacters) {
  // A tab, then "é" (1 column), then "中" (2 columns), then the target "x".
  SourceBuffer b = SourceBuffer::FromText("f", "\t\xC3\xA9\xE4\xB8\xAD x");
  Diagnostic d{DiagnosticKind::SyntaxError, Severity::kError, At(b, 7, 8), "m", {}, ""};
  EXPECT_EQ(RenderToString(d),
            "f:1:5: error: m [SyntaxError]\n"
            "    1 | \t\xC3\xA9\xE4\xB8\xAD x\n"
            "      | \t    ^\n");
}

TEST(DiagnosticsTest, CaretAtEndOfLine) {
  SourceBuffer b = SourceBuffer::FromText("f", "abc\n");
  Diagnostic d{DiagnosticKind::SyntaxError, Severity::kError, At(b, 3, 3), "m", {}, ""};
  EXPECT_EQ(RenderToString(d), "f:1:4: error: m [SyntaxError]\n    1 | abc\n      |    ^\n");
}

TEST(DiagnosticsTest, SecondaryLabelWithMessageBecomesNote) {
  SourceBuffer b = SourceBuffer::FromText("f", "(a\nb\n");
  Diagnostic d{DiagnosticKind::SyntaxError, Severity::kError, At(b, 3, 4), "m", {}, ""};
  d.labels.push_back({At(b, 0, 1), "to match this `(`"});
  EXPECT_EQ(RenderToString(d),
            "f:2:1: error: m [SyntaxError]\n    2 | b\n      | ^\n"
            "f:1:1: note: to match this `(`\n    1 | (a\n      | ~\n");
}

TEST(DiagnosticsTest, SortsAndCaps) {
  SourceBuffer b = SourceBuffer::FromText("f", "abcdef");
  CollectingConsumer sink;
  SortingConsumer sorter(sink, 2);
  DiagnosticEmitter emitter(sorter);
  for (uint32_t at : {4u, 1u, 3u}) {
    emitter.Error(DiagnosticKind::SyntaxError, At(b, at, at + 1), std::to_string(at));
  }
  EXPECT_EQ(emitter.error_count(), 3);
  sorter.Flush();
  ASSERT_EQ(sink.diagnostics.size(), 3u);
  EXPECT_EQ(sink.diagnostics[0].message, "1");
  EXPECT_EQ(sink.diagnostics[1].message, "3");
  EXPECT_EQ(sink.diagnostics[2].severity, Severity::kNote);
  EXPECT_EQ(sink.diagnostics[2].message, "1 more diagnostics not shown (at most 2 are printed)");
}

TEST(DiagnosticsTest, JsonHasPositionsAndKind) {
  SourceBuffer b = SourceBuffer::FromText("f", "ab\ncd");
  std::ostringstream out;
  JsonRenderer json(out);
  json.Consume(
      Diagnostic{DiagnosticKind::InvalidDate, Severity::kError, At(b, 3, 5), "m\"", {}, "h"});
  EXPECT_EQ(out.str(),
            "{\"column\":1,\"end_column\":3,\"end_line\":2,\"file\":\"f\",\"help\":\"h\","
            "\"kind\":\"InvalidDate\",\"labels\":[],\"line\":2,\"message\":\"m\\\"\","
            "\"severity\":\"error\"}\n");
}

TEST(DiagnosticsTest, EveryKindHasAName) {
  for (DiagnosticKind kind : AllDiagnosticKinds()) {
    EXPECT_NE(DiagnosticKindName(kind), "Unknown");
  }
}

}  // namespace
}  // namespace cordon
