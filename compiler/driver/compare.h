// SPDX-License-Identifier: Apache-2.0
// What `cordon diff` and `cordon replay` share: one answer to a request as both compare it, the
// rules that began or stopped firing between two answers, the counts over many requests, and
// how a change and those counts are printed. Each command says how its requests are named.
#ifndef CORDON_COMPILER_DRIVER_COMPARE_H_
#define CORDON_COMPILER_DRIVER_COMPARE_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"
#include "runtime/ir/ir.h"

namespace cordon::driver {

// One answer to one request: decided here, or read back from a decision log.
struct Side {
  std::string decision;
  std::map<std::string, std::string> fired;  // rule -> its outcome
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // a request past a policy's review date
};

// Decides `text` (a request, as JSON) and keeps what a comparison reads. A malformed request is
// an `error` whose errors say why.
auto DecideSide(runtime::JsonDecider& decider, const ir::Program& program, std::string_view text,
                std::optional<DayNumber> as_of) -> Side;

// "2024-06-01 iaas_access NVIDIA H100 SXM5 -> US (ByteDance Ltd.)", from whichever of these
// fields the request has.
auto Describe(std::string_view text) -> std::string;

// "stdlib/ear + draft.cordon": the roots of a policy, as given.
auto PolicyNames(const std::vector<std::string>& roots) -> std::string;

// How the answer to one request changed from one side to the other.
struct Change {
  bool decision_changed = false;
  std::vector<std::pair<std::string, std::string>> began;    // rule, outcome
  std::vector<std::pair<std::string, std::string>> stopped;  // rule, outcome
  bool errors_changed = false;
  // Warnings alone are not a change: the same decision, for the same reasons.
  auto any() const -> bool {
    return decision_changed || !began.empty() || !stopped.empty() || errors_changed;
  }
};
auto Compare(const Side& from, const Side& to) -> Change;

// Counts over the changed requests.
struct Tally {
  int changed = 0;       // the decision changed
  int reasons_only = 0;  // the same decision, other rules or errors behind it
  // Per rule: requests where it began firing (or changed outcome), and where it stopped.
  std::map<std::string, std::pair<int, int>> by_rule;
  std::map<std::pair<std::string, std::string>, int> transitions;  // from, to -> requests
  void Add(const Side& from, const Side& to, const Change& change);
};

// Adds "from", "to", "decision_changed", "began", "stopped" and, when there are any, "errors"
// and "warnings" to one JSON line about a changed request.
void AddChangeJson(nlohmann::ordered_json& entry, const Side& from, const Side& to,
                   const Change& change);
// The lines under a changed request's heading: the decisions, then `+ rule (outcome)` for each
// rule that began firing, `- ...` for each that stopped, and the errors and warnings.
void PrintChange(std::ostream& out, const Side& from, const Side& to, const Change& change);

// The summary's "rules" list: [{"rule", "began", "stopped"}...].
auto RulesJson(const Tally& tally) -> nlohmann::ordered_json;
// The summary's lines after its first: a count per transition, then a count per rule. `what`
// names the changed things ("requests").
void PrintTally(std::ostream& out, const Tally& tally, std::string_view what);

}  // namespace cordon::driver

#endif  // CORDON_COMPILER_DRIVER_COMPARE_H_
