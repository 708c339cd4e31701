// SPDX-License-Identifier: Apache-2.0
#include "runtime/tables/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cordon::tables {
namespace {

// Reads `source` and keeps what was reported. The buffer must outlive the diagnostics.
struct Read {
  explicit Read(const SourceBuffer& source) : emitter(sink), table(ReadCsv(source, emitter)) {}
  auto diagnostics() const -> const std::vector<Diagnostic>& { return sink.diagnostics; }

  CollectingConsumer sink;
  DiagnosticEmitter emitter;
  std::optional<CsvTable> table;
};

auto Values(const CsvRow& row) -> std::vector<std::string> {
  std::vector<std::string> values;
  for (const CsvField& field : row.fields) values.emplace_back(field.value);
  return values;
}

auto Text(const SourceBuffer& source, SourceRange range) -> std::string_view {
  return source.text().substr(range.begin, range.end - range.begin);
}

auto At(const Diagnostic& d) -> std::string {
  LineCol lc = d.location.source->LineColAt(d.location.range->begin);
  return std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

using Strings = std::vector<std::string>;

TEST(CsvTest, ReadsHeaderAndRows) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "name,country\nHuawei,CN\nSMIC,CN\n");
  Read r(b);
  ASSERT_TRUE(r.table);
  EXPECT_TRUE(r.diagnostics().empty());
  EXPECT_EQ(Values(r.table->header), (Strings{"name", "country"}));
  ASSERT_EQ(r.table->rows.size(), 2u);
  EXPECT_EQ(Values(r.table->rows[0]), (Strings{"Huawei", "CN"}));
  EXPECT_EQ(Values(r.table->rows[1]), (Strings{"SMIC", "CN"}));
  EXPECT_EQ(Text(b, r.table->rows[0].range), "Huawei,CN");
  EXPECT_EQ(Text(b, r.table->rows[1].fields[1].range), "CN");
  EXPECT_EQ(b.LineColAt(r.table->rows[1].fields[1].range.begin).line, 3u);
}

TEST(CsvTest, QuotedFieldsHoldCommasQuotesAndNewlines) {
  SourceBuffer b = SourceBuffer::FromText(
      "t.csv", "name,notes\n\"Acme, Inc.\",\"say \"\"hi\"\"\nand bye\"\n\"\",x\n");
  Read r(b);
  ASSERT_TRUE(r.table) << RenderToString(r.diagnostics()[0]);
  ASSERT_EQ(r.table->rows.size(), 2u);
  EXPECT_EQ(Values(r.table->rows[0]), (Strings{"Acme, Inc.", "say \"hi\"\nand bye"}));
  EXPECT_EQ(Text(b, r.table->rows[0].fields[0].range), "\"Acme, Inc.\"");
  EXPECT_EQ(Text(b, r.table->rows[0].range), "\"Acme, Inc.\",\"say \"\"hi\"\"\nand bye\"");
  EXPECT_EQ(Values(r.table->rows[1]), (Strings{"", "x"}));
}

// A value is a view of the file unless a `""` made it differ; the views survive a move.
TEST(CsvTest, ValuesViewTheSourceUnlessUnescaped) {
  SourceBuffer b =
      SourceBuffer::FromText("t.csv", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\nplain,\"\"\n");
  Read r(b);
  ASSERT_TRUE(r.table);
  CsvTable moved = std::move(*r.table);
  ASSERT_EQ(moved.rows.size(), 2u);
  auto in_source = [&](std::string_view v) {
    return v.data() >= b.text().data() && v.data() + v.size() <= b.text().data() + b.text().size();
  };
  EXPECT_EQ(Values(moved.rows[0]), (Strings{"x, y", "say \"hi\""}));
  EXPECT_EQ(Values(moved.rows[1]), (Strings{"plain", ""}));
  EXPECT_TRUE(in_source(moved.rows[0].fields[0].value));
  EXPECT_FALSE(in_source(moved.rows[0].fields[1].value));
  EXPECT_TRUE(in_source(moved.rows[1].fields[0].value));
  EXPECT_EQ(moved.unescaped.size(), 1u);
}

TEST(CsvTest, LineEndingsBlankLinesAndByteOrderMark) {
  SourceBuffer b =
      SourceBuffer::FromText("t.csv", "\xEF\xBB\xBF\r\na,b\r\n1,\r\n\n\r\n,2\r\n3,4\n\n\n");
  Read r(b);
  ASSERT_TRUE(r.table);
  EXPECT_EQ(Values(r.table->header), (Strings{"a", "b"}));
  ASSERT_EQ(r.table->rows.size(), 3u);
  EXPECT_EQ(Values(r.table->rows[0]), (Strings{"1", ""}));
  EXPECT_EQ(Values(r.table->rows[1]), (Strings{"", "2"}));
  EXPECT_EQ(Values(r.table->rows[2]), (Strings{"3", "4"}));
  EXPECT_EQ(Text(b, r.table->rows[0].range), "1,");  // without the \r\n
}

TEST(CsvTest, FinalLineWithoutNewline) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n1,\"2\"");
  Read r(b);
  ASSERT_TRUE(r.table);
  ASSERT_EQ(r.table->rows.size(), 1u);
  EXPECT_EQ(Values(r.table->rows[0]), (Strings{"1", "2"}));
}

TEST(CsvTest, HeaderOnlyIsAnEmptyTable) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n");
  Read r(b);
  ASSERT_TRUE(r.table);
  EXPECT_TRUE(r.table->rows.empty());
}

TEST(CsvTest, EmptyFile) {
  for (std::string text : {"", "\n\r\n\n", "\xEF\xBB\xBF"}) {
    SourceBuffer b = SourceBuffer::FromText("t.csv", text);
    Read r(b);
    EXPECT_FALSE(r.table);
    ASSERT_EQ(r.diagnostics().size(), 1u);
    const Diagnostic& d = r.diagnostics()[0];
    EXPECT_EQ(d.kind, DiagnosticKind::BadCsvRow);
    EXPECT_EQ(d.severity, Severity::kError);
    EXPECT_EQ(d.message, "the table file is empty: expected a header line naming the columns");
    EXPECT_FALSE(d.location.range);
    EXPECT_FALSE(d.help.empty());
  }
}

TEST(CsvTest, QuoteInsideUnquotedField) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\nx,ab\"c\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  const Diagnostic& d = r.diagnostics()[0];
  EXPECT_EQ(d.kind, DiagnosticKind::BadCsvRow);
  EXPECT_EQ(d.message, "unexpected `\"` inside an unquoted field");
  EXPECT_EQ(At(d), "2:5");
  EXPECT_EQ(d.help, "put the field in quotes and double the quotes inside it: `\"ab\"\"c\"`");
}

TEST(CsvTest, TextAfterClosingQuote) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n\"ab\"c,d\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  const Diagnostic& d = r.diagnostics()[0];
  EXPECT_EQ(d.message, "unexpected text after the closing quote of a quoted field");
  EXPECT_EQ(At(d), "2:5");
  EXPECT_EQ(Text(b, *d.location.range), "c");
  EXPECT_TRUE(d.labels.empty());
  EXPECT_NE(d.help.find("`\"\"`"), std::string::npos);
}

TEST(CsvTest, StrayQuoteThatSwallowsLinesShowsWhereItOpened) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n\"x,1\n2,\"y\" z\n");
  Read r(b);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  const Diagnostic& d = r.diagnostics()[0];
  EXPECT_EQ(At(d), "3:4");
  ASSERT_EQ(d.labels.size(), 1u);
  EXPECT_EQ(d.labels[0].message, "the quoted field starts here");
  EXPECT_EQ(d.labels[0].location.range->begin, 4u);
}

TEST(CsvTest, UnterminatedQuotedFieldPointsAtTheOpeningQuote) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n1,2\n3,\"four\n5,6\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  const Diagnostic& d = r.diagnostics()[0];
  EXPECT_EQ(d.message, "the quoted field that starts here has no closing `\"`");
  EXPECT_EQ(At(d), "3:3");
  EXPECT_EQ(Text(b, *d.location.range), "\"");
}

TEST(CsvTest, RowWithTheWrongNumberOfFields) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b,c\n1,2\n1,2,3,4\n1\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 3u);
  const Diagnostic& few = r.diagnostics()[0];
  EXPECT_EQ(few.message, "the row has 2 fields but the header has 3");
  EXPECT_EQ(Text(b, *few.location.range), "1,2");
  ASSERT_EQ(few.labels.size(), 1u);
  EXPECT_EQ(few.labels[0].message, "the header names 3 columns");
  EXPECT_EQ(Text(b, *few.labels[0].location.range), "a,b,c");
  EXPECT_EQ(few.help, "expected `a`, `b`, `c`; an empty value still needs its comma, as in `a,,c`");
  const Diagnostic& many = r.diagnostics()[1];
  EXPECT_EQ(many.message, "the row has 4 fields but the header has 3");
  EXPECT_EQ(many.help,
            "expected `a`, `b`, `c`; a value that contains a comma must be quoted, as in "
            "`\"Acme, Inc.\"`");
  EXPECT_EQ(r.diagnostics()[2].message, "the row has 1 field but the header has 3");
  EXPECT_EQ(At(r.diagnostics()[2]), "4:1");
}

TEST(CsvTest, RendersWithFileLineAndColumn) {
  SourceBuffer b = SourceBuffer::FromText("ear/entities.csv", "name,country\nHuawei,CN,x\n");
  Read r(b);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(RenderToString(r.diagnostics()[0]),
            "ear/entities.csv:2:1: error: the row has 3 fields but the header has 2 [BadCsvRow]\n"
            "    2 | Huawei,CN,x\n"
            "      | ^^^^^^^^^^^\n"
            "ear/entities.csv:1:1: note: the header names 2 columns\n"
            "    1 | name,country\n"
            "      | ~~~~~~~~~~~~\n"
            "help: expected `name`, `country`; a value that contains a comma must be quoted, as "
            "in `\"Acme, Inc.\"`\n");
}

TEST(CsvTest, ReportsEveryBadRow) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\n1\nok,ok\nx\"y,2\n3,4,5\n\"z\"!,1\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  std::vector<std::string> where;
  for (const Diagnostic& d : r.diagnostics()) where.push_back(At(d));
  EXPECT_EQ(where, (Strings{"2:1", "4:2", "5:1", "6:4"}));
}

TEST(CsvTest, StopsAfterTwentyErrors) {
  std::string text = "a,b\n";
  for (int i = 0; i < 30; ++i) text += "1\n";
  SourceBuffer b = SourceBuffer::FromText("t.csv", text);
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), static_cast<size_t>(kMaxCsvErrors) + 1);
  EXPECT_EQ(r.diagnostics()[kMaxCsvErrors - 1].kind, DiagnosticKind::BadCsvRow);
  const Diagnostic& last = r.diagnostics().back();
  EXPECT_EQ(last.kind, DiagnosticKind::TooManyErrors);
  EXPECT_EQ(last.message, "stopped reading the table after 20 errors");
  EXPECT_EQ(At(last), "22:1");
}

TEST(CsvTest, ExactlyTwentyErrorsNeedNoTooManyErrors) {
  std::string text = "a,b\n";
  for (int i = 0; i < kMaxCsvErrors; ++i) text += "1\n";
  text += "\n\n";
  SourceBuffer b = SourceBuffer::FromText("t.csv", text);
  Read r(b);
  EXPECT_EQ(r.diagnostics().size(), static_cast<size_t>(kMaxCsvErrors));
}

TEST(CsvTest, InvalidUtf8) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "name\nM\xFCnchen\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(r.diagnostics()[0].kind, DiagnosticKind::BadCsvRow);
  EXPECT_EQ(r.diagnostics()[0].message, "byte 0xFC is not valid UTF-8");
  EXPECT_EQ(At(r.diagnostics()[0]), "2:2");
}

TEST(CsvTest, NulByte) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", std::string("a\nb\0c\n", 6));
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(r.diagnostics()[0].message, "the table file contains a NUL byte");
  EXPECT_EQ(At(r.diagnostics()[0]), "2:2");
}

TEST(CsvTest, Utf16) {
  SourceBuffer b =
      SourceBuffer::FromText("t.csv", std::string{'\xFF', '\xFE', 'a', '\0', '\n', '\0'});
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(r.diagnostics()[0].message, "the table file is UTF-16 text");
}

TEST(CsvTest, DuplicateAndEmptyHeaderNames) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "name,country,name,\n1,2,3,4\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 2u);
  const Diagnostic& duplicate = r.diagnostics()[0];
  EXPECT_EQ(duplicate.message, "the header names the column `name` twice");
  EXPECT_EQ(At(duplicate), "1:14");
  ASSERT_EQ(duplicate.labels.size(), 1u);
  EXPECT_EQ(duplicate.labels[0].message, "`name` is first named here");
  EXPECT_EQ(duplicate.labels[0].location.range->begin, 0u);
  EXPECT_EQ(r.diagnostics()[1].message, "column 4 of the header has no name");
  EXPECT_EQ(At(r.diagnostics()[1]), "1:19");
}

TEST(CsvTest, LoneCarriageReturn) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,b\r1,2\r");
  Read r(b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(r.diagnostics()[0].message, "a carriage return that is not followed by a line feed");
}

TEST(CsvTest, BadHeaderStillChecksRowSyntax) {
  SourceBuffer b = SourceBuffer::FromText("t.csv", "a,\"b\"x\n1\n2,a\"b\n");
  Read r(b);
  EXPECT_FALSE(r.table);
  std::vector<std::string> where;
  for (const Diagnostic& d : r.diagnostics()) where.push_back(At(d));
  EXPECT_EQ(where, (Strings{"1:6", "3:4"}));  // no field count against an unreadable header
}

TEST(CsvTest, OversizeFile) {
  std::string path = ::testing::TempDir() + "cordon_csv_oversize.csv";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("a,b\n1,2\n", f);
    std::fclose(f);
  }
  ErrorOr<SourceBuffer> b = SourceBuffer::FromFile(path, 4);
  ASSERT_TRUE(b.ok());
  Read r(*b);
  EXPECT_FALSE(r.table);
  ASSERT_EQ(r.diagnostics().size(), 1u);
  EXPECT_EQ(r.diagnostics()[0].message,
            "the table file is 8 bytes, over the size limit for a file");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cordon::tables
