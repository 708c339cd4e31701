// SPDX-License-Identifier: Apache-2.0
// Differential testing: random requests decided by the interpreter, the JIT (compiled both ways:
// the full pipeline, and the fast one it takes for a policy of thousands of rules) and the AOT
// .so, which must agree on the decision, the fired rules (with the `unless` that applied) and the
// errors. Requests are drawn from the policy itself: numbers at, just below and just above
// every constant the rules compare with, dates around every effective date, table keys in other
// spellings, absent optionals, zeros and huge values that make arithmetic fail. A share of the
// requests goes through JSON, some of it corrupted, so decoding errors are compared too.
//
//   differential --seed 7 --requests 100000 POLICY...
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/frontend/frontend.h"
#include "runtime/abi/layout.h"
#include "runtime/base/countries.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/batch.h"
#include "runtime/engine/engine.h"
#include "runtime/ir/serialize.h"
#include "runtime/request/request.h"

namespace cordon {
namespace {

namespace fs = std::filesystem;

struct Pools {
  std::vector<Number> numbers;
  std::vector<int64_t> dates;
  std::vector<int64_t> countries;
  std::vector<std::string> texts;
};

// Values the rules care about, and their neighbours.
auto BuildPools(const ir::Program& program, const ir::TableData* const* tables) -> Pools {
  Pools pools;
  auto add_number = [&](Number n) {
    // Halves too: two owners of 25 % reach a threshold of 50 % exactly.
    if (n.num % 2 == 0) pools.numbers.push_back(Number{n.num / 2, n.den});
    pools.numbers.push_back(n);
    for (Number delta : {Number{1, 1}, Number{1, 1000}}) {
      Number x;
      if (Add(n, delta, x) == ArithmeticStatus::kOk) pools.numbers.push_back(x);
      if (Subtract(n, delta, x) == ArithmeticStatus::kOk) pools.numbers.push_back(x);
    }
  };
  for (const ir::Datum& d : program.constants) {
    // A `none` constant holds no value: its zero country would be `AA`, which no request has.
    if (!d.present) continue;
    if (d.kind == ir::Kind::kNumber) add_number(d.number);
    if (d.kind == ir::Kind::kDate) {
      for (int64_t delta : {-1, 0, 1}) pools.dates.push_back(d.bits + delta);
    }
    if (d.kind == ir::Kind::kCountry) pools.countries.push_back(d.bits);
    if (d.kind == ir::Kind::kCountrySet) {
      const auto* set = static_cast<const ir::CountrySet*>(d.set);
      for (uint32_t c = 0; c < kCountrySlots; ++c) {
        if (set->Has(c)) pools.countries.push_back(c);
      }
    }
    if (d.kind == ir::Kind::kText) {
      std::string text(d.text);
      pools.texts.push_back(text);
      // For the text functions: in capitals, padded with ASCII and Unicode spaces (U+00A0,
      // U+3000), with a hyphen inside, twice over, and empty.
      std::string upper = text;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      pools.texts.push_back(upper);
      pools.texts.push_back("  " + text + "\t");
      pools.texts.push_back("\u00a0" + upper + "\u3000");
      pools.texts.push_back(text.substr(0, text.size() / 2) + "-" + text.substr(text.size() / 2));
      pools.texts.push_back(text + text);
      pools.texts.push_back("");
    }
  }
  // The review date and the end of its grace period, and the days around them.
  if (program.reviewed) {
    for (int64_t base :
         {int64_t{*program.reviewed}, int64_t{*program.reviewed} + program.review_grace_days}) {
      for (int64_t delta : {-1, 0, 1}) pools.dates.push_back(base + delta);
    }
  }
  for (const ir::Rule& rule : program.rules) {
    for (const auto& day : {rule.effective, rule.until}) {
      if (day) {
        for (int64_t delta : {-1, 0, 1}) pools.dates.push_back(*day + delta);
      }
    }
  }
  for (size_t t = 0; t < program.tables.size(); ++t) {
    for (const auto& row : tables[t]->rows()) {
      if (row[0].kind == ir::Kind::kText) {
        std::string key(row[0].text);
        pools.texts.push_back(key);
        std::string lower = key;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        pools.texts.push_back(lower + " Co., Ltd.");
        pools.texts.push_back(key.substr(0, key.size() / 2));
        // One edit away, and two (near(table, name) finds the first, not the second).
        if (key.size() >= 4) {
          std::string dropped = key;
          dropped.erase(key.size() / 3, 1);
          pools.texts.push_back(dropped);
          std::string swapped = key;
          std::swap(swapped[key.size() / 2], swapped[key.size() / 2 + 1]);
          pools.texts.push_back(swapped);
          std::string twice = dropped;
          twice[twice.size() * 2 / 3] = 'x';
          pools.texts.push_back(twice);
        }
      }
      if (row[0].kind == ir::Kind::kNumber) add_number(row[0].number);
    }
  }
  // Beyond 64 bits too: 10^26, a fraction of 2^100, and a third of the largest numerator
  // (whose sums and products overflow), so that every engine takes its 256-bit paths.
  const Int128 e26 = Int128{100'000'000'000'000} * 1'000'000'000'000;
  for (Number n : {Number{0, 1}, Number{-1, 1}, Number{1, 3}, Number{INT64_MAX / 2, 1},
                   Number{-(INT64_MAX / 3), 7}, Number{4992, 1}, Number{826, 1}, Number{e26, 1},
                   Number{-e26 - 1, 3}, Number{Int128{1} << 100, 7},
                   Number{(~(unsigned __int128){0} >> 1) / 3, 1}}) {
    pools.numbers.push_back(n);
  }
  for (const char* code : {"CN", "MO", "US", "DE", "RU", "IR", "AE", "SG", "IN", "KP", "CU"}) {
    pools.countries.push_back(*LookupCountry(code));
  }
  for (int y = 2018; y <= 2027; ++y) pools.dates.push_back(DaysFromCivil(y, 6, 1));
  pools.texts.emplace_back("");
  pools.texts.emplace_back("Example Cloud Ltd.");
  return pools;
}

class Generator {
 public:
  Generator(const ir::Program& program, const Pools& pools, uint64_t seed)
      : program_(program), pools_(pools), rng_(seed) {}

  // What generated requests point into; cleared between requests by the caller.
  struct Storage {
    std::deque<ir::CountrySet> sets;
    std::deque<ir::List> lists;
    std::deque<std::vector<ir::Datum>> items;
    void Clear() {
      sets.clear();
      lists.clear();
      items.clear();
    }
  };

  void Fill(std::vector<ir::Datum>& slots, Storage& storage) {
    slots.assign(program_.slot_count, ir::Datum{});
    // One request in ten is a chain of single elements as deep as a request may nest lists, and
    // a third of those one level deeper (which no decoded request is, but every engine must
    // still fail the same way: Op::kTooDeep).
    chain_ = Chance(1, 10);
    past_bound_ = chain_ && Chance(1, 3);
    if (!program_.schema.empty()) FillRecord(0, slots.data(), storage, 0);
  }

 private:
  // The slots under `node`, into `slots` (the request's, or a list element's); `depth`: the
  // lists around it.
  void FillRecord(uint32_t node_id, ir::Datum* slots, Storage& storage, uint32_t depth) {
    const ir::SchemaNode& node = program_.schema[node_id];
    if (node.slot != ir::kNoId) {
      ir::Datum& d = slots[node.slot];
      if (node.is_record) {
        d = ir::Datum{.kind = ir::Kind::kBool, .present = Chance(4, 5), .bits = 1};
      } else if (node.kind == ir::Kind::kList) {
        d = RandomList(node, storage, depth);
        if (node.optional && Chance(1, 5)) d.present = false;
      } else {
        d = Random(node, storage.sets);
        if (node.optional && Chance(1, 5)) d.present = false;
      }
    }
    for (uint32_t child : node.children) FillRecord(child, slots, storage, depth);
  }

  // Empty lists, short ones, lists at their maximum length, and chains to the depth bound.
  auto RandomList(const ir::SchemaNode& node, Storage& storage, uint32_t depth) -> ir::Datum {
    const ir::ListShape& shape = program_.lists[node.list];
    uint32_t count = 0;
    if (depth >= ir::kMaxListDepth + (past_bound_ ? 1 : 0)) {
      count = 0;
    } else if (chain_) {
      count = 1;
    } else if (depth < 3) {
      int pick = std::uniform_int_distribution<int>(0, 9)(rng_);
      count = pick < 3   ? 0
              : pick < 7 ? static_cast<uint32_t>(1 + pick % 3)
              : pick < 9 ? std::min<uint32_t>(shape.max_length, 4 + pick % 3)
                         : std::min<uint32_t>(shape.max_length, 32);
      if (depth > 0) count = std::min<uint32_t>(count, 3);
    }
    std::vector<ir::Datum>& items = storage.items.emplace_back(size_t{count} * shape.slot_count);
    for (uint32_t i = 0; i < count; ++i) {
      FillRecord(shape.element, items.data() + size_t{i} * shape.slot_count, storage, depth + 1);
    }
    ir::List& list = storage.lists.emplace_back(
        ir::List{.items = items.data(), .count = count, .stride = shape.slot_count});
    return ir::Datum{.kind = ir::Kind::kList, .set = &list};
  }

  bool chain_ = false;
  bool past_bound_ = false;

  auto Chance(int num, int den) -> bool {
    return std::uniform_int_distribution<int>(0, den - 1)(rng_) < num;
  }
  template <typename T>
  auto Pick(const std::vector<T>& v) -> const T& {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }
  auto Random(const ir::SchemaNode& node, std::deque<ir::CountrySet>& sets) -> ir::Datum {
    ir::Datum d{.kind = node.kind};
    switch (node.kind) {
      case ir::Kind::kBool:
        d.bits = Chance(1, 2) ? 1 : 0;
        break;
      case ir::Kind::kNumber:
        d.number = Pick(pools_.numbers);
        if (node.integer && !d.number.is_integer())
          d.number = Number{d.number.num / d.number.den, 1};
        if (node.duration && !d.number.is_integer())
          d.number = Number{d.number.num / d.number.den, 1};
        break;
      case ir::Kind::kDate:
        d.bits = Pick(pools_.dates);
        break;
      case ir::Kind::kCountry:
        d.bits = Pick(pools_.countries);
        break;
      case ir::Kind::kEnum: {
        size_t n = program_.enums[node.enum_id].values.size();
        d.bits = std::uniform_int_distribution<int64_t>(0, static_cast<int64_t>(n) - 1)(rng_);
        break;
      }
      case ir::Kind::kEnumSet: {
        size_t n = program_.enums[node.enum_id].values.size();
        uint64_t mask = n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
        d.bits = static_cast<int64_t>(rng_() & mask);
        break;
      }
      case ir::Kind::kText:
        d.text = Pick(pools_.texts);
        break;
      case ir::Kind::kCountrySet: {
        ir::CountrySet& set = sets.emplace_back();
        for (int i = 0; i < 3; ++i) {
          if (Chance(1, 2)) set.Insert(static_cast<uint32_t>(Pick(pools_.countries)));
        }
        d.set = &set;
        break;
      }
      default:
        d.present = false;  // sets of texts in requests: left absent here
        break;
    }
    return d;
  }

  const ir::Program& program_;
  const Pools& pools_;
  std::mt19937_64 rng_;
};

auto Describe(const ir::Program& program, const interp::Decision& d) -> std::string {
  std::string out = d.error ? "error" : program.outcomes[d.outcome];
  for (const interp::Reason& r : d.reasons) {
    out += fmt::format(" [{} -> {}{}{}]", program.rules[r.rule].name, program.outcomes[r.outcome],
                       r.exception == ir::kNoId ? "" : fmt::format(" unless#{}", r.exception),
                       r.text.empty() ? "" : ": " + r.text);  // a message with holes, filled
  }
  for (const interp::RuleError& e : d.errors) {
    // kNoId: the request itself was refused, before any rule.
    out += fmt::format(" <error {}: {}>",
                       e.rule < program.rules.size() ? program.rules[e.rule].name : "request",
                       e.message);
  }
  return out;
}

auto Run(const std::string& policy, uint64_t seed, uint64_t requests) -> bool {
  ConsoleRenderer renderer(std::cerr);
  DiagnosticEmitter emitter(renderer);
  frontend::SourceStore sources;
  check::CheckOptions options;
  const char* stdlib = std::getenv("CORDON_STDLIB");
  options.module_path.push_back(stdlib != nullptr ? stdlib : CORDON_STDLIB_DIR);
  ErrorOr<std::optional<ir::Program>> checked =
      frontend::CheckFiles({policy}, options, sources, emitter);
  if (!checked.ok() || !*checked || emitter.error_count() > 0) {
    std::cerr << policy << ": does not check\n";
    return false;
  }
  const ir::Program& program = **checked;
  auto interp = runtime::Engine::FromProgram(program, runtime::EngineKind::kInterp);
  // The JIT compiles a policy of several chunks of rules as several modules on several threads
  // (the AOT .so is always one module), so a policy like many_rules covers both.
  auto jit = runtime::Engine::FromProgram(program, runtime::EngineKind::kJit,
                                          {.selector = runtime::JitSelector::kFull, .threads = 3});
  auto fast = runtime::Engine::FromProgram(program, runtime::EngineKind::kJit,
                                           {.selector = runtime::JitSelector::kFast, .threads = 2});
  fs::path so = fs::temp_directory_path() / fmt::format("cordon-differential-{}.so", getpid());
  ErrorOr<codegen::Unit> written = codegen::WriteSharedObject(program, so.string());
  if (!written.ok() || !interp.ok() || !jit.ok() || !fast.ok()) {
    std::cerr << policy << ": cannot build the engines: "
              << (!written.ok() ? written.error().message
                  : !jit.ok()   ? jit.error().message
                  : !fast.ok()  ? fast.error().message
                                : interp.error().message)
              << "\n";
    return false;
  }
  auto aot = runtime::Engine::FromLibrary(so.string(), ir::SchemaHash(program));
  fs::remove(so);
  if (!aot.ok()) {
    std::cerr << policy << ": " << aot.error().message << "\n";
    return false;
  }
  runtime::Session s_interp(**interp);
  runtime::Session s_jit(**jit);
  runtime::Session s_aot(**aot);
  runtime::Session s_fast(**fast);
  // Tables of the interpreter engine, for the pools.
  std::vector<std::unique_ptr<ir::TableData>> tables;
  std::vector<const ir::TableData*> views;
  for (const ir::Table& t : program.tables) {
    tables.push_back(std::make_unique<ir::TableData>(t, t.rows));
    views.push_back(tables.back().get());
  }
  Pools pools = BuildPools(program, views.data());
  Generator generator(program, pools, seed);
  request::Decoder decoder(program);
  std::vector<ir::Datum> slots;
  interp::Decision a;
  interp::Decision b;
  interp::Decision c;
  interp::Decision d;
  uint64_t errors = 0;
  uint64_t fired = 0;
  uint64_t refused = 0;
  int mismatches = 0;
  // A host's struct with a byte changed: the evaluators' own check (CORDON_ABI_BAD_REQUEST) must
  // refuse exactly what the runtime's CheckStruct finds wrong. Pointers and text sizes keep
  // their values: a wrong one is the host's bug, and no check can see it.
  const abi::RequestLayout& layout = (*jit)->layout();
  std::vector<uint32_t> spoilable;
  std::vector<uint32_t> text_pointers;
  for (uint32_t at = 0; at < layout.size; ++at) {
    bool pointer = false;
    for (const abi::SlotLayout& slot : layout.slots) {
      // A list's header is a pointer and a count of what it points to: the host's to get right.
      bool text = slot.kind == ir::Kind::kText || slot.kind == ir::Kind::kTextSet ||
                  slot.kind == ir::Kind::kList;
      if (text && at >= slot.offset && at < slot.offset + abi::SlotSize(slot.kind)) {
        pointer = true;
      }
      if (text && at == slot.offset && slot.kind == ir::Kind::kText) text_pointers.push_back(at);
    }
    if (!pointer) spoilable.push_back(at);
  }
  std::mt19937_64 spoiler(seed * 7919 + 17);
  std::vector<uint64_t> packed((layout.size + 7) / 8 + 1);
  auto* bytes = reinterpret_cast<uint8_t*>(packed.data());
  auto spoil_and_compare = [&](uint64_t i, std::span<const ir::Datum> request, DayNumber as_of,
                               abi::PackArena& arena) {
    arena.Reset();
    abi::PackRequest(layout, request, bytes, &arena);
    int changes = 1 + static_cast<int>(spoiler() % 2);
    for (int k = 0; k < changes && !spoilable.empty(); ++k) {
      uint32_t at = spoilable[spoiler() % spoilable.size()];
      // Small values find the end of an enum; the others, sign bits and stray bits.
      const uint8_t values[] = {0x7f, 0x80, 0xff, static_cast<uint8_t>(spoiler())};
      bytes[at] = spoiler() % 2 == 0 ? static_cast<uint8_t>(spoiler() % 16)
                                     : values[spoiler() % std::size(values)];
    }
    if (!text_pointers.empty() && spoiler() % 8 == 0) {
      std::memset(bytes + text_pointers[spoiler() % text_pointers.size()], 0, 8);
    }
    std::string reference = s_jit.CheckStruct(bytes);
    refused += reference.empty() ? 0 : 1;
    const std::pair<runtime::Session*, const char*> evaluators[] = {
        {&s_jit, "jit"}, {&s_aot, "aot"}, {&s_fast, "fast jit"}, {&s_interp, "interpreter"}};
    for (auto [s, name] : evaluators) {
      s->DecideStruct(bytes, as_of, b);
      bool refusal = b.error && !b.errors.empty() && b.errors[0].rule == ir::kNoId;
      if (refusal != !reference.empty() || (refusal && b.errors[0].message != reference)) {
        if (++mismatches <= 5) {
          std::cerr << fmt::format(
              "{}: seed {} request {}: the {} evaluator {} a spoilt struct, and CheckStruct says "
              "\"{}\"\n",
              policy, seed, i, name, refusal ? "refused" : "accepted", reference);
        }
      }
    }
  };
  // The batch path (runtime::Batch): a window of the same structs, spoilt ones included, back to
  // back, decided by each compiled engine with one thread and with two, must give every request
  // the decision its own DecideStruct gave. Each request of the window keeps its texts and list
  // elements until the window is decided. Large enough for two threads to share it.
  const size_t window = 2 * 2048 + 1;
  struct alignas(16) Block {  // the strictest alignment a request struct has (__int128)
    uint8_t bytes[16];
  };
  std::vector<Block> structs((layout.size * window + 15) / 16);
  std::vector<Generator::Storage> storages(window);
  std::vector<abi::PackArena> arenas(window);
  std::vector<std::string> expected(window);
  size_t held = 0;
  runtime::Batch batch_jit(**jit);
  runtime::Batch batch_aot(**aot);
  interp::Decision single;
  auto decide_window = [&] {
    for (auto [batch, name] : {std::pair{&batch_jit, "jit"}, std::pair{&batch_aot, "aot"}}) {
      for (uint32_t threads : {1u, 2u}) {
        batch->DecideStructs(structs.data(), held, threads);
        for (size_t k = 0; k < held; ++k) {
          std::string got = Describe(program, (*batch)[k].decision);
          if (got != expected[k] && ++mismatches <= 5) {
            std::cerr << fmt::format(
                "{}: seed {}: the {} batch ({} thread{}) decided its request {} otherwise than "
                "DecideStruct\n  batch:  {}\n  single: {}\n",
                policy, seed, name, threads, threads == 1 ? "" : "s", k, got, expected[k]);
          }
        }
      }
    }
    held = 0;
  };
  for (uint64_t i = 0; i < requests; ++i) {
    Generator::Storage& storage = storages[held];
    storage.Clear();
    generator.Fill(slots, storage);
    DayNumber as_of = program.as_of_slot != ir::kNoId && slots[program.as_of_slot].present
                          ? static_cast<DayNumber>(slots[program.as_of_slot].bits)
                          : DaysFromCivil(2024, 6, 1);
    s_interp.Decide(slots, as_of, a);
    s_jit.Decide(slots, as_of, b);
    s_aot.Decide(slots, as_of, c);
    s_fast.Decide(slots, as_of, d);
    std::string da = Describe(program, a);
    std::string db = Describe(program, b);
    std::string dc = Describe(program, c);
    std::string dd = Describe(program, d);
    errors += a.error ? 1 : 0;
    fired += a.reasons.empty() ? 0 : 1;
    if (da != db || da != dc || da != dd) {
      if (++mismatches <= 5) {
        std::string request;
        for (size_t s = 0; s < slots.size(); ++s) {
          request += fmt::format("  slot {}: {}\n", s,
                                 slots[s].present ? ir::FormatDatum(program, slots[s]) : "none");
        }
        std::cerr << fmt::format(
            "{}: seed {} request {}: engines disagree\n  interp:   {}\n  jit:      {}\n  aot:      "
            "{}\n  fast jit: {}\n{}",
            policy, seed, i, da, db, dc, dd, request);
      }
    }
    uint8_t* entry = structs.data()->bytes + held * layout.size;
    if (i % 4 == 0) {
      spoil_and_compare(i, slots, as_of, arenas[held]);
      std::memcpy(entry, bytes, layout.size);
    } else {
      arenas[held].Reset();
      abi::PackRequest(layout, slots, entry, &arenas[held]);
    }
    s_jit.DecideStruct(entry, (*jit)->StructDay(entry), single);
    expected[held] = Describe(program, single);
    // The interpreter reads the same struct (UnpackRequest) and must decide it the same way.
    s_interp.DecideStruct(entry, (*interp)->StructDay(entry), single);
    if (std::string got = Describe(program, single); got != expected[held] && ++mismatches <= 5) {
      std::cerr << fmt::format(
          "{}: seed {} request {}: the interpreter decided the struct otherwise than the JIT\n"
          "  interpreter: {}\n  jit:         {}\n",
          policy, seed, i, got, expected[held]);
    }
    if (++held == window) decide_window();
  }
  decide_window();
  // Malformed JSON: every engine shares the decoder, so a request that fails to decode fails
  // the same way for all; check that it fails closed with a message.
  std::vector<std::string> problems;
  for (const char* bad : {"", "{", "[]", "{\"as_of\": 5}", "{\"unknown\": true}", "null",
                          "{\"as_of\": \"2024-02-30\"}"}) {
    if (decoder.Decode(bad, slots, problems) || problems.empty()) {
      std::cerr << policy << ": malformed request `" << bad << "` was accepted\n";
      ++mismatches;
    }
  }
  std::cout << fmt::format(
      "{}: seed {}: {} requests, {} with fired rules, {} errors, {} spoilt structs refused, {} "
      "disagreements\n",
      policy, seed, requests, fired, errors, refused, mismatches);
  return mismatches == 0;
}

}  // namespace
}  // namespace cordon

auto main(int argc, char** argv) -> int {
  uint64_t seed = 1;
  uint64_t requests = 10000;
  std::vector<std::string> policies;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--requests" && i + 1 < argc) {
      requests = std::strtoull(argv[++i], nullptr, 10);
    } else {
      policies.push_back(arg);
    }
  }
  bool ok = true;
  for (const std::string& policy : policies) ok = cordon::Run(policy, seed, requests) && ok;
  return ok ? 0 : 1;
}
