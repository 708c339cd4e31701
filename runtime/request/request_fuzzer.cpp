// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the JSON request decoder: any bytes as a request against a policy with a
// field of every kind (records, optionals, enums, countries, sets, dates, durations, exact
// numbers) must decode or list problems by JSON path, never crash; a decoded request is then
// decided by the interpreter, which must not crash either.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/frontend.h"
#include "runtime/interp/interp.h"
#include "runtime/request/request.h"

namespace {

constexpr const char* kPolicy = R"(
outcomes prohibited > license_required > no_license_required
unit mm2
unit h
unit GB
unit s
input Item { name: text  tpp: number  die_area: number mm2?  io: number GB / s? }
input Party { name: text  country: country  owners: set<country>? }
input Request {
  as_of: date
  kind: enum { export, reexport, iaas_access }
  item: Item
  end_user: Party?
  chips: int
  hours: number h?
  wait: duration?
  notified: date?
  flags: set<enum { urgent, sample }>?
  tags: set<text>?
}
require request.chips >= 1 "at least one chip"
rule big
  when request.item.tpp / 2 >= 2400 and request.kind != reexport
  then license_required "big"
rule owned
  when request.end_user is some u and u.country in {CN, MO} and request.as_of >= 2024-01-01
  then prohibited "owned"
rule dense
  when request.item.die_area is some a and request.item.tpp / a > 5.92 / 1 mm2
  then license_required "dense"
rule waited
  when request.wait is some w and request.notified is some n and n + w > request.as_of
  then license_required "waiting"
)";

struct Fixture {
  cordon::frontend::SourceStore sources;
  cordon::ir::Program program;
};

auto TheFixture() -> Fixture& {
  static Fixture fixture = [] {
    Fixture f;
    cordon::CollectingConsumer consumer;
    cordon::DiagnosticEmitter emitter(consumer);
    auto checked =
        cordon::frontend::CheckText("/fuzz/request_policy.cordon", kPolicy, f.sources, emitter);
    if (!checked.ok() || !*checked) __builtin_trap();  // the harness's own policy must compile
    f.program = std::move(**checked);
    return f;
  }();
  return fixture;
}

}  // namespace

extern "C" auto LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) -> int {
  static cordon::request::Decoder decoder(TheFixture().program);
  static cordon::interp::Interpreter interpreter(TheFixture().program);
  std::vector<cordon::ir::Datum> slots;
  std::vector<std::string> problems;
  decoder.SetIdField("order");
  std::string_view json(reinterpret_cast<const char*>(data), size);
  if (decoder.Decode(json, slots, problems)) {
    cordon::interp::Decision decision;
    cordon::interp::Trace trace;
    interpreter.Decide(slots, 19723, decision, &trace);
    cordon::interp::FinishDecision(TheFixture().program, decision);
  }
  return 0;
}
