#pragma once

#include "api/health_routes.h"
#include "api/metrics.h"
#include "cache/tiered_cache.h"
#include "config/live.h"
#include "core/clock.h"
#include "market/data_service.h"
#include "reports/blocking_pool.h"
#include "reports/report_cache.h"
#include "upstream/upstreams.h"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string_view>
#include <mutex>

namespace cryptodash::store::redis {
class client;
}

namespace cryptodash::api {

/// Request totals for /health, bumped by the server's request observer.
struct request_totals {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> nanoseconds{0};  ///< summed handling time
};

/// A sliding-window limit: at most `per_minute` events in any 60 s. Thread-safe.
class minute_limit {
 public:
  /// Counts an event at `now` if allowed; otherwise returns how long until one is.
  std::optional<std::chrono::seconds> try_take(std::chrono::steady_clock::time_point now,
                                               int per_minute);

 private:
  std::mutex mutex_;
  std::deque<std::chrono::steady_clock::time_point> taken_;
};

/// What the live-data side (scheduler, WebSocket hub) offers the API; set by serve. An empty
/// member means that side is absent (tests, the CLI): the API then does without.
struct live_hooks {
  /// Forces a dashboard refresh through the scheduler (refresh, broadcast everywhere).
  std::function<boost::asio::awaitable<market::summary>()> refresh_dashboard;
  /// Notes an HTTP request for a symbol (the scheduler keeps recently requested ones fresh).
  std::function<void(std::string_view symbol)> requested;
  /// The scheduler's refresh interval for a provider (seconds), nullopt when none.
  std::function<std::optional<int>(std::string_view provider)> interval_of;
  /// The refresh strategy in force ("normal", …).
  std::function<std::string()> strategy;
  /// Stats of the scheduler and of the WebSocket hub.
  std::function<boost::json::object()> scheduler_stats;
  std::function<boost::json::object()> websocket_stats;
  /// Stats of the daily report job ({"enabled", "at_utc", "generated", "failed", "last_check"}).
  std::function<boost::json::object()> report_job_stats;
};

/// What the route groups work with. Every member must outlive the router.
struct services {
  market::data_service& data;
  cache::tiered_cache& cache;
  upstream::upstreams& upstreams;
  config::settings_store& settings;
  metrics& registry;
  const lifecycle_state& life;
  const core::clock& clock;
  store::redis::client* redis = nullptr;  ///< null without Redis
  reports::report_cache* reports = nullptr;  ///< null: the report routes answer 503
  reports::blocking_pool* render_pool = nullptr;  ///< where PDFs are rendered (report routes)
  request_totals totals;
  /// The request families, registered once by add_ops_routes (observe_request's hot path).
  counter_family* requests_family = nullptr;
  histogram_family* latency_family = nullptr;
  minute_limit refreshes;  ///< forced dashboard refreshes
  live_hooks live;

  /// The upstream figures as last read (upstreams::stats_json is awaitable, and metric
  /// collectors must not wait): refreshed by /metrics before it renders.
  std::mutex upstream_mutex;
  boost::json::object upstream_stats;  // guarded by upstream_mutex
};

}  // namespace cryptodash::api
