// SPDX-License-Identifier: Apache-2.0
// Front-end behaviour that golden files cannot show well: limits, recovery counts, node ids.
#include "compiler/parse/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cordon::parse {
namespace {

using ::testing::HasSubstr;

struct Parsed {
  SourceBuffer source;
  CollectingConsumer consumer;
  ast::File file;
};

auto ParseText(std::string text, ParseOptions options = {}) -> std::unique_ptr<Parsed> {
  auto p = std::unique_ptr<Parsed>(
      new Parsed{SourceBuffer::FromText("t.cordon", std::move(text)), {}, {}});
  DiagnosticEmitter emitter(p->consumer);
  p->file = Parse(p->source, emitter, options);
  return p;
}

auto Kinds(const Parsed& p) -> std::vector<std::string> {
  std::vector<std::string> kinds;
  for (const Diagnostic& d : p.consumer.diagnostics) kinds.emplace_back(DiagnosticKindName(d.kind));
  return kinds;
}

TEST(ParseTest, ParsesRuleWithAllClauses) {
  auto p = ParseText(R"(
/// The rule.
rule r
  cites "15 CFR 744.11"
  effective 2023-11-17
  until 2024-12-02
  when a.b >= 4800 and c in D1 + D4 - {MO}
  then prohibited "listed"
  unless x is some y then report "r"
)");
  EXPECT_TRUE(p->consumer.diagnostics.empty()) << RenderToString(p->consumer.diagnostics[0]);
  ASSERT_EQ(p->file.decls.size(), 1u);
  EXPECT_EQ(p->file.decls[0].doc, "The rule.");
  const auto& rule = std::get<ast::RuleDecl>(p->file.decls[0].kind);
  EXPECT_EQ(rule.name.text, "r");
  EXPECT_EQ(rule.effective->month, 11);
  EXPECT_EQ(rule.unless.size(), 1u);
}

TEST(ParseTest, NodeIdsAreDenseAndUnique) {
  auto p = ParseText("let f(i: Item): number = i.a * 2 + g(1, 2)\nunit h\nunit day = 24 h\n");
  ASSERT_TRUE(p->consumer.diagnostics.empty());
  EXPECT_GT(p->file.node_count, 10u);
}

TEST(ParseTest, OneMistakeOneDiagnosticThenRecovers) {
  auto p =
      ParseText("rule a when x > then prohibited \"m\"\nrule b when y then c \"m\"\nlet = 3\n");
  EXPECT_THAT(Kinds(*p), ::testing::ElementsAre("SyntaxError", "SyntaxError"));
  ASSERT_EQ(p->file.decls.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<ast::ErrorDecl>(p->file.decls[0].kind));
  EXPECT_TRUE(std::holds_alternative<ast::RuleDecl>(p->file.decls[1].kind));
}

TEST(ParseTest, DeepBracketsAreRefusedWithoutCrashing) {
  std::string deep = "let x = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n";
  auto p = ParseText(deep);
  EXPECT_THAT(Kinds(*p), ::testing::ElementsAre("NestingTooDeep"));
}

TEST(ParseTest, DeepPrefixOperatorsAreRefused) {
  std::string deep = "let x = ";
  for (int i = 0; i < 10000; ++i) deep += "not ";
  auto p = ParseText(deep + "true\n");
  EXPECT_THAT(Kinds(*p), ::testing::ElementsAre("NestingTooDeep"));
}

TEST(ParseTest, LongOperatorChainIsBounded) {
  std::string chain = "let x = 1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  auto p = ParseText(chain + "\n");
  EXPECT_THAT(Kinds(*p), ::testing::ElementsAre("NestingTooDeep"));
}

TEST(ParseTest, NestingAtTheLimitIsAccepted) {
  std::string ok = "let x = " + std::string(200, '(') + "1" + std::string(200, ')') + "\n";
  auto p = ParseText(ok);
  EXPECT_TRUE(p->consumer.diagnostics.empty());
}

TEST(ParseTest, OversizeTextIsRefused) {
  auto p = ParseText(std::string((16u << 20) + 1, ' '));
  EXPECT_THAT(Kinds(*p), ::testing::ElementsAre("SourceTooLarge"));
}

TEST(ParseTest, ManyErrorsStopEarly) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "rule r when then x \"m\"\n";
  auto p = ParseText(text);
  EXPECT_LE(p->consumer.diagnostics.size(), 52u);
  EXPECT_EQ(Kinds(*p).back(), "TooManyErrors");
}

TEST(ParseTest, MessagesNameTheExpectedConstruct) {
  auto p = ParseText("let x = {die_area: 826 \"mm2\"}\n");
  ASSERT_EQ(p->consumer.diagnostics.size(), 1u);
  EXPECT_THAT(p->consumer.diagnostics[0].message, HasSubstr("expected a unit"));
  EXPECT_THAT(p->consumer.diagnostics[0].message, HasSubstr("after `826`"));
}

TEST(ParseTest, EscapesAndUnicodeInStrings) {
  auto p = ParseText("let s = \"a\\\"b\\u{e9}\\n\"\n");
  ASSERT_TRUE(p->consumer.diagnostics.empty());
  const auto& let = std::get<ast::LetDecl>(p->file.decls[0].kind);
  EXPECT_EQ(std::get<ast::StringLit>(let.value->kind).value, "a\"b\xC3\xA9\n");
}

TEST(ParseTest, RangesAreByteOffsetsAfterNonAscii) {
  auto p = ParseText("// \xC3\xA9\xC3\xA9\nlet x = y\n");
  ASSERT_TRUE(p->consumer.diagnostics.empty());
  const auto& let = std::get<ast::LetDecl>(p->file.decls[0].kind);
  EXPECT_EQ(p->source.text().substr(let.value->range.begin, 1), "y");
}

}  // namespace
}  // namespace cordon::parse
