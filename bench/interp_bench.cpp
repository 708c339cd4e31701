// SPDX-License-Identifier: Apache-2.0
// The reference interpreter against a hand-written C++ function for the same rules (the
// advanced-computing example policy), on one deterministic request mix; JSON decoding; and the
// check time of a generated 10,000-rule policy. Ratios, not absolute times, are the claim.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "compiler/base/countries.h"
#include "compiler/check/check.h"
#include "compiler/interp/interp.h"
#include "compiler/request/request.h"

namespace cordon {
namespace {

constexpr const char* kPolicy = CORDON_SOURCE_DIR "/examples/advanced_computing/policy.cordon";

auto CheckOrDie(const std::vector<std::string>& roots) -> ir::Program {
  static check::SourceStore sources;
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  check::CheckOptions options;
  options.module_path = {CORDON_SOURCE_DIR "/stdlib"};
  auto result = check::CheckProgram(roots, options, sources, emitter);
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
  std::unordered_set<std::string_view> entity_list;
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
      if (entity_list.count(r.buyer) != 0) outcome = std::min(outcome, outcome_prohibited);
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
  for (const auto& row : p.tables[0].rows) policy.entity_list.insert(row[0].text);
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
void BM_Check10kRules(benchmark::State& state) {
  auto path = std::filesystem::temp_directory_path() / "cordon_bench_10k.cordon";
  {
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
  }
  for (auto _ : state) {
    ir::Program program = CheckOrDie({path.string()});
    benchmark::DoNotOptimize(program.rules.size());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_Check10kRules)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace cordon

BENCHMARK_MAIN();
