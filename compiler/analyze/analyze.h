// SPDX-License-Identifier: Apache-2.0
// The symbolic engine: a policy's decision as Z3 terms over a symbolic request, and the three
// questions asked of it (`cordon diff --prove`, `cordon decide --counterfactual`,
// `cordon check --analyze`). Z3 stays behind this header: only compiler/analyze/*.cpp include it,
// and nothing under runtime/ links this library.
//
// Results are plain data. Every example request is JSON as `cordon decide` reads it; the caller
// re-decides it with the interpreter and prints only what that confirms.
#ifndef CORDON_COMPILER_ANALYZE_ANALYZE_H_
#define CORDON_COMPILER_ANALYZE_ANALYZE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/base/error_or.h"
#include "runtime/ir/ir.h"

namespace cordon::analyze {

// What the analysis explores. A "no difference" holds for requests within these bounds only,
// and every answer says so (Bounds::Describe).
struct Bounds {
  uint32_t list_length = 3;  // elements per request list
  uint32_t list_depth = 2;   // lists inside list elements, this many levels (deeper ones empty)
  uint32_t timeout_ms = 10000;
  uint32_t max_regions = 32;  // diff --prove: regions reported before giving up
  auto Describe() const -> std::string;
};

// A region of requests decided differently by two policies.
struct Region {
  std::string from;                     // the decision under the baseline (--against)
  std::string to;                       // under the policy studied (--policy)
  std::vector<std::string> conditions;  // readable, all of which hold in the region
  std::string example;                  // one request in it, as JSON
  bool approximate = false;  // an op encoded approximately was involved: confirm before trusting
};

struct ProveResult {
  enum class Status : uint8_t { kSame, kDiffers, kUnknown };
  Status status = Status::kUnknown;
  std::vector<Region> regions;
  std::string unknown_reason;  // kUnknown: why ("time limit 10000 ms", an approximation)
  bool capped = false;         // stopped at Bounds::max_regions: there may be more
};

// Every region where `baseline` and `studied` decide differently. `as_of`: the day (else each
// request's own `as_of`).
auto Prove(const ir::Program& studied, const ir::Program& baseline, std::optional<DayNumber> as_of,
           const Bounds& bounds) -> ErrorOr<ProveResult>;

// One change to one field that makes a request's decision a lower outcome.
struct Counterfactual {
  std::string outcome;      // the lower outcome reached
  std::string field;        // its JSON path ("item.tpp")
  std::string description;  // "item.tpp < 4800 (is 4992)"
  std::string example;      // the changed request, as JSON
};
struct CounterfactualResult {
  std::vector<Counterfactual> changes;  // candidates, by outcome then field: confirm each
  std::vector<std::string> none;        // outcomes no change to one field reaches
  std::vector<std::string> unknown;     // outcomes left undecided by the time limit
};

// `request`: the decoded slots of one decided request (runtime::JsonDecider::slots()); `text` its
// JSON. `decision` the outcome it got (an OutcomeId of `program`).
auto Counterfactuals(const ir::Program& program, std::span<const ir::Datum> request,
                     const std::string& text, std::optional<DayNumber> as_of,
                     ir::OutcomeId decision, const Bounds& bounds) -> ErrorOr<CounterfactualResult>;

// A finding of `check --analyze`, at a rule (its `unless` when `exception` is set) or, for an
// outcome, at no rule.
struct Finding {
  enum class Kind : uint8_t {
    kRuleNeverFires,
    kUnlessNeverTaken,
    kOutcomeNeverProduced,
    kRuleShadowed
  };
  Kind kind;
  ir::RuleId rule = ir::kNoId;
  uint32_t exception = ir::kNoId;
  std::string outcome;           // kOutcomeNeverProduced
  ir::RuleId other = ir::kNoId;  // kRuleShadowed: the rule that always decides instead
  std::string message;
  std::string help;  // the witness or the reason
};
struct AnalyzeResult {
  std::vector<Finding> findings;
  std::vector<std::string> unknown;  // questions left undecided (time limit)
};

auto AnalyzePolicy(const ir::Program& program, const Bounds& bounds) -> ErrorOr<AnalyzeResult>;

}  // namespace cordon::analyze

#endif  // CORDON_COMPILER_ANALYZE_ANALYZE_H_
