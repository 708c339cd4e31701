// SPDX-License-Identifier: Apache-2.0
// `cordon fmt [--check] FILE|DIR...`: compiler/format over files. A file that does not parse is
// left untouched (its diagnostics printed, exit 2); `--check` writes nothing and prints a unified
// diff of each file that would change.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/session.h"
#include "compiler/format/format.h"

namespace cordon::driver {
namespace {

auto SplitLines(const std::string& text) -> std::vector<std::string> {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A unified diff (3 lines of context) from the longest common subsequence of lines. Rule files
// are a few thousand lines at most, so the quadratic table is small.
auto UnifiedDiff(const std::string& path, const std::string& before, const std::string& after)
    -> std::string {
  std::vector<std::string> a = SplitLines(before);
  std::vector<std::string> b = SplitLines(after);
  size_t n = a.size();
  size_t m = b.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  // The edit script: ' ' kept, '-' removed from a, '+' added from b.
  struct Edit {
    char op;
    size_t a_line;
    size_t b_line;
  };
  std::vector<Edit> edits;
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      edits.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push_back({'-', i++, j});  // removals first, as diff(1) prints them
    } else {
      edits.push_back({'+', i, j++});
    }
  }
  constexpr size_t kContext = 3;
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
  for (size_t k = 0; k < edits.size();) {
    if (edits[k].op == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change
    // that is within 2 * kContext kept lines of the previous one.
    size_t begin = k >= kContext ? k - kContext : 0;
    while (begin < k && edits[begin].op != ' ') ++begin;
    size_t end = k;
    size_t kept = 0;
    for (size_t e = k; e < edits.size(); ++e) {
      if (edits[e].op == ' ') {
        if (++kept > 2 * kContext) break;
      } else {
        kept = 0;
        end = e;
      }
    }
    size_t stop = std::min(edits.size(), end + 1 + kContext);
    size_t a_count = 0;
    size_t b_count = 0;
    for (size_t e = begin; e < stop; ++e) {
      if (edits[e].op != '+') ++a_count;
      if (edits[e].op != '-') ++b_count;
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", edits[begin].a_line + (a_count > 0 ? 1 : 0),
                       a_count, edits[begin].b_line + (b_count > 0 ? 1 : 0), b_count);
    for (size_t e = begin; e < stop; ++e) {
      const std::string& line = edits[e].op == '+' ? b[edits[e].b_line] : a[edits[e].a_line];
      out += edits[e].op;
      out += line;
      out += '\n';
    }
    k = stop;
  }
  return out;
}

// The files an argument names: itself, or a directory's .cordon files, sorted.
auto Expand(const std::string& argument, Session& session) -> std::vector<std::string> {
  std::error_code ec;
  if (argument == "-" || !std::filesystem::is_directory(argument, ec)) return {argument};
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(argument, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".cordon") {
      files.push_back(it->path().string());
    }
  }
  if (ec) session.ToolFailure(fmt::format("cannot list {}: {}", argument, ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

auto RunFmt(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  bool unformatted = false;
  for (const std::string& argument : options.files) {
    for (const std::string& path : Expand(argument, session)) {
      const SourceBuffer* source = nullptr;
      if (path == "-") {
        std::string text(std::istreambuf_iterator<char>(std::cin), {});
        session.sources().Provide("<stdin>", std::move(text));
        ErrorOr<const SourceBuffer*> loaded =
            session.sources().Load("<stdin>", options.max_source_bytes);
        if (!loaded.ok()) {
          session.ToolFailure(loaded.error().message);
          continue;
        }
        source = *loaded;
      } else {
        ErrorOr<const SourceBuffer*> loaded =
            session.sources().Load(path, options.max_source_bytes);
        if (!loaded.ok()) {
          session.ToolFailure(loaded.error().message);
          continue;
        }
        source = *loaded;
      }
      std::optional<std::string> formatted = format::Format(*source, session.emitter());
      if (!formatted) continue;  // diagnostics reported; the file is left as it was
      std::string before(source->text());
      if (path == "-") {
        if (options.fmt_check) {
          if (*formatted != before) {
            unformatted = true;
            out << UnifiedDiff("<stdin>", before, *formatted);
          }
        } else {
          out << *formatted;
        }
        continue;
      }
      if (*formatted == before) continue;
      if (options.fmt_check) {
        unformatted = true;
        out << UnifiedDiff(path, before, *formatted);
        continue;
      }
      std::vector<uint8_t> bytes(formatted->begin(), formatted->end());
      if (std::optional<Error> error = WriteFileAtomically(path, bytes)) {
        session.ToolFailure(fmt::format("cannot write {}: {}", path, error->message));
      }
    }
  }
  int code = session.Finish();
  if (code == kExitOk && unformatted) return kExitToolFailure;
  return code;
}

}  // namespace cordon::driver
