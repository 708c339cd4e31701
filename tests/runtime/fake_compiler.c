/* SPDX-License-Identifier: Apache-2.0 */
/* A compiler library of another Cordon release: libcordon must refuse it by its version before
 * calling anything in it (every entry point is NULL). */
#include <stddef.h>

#include "runtime/abi/compiler_abi.h"

static const cordon_compiler_api kApi = {
    .struct_size = sizeof(cordon_compiler_api),
    .abi_version = CORDON_ABI_VERSION,
    .ir_format = 4,
    .version = "0.0.0",
};

__attribute__((visibility("default"))) const cordon_compiler_api* cordon_compiler_v1(void) {
  return &kApi;
}
