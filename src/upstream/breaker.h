#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/clock.h"

namespace cryptodash::upstream {

struct breaker_settings {
  int failure_threshold = 5;       ///< consecutive failures that open it
  double failure_rate = 0.5;       ///< or this share of failed calls in the window…
  core::duration window = std::chrono::seconds(60);
  int min_calls = 10;              ///< …once the window holds at least this many calls
  core::duration open_for = std::chrono::seconds(30);  ///< cool-down before probing
  int half_open_probes = 1;        ///< probes let through at a time; all must succeed to close
};

enum class breaker_state { closed, open, half_open };
std::string_view to_string(breaker_state s) noexcept;

struct breaker_stats {
  breaker_state state = breaker_state::closed;
  int consecutive_failures = 0;
  std::int64_t window_calls = 0;
  std::int64_t window_failures = 0;
  std::uint64_t opened = 0;       ///< times it went to open
  std::uint64_t rejected = 0;     ///< calls refused while open or out of probes
  core::time_point open_until{};  ///< when open: when probing starts
};

/// A circuit breaker: closed → open after `failure_threshold` consecutive failures or a failure
/// rate over the window; open for `open_for`; then half-open, admitting `half_open_probes`
/// calls at a time. Every probe succeeding closes it, one failing reopens it.
/// Sans-I/O (the caller passes `now`); not thread-safe.
///
/// Protocol: a call goes only if try_acquire() said yes, and then exactly one of on_success,
/// on_failure or on_neutral reports how it ended (neutral: it says nothing about the
/// provider's health, e.g. a 404 or a cancelled call).
class circuit_breaker {
 public:
  explicit circuit_breaker(breaker_settings s = {}) noexcept;

  void reconfigure(const breaker_settings& s) noexcept;

  bool try_acquire(core::time_point now) noexcept;
  void on_success(core::time_point now) noexcept;
  void on_failure(core::time_point now) noexcept;
  void on_neutral(core::time_point now) noexcept;

  /// The state as of `now` (an open breaker whose cool-down is over reports half_open).
  breaker_state state(core::time_point now) const noexcept;
  breaker_stats stats(core::time_point now) const noexcept;

 private:
  static constexpr int buckets = 10;
  struct bucket {
    std::int64_t index = -1;  ///< which slice of time it counts
    std::int64_t calls = 0;
    std::int64_t failures = 0;
  };

  void record(core::time_point now, bool failed) noexcept;
  void open(core::time_point now) noexcept;
  void close() noexcept;
  std::pair<std::int64_t, std::int64_t> window_totals(core::time_point now) const noexcept;
  std::int64_t slice_of(core::time_point now) const noexcept;

  breaker_settings settings_;
  breaker_state state_ = breaker_state::closed;
  int consecutive_failures_ = 0;
  core::time_point open_until_{};
  int probes_in_flight_ = 0;
  int probe_successes_ = 0;
  std::array<bucket, buckets> window_{};
  std::uint64_t opened_ = 0;
  std::uint64_t rejected_ = 0;
};

}  // namespace cryptodash::upstream
