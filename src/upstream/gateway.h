#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "config/settings.h"
#include "core/clock.h"
#include "core/error.h"
#include "upstream/breaker.h"
#include "upstream/http_client.h"
#include "upstream/limits.h"
#include "upstream/providers/call.h"

namespace cryptodash::upstream {

/// What a gateway needs of a provider's settings, in the units it works in.
struct gateway_settings {
  base_url base;
  provider_limits limits;
  breaker_settings breaker;
  std::chrono::milliseconds timeout{10000};  ///< one attempt, connect to last byte
  std::chrono::milliseconds connect_timeout{3000};
  int max_retries = 2;
  std::chrono::milliseconds retry_base_delay{500};
  std::chrono::milliseconds retry_max_delay{30000};
  std::chrono::seconds rate_limited_backoff{60};  ///< a 429/418 without a usable Retry-After
  std::uint64_t max_response_bytes = 8u << 20;
};

/// Converts config; errc::invalid_argument if the base URL does not parse.
core::result<gateway_settings> gateway_settings_of(const config::provider_settings& p);

struct gateway_stats {
  breaker_stats breaker;
  std::uint64_t attempts = 0;         ///< requests sent (retries included)
  std::uint64_t successes = 0;        ///< 2xx
  std::uint64_t failures = 0;         ///< no answer, 408 or 5xx
  std::uint64_t client_errors = 0;    ///< other 4xx
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;        ///< 429/418 answers
  std::uint64_t rate_limited = 0;     ///< calls refused: no permit in time, or cooling down
  std::uint64_t budget_refused = 0;   ///< calls refused: budget spent
  std::uint64_t circuit_refused = 0;  ///< calls refused: breaker open
  std::int64_t used_weight_1m = -1;   ///< Binance's X-MBX-USED-WEIGHT-1M, last seen (-1: never)
};

/// The guarded way to one provider: circuit breaker, rate limit (shared when the store is
/// Redis), budget, 429 cool-downs, retries with exponential backoff and full jitter, and
/// deadlines. Every call to an upstream goes through one. Thread-safe.
class gateway {
 public:
  /// `client`, `limits` and `clock` must outlive the gateway.
  gateway(std::string name, gateway_settings settings, http_client& client, limit_store& limits,
          const core::clock& clock);

  const std::string& name() const noexcept { return name_; }

  /// Takes new rates, budgets, breaker thresholds, retries and timeouts (live reload).
  void reconfigure(gateway_settings settings);

  /// Makes `req`, retrying what is worth retrying, until `deadline`. Returns the provider's
  /// answer whatever its status (the provider's parser judges it: a 429 becomes
  /// errc::rate_limited there), or: errc::circuit_open (breaker open), errc::rate_limited (no
  /// permit that still leaves time to connect before the deadline, or the provider is cooling
  /// down after a 429), errc::budget_exhausted, errc::timeout (the deadline leaves no time to
  /// connect at all), errc::timeout / errc::unavailable / errc::too_large /
  /// errc::bad_response (no usable answer from the last attempt).
  ///
  /// Status rules: 2xx and 4xx (other than 408/418/429) end the call; 408, 5xx and transport
  /// failures are retried (and count against the breaker); 429/418 start a cool-down of
  /// Retry-After (else `rate_limited_backoff`) for every caller of this provider — in every
  /// instance when the store is Redis — and are not retried.
  boost::asio::awaitable<core::result<call_response>> call(
      call_request req, std::chrono::steady_clock::time_point deadline);

  gateway_stats stats() const;
  /// The budget spent (from the store: cluster-wide when it is Redis).
  boost::asio::awaitable<budget_usage> usage();
  budget_limits budget() const;

 private:
  gateway_settings snapshot() const;
  void note_breaker(breaker_state before, breaker_state after);

  const std::string name_;
  http_client& client_;
  limit_store& limits_;
  const core::clock& clock_;

  mutable std::mutex mutex_;  // settings_ and breaker_; never held across co_await
  gateway_settings settings_;
  circuit_breaker breaker_;

  std::atomic<std::uint64_t> attempts_{0}, successes_{0}, failures_{0}, client_errors_{0},
      retries_{0}, throttled_{0}, rate_limited_{0}, budget_refused_{0}, circuit_refused_{0};
  std::atomic<std::int64_t> used_weight_{-1};
};

}  // namespace cryptodash::upstream
