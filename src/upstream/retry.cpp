#include "upstream/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace cryptodash::upstream {

attempt_class classify_status(unsigned status) noexcept {
  if (status >= 200 && status < 300) return attempt_class::success;
  if (status == 429 || status == 418) return attempt_class::rate_limited;
  if (status == 408 || status >= 500) return attempt_class::retryable;
  return attempt_class::client_error;
}

core::duration full_jitter(int attempt, core::duration base, core::duration cap,
                           double unit) noexcept {
  attempt = std::clamp(attempt, 0, 30);
  const double ceiling =
      std::min(static_cast<double>(cap.count()), static_cast<double>(base.count()) *
                                                     std::ldexp(1.0, attempt));
  unit = std::clamp(unit, 0.0, 1.0);
  return core::duration(static_cast<core::duration::rep>(ceiling * unit));
}

std::optional<core::duration> parse_retry_after(std::string_view value, core::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    seconds = std::min<std::int64_t>(seconds, 7LL * 24 * 3600);  // Binance bans last 3 days max
    return std::chrono::seconds(seconds);
  }
  // IMF-fixdate, the only HTTP-date form senders may generate.
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  return std::max(core::duration::zero(), std::chrono::duration_cast<core::duration>(at - now));
}

}  // namespace cryptodash::upstream
