// SPDX-License-Identifier: Apache-2.0
// Reading requests as a stream: see requests.h.
#include "compiler/driver/requests.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/engine/batch.h"

namespace cordon::driver {
namespace {

auto IsBlank(std::string_view line) -> bool {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// True when `line` closes every `{` and `[` it opens: a JSON Lines line, not the start of an
// object written over several lines.
auto IsWhole(std::string_view line) -> bool {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return depth <= 0 && !in_string;
}

// Whether a read of `fd` would return at once (data, or the end of the input).
auto Readable(int fd) -> bool {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  int n = 0;
  do {
    n = poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

auto TooLong() -> std::string {
  return fmt::format("$: longer than {} bytes, the limit for one request", kMaxRequestBytes);
}

// Sorts input lines into requests: JSON Lines (one request a line, a blank line answered as
// an error), or one object written over several lines (decided by the first non-blank line).
class RequestSplitter {
 public:
  explicit RequestSplitter(const std::function<void(const RequestLine&)>& on_line)
      : on_line_(on_line) {}

  // One line, without its '\n' (a '\r' before it is ignored).
  void Take(std::string_view text) {
    ++line_;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (mode_ == Mode::kWhole) {
      if (whole_.size() + text.size() + 1 > kMaxRequestBytes) {
        whole_too_long_ = true;
      } else {
        whole_.append(text).push_back('\n');
      }
      return;
    }
    if (IsBlank(text)) {
      if (mode_ == Mode::kLines) {
        Blank(line_);
      } else {
        blanks_.push_back(line_);
      }
      return;
    }
    if (mode_ == Mode::kUnknown) {
      if (!IsWhole(text)) {
        mode_ = Mode::kWhole;
        whole_line_ = blanks_.empty() ? line_ : blanks_.front();
        whole_.assign(blanks_.size(), '\n');
        whole_.append(text).push_back('\n');
        blanks_.clear();
        return;
      }
      StartLines();
    }
    Answer(RequestLine{.line = line_, .text = text});
  }

  // A line past kMaxRequestBytes, answered as an error (or spoiling the object it is part of).
  void TakeTooLong() {
    ++line_;
    if (mode_ == Mode::kWhole) {
      whole_too_long_ = true;
      return;
    }
    if (mode_ == Mode::kUnknown) StartLines();
    Answer(RequestLine{.line = line_, .problem = TooLong()});
  }

  // The end of the input: the object written over several lines, or the blank lines alone.
  void Finish() {
    if (mode_ == Mode::kWhole) {
      if (whole_too_long_) {
        Answer(RequestLine{.line = whole_line_, .problem = TooLong()});
      } else {
        Answer(RequestLine{.line = whole_line_, .text = whole_});
      }
    }
    // Blank lines alone (or an empty input) are answered like any others.
    for (size_t b : blanks_) Blank(b);
    blanks_.clear();
  }

  auto answered() const -> size_t { return answered_; }
  auto lines() const -> size_t { return line_; }

 private:
  enum class Mode { kUnknown, kLines, kWhole };

  void StartLines() {
    mode_ = Mode::kLines;
    for (size_t b : blanks_) Blank(b);
    blanks_.clear();
  }
  void Answer(const RequestLine& request) {
    on_line_(request);
    ++answered_;
  }
  void Blank(size_t at) {
    Answer(RequestLine{.line = at, .problem = std::string(runtime::kBlankLine)});
  }

  const std::function<void(const RequestLine&)>& on_line_;
  Mode mode_ = Mode::kUnknown;
  std::string whole_;  // kWhole: the object so far
  bool whole_too_long_ = false;
  size_t whole_line_ = 0;
  std::vector<size_t> blanks_;  // kUnknown: blank lines before the first request
  size_t line_ = 0;
  size_t answered_ = 0;
};

// Opens the input and refuses what cannot be a stream of requests: a directory, or a device
// such as /dev/zero that would be read until memory runs out.
auto Open(const std::string& path) -> ErrorOr<int> {
  int fd = 0;
  if (path != "-") {
    // O_NONBLOCK so that a FIFO without a writer does not hang before it is recognised.
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      return Error{fmt::format("{}: cannot open the requests file: {}", path, std::strerror(errno)),
                   ErrorKind::kIo};
    }
  }
  const std::string name = path == "-" ? "stdin" : path;
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    if (fd != 0) close(fd);
    return Error{fmt::format("{}: cannot read it: {}", name, std::strerror(e)), ErrorKind::kIo};
  }
  // /dev/null is an empty input (a script's `< /dev/null`); other devices are refused.
  bool dev_null = S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
  bool ok =
      S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd) || dev_null;
  if (!ok) {
    if (fd != 0) close(fd);
    return Error{fmt::format("{}: {}, not a file of requests (requests are read from a regular "
                             "file, a pipe or a terminal)",
                             name, S_ISDIR(st.st_mode) ? "is a directory" : "is a device"),
                 ErrorKind::kIo};
  }
  if (fd != 0) {
    if (S_ISFIFO(st.st_mode)) {
      // A named pipe: now wait for its writer, as a reader of a pipe should.
      close(fd);
      fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return Error{fmt::format("{}: cannot open it: {}", path, std::strerror(errno)),
                     ErrorKind::kIo};
      }
    } else {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
  }
  return fd;
}

}  // namespace

auto ReadRequestLines(const std::string& path,
                      const std::function<void(const RequestLine&)>& on_line,
                      const std::function<void()>& flush) -> ErrorOr<size_t> {
  ErrorOr<int> opened = Open(path);
  if (!opened.ok()) return opened.error();
  const int fd = *opened;
  const std::string name = path == "-" ? "stdin" : path;

  RequestSplitter splitter(on_line);
  std::string buffer;     // unread bytes: at most one partial line
  bool skipping = false;  // the current line passed the limit: drop it up to its newline
  auto take = [&](std::string_view text) { splitter.Take(text); };

  constexpr size_t kChunk = 64 * 1024;
  std::vector<char> chunk(kChunk);
  size_t flushed = 0;  // lines answered when `flush` was last called
  for (;;) {
    // Flush only before a read that would wait: a file read through is answered in large
    // batches, a pipe's lines as soon as the writer pauses.
    if (splitter.answered() > flushed && !Readable(fd)) {
      flush();
      flushed = splitter.answered();
    }
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      if (fd != 0) close(fd);
      return Error{fmt::format("{}: read failed after {} line(s): {}", name, splitter.lines(),
                               std::strerror(e)),
                   ErrorKind::kIo};
    }
    if (n == 0) break;
    std::string_view data(chunk.data(), static_cast<size_t>(n));
    while (!data.empty()) {
      size_t nl = data.find('\n');
      if (skipping) {
        if (nl == std::string_view::npos) break;  // still inside the long line
        skipping = false;
        data.remove_prefix(nl + 1);
        splitter.TakeTooLong();
        continue;
      }
      if (nl == std::string_view::npos) {
        buffer.append(data);
        if (buffer.size() > kMaxRequestBytes) {
          buffer.clear();
          skipping = true;
        }
        break;
      }
      if (buffer.empty()) {
        take(data.substr(0, nl));
      } else if (buffer.size() + nl > kMaxRequestBytes) {
        buffer.clear();
        skipping = true;
        continue;  // the newline ends the skipped line on the next turn
      } else {
        buffer.append(data.substr(0, nl));
        take(buffer);
        buffer.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }
  if (fd != 0) close(fd);
  // The last line may lack its newline.
  if (skipping) {
    splitter.TakeTooLong();
  } else if (!buffer.empty()) {
    take(buffer);
  }
  splitter.Finish();
  flush();
  return splitter.answered();
}

auto SplitRequests(std::string_view body, const std::function<void(const RequestLine&)>& on_line)
    -> size_t {
  RequestSplitter splitter(on_line);
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (line.size() > kMaxRequestBytes) {
      splitter.TakeTooLong();
    } else {
      splitter.Take(line);
    }
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  splitter.Finish();
  return splitter.answered();
}

}  // namespace cordon::driver
