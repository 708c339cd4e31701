// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the CSV reader: any bytes as the rows of a table with a column of every
// kind must give rows or BadCsvRow errors at file:line:col, never a crash or a hang. This is the
// path both `table … from "x.csv"` and a table swap at run time take.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/frontend/frontend.h"
#include "runtime/ir/ir.h"
#include "runtime/tables/table_rows.h"

namespace {

constexpr const char* kPolicy = R"(
outcomes prohibited > no_license_required
input Request { as_of: date  name: text }
extern table screening {
  name: text match normalized
  aliases: set<text>?
  country: country
  list: enum { entity_list, unverified, sdn }
  share: number?
  chips: int?
  added: date
  hours: number h?
  active: bool?
}
unit h
rule listed when request.name in screening then prohibited "listed"
)";

auto Program() -> const cordon::ir::Program& {
  static const cordon::ir::Program program = [] {
    cordon::frontend::SourceStore sources;
    cordon::CollectingConsumer consumer;
    cordon::DiagnosticEmitter emitter(consumer);
    auto checked =
        cordon::frontend::CheckText("/fuzz/csv_policy.cordon", kPolicy, sources, emitter);
    if (!checked.ok() || !*checked) __builtin_trap();  // the harness's own policy must compile
    return std::move(**checked);
  }();
  return program;
}

}  // namespace

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  const cordon::ir::Program& program = Program();
  cordon::SourceBuffer csv = cordon::SourceBuffer::FromText(
      "fuzz.csv", std::string(reinterpret_cast<const char*>(data), size));
  std::deque<std::string> texts;
  std::deque<cordon::ir::TextSet> text_sets;
  cordon::CollectingConsumer consumer;
  cordon::DiagnosticEmitter emitter(consumer);
  (void)cordon::tables::ReadTableRows(program, program.tables[0], csv,
                                      cordon::tables::RowStorage{&texts, &text_sets}, emitter,
                                      nullptr);
  for (const cordon::Diagnostic& d : consumer.diagnostics) (void)cordon::RenderToString(d);
  return 0;
}
