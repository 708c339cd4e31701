// SPDX-License-Identifier: Apache-2.0
// The one symbol libcordon-compiler.so exports (CORDON_COMPILER_SYMBOL), compiled into the shared
// library itself: symbols from the static libraries it links stay hidden.
#include "compiler/plugin/plugin.h"

extern "C" __attribute__((visibility("default"))) auto cordon_compiler_v1()
    -> const cordon_compiler_api* {
  return cordon::plugin::Api();
}
