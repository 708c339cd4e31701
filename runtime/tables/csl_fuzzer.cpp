// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the CSL importer: any bytes, read as the CSV or the JSON layout, must
// give entries or BadScreeningList / BadCsvRow diagnostics at file:line:col (never a crash, a
// hang or an entry without a name or date), and the entries must write a table.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/tables/csl.h"

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  cordon::SourceBuffer file = cordon::SourceBuffer::FromText(
      "fuzz.csl", std::string(reinterpret_cast<const char*>(data), size));
  cordon::CollectingConsumer consumer;
  cordon::DiagnosticEmitter emitter(consumer);
  std::optional<cordon::tables::CslImport> import = cordon::tables::ImportCsl(file, emitter);
  for (const cordon::Diagnostic& d : consumer.diagnostics) (void)cordon::RenderToString(d);
  if (import.has_value() != (emitter.error_count() == 0)) __builtin_trap();
  if (!import) return 0;
  for (const cordon::tables::CslEntry& entry : import->entries) {
    if (entry.name.empty()) __builtin_trap();
  }
  for (int list = 0; list < cordon::tables::kCslListCount; ++list) {
    (void)cordon::tables::WriteCslTable(*import, static_cast<cordon::tables::CslList>(list));
  }
  return 0;
}
