// SPDX-License-Identifier: Apache-2.0
// Emission, sorting and rendering of diagnostics.
#include "runtime/diagnostics/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace cordon {

auto DiagnosticKindName(DiagnosticKind kind) -> std::string_view {
  switch (kind) {
#define CORDON_DIAGNOSTIC_KIND(Name) \
  case DiagnosticKind::Name:         \
    return #Name;
#include "runtime/diagnostics/kinds.def"
#undef CORDON_DIAGNOSTIC_KIND
  }
  return "Unknown";
}

auto AllDiagnosticKinds() -> const std::vector<DiagnosticKind>& {
  static const std::vector<DiagnosticKind> kinds = {
#define CORDON_DIAGNOSTIC_KIND(Name) DiagnosticKind::Name,
#include "runtime/diagnostics/kinds.def"
#undef CORDON_DIAGNOSTIC_KIND
  };
  return kinds;
}

auto SeverityName(Severity severity) -> std::string_view {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

DiagnosticBuilder::~DiagnosticBuilder() { emitter_->Emit(std::move(diagnostic_)); }

auto DiagnosticBuilder::Label(Location location, std::string message) -> DiagnosticBuilder& {
  diagnostic_.labels.push_back({std::move(location), std::move(message)});
  return *this;
}

auto DiagnosticBuilder::Help(std::string help) -> DiagnosticBuilder& {
  diagnostic_.help = std::move(help);
  return *this;
}

auto DiagnosticEmitter::Error(DiagnosticKind kind, Location location, std::string message)
    -> DiagnosticBuilder {
  return DiagnosticBuilder(
      *this, Diagnostic{kind, Severity::kError, location, std::move(message), {}, {}});
}

auto DiagnosticEmitter::Warning(DiagnosticKind kind, Location location, std::string message)
    -> DiagnosticBuilder {
  return DiagnosticBuilder(
      *this, Diagnostic{kind, Severity::kWarning, location, std::move(message), {}, {}});
}

void DiagnosticEmitter::Emit(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::kError) {
    ++error_count_;
  } else if (diagnostic.severity == Severity::kWarning) {
    ++warning_count_;
  }
  consumer_->Consume(std::move(diagnostic));
}

void SortingConsumer::Consume(Diagnostic diagnostic) { buffered_.push_back(std::move(diagnostic)); }

void SortingConsumer::Flush() {
  auto key = [](const Diagnostic& d) {
    const std::string* file = d.location.source ? &d.location.source->filename() : nullptr;
    int64_t offset = d.location.range ? static_cast<int64_t>(d.location.range->begin) : -1;
    return std::make_pair(file ? *file : std::string(), offset);
  };
  std::stable_sort(buffered_.begin(), buffered_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  size_t shown = std::min(buffered_.size(), limit_);
  for (size_t i = 0; i < shown; ++i) {
    next_->Consume(std::move(buffered_[i]));
  }
  if (buffered_.size() > limit_) {
    next_->Consume(Diagnostic{DiagnosticKind::TooManyErrors,
                              Severity::kNote,
                              Location{},
                              fmt::format("{} more diagnostics not shown (at most {} are printed)",
                                          buffered_.size() - limit_, limit_),
                              {},
                              {}});
  }
  buffered_.clear();
  next_->Flush();
}

namespace {

auto FormatLocation(const Location& location) -> std::string {
  if (location.source == nullptr) {
    return "cordon";
  }
  if (!location.range) {
    return location.source->filename();
  }
  LineCol lc = location.source->LineColAt(location.range->begin);
  return fmt::format("{}:{}:{}", location.source->filename(), lc.line, lc.column);
}

struct Mark {
  SourceRange range;
  char glyph;
};

// Renders the source line holding `primary` with a gutter and an underline. Marks on other lines
// are ignored; a mark that runs past the end of the line stops there.
void RenderSnippet(std::ostream& out, const SourceBuffer& source, SourceRange primary,
                   const std::vector<Mark>& marks) {
  uint32_t line = source.LineOf(primary.begin);
  std::string_view text = source.LineText(line);
  uint32_t line_start = source.LineStart(line);
  std::string gutter = fmt::format("{:>4}", line);
  std::string blank(gutter.size(), ' ');

  std::string shown;  // the line as printed (invalid bytes replaced)
  std::string underline;
  size_t underline_end = 0;  // trims trailing blanks
  auto glyph_at = [&](uint32_t offset, uint32_t next) -> char {
    char glyph = ' ';
    for (const Mark& mark : marks) {
      bool hit = mark.range.empty() ? mark.range.begin == offset
                                    : (offset < mark.range.end && next > mark.range.begin);
      if (hit && (glyph == ' ' || mark.glyph == '^')) {
        glyph = mark.glyph;
      }
    }
    return glyph;
  };
  for (size_t i = 0; i < text.size();) {
    size_t n = Utf8SequenceLength(text.substr(i));
    bool valid = n != 0;
    if (!valid) {
      n = 1;
    }
    auto offset = static_cast<uint32_t>(line_start + i);
    char glyph = glyph_at(offset, static_cast<uint32_t>(offset + n));
    if (text[i] == '\t') {
      shown += '\t';
      underline += glyph == ' ' ? '\t' : glyph;
    } else if (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F) {
      // Control characters (a NUL byte, say) print as their Unicode control picture.
      char32_t picture = text[i] == 0x7F ? 0x2421 : 0x2400 + static_cast<unsigned char>(text[i]);
      shown += static_cast<char>(0xE0 | (picture >> 12));
      shown += static_cast<char>(0x80 | ((picture >> 6) & 0x3F));
      shown += static_cast<char>(0x80 | (picture & 0x3F));
      underline += glyph;
    } else {
      int width = valid ? DisplayWidth(DecodeUtf8(text.substr(i), n)) : 1;
      shown += valid ? std::string(text.substr(i, n)) : std::string("\xEF\xBF\xBD");
      underline.append(static_cast<size_t>(width), glyph);
    }
    if (glyph != ' ') {
      underline_end = underline.size();
    }
    i += n;
  }
  // A mark at (or past) the end of the line, such as "expected `)`" at a newline or at EOF.
  auto end_offset = static_cast<uint32_t>(line_start + text.size());
  for (const Mark& mark : marks) {
    if (mark.range.begin >= end_offset && source.LineOf(mark.range.begin) == line) {
      underline += mark.glyph;
      underline_end = underline.size();
    }
  }
  underline.resize(underline_end);
  out << ' ' << gutter << " | " << shown << '\n';
  out << ' ' << blank << " | " << underline << '\n';
}

}  // namespace

void ConsoleRenderer::Consume(Diagnostic d) {
  std::ostream& out = *out_;
  out << FormatLocation(d.location) << ": " << SeverityName(d.severity) << ": " << d.message << " ["
      << DiagnosticKindName(d.kind) << "]\n";
  std::vector<const cordon::Label*> notes;
  if (d.location.source != nullptr && d.location.range) {
    SourceRange primary = *d.location.range;
    std::vector<Mark> marks = {{primary, '^'}};
    uint32_t line = d.location.source->LineOf(primary.begin);
    for (const cordon::Label& label : d.labels) {
      bool same_line = label.location.source == d.location.source && label.location.range &&
                       d.location.source->LineOf(label.location.range->begin) == line;
      if (same_line && label.message.empty()) {
        marks.push_back({*label.location.range, '~'});
      } else {
        notes.push_back(&label);
      }
    }
    RenderSnippet(out, *d.location.source, primary, marks);
  } else {
    for (const cordon::Label& label : d.labels) {
      notes.push_back(&label);
    }
  }
  for (const cordon::Label* label : notes) {
    out << FormatLocation(label->location) << ": note: " << label->message << '\n';
    if (label->location.source != nullptr && label->location.range) {
      RenderSnippet(out, *label->location.source, *label->location.range,
                    {{*label->location.range, '~'}});
    }
  }
  if (!d.help.empty()) {
    out << "help: " << d.help << '\n';
  }
}

namespace {
auto LocationJson(const Location& location) -> nlohmann::json {
  nlohmann::json j = nlohmann::json::object();
  if (location.source == nullptr) {
    return j;
  }
  j["file"] = location.source->filename();
  if (location.range) {
    LineCol begin = location.source->LineColAt(location.range->begin);
    LineCol end = location.source->LineColAt(location.range->end);
    j["line"] = begin.line;
    j["column"] = begin.column;
    j["end_line"] = end.line;
    j["end_column"] = end.column;
  }
  return j;
}
}  // namespace

void JsonRenderer::Consume(Diagnostic d) {
  nlohmann::json j = LocationJson(d.location);
  j["severity"] = SeverityName(d.severity);
  j["kind"] = DiagnosticKindName(d.kind);
  j["message"] = d.message;
  nlohmann::json labels = nlohmann::json::array();
  for (const cordon::Label& label : d.labels) {
    nlohmann::json l = LocationJson(label.location);
    l["message"] = label.message;
    labels.push_back(std::move(l));
  }
  j["labels"] = std::move(labels);
  if (!d.help.empty()) {
    j["help"] = d.help;
  }
  // Replace invalid UTF-8 rather than throw: messages quote user text.
  *out_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

auto RenderToString(const Diagnostic& diagnostic) -> std::string {
  std::ostringstream out;
  ConsoleRenderer renderer(out);
  renderer.Consume(diagnostic);
  return out.str();
}

}  // namespace cordon
