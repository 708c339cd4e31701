// SPDX-License-Identifier: Apache-2.0
// `cordon test --coverage`: the branches of a policy's rules, which tests made each decide, and
// the report by citation, in Markdown or JSON (see coverage.h).
#include "compiler/driver/coverage.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>

namespace cordon::driver {
namespace {

namespace fs = std::filesystem;

// A branch lists at most this many of the tests that exercised it.
constexpr size_t kTestsShown = 3;

// Where a rule's file is, once for every path that names it ("stdlib/ear/x.cordon" from a
// root, "/…/stdlib/ear/x.cordon" from the module path).
auto FileKey(const std::string& file) -> std::string {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(file, ec), ec);
  return ec ? file : canonical.string();
}

// The file as the report shows it: relative to the working directory when it is inside it, so
// that a report (and a golden file) does not depend on where the tree is checked out.
auto ShownFile(const std::string& key) -> std::string {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return key;
  fs::path relative = fs::path(key).lexically_relative(cwd);
  if (relative.empty() || *relative.begin() == "..") return key;
  return relative.string();
}

// "15 CFR 744.3" before "15 CFR 744.21": runs of digits compare as numbers.
auto NaturalLess(std::string_view a, std::string_view b) -> bool {
  size_t i = 0;
  size_t j = 0;
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ei = i;
      size_t ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      std::string_view na = a.substr(i, ei - i);
      std::string_view nb = b.substr(j, ej - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;
}

// A table cell's text: `|` would end the cell, a line break the row.
auto Cell(std::string_view text) -> std::string {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

constexpr std::string_view kNoCitation = "(no citation)";

}  // namespace

void Coverage::AddRules(const ir::Program& program) {
  for (const ir::Rule& rule : program.rules) {
    std::string key = FileKey(rule.file);
    auto [it, added] = index_.try_emplace({key, rule.name}, rules_.size());
    if (!added) continue;
    Rule& out = rules_.emplace_back();
    out.name = rule.name;
    out.module = rule.module;
    out.file = ShownFile(key);
    out.line = rule.line;
    if (rule.cites != ir::kNoId) out.citation = program.citations[rule.cites];
    if (rule.requirement) {
      out.branches.push_back(
          Branch{.kind = Kind::kRequire, .line = rule.line, .message = rule.message});
      continue;
    }
    out.branches.push_back(
        Branch{.kind = Kind::kThen, .line = rule.line, .outcome = program.outcomes[rule.outcome]});
    for (const ir::Exception& e : rule.unless) {
      out.branches.push_back(
          Branch{.kind = Kind::kUnless, .line = e.line, .outcome = program.outcomes[e.outcome]});
    }
  }
}

void Coverage::Record(const ir::Program& program, const ir::Test& test,
                      const interp::Trace& trace) {
  for (const interp::RuleTrace& traced : trace.rules) {
    // kTrue: the rule held and gave its reason (a failure after the condition, in an `unless`
    // or a message's value, turns it to kError). A requirement's condition is that it is broken.
    if (traced.condition != interp::RuleTrace::Condition::kTrue) continue;
    const ir::Rule& rule = program.rules[traced.rule];
    if (rule.requirement && !test.expect_error) continue;
    auto it = index_.find({FileKey(rule.file), rule.name});
    if (it == index_.end()) continue;
    Rule& covered = rules_[it->second];
    size_t b = rule.requirement || traced.exception == ir::kNoId ? 0 : traced.exception + 1;
    if (b >= covered.branches.size()) continue;
    Branch& branch = covered.branches[b];
    branch.exercised = true;
    if (branch.tests.size() < kTestsShown &&
        std::find(branch.tests.begin(), branch.tests.end(), test.name) == branch.tests.end()) {
      branch.tests.push_back(test.name);
    }
  }
}

auto Coverage::Groups() const -> std::vector<Group> {
  std::vector<Group> groups;
  std::map<std::string, size_t> by_citation;
  size_t uncited = SIZE_MAX;
  for (const Rule& rule : rules_) {
    size_t& at =
        rule.citation ? by_citation.try_emplace(*rule.citation, SIZE_MAX).first->second : uncited;
    if (at == SIZE_MAX) {
      at = groups.size();
      groups.push_back(Group{.citation = &rule.citation});
    }
    Group& group = groups[at];
    group.rules.push_back(&rule);
    for (const Branch& branch : rule.branches) {
      ++group.branches;
      if (branch.exercised) ++group.exercised;
    }
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (!a.citation->has_value() || !b.citation->has_value()) {
      return b.citation->has_value() < a.citation->has_value();  // "(no citation)" last
    }
    return NaturalLess(**a.citation, **b.citation);
  });
  for (Group& group : groups) {
    std::sort(group.rules.begin(), group.rules.end(), [](const Rule* a, const Rule* b) {
      return std::tie(a->file, a->line, a->name) < std::tie(b->file, b->line, b->name);
    });
  }
  return groups;
}

auto Coverage::Markdown() const -> std::string {
  std::vector<Group> groups = Groups();
  size_t branches = 0;
  size_t exercised = 0;
  for (const Group& g : groups) {
    branches += g.branches;
    exercised += g.exercised;
  }
  // "`then` → license_required", "`unless` 2 → report" (a rule's unless clauses counted from 1,
  // as they are written: branch i of a rule is its i-th `unless`), a `require`'s message.
  auto branch_text = [](const Rule& rule, size_t i) {
    const Branch& b = rule.branches[i];
    switch (b.kind) {
      case Kind::kThen:
        return fmt::format("`then` → {}", b.outcome);
      case Kind::kUnless:
        return fmt::format("`unless` {} → {}", i, b.outcome);
      case Kind::kRequire:
        break;
    }
    return fmt::format("\"{}\"", b.message);
  };
  // A `require` has no name of its own (the IR's `require@module:line` says no more than its line).
  auto rule_text = [](const Rule& rule) {
    bool require = rule.branches.size() == 1 && rule.branches[0].kind == Kind::kRequire;
    return require ? std::string("`require`") : fmt::format("`{}`", rule.name);
  };
  std::string out = "# Test coverage by citation\n\n";
  out += fmt::format(
      "{} of {} branches exercised. A branch is a rule's `then`, each of its `unless` clauses, or "
      "a `require`; it is exercised when it gave a reason to the decision of some test (a "
      "`require`: when a test expecting `error` broke it), as the reference interpreter decides "
      "the tests.\n\n",
      exercised, branches);
  out += "| citation | branches | never exercised |\n|---|---|---|\n";
  for (const Group& g : groups) {
    std::string never;
    for (const Rule* rule : g.rules) {
      for (size_t i = 0; i < rule->branches.size(); ++i) {
        const Branch& b = rule->branches[i];
        if (b.exercised) continue;
        if (!never.empty()) never += "; ";
        never += fmt::format("{} {} ({}:{})", rule_text(*rule), branch_text(*rule, i), rule->file,
                             b.line);
      }
    }
    out += fmt::format("| {} | {} of {} | {} |\n",
                       Cell(g.citation->value_or(std::string(kNoCitation))), g.exercised,
                       g.branches, Cell(never));
  }
  out += fmt::format("| **total** | **{} of {}** | |\n", exercised, branches);
  for (const Group& g : groups) {
    out += fmt::format("\n## {}\n\n", Cell(g.citation->value_or(std::string(kNoCitation))));
    out += "| rule | branch | at | exercised by |\n|---|---|---|---|\n";
    for (const Rule* rule : g.rules) {
      for (size_t i = 0; i < rule->branches.size(); ++i) {
        const Branch& b = rule->branches[i];
        std::string tests;
        for (const std::string& t : b.tests) {
          tests += fmt::format("{}\"{}\"", tests.empty() ? "" : ", ", t);
        }
        out +=
            fmt::format("| {} | {} | {}:{} | {} |\n", rule_text(*rule), Cell(branch_text(*rule, i)),
                        rule->file, b.line, b.exercised ? Cell(tests) : "**never exercised**");
      }
    }
  }
  return out;
}

auto Coverage::Json() const -> std::string {
  using Json = nlohmann::ordered_json;
  std::vector<Group> groups = Groups();
  size_t branches = 0;
  size_t exercised = 0;
  Json groups_json = Json::array();
  for (const Group& g : groups) {
    branches += g.branches;
    exercised += g.exercised;
    Json rules = Json::array();
    for (const Rule* rule : g.rules) {
      Json branch_list = Json::array();
      for (const Branch& b : rule->branches) {
        Json branch = {{"kind", b.kind == Kind::kThen     ? "then"
                                : b.kind == Kind::kUnless ? "unless"
                                                          : "require"},
                       {"line", b.line}};
        if (b.kind == Kind::kRequire) {
          branch["message"] = b.message;
        } else {
          branch["outcome"] = b.outcome;
        }
        branch["exercised"] = b.exercised;
        branch["tests"] = b.tests;
        branch_list.push_back(std::move(branch));
      }
      rules.push_back({{"rule", rule->name},
                       {"module", rule->module},
                       {"file", rule->file},
                       {"line", rule->line},
                       {"branches", std::move(branch_list)}});
    }
    groups_json.push_back(
        {{"citation", g.citation->has_value() ? Json(**g.citation) : Json(nullptr)},
         {"exercised", g.exercised},
         {"branches", g.branches},
         {"rules", std::move(rules)}});
  }
  Json report = {{"computed_by", "interp"},
                 {"exercised", exercised},
                 {"branches", branches},
                 {"groups", std::move(groups_json)}};
  return report.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace cordon::driver
