// SPDX-License-Identifier: Apache-2.0
// Format: rule text -> the same rule text in Cordon's one canonical layout (`cordon fmt`, the
// language server's formatting). Comments stay where they were; formatting never changes what a
// file means (tests/format checks that the IR is identical before and after).
#ifndef CORDON_COMPILER_FORMAT_FORMAT_H_
#define CORDON_COMPILER_FORMAT_FORMAT_H_

#include <optional>
#include <string>

#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::format {

struct FormatOptions {
  // A line longer than this is broken (conditions at `and`/`or`, lists after commas).
  int line_width = 100;
};

// The canonical text of `source`, or nullopt when it does not parse: the syntax errors go to
// `emitter` and the caller leaves the file untouched. Formatting formatted text changes nothing.
auto Format(const SourceBuffer& source, DiagnosticEmitter& emitter,
            const FormatOptions& options = {}) -> std::optional<std::string>;

}  // namespace cordon::format

#endif  // CORDON_COMPILER_FORMAT_FORMAT_H_
