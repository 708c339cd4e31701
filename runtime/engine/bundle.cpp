// SPDX-License-Identifier: Apache-2.0
#include "runtime/engine/bundle.h"

#include <fmt/format.h>

#include <cstring>

#include "runtime/abi/abi.h"
#include "runtime/ir/serialize.h"

namespace cordon::runtime {
namespace {

constexpr char kMagic[] = "CRDNBNDL";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr size_t kHeaderSize = kMagicSize + 4 * 4 + 8 + 8;
constexpr size_t kChecksumSize = 8;

void Put(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

auto Get(std::span<const uint8_t> bytes, size_t at, int size) -> uint64_t {
  uint64_t value = 0;
  for (int i = 0; i < size; ++i) value |= uint64_t{bytes[at + i]} << (8 * i);
  return value;
}

}  // namespace

auto WriteBundle(const ir::Program& program) -> std::vector<uint8_t> {
  std::vector<uint8_t> serialised = ir::Serialize(program);
  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.reserve(kHeaderSize + serialised.size() + kChecksumSize);
  Put(out, kBundleVersion, 4);
  Put(out, CORDON_ABI_VERSION, 4);
  Put(out, ir::kFormat, 4);
  Put(out, 0, 4);
  Put(out, ir::PolicyHash(program), 8);
  Put(out, serialised.size(), 8);
  out.insert(out.end(), serialised.begin(), serialised.end());
  Put(out, ir::Fnv1a(out), 8);
  return out;
}

auto ReadBundle(std::span<const uint8_t> bytes, std::string_view path) -> ErrorOr<ir::Program> {
  auto refuse = [&](std::string why, ErrorKind kind = ErrorKind::kNotAPolicy) -> Error {
    return Error{fmt::format("{} is not a usable Cordon policy bundle: {}", path, why), kind};
  };
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    return refuse("it does not start with CRDNBNDL (write one with `cordon compile --bundle`)");
  }
  if (bytes.size() < kHeaderSize + kChecksumSize) {
    return refuse(
        fmt::format("it is truncated ({} bytes, shorter than a bundle's header)", bytes.size()));
  }
  uint64_t version = Get(bytes, kMagicSize, 4);
  uint64_t abi = Get(bytes, kMagicSize + 4, 4);
  uint64_t format = Get(bytes, kMagicSize + 8, 4);
  if (version != kBundleVersion || abi != CORDON_ABI_VERSION || format != ir::kFormat) {
    return refuse(
        fmt::format("it is bundle version {} for ABI {} and IR format {}, and this "
                    "runtime reads version {}, ABI {}, format {}: rebuild it with this "
                    "release's `cordon compile --bundle`",
                    version, abi, format, kBundleVersion, CORDON_ABI_VERSION, ir::kFormat),
        ErrorKind::kAbiVersion);
  }
  uint64_t hash = Get(bytes, kMagicSize + 16, 8);
  uint64_t size = Get(bytes, kMagicSize + 24, 8);
  if (size != bytes.size() - kHeaderSize - kChecksumSize) {
    return refuse(
        fmt::format("it is truncated or padded: its header gives a program of {} bytes, "
                    "and the file holds {}",
                    size, bytes.size() - kHeaderSize - kChecksumSize));
  }
  uint64_t stored = Get(bytes, bytes.size() - kChecksumSize, 8);
  if (ir::Fnv1a(bytes.first(bytes.size() - kChecksumSize)) != stored) {
    return refuse("it is corrupt: its bytes do not match the checksum it was written with");
  }
  ErrorOr<ir::Program> program = ir::Deserialize(bytes.subspan(kHeaderSize, size));
  if (!program.ok()) return refuse(program.error().message);
  if (ir::PolicyHash(*program) != hash) {
    return refuse("it is inconsistent: its program does not hash to the policy hash it records");
  }
  return program;
}

}  // namespace cordon::runtime
