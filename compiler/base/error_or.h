// SPDX-License-Identifier: Apache-2.0
// ErrorOr<T>: the result of an operation that can fail for reasons outside the user's rule text
// (I/O, resource limits). User mistakes are diagnostics, not Errors.
#ifndef CORDON_COMPILER_BASE_ERROR_OR_H_
#define CORDON_COMPILER_BASE_ERROR_OR_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cordon {

// A tool failure with a one-line, user-readable message.
struct Error {
  std::string message;
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

#endif  // CORDON_COMPILER_BASE_ERROR_OR_H_
