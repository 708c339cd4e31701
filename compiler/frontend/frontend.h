// SPDX-License-Identifier: Apache-2.0
// Rule files to a checked program: reads files (or text provided in memory), parses them with
// compiler/parse and hands the trees to compiler/check through ast::ModuleLoader. What the
// `cordon` command, the compiler library, tests and benchmarks call.
#ifndef CORDON_COMPILER_FRONTEND_FRONTEND_H_
#define CORDON_COMPILER_FRONTEND_FRONTEND_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/loader.h"
#include "compiler/check/check.h"
#include "runtime/base/error_or.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/ir.h"
#include "runtime/source/source_buffer.h"

namespace cordon::frontend {

// Owns every buffer a check reads (rule files and CSV tables); diagnostics point into them, so
// it must outlive the diagnostics' consumers.
class SourceStore {
 public:
  auto Load(const std::string& path, size_t max_bytes) -> ErrorOr<const SourceBuffer*>;
  // Serves `path` from `text` instead of the disk: tests and fuzzers check policies in memory.
  void Provide(std::string path, std::string text) { provided_[std::move(path)] = std::move(text); }
  // Every file read from disk so far, in the order read: what a build must watch (a depfile).
  auto Paths() const -> std::vector<std::string>;

 private:
  std::deque<std::unique_ptr<SourceBuffer>> buffers_;
  std::map<std::string, std::string> provided_;
};

// Reads through a SourceStore and parses with parse::Parse, reporting syntax errors to `emitter`.
class FileLoader : public ast::ModuleLoader {
 public:
  FileLoader(SourceStore& sources, DiagnosticEmitter& emitter)
      : sources_(sources), emitter_(emitter) {}
  auto LoadModule(const std::string& path, size_t max_bytes) -> ErrorOr<Parsed> override;
  auto LoadTable(const std::string& path, size_t max_bytes)
      -> ErrorOr<const SourceBuffer*> override;

 private:
  SourceStore& sources_;
  DiagnosticEmitter& emitter_;
};

// check::CheckProgram over the files of `roots` and what they import.
auto CheckFiles(const std::vector<std::string>& roots, const check::CheckOptions& options,
                SourceStore& sources, DiagnosticEmitter& emitter)
    -> ErrorOr<std::optional<ir::Program>>;

// A policy of one rule file held in memory (tests and fuzzers): CheckFiles with `path` served
// from `text` and nothing on the module path.
auto CheckText(const std::string& path, std::string text, SourceStore& sources,
               DiagnosticEmitter& emitter) -> ErrorOr<std::optional<ir::Program>>;

}  // namespace cordon::frontend

#endif  // CORDON_COMPILER_FRONTEND_FRONTEND_H_
