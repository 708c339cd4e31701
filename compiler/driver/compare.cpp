// SPDX-License-Identifier: Apache-2.0
// Comparing two answers to a request: see compare.h.
#include "compiler/driver/compare.h"

#include <fmt/format.h>

#include <algorithm>

namespace cordon::driver {

using json = nlohmann::ordered_json;

auto DecideSide(runtime::JsonDecider& decider, const ir::Program& program, std::string_view text,
                std::optional<DayNumber> as_of) -> Side {
  interp::Decision decision;
  std::vector<std::string> problems;
  Side side;
  decider.Decide(text, as_of, decision, nullptr, problems);
  side.decision = runtime::DecisionName(program, decision);  // `error` when malformed too
  for (const interp::Reason& r : decision.reasons) {
    side.fired[program.rules[r.rule].name] = program.outcomes[r.outcome];
  }
  side.errors = problems;
  for (const interp::RuleError& e : decision.errors) {
    side.errors.push_back(runtime::RuleErrorText(program, e));
  }
  side.warnings = runtime::Warnings(program, decision);
  return side;
}

auto Describe(std::string_view text) -> std::string {
  json r = json::parse(text, nullptr, false);
  if (!r.is_object()) return "(not a JSON object)";
  std::vector<std::string> parts;
  auto add = [&](const json& v) {
    if (v.is_string()) parts.push_back(v.get<std::string>());
  };
  if (r.contains("as_of")) add(r["as_of"]);
  if (r.contains("kind")) add(r["kind"]);
  if (r.contains("item") && r["item"].is_object() && r["item"].contains("name")) {
    add(r["item"]["name"]);
  }
  if (r.contains("destination_country") && r["destination_country"].is_string()) {
    parts.push_back("-> " + r["destination_country"].get<std::string>());
  }
  if (r.contains("end_user") && r["end_user"].is_object() && r["end_user"].contains("name") &&
      r["end_user"]["name"].is_string()) {
    parts.push_back("(" + r["end_user"]["name"].get<std::string>() + ")");
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out.empty() ? std::string(text.substr(0, 80)) : out;
}

auto PolicyNames(const std::vector<std::string>& roots) -> std::string {
  std::string out;
  for (const std::string& r : roots) out += (out.empty() ? "" : " + ") + r;
  return out;
}

auto Compare(const Side& from, const Side& to) -> Change {
  Change change;
  for (const auto& [rule, outcome] : to.fired) {
    auto it = from.fired.find(rule);
    if (it == from.fired.end() || it->second != outcome) change.began.emplace_back(rule, outcome);
  }
  for (const auto& [rule, outcome] : from.fired) {
    auto it = to.fired.find(rule);
    if (it == to.fired.end() || it->second != outcome) change.stopped.emplace_back(rule, outcome);
  }
  change.decision_changed = from.decision != to.decision;
  change.errors_changed = from.errors != to.errors;
  return change;
}

void Tally::Add(const Side& from, const Side& to, const Change& change) {
  if (!change.decision_changed) {
    ++reasons_only;
    return;
  }
  // Only changed decisions count against their rules: the question is which rules moved them.
  ++changed;
  ++transitions[{from.decision, to.decision}];
  for (const auto& r : change.began) ++by_rule[r.first].first;
  for (const auto& r : change.stopped) ++by_rule[r.first].second;
}

void AddChangeJson(json& entry, const Side& from, const Side& to, const Change& change) {
  entry["from"] = from.decision;
  entry["to"] = to.decision;
  entry["decision_changed"] = change.decision_changed;
  entry["began"] = json::array();
  entry["stopped"] = json::array();
  for (const auto& [rule, outcome] : change.began) {
    entry["began"].push_back({{"rule", rule}, {"outcome", outcome}});
  }
  for (const auto& [rule, outcome] : change.stopped) {
    entry["stopped"].push_back({{"rule", rule}, {"outcome", outcome}});
  }
  if (!from.errors.empty() || !to.errors.empty()) {
    entry["errors"] = {{"from", from.errors}, {"to", to.errors}};
  }
  if (!from.warnings.empty() || !to.warnings.empty()) {
    entry["warnings"] = {{"from", from.warnings}, {"to", to.warnings}};
  }
}

void PrintChange(std::ostream& out, const Side& from, const Side& to, const Change& change) {
  if (change.decision_changed) {
    out << fmt::format("  {} -> {}\n", from.decision, to.decision);
  } else {
    out << fmt::format("  {} (unchanged; the reasons differ)\n", from.decision);
  }
  for (const auto& [rule, outcome] : change.began) {
    out << fmt::format("  + {} ({})\n", rule, outcome);
  }
  for (const auto& [rule, outcome] : change.stopped) {
    out << fmt::format("  - {} ({})\n", rule, outcome);
  }
  for (const std::string& e : from.errors) out << fmt::format("  error before: {}\n", e);
  for (const std::string& e : to.errors) out << fmt::format("  error after:  {}\n", e);
  for (const std::string& w : from.warnings) out << fmt::format("  warning before: {}\n", w);
  for (const std::string& w : to.warnings) out << fmt::format("  warning after:  {}\n", w);
}

auto RulesJson(const Tally& tally) -> json {
  json rules = json::array();
  for (const auto& [rule, counts] : tally.by_rule) {
    rules.push_back({{"rule", rule}, {"began", counts.first}, {"stopped", counts.second}});
  }
  return rules;
}

void PrintTally(std::ostream& out, const Tally& tally, std::string_view what) {
  for (const auto& [t, n] : tally.transitions) {
    out << fmt::format("  {:>5}  {} -> {}\n", n, t.first, t.second);
  }
  if (tally.by_rule.empty()) return;
  out << fmt::format("rules behind the changed decisions ({} where each began / stopped firing):\n",
                     what);
  size_t width = 4;
  for (const auto& [rule, counts] : tally.by_rule) width = std::max(width, rule.size());
  for (const auto& [rule, counts] : tally.by_rule) {
    out << fmt::format("  {:<{}}  +{:<5} -{}\n", rule, width, counts.first, counts.second);
  }
}

}  // namespace cordon::driver
