#pragma once

#include "cache/entry.h"
#include "core/keys.h"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cryptodash::cache {

/// Counters every tier keeps.
struct tier_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t errors = 0;    ///< the tier could not answer (down, timeout)
  std::uint64_t corrupt = 0;   ///< entries found damaged, deleted, reported as misses
  std::uint64_t writes = 0;
  std::uint64_t entries = 0;   ///< when the tier knows (disk); 0 otherwise
  std::uint64_t bytes = 0;     ///< likewise
  bool healthy = true;
  /// Latency of get(), counts per bucket: ≤0.1, ≤0.25, ≤0.5, ≤1, ≤2.5, ≤5, ≤10, ≤50 ms, more.
  std::uint64_t latency_buckets[9] = {};
};
inline constexpr double tier_latency_bounds_ms[8] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 50};

/// The counters behind tier_stats, cheap to bump from any thread.
class tier_counters {
 public:
  void hit() noexcept { hits_.fetch_add(1, std::memory_order_relaxed); }
  void miss() noexcept { misses_.fetch_add(1, std::memory_order_relaxed); }
  void error() noexcept { errors_.fetch_add(1, std::memory_order_relaxed); }
  void corrupt() noexcept { corrupt_.fetch_add(1, std::memory_order_relaxed); }
  void write() noexcept { writes_.fetch_add(1, std::memory_order_relaxed); }
  void latency(std::chrono::nanoseconds d) noexcept {
    double ms = std::chrono::duration<double, std::milli>(d).count();
    std::size_t i = 0;
    while (i < 8 && ms > tier_latency_bounds_ms[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
  }
  /// The counters; entries, bytes and healthy are the caller's to fill.
  tier_stats snapshot() const noexcept {
    tier_stats s;
    s.hits = hits_.load(std::memory_order_relaxed);
    s.misses = misses_.load(std::memory_order_relaxed);
    s.errors = errors_.load(std::memory_order_relaxed);
    s.corrupt = corrupt_.load(std::memory_order_relaxed);
    s.writes = writes_.load(std::memory_order_relaxed);
    for (int i = 0; i < 9; ++i) s.latency_buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    return s;
  }

 private:
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, errors_{0}, corrupt_{0}, writes_{0};
  std::atomic<std::uint64_t> buckets_[9] = {};
};

/// A lower cache tier (L2 Redis, disk), as the tiered cache sees it. Implementations are
/// thread-safe and never block the caller's thread on I/O.
class tier {
 public:
  virtual ~tier() = default;
  virtual std::string_view name() const noexcept = 0;

  /// The entry for `key`: nullptr on a miss (a damaged entry is deleted and counts as a miss),
  /// or an error if the tier cannot answer now (errc::unavailable, errc::timeout).
  virtual boost::asio::awaitable<core::result<entry_ptr>> get(core::cache_key key) = 0;

  /// Stores `e` until `expires_at` (the tier may keep it shorter, never longer).
  virtual boost::asio::awaitable<core::result<void>> put(core::cache_key key, entry_ptr e,
                                                         core::time_point expires_at) = 0;

  virtual boost::asio::awaitable<core::result<void>> erase(core::cache_key key) = 0;

  /// Removes every key matching a pattern from core::normalize_key_pattern ("market:*", "*");
  /// returns how many.
  virtual boost::asio::awaitable<core::result<std::uint64_t>> clear(std::string pattern) = 0;

  virtual tier_stats stats() const = 0;
};

}  // namespace cryptodash::cache
