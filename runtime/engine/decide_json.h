// SPDX-License-Identifier: Apache-2.0
// Deciding JSON requests and rendering decisions: the one path that `cordon decide` and the C
// API both take, so a host sees exactly what the command line prints.
#ifndef CORDON_RUNTIME_ENGINE_DECIDE_JSON_H_
#define CORDON_RUNTIME_ENGINE_DECIDE_JSON_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"
#include "runtime/request/request.h"

namespace cordon::runtime {

using interp::DecisionName;
auto Citation(const ir::Program& program, const ir::Rule& rule) -> std::string_view;
// The message of the rule's `then`, or of the `unless` that replaced it, its holes filled.
auto ReasonMessage(const ir::Rule& rule, const interp::Reason& reason) -> const std::string&;
// "rule `x` (15 CFR 744.11): division by zero in …", or the message alone for an error that
// belongs to no rule (a refused request struct).
auto RuleErrorText(const ir::Program& program, const interp::RuleError& error) -> std::string;

// What a reader of `decision` must know although it stands: for a request past the policy's
// review date (within the grace period), that the law after it is not encoded. Empty otherwise.
auto Warnings(const ir::Program& program, const interp::Decision& decision)
    -> std::vector<std::string>;

// One line of `cordon decide` output: {"decision", "reasons", "errors"}, plus "as_of" and
// "explain" with a trace. A malformed request (`problems` not empty) is an `error` decision
// listing them.
auto DecisionJson(const ir::Program& program, const interp::Decision& decision,
                  std::span<const std::string> problems, const interp::Trace* trace,
                  DayNumber as_of) -> std::string;
// The same appended to `line` (no newline), which a batch reuses from line to line.
void AppendDecisionJson(std::string& line, const ir::Program& program,
                        const interp::Decision& decision, std::span<const std::string> problems,
                        const interp::Trace* trace, DayNumber as_of);

// Decodes and decides JSON requests for one thread.
class JsonDecider {
 public:
  explicit JsonDecider(Engine& engine) : session_(engine), decoder_(engine.program()) {}

  // False when the request is malformed: `problems` says why and `out` is an `error` decision.
  // The day is `as_of` when given (and then the request's own `as_of` field follows it, so
  // listing dates compare with the same day), else the request's `as_of`, else today.
  auto Decide(std::string_view json, std::optional<DayNumber> as_of, interp::Decision& out,
              interp::Trace* trace, std::vector<std::string>& problems) -> bool;
  // Decides slots() as filled by a request builder (request::Builder::Fill), as Decide decides
  // decoded ones: not `well_formed`, the decision is `error` (the problems are the builder's).
  auto DecideSlots(bool well_formed, std::optional<DayNumber> as_of, interp::Decision& out,
                   interp::Trace* trace) -> bool;
  auto slots() -> std::vector<ir::Datum>& { return slots_; }
  // The day the last decision was made for.
  auto day() const -> DayNumber { return day_; }
  auto session() -> Session& { return session_; }
  auto decoder() -> request::Decoder& { return decoder_; }

 private:
  Session session_;
  request::Decoder decoder_;
  std::vector<ir::Datum> slots_;
  DayNumber day_ = 0;
};

}  // namespace cordon::runtime

#endif  // CORDON_RUNTIME_ENGINE_DECIDE_JSON_H_
