// SPDX-License-Identifier: Apache-2.0
// Diagnostics: what every phase reports about the user's rule text. A phase never prints; it
// emits Diagnostic values through a DiagnosticEmitter, and consumers sort, count and render them
// (console or JSON). Message style: docs/diagnostics.md.
#ifndef CORDON_RUNTIME_DIAGNOSTICS_DIAGNOSTICS_H_
#define CORDON_RUNTIME_DIAGNOSTICS_DIAGNOSTICS_H_

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source/source_buffer.h"

namespace cordon {

enum class DiagnosticKind : uint16_t {
#define CORDON_DIAGNOSTIC_KIND(Name) Name,
#include "runtime/diagnostics/kinds.def"
#undef CORDON_DIAGNOSTIC_KIND
};

auto DiagnosticKindName(DiagnosticKind kind) -> std::string_view;
// Every registered kind, in kinds.def order.
auto AllDiagnosticKinds() -> const std::vector<DiagnosticKind>&;

enum class Severity : uint8_t { kError, kWarning, kNote };

auto SeverityName(Severity severity) -> std::string_view;

// Where a diagnostic points: a range in a buffer, or a whole file when `range` is empty.
struct Location {
  const SourceBuffer* source = nullptr;
  std::optional<SourceRange> range;
};

// A secondary place that explains the primary one ("declared here", "to match this `(`").
struct Label {
  Location location;
  std::string message;
};

struct Diagnostic {
  DiagnosticKind kind;
  Severity severity;
  Location location;
  std::string message;
  std::vector<Label> labels;
  std::string help;
};

class DiagnosticConsumer {
 public:
  virtual ~DiagnosticConsumer() = default;
  virtual void Consume(Diagnostic diagnostic) = 0;
  // Called once all phases have run; consumers that buffer release their output here.
  virtual void Flush() {}
};

class DiagnosticEmitter;

// Collects the parts of one diagnostic and emits it when it goes out of scope.
class DiagnosticBuilder {
 public:
  DiagnosticBuilder(DiagnosticEmitter& emitter, Diagnostic diagnostic)
      : emitter_(&emitter), diagnostic_(std::move(diagnostic)) {}
  DiagnosticBuilder(const DiagnosticBuilder&) = delete;
  auto operator=(const DiagnosticBuilder&) -> DiagnosticBuilder& = delete;
  ~DiagnosticBuilder();

  auto Label(Location location, std::string message) -> DiagnosticBuilder&;
  auto Help(std::string help) -> DiagnosticBuilder&;

 private:
  DiagnosticEmitter* emitter_;
  Diagnostic diagnostic_;
};

class DiagnosticEmitter {
 public:
  explicit DiagnosticEmitter(DiagnosticConsumer& consumer) : consumer_(&consumer) {}

  auto Error(DiagnosticKind kind, Location location, std::string message) -> DiagnosticBuilder;
  auto Warning(DiagnosticKind kind, Location location, std::string message) -> DiagnosticBuilder;
  void Emit(Diagnostic diagnostic);

  auto error_count() const -> int { return error_count_; }
  auto warning_count() const -> int { return warning_count_; }

 private:
  DiagnosticConsumer* consumer_;
  int error_count_ = 0;
  int warning_count_ = 0;
};

// Buffers diagnostics, orders them by file and position, and forwards at most `limit` of them
// (then one note saying how many were left out) to `next` on Flush.
class SortingConsumer : public DiagnosticConsumer {
 public:
  static constexpr size_t kDefaultLimit = 100;
  explicit SortingConsumer(DiagnosticConsumer& next, size_t limit = kDefaultLimit)
      : next_(&next), limit_(limit) {}
  void Consume(Diagnostic diagnostic) override;
  void Flush() override;

 private:
  DiagnosticConsumer* next_;
  size_t limit_;
  std::vector<Diagnostic> buffered_;
};

// Keeps every diagnostic in memory (for tests and for tools that inspect them).
class CollectingConsumer : public DiagnosticConsumer {
 public:
  void Consume(Diagnostic diagnostic) override { diagnostics.push_back(std::move(diagnostic)); }
  std::vector<Diagnostic> diagnostics;
};

// Human-readable output: `file:line:col: error: message [Kind]`, the source line with a line
// number gutter, a `^~~~` underline, notes for secondary labels, and a `help:` line.
class ConsoleRenderer : public DiagnosticConsumer {
 public:
  explicit ConsoleRenderer(std::ostream& out) : out_(&out) {}
  void Consume(Diagnostic diagnostic) override;

 private:
  std::ostream* out_;
};

// One JSON object per line (JSON Lines) per diagnostic, for editors and CI.
class JsonRenderer : public DiagnosticConsumer {
 public:
  explicit JsonRenderer(std::ostream& out) : out_(&out) {}
  void Consume(Diagnostic diagnostic) override;

 private:
  std::ostream* out_;
};

// Renders one diagnostic as the console renderer would (for tests).
auto RenderToString(const Diagnostic& diagnostic) -> std::string;

}  // namespace cordon

#endif  // CORDON_RUNTIME_DIAGNOSTICS_DIAGNOSTICS_H_
