#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"

namespace cryptodash::upstream {

/// How a finished attempt counts. Decided by HTTP status alone (bodies vary too much to trust).
enum class attempt_class {
  success,       ///< 2xx
  client_error,  ///< 4xx other than 408/429/418: the request is wrong; not retried, provider fine
  retryable,     ///< 408, 5xx, or no answer at all (timeout, reset, refused): retried, a failure
  rate_limited,  ///< 429 or 418: back off per Retry-After, shared with every instance
};
attempt_class classify_status(unsigned status) noexcept;

/// The delay before retry number `attempt` (0 for the first retry): "full jitter", uniform in
/// [0, min(cap, base * 2^attempt)). `unit` is a uniform random number in [0, 1).
core::duration full_jitter(int attempt, core::duration base, core::duration cap,
                           double unit) noexcept;

/// A Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT").
/// Returns the time to wait from `now` (zero if the date is past); nullopt if malformed.
std::optional<core::duration> parse_retry_after(std::string_view value, core::time_point now);

}  // namespace cryptodash::upstream
