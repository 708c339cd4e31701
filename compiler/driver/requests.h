// SPDX-License-Identifier: Apache-2.0
// The requests `cordon decide` and `cordon diff` read: JSON Lines streamed from a file or a pipe,
// one answer per input line (blank lines included), or one object written over several lines.
// Memory stays flat whatever the input's size: one line at a time, each at most kMaxRequestBytes.
#ifndef CORDON_COMPILER_DRIVER_REQUESTS_H_
#define CORDON_COMPILER_DRIVER_REQUESTS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/base/error_or.h"

namespace cordon::driver {

// The longest request line (or whole multi-line request) read: a request is a few hundred bytes,
// so 1 MiB is room for any real one while bounding what one line can cost.
inline constexpr size_t kMaxRequestBytes = size_t{1} << 20;

// One input line. `problem` is set instead of `text` when the line cannot be a request (blank,
// too long); the caller still answers it, as an `error` decision.
struct RequestLine {
  size_t line = 0;  // 1-based; for a multi-line object, its first line
  std::string_view text;
  std::string problem;
};

// Opens `path` ("-" is stdin), refusing what is neither a regular file, a pipe, a socket, a
// terminal nor /dev/null (a directory, /dev/zero, another device), then calls `on_line` for each
// request in order.
// `flush` is called whenever the reader is about to wait for more input, so that answers to the
// lines read so far are out before it blocks. Returns an I/O error (nothing is lost: every line
// read before it was answered).
auto ReadRequestLines(const std::string& path,
                      const std::function<void(const RequestLine&)>& on_line,
                      const std::function<void()>& flush) -> ErrorOr<size_t>;

// The same over a body already in memory (an HTTP request's): one call per request, in order;
// returns how many.
auto SplitRequests(std::string_view body, const std::function<void(const RequestLine&)>& on_line)
    -> size_t;

}  // namespace cordon::driver

#endif  // CORDON_COMPILER_DRIVER_REQUESTS_H_
