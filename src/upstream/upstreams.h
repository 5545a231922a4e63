#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "config/settings.h"
#include "core/clock.h"
#include "core/error.h"
#include "upstream/gateway.h"
#include "upstream/http_client.h"
#include "upstream/limits.h"

namespace cryptodash::store::redis {
class client;
}

namespace cryptodash::upstream {

/// Provider names, as in settings, stats and Redis keys.
inline constexpr std::array<std::string_view, 4> provider_names = {"coingecko", "fear_greed",
                                                                   "taapi", "binance"};

/// The four gateways with the HTTP client and the limit store they share, built from settings.
/// Thread-safe.
class upstreams {
 public:
  /// With `redis`, limits, cool-downs and budgets are shared by every instance using the same
  /// namespace; without, they are per process. `redis` and `clock` must outlive this object.
  /// Errors: errc::invalid_argument (a base URL, the CA file or the proxy URL is unusable).
  static core::result<std::unique_ptr<upstreams>> create(const config::upstreams_settings& s,
                                                         store::redis::client* redis,
                                                         std::string key_namespace,
                                                         const core::clock& clock);
  ~upstreams();

  gateway& coingecko() noexcept { return *gateways_[0]; }
  gateway& fear_greed() noexcept { return *gateways_[1]; }
  gateway& taapi() noexcept { return *gateways_[2]; }
  gateway& binance() noexcept { return *gateways_[3]; }
  /// The gateway named `name`, or null.
  gateway* find(std::string_view name) noexcept;

  /// Applies the live settings (rates, budgets, breakers, retries, timeouts). Base URLs, keys
  /// and the CA file need a restart.
  void reconfigure(const config::upstreams_settings& s);

  /// Per provider: circuit_state, calls, failures, rate_limited, budget_used (this month),
  /// budget_limit (monthly; null = unlimited), and the finer counters.
  boost::asio::awaitable<boost::json::object> stats_json();

  limit_store& limits() noexcept { return *limits_; }
  http_client& client() noexcept { return *client_; }

 private:
  upstreams() = default;

  std::unique_ptr<http_client> client_;
  std::unique_ptr<limit_store> limits_;
  std::array<std::unique_ptr<gateway>, 4> gateways_;
};

/// The settings of provider `name` in `s` (name from provider_names).
const config::provider_settings& provider_of(const config::upstreams_settings& s,
                                             std::string_view name);

}  // namespace cryptodash::upstream
