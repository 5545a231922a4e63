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

std::optional<time_point> parse_rfc3339(std::string_view t) noexcept {
  std::size_t pos = 0;
  // `n` digits at pos as a number, or -1.
  auto digits = [&](std::size_t n) -> int {
    if (pos + n > t.size()) return -1;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = t[pos + i];
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
  };
  auto expect = [&](char a, char b = '\0') {
    if (pos >= t.size() || (t[pos] != a && (b == '\0' || t[pos] != b))) return false;
    ++pos;
    return true;
  };
  const int y = digits(4);
  if (y < 0 || !expect('-')) return std::nullopt;
  const int mo = digits(2);
  if (mo < 0 || !expect('-')) return std::nullopt;
  const int d = digits(2);
  if (d < 0 || !expect('T', 't')) return std::nullopt;
  const int h = digits(2);
  if (h < 0 || !expect(':')) return std::nullopt;
  const int mi = digits(2);
  if (mi < 0 || !expect(':')) return std::nullopt;
  const int s = digits(2);
  if (s < 0 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    const auto start = pos;
    std::int64_t ns = 0;
    int kept = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (kept < 9) {
        ns = ns * 10 + (t[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; kept < 9; ++kept) ns *= 10;
    fraction = std::chrono::nanoseconds(ns);
  }
  std::chrono::minutes offset{0};
  if (expect('Z', 'z')) {
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    const int sign = t[pos] == '-' ? -1 : 1;
    ++pos;
    const int oh = digits(2);
    if (oh < 0 || oh > 23 || !expect(':')) return std::nullopt;
    const int om = digits(2);
    if (om < 0 || om > 59) return std::nullopt;
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(h) +
                     std::chrono::minutes(mi) + std::chrono::seconds(s) + fraction;
  return time_point(std::chrono::duration_cast<time_point::duration>(
      (local - offset).time_since_epoch()));
}

std::int64_t to_unix_seconds(time_point t) noexcept {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

time_point from_unix_seconds(std::int64_t s) noexcept {
  return time_point(std::chrono::seconds(s));
}

}  // namespace cryptodash::core
