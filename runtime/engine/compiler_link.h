// SPDX-License-Identifier: Apache-2.0
// How an engine reaches the compiler (runtime/abi/compiler_abi.h), which it needs only for rule
// files and the JIT. Exactly one definition of LinkCompiler is linked into a binary:
// compiler/plugin/linked.cpp where the compiler is linked in (the `cordon` command, tests,
// benchmarks), runtime/engine/compiler_dl.cpp in libcordon.so, which opens libcordon-compiler.so
// the first time it is asked, so hosts that load only .so files and bundles never map it.
#ifndef CORDON_RUNTIME_ENGINE_COMPILER_LINK_H_
#define CORDON_RUNTIME_ENGINE_COMPILER_LINK_H_

#include <optional>
#include <string_view>

#include "runtime/abi/compiler_abi.h"
#include "runtime/base/error_or.h"

namespace cordon::runtime {

// The compiler, or an ErrorKind::kNoCompiler error saying what is missing.
auto LinkCompiler() -> ErrorOr<const cordon_compiler_api*>;

// Refuses a compiler built for another ABI, IR format or release (`where` names it in the
// message), with ErrorKind::kNoCompiler.
auto CheckCompiler(const cordon_compiler_api& api, std::string_view runtime_version,
                   std::string_view where) -> std::optional<Error>;

}  // namespace cordon::runtime

#endif  // CORDON_RUNTIME_ENGINE_COMPILER_LINK_H_
