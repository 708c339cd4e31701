// SPDX-License-Identifier: Apache-2.0
// The reference interpreter, end to end: rule text -> check -> IR -> JSON request -> decision.
// Boundaries of the law, the outcome lattice, effective dates, fail-closed requests and the
// no-allocation promise of the decide path.
#include "runtime/interp/interp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>

#include "compiler/frontend/frontend.h"
#include "runtime/request/request.h"

// Counts allocations while `g_counting` is set (for the warm-up test below). GCC pairs the
// replaced operators by name and cannot see that they are a malloc/free pair by design.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

auto operator new(size_t size) -> void* {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The nothrow forms too: otherwise a sanitizer's own nothrow new (std::stable_sort's buffer)
// would be freed by the free() above.
auto operator new(size_t size, const std::nothrow_t&) noexcept -> void* {
  if (g_counting) ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace cordon::interp {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr const char* kPolicy = R"cordon(
unit mm2
unit h
unit day = 24 h
outcomes prohibited > license_required > report > no_license_required

input Item { tpp: number  die_area: number mm2  datacenter: bool }
input Request {
  as_of: date
  item: Item
  destination: country
  parent_hq: country?
  rental: number day
  divisor: int
}

let density(i: Item): number / mm2 = i.tpp / i.die_area

rule tpp_threshold
  cites "15 CFR 742.6(a)(6)(iii)"
  effective 2023-11-17
  until 2025-01-15
  when request.item.tpp >= 4800 and request.destination in {CN, MO}
  then license_required "3A090.a.1"
  unless not request.item.datacenter then report "consumer item"

rule density_threshold
  effective 2023-11-17
  when request.item.tpp >= 1600 and density(request.item) >= 5.92 / mm2
  then report "3A090.a.2 density"

rule parent_in_macau
  when request.parent_hq is some p and p == MO
  then prohibited "parent headquartered in Macau"

rule long_rental
  when request.rental >= 72 h
  then report "rental of three days or more"

rule ratio
  when request.divisor != 0 and 10 / request.divisor > 1 or request.divisor == -1 and 1 / (request.divisor + 1) > 0
  then report "ratio"
)cordon";

class InterpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cordon_interp_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "policy.cordon") << PolicyText();
    CollectingConsumer consumer;
    DiagnosticEmitter emitter(consumer);
    auto result = frontend::CheckFiles({(dir_ / "policy.cordon").string()}, {}, sources_, emitter);
    ASSERT_TRUE(result.ok());
    for (const Diagnostic& d : consumer.diagnostics) ADD_FAILURE() << RenderToString(d);
    ASSERT_TRUE(result->has_value());
    program_ = std::make_unique<ir::Program>(std::move(**result));
    interpreter_ = std::make_unique<Interpreter>(*program_);
    decoder_ = std::make_unique<request::Decoder>(*program_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  virtual auto PolicyText() -> std::string { return kPolicy; }

  // Decides a request; returns the decision name and fills `fired` with rule names.
  auto Decide(const std::string& json, std::vector<std::string>* fired = nullptr) -> std::string {
    if (!decoder_->Decode(json, slots_, problems_)) return "malformed";
    interpreter_->Decide(slots_, static_cast<DayNumber>(slots_[program_->as_of_slot].bits),
                         decision_);
    if (fired != nullptr) {
      fired->clear();
      for (const Reason& r : decision_.reasons) fired->push_back(program_->rules[r.rule].name);
    }
    return std::string(interpreter_->DecisionName(decision_));
  }

  static auto Request(const std::string& as_of, const std::string& tpp, const std::string& die_area,
                      const std::string& extra = "") -> std::string {
    return R"({"as_of": ")" + as_of + R"(", "item": {"tpp": )" + tpp + R"(, "die_area": )" +
           die_area + R"(, "datacenter": true}, "destination": "CN", "rental": 0, "divisor": 100)" +
           extra + "}";
  }

  std::filesystem::path dir_;
  frontend::SourceStore sources_;
  std::unique_ptr<ir::Program> program_;
  std::unique_ptr<Interpreter> interpreter_;
  std::unique_ptr<request::Decoder> decoder_;
  std::vector<ir::Datum> slots_;
  std::vector<std::string> problems_;
  Decision decision_;
};

TEST_F(InterpTest, TppBoundaryIsInclusive) {
  std::vector<std::string> fired;
  EXPECT_EQ(Decide(Request("2024-01-01", "4800", "10000"), &fired), "license_required");
  EXPECT_THAT(fired, ElementsAre("tpp_threshold"));
  EXPECT_EQ(Decide(Request("2024-01-01", "4799.999", "10000")), "no_license_required");
}

TEST_F(InterpTest, DensityBoundaryIsExact) {
  // 4736 / 800 = 5.92 exactly; in binary floating point the quotient exceeds 5.92 while 4735
  // falls below it, and a rounding error could flip either.
  std::vector<std::string> fired;
  EXPECT_EQ(Decide(Request("2024-01-01", "4736", "800"), &fired), "report");
  EXPECT_THAT(fired, ElementsAre("density_threshold"));
  EXPECT_EQ(Decide(Request("2024-01-01", "4735", "800")), "no_license_required");
  EXPECT_EQ(Decide(Request("2024-01-01", "1600", "270.28")), "no_license_required");
  EXPECT_EQ(Decide(Request("2024-01-01", "1600", "270.27")), "report");
}

TEST_F(InterpTest, EffectiveIsInclusiveAndUntilExclusive) {
  EXPECT_EQ(Decide(Request("2023-11-16", "5000", "10000")), "no_license_required");
  EXPECT_EQ(Decide(Request("2023-11-17", "5000", "10000")), "license_required");
  EXPECT_EQ(Decide(Request("2025-01-14", "5000", "10000")), "license_required");
  EXPECT_EQ(Decide(Request("2025-01-15", "5000", "10000")), "no_license_required");
}

TEST_F(InterpTest, HighestOutcomeWinsAndUnlessReplaces) {
  std::vector<std::string> fired;
  EXPECT_EQ(Decide(Request("2024-01-01", "5000", "800", R"(, "parent_hq": "MO")"), &fired),
            "prohibited");
  EXPECT_THAT(fired, ElementsAre("tpp_threshold", "density_threshold", "parent_in_macau"));
  std::string consumer = R"({"as_of": "2024-01-01", "item": {"tpp": 5000, "die_area": 10000,
    "datacenter": false}, "destination": "MO", "rental": 0, "divisor": 100})";
  EXPECT_EQ(Decide(consumer, &fired), "report");
  ASSERT_EQ(decision_.reasons.size(), 1u);
  EXPECT_EQ(decision_.reasons[0].exception, 0u);
}

TEST_F(InterpTest, UnitsConvertExactlyFromJson) {
  // `rental` is declared in days, so JSON 3 means 72 h; 2.99 days is just under.
  EXPECT_EQ(Decide(R"({"as_of": "2024-01-01", "item": {"tpp": 0, "die_area": 1,
    "datacenter": true}, "destination": "CN", "rental": 3, "divisor": 100})"),
            "report");
  EXPECT_EQ(Decide(R"({"as_of": "2024-01-01", "item": {"tpp": 0, "die_area": 1,
    "datacenter": true}, "destination": "CN", "rental": 2.99, "divisor": 100})"),
            "no_license_required");
}

TEST_F(InterpTest, RunTimeErrorsFailClosed) {
  // 1 / (divisor + 1) with divisor = -1 divides by zero: the decision is `error`, never a quiet
  // "no license required".
  std::string json = R"({"as_of": "2024-01-01", "item": {"tpp": 0, "die_area": 1,
    "datacenter": true}, "destination": "US", "rental": 0, "divisor": -1})";
  EXPECT_EQ(Decide(json), "error");
  ASSERT_EQ(decision_.errors.size(), 1u);
  EXPECT_THAT(decision_.errors[0].message, HasSubstr("division by zero"));
}

TEST_F(InterpTest, MalformedRequestsListEveryProblem) {
  std::string json = R"({"as_of": "2024-13-01", "item": {"tpp": "abc", "die_area": 1,
    "datacenter": true}, "destination": "UK", "parent_hq": null, "rental": 0, "divisor": 1.5,
    "destinaton": "CN"})";
  EXPECT_EQ(Decide(json), "malformed");
  EXPECT_THAT(problems_,
              ElementsAre(HasSubstr("$.as_of: expected a date"),
                          "$.item.tpp: expected a number, got \"abc\"",
                          HasSubstr("$.destination: \"UK\" is not an ISO 3166-1"),
                          "$.divisor: expected a whole number, got 1.5",
                          "$.destinaton: unknown field (did you mean \"destination\"?)"));
  EXPECT_EQ(Decide(R"({"as_of": "2024-01-01"})"), "malformed");
  EXPECT_THAT(problems_, ElementsAre(HasSubstr("$.item: missing"), HasSubstr("$.destination"),
                                     HasSubstr("$.rental"), HasSubstr("$.divisor")));
  EXPECT_EQ(Decide("[1, 2]"), "malformed");
  EXPECT_EQ(Decide("{"), "malformed");
}

TEST_F(InterpTest, NoAllocationPerDecisionAfterWarmUp) {
  std::string json = Request("2024-01-01", "5000", "800", R"(, "parent_hq": "MO")");
  ASSERT_EQ(Decide(json), "prohibited");  // warm-up
  ASSERT_TRUE(decoder_->Decode(json, slots_, problems_));
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 1000; ++i) interpreter_->Decide(slots_, 19700, decision_);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
}

// Chains of `or` and `and` longer than the interpreter flattens into one node (64 operands)
// keep binary nodes past that: the same decisions, and a failure anywhere in the chain still
// fails the rule.
class InterpChainTest : public InterpTest {
 protected:
  auto PolicyText() -> std::string override {
    std::string any;
    std::string all;
    for (int k = 0; k < 100; ++k) {
      any += (k == 0 ? "" : " or ") + std::string("request.divisor == ") + std::to_string(200 + k);
      all += (k == 0 ? "" : " and ") + std::string("request.divisor != ") + std::to_string(200 + k);
    }
    // Past the 100 comparisons: a division by zero when the divisor is 310.
    any += " or 1 / (request.divisor - 310) > 5";
    all += " and 1 / (request.divisor - 310) > 0";
    return std::string(kPolicy) + "\nrule any_of_many\n  when " + any +
           "\n  then report \"many\"\n\nrule none_of_many\n  when " + all +
           "\n  then report \"none\"\n";
  }
  auto WithDivisor(int divisor, std::vector<std::string>& fired) -> std::string {
    std::string json = Request("2024-01-01", "100", "800");
    const std::string given = R"("divisor": 100)";
    json.replace(json.find(given), given.size(), R"("divisor": )" + std::to_string(divisor));
    return Decide(json, &fired);
  }
};

TEST_F(InterpChainTest, LongChainsDecideAndFailLikeShortOnes) {
  std::vector<std::string> fired;
  EXPECT_EQ(WithDivisor(200, fired), "report");  // the first term
  EXPECT_THAT(fired, ElementsAre("any_of_many"));
  EXPECT_EQ(WithDivisor(299, fired), "report");  // the hundredth
  EXPECT_THAT(fired, ElementsAre("any_of_many"));
  EXPECT_EQ(WithDivisor(150, fired), "no_license_required");
  EXPECT_THAT(fired, ElementsAre());
  EXPECT_EQ(WithDivisor(311, fired), "report");  // past every comparison, the division decides
  EXPECT_THAT(fired, ElementsAre("none_of_many"));
  EXPECT_EQ(WithDivisor(310, fired), "error");
  EXPECT_THAT(decision_.errors,
              ElementsAre(Field(&RuleError::rule, 5), Field(&RuleError::rule, 6)));
}

}  // namespace
}  // namespace cordon::interp
