// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the front end: any bytes must yield diagnostics or a tree, never a crash,
// an uncaught exception or a hang. Build with -DCORDON_FUZZ=ON (clang-19).
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/parse/parse.h"

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  cordon::SourceBuffer source = cordon::SourceBuffer::FromText(
      "fuzz.cordon", std::string(reinterpret_cast<const char*>(data), size));
  cordon::CollectingConsumer consumer;
  cordon::DiagnosticEmitter emitter(consumer);
  cordon::ast::File file = cordon::parse::Parse(source, emitter);
  // Render everything too: the renderer and the dump walk every range the parser produced.
  for (const cordon::Diagnostic& d : consumer.diagnostics) {
    (void)cordon::RenderToString(d);
  }
  (void)cordon::ast::Dump(file);
  return 0;
}
