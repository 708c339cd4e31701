// SPDX-License-Identifier: Apache-2.0
// Screening against an independent baseline (issue 28): the policy bench/screening/screen.cordon
// decided by the reference interpreter, the JIT and the AOT .so, next to the same four rules in
// plain C++ (bench/plain_screener.*: a one-pass name key, a std::unordered_set, `if`s, first
// match wins), written without Cordon's runtime, on a fixed mix of 4,096 requests
// (bench/screen_workload.*) against lists of 1,000, 10,000 and 100,000 names. ear_bench's
// hand-written baseline was tuned next to Cordon and shares its NormalizeName; this one shares
// nothing, so its ratios hold for a reader who distrusts that baseline. Ratios within one run are
// the claim; the policy evaluates every rule and the plain code stops at the first match, as each
// would be written.
//
// Before any figure is reported for a list size, every request of its mix is decided by the
// plain screener and by the interpreter, and the run aborts, printing the first request on which
// they differ, unless both give the same outcome for every request. The compiled engines are held
// to the same outcomes before they are timed. The list of each size is written to a CSV file in
// a temporary directory and swapped into each engine's `extern table listed` from that file.
//
// BM_ScreenBuilder times a host's way in through the C API: libcordon.so (opened with dlopen,
// as bench/open_first.c does, since the bench links the runtime's parts and not the library),
// an AOT engine on the policy compiled to a .so, each request built with cordon_request_set_text
// and decided by cordon_decide; BM_ScreenAotCApi is cordon_decide_struct on that same engine.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "bench/plain_screener.h"
#include "bench/screen_workload.h"
#include "compiler/frontend/frontend.h"
#include "runtime/abi/compiler_abi.h"
#include "runtime/abi/layout.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/batch.h"
#include "runtime/engine/compiler_link.h"
#include "runtime/engine/engine.h"
#include "runtime/include/cordon/cordon.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/serialize.h"
#include "runtime/request/request.h"

namespace cordon::screen_bench {
namespace {

constexpr const char* kPolicy = CORDON_SOURCE_DIR "/bench/screening/screen.cordon";
constexpr const char* kEntities = CORDON_SOURCE_DIR "/stdlib/ear/entities.csv";
constexpr uint64_t kSeed = 20261208;
constexpr size_t kMix = kMixSize;

// Where the lists are written, once made; removed when the run ends.
auto TempDirPath() -> std::string& {
  static std::string dir;
  return dir;
}

void RemoveTempDir() {
  if (const std::string& dir = TempDirPath(); !dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

[[noreturn]] void Die(const std::string& message) {
  fmt::print(stderr, "screen_bench: {}\n", message);
  RemoveTempDir();
  std::abort();
}

auto ReadFile(const std::string& path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(fmt::format("cannot read {}", path));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) Die(fmt::format("cannot write {}", path));
}

auto TempDir() -> const std::string& {
  std::string& dir = TempDirPath();
  if (dir.empty()) {
    std::string pattern = std::filesystem::temp_directory_path() / "screen_bench.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) Die("cannot make a temporary directory");
    dir = pattern;
  }
  return dir;
}

auto TheProgram() -> const ir::Program& {
  static frontend::SourceStore sources;
  static const ir::Program program = [] {
    CollectingConsumer consumer;
    DiagnosticEmitter emitter(consumer);
    check::CheckOptions options;
    auto result = frontend::CheckFiles({kPolicy}, options, sources, emitter);
    if (!result.ok() || !result->has_value()) {
      if (!result.ok()) fmt::print(stderr, "{}\n", result.error().message);
      for (const Diagnostic& d : consumer.diagnostics) fmt::print(stderr, "{}", RenderToString(d));
      Die("the screening policy does not check");
    }
    return std::move(**result);
  }();
  return program;
}

// The plain outcome of each of the policy's outcomes, by name: the policy must have exactly the
// three the plain screener knows.
auto OutcomeMap() -> const std::vector<Outcome>& {
  static const std::vector<Outcome> map = [] {
    const ir::Program& p = TheProgram();
    const std::vector<std::string> lattice = {"prohibited", "license_required",
                                              "no_license_required"};
    if (p.outcomes != lattice) {
      Die(fmt::format("the policy's outcomes are {}, not the {} of the plain screener",
                      fmt::join(p.outcomes, " > "), fmt::join(lattice, " > ")));
    }
    return std::vector<Outcome>{Outcome::kProhibited, Outcome::kLicenseRequired,
                                Outcome::kNoLicenseRequired};
  }();
  return map;
}

auto Describe(const interp::Decision& d) -> std::string {
  if (d.error) return "error";
  return OutcomeName(OutcomeMap().at(d.outcome));
}

auto Agrees(const interp::Decision& d, Outcome plain) -> bool {
  return !d.error && OutcomeMap().at(d.outcome) == plain;
}

// The slot of a top-level text field of the request.
auto TextSlot(const ir::Program& p, std::string_view field) -> ir::SlotId {
  for (uint32_t child : p.schema.at(0).children) {
    const ir::SchemaNode& node = p.schema[child];
    if (node.name == field && !node.is_record && node.kind == ir::Kind::kText) return node.slot;
  }
  Die(fmt::format("the policy's request has no text field `{}`", field));
}

auto JsonString(std::string_view s) -> std::string {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

auto ToJson(const WorkloadRequest& q) -> std::string {
  return fmt::format(R"({{"destination": "{}", "end_user": {}, "item_class": {}}})", q.destination,
                     JsonString(q.end_user), JsonString(q.item_class));
}

auto KindName(NameKind kind) -> const char* {
  switch (kind) {
    case NameKind::kListedVariant:
      return "listed, respelt";
    case NameKind::kDecoy:
      return "decoy";
    case NameKind::kClean:
      return "clean";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Engines: one per kind, built once; each holds the list of the size last asked for.

struct EngineSlot {
  std::unique_ptr<runtime::Engine> engine;
  size_t rows = 0;  // names in the table now; 0: listed.csv's own
  std::string error;
};

auto EngineWithList(runtime::EngineKind kind, size_t rows, const std::string& csv_path)
    -> runtime::Engine& {
  static std::array<EngineSlot, 3> slots;
  EngineSlot& slot = slots[static_cast<size_t>(kind)];
  if (slot.engine == nullptr) {
    auto engine = runtime::Engine::FromProgram(TheProgram(), kind);
    if (!engine.ok()) {
      Die(fmt::format("{} engine: {}", runtime::EngineKindName(kind), engine.error().message));
    }
    slot.engine = std::move(*engine);
  }
  if (slot.rows != rows) {
    if (auto failed = slot.engine->SwapTableFile("listed", csv_path)) {
      Die(fmt::format("{} engine, {}: {}", runtime::EngineKindName(kind), csv_path,
                      failed->message));
    }
    slot.rows = rows;
  }
  return *slot.engine;
}

// ---------------------------------------------------------------------------------------------
// One list size: the names, the mix for both sides, and the plain screener's outcomes, which
// the interpreter has been checked to give too.

struct Mix {
  size_t rows;
  std::vector<std::string> listed;
  std::string csv_path;
  std::unique_ptr<PlainScreener> plain;
  std::vector<WorkloadRequest> generated;
  std::vector<std::string> json;              // for messages
  std::vector<ScreenRequest> requests;        // the plain screener's
  std::vector<std::vector<ir::Datum>> slots;  // the engines', with texts pointing into `generated`
  std::vector<Outcome> expected;

  explicit Mix(size_t n) : rows(n) {
    std::vector<std::string> real;
    for (auto& row : ParseCsv(ReadFile(kEntities))) real.push_back(row.at(0));
    real.erase(real.begin());  // the header
    listed = MakeListedNames(n, real);
    csv_path = fmt::format("{}/listed_{}.csv", TempDir(), n);
    WriteFile(csv_path, ListedCsv(listed));
    plain = std::make_unique<PlainScreener>(listed);
    if (plain->listed_keys() != n) Die("two listed names share a key");
    generated = MakeRequests(listed, kSeed + n);

    const ir::Program& program = TheProgram();
    const ir::SlotId end_user = TextSlot(program, "end_user");
    const ir::SlotId item_class = TextSlot(program, "item_class");
    request::Decoder decoder(program);
    std::vector<std::string> problems;
    for (const WorkloadRequest& q : generated) {
      requests.push_back({q.end_user, q.destination, q.item_class});
      json.push_back(ToJson(q));
      std::vector<ir::Datum> s;
      if (!decoder.Decode(json.back(), s, problems)) {
        Die(fmt::format("a generated request is malformed:\n{}\n{}", json.back(),
                        fmt::join(problems, "\n")));
      }
      // The same bytes at the same addresses as the plain screener reads (the decoder's own
      // are overwritten by the next request).
      s[end_user].text = q.end_user;
      s[item_class].text = q.item_class;
      slots.push_back(std::move(s));
      expected.push_back(plain->Decide(requests.back()));
    }
    CheckInterpreter();
  }

  // The precondition of every figure: the interpreter and the plain screener agree.
  void CheckInterpreter() {
    runtime::Engine& engine = EngineWithList(runtime::EngineKind::kInterp, rows, csv_path);
    runtime::Session session(engine);
    interp::Decision decision;
    std::array<size_t, 3> outcomes{};
    std::array<size_t, 3> kinds{}, kinds_listed{};
    for (size_t i = 0; i < kMix; ++i) {
      session.Decide(slots[i], engine.DefaultDay(), decision);
      if (!Agrees(decision, expected[i])) {
        Die(fmt::format(
            "{}-name list: the plain screener and the interpreter disagree on request {} ({}):\n"
            "  {}\n  plain screener: {}\n  interpreter:    {}\nno figures are reported",
            rows, i, KindName(generated[i].kind), json[i], OutcomeName(expected[i]),
            Describe(decision)));
      }
      ++outcomes[static_cast<size_t>(expected[i])];
      const auto k = static_cast<size_t>(generated[i].kind);
      ++kinds[k];
      if (plain->IsListed(generated[i].end_user)) ++kinds_listed[k];
    }
    fmt::print(stderr,
               "screen_bench: {}-name list: the plain screener and the interpreter agree on all "
               "{} requests ({} prohibited, {} license_required, {} no_license_required)\n"
               "  end users: {} listed names respelt ({} match), {} decoys ({} "
               "match), {} clean names ({} match)\n",
               rows, kMix, outcomes[static_cast<size_t>(Outcome::kProhibited)],
               outcomes[static_cast<size_t>(Outcome::kLicenseRequired)],
               outcomes[static_cast<size_t>(Outcome::kNoLicenseRequired)], kinds[0],
               kinds_listed[0], kinds[1], kinds_listed[1], kinds[2], kinds_listed[2]);
  }
};

auto TheMix(int64_t rows) -> Mix& {
  static std::map<int64_t, std::unique_ptr<Mix>> mixes;
  std::unique_ptr<Mix>& mix = mixes[rows];
  if (mix == nullptr) mix = std::make_unique<Mix>(static_cast<size_t>(rows));
  return *mix;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks. Each iteration decides one request of the mix, in order, so every figure is a
// time per decision over the same 4,096 requests.

// The plain screener, its name key made for every request.
void BM_ScreenPlain(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  PlainScreener& screener = *mix.plain;
  size_t i = 0;
  for (auto _ : state) {
    Outcome outcome = screener.Decide(mix.requests[i++ & (kMix - 1)]);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
}

// The interpreter, on the decoded request slots.
void BM_ScreenInterp(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  runtime::Engine& engine = EngineWithList(runtime::EngineKind::kInterp, mix.rows, mix.csv_path);
  runtime::Session session(engine);
  const DayNumber day = engine.DefaultDay();
  interp::Decision decision;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kMix - 1);
    session.Decide(mix.slots[k], day, decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}

// The compiled engines, on requests packed once in the generated request struct, as a host
// filling that struct from its own data would call them (cordon_decide_struct).
void CompiledBench(benchmark::State& state, runtime::EngineKind kind) {
  Mix& mix = TheMix(state.range(0));
  runtime::Engine& engine = EngineWithList(kind, mix.rows, mix.csv_path);
  runtime::Session session(engine);
  const DayNumber day = engine.DefaultDay();
  const abi::RequestLayout& layout = engine.layout();
  const size_t words = (layout.size + 7) / 8;
  std::vector<uint64_t> buffer(words * kMix);
  std::vector<const uint64_t*> packed;
  for (size_t k = 0; k < kMix; ++k) {
    abi::PackRequest(layout, mix.slots[k], reinterpret_cast<uint8_t*>(&buffer[k * words]));
    packed.push_back(&buffer[k * words]);
  }
  interp::Decision decision;
  for (size_t k = 0; k < kMix; ++k) {
    session.DecideStruct(packed[k], day, decision);
    if (!Agrees(decision, mix.expected[k])) {
      Die(fmt::format(
          "{}-name list: the {} engine and the plain screener disagree on request {}:\n  {}\n"
          "  plain screener: {}\n  {}: {}\nno figures are reported",
          mix.rows, runtime::EngineKindName(kind), k, mix.json[k], OutcomeName(mix.expected[k]),
          runtime::EngineKindName(kind), Describe(decision)));
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kMix - 1);
    session.DecideStruct(packed[k], day, decision);
    benchmark::DoNotOptimize(decision.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_ScreenAot(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kAot); }
void BM_ScreenJit(benchmark::State& state) { CompiledBench(state, runtime::EngineKind::kJit); }

// The batch API (cordon_decide_batch) on the AOT engine: the whole mix, back to back, in one
// call per iteration, with state.range(1) threads. "per_decision" is the wall time of one
// decision (a batch's time over its requests), comparable with the single-request figures.
void BM_ScreenBatchAot(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  const auto threads = static_cast<uint32_t>(state.range(1));
  runtime::Engine& engine = EngineWithList(runtime::EngineKind::kAot, mix.rows, mix.csv_path);
  const abi::RequestLayout& layout = engine.layout();
  struct alignas(16) Block {
    uint8_t bytes[16];
  };
  std::vector<Block> buffer((layout.size * kMix + 15) / 16);
  uint8_t* structs = buffer.data()->bytes;
  for (size_t k = 0; k < kMix; ++k) {
    abi::PackRequest(layout, mix.slots[k], structs + k * layout.size);
  }
  runtime::Batch batch(engine);
  batch.DecideStructs(structs, kMix, threads);
  for (size_t k = 0; k < kMix; ++k) {
    if (!Agrees(batch[k].decision, mix.expected[k])) {
      Die(fmt::format(
          "{}-name list: the AOT batch and the plain screener disagree on request {}:\n  {}\n"
          "  plain screener: {}\n  batch: {}\nno figures are reported",
          mix.rows, k, mix.json[k], OutcomeName(mix.expected[k]), Describe(batch[k].decision)));
    }
  }
  for (auto _ : state) {
    batch.DecideStructs(structs, kMix, threads);
    benchmark::DoNotOptimize(batch[kMix - 1].decision.outcome);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMix));
  state.counters["per_decision"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kMix),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// ---------------------------------------------------------------------------------------------
// The C API, from libcordon.so: $CORDON_LIBCORDON, else ../lib/libcordon.so beside this binary.

#define CORDON_BENCH_FUNCTIONS(X)  \
  X(cordon_config_init)            \
  X(cordon_engine_open)            \
  X(cordon_engine_swap_table_file) \
  X(cordon_error_message)          \
  X(cordon_session_open)           \
  X(cordon_request_new)            \
  X(cordon_request_clear)          \
  X(cordon_request_set_text)       \
  X(cordon_decision_new)           \
  X(cordon_decide)                 \
  X(cordon_decide_struct)          \
  X(cordon_decision_outcome_id)

struct CApi {
#define CORDON_BENCH_MEMBER(name) decltype(&::name) name = nullptr;
  CORDON_BENCH_FUNCTIONS(CORDON_BENCH_MEMBER)
#undef CORDON_BENCH_MEMBER

  cordon_engine* engine = nullptr;
  cordon_session* session = nullptr;
  cordon_request* request = nullptr;
  cordon_decision* decision = nullptr;
  size_t rows = 0;  // names in the engine's table now; 0: listed.csv's own

  // Dies with the C API's message unless `status` is CORDON_OK.
  void Check(cordon_status status, cordon_error* error, std::string_view what) const {
    if (status == CORDON_OK) return;
    cordon_string message = cordon_error_message(error);
    Die(fmt::format("{}: {}", what, std::string_view(message.data, message.size)));
  }
};

auto LibcordonPath() -> std::string {
  if (const char* env = std::getenv("CORDON_LIBCORDON"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) Die("cannot find this binary's directory: set CORDON_LIBCORDON");
  return (self.parent_path().parent_path() / "lib" / "libcordon.so").string();
}

// The policy compiled to a .so by the compiler linked into this bench, as `cordon compile -o`
// writes it.
auto PolicyLibrary() -> std::string {
  std::string path = TempDir() + "/screen.so";
  ErrorOr<const cordon_compiler_api*> api = runtime::LinkCompiler();
  if (!api.ok()) Die(api.error().message);
  std::vector<uint8_t> bytes = ir::Serialize(TheProgram());
  cordon_compiler_bytes message{};
  if ((*api)->write_shared_object(bytes.data(), bytes.size(), path.c_str(), &message) !=
      CORDON_COMPILER_OK) {
    std::string text(reinterpret_cast<const char*>(message.data), message.size);
    (*api)->bytes_free(&message);
    Die(fmt::format("cannot compile the policy to {}: {}", path, text));
  }
  return path;
}

// The C API with an AOT engine, a session, a request and a decision; its list is the mix's.
auto CApiWithList(const Mix& mix) -> CApi& {
  static CApi api = [] {
    CApi c;
    std::string path = LibcordonPath();
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) Die(fmt::format("cannot open libcordon: {}", dlerror()));
#define CORDON_BENCH_LOAD(name)                                    \
  c.name = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name)); \
  if (c.name == nullptr) Die(fmt::format("{} has no {}", path, #name));
    CORDON_BENCH_FUNCTIONS(CORDON_BENCH_LOAD)
#undef CORDON_BENCH_LOAD
    std::string library = PolicyLibrary();
    cordon_config config;
    c.cordon_config_init(&config);
    config.kind = CORDON_ENGINE_AOT;
    config.library = cordon_string{library.data(), library.size()};
    config.embedded_tables = 1;
    cordon_error* error = nullptr;
    c.Check(c.cordon_engine_open(&config, &c.engine, &error), error, library);
    c.Check(c.cordon_session_open(c.engine, &c.session, &error), error, "a session");
    c.Check(c.cordon_request_new(c.engine, &c.request, &error), error, "a request");
    c.Check(c.cordon_decision_new(&c.decision, &error), error, "a decision");
    return c;
  }();
  if (api.rows != mix.rows) {
    cordon_error* error = nullptr;
    api.Check(api.cordon_engine_swap_table_file(
                  api.engine, cordon_string{"listed", 6},
                  cordon_string{mix.csv_path.data(), mix.csv_path.size()}, &error),
              error, mix.csv_path);
    api.rows = mix.rows;
  }
  return api;
}

auto Str(std::string_view s) -> cordon_string { return cordon_string{s.data(), s.size()}; }

// A request of the mix built field by field and decided, as a host holding its own data would:
// every field set again for each request.
auto BuildAndDecide(CApi& c, const WorkloadRequest& q) -> cordon_status {
  c.cordon_request_clear(c.request);
  cordon_status status =
      c.cordon_request_set_text(c.request, Str("destination"), Str(q.destination), nullptr);
  if (status == CORDON_OK) {
    status = c.cordon_request_set_text(c.request, Str("end_user"), Str(q.end_user), nullptr);
  }
  if (status == CORDON_OK) {
    status = c.cordon_request_set_text(c.request, Str("item_class"), Str(q.item_class), nullptr);
  }
  if (status == CORDON_OK) status = c.cordon_decide(c.session, c.request, 0, c.decision, nullptr);
  return status;
}

auto CApiAgrees(const CApi& c, cordon_status status, Outcome plain) -> bool {
  uint32_t id = c.cordon_decision_outcome_id(c.decision);
  return status == CORDON_OK && id < OutcomeMap().size() && OutcomeMap()[id] == plain;
}

// The C API's request builder (cordon_request_clear, cordon_request_set_text for each of the
// three fields, cordon_decide) on an AOT engine: a host that has no generated header.
void BM_ScreenBuilder(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  CApi& c = CApiWithList(mix);
  for (size_t k = 0; k < kMix; ++k) {
    if (!CApiAgrees(c, BuildAndDecide(c, mix.generated[k]), mix.expected[k])) {
      Die(
          fmt::format("{}-name list: a request built through the C API and the plain screener "
                      "disagree on request {}:\n  {}\n  plain screener: {}\nno figures are "
                      "reported",
                      mix.rows, k, mix.json[k], OutcomeName(mix.expected[k])));
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    cordon_status status = BuildAndDecide(c, mix.generated[i++ & (kMix - 1)]);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

// cordon_decide_struct on the engine BM_ScreenBuilder uses, on structs packed once: the struct
// path through the C API, which BM_ScreenAot takes without it.
void BM_ScreenAotCApi(benchmark::State& state) {
  Mix& mix = TheMix(state.range(0));
  CApi& c = CApiWithList(mix);
  const abi::RequestLayout& layout =
      EngineWithList(runtime::EngineKind::kAot, mix.rows, mix.csv_path).layout();
  const size_t words = (layout.size + 7) / 8;
  std::vector<uint64_t> buffer(words * kMix);
  for (size_t k = 0; k < kMix; ++k) {
    abi::PackRequest(layout, mix.slots[k], reinterpret_cast<uint8_t*>(&buffer[k * words]));
    cordon_status status =
        c.cordon_decide_struct(c.session, &buffer[k * words], layout.size, c.decision, nullptr);
    if (!CApiAgrees(c, status, mix.expected[k])) {
      Die(
          fmt::format("{}-name list: cordon_decide_struct and the plain screener disagree on "
                      "request {}:\n  {}\n  plain screener: {}\nno figures are reported",
                      mix.rows, k, mix.json[k], OutcomeName(mix.expected[k])));
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kMix - 1);
    cordon_status status =
        c.cordon_decide_struct(c.session, &buffer[k * words], layout.size, c.decision, nullptr);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

// The argument is the number of listed names.
BENCHMARK(BM_ScreenPlain)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenAot)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenAotCApi)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenBuilder)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenJit)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenInterp)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_ScreenBatchAot)
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({100000, 1})
    ->Args({1000, 2})
    ->Args({10000, 2})
    ->Args({100000, 2})
    ->UseRealTime();

}  // namespace
}  // namespace cordon::screen_bench

// BENCHMARK_MAIN, and the temporary lists removed afterwards.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  cordon::screen_bench::RemoveTempDir();
  return 0;
}
