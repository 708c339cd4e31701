// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the program reader (what an AOT .so carries): any bytes must be a
// program that passes validation or a one-line refusal, never a crash or a read out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/ir/ir.h"
#include "runtime/ir/serialize.h"

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  cordon::ErrorOr<cordon::ir::Program> program =
      cordon::ir::Deserialize(std::span<const uint8_t>(data, size));
  if (program.ok()) {
    (void)cordon::ir::Print(*program);
    (void)cordon::ir::SchemaHash(*program);
    (void)cordon::ir::PolicyHash(*program);
  }
  return 0;
}
