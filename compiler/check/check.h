// SPDX-License-Identifier: Apache-2.0
// Check: parsed rule files -> one ir::Program. Takes the root files and every module they import
// from an ast::ModuleLoader,
// resolves names, checks types, units, dates, countries, outcomes and tables, reports mistakes
// as diagnostics, and lowers what it checked to the IR. Results about AST nodes live in side
// tables keyed by NodeId; the AST is never modified.
#ifndef CORDON_COMPILER_CHECK_CHECK_H_
#define CORDON_COMPILER_CHECK_CHECK_H_

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/loader.h"
#include "runtime/base/error_or.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/ir.h"
#include "runtime/source/source_buffer.h"

namespace cordon::check {

// The deepest nesting of records in a request (`input Request` is level 1). Real requests nest
// three or four deep; the limit bounds the recursion of every phase that walks the schema.
inline constexpr size_t kMaxRecordDepth = 32;
// The most leaf fields a request may have, over all its records: the EAR's has about 40. The
// limit bounds the request struct, its validation and the decoder's work per request.
inline constexpr uint32_t kMaxRequestFields = 4096;

struct CheckOptions {
  // Directories searched, in order, for `import a.b` as `a/b.cordon` or `a/b/policy.cordon`.
  // The driver puts `-I` directories first and the bundled stdlib last; the checker adds, before
  // the last entry, the directory a root's module name implies (`module x.y` at D/x/y.cordon
  // adds D).
  std::vector<std::string> module_path;
  size_t max_source_bytes = kDefaultMaxSourceBytes;
};

// Checks the policy made of `roots` (rule files, or directories holding `policy.cordon`) and
// every module they import, each obtained from `loader` (compiler/frontend reads and parses
// files). The program's rules are those of every loaded module. Returns nullopt when any error
// was reported; a root that cannot be read is a tool failure (Error).
auto CheckProgram(const std::vector<std::string>& roots, const CheckOptions& options,
                  ast::ModuleLoader& loader, DiagnosticEmitter& emitter)
    -> ErrorOr<std::optional<ir::Program>>;

}  // namespace cordon::check

#endif  // CORDON_COMPILER_CHECK_CHECK_H_
