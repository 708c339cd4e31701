// SPDX-License-Identifier: Apache-2.0
// Storage for the large arrays a decision reads at random: a table's rows, its index and its
// name filter. A 100,000-name table spans some 30 MB; in 4 KiB pages that is more than the
// processor's TLB covers, so a lookup also walks page tables. Blocks of 2 MiB or more are
// therefore mapped on their own, aligned to 2 MiB and marked for transparent huge pages.
// Smaller blocks come from the heap. Where the kernel gives no huge pages (THP "never"), a
// mapped block is made of ordinary pages. bench/README.md has the measurements.
#ifndef CORDON_RUNTIME_BASE_HUGE_PAGES_H_
#define CORDON_RUNTIME_BASE_HUGE_PAGES_H_

#include <cstddef>
#include <vector>

namespace cordon {

namespace huge_pages {
// The size from which a block is mapped on its own, aligned to it.
inline constexpr size_t kHugePage = size_t{2} << 20;
// Whether blocks are mapped at all. The sanitizers track heap blocks only: under them every
// block comes from the heap, so that they keep checking every access to a table.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kMapsLargeBlocks = false;
#else
inline constexpr bool kMapsLargeBlocks = true;
#endif
// Throws std::bad_alloc, as operator new does.
auto Allocate(size_t bytes) -> void*;
void Free(void* block, size_t bytes);
}  // namespace huge_pages

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  explicit(false) HugePageAllocator(const HugePageAllocator<U>& /*other*/) {}
  auto allocate(size_t n) -> T* { return static_cast<T*>(huge_pages::Allocate(n * sizeof(T))); }
  void deallocate(T* block, size_t n) { huge_pages::Free(block, n * sizeof(T)); }
  friend auto operator==(const HugePageAllocator&, const HugePageAllocator&) -> bool {
    return true;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_HUGE_PAGES_H_
