// SPDX-License-Identifier: Apache-2.0
// A request set field by field (the C API's cordon_request). Each value is checked when it is
// set, by the decoder's own checks (request.h), and kept as the slot it decodes to, so that
// deciding it reads no JSON; a value the decoder would refuse is kept with its problem, and
// Fill reports it, with the missing required fields, at the JSON paths and in the order the
// decoder would. A field given as JSON (SetJson) makes the whole request go through the
// decoder instead (Render): lists and sets are rare in hosts' requests, and one decoder of
// JSON is enough.
#ifndef CORDON_RUNTIME_REQUEST_BUILDER_H_
#define CORDON_RUNTIME_REQUEST_BUILDER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/ir/ir.h"

namespace cordon::request {

class Builder {
 public:
  explicit Builder(const ir::Program& program);

  auto program() const -> const ir::Program& { return program_; }
  // The schema node at a dotted path of JSON keys ("end_user.hq_country"), or ir::kNoId.
  auto Find(std::string_view path) const -> uint32_t;

  // Unsets every field.
  void Clear();
  // Each setter replaces what was set at, inside or around `node`, a node Find gave. The caller
  // has checked that the setter fits the node (SetText: a text, date, country, enum or duration
  // field; SetNull: an optional one), that a text is UTF-8 and a decimal JSON's number.
  void SetText(uint32_t node, std::string_view text);
  void SetInteger(uint32_t node, int64_t value);
  void SetDecimal(uint32_t node, std::string_view text, const Number& value);
  void SetBool(uint32_t node, bool value);
  void SetNull(uint32_t node);
  void SetJson(uint32_t node, std::string_view json);

  // Whether the request must be rendered and decoded: a field was given as JSON, or the policy
  // has no request schema (the decoder says so).
  auto needs_decoder() const -> bool;
  // The slots (resized to the program's) and the problems (at JSON paths) exactly as the
  // decoder would give them for Render's JSON; true when there are none. Texts in `slots` point
  // into the builder: valid until its field is set again. Only when !needs_decoder().
  auto Fill(std::vector<ir::Datum>& slots, std::vector<std::string>& problems) const -> bool;
  // The request as one JSON object: each field set, in the schema's order.
  void Render(std::string& out) const;

 private:
  enum class How : uint8_t { kUnset, kText, kInteger, kDecimal, kBool, kNull, kJson };
  struct Field {
    std::string input;    // kText, kDecimal: the value as given; kJson: the JSON
    int64_t integer = 0;  // kInteger
    ir::Datum datum;      // what it decodes to, when `problem` is empty
    std::string problem;  // why the decoder would refuse it
  };

  // Unsets what was set around `node` (its records) and inside it; returns its field.
  auto Replace(uint32_t node, How how) -> Field&;
  void UnsetInside(uint32_t node);
  void FillRecord(uint32_t node, ir::Datum* slots, std::vector<std::string>& problems) const;
  auto Path(uint32_t node) const -> std::string;
  auto RenderNode(uint32_t node, std::string& out) const -> bool;

  const ir::Program& program_;
  // Hosts set the same few paths on every request: the node of each path found lately, by a
  // hash of its length and two of its bytes, checked against the whole path. A builder is used
  // by one thread at a time (cordon.h), so Find may update it.
  struct Recent {
    std::string path;
    uint32_t node = ir::kNoId;
  };
  mutable std::array<Recent, 16> recent_;
  auto FindUncached(std::string_view path) const -> uint32_t;
  // Each record's fields by name, side by side for Find (a host's every set looks one up).
  struct Child {
    std::string_view name;
    uint32_t node;
  };
  std::vector<Child> children_;
  std::vector<uint32_t> first_child_;  // by schema node: its fields in children_, up to the next
  // By schema node. INVARIANT: fields_ and how_ are never resized after construction, so a
  // text datum's pointer into its field's `input` stays valid until that field is set again.
  std::vector<Field> fields_;
  std::vector<How> how_;           // apart from fields_, so that Clear touches one byte a field
  std::vector<uint32_t> parent_;   // ir::kNoId for the root and for list elements' records
  std::vector<uint32_t> records_;  // the records below the root, each after those inside it
  size_t json_fields_ = 0;         // fields set with SetJson
  mutable std::vector<uint8_t> given_;  // Fill's, by record: something inside it is set
};

}  // namespace cordon::request

#endif  // CORDON_RUNTIME_REQUEST_BUILDER_H_
