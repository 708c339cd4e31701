// SPDX-License-Identifier: Apache-2.0
// The compiler's side of runtime/abi/compiler_abi.h.
#ifndef CORDON_COMPILER_PLUGIN_PLUGIN_H_
#define CORDON_COMPILER_PLUGIN_PLUGIN_H_

#include "runtime/abi/compiler_abi.h"

namespace cordon::plugin {

// The table of compiler entry points, for the runtime.
auto Api() -> const cordon_compiler_api*;

}  // namespace cordon::plugin

#endif  // CORDON_COMPILER_PLUGIN_PLUGIN_H_
