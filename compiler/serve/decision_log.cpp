// SPDX-License-Identifier: Apache-2.0
// The decision log's writer thread (decision_log.h).
#include "compiler/serve/decision_log.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <utility>

namespace cordon::serve {

auto DecisionLog::Open(const std::string& dir, uint64_t max_file_bytes)
    -> ErrorOr<std::unique_ptr<DecisionLog>> {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{fmt::format("--decision-log {}: cannot be a directory{}", dir,
                             ec ? ": " + ec.message() : std::string()),
                 ErrorKind::kIo};
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(dir, max_file_bytes));
}

DecisionLog::DecisionLog(std::string dir, uint64_t max_file_bytes)
    : dir_(std::move(dir)), path_(dir_ + "/decisions.jsonl"), max_file_bytes_(max_file_bytes) {
  OpenFile();
  thread_ = std::thread([this] { Run(); });
}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (fd_ >= 0) close(fd_);
}

void DecisionLog::Append(std::string lines, uint64_t count) {
  {
    std::lock_guard lock(mutex_);
    appended_ += count;
    if (queued_bytes_ + lines.size() > kMaxQueuedBytes) {
      // The writer is far behind (a stalled disk): drop rather than grow without bound.
      status_.dropped += count;
      settled_ += count;
      if (status_.error.empty()) status_.error = "the log's writer is behind; lines dropped";
      return;
    }
    queued_bytes_ += lines.size();
    queue_.push_back(Chunk{std::move(lines), count});
  }
  wake_.notify_one();
}

void DecisionLog::Flush() {
  std::unique_lock lock(mutex_);
  const uint64_t target = appended_;
  drained_.wait(lock, [&] { return settled_ >= target; });
}

auto DecisionLog::status() const -> Status {
  std::lock_guard lock(mutex_);
  return status_;
}

void DecisionLog::SetError(std::string error) {
  std::lock_guard lock(mutex_);
  status_.error = std::move(error);
}

auto DecisionLog::OpenFile() -> bool {
  if (fd_ >= 0) return true;
  fd_ = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    SetError(fmt::format("{}: cannot open: {}", path_, std::strerror(errno)));
    return false;
  }
  struct stat st {};
  file_bytes_ = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  return true;
}

void DecisionLog::Rotate() {
  close(fd_);
  fd_ = -1;
  // A name that sorts by time; the counter keeps two rotations in one second apart.
  uint64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = ++status_.rotations;
  }
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string rotated = fmt::format("{}/decisions-{:%Y%m%dT%H%M%SZ}-{}.jsonl", dir_, now, n);
  if (rename(path_.c_str(), rotated.c_str()) != 0) {
    SetError(fmt::format("{}: cannot rotate to {}: {}", path_, rotated, std::strerror(errno)));
  }
  OpenFile();
}

auto DecisionLog::Write(const std::string& lines) -> bool {
  if (!OpenFile()) return false;
  size_t done = 0;
  while (done < lines.size()) {
    ssize_t n = write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : ENOSPC;
      // Take back a partial chunk, so that the file holds whole lines only.
      if (done > 0 && ftruncate(fd_, static_cast<off_t>(file_bytes_)) != 0) {
        close(fd_);
        fd_ = -1;  // reopened (and appended to) on the next write
      }
      SetError(fmt::format("{}: cannot write: {}", path_, std::strerror(e)));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  file_bytes_ += lines.size();
  return true;
}

void DecisionLog::Run() {
  std::vector<Chunk> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // While the file is failing, try again each second even without new lines to write.
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
      queued_bytes_ = 0;
    }
    for (Chunk& chunk : batch) {
      bool ok = Write(chunk.lines);
      {
        std::lock_guard lock(mutex_);
        if (ok) {
          status_.written += chunk.count;
          status_.error.clear();
        } else {
          status_.dropped += chunk.count;
        }
        settled_ += chunk.count;
      }
      if (ok && file_bytes_ >= max_file_bytes_) Rotate();
    }
    batch.clear();
    drained_.notify_all();
  }
}

}  // namespace cordon::serve
