// SPDX-License-Identifier: Apache-2.0
#include "runtime/engine/decide_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "runtime/base/date.h"

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
  bool own = reason.exception == ir::kNoId;
  if (!(own ? rule.holes : rule.unless[reason.exception].holes).empty()) return reason.text;
  return own ? rule.message : rule.unless[reason.exception].message;
}

auto Warnings(const ir::Program& program, const interp::Decision& decision)
    -> std::vector<std::string> {
  if (!decision.moved || !program.reviewed) return {};
  int64_t late = int64_t{decision.moved_from} - *program.reviewed;
  std::string review = FormatDate(*program.reviewed);
  return {
      fmt::format("the law after {} is not encoded: decided as it stood on {}, {} day{} before "
                  "the request's date {}",
                  review, review, late, late == 1 ? "" : "s", FormatDate(decision.moved_from))};
}

auto RuleErrorText(const ir::Program& program, const interp::RuleError& error) -> std::string {
  if (error.rule >= program.rules.size()) return error.message;
  const ir::Rule& rule = program.rules[error.rule];
  // A `require` speaks for itself: "$.item.tpp: the TPP cannot be negative".
  if (rule.requirement) return error.message;
  std::string_view cites = Citation(program, rule);
  return fmt::format("rule `{}`{}: {}", rule.name, cites.empty() ? "" : fmt::format(" ({})", cites),
                     error.message);
}

namespace {

// Appends `text` as a JSON string, exactly as nlohmann's dump (replacing invalid UTF-8) writes
// it. Decision texts are nearly all printable ASCII and are copied as they are; any other text
// goes through nlohmann whole, so the two paths cannot disagree on the rest.
void AppendQuoted(std::string& out, std::string_view text) {
  size_t mark = out.size();
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x80) {
      out.resize(mark);
      out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    if (byte == '"' || byte == '\\') {
      out.append(text, run, i - run);
      out += '\\';
      run = i;
    }
  }
  out.append(text, run);
  out += '"';
}

template <typename Items, typename Each>
void AppendArray(std::string& out, const Items& items, Each each) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    each(item);
  }
  out += ']';
}

}  // namespace

// Written by hand rather than as an nlohmann tree: building and freeing the tree was most of a
// `cordon decide` line (bench/README.md). The layout is nlohmann's compact dump, byte for byte.
auto DecisionJson(const ir::Program& program, const interp::Decision& decision,
                  std::span<const std::string> problems, const interp::Trace* trace,
                  DayNumber as_of) -> std::string {
  std::string line;
  line.reserve(256);
  AppendDecisionJson(line, program, decision, problems, trace, as_of);
  return line;
}

void AppendDecisionJson(std::string& line, const ir::Program& program,
                        const interp::Decision& decision, std::span<const std::string> problems,
                        const interp::Trace* trace, DayNumber as_of) {
  if (!problems.empty()) {
    line += R"({"decision":"error","reasons":[],"errors":)";
    AppendArray(line, problems, [&](const std::string& p) { AppendQuoted(line, p); });
    line += '}';
    return;
  }
  line += R"({"decision":)";
  AppendQuoted(line, DecisionName(program, decision));
  line += R"(,"reasons":)";
  AppendArray(line, decision.reasons, [&](const interp::Reason& reason) {
    const ir::Rule& rule = program.rules[reason.rule];
    line += R"({"rule":)";
    AppendQuoted(line, rule.name);
    line += R"(,"outcome":)";
    AppendQuoted(line, program.outcomes[reason.outcome]);
    line += R"(,"cites":)";
    AppendQuoted(line, Citation(program, rule));
    line += R"(,"message":)";
    AppendQuoted(line, ReasonMessage(rule, reason));
    line += '}';
  });
  line += R"(,"errors":)";
  AppendArray(line, decision.errors, [&](const interp::RuleError& error) {
    AppendQuoted(line, RuleErrorText(program, error));
  });
  if (decision.moved) {
    line += R"(,"warnings":)";
    AppendArray(line, Warnings(program, decision),
                [&](const std::string& w) { AppendQuoted(line, w); });
  }
  if (trace != nullptr) {
    line += R"(,"as_of":)";
    AppendQuoted(line, FormatDate(as_of));
    line += R"(,"explain":)";
    line += ExplainJson(program, *trace).dump(-1, ' ', false, json::error_handler_t::replace);
    // The version of each table the decision read: which Entity List said so.
    if (!trace->tables.empty()) {
      line += R"(,"tables":)";
      auto text_or_null = [&](const std::string& text) {
        if (text.empty()) {
          line += "null";
        } else {
          AppendQuoted(line, text);
        }
      };
      AppendArray(line, trace->tables, [&](const interp::TableTrace& t) {
        line += R"({"table":)";
        AppendQuoted(line, t.name);
        line += fmt::format(R"(,"rows":{},"hash":"{:016x}","compiled_from":)", t.rows, t.hash);
        text_or_null(t.compiled_from);
        line += R"(,"read_from":)";
        text_or_null(t.source);
        line += R"(,"modified":)";
        text_or_null(t.modified);
        line += '}';
      });
    }
  }
  line += '}';
}

auto JsonDecider::Decide(std::string_view json, std::optional<DayNumber> as_of,
                         interp::Decision& out, interp::Trace* trace,
                         std::vector<std::string>& problems) -> bool {
  bool well_formed = decoder_.Decode(json, slots_, problems);
  if (well_formed) problems.clear();
  return DecideSlots(well_formed, as_of, out, trace);
}

auto JsonDecider::DecideSlots(bool well_formed, std::optional<DayNumber> as_of,
                              interp::Decision& out, interp::Trace* trace) -> bool {
  const ir::Program& program = session_.engine().program();
  if (!well_formed) {
    out.Clear();
    out.error = true;
    if (trace != nullptr) trace->rules.clear();
    return false;
  }
  if (as_of && program.as_of_slot != ir::kNoId) slots_[program.as_of_slot].bits = *as_of;
  day_ = as_of                             ? *as_of
         : program.as_of_slot != ir::kNoId ? static_cast<DayNumber>(slots_[program.as_of_slot].bits)
         : trace != nullptr                ? Today()  // --explain shows the day
                                           : session_.engine().DefaultDay();
  session_.Decide(slots_, day_, out, trace);
  return true;
}

}  // namespace cordon::runtime
