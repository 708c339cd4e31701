// SPDX-License-Identifier: Apache-2.0
// The symbolic engine's commands (compiler/analyze): `cordon diff --prove`, `cordon decide
// --counterfactual` and `cordon check --analyze`. Whatever the solver proposes, a request in a
// region or a changed request, is decided again here by the interpreter, and only what that
// confirms is printed; a proposal it does not confirm is a bug, reported as one.
#include "compiler/analyze/analyze.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "compiler/driver/compare.h"
#include "compiler/driver/requests.h"
#include "compiler/driver/session.h"
#include "runtime/engine/decide_json.h"

namespace cordon::driver {
namespace {

using json = nlohmann::ordered_json;

auto BoundsOf(const Options& options) -> analyze::Bounds {
  analyze::Bounds bounds;
  bounds.timeout_ms = options.timeout_ms;
  return bounds;
}

// The interpreter, always: a confirmation is the oracle's word, whatever --engine says.
auto Interpreter(const ir::Program& program) -> ErrorOr<std::unique_ptr<runtime::Engine>> {
  Options interp;
  interp.engine = "interp";
  return MakeEngine(interp, program);
}

}  // namespace

auto RunProve(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  std::optional<DayNumber> as_of;
  if (!ParseAsOf(options, session, as_of)) return session.Finish();
  std::optional<ir::Program> to = session.CheckPolicy(options.policies);
  std::optional<ir::Program> from = session.CheckPolicy(options.against);
  if (!to || !from) return session.Finish();
  // The interpreter confirms the examples, whatever --engine says.
  Options interp = options;
  interp.engine = "interp";
  std::optional<EnginePair> engines = MakeEnginePair(interp, session, *to, *from);
  if (!engines) return session.Finish();
  runtime::JsonDecider to_decider(*engines->to);
  runtime::JsonDecider from_decider(*engines->from);
  analyze::Bounds bounds = BoundsOf(options);
  ErrorOr<analyze::ProveResult> proved = analyze::Prove(*to, *from, as_of, bounds);
  if (!proved.ok()) {
    session.ToolFailure(proved.error().message);
    return session.Finish();
  }
  const analyze::ProveResult& result = *proved;
  int unconfirmed = 0;
  json regions = json::array();
  if (!options.json) {
    out << fmt::format("from: {}\nto:   {}\nexplored: every request with {}\n",
                       PolicyNames(options.against), PolicyNames(options.policies),
                       bounds.Describe());
  }
  int n = 0;
  for (const analyze::Region& region : result.regions) {
    Side a = DecideSide(from_decider, *from, region.example, as_of);
    Side b = DecideSide(to_decider, *to, region.example, as_of);
    bool confirmed = a.decision == region.from && b.decision == region.to;
    if (!confirmed) {
      ++unconfirmed;
      err << fmt::format(
          "cordon: error: the solver's example for a change from {} to {} was decided {} and {} "
          "by the interpreter: {}{}\n",
          region.from, region.to, a.decision, b.decision, region.example,
          region.approximate ? " (an approximated operation was involved)"
                             : " (a bug in the symbolic engine)");
      continue;
    }
    ++n;
    if (options.json) {
      regions.push_back({{"from", region.from},
                         {"to", region.to},
                         {"conditions", region.conditions},
                         {"example", json::parse(region.example, nullptr, false)}});
      continue;
    }
    out << fmt::format("\nregion {}: {} -> {}\n", n, region.from, region.to);
    for (size_t i = 0; i < region.conditions.size(); ++i) {
      out << fmt::format("  {} {}\n", i == 0 ? "when" : " and", region.conditions[i]);
    }
    if (region.conditions.empty()) out << "  for every request\n";
    out << fmt::format("  example (confirmed by the interpreter): {}\n", region.example);
  }
  std::string verdict;
  bool unknown = result.status == analyze::ProveResult::Status::kUnknown || unconfirmed > 0;
  switch (result.status) {
    case analyze::ProveResult::Status::kSame:
      verdict = "no request is decided differently";
      break;
    case analyze::ProveResult::Status::kDiffers:
      verdict = fmt::format(
          "{} region{} of requests decided differently{}", n, n == 1 ? "" : "s",
          result.capped ? fmt::format(" (stopped at {}: there may be more)", bounds.max_regions)
                        : "; no other request is decided differently");
      break;
    case analyze::ProveResult::Status::kUnknown:
      verdict = fmt::format("unknown ({}){}", result.unknown_reason,
                            n > 0 ? fmt::format(" after {} region{}", n, n == 1 ? "" : "s") : "");
      break;
  }
  if (unconfirmed > 0 && result.status != analyze::ProveResult::Status::kUnknown) {
    verdict = fmt::format("unknown: {} example{} not confirmed by the interpreter; {}", unconfirmed,
                          unconfirmed == 1 ? "" : "s", verdict);
  }
  if (options.json) {
    out << json(
               {{"result", result.status == analyze::ProveResult::Status::kSame && !unknown ? "same"
                           : unknown ? "unknown"
                                     : "differs"},
                {"summary", verdict},
                {"bounds", bounds.Describe()},
                {"regions", regions}})
               .dump(-1, ' ', false, json::error_handler_t::replace)
        << '\n';
  } else {
    out << "\n" << verdict << "\n";
  }
  int code = session.Finish();
  if (code != kExitOk) return code;
  return unknown || result.capped ? kExitToolFailure : kExitOk;
}

auto DecideCounterfactual(const Options& options, const ir::Program& program,
                          runtime::Engine& engine, std::optional<DayNumber> as_of,
                          std::ostream& out, bool& malformed) -> ErrorOr<size_t> {
  runtime::JsonDecider decider(engine);
  ErrorOr<std::unique_ptr<runtime::Engine>> checker_engine = Interpreter(program);
  if (!checker_engine.ok()) return checker_engine.error();
  runtime::JsonDecider checker(**checker_engine);
  if (!options.id_field.empty()) decider.decoder().SetIdField(options.id_field);
  analyze::Bounds bounds = BoundsOf(options);
  std::vector<std::string> problems;
  interp::Decision decision;
  interp::Trace trace;
  std::string line;
  std::optional<Error> failure;
  ErrorOr<size_t> read = ReadRequestLines(
      options.input,
      [&](const RequestLine& request) {
        line.clear();
        if (!request.problem.empty()) {
          malformed = true;
          AppendMalformedLine(line, program, request.problem);
          out << line << '\n';
          return;
        }
        interp::Trace* tracing = options.explain ? &trace : nullptr;
        bool ok = decider.Decide(request.text, as_of, decision, tracing, problems);
        if (!ok || decision.error) malformed = true;
        runtime::AppendDecisionJson(line, program, decision, problems, tracing, decider.day());
        json answer = json::parse(line, nullptr, false);
        json changes = json::array();
        std::vector<std::string> text_lines;
        if (ok && !decision.error) {
          std::vector<ir::Datum> slots = decider.slots();
          ErrorOr<analyze::CounterfactualResult> found = analyze::Counterfactuals(
              program, slots, std::string(request.text), as_of, decision.outcome, bounds);
          if (!found.ok()) {
            answer["counterfactuals_error"] = found.error().message;
          } else {
            for (const analyze::Counterfactual& c : found->changes) {
              Side side = DecideSide(checker, program, c.example, as_of);
              if (side.decision != c.outcome) {
                // Not confirmed: never shown as an answer, reported as the bug it is.
                answer["counterfactuals_unconfirmed"].push_back({{"outcome", c.outcome},
                                                                 {"change", c.description},
                                                                 {"decided", side.decision}});
                continue;
              }
              changes.push_back({{"outcome", c.outcome},
                                 {"field", c.field},
                                 {"change", c.description},
                                 {"example", json::parse(c.example, nullptr, false)}});
            }
            for (const std::string& o : found->none) {
              changes.push_back({{"outcome", o}, {"change", nullptr}});
            }
            for (const std::string& o : found->unknown) {
              changes.push_back({{"outcome", o},
                                 {"change", nullptr},
                                 {"unknown", fmt::format("time limit {} ms", bounds.timeout_ms)}});
            }
          }
        }
        answer["counterfactuals"] = changes;
        if (!options.id_field.empty()) {
          std::string_view id = decider.decoder().id();
          answer["id"] = id.empty() ? json(nullptr) : json::parse(id, nullptr, false);
        }
        out << answer.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        if (options.explain) {
          // Readable: one line per lower outcome.
          std::map<std::string, std::vector<std::string>> by_outcome;
          std::vector<std::string> order;
          for (const json& c : changes) {
            std::string o = c["outcome"].get<std::string>();
            if (!by_outcome.contains(o)) order.push_back(o);
            if (c["change"].is_string()) {
              by_outcome[o].push_back(c["change"].get<std::string>());
            } else {
              by_outcome[o];
            }
          }
          for (const std::string& o : order) {
            const auto& list = by_outcome[o];
            if (list.empty()) {
              out << fmt::format("  {}: no change to one field gives it\n", o);
              continue;
            }
            std::string text;
            for (size_t i = 0; i < list.size(); ++i) text += (i ? " or if " : "") + list[i];
            out << fmt::format("  {} if {}\n", o, text);
          }
        }
      },
      [&] { out.flush(); });
  if (failure) return *failure;
  return read;
}

void AnalyzeChecked(const Options& options, Session& session, const ir::Program& program) {
  analyze::Bounds bounds = BoundsOf(options);
  ErrorOr<analyze::AnalyzeResult> result = analyze::AnalyzePolicy(program, bounds);
  if (!result.ok()) {
    session.ToolFailure(result.error().message);
    return;
  }
  // Where a finding points: the rule's name (or its `unless`) on its line.
  auto locate = [&](const std::string& file, uint32_t line, const std::string& word) {
    Location location;
    ErrorOr<const SourceBuffer*> source = session.sources().Load(file, options.max_source_bytes);
    if (!source.ok() || line == 0 || line > (*source)->line_count()) return location;
    location.source = *source;
    std::string_view text = (*source)->LineText(line);
    size_t at = text.find(word);
    uint32_t start = (*source)->LineStart(line);
    if (at == std::string_view::npos) {
      location.range = SourceRange{start, start + static_cast<uint32_t>(text.size())};
      return location;
    }
    size_t end = at + word.size();
    if (word == "rule ") {
      // The rule's name.
      at = end;
      end = at;
      while (end < text.size() && text[end] != ' ') ++end;
    }
    location.range =
        SourceRange{start + static_cast<uint32_t>(at), start + static_cast<uint32_t>(end)};
    return location;
  };
  for (const analyze::Finding& f : result->findings) {
    Location location;
    DiagnosticKind kind = DiagnosticKind::RuleCannotFire;
    switch (f.kind) {
      case analyze::Finding::Kind::kRuleNeverFires:
        kind = DiagnosticKind::RuleCannotFire;
        break;
      case analyze::Finding::Kind::kUnlessNeverTaken:
        kind = DiagnosticKind::UnlessCannotApply;
        break;
      case analyze::Finding::Kind::kOutcomeNeverProduced:
        kind = DiagnosticKind::OutcomeUnreachable;
        break;
      case analyze::Finding::Kind::kRuleShadowed:
        kind = DiagnosticKind::RuleAlwaysOutranked;
        break;
    }
    if (f.rule != ir::kNoId) {
      const ir::Rule& rule = program.rules[f.rule];
      location = f.exception != ir::kNoId
                     ? locate(rule.file, rule.unless[f.exception].line, "unless")
                     : locate(rule.file, rule.line, "rule ");
    } else {
      // An outcome: the `outcomes` declaration of the module the first rule imports it from.
      for (const ir::Rule& rule : program.rules) {
        ErrorOr<const SourceBuffer*> source =
            session.sources().Load(rule.file, options.max_source_bytes);
        if (!source.ok()) continue;
        for (uint32_t line = 1; line <= (*source)->line_count(); ++line) {
          if ((*source)->LineText(line).starts_with("outcomes ")) {
            location = locate(rule.file, line, " " + f.outcome);
            if (location.range) ++location.range->begin;  // the name, not the space before it
            break;
          }
        }
        if (location.source != nullptr) break;
      }
    }
    session.emitter().Warning(kind, location, f.message).Help(f.help);
  }
  for (const std::string& u : result->unknown) {
    session.ToolFailure(fmt::format("--analyze could not decide {}", u));
  }
}

}  // namespace cordon::driver
