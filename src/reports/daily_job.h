#pragma once

// The daily report job (issue 9): once a day, at reports.daily_at_utc, a report of every
// configured symbol and timeframe.

#include "config/live.h"
#include "core/clock.h"
#include "market/data_service.h"
#include "reports/report_cache.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

namespace cryptodash::reports {

/// "HH:MM" (00:00–23:59) as minutes after midnight; none for anything else.
std::optional<int> parse_daily_at(std::string_view hhmm) noexcept;

/// The latest daily slot at or before `now`: today at `minute_of_day` UTC if that has come,
/// else yesterday's.
core::time_point last_daily_slot(core::time_point now, int minute_of_day) noexcept;

/// Whether the report of a symbol and timeframe is due: there is none (`last_created` none),
/// or the newest was created before the latest slot. So a run missed while no instance was
/// up is made at the next check, and a report made by another instance (or by hand with
/// `cryptodash report generate`) since the slot counts as this slot's.
bool daily_report_due(core::time_point now, int minute_of_day,
                      std::optional<core::time_point> last_created) noexcept;

/// Runs the daily reports on a thread of its own. Every check_interval (first soon after
/// start, so that the scheduler's first refresh fills the cache before) it reads the live
/// settings: when scheduler.enabled and reports.daily_enabled, it asks report_cache::latest for
/// each symbol × timeframe of reports.symbols / reports.timeframes and generates (generate_report)
/// those daily_report_due says. With several instances sharing Redis only the leader generates
/// (`is_leader`; empty: always), and the due test reads the shared latest, so a slot is made
/// once. A failed report is logged (warn) and tried again at the next check. Thread-safe.
class daily_reports {
 public:
  static constexpr std::chrono::seconds first_check{5};
  static constexpr std::chrono::seconds check_interval{30};

  /// Every reference must outlive this object.
  daily_reports(config::settings_store& settings, market::data_service& data, report_cache& reports,
                const core::clock& clock, std::function<bool()> is_leader);
  ~daily_reports();  ///< stops
  daily_reports(const daily_reports&) = delete;
  daily_reports& operator=(const daily_reports&) = delete;

  void start();
  /// Stops the loop and joins its thread (a report being written is finished first);
  /// idempotent.
  void stop();

  /// One check (what the loop does each time); returns how many reports it wrote. Resumes on
  /// the caller's executor.
  boost::asio::awaitable<int> run_due();

  /// {"enabled", "at_utc", "generated", "failed", "last_check"} — last_check: when the last
  /// check ended (RFC 3339), null before the first.
  boost::json::object stats() const;

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<int> check_all();

  config::settings_store& settings_;
  market::data_service& data_;
  report_cache& reports_;
  const core::clock& clock_;
  std::function<bool()> is_leader_;

  std::atomic<std::uint64_t> generated_{0};
  std::atomic<std::uint64_t> failed_{0};
  mutable std::mutex mutex_;
  std::optional<core::time_point> last_check_;  // guarded: when the last check ended

  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer timer_{ioc_};
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

}  // namespace cryptodash::reports
