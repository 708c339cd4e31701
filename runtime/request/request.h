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

// The checks of one value against its field, shared by the decoder and the request builder
// (runtime/request/builder.h), so that a field set by name is refused exactly as the same value
// in JSON. Those that check return false with `problem`: the decoder's message for the value,
// which it prefixes with the field's JSON path.

// What a field takes, in words: "a date \"YYYY-MM-DD\"", "one of \"export\", \"reexport\"".
auto Expected(const ir::Program& program, const ir::SchemaNode& node) -> std::string;
// JSON's number grammar, nothing around it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
auto IsJsonNumber(std::string_view text) -> bool;
// Whether `text` is UTF-8 (JSON's strings must be).
auto IsUtf8(std::string_view text) -> bool;
// The same, for texts that are ASCII without a call: most texts a host sets are short ASCII,
// for which the check costs less than a call.
inline auto IsUtf8Inline(std::string_view text) -> bool {
  unsigned char high = 0;
  for (char c : text) high |= static_cast<unsigned char>(c);
  return high < 0x80 || IsUtf8(text);
}
// A number given for a `number`, `int` or `duration` field, written `raw` (for messages): whole
// where the field wants it, then times the field's scale (its unit), exactly.
auto ScaleNumber(const ir::Program& program, const ir::SchemaNode& node, const Number& value,
                 std::string_view raw, ir::Datum& out, std::string& problem) -> bool;
// A string given for a field of `kind` (`node`'s, or its set's element): a date, a country code,
// an enum value, a duration field's ISO 8601 duration ("P30D"), or a text, which `out` points
// at: the caller keeps `text` alive.
auto DecodeString(const ir::Program& program, const ir::SchemaNode& node, ir::Kind kind,
                  std::string_view text, ir::Datum& out, std::string& problem) -> bool;
// A field the request does not give (or gives as null, when optional), in the slots from `base`:
// none when optional, the empty list for a list, and every field of a record likewise.
void MarkAbsent(const ir::Program& program, uint32_t node_id, ir::Datum* base);
// The problem of a required field the request does not give.
auto MissingField(const ir::Program& program, const ir::SchemaNode& node) -> std::string;
// The problem of a request to a policy that declares no `input Request`, at "$".
inline constexpr std::string_view kNoRequestSchema =
    "$: this policy declares no `input Request`, so it cannot decide requests";

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
