// SPDX-License-Identifier: Apache-2.0
// Where the checker gets what it reads: rule files as syntax trees, and the CSV text of tables.
// The checker never opens or parses a file itself, so it can be run over trees held in memory
// (fuzzers, an editor's unsaved buffers); compiler/frontend reads and parses files for it.
#ifndef CORDON_COMPILER_AST_LOADER_H_
#define CORDON_COMPILER_AST_LOADER_H_

#include <cstddef>
#include <string>

#include "compiler/ast/ast.h"
#include "runtime/base/error_or.h"
#include "runtime/source/source_buffer.h"

namespace cordon::ast {

class ModuleLoader {
 public:
  struct Parsed {
    const SourceBuffer* source = nullptr;  // lives as long as the loader
    File file;                             // syntax errors are reported; the tree is always whole
  };

  virtual ~ModuleLoader() = default;
  // The rule file at `path`, parsed; an Error when it cannot be read (or is over `max_bytes`).
  virtual auto LoadModule(const std::string& path, size_t max_bytes) -> ErrorOr<Parsed> = 0;
  // The text of the CSV file at `path`, for a table's rows.
  virtual auto LoadTable(const std::string& path, size_t max_bytes)
      -> ErrorOr<const SourceBuffer*> = 0;
};

}  // namespace cordon::ast

#endif  // CORDON_COMPILER_AST_LOADER_H_
