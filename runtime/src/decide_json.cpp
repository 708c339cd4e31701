// SPDX-License-Identifier: Apache-2.0
#include "runtime/src/decide_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "compiler/base/date.h"

namespace cordon::runtime {
namespace {

using json = nlohmann::ordered_json;

auto ExplainJson(const ir::Program& program, const interp::Trace& trace) -> json {
  json rules = json::array();
  for (const interp::RuleTrace& t : trace.rules) {
    const ir::Rule& rule = program.rules[t.rule];
    json entry = {{"rule", rule.name}};
    entry["in_force"] = t.condition != interp::RuleTrace::Condition::kNotInForce;
    switch (t.condition) {
      case interp::RuleTrace::Condition::kNotInForce:
        entry["condition"] = nullptr;
        break;
      case interp::RuleTrace::Condition::kFalse:
        entry["condition"] = false;
        break;
      case interp::RuleTrace::Condition::kTrue:
        entry["condition"] = true;
        break;
      case interp::RuleTrace::Condition::kError:
        entry["condition"] = "error";
        break;
    }
    if (t.condition == interp::RuleTrace::Condition::kNotInForce) {
      entry["in_force_from"] = rule.effective ? json(FormatDate(*rule.effective)) : json(nullptr);
      entry["in_force_until"] = rule.until ? json(FormatDate(*rule.until)) : json(nullptr);
    }
    entry["values"] = t.comparisons;
    if (t.exception != ir::kNoId) entry["unless"] = rule.unless[t.exception].message;
    rules.push_back(std::move(entry));
  }
  return rules;
}

}  // namespace

auto Citation(const ir::Program& program, const ir::Rule& rule) -> std::string_view {
  return rule.cites == ir::kNoId ? std::string_view() : program.citations[rule.cites];
}

auto ReasonMessage(const ir::Rule& rule, const interp::Reason& reason) -> const std::string& {
  return reason.exception == ir::kNoId ? rule.message : rule.unless[reason.exception].message;
}

auto RuleErrorText(const ir::Program& program, const interp::RuleError& error) -> std::string {
  if (error.rule >= program.rules.size()) return error.message;
  const ir::Rule& rule = program.rules[error.rule];
  std::string_view cites = Citation(program, rule);
  return fmt::format("rule `{}`{}: {}", rule.name, cites.empty() ? "" : fmt::format(" ({})", cites),
                     error.message);
}

auto DecisionJson(const ir::Program& program, const interp::Decision& decision,
                  std::span<const std::string> problems, const interp::Trace* trace,
                  DayNumber as_of) -> std::string {
  json line;
  if (!problems.empty()) {
    line = {{"decision", "error"}, {"reasons", json::array()}, {"errors", problems}};
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  json reasons = json::array();
  for (const interp::Reason& reason : decision.reasons) {
    const ir::Rule& rule = program.rules[reason.rule];
    reasons.push_back({{"rule", rule.name},
                       {"outcome", program.outcomes[reason.outcome]},
                       {"cites", Citation(program, rule)},
                       {"message", ReasonMessage(rule, reason)}});
  }
  json errors = json::array();
  for (const interp::RuleError& error : decision.errors) {
    errors.push_back(RuleErrorText(program, error));
  }
  line = {{"decision", DecisionName(program, decision)},
          {"reasons", std::move(reasons)},
          {"errors", std::move(errors)}};
  if (trace != nullptr) {
    line["as_of"] = FormatDate(as_of);
    line["explain"] = ExplainJson(program, *trace);
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

auto JsonDecider::Decide(std::string_view json, std::optional<DayNumber> as_of,
                         interp::Decision& out, interp::Trace* trace,
                         std::vector<std::string>& problems) -> bool {
  const ir::Program& program = session_.engine().program();
  if (!decoder_.Decode(json, slots_, problems)) {
    out.Clear();
    out.error = true;
    if (trace != nullptr) trace->rules.clear();
    return false;
  }
  problems.clear();
  if (as_of && program.as_of_slot != ir::kNoId) slots_[program.as_of_slot].bits = *as_of;
  day_ = as_of                             ? *as_of
         : program.as_of_slot != ir::kNoId ? static_cast<DayNumber>(slots_[program.as_of_slot].bits)
                                           : Today();
  session_.Decide(slots_, day_, out, trace);
  return true;
}

}  // namespace cordon::runtime
