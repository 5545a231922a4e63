#pragma once

#include <atomic>

namespace cryptodash::cache {

/// A small number fixed per thread (0, 1, 2… in order of first use), for spreading per-thread
/// state over stripes: threads that start together get different stripes.
inline unsigned thread_stripe() noexcept {
  static std::atomic<unsigned> next{0};
  thread_local const unsigned mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

}  // namespace cryptodash::cache
