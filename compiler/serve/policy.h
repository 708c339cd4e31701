// SPDX-License-Identifier: Apache-2.0
// The policy a server decides with: an engine and what describes it, loaded whole and swapped in
// whole. Handlers hold a shared_ptr for the length of a request, so a reload never pulls a
// policy out from under a request in flight: that request finishes on the old one.
#ifndef CORDON_COMPILER_SERVE_POLICY_H_
#define CORDON_COMPILER_SERVE_POLICY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/base/error_or.h"
#include "runtime/engine/decide_json.h"
#include "runtime/engine/engine.h"

namespace cordon::serve {

// Where a policy comes from: rule files, a .so, or a bundle (what `cordon decide` takes).
struct PolicySource {
  std::vector<std::string> roots;        // rule files or directories with policy.cordon
  std::vector<std::string> module_path;  // -I, then the stdlib
  std::string library;                   // a .so from `cordon compile -o`
  std::string bundle;                    // a bundle from `cordon compile --bundle`
  runtime::EngineKind engine = runtime::EngineKind::kInterp;

  // "stdlib/ear + examples/drafts/x.cordon", "ear.so", …
  auto Describe() const -> std::string;
};

class Policy {
 public:
  // Reads and checks the policy, opens its engine. Rule-file errors come back rendered as
  // `cordon check` prints them.
  static auto Load(const PolicySource& source) -> ErrorOr<std::shared_ptr<Policy>>;

  auto engine() -> runtime::Engine& { return *engine_; }
  auto program() const -> const ir::Program& { return engine_->program(); }
  auto source() const -> const PolicySource& { return source_; }
  auto hash_hex() const -> const std::string& { return hash_hex_; }
  auto loaded_at() const -> std::chrono::system_clock::time_point { return loaded_at_; }

  // The server's Metrics counter of each outcome id, then of `error`: set before the policy is
  // put in force, read only after.
  std::vector<uint32_t> outcome_counters;
  // The rule files a policy from rule files was read from (absolute), for the playground.
  auto files() const -> const std::vector<std::string>& { return files_; }

  // A decider for this thread's request, back in the pool when the handle goes. Deciders
  // record the tables each decision read (for the decision log).
  class Lease {
   public:
    Lease(Policy& policy, std::unique_ptr<runtime::JsonDecider> decider)
        : policy_(policy), decider_(std::move(decider)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    auto operator=(const Lease&) -> Lease& = delete;
    auto operator->() -> runtime::JsonDecider* { return decider_.get(); }
    auto operator*() -> runtime::JsonDecider& { return *decider_; }

   private:
    Policy& policy_;
    std::unique_ptr<runtime::JsonDecider> decider_;
  };
  auto Borrow() -> Lease;

  // GET /v1/policy: hash, review date, rules with citations and dates, tables with versions.
  auto DescribeJson() const -> std::string;
  // {"table":"hash",…} for a decision that read `hashes` (Session::table_hashes).
  auto TablesJson(std::span<const uint64_t> hashes) const -> std::string;

 private:
  Policy() = default;

  PolicySource source_;
  std::vector<std::string> files_;
  std::unique_ptr<runtime::Engine> engine_;
  std::string hash_hex_;
  std::chrono::system_clock::time_point loaded_at_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<runtime::JsonDecider>> pool_;
};

}  // namespace cordon::serve

#endif  // CORDON_COMPILER_SERVE_POLICY_H_
