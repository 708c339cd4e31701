// SPDX-License-Identifier: Apache-2.0
// ErrorOr<T>: the result of an operation that can fail for reasons outside the user's rule text
// (I/O, resource limits). User mistakes are diagnostics, not Errors.
#ifndef CORDON_RUNTIME_BASE_ERROR_OR_H_
#define CORDON_RUNTIME_BASE_ERROR_OR_H_

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace cordon {

// What kind of failure an Error is, for callers that answer differently (the C API's status
// codes). Most failures are kOther.
enum class ErrorKind : uint8_t {
  kOther,
  kIo,              // a file cannot be read or written
  kPolicy,          // rule files with errors (the message holds the diagnostics)
  kNotAPolicy,      // a file that is not a compiled Cordon policy, or a corrupt one
  kAbiVersion,      // a compiled policy for another runtime ABI
  kSchemaMismatch,  // a compiled policy or table for another schema
  kTable,           // rows that are not a valid table
  kNoCompiler,      // the compiler component is not installed, or is of another version
};

// A tool failure with a one-line, user-readable message.
struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::kOther;
};

template <typename T>
class [[nodiscard]] ErrorOr {
 public:
  ErrorOr(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, like StatusOr
  ErrorOr(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  auto ok() const -> bool { return std::holds_alternative<T>(state_); }
  auto error() const -> const Error& {
    assert(!ok());
    return std::get<Error>(state_);
  }
  auto value() & -> T& {
    assert(ok());
    return std::get<T>(state_);
  }
  auto value() && -> T&& {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  auto operator->() -> T* { return &value(); }
  auto operator*() & -> T& { return value(); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_ERROR_OR_H_
