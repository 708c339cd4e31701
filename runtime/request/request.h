// SPDX-License-Identifier: Apache-2.0
// Requests: one JSON object, decoded onto the slots of a policy's `input Request`. Fails closed:
// a missing required field, a wrong JSON type, an unknown enum value, an invalid country code or
// date, or an unknown field makes the request malformed, with every problem listed by JSON path
// (`$.item.tpp: expected a number, got "abc"`). An absent or `null` optional field is `none`.
// Numbers arrive in the unit declared for their field and are converted exactly.
#ifndef CORDON_RUNTIME_REQUEST_REQUEST_H_
#define CORDON_RUNTIME_REQUEST_REQUEST_H_

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/ir/ir.h"

namespace cordon::request {

class Decoder {
 public:
  explicit Decoder(const ir::Program& program);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  auto operator=(const Decoder&) -> Decoder& = delete;

  // Decodes `json` into `slots` (resized to the program's slot count). Returns true when the
  // request is well formed; otherwise `errors` holds one line per problem. Texts in `slots`
  // point into the decoder: they stay valid until the next Decode.
  auto Decode(std::string_view json, std::vector<ir::Datum>& slots,
              std::vector<std::string>& errors) -> bool;

  // A top-level field the policy does not read, such as an order number, that is copied into
  // the decision instead of being refused as unknown. After Decode, id() is its JSON text (a
  // string with its quotes, or a number), or empty when the request did not give it.
  void SetIdField(std::string name);
  auto id() const -> std::string_view;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cordon::request

#endif  // CORDON_RUNTIME_REQUEST_REQUEST_H_
