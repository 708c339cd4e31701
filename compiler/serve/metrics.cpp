// SPDX-License-Identifier: Apache-2.0
// Prometheus text exposition of the server's counters (metrics.h).
#include "compiler/serve/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace cordon::serve {

auto Metrics::OutcomeIndex(std::string_view name) -> uint32_t {
  std::lock_guard lock(names_mutex_);
  auto it = std::find(outcome_names_.begin(), outcome_names_.end(), name);
  if (it != outcome_names_.end()) return static_cast<uint32_t>(it - outcome_names_.begin());
  // Past kMaxOutcomes names (many reloads with new outcomes), the last counter is shared.
  if (outcome_names_.size() + 1 >= kMaxOutcomes) return kMaxOutcomes - 1;
  outcome_names_.emplace_back(name);
  return static_cast<uint32_t>(outcome_names_.size() - 1);
}

void Metrics::ObserveDecideLatency(double seconds) {
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_[b].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Metrics::CountHttp(std::string_view handler, int status) {
  std::lock_guard lock(http_mutex_);
  ++http_[{std::string(handler), status}];
}

auto Metrics::Render(const std::string& extra) const -> std::string {
  std::string out;
  auto header = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  header("cordon_decisions_total", "counter", "Decisions made, by outcome (error included).");
  {
    std::lock_guard lock(names_mutex_);
    for (size_t i = 0; i < outcome_names_.size(); ++i) {
      out += fmt::format("cordon_decisions_total{{outcome=\"{}\"}} {}\n", outcome_names_[i],
                         decisions_[i].load(std::memory_order_relaxed));
    }
  }
  header("cordon_malformed_requests_total", "counter",
         "Requests answered with an error decision because they were malformed.");
  out += fmt::format("cordon_malformed_requests_total {}\n", malformed_.load());
  header("cordon_decide_request_seconds", "histogram",
         "Time to answer one POST /v1/decide (a single request or a batch).");
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += latency_[b].load(std::memory_order_relaxed);
    out += fmt::format("cordon_decide_request_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b],
                       cumulative);
  }
  cumulative += latency_[kBuckets.size()].load(std::memory_order_relaxed);
  out += fmt::format("cordon_decide_request_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("cordon_decide_request_seconds_sum {:.9f}\n",
                     static_cast<double>(latency_sum_ns_.load()) / 1e9);
  out += fmt::format("cordon_decide_request_seconds_count {}\n", latency_count_.load());
  header("cordon_policy_reloads_total", "counter", "Policy loads after start, by result.");
  out += fmt::format("cordon_policy_reloads_total{{result=\"ok\"}} {}\n", reloads_ok_.load());
  out +=
      fmt::format("cordon_policy_reloads_total{{result=\"failed\"}} {}\n", reloads_failed_.load());
  header("cordon_table_swaps_total", "counter", "PUT /v1/tables/{name}, by result.");
  out += fmt::format("cordon_table_swaps_total{{result=\"ok\"}} {}\n", swaps_ok_.load());
  out += fmt::format("cordon_table_swaps_total{{result=\"failed\"}} {}\n", swaps_failed_.load());
  header("cordon_http_requests_total", "counter", "HTTP requests, by handler and status.");
  {
    std::lock_guard lock(http_mutex_);
    for (const auto& [key, n] : http_) {
      out += fmt::format("cordon_http_requests_total{{handler=\"{}\",code=\"{}\"}} {}\n", key.first,
                         key.second, n);
    }
  }
  out += extra;
  return out;
}

}  // namespace cordon::serve
