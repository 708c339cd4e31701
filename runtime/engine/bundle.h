// SPDX-License-Identifier: Apache-2.0
// A policy bundle (`cordon compile --bundle`): the checked program and its tables as one file,
// so a host runs the reference interpreter with the runtime alone. Layout, little-endian:
//   "CRDNBNDL"  u32 bundle version  u32 CORDON_ABI_VERSION  u32 ir::kFormat  u32 0
//   u64 policy hash  u64 program size  program (ir::Serialize)  u64 FNV-1a of all before
// Every field is checked on reading; a bundle that is truncated, corrupt, of another version or
// not a bundle at all is refused with a message naming the file, and nothing is loaded.
#ifndef CORDON_RUNTIME_ENGINE_BUNDLE_H_
#define CORDON_RUNTIME_ENGINE_BUNDLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/base/error_or.h"
#include "runtime/ir/ir.h"

namespace cordon::runtime {

inline constexpr uint32_t kBundleVersion = 1;

auto WriteBundle(const ir::Program& program) -> std::vector<uint8_t>;

// `path` names the bundle in messages.
auto ReadBundle(std::span<const uint8_t> bytes, std::string_view path) -> ErrorOr<ir::Program>;

}  // namespace cordon::runtime

#endif  // CORDON_RUNTIME_ENGINE_BUNDLE_H_
