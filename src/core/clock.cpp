#include "core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <time.h>

namespace cryptodash::core {

const system_clock& system_clock::instance() noexcept {
  static const system_clock the_clock;
  return the_clock;
}

time_point system_clock::now() const noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return time_point(std::chrono::duration_cast<duration>(std::chrono::seconds(ts.tv_sec) +
                                                         std::chrono::nanoseconds(ts.tv_nsec)));
}

manual_clock::manual_clock(time_point start) noexcept : ticks_(start.time_since_epoch().count()) {}

time_point manual_clock::now() const noexcept {
  return time_point(duration(ticks_.load(std::memory_order_acquire)));
}

void manual_clock::advance(duration d) noexcept {
  ticks_.fetch_add(d.count(), std::memory_order_acq_rel);
}

void manual_clock::set(time_point t) noexcept {
  ticks_.store(t.time_since_epoch().count(), std::memory_order_release);
}

time_point manual_clock::default_start() noexcept {
  using namespace std::chrono;
  return sys_days(year(2026) / January / 1);
}

std::string format_rfc3339(time_point t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", secs);
}

std::string format_rfc3339_ms(time_point t) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  auto secs = std::chrono::floor<std::chrono::seconds>(ms);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", secs, (ms - secs).count());
}

std::int64_t to_unix_seconds(time_point t) noexcept {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

time_point from_unix_seconds(std::int64_t s) noexcept {
  return time_point(std::chrono::seconds(s));
}

}  // namespace cryptodash::core
