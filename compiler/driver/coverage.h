// SPDX-License-Identifier: Apache-2.0
// `cordon test --coverage`: which branches of a policy's rules its `test` blocks made decide,
// grouped by the provision each rule cites. A rule's branches are its own `then` and each of its
// `unless` clauses; a `require` is one branch. A branch is exercised when it gave the reason a
// rule contributed to some test's decision (a `require`: when a test that expected `error`
// broke it). What fired is read from the reference interpreter's trace, whichever engine ran
// the tests, so the report is the same for every engine.
#ifndef CORDON_COMPILER_DRIVER_COVERAGE_H_
#define CORDON_COMPILER_DRIVER_COVERAGE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"

namespace cordon::driver {

class Coverage {
 public:
  // Lists the branches of every rule of `program`. `cordon test` checks each file as a policy
  // of its own, so a module that several of them import is loaded several times: its rules are
  // listed once, known by their file and name.
  void AddRules(const ir::Program& program);
  // What one test's decision exercised: `trace` is the interpreter's (runtime::Session::Decide
  // fills it for every engine). AddRules(program) comes first.
  void Record(const ir::Program& program, const ir::Test& test, const interp::Trace& trace);

  // The report: a summary table of the groups, then each group's branches.
  auto Markdown() const -> std::string;
  // The same as one JSON object on one line.
  auto Json() const -> std::string;

 private:
  enum class Kind : uint8_t { kThen, kUnless, kRequire };
  struct Branch {
    Kind kind;
    uint32_t line;
    std::string outcome;             // of a `then` or an `unless`; empty for a `require`
    std::string message;             // a `require`'s: "$.chips: a shipment has at least one chip"
    std::vector<std::string> tests;  // the first few tests that exercised it, each once
    bool exercised = false;
  };
  struct Rule {
    std::string name;
    std::string module;
    std::string file;  // as shown: relative to the working directory when inside it
    uint32_t line = 0;
    std::optional<std::string> citation;
    std::vector<Branch> branches;  // `then`, then each `unless` in order; or the `require`
  };
  struct Group {
    const std::optional<std::string>* citation;
    std::vector<const Rule*> rules;  // by file, then line
    size_t branches = 0;
    size_t exercised = 0;
  };
  // Groups in the order of their citations (digits compared as numbers, so 744.3 comes before
  // 744.21), "(no citation)" last.
  auto Groups() const -> std::vector<Group>;

  std::vector<Rule> rules_;
  std::map<std::pair<std::string, std::string>, size_t> index_;  // (file, name) → rules_
};

}  // namespace cordon::driver

#endif  // CORDON_COMPILER_DRIVER_COVERAGE_H_
