// SPDX-License-Identifier: Apache-2.0
// A checked Program as bytes, and back: an AOT .so carries its policy this way, so the runtime
// can decode requests, render reasons and explain decisions without the rule files. The bytes
// end in a checksum; Deserialize refuses anything truncated, corrupt or out of range with a
// message, never a crash.
#ifndef CORDON_RUNTIME_IR_SERIALIZE_H_
#define CORDON_RUNTIME_IR_SERIALIZE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/error_or.h"
#include "runtime/ir/ir.h"

namespace cordon::ir {

// The serialised form's version: 4 added `require` rules and `expect error`, 5 the review date
// (and the ops year, if, else and as_of). Bundles, .so files and the compiler library carry it;
// another version is refused, never misread.
inline constexpr uint32_t kFormat = 9;

auto Serialize(const Program& program) -> std::vector<uint8_t>;
auto Deserialize(std::span<const uint8_t> bytes) -> ErrorOr<Program>;

// What a host compiled against: the request schema, enums, outcomes and table columns. A .so
// whose hash differs was built from another policy (or another version of it).
auto SchemaHash(const Program& program) -> uint64_t;

// The whole checked policy: rules, messages, citations, dates, modules, schema and every table's
// rows (not where the files lay on disk). An AOT .so carries its program, so a runtime can tell
// a .so compiled from other rules or older tables than the policy it is told to apply.
auto PolicyHash(const Program& program) -> uint64_t;

// A table's rows as a version: equal hashes, equal rows (whatever file or process they came from).
auto RowsHash(const Rows& rows) -> uint64_t;

auto Fnv1a(std::span<const uint8_t> bytes, uint64_t h = 1469598103934665603ull) -> uint64_t;

}  // namespace cordon::ir

#endif  // CORDON_RUNTIME_IR_SERIALIZE_H_
