#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cryptodash::core {

using time_point = std::chrono::system_clock::time_point;
using duration = std::chrono::system_clock::duration;

/// The source of "now" for every decision taken by time: TTLs, limiters, breakers, backoff,
/// schedules. Wall-clock time, because entries carry their expiry across processes (Redis, disk).
/// Code takes a `const clock&` so tests can drive time instead of sleeping.
/// Implementations are thread-safe.
class clock {
 public:
  virtual ~clock() = default;
  virtual time_point now() const noexcept = 0;
};

/// The real clock. One process-wide instance. It reads CLOCK_REALTIME_COARSE: a few
/// nanoseconds instead of twenty or more, at the price of a resolution of a few milliseconds,
/// which is ample for TTLs, limiters and schedules (and for timestamps shown to the second).
class system_clock final : public clock {
 public:
  static const system_clock& instance() noexcept;
  time_point now() const noexcept override;
};

/// A clock that moves only when told to. Starts at `start` (default 2026-01-01T00:00:00Z).
/// Thread-safe: now() may race with advance() and sees either value.
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_point start = default_start()) noexcept;

  time_point now() const noexcept override;
  void advance(duration d) noexcept;
  void set(time_point t) noexcept;

  static time_point default_start() noexcept;

 private:
  std::atomic<std::int64_t> ticks_;
};

/// "2026-11-22T10:30:45Z" (UTC, whole seconds), the timestamp format of the API.
std::string format_rfc3339(time_point t);
/// "2026-11-22T10:30:45.123Z" (UTC, milliseconds rounded down): WebSocket messages, whose
/// receivers measure delivery latency from it.
std::string format_rfc3339_ms(time_point t);

/// Reads an RFC 3339 timestamp: "YYYY-MM-DDTHH:MM:SS", optional fraction (kept to the
/// nanosecond), then "Z" or an offset "+HH:MM" / "-HH:MM" (lowercase t and z accepted). None
/// for anything else, an impossible date (2026-02-30) or a time out of range (leap second 60
/// included).
std::optional<time_point> parse_rfc3339(std::string_view text) noexcept;

/// Seconds since the Unix epoch, rounded down.
std::int64_t to_unix_seconds(time_point t) noexcept;
time_point from_unix_seconds(std::int64_t s) noexcept;

}  // namespace cryptodash::core
