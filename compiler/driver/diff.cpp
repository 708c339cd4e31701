// SPDX-License-Identifier: Apache-2.0
// `cordon diff --policy A --against B REQUESTS`: decides every request under both policies and
// reports the ones whose decision changes, from B's decision to A's, with the rules that began
// or stopped firing; then, per rule, how many requests it changed. `--against` is the baseline
// (the law in force); `--policy` the policy under study (the law plus a draft).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "compiler/driver/compare.h"
#include "compiler/driver/requests.h"
#include "compiler/driver/session.h"
#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"

namespace cordon::driver {
namespace {

using json = nlohmann::ordered_json;

}  // namespace

auto MakeEnginePair(const Options& options, Session& session, const ir::Program& to,
                    const ir::Program& from) -> std::optional<EnginePair> {
  EnginePair pair;
  for (auto [program, engine] : {std::pair{&to, &pair.to}, std::pair{&from, &pair.from}}) {
    ErrorOr<std::unique_ptr<runtime::Engine>> made = MakeEngine(options, *program);
    if (!made.ok()) {
      session.ToolFailure(made.error().message);
      return std::nullopt;
    }
    *engine = std::move(*made);
  }
  return pair;
}

auto RunDiff(const Options& options, std::ostream& out, std::ostream& err) -> int {
  if (options.prove) return RunProve(options, out, err);
  Session session(options, err);
  std::optional<DayNumber> as_of;
  if (!ParseAsOf(options, session, as_of)) return session.Finish();
  std::optional<ir::Program> to = session.CheckPolicy(options.policies);
  std::optional<ir::Program> from = session.CheckPolicy(options.against);
  if (!to || !from) return session.Finish();
  std::optional<EnginePair> engines = MakeEnginePair(options, session, *to, *from);
  if (!engines) return session.Finish();
  runtime::JsonDecider to_decider(*engines->to);
  runtime::JsonDecider from_decider(*engines->from);

  Tally tally;
  int requests = 0;
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
    Side a = DecideSide(from_decider, *from, request.text, as_of);
    Side b = DecideSide(to_decider, *to, request.text, as_of);
    if (a.decision == "error" || b.decision == "error") ++malformed;
    Change change = Compare(a, b);
    if (!change.any()) return;
    tally.Add(a, b, change);
    if (options.json) {
      json entry = {{"request", request.line}};
      AddChangeJson(entry, a, b, change);
      out << entry.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      return;
    }
    out << fmt::format("\nrequest {}: {}\n", request.line, Describe(request.text));
    PrintChange(out, a, b, change);
  };
  ErrorOr<size_t> read = ReadRequestLines(options.input, compare, [&] { out.flush(); });
  if (!read.ok()) {
    session.ToolFailure(read.error().message);
    return session.Finish();
  }
  if (options.json) {
    json summary = {{"requests", requests},
                    {"decision_changed", tally.changed},
                    {"reasons_changed_only", tally.reasons_only},
                    {"error_under_either", malformed},
                    {"rules", RulesJson(tally)}};
    out << json({{"summary", summary}}).dump() << '\n';
  } else {
    out << fmt::format("\n{} requests: {} changed decision, {} changed reasons only", requests,
                       tally.changed, tally.reasons_only);
    out << (malformed == 0 ? std::string("\n")
                           : fmt::format("; {} decided `error` under either policy (`cordon "
                                         "decide` says why)\n",
                                         malformed));
    PrintTally(out, tally, "requests");
  }
  int code = session.Finish();
  if (code != kExitOk) return code;
  return malformed > 0 ? kExitBadRequests : kExitOk;
}

}  // namespace cordon::driver
