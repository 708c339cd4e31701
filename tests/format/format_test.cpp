// SPDX-License-Identifier: Apache-2.0
// `cordon fmt` over every rule file of the repository and the fuzz corpora:
// - idempotent: formatting formatted text changes nothing;
// - canonical: the same file with its whitespace shuffled (spaces for line breaks and back,
//   indentation at random) formats to the same text;
// - meaning kept: the formatted file checks to the same IR (and the same diagnostics, where it
//   had errors) as the original. Expression labels, the source text --explain shows, are
//   compared with their spaces removed: `{A,B}` becomes `{A, B}`.
// The repository's own files must already be formatted (`tools/dev fmt` rewrites them).
#include "compiler/format/format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "compiler/frontend/frontend.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/ir.h"

namespace cordon {
namespace {

namespace fs = std::filesystem;

auto RuleFiles() -> std::vector<std::string> {
  std::vector<std::string> files;
  for (const char* dir : {"stdlib", "examples", "tests", "docs"}) {
    fs::path root = fs::path(CORDON_SOURCE_DIR) / dir;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::string path = entry.path().string();
      bool corpus = path.find("/tests/fuzz/parse/") != std::string::npos ||
                    path.find("/tests/fuzz/check/") != std::string::npos;
      if (entry.path().extension() == ".cordon" || corpus) files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Files whose layout is what they test (a byte order mark, tabs, CR LF line ends, columns
// counted in UTF-8): formatting them would remove the case. tests/format/unformatted.txt lists
// them, each with the reason.
auto Unformatted() -> std::vector<std::string> {
  std::vector<std::string> out;
  std::ifstream in(fs::path(CORDON_SOURCE_DIR) / "tests/format/unformatted.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line.substr(0, line.find(' ')));
  }
  return out;
}

auto Relative(const std::string& path) -> std::string {
  return fs::relative(path, CORDON_SOURCE_DIR).string();
}

struct Formatted {
  bool parsed = false;
  std::string text;  // the formatted text, or the diagnostics
};

auto FormatText(const std::string& name, const std::string& text) -> Formatted {
  SourceBuffer source = SourceBuffer::FromText(name, text);
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  std::optional<std::string> out = format::Format(source, emitter);
  if (!out) {
    std::string diagnostics;
    for (const Diagnostic& d : consumer.diagnostics) diagnostics += RenderToString(d) + "\n";
    return {false, diagnostics};
  }
  return {true, *out};
}

auto WithoutSpaces(std::string_view text) -> std::string {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out += c;
  }
  return out;
}

// What a check of `path` (served as `text`) means: the IR, or the diagnostics' kinds and
// messages. Positions are left out: they are what formatting changes.
auto Meaning(const std::string& path, const std::string& text) -> std::string {
  frontend::SourceStore sources;
  sources.Provide(path, text);
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  check::CheckOptions options;
  options.module_path = {std::string(CORDON_SOURCE_DIR) + "/tests/golden/modules",
                         std::string(CORDON_SOURCE_DIR) + "/stdlib"};
  ErrorOr<std::optional<ir::Program>> program =
      frontend::CheckFiles({path}, options, sources, emitter);
  std::string out;
  if (!program.ok()) return "tool failure: " + program.error().message;
  for (const Diagnostic& d : consumer.diagnostics) {
    out += std::string(DiagnosticKindName(d.kind)) + ": " + WithoutSpaces(d.message) + "\n";
  }
  if (*program) {
    ir::Program& p = **program;
    std::string labels;
    for (ir::Value& v : p.values) {
      labels += WithoutSpaces(v.label) + "\n";
      v.label.clear();
    }
    // A `require` is named by its line (`require@ear.validity:48`), which formatting moves.
    for (ir::Rule& rule : p.rules) {
      if (rule.requirement) rule.name = rule.name.substr(0, rule.name.rfind(':'));
    }
    out += ir::Print(p) + labels;
  }
  return out;
}

// The file with each run of whitespace between tokens replaced at random by a space or a line
// break with any indentation. Runs next to a comment, runs holding a blank line and text inside
// strings and comments are kept: those are what the formatter preserves on purpose.
auto Shuffled(const std::string& text, uint32_t seed) -> std::string {
  std::mt19937 random(seed);
  std::string out;
  size_t i = 0;
  bool after_comment = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"' && text[end] != '\n') {
        end += text[end] == '\\' ? 2 : 1;
      }
      end = std::min(end + 1, text.size());
      out.append(text, i, end - i);
      i = end;
      after_comment = false;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      if (end == std::string::npos) end = text.size();
      out.append(text, i, end - i);
      i = end;
      after_comment = true;
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      size_t end = i;
      while (end < text.size() &&
             (text[end] == ' ' || text[end] == '\n' || text[end] == '\t' || text[end] == '\r')) {
        ++end;
      }
      std::string_view run(text.data() + i, end - i);
      bool before_comment = end + 1 < text.size() && text[end] == '/' && text[end + 1] == '/';
      size_t breaks = static_cast<size_t>(std::count(run.begin(), run.end(), '\n'));
      // A unit must be on its number's line (`0 h`).
      bool number_unit = i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                         end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]));
      if (after_comment || before_comment || breaks >= 2 || i == 0 || end == text.size()) {
        out.append(run);
      } else if (number_unit) {
        out += ' ';
      } else if (random() % 2 == 0) {
        out += ' ';
      } else {
        out += '\n';
        out.append(random() % 9, ' ');
      }
      i = end;
      after_comment = false;
      continue;
    }
    out += c;
    after_comment = false;
    ++i;
  }
  return out;
}

TEST(Format, RepositoryFilesAreFormattedAndKeepTheirMeaning) {
  std::vector<std::string> skipped = Unformatted();
  int formatted_files = 0;
  for (const std::string& path : RuleFiles()) {
    SCOPED_TRACE(Relative(path));
    std::string text;
    {
      std::ifstream in(path, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    Formatted once = FormatText(path, text);
    if (!once.parsed) continue;  // syntax errors: fmt leaves the file alone (tested in goldens)
    ++formatted_files;
    bool exempt = std::find(skipped.begin(), skipped.end(), Relative(path)) != skipped.end();
    bool corpus = path.find("/tests/fuzz/") != std::string::npos;
    if (!exempt && !corpus) {
      EXPECT_EQ(once.text, text) << "not formatted: run `build/compiler/cordon fmt "
                                 << Relative(path) << "`";
    }
    Formatted twice = FormatText(path, once.text);
    ASSERT_TRUE(twice.parsed) << twice.text;
    EXPECT_EQ(twice.text, once.text) << "formatting is not idempotent";
    EXPECT_EQ(Meaning(path, once.text), Meaning(path, text)) << "formatting changed the meaning";
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      Formatted shuffled = FormatText(path, Shuffled(text, seed));
      ASSERT_TRUE(shuffled.parsed) << "seed " << seed << "\n" << shuffled.text;
      EXPECT_EQ(shuffled.text, once.text)
          << "layout depends on the input's whitespace, seed " << seed;
    }
  }
  EXPECT_GT(formatted_files, 300);
}

TEST(Format, FileWithSyntaxErrorsIsRefused) {
  SourceBuffer source = SourceBuffer::FromText("bad.cordon", "rule r\n  when (1 +\n");
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  EXPECT_FALSE(format::Format(source, emitter).has_value());
  EXPECT_GT(emitter.error_count(), 0);
}

TEST(Format, CommentsStayBetweenTheSameTokens) {
  std::string text =
      "// header\n\nrule r   // trailing\n  // before when\n  when request.a and   // after and\n"
      "  request.b\n  then x \"y\"\n// end\n";
  Formatted out = FormatText("c.cordon", text);
  ASSERT_TRUE(out.parsed);
  EXPECT_EQ(out.text,
            "// header\n\nrule r  // trailing\n  // before when\n  when request.a\n"
            "   and  // after and\n       request.b\n  then x \"y\"\n// end\n");
}

}  // namespace
}  // namespace cordon
