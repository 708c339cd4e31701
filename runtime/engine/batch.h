// SPDX-License-Identifier: Apache-2.0
// Many requests decided in one call: request structs back to back, or JSON requests (JSON Lines).
// Each thread decides one contiguous run of the requests with a session of its own, and every
// decision lands in its request's place, so the order is the input's whatever the thread count.
// A malformed request is an `error` decision in its place; the others are decided as usual.
#ifndef CORDON_RUNTIME_ENGINE_BATCH_H_
#define CORDON_RUNTIME_ENGINE_BATCH_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"
#include "runtime/engine/engine.h"
#include "runtime/interp/interp.h"

namespace cordon::runtime {

// One request of a JSON batch: its text, or (when `problem` is not empty) why the input held no
// request there (a blank line, a line past the length limit), answered as an `error` decision.
struct BatchInput {
  std::string_view json;
  std::string_view problem;
};

// What a blank line of JSON Lines is answered with.
inline constexpr std::string_view kBlankLine =
    "$: a blank line, not a request (each line of JSON Lines holds one request object)";

// One decision of a batch.
struct BatchResult {
  interp::Decision decision;
  std::vector<std::string> problems;  // a malformed request: each problem at its JSON path
  DayNumber day = 0;                  // the day it was decided for
  std::string id;                     // with an id field: its JSON value, "null" when absent
};

// A batch is reused from call to call: its results and sessions keep their memory, so deciding
// batches of a steady size allocates little once grown. Not for two threads at once.
class Batch {
 public:
  explicit Batch(Engine& engine);
  ~Batch();
  Batch(const Batch&) = delete;
  auto operator=(const Batch&) -> Batch& = delete;

  // With `render`, each thread also writes its decisions as `cordon decide` prints them (one
  // JSON line each, DecisionJson), so that the output is made in parallel too (rendered()).
  void set_render(bool render) { render_ = render; }
  // Whether DecideStructs starts fetching the next request's names while one is decided (on by
  // default; off to measure what it saves).
  void set_lookahead(bool lookahead) { lookahead_ = lookahead; }
  // A field of each JSON request that the policy does not read, such as an order number, copied
  // into the result (and the rendered line) as its `id` (request::Decoder::SetIdField).
  void SetIdField(std::string name);

  // `count` request structs of the engine's layout, back to back (JIT and AOT engines: the
  // caller checks). While one request is decided, the names of the next are read and their
  // table lookups started (Session::DecideStruct's `next`).
  void DecideStructs(const void* requests, size_t count, uint32_t threads);
  // JSON requests. The day is `as_of` when given, else each request's own, as JsonDecider says.
  void DecideJson(std::span<const BatchInput> inputs, std::optional<DayNumber> as_of,
                  uint32_t threads);
  // JSON Lines: one request a line, ended by '\n' (a '\r' before it ignored; the last line's
  // newline optional). A blank line is an `error` decision, as in `cordon decide`.
  void DecideJsonLines(std::string_view jsonl, std::optional<DayNumber> as_of, uint32_t threads);

  auto size() const -> size_t { return size_; }
  auto operator[](size_t i) const -> const BatchResult& { return results_[i]; }
  // The last call's decisions, rendered (with set_render): in order, as pieces to be written
  // one after the other; each line ends with '\n'.
  auto rendered() const -> std::vector<std::string_view>;

 private:
  struct Worker;
  // Runs `run(worker, begin, end)` over [0, count) split into `threads` runs, in parallel.
  template <typename Run>
  void Split(size_t count, uint32_t threads, Run run);
  auto WorkerAt(size_t w) -> Worker&;

  Engine& engine_;
  bool render_ = false;
  bool lookahead_ = true;
  std::string id_field_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<BatchResult> results_;
  size_t size_ = 0;
  size_t used_workers_ = 0;
  std::vector<BatchInput> lines_;  // DecideJsonLines's split
};

// The threads a batch of `count` requests is worth: thread start-up costs some tens of
// microseconds, so a thread takes at least a few thousand requests.
auto BatchThreads(size_t count, uint32_t threads) -> uint32_t;

}  // namespace cordon::runtime

#endif  // CORDON_RUNTIME_ENGINE_BATCH_H_
