// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace cordon::huge_pages {
namespace {

auto Mapped(size_t bytes) -> bool { return kMapsLargeBlocks && bytes >= kHugePage; }

auto RoundUp(size_t bytes) -> size_t { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

}  // namespace

auto Allocate(size_t bytes) -> void* {
  if (!Mapped(bytes)) return ::operator new(bytes);
  if (bytes > SIZE_MAX - 2 * kHugePage) throw std::bad_alloc();
  size_t size = RoundUp(bytes);
  // mmap aligns to a page only: map 2 MiB more and unmap what lies outside the aligned block.
  size_t mapped = size + kHugePage;
  void* at = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (at == MAP_FAILED) throw std::bad_alloc();
  auto start = reinterpret_cast<uintptr_t>(at);
  uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned != start) munmap(at, aligned - start);
  size_t tail = start + mapped - (aligned + size);
  if (tail != 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
  // Advice only: without transparent huge pages the block is made of ordinary pages.
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void Free(void* block, size_t bytes) {
  if (block == nullptr) return;
  if (!Mapped(bytes)) {
    ::operator delete(block);
    return;
  }
  munmap(block, RoundUp(bytes));
}

}  // namespace cordon::huge_pages
