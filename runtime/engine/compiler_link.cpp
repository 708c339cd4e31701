// SPDX-License-Identifier: Apache-2.0
#include "runtime/engine/compiler_link.h"

#include <fmt/format.h>

#include "runtime/ir/serialize.h"

namespace cordon::runtime {

auto CheckCompiler(const cordon_compiler_api& api, std::string_view runtime_version,
                   std::string_view where) -> std::optional<Error> {
  if (api.struct_size < sizeof(cordon_compiler_api)) {
    // Too small to read the rest of: some other table, or another release's.
    return Error{fmt::format("{} gives a compiler interface of {} bytes, and this runtime (Cordon "
                             "{}) reads {}: install the compiler component of the same release",
                             where, api.struct_size, runtime_version, sizeof(cordon_compiler_api)),
                 ErrorKind::kNoCompiler};
  }
  std::string_view version = api.version == nullptr ? "" : api.version;
  if (api.abi_version != CORDON_ABI_VERSION || api.ir_format != ir::kFormat ||
      version != runtime_version) {
    return Error{fmt::format("{} is the compiler of Cordon {} (ABI {}, IR format {}), and this "
                             "runtime is Cordon {} (ABI {}, IR format {}): install the compiler "
                             "component of the same release",
                             where, version, api.abi_version, api.ir_format, runtime_version,
                             CORDON_ABI_VERSION, ir::kFormat),
                 ErrorKind::kNoCompiler};
  }
  return std::nullopt;
}

}  // namespace cordon::runtime
