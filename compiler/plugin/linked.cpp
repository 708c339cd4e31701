// SPDX-License-Identifier: Apache-2.0
// LinkCompiler where the compiler is linked into the binary (the `cordon` command, tests and
// benchmarks): the table directly, nothing to open.
#include "compiler/plugin/plugin.h"
#include "runtime/engine/compiler_link.h"

// Named by cordon_compiler_linked's `--undefined=` so the linker takes this file from the archive
// whatever the order of the libraries on its command line.
extern "C" const int cordon_compiler_linked_in = 1;

namespace cordon::runtime {

auto LinkCompiler() -> ErrorOr<const cordon_compiler_api*> { return plugin::Api(); }

}  // namespace cordon::runtime
