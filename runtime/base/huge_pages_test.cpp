// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace cordon {
namespace {

constexpr size_t kLarge = huge_pages::kHugePage / sizeof(uint64_t) * 3 / 2;  // 3 MiB

TEST(HugePagesTest, SmallBlocksComeFromTheHeap) {
  HugeVector<uint64_t> v(100);
  std::iota(v.begin(), v.end(), 0);
  EXPECT_EQ(v[99], 99u);
}

TEST(HugePagesTest, LargeBlocksAreAlignedToAHugePage) {
  HugeVector<uint64_t> v(kLarge);
  if (huge_pages::kMapsLargeBlocks) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % huge_pages::kHugePage, 0u);
  }
  std::iota(v.begin(), v.end(), 7);
  // The last element, short of the end of the block rounded up to 4 MiB, is written and kept.
  EXPECT_EQ(v.back(), kLarge + 6);
}

TEST(HugePagesTest, GrowingPastTheThresholdKeepsEveryElement) {
  auto value = [](size_t i) { return static_cast<uint32_t>(i * 2654435761u); };
  HugeVector<uint32_t> v;
  for (size_t i = 0; i < 3 * kLarge; ++i) v.push_back(value(i));
  for (size_t i = 0; i < 3 * kLarge; ++i) ASSERT_EQ(v[i], value(i)) << i;
  HugeVector<uint32_t> copy = v;
  HugeVector<uint32_t> moved = std::move(v);
  EXPECT_EQ(copy, moved);
  copy.clear();
  copy.shrink_to_fit();  // frees the mapped block
  EXPECT_EQ(moved[3 * kLarge - 1], value(3 * kLarge - 1));
}

}  // namespace
}  // namespace cordon
