// SPDX-License-Identifier: Apache-2.0
// runtime::DecisionJson writes its lines by hand; these tests hold it, byte for byte, to the
// same line built as an nlohmann tree and dumped, on texts that need escaping: quotes,
// backslashes, control characters, UTF-8 and bytes that are not UTF-8.
#include "runtime/engine/decide_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/base/date.h"

namespace cordon::runtime {
namespace {

using json = nlohmann::ordered_json;

// The oracle: the line as an nlohmann tree.
auto TreeJson(const ir::Program& program, const interp::Decision& decision,
              const std::vector<std::string>& problems, const interp::Trace* trace, DayNumber as_of)
    -> std::string {
  json line;
  if (!problems.empty()) {
    line = {{"decision", "error"}, {"reasons", json::array()}, {"errors", problems}};
  } else {
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
      json rules = json::array();
      for (const interp::RuleTrace& t : trace->rules) {
        json entry = {{"rule", program.rules[t.rule].name}};
        entry["in_force"] = true;
        entry["condition"] = t.condition == interp::RuleTrace::Condition::kTrue;
        entry["values"] = t.comparisons;
        rules.push_back(std::move(entry));
      }
      line["explain"] = rules;
    }
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Texts a policy or a request could carry, each needing some care.
const std::vector<std::string> kTexts = {
    "",
    "plain text",
    "15 CFR 744.11(b)",
    "a \"quoted\" name",
    "back\\slash",
    "delete \x7f alone, which JSON leaves as it is",
    "tab\there, newline\nthere, return\r, bell\a, escape\x1b, delete\x7f",
    "Huawei Technologies Co., Ltd. (华为技术有限公司)",
    "≥ 4800 TPP, € and emoji \xf0\x9f\x98\x80",
    "bad UTF-8 \xff\xfe here",
    "truncated \xe5\x8d",
    "lone continuation \x80",
    std::string("nul \0 inside", 12),
};

auto MakeProgram(std::mt19937& rng) -> ir::Program {
  auto pick = [&] { return kTexts[rng() % kTexts.size()]; };
  ir::Program program;
  program.outcomes = {"prohibited", pick(), "no_license_required"};
  program.citations = {pick(), pick()};
  for (int r = 0; r < 4; ++r) {
    ir::Rule rule;
    rule.name = pick();
    rule.cites = r == 3 ? ir::kNoId : static_cast<ir::CitationId>(r % 2);
    rule.outcome = static_cast<ir::OutcomeId>(r % 3);
    rule.message = pick();
    rule.unless.push_back(ir::Exception{.condition = 0, .outcome = 2, .message = pick()});
    program.rules.push_back(std::move(rule));
  }
  return program;
}

TEST(DecisionJson, WritesWhatAnNlohmannTreeDumps) {
  std::mt19937 rng(20261205);
  for (int round = 0; round < 2000; ++round) {
    ir::Program program = MakeProgram(rng);
    interp::Decision decision;
    for (uint32_t r = 0; r < program.rules.size(); ++r) {
      if (rng() % 2 == 0) continue;
      decision.reasons.push_back(interp::Reason{.rule = r,
                                                .outcome = static_cast<ir::OutcomeId>(rng() % 3),
                                                .exception = rng() % 3 == 0 ? 0 : ir::kNoId});
    }
    if (rng() % 4 == 0) {
      decision.errors.push_back(interp::RuleError{.rule = static_cast<ir::RuleId>(rng() % 6),
                                                  .message = kTexts[rng() % kTexts.size()]});
      decision.error = true;
    }
    interp::FinishDecision(program, decision);
    std::vector<std::string> problems;
    if (rng() % 5 == 0) {
      for (unsigned n = 1 + rng() % 2; n > 0; --n)
        problems.push_back(kTexts[rng() % kTexts.size()]);
    }
    interp::Trace trace;
    interp::Trace* tracing = nullptr;
    if (rng() % 3 == 0) {
      for (uint32_t r = 0; r < program.rules.size(); ++r) {
        trace.rules.push_back(
            interp::RuleTrace{.rule = r,
                              .condition = rng() % 2 ? interp::RuleTrace::Condition::kTrue
                                                     : interp::RuleTrace::Condition::kFalse,
                              .comparisons = {kTexts[rng() % kTexts.size()]}});
      }
      tracing = &trace;
    }
    DayNumber day = 738000 + static_cast<DayNumber>(rng() % 3000);
    ASSERT_EQ(DecisionJson(program, decision, problems, tracing, day),
              TreeJson(program, decision, problems, tracing, day))
        << "round " << round;
  }
}

TEST(DecisionJson, EscapesLikeJson) {
  ir::Program program;
  program.outcomes = {"a \"b\" \\ c"};
  interp::Decision decision;
  decision.outcome = 0;
  EXPECT_EQ(DecisionJson(program, decision, {}, nullptr, 0),
            R"({"decision":"a \"b\" \\ c","reasons":[],"errors":[]})");
  std::vector<std::string> problems = {"x\ny", "bad \xff"};
  EXPECT_EQ(DecisionJson(program, decision, problems, nullptr, 0),
            "{\"decision\":\"error\",\"reasons\":[],\"errors\":[\"x\\ny\",\"bad \xef\xbf\xbd\"]}");
}

// A policy that no date can change is decided without reading the clock; each way a date enters
// a decision makes it read.
TEST(ReadsDay, OnlyWhatADateCanChange) {
  auto undated = [] {
    ir::Program program;
    program.rules.push_back(ir::Rule{.name = "r"});
    program.values.push_back(ir::Value{.op = ir::Op::kConst, .kind = ir::Kind::kBool});
    return program;
  };
  EXPECT_FALSE(ir::ReadsDay(undated()));
  ir::Program effective = undated();
  effective.rules[0].effective = 738000;
  EXPECT_TRUE(ir::ReadsDay(effective));
  ir::Program until = undated();
  until.rules[0].until = 738000;
  EXPECT_TRUE(ir::ReadsDay(until));
  ir::Program reviewed = undated();
  reviewed.reviewed = 738000;
  EXPECT_TRUE(ir::ReadsDay(reviewed));
  ir::Program own_day = undated();
  own_day.as_of_slot = 0;
  EXPECT_TRUE(ir::ReadsDay(own_day));
  ir::Program reads_as_of = undated();
  reads_as_of.values.push_back(ir::Value{.op = ir::Op::kAsOf, .kind = ir::Kind::kDate});
  EXPECT_TRUE(ir::ReadsDay(reads_as_of));
}

}  // namespace
}  // namespace cordon::runtime
