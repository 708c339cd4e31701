// SPDX-License-Identifier: Apache-2.0
// The server's counters, rendered for GET /metrics in Prometheus's text format. Counters only
// grow (a policy reload keeps them), and the hot ones are relaxed atomics: a decision costs a
// few uncontended increments, never a lock.
#ifndef CORDON_COMPILER_SERVE_METRICS_H_
#define CORDON_COMPILER_SERVE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::serve {

class Metrics {
 public:
  static constexpr size_t kMaxOutcomes = 64;

  // The counter index of an outcome name ("error" included), the same across reloads.
  auto OutcomeIndex(std::string_view name) -> uint32_t;
  void CountDecision(uint32_t outcome_index) {
    decisions_[outcome_index].fetch_add(1, std::memory_order_relaxed);
  }
  void CountMalformed(uint64_t n) { malformed_.fetch_add(n, std::memory_order_relaxed); }
  // One HTTP request to /v1/decide that took `seconds`.
  void ObserveDecideLatency(double seconds);
  void CountHttp(std::string_view handler, int status);
  void CountReload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1); }
  void CountSwap(bool ok) { (ok ? swaps_ok_ : swaps_failed_).fetch_add(1); }

  // The lines the server's own state adds (policy, tables, the decision log) come in `extra`.
  auto Render(const std::string& extra) const -> std::string;

 private:
  static constexpr std::array<double, 12> kBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0};
  mutable std::mutex names_mutex_;
  std::vector<std::string> outcome_names_;
  std::array<std::atomic<uint64_t>, kMaxOutcomes> decisions_{};
  std::atomic<uint64_t> malformed_{0};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_ns_{0};
  std::atomic<uint64_t> reloads_ok_{0}, reloads_failed_{0}, swaps_ok_{0}, swaps_failed_{0};
  mutable std::mutex http_mutex_;
  std::map<std::pair<std::string, int>, uint64_t> http_;
};

}  // namespace cordon::serve

#endif  // CORDON_COMPILER_SERVE_METRICS_H_
