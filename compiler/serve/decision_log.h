// SPDX-License-Identifier: Apache-2.0
// The decision log: one JSON line per decision, appended to DIR/decisions.jsonl by a thread of
// its own, so that a slow or full disk never holds up a decision. When the file passes its size
// limit it is renamed decisions-<UTC time>-<n>.jsonl and a new one is started. A line is written
// whole or not at all; lines that cannot be written (the disk is full, the file is not writable)
// are dropped and counted, and the error is kept for /healthz and /metrics until a write works.
#ifndef CORDON_COMPILER_SERVE_DECISION_LOG_H_
#define CORDON_COMPILER_SERVE_DECISION_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/base/error_or.h"

namespace cordon::serve {

class DecisionLog {
 public:
  // Creates `dir` if needed. Fails only when it cannot be a directory; a file that cannot be
  // opened yet is an error reported by status(), retried each second.
  static auto Open(const std::string& dir, uint64_t max_file_bytes)
      -> ErrorOr<std::unique_ptr<DecisionLog>>;
  ~DecisionLog();  // writes what is queued, then stops

  // Queues `lines` (`count` of them, each ending in '\n'). Never blocks on the disk: past
  // kMaxQueuedBytes the lines are dropped and counted.
  void Append(std::string lines, uint64_t count);
  // Waits until every line queued so far is written or dropped.
  void Flush();

  struct Status {
    uint64_t written = 0;  // lines in the log
    uint64_t dropped = 0;  // lines that could not be written
    uint64_t rotations = 0;
    std::string error;  // the last write's failure, "" once writes work
  };
  auto status() const -> Status;

  static constexpr uint64_t kMaxQueuedBytes = uint64_t{256} << 20;

 private:
  DecisionLog(std::string dir, uint64_t max_file_bytes);
  void Run();
  // Opens decisions.jsonl for appending (false, with the error kept, when it cannot).
  auto OpenFile() -> bool;
  void Rotate();
  // Writes one chunk of whole lines; false when it could not (the file is left as it was).
  auto Write(const std::string& lines) -> bool;
  void SetError(std::string error);

  const std::string dir_;
  const std::string path_;
  const uint64_t max_file_bytes_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  struct Chunk {
    std::string lines;
    uint64_t count;
  };
  std::vector<Chunk> queue_;
  uint64_t queued_bytes_ = 0;
  uint64_t appended_ = 0;  // lines queued (or dropped at the queue), ever
  uint64_t settled_ = 0;   // of those, written or dropped
  bool stop_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace cordon::serve

#endif  // CORDON_COMPILER_SERVE_DECISION_LOG_H_
