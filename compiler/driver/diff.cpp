// SPDX-License-Identifier: Apache-2.0
// `cordon diff --policy A --against B REQUESTS`: decides every request under both policies and
// reports the ones whose decision changes, from B's decision to A's, with the rules that began
// or stopped firing; then, per rule, how many requests it changed. `--against` is the baseline
// (the law in force); `--policy` the policy under study (the law plus a draft).
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "compiler/driver/requests.h"
#include "compiler/driver/session.h"
#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"

namespace cordon::driver {
namespace {

using json = nlohmann::ordered_json;

// One side's answer to one request.
struct Side {
  std::string decision;
  std::map<std::string, std::string> fired;  // rule -> its outcome
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // a request past a policy's review date
};

auto Decide(runtime::JsonDecider& decider, const ir::Program& program, std::string_view text,
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

// "2024-06-01 iaas_access NVIDIA H100 SXM5 -> US (ByteDance Ltd.)", from whichever of these
// fields the request has.
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

}  // namespace

auto RunDiff(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  std::optional<DayNumber> as_of;
  if (!ParseAsOf(options, session, as_of)) return session.Finish();
  std::optional<ir::Program> to = session.CheckPolicy(options.policies);
  std::optional<ir::Program> from = session.CheckPolicy(options.against);
  if (!to || !from) return session.Finish();
  ErrorOr<std::unique_ptr<runtime::Engine>> to_engine = MakeEngine(options, *to);
  ErrorOr<std::unique_ptr<runtime::Engine>> from_engine = MakeEngine(options, *from);
  for (auto* e : {&to_engine, &from_engine}) {
    if (!e->ok()) {
      session.ToolFailure(e->error().message);
      return session.Finish();
    }
  }
  runtime::JsonDecider to_decider(**to_engine);
  runtime::JsonDecider from_decider(**from_engine);

  // Per rule: requests where it began firing (or changed outcome) and where it stopped.
  std::map<std::string, std::pair<int, int>> by_rule;
  std::map<std::pair<std::string, std::string>, int> transitions;
  int requests = 0;
  int changed = 0;
  int reasons_only = 0;
  int malformed = 0;
  std::string from_name = PolicyNames(options.against);
  std::string to_name = PolicyNames(options.policies);
  if (!options.json) out << fmt::format("from: {}\nto:   {}\n", from_name, to_name);
  auto compare = [&](const RequestLine& request) {
    ++requests;
    if (!request.problem.empty()) {  // a blank or overlong line: `error` under both
      ++malformed;
      return;
    }
    size_t line = request.line;
    std::string_view text = request.text;
    Side a = Decide(from_decider, *from, text, as_of);
    Side b = Decide(to_decider, *to, text, as_of);
    if (a.decision == "error" || b.decision == "error") ++malformed;
    std::vector<std::pair<std::string, std::string>> began;    // rule, outcome
    std::vector<std::pair<std::string, std::string>> stopped;  // rule, outcome
    for (const auto& [rule, outcome] : b.fired) {
      auto it = a.fired.find(rule);
      if (it == a.fired.end() || it->second != outcome) began.emplace_back(rule, outcome);
    }
    for (const auto& [rule, outcome] : a.fired) {
      auto it = b.fired.find(rule);
      if (it == b.fired.end() || it->second != outcome) stopped.emplace_back(rule, outcome);
    }
    bool decision_changed = a.decision != b.decision;
    if (!decision_changed && began.empty() && stopped.empty() && a.errors == b.errors) return;
    if (decision_changed) {
      ++changed;
      ++transitions[{a.decision, b.decision}];
      for (const auto& r : began) ++by_rule[r.first].first;
      for (const auto& r : stopped) ++by_rule[r.first].second;
    } else {
      ++reasons_only;
    }
    if (options.json) {
      json entry = {{"request", line},        {"from", a.decision},
                    {"to", b.decision},       {"decision_changed", decision_changed},
                    {"began", json::array()}, {"stopped", json::array()}};
      for (const auto& [rule, outcome] : began) {
        entry["began"].push_back({{"rule", rule}, {"outcome", outcome}});
      }
      for (const auto& [rule, outcome] : stopped) {
        entry["stopped"].push_back({{"rule", rule}, {"outcome", outcome}});
      }
      if (!a.errors.empty() || !b.errors.empty()) {
        entry["errors"] = {{"from", a.errors}, {"to", b.errors}};
      }
      if (!a.warnings.empty() || !b.warnings.empty()) {
        entry["warnings"] = {{"from", a.warnings}, {"to", b.warnings}};
      }
      out << entry.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      return;
    }
    out << fmt::format("\nrequest {}: {}\n", line, Describe(text));
    if (decision_changed) {
      out << fmt::format("  {} -> {}\n", a.decision, b.decision);
    } else {
      out << fmt::format("  {} (unchanged; the reasons differ)\n", a.decision);
    }
    for (const auto& [rule, outcome] : began) out << fmt::format("  + {} ({})\n", rule, outcome);
    for (const auto& [rule, outcome] : stopped) out << fmt::format("  - {} ({})\n", rule, outcome);
    for (const std::string& e : a.errors) out << fmt::format("  error before: {}\n", e);
    for (const std::string& e : b.errors) out << fmt::format("  error after:  {}\n", e);
    for (const std::string& w : a.warnings) out << fmt::format("  warning before: {}\n", w);
    for (const std::string& w : b.warnings) out << fmt::format("  warning after:  {}\n", w);
  };
  ErrorOr<size_t> read = ReadRequestLines(options.input, compare, [&] { out.flush(); });
  if (!read.ok()) {
    session.ToolFailure(read.error().message);
    return session.Finish();
  }
  if (options.json) {
    json summary = {{"requests", requests},
                    {"decision_changed", changed},
                    {"reasons_changed_only", reasons_only},
                    {"error_under_either", malformed},
                    {"rules", json::array()}};
    for (const auto& [rule, counts] : by_rule) {
      summary["rules"].push_back(
          {{"rule", rule}, {"began", counts.first}, {"stopped", counts.second}});
    }
    out << json({{"summary", summary}}).dump() << '\n';
  } else {
    out << fmt::format("\n{} requests: {} changed decision, {} changed reasons only", requests,
                       changed, reasons_only);
    out << (malformed == 0 ? std::string("\n")
                           : fmt::format("; {} decided `error` under either policy (`cordon "
                                         "decide` says why)\n",
                                         malformed));
    for (const auto& [t, n] : transitions) {
      out << fmt::format("  {:>5}  {} -> {}\n", n, t.first, t.second);
    }
    if (!by_rule.empty()) {
      out << "rules behind the changed decisions (requests where each began / stopped firing):\n";
      size_t width = 4;
      for (const auto& [rule, counts] : by_rule) width = std::max(width, rule.size());
      for (const auto& [rule, counts] : by_rule) {
        out << fmt::format("  {:<{}}  +{:<5} -{}\n", rule, width, counts.first, counts.second);
      }
    }
  }
  int code = session.Finish();
  if (code != kExitOk) return code;
  return malformed > 0 ? kExitBadRequests : kExitOk;
}

}  // namespace cordon::driver
