#pragma once

#include "cache/policy_node.h"

#include <array>
#include <cstdint>
#include <functional>

namespace cryptodash::cache {

/// A hierarchical timer wheel over policy nodes, so that expired entries are found without
/// scanning the cache. Five levels of buckets spanning about 1 s, 1 min, 1 h, 1 day and 6.5 days
/// each (the last also takes anything later); an advance visits only the buckets time has
/// passed through and moves nodes that are not due yet down to finer levels.
///
/// Nodes are due at `expires_ns`; advance() reports them once the finest bucket holding them
/// has passed, i.e. up to about 1.07 s late (readers check expiry exactly; the wheel only
/// reclaims memory). Not thread-safe: used under the policy lock.
class timer_wheel {
 public:
  explicit timer_wheel(std::int64_t now_ns = 0) noexcept;

  /// Adds `n` (not yet scheduled) unless it never expires.
  void schedule(policy_node* n) noexcept;
  /// Removes `n` if scheduled.
  void deschedule(policy_node* n) noexcept;

  /// Moves the wheel's time to `now_ns` and calls `on_expired(n)` for every node due by then,
  /// after unlinking it from the wheel. `on_expired` must not schedule or deschedule.
  void advance(std::int64_t now_ns, const std::function<void(policy_node*)>& on_expired);

  std::int64_t now() const noexcept { return now_; }
  /// Nodes scheduled.
  std::uint64_t size() const noexcept { return size_; }

 private:
  static constexpr int levels = 5;
  static constexpr std::array<int, levels> bucket_counts = {64, 64, 32, 4, 1};
  static constexpr std::array<int, levels> shifts = {30, 36, 42, 46, 49};  // log2 of the span

  void link(policy_node* n) noexcept;
  void process(int level, std::int64_t from_tick, std::int64_t ticks,
               const std::function<void(policy_node*)>& on_expired);

  std::int64_t now_;
  std::uint64_t size_ = 0;
  // Each bucket is a circular list through a sentinel, so unlinking needs no bucket lookup.
  std::array<std::array<policy_node, 64>, levels> wheel_;
};

}  // namespace cryptodash::cache
