// SPDX-License-Identifier: Apache-2.0
#include "runtime/engine/batch.h"

#include <algorithm>
#include <exception>
#include <system_error>
#include <thread>

namespace cordon::runtime {

struct Batch::Worker {
  explicit Worker(Engine& engine) : decider(engine) {}
  JsonDecider decider;
  std::string out;  // rendered lines of this worker's run
};

Batch::Batch(Engine& engine) : engine_(engine) {}
Batch::~Batch() = default;

void Batch::SetIdField(std::string name) {
  id_field_ = std::move(name);
  for (auto& worker : workers_) worker->decider.decoder().SetIdField(id_field_);
}

auto Batch::WorkerAt(size_t w) -> Worker& {
  while (workers_.size() <= w) {
    workers_.push_back(std::make_unique<Worker>(engine_));
    if (!id_field_.empty()) workers_.back()->decider.decoder().SetIdField(id_field_);
  }
  return *workers_[w];
}

auto BatchThreads(size_t count, uint32_t threads) -> uint32_t {
  constexpr size_t kPerThread = 2048;
  size_t worth = std::max<size_t>(1, count / kPerThread);
  return static_cast<uint32_t>(std::clamp<size_t>(threads, 1, worth));
}

template <typename Run>
void Batch::Split(size_t count, uint32_t threads, Run run) {
  if (results_.size() < count) results_.resize(count);
  size_ = count;
  uint32_t n = BatchThreads(count, threads);
  for (uint32_t w = 0; w < n; ++w) {
    WorkerAt(w).out.clear();
  }
  used_workers_ = n;
  auto bounds = [&](uint32_t w) { return std::pair{count * w / n, count * (w + 1) / n}; };
  if (n == 1) {
    run(*workers_[0], size_t{0}, count);
    return;
  }
  std::vector<std::exception_ptr> failed(n);
  auto run_part = [&](uint32_t w) {
    try {
      auto [begin, end] = bounds(w);
      run(*workers_[w], begin, end);
    } catch (...) {
      failed[w] = std::current_exception();
    }
  };
  std::vector<std::thread> threads_started;
  std::vector<uint32_t> not_started;  // a thread the system would not start: run here instead
  threads_started.reserve(n - 1);
  for (uint32_t w = 1; w < n; ++w) {
    try {
      threads_started.emplace_back(run_part, w);
    } catch (const std::system_error&) {
      not_started.push_back(w);
    }
  }
  run_part(0);
  for (uint32_t w : not_started) run_part(w);
  for (std::thread& t : threads_started) t.join();
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
}

void Batch::DecideStructs(const void* requests, size_t count, uint32_t threads) {
  const auto* bytes = static_cast<const uint8_t*>(requests);
  const size_t stride = engine_.layout().size;
  const ir::Program& program = engine_.program();
  Split(count, threads, [&](Worker& worker, size_t begin, size_t end) {
    Session& session = worker.decider.session();
    for (size_t i = begin; i < end; ++i) {
      const uint8_t* request = bytes + i * stride;
      BatchResult& result = results_[i];
      result.problems.clear();
      result.id.clear();
      result.day = engine_.StructDay(request);
      session.DecideStruct(request, result.day, result.decision,
                           lookahead_ && i + 1 < end ? request + stride : nullptr);
      if (render_) {
        AppendDecisionJson(worker.out, program, result.decision, {}, nullptr, result.day);
        worker.out += '\n';
      }
    }
  });
}

void Batch::DecideJson(std::span<const BatchInput> inputs, std::optional<DayNumber> as_of,
                       uint32_t threads) {
  const ir::Program& program = engine_.program();
  Split(inputs.size(), threads, [&](Worker& worker, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const BatchInput& input = inputs[i];
      BatchResult& result = results_[i];
      if (!input.problem.empty()) {
        result.problems.assign(1, std::string(input.problem));
        result.decision.Clear();
        result.decision.error = true;
        result.day = 0;
        if (!id_field_.empty()) result.id = "null";
      } else {
        worker.decider.Decide(input.json, as_of, result.decision, nullptr, result.problems);
        result.day = worker.decider.day();
        if (!id_field_.empty()) {
          std::string_view id = worker.decider.decoder().id();
          result.id.assign(id.empty() ? std::string_view("null") : id);
        }
      }
      if (render_) {
        size_t start = worker.out.size();
        AppendDecisionJson(worker.out, program, result.decision, result.problems, nullptr,
                           result.day);
        if (!id_field_.empty()) worker.out.insert(start + 1, "\"id\":" + result.id + ",");
        worker.out += '\n';
      }
    }
  });
}

void Batch::DecideJsonLines(std::string_view jsonl, std::optional<DayNumber> as_of,
                            uint32_t threads) {
  lines_.clear();
  size_t at = 0;
  while (at < jsonl.size()) {
    size_t end = jsonl.find('\n', at);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view line = jsonl.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    lines_.push_back(blank ? BatchInput{.json = {}, .problem = kBlankLine}
                           : BatchInput{.json = line, .problem = {}});
    at = end + 1;
  }
  DecideJson(lines_, as_of, threads);
}

auto Batch::rendered() const -> std::vector<std::string_view> {
  std::vector<std::string_view> pieces;
  for (size_t w = 0; w < used_workers_; ++w) pieces.emplace_back(workers_[w]->out);
  return pieces;
}

}  // namespace cordon::runtime
