/* SPDX-License-Identifier: Apache-2.0 */
/* A shared object that looks like a compiled policy for another ABI version: libcordon must
 * refuse it by its version, before reading anything else. */
#include <stdint.h>

#include "runtime/abi/abi.h"

__attribute__((visibility("default"))) const cordon_abi_descriptor cordon_policy_v1 = {
    .abi_version = CORDON_ABI_VERSION + 1,
};
