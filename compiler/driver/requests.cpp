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

  enum class Mode { kUnknown, kLines, kWhole } mode = Mode::kUnknown;
  std::string buffer;  // unread bytes: at most one partial line
  std::string whole;   // kWhole: the object so far
  bool whole_too_long = false;
  size_t whole_line = 0;
  std::vector<size_t> blanks;  // kUnknown: blank lines before the first request
  bool skipping = false;       // the current line passed the limit: drop it up to its newline
  size_t line = 0;
  size_t answered = 0;

  auto answer = [&](RequestLine request) {
    on_line(request);
    ++answered;
  };
  auto blank = [&](size_t at) {
    answer(RequestLine{.line = at, .problem = std::string(runtime::kBlankLine)});
  };
  auto take = [&](std::string_view text) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (mode == Mode::kWhole) {
      if (whole.size() + text.size() + 1 > kMaxRequestBytes) {
        whole_too_long = true;
      } else {
        whole.append(text).push_back('\n');
      }
      return;
    }
    if (IsBlank(text)) {
      if (mode == Mode::kLines) {
        blank(line);
      } else {
        blanks.push_back(line);
      }
      return;
    }
    if (mode == Mode::kUnknown) {
      if (!IsWhole(text)) {
        mode = Mode::kWhole;
        whole_line = blanks.empty() ? line : blanks.front();
        whole.assign(blanks.size(), '\n');
        whole.append(text).push_back('\n');
        blanks.clear();
        return;
      }
      mode = Mode::kLines;
      for (size_t b : blanks) blank(b);
      blanks.clear();
    }
    answer(RequestLine{.line = line, .text = text});
  };

  constexpr size_t kChunk = 64 * 1024;
  std::vector<char> chunk(kChunk);
  size_t flushed = 0;  // lines answered when `flush` was last called
  for (;;) {
    // Flush only before a read that would wait: a file read through is answered in large
    // batches, a pipe's lines as soon as the writer pauses.
    if (answered > flushed && !Readable(fd)) {
      flush();
      flushed = answered;
    }
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      if (fd != 0) close(fd);
      return Error{
          fmt::format("{}: read failed after {} line(s): {}", name, line, std::strerror(e)),
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
        ++line;
        if (mode == Mode::kWhole) {
          whole_too_long = true;
        } else {
          if (mode == Mode::kUnknown) {
            mode = Mode::kLines;
            for (size_t b : blanks) blank(b);
            blanks.clear();
          }
          answer(RequestLine{.line = line, .problem = TooLong()});
        }
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
    ++line;
    if (mode == Mode::kWhole) {
      whole_too_long = true;
    } else {
      if (mode == Mode::kUnknown) mode = Mode::kLines;
      for (size_t b : blanks) blank(b);
      blanks.clear();
      answer(RequestLine{.line = line, .problem = TooLong()});
    }
  } else if (!buffer.empty()) {
    take(buffer);
  }
  if (mode == Mode::kWhole) {
    if (whole_too_long) {
      answer(RequestLine{.line = whole_line, .problem = TooLong()});
    } else {
      answer(RequestLine{.line = whole_line, .text = whole});
    }
  }
  // Blank lines alone (or an empty input) are answered like any others.
  for (size_t b : blanks) blank(b);
  flush();
  return answered;
}

}  // namespace cordon::driver
