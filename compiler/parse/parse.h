// SPDX-License-Identifier: Apache-2.0
// Parse: rule text -> ast::File. The only phase that sees ANTLR (compiler/format, a tool beside
// the pipeline, reads its parse tree too); every ANTLR exception and every raw ANTLR message stops
// here and becomes a Cordon diagnostic.
#ifndef CORDON_COMPILER_PARSE_PARSE_H_
#define CORDON_COMPILER_PARSE_PARSE_H_

#include "compiler/ast/ast.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::parse {

struct ParseOptions {
  // Larger inputs are refused with one diagnostic.
  size_t max_source_bytes = kDefaultMaxSourceBytes;
  // Brackets and prefix operators nested deeper than this are refused: it bounds the recursion of
  // the parser and of every later phase.
  int max_nesting = 256;
  // After this many syntax errors the rest of the file is not parsed.
  int max_syntax_errors = 50;
};

// Always returns a tree; declarations with syntax errors become ast::ErrorDecl nodes. The
// returned File points at `source`, which must outlive it.
auto Parse(const SourceBuffer& source, DiagnosticEmitter& emitter, const ParseOptions& options = {})
    -> ast::File;

}  // namespace cordon::parse

#endif  // CORDON_COMPILER_PARSE_PARSE_H_
