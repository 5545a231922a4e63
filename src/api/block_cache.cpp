#include "api/block_cache.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <sanitizer/asan_interface.h>

namespace cryptodash::api::detail {

namespace {

constexpr std::size_t class_bytes = 64;
constexpr std::size_t class_count = 16;  // up to 1 KiB
// Up to 64 KiB of blocks per class and thread (1024 of 64 bytes … 64 of 1 KiB), 1 MiB at
// most: enough for the fields of every response a burst of ready connections has in flight
// (their writes complete after all of them were answered).
constexpr std::size_t bytes_per_class = 64 * 1024;

struct free_block {
  free_block* next;
};

// One thread's cached blocks; freed when the thread ends. Blocks given back later in the
// thread's exit (by other thread-local objects) go straight to operator delete.
struct thread_cache {
  std::array<free_block*, class_count> heads{};
  std::array<std::uint32_t, class_count> counts{};
  bool alive = true;

  thread_cache() = default;
  thread_cache(const thread_cache&) = delete;
  thread_cache& operator=(const thread_cache&) = delete;
  ~thread_cache() {
    alive = false;
    for (std::size_t c = 0; c < class_count; ++c) {
      while (free_block* b = heads[c]) {
        ASAN_UNPOISON_MEMORY_REGION(b, (c + 1) * class_bytes);
        heads[c] = b->next;
        ::operator delete(b, (c + 1) * class_bytes);
      }
    }
  }
};

thread_local thread_cache cache;

// The class of a block of `bytes` (0 for 1..64 bytes), or class_count when too large.
std::size_t class_of(std::size_t bytes) noexcept {
  return bytes == 0 ? 0 : std::min((bytes - 1) / class_bytes, class_count);
}

}  // namespace

void* cached_allocate(std::size_t bytes) {
  const std::size_t c = class_of(bytes);
  if (c == class_count) return ::operator new(bytes);
  if (free_block* b = cache.heads[c]) {
    ASAN_UNPOISON_MEMORY_REGION(b, (c + 1) * class_bytes);
    cache.heads[c] = b->next;
    --cache.counts[c];
    return b;
  }
  return ::operator new((c + 1) * class_bytes);
}

void cached_deallocate(void* block, std::size_t bytes) noexcept {
  const std::size_t c = class_of(bytes);
  if (c == class_count) {
    ::operator delete(block, bytes);
    return;
  }
  if (cache.counts[c] >= bytes_per_class / ((c + 1) * class_bytes) || !cache.alive) {
    ::operator delete(block, (c + 1) * class_bytes);
    return;
  }
  auto* b = static_cast<free_block*>(block);
  b->next = cache.heads[c];
  cache.heads[c] = b;
  ++cache.counts[c];
  // Under ASan a kept block stays off limits until handed out again, so a use after free of
  // header fields is still caught (no-op otherwise).
  ASAN_POISON_MEMORY_REGION(b, (c + 1) * class_bytes);
}

}  // namespace cryptodash::api::detail
