#pragma once

#include <optional>

#include "core/clock.h"

namespace cryptodash::upstream {

/// A rate limit: at most `per_minute` units (calls, or Binance request weight) in any 60-second
/// window, of which up to `burst` may go back to back.
struct rate_limit {
  double per_minute = 30;
  int burst = 5;
};

/// The generic cell rate algorithm with reservations. Sans-I/O: the caller passes `now`.
///
/// A plain token bucket lets `burst + per_minute` calls into a minute, which is what gets an
/// API key banned. Here the burst is carved out of the minute: calls are spaced by
/// 60 s / (per_minute - burst + 1), so a minute never holds more than `per_minute` even when it
/// starts with a full burst (`burst` is capped at `per_minute`). The state is a single time
/// (the theoretical arrival time), which is what the Redis version stores too.
/// Not thread-safe.
class gcra {
 public:
  explicit gcra(rate_limit limit = {}) noexcept;

  /// Changes the limit (live reload); reservations already made stand.
  void reconfigure(rate_limit limit) noexcept;

  /// Reserves `weight` units for a call that may start within `max_wait` of `now`. Returns how
  /// long to wait before calling (zero = at once), or nullopt — nothing reserved — if the call
  /// could not start in time. A weight above the burst is allowed alone, from a full bucket.
  std::optional<core::duration> reserve(core::time_point now, int weight,
                                        core::duration max_wait) noexcept;

  /// The spacing between calls at the sustained rate, and the burst tolerance.
  core::duration interval() const noexcept { return interval_; }
  int burst() const noexcept { return burst_; }

 private:
  core::duration interval_{};
  int burst_ = 1;
  core::time_point tat_{};  ///< theoretical arrival time of the next unit
};

/// The parameters both implementations (local and Redis) compute from a limit: spacing and
/// effective burst, in microseconds.
struct gcra_params {
  std::int64_t interval_us;
  int burst;
};
gcra_params gcra_params_of(rate_limit limit) noexcept;

}  // namespace cryptodash::upstream
