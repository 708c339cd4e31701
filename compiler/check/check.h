// SPDX-License-Identifier: Apache-2.0
// Check: parsed rule files -> one ir::Program. Takes the root files and every module they import
// from an ast::ModuleLoader,
// resolves names, checks types, units, dates, countries, outcomes and tables, reports mistakes
// as diagnostics, and lowers what it checked to the IR. Results about AST nodes live in side
// tables keyed by NodeId; the AST is never modified.
#ifndef CORDON_COMPILER_CHECK_CHECK_H_
#define CORDON_COMPILER_CHECK_CHECK_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
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

// What an editor asks of a checked policy (`cordon lsp`): what each declaration is, which names
// each module sees, and what each name written in it refers to. Filled only when
// CheckOptions::index is set; checking reports the same diagnostics with or without it. Files
// are named as their SourceBuffers are; ranges are byte offsets into them.
struct SymbolIndex {
  struct Site {
    std::string file;
    SourceRange range;  // empty: nowhere to go (a local, a builtin)
  };
  struct Symbol {
    std::string name;
    std::string kind;    // module, unit, outcomes, outcome, input, extend, field, let, table,
                         // column, normalization, rule, require, review, test, local
    Site site;           // where it is declared: its name
    SourceRange extent;  // the whole declaration, in site.file
    std::string detail;  // its type (`number GB / s`), or a rule's citation, dates and outcome
    std::string doc;     // its `///` comment
    std::vector<Symbol> children;  // an input's fields, a table's columns, the outcomes
  };
  struct Reference {
    Site use;
    Symbol target;
  };
  struct Module {
    std::string name;
    std::string file;
    std::vector<Symbol> decls;              // as written; imports and errors left out
    std::map<std::string, Symbol> visible;  // declared here or imported
    std::vector<std::pair<SourceRange, std::string>> imports;  // the path written -> its file
  };
  std::vector<Module> modules;
  std::vector<Reference> references;
  // The fields of each record-typed expression, by its file and source text (`request.item`):
  // what an editor offers after a `.`.
  std::map<std::pair<std::string, std::string>, std::vector<Symbol>> fields_of;
  std::vector<std::string> outcomes;  // highest first
};

struct CheckOptions {
  // Directories searched, in order, for `import a.b` as `a/b.cordon` or `a/b/policy.cordon`.
  // The driver puts `-I` directories first and the bundled stdlib last; the checker adds, before
  // the last entry, the directory a root's module name implies (`module x.y` at D/x/y.cordon
  // adds D).
  std::vector<std::string> module_path;
  size_t max_source_bytes = kDefaultMaxSourceBytes;
  // When set, filled for editors (see SymbolIndex); the check itself is unchanged.
  SymbolIndex* index = nullptr;
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
