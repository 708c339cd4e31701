// SPDX-License-Identifier: Apache-2.0
// The reference interpreter against a hand-written C++ function for the same rules (the
// advanced-computing example policy), on one deterministic request mix; JSON decoding; and the
// check time of a generated 10,000-rule policy. Ratios, not absolute times, are the claim.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/frontend/frontend.h"
#include "runtime/abi/layout.h"
#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/base/names.h"
#include "runtime/engine/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/serialize.h"
#include "runtime/request/request.h"

namespace cordon {
namespace {

constexpr const char* kPolicy = CORDON_SOURCE_DIR "/examples/advanced_computing/policy.cordon";

auto CheckOrDie(const std::vector<std::string>& roots) -> ir::Program {
  static frontend::SourceStore sources;
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  check::CheckOptions options;
  options.module_path = {CORDON_SOURCE_DIR "/stdlib"};
  auto result = frontend::CheckFiles(roots, options, sources, emitter);
  if (!result.ok() || !result->has_value()) {
    for (const Diagnostic& d : consumer.diagnostics) fmt::print(stderr, "{}", RenderToString(d));
    std::abort();
  }
  return std::move(**result);
}

// A deterministic mix: listed buyers, controlled chips to controlled destinations, uncontrolled
// chips, allies, rentals.
auto Requests() -> std::vector<std::string> {
  std::mt19937 rng(42);
  const char* buyers[] = {"IFLYTEK Co., Ltd.", "Megvii Technology", "Example Cloud Ltd.",
                          "Acme GmbH", "Some Distributor"};
  const char* countries[] = {"CN", "MO", "DE", "US", "RU", "SG", "IN", "AE"};
  const char* kinds[] = {"export", "reexport", "transfer_in_country", "iaas_access"};
  const int tpps[] = {4992, 4800, 4799, 2400, 1600, 800};
  std::vector<std::string> out;
  for (int i = 0; i < 1024; ++i) {
    out.push_back(fmt::format(
        R"({{"as_of": "2024-06-01", "kind": "{}", "item": {{"name": "chip", "tpp": {},
        "die_area": {}, "designed_for_datacenter": {}}}, "destination_country": "{}",
        "end_user": {{"name": "{}", "country": "CN", "hq_country": "{}",
        "parent_hq_country": null}}, "chips": 8, "rental_hours": 1}})",
        kinds[rng() % 4], tpps[rng() % 6], 400 + rng() % 600, rng() % 2 ? "true" : "false",
        countries[rng() % 8], buyers[rng() % 5], countries[rng() % 8]));
  }
  return out;
}

struct Fixture {
  ir::Program program = CheckOrDie({kPolicy});
  std::vector<std::string> json = Requests();
  std::vector<std::vector<ir::Datum>> decoded;
  request::Decoder decoder{program};

  Fixture() {
    std::vector<std::string> problems;
    for (const std::string& j : json) {
      std::vector<ir::Datum> slots;
      if (!decoder.Decode(j, slots, problems)) std::abort();
      // Texts point into the decoder; keep a copy of each.
      for (ir::Datum& d : slots) {
        if (d.kind == ir::Kind::kText && d.present) d.text = program.AddText(d.text);
      }
      decoded.push_back(std::move(slots));
    }
  }
};

auto TheFixture() -> Fixture& {
  static Fixture fixture;
  return fixture;
}

auto AotEngine(const ir::Program& program) -> ErrorOr<std::unique_ptr<runtime::Engine>> {
  ErrorOr<codegen::Unit> written = codegen::WriteSharedObject(program, "/tmp/cordon-bench.so");
  if (!written.ok()) return written.error();
  return runtime::Engine::FromLibrary("/tmp/cordon-bench.so", ir::SchemaHash(program));
}

void BM_Interpreter(benchmark::State& state) {
  Fixture& f = TheFixture();
  interp::Interpreter interpreter(f.program);
  interp::Decision decision;
  size_t i = 0;
  DayNumber as_of = static_cast<DayNumber>(f.decoded[0][f.program.as_of_slot].bits);
  for (auto _ : state) {
    interpreter.Decide(f.decoded[i++ & 1023], as_of, decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Interpreter);

// The same two rules as a careful engineer would write them by hand over a plain struct.
struct HandRequest {
  int kind;  // 3 = iaas_access
  Number tpp;
  Number die_area;
  bool datacenter;
  uint16_t destination;
  std::string_view buyer;
  uint16_t hq;
  bool has_parent;
  uint16_t parent;
};

struct HandPolicy {
  std::bitset<kCountrySlots> destinations;  // D1 + D4 + D5 + MO - A5 - A6
  std::bitset<kCountrySlots> d5_or_macau;
  // Names and aliases, normalised as the Entity List table matches them (`match normalized`).
  struct Hash {
    using is_transparent = void;
    auto operator()(std::string_view v) const -> size_t { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> entity_list;
  mutable std::string scratch;
  int outcome_license_required = 1, outcome_nac = 3, outcome_prohibited = 0, outcome_none = 4;

  auto Decide(const HandRequest& r) const -> int {
    int outcome = outcome_none;
    if (r.kind != 3) {
      bool controlled = r.tpp >= Number::Integer(4800);
      if (!controlled && r.datacenter && r.tpp >= Number::Integer(1600)) {
        // tpp / die_area >= 5.92  <=>  tpp * 25 >= 148 * die_area (die_area > 0)
        Number lhs, rhs;
        Multiply(r.tpp, Number::Integer(25), lhs);
        Multiply(r.die_area, Number::Integer(148), rhs);
        controlled = lhs >= rhs;
      }
      bool hq = d5_or_macau[r.hq] || (r.has_parent && d5_or_macau[r.parent]);
      if (controlled && (destinations[r.destination] || hq)) {
        outcome = std::min(outcome, r.datacenter ? outcome_license_required : outcome_nac);
      }
      if (entity_list.find(NormalizeName(r.buyer, scratch)) != entity_list.end()) {
        outcome = std::min(outcome, outcome_prohibited);
      }
    }
    return outcome;
  }
};

void BM_HandWritten(benchmark::State& state) {
  Fixture& f = TheFixture();
  const ir::Program& p = f.program;
  HandPolicy policy;
  // The same data: constant sets from the program, names from its table.
  for (const ir::Datum& c : p.constants) {
    if (c.kind == ir::Kind::kCountrySet && c.set != nullptr) {
      const auto* set = static_cast<const ir::CountrySet*>(c.set);
      for (uint32_t k = 0; k < kCountrySlots; ++k) {
        if (set->Has(k) && set->Has(*LookupCountry("CN")) && !set->Has(*LookupCountry("DE"))) {
          policy.destinations.set(k);
        }
      }
    }
  }
  policy.d5_or_macau = policy.destinations;
  for (const auto& row : p.tables[0].rows) {
    policy.entity_list.insert(NormalizeName(row[0].text));
    for (uint32_t c : p.tables[0].alias_columns) {
      const auto* aliases = static_cast<const ir::TextSet*>(row[c].set);
      for (std::string_view alias : aliases->sorted)
        policy.entity_list.insert(NormalizeName(alias));
    }
  }
  std::vector<HandRequest> requests;
  for (const auto& s : f.decoded) {
    // Slots in schema order: as_of, kind, item{name,tpp,die_area,dc}, destination,
    // end_user{name,country,hq,parent}, chips, rental_hours.
    requests.push_back(HandRequest{static_cast<int>(s[1].bits), s[3].number, s[4].number,
                                   s[5].bits != 0, static_cast<uint16_t>(s[6].bits), s[7].text,
                                   static_cast<uint16_t>(s[9].bits), s[10].present,
                                   static_cast<uint16_t>(s[10].bits)});
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy.Decide(requests[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandWritten);

// The compiled engines on the same requests, packed once into the generated request struct
// (as a host that fills the struct from its own data would), so the figure is the evaluator.
void CompiledBench(benchmark::State& state, runtime::EngineKind kind) {
  Fixture& f = TheFixture();
  ErrorOr<std::unique_ptr<runtime::Engine>> engine =
      kind == runtime::EngineKind::kJit ? runtime::Engine::FromProgram(f.program, kind)
                                        : AotEngine(f.program);
  if (!engine.ok()) {
    state.SkipWithError(engine.error().message.c_str());
    return;
  }
  runtime::Session session(**engine);
  const abi::RequestLayout& layout = (*engine)->layout();
  std::vector<std::vector<uint64_t>> packed;
  for (const auto& slots : f.decoded) {
    std::vector<uint64_t> buffer(layout.size / 8 + 1);
    abi::PackRequest(layout, slots, reinterpret_cast<uint8_t*>(buffer.data()));
    packed.push_back(std::move(buffer));
  }
  interp::Decision decision;
  size_t i = 0;
  DayNumber as_of = static_cast<DayNumber>(f.decoded[0][f.program.as_of_slot].bits);
  for (auto _ : state) {
    session.DecideStruct(packed[i++ & 1023].data(), as_of, decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Jit(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kJit); }
void BM_Aot(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kAot); }
BENCHMARK(BM_Jit);
BENCHMARK(BM_Aot);

// Rule file to callable evaluator: check, lower, optimise, JIT.
void BM_JitReady(benchmark::State& state) {
  for (auto _ : state) {
    ir::Program program = CheckOrDie({kPolicy});
    auto engine = runtime::Engine::FromProgram(program, runtime::EngineKind::kJit);
    if (!engine.ok()) std::abort();
    benchmark::DoNotOptimize(engine->get());
  }
}
BENCHMARK(BM_JitReady)->Unit(benchmark::kMillisecond);

void BM_BuildSharedObject(benchmark::State& state) {
  Fixture& f = TheFixture();
  for (auto _ : state) {
    auto written = codegen::WriteSharedObject(f.program, "/tmp/cordon-bench.so");
    if (!written.ok()) std::abort();
  }
}
BENCHMARK(BM_BuildSharedObject)->Unit(benchmark::kMillisecond);

// Replacing a 100,000-name Entity List while the engine is live: index build plus swap.
void BM_Swap100kNames(benchmark::State& state) {
  Fixture& f = TheFixture();
  auto engine = runtime::Engine::FromProgram(f.program, runtime::EngineKind::kInterp);
  std::optional<uint32_t> table = (*engine)->FindTable("entity_list");
  if (!table) {
    state.SkipWithError("the policy has no entity_list table");
    return;
  }
  const ir::Table& schema = f.program.tables[*table];
  auto storage = std::make_shared<std::deque<std::string>>();
  ir::Rows rows(schema.rows.columns());
  for (int k = 0; k < 100000; ++k) {
    std::span<ir::Datum> row = rows.AddRow();
    std::span<const ir::Datum> model = schema.rows[k % schema.rows.size()];
    std::copy(model.begin(), model.end(), row.begin());
    row[0].text = storage->emplace_back(fmt::format("Listed Company {} Co., Ltd.", k));
  }
  for (auto _ : state) {
    if ((*engine)->SwapTable(*table, std::make_shared<const ir::TableData>(schema, rows))) {
      state.SkipWithError("swap refused");
    }
  }
}
BENCHMARK(BM_Swap100kNames)->Unit(benchmark::kMillisecond);

void BM_DecodeJsonAndDecide(benchmark::State& state) {
  Fixture& f = TheFixture();
  request::Decoder decoder(f.program);
  interp::Interpreter interpreter(f.program);
  interp::Decision decision;
  std::vector<ir::Datum> slots;
  std::vector<std::string> problems;
  size_t i = 0;
  for (auto _ : state) {
    decoder.Decode(f.json[i++ & 1023], slots, problems);
    interpreter.Decide(slots, static_cast<DayNumber>(slots[f.program.as_of_slot].bits), decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeJsonAndDecide);

// A generated policy of 10,000 rules in the stdlib's style.
// A generated policy of 10,000 rules, each with a density division, country-group algebra and
// an `unless`.
auto Write10kRules() -> std::filesystem::path {
  auto path = std::filesystem::temp_directory_path() / "cordon_bench_10k.cordon";
  std::ofstream out(path);
  out << "import ear.country_groups (D1, D4, D5, A5, A6)\nunit mm2\n"
         "outcomes prohibited > license_required > report > no_license_required\n"
         "input Item { tpp: number  die_area: number mm2 }\n"
         "input Request { as_of: date  item: Item  destination: country }\n";
  for (int i = 0; i < 10000; ++i) {
    out << fmt::format(
        "rule r{0}\n  cites \"15 CFR 742.6(a)(6)\"\n  effective 2023-11-17\n"
        "  when request.item.tpp >= {1} and request.item.tpp / request.item.die_area >= "
        "{2}.{3} / mm2\n   and request.destination in D1 + D4 + D5 - A5 - A6\n"
        "  then license_required \"rule {0}\"\n  unless request.destination == MO then report "
        "\"Macau\"\n",
        i, 1000 + i, 1 + i % 9, i % 100);
  }
  return path;
}

void BM_Check10kRules(benchmark::State& state) {
  std::filesystem::path path = Write10kRules();
  for (auto _ : state) {
    ir::Program program = CheckOrDie({path.string()});
    benchmark::DoNotOptimize(program.rules.size());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_Check10kRules)->Unit(benchmark::kMillisecond)->Iterations(3);

// Rule file to callable evaluator for the 10,000 rules: check, lower, the fast pipeline, ORC
// LLJIT.
void BM_Jit10kRules(benchmark::State& state) {
  std::filesystem::path path = Write10kRules();
  for (auto _ : state) {
    ir::Program program = CheckOrDie({path.string()});
    auto jit = codegen::JitPolicy::Compile(program);
    if (!jit.ok()) state.SkipWithError(jit.error().message.c_str());
    benchmark::DoNotOptimize(program.rules.size());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_Jit10kRules)->Unit(benchmark::kMillisecond)->Iterations(1);

// One evaluation of the 10,000 rules, compiled with the full (0) or the fast (1) pipeline and
// instruction selector: what the fast ones, the JIT's choice for a policy this large, cost at
// run time.
void BM_Eval10kRules(benchmark::State& state) {
  std::filesystem::path path = Write10kRules();
  ir::Program program = CheckOrDie({path.string()});
  std::filesystem::remove(path);
  auto jit = codegen::JitPolicy::Compile(
      program,
      {.selector = state.range(0) == 1 ? codegen::Selector::kFast : codegen::Selector::kFull});
  if (!jit.ok()) return state.SkipWithError(jit.error().message.c_str());
  abi::RequestLayout layout = abi::LayoutRequest(program);
  request::Decoder decoder(program);
  std::mt19937 rng(7);
  std::vector<std::vector<uint64_t>> packed;
  for (int i = 0; i < 64; ++i) {
    std::string json = fmt::format(
        R"({{"as_of": "2024-06-01", "item": {{"tpp": {}, "die_area": {}}}, "destination": "{}"}})",
        rng() % 12000, 100 + rng() % 800, std::array{"CN", "MO", "DE", "AE"}[rng() % 4]);
    std::vector<ir::Datum> slots;
    std::vector<std::string> problems;
    if (!decoder.Decode(json, slots, problems)) return state.SkipWithError(problems[0].c_str());
    packed.emplace_back(layout.size / 8 + 1);
    abi::PackRequest(layout, slots, reinterpret_cast<uint8_t*>(packed.back().data()));
  }
  std::vector<cordon_abi_result> results(program.rules.size());
  cordon_abi_env env{};
  DayNumber as_of = *ParseDate("2024-06-01");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*jit)->eval()(packed[i++ & 63].data(), as_of, &env, results.data()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Eval10kRules)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cordon

BENCHMARK_MAIN();
