// SPDX-License-Identifier: Apache-2.0
// The program reader on damaged input: every truncation and a sweep of flipped bytes of real
// programs must be refused with a message or read back as a valid program, never crash. With
// $CORDON_WRITE_FUZZ_SEEDS set, the programs are also written there as the serialize fuzzer's
// seeds (tests/fuzz/serialize).
#include "runtime/ir/serialize.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/frontend/frontend.h"

namespace cordon::ir {
namespace {

auto Compile(const std::string& text) -> Program {
  frontend::SourceStore sources;
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  auto checked = frontend::CheckText("/test/policy.cordon", text, sources, emitter);
  EXPECT_TRUE(checked.ok() && *checked);
  return std::move(**checked);
}

const char* const kPolicies[] = {
    R"(outcomes prohibited > license_required > no_license_required
unit mm2
input Item { name: text  tpp: number  die_area: number mm2? }
input Request { as_of: date  item: Item  destination: country  chips: int
                kind: enum { export, reexport }  groups: set<country>? }
require request.chips >= 1 "at least one chip"
let has_area(i: Item): bool = i.die_area otherwise 1 mm2 > 0 mm2
rule ac when request.item.tpp >= 4800 and request.destination in {CN, MO} and has_area(request.item)
  effective 2023-11-17 until 2030-01-01 cites "15 CFR 742.6"
  then license_required "a 3A090 chip to China"
  unless request.kind == reexport then prohibited "reexport"
test "t" { given request = { as_of: 2024-01-01, item: { name: "x", tpp: 5000 },
           destination: CN, chips: 2, kind: export } expect license_required by ac })",
    R"(outcomes a > b
input Request { as_of: date  name: text  wait: duration?  tags: set<text>? }
rule r when request.name in {"x", "y"} or request.wait is some w and w > days(3)
  then a "m")",
};

TEST(Serialize, RoundTripsAndRefusesEveryTruncationAndFlip) {
  const char* seeds = std::getenv("CORDON_WRITE_FUZZ_SEEDS");
  int n = 0;
  for (const char* text : kPolicies) {
    Program program = Compile(text);
    std::vector<uint8_t> bytes = Serialize(program);
    if (seeds != nullptr) {
      std::ofstream(std::filesystem::path(seeds) / ("program" + std::to_string(n) + ".bin"),
                    std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
    ++n;
    ErrorOr<Program> back = Deserialize(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(PolicyHash(*back), PolicyHash(program));
    EXPECT_EQ(Print(*back), Print(program));
    for (size_t size = 0; size < bytes.size(); ++size) {
      ErrorOr<Program> cut = Deserialize(std::span(bytes).first(size));
      EXPECT_FALSE(cut.ok()) << "a program cut to " << size << " bytes was read";
    }
    // The checksum catches a flip; to reach the checks behind it, the sweep also writes a
    // matching checksum over the flipped body.
    for (size_t at = 0; at + 8 < bytes.size(); at += 3) {
      std::vector<uint8_t> flipped = bytes;
      flipped[at] ^= 0xa5;
      EXPECT_FALSE(Deserialize(flipped).ok()) << "a flip at byte " << at << " was not caught";
      uint64_t sum = Fnv1a(std::span(flipped).first(flipped.size() - 8));
      for (int i = 0; i < 8; ++i)
        flipped[flipped.size() - 8 + i] = static_cast<uint8_t>(sum >> (8 * i));
      ErrorOr<Program> reread = Deserialize(flipped);
      if (reread.ok()) (void)Print(*reread);  // valid after all: it must be printable
    }
  }
}

}  // namespace
}  // namespace cordon::ir
