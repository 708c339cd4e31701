// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the checker, in memory: any bytes as a policy's root file must give
// diagnostics or a program, never a crash, an uncaught exception or a hang. Imports find
// nothing (the module path is empty), so the checker sees only what the input says.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/frontend/frontend.h"
#include "runtime/ir/ir.h"

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  cordon::frontend::SourceStore sources;
  cordon::CollectingConsumer consumer;
  cordon::DiagnosticEmitter emitter(consumer);
  auto checked = cordon::frontend::CheckText("/fuzz/policy.cordon",
                                             std::string(reinterpret_cast<const char*>(data), size),
                                             sources, emitter);
  if (checked.ok() && *checked) (void)cordon::ir::Print(**checked);
  for (const cordon::Diagnostic& d : consumer.diagnostics) (void)cordon::RenderToString(d);
  return 0;
}
