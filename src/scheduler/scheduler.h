#pragma once

#include "config/live.h"
#include "core/clock.h"
#include "market/data_service.h"
#include "scheduler/refresh_plan.h"
#include "scheduler/strategy.h"
#include "upstream/upstreams.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cryptodash::scheduler {

/// Where refreshed data goes (the WebSocket hubs of every instance). Called on the
/// scheduler's thread, or on the caller's for refresh_dashboard(); must not block.
struct publisher {
  std::function<void(const std::string& summary_json)> dashboard;
  std::function<void(const std::string& symbol, const std::string& market_json)> market;
};

/// What the scheduler refreshes besides the dashboard, and whether this instance may.
struct sources {
  /// Symbols WebSocket clients watch (high priority), asked once per tick on the scheduler's
  /// thread (it may ask Redis; it must not block). Null: none.
  std::function<boost::asio::awaitable<std::vector<std::string>>()> watched;
  /// Whether this instance runs the upstream refresh (the leader). Null: always.
  std::function<bool()> is_leader;
};

/// Keeps hot keys fresh before they expire so users almost never wait on an upstream (SPEC
/// sections 3 and 5): once a second, on its own thread, it schedules the dashboard summary
/// (critical), watched symbols (high) and symbols requested over HTTP in the last 15 minutes
/// (medium) by refresh_plan, under the strategy strategy_selector picks from the providers'
/// highest budget use and BTC's 24 h change. Due symbols are refreshed together (one
/// /simple/price call for up to 250 mapped ones) and every refreshed value is published. Only
/// the leader refreshes; the others keep their plan but call nothing. On start the dashboard
/// is read through the cache first (disk/L2 warm it) and fetched only if not fresh.
/// Thread-safe.
class scheduler {
 public:
  /// Everything passed must outlive the scheduler.
  scheduler(market::data_service& data, upstream::upstreams& ups,
            const config::settings_store& settings, const core::clock& clock, publisher out,
            sources in);
  ~scheduler();  ///< stops
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  void start();
  /// Stops the loop and joins its thread; idempotent.
  void stop();

  /// Notes an HTTP request for `symbol` (medium priority for 15 minutes). Cheap: a thread
  /// repeating the same symbol within a second is not counted again.
  void requested(std::string_view symbol);

  /// Refreshes the dashboard summary from the upstreams now, publishes it and reschedules it;
  /// on any instance (an admin asked this one). Resumes on the caller's executor.
  boost::asio::awaitable<market::summary> refresh_dashboard();

  /// The strategy in force.
  strategy current_strategy() const;
  /// The interval at which this instance refreshes data from `provider` now (seconds), or
  /// nullopt when it does not call it on a schedule (disabled, not the leader, not used).
  std::optional<int> interval_of(std::string_view provider) const;
  /// enabled, leader, strategy, budget_used_pct, btc_change_pct, refreshes, failures, and the
  /// planned items (name, class, interval_s, due_in_s, failures; the 50 most urgent).
  boost::json::object stats() const;

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> tick();
  /// refresh_dashboard(), with the next refresh due an interval after `started` (a tick's
  /// start, so that a 1 s item is due again at the next tick).
  boost::asio::awaitable<market::summary> refresh_dashboard_from(core::time_point started);
  boost::asio::awaitable<double> budget_used_pct();
  void update_items(core::time_point now, const config::scheduler_settings& s,
                    std::vector<std::string> watched);
  void note_summary(const market::summary& sum);

  market::data_service& data_;
  upstream::upstreams& ups_;
  const config::settings_store& settings_;
  const core::clock& clock_;
  publisher out_;
  sources in_;

  mutable std::mutex mutex_;
  refresh_plan plan_;                                  // guarded by mutex_
  strategy_selector selector_;                         // guarded
  std::map<std::string, core::time_point> recent_;     // symbol → last request; guarded
  std::optional<double> btc_change_pct_;               // guarded
  double budget_pct_ = 0;                              // guarded
  bool leader_ = false;                                // guarded
  bool warmed_ = false;                                // loop thread only

  std::atomic<std::uint64_t> refreshes_{0};
  std::atomic<std::uint64_t> failures_{0};

  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer timer_{ioc_};
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

}  // namespace cryptodash::scheduler
