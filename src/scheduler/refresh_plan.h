#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/settings.h"
#include "core/clock.h"
#include "scheduler/strategy.h"

namespace cryptodash::scheduler {

/// Priority classes of refreshed keys: critical (the dashboard summary), high (symbols WebSocket
/// clients watch), medium (symbols requested recently), low (pre-warmed, everything else).
/// Declared most urgent first.
enum class priority { critical, high, medium, low };

/// "critical", "high", "medium", "low".
const char* to_string(priority p) noexcept;

/// The base interval of a class: critical = dashboard_interval_seconds, high =
/// market_interval_seconds, medium = 2 x market, low = 4 x market.
std::chrono::seconds base_interval(const config::scheduler_settings& s, priority p) noexcept;

/// Whether `st` refreshes class `p` at all: minimal only critical and high; conservative all
/// but low; aggressive and normal all.
bool refreshes(strategy st, priority p) noexcept;

/// What the scheduler keeps fresh and when each item is next due. Items are names ("dashboard",
/// "btc", ...) with a class. After a success an item is due again after base_interval x
/// interval_factor(strategy); after n consecutive failures (n >= 1) after
/// min(base_interval x 2^n, max_backoff_seconds) — failures back off regardless of strategy.
/// Every interval is whole seconds, at least 1 s. Times are core::time_point from an injected
/// clock (the caller passes now). Not thread-safe.
class refresh_plan {
 public:
  /// Adds `name` with class `p` (due at once, no failures), or changes its class (keeping its
  /// schedule and failure count; if its new class has a shorter base interval and the item would
  /// be due later than now + its interval in the new class — the base interval, or the backoff
  /// interval when it has failures — it is pulled in to now + that interval). Same class: no-op.
  void upsert(const std::string& name, priority p, core::time_point now,
              const config::scheduler_settings& s);

  /// Removes items of class `p` whose names are not in `keep` (e.g. symbols no longer watched);
  /// critical items are never removed this way (retain(critical, ...) does nothing).
  void retain(priority p, const std::vector<std::string>& keep);

  /// Removes `name`, of any class; an unknown name is ignored.
  void erase(const std::string& name);

  struct due_item {
    std::string name;
    priority cls;
    int failures;  ///< consecutive failures so far
  };

  /// Items due at `now` (next due <= now) that `st` refreshes, most urgent class first, then
  /// oldest due first, then by name (so the order is deterministic).
  std::vector<due_item> due(core::time_point now, strategy st) const;

  /// Records the outcome of a refresh of `name` done at `now` and schedules the next one (a
  /// success resets the failure count). An unknown name (e.g. erased meanwhile) is ignored.
  void report(const std::string& name, bool success, core::time_point now, strategy st,
              const config::scheduler_settings& s);

  /// The interval the item is on now (for stats: current_interval_s): with failures > 0 the
  /// backoff interval, else base x factor (rounded to whole seconds, at least 1 s); nullopt if
  /// the name is unknown.
  std::optional<std::chrono::seconds> current_interval(const std::string& name, strategy st,
                                                       const config::scheduler_settings& s) const;

  /// When `name` is next due; nullopt if the name is unknown.
  std::optional<core::time_point> next_due(const std::string& name) const;

  /// How many items the plan holds.
  std::size_t size() const noexcept;

 private:
  struct item {
    priority cls;
    core::time_point next_due;
    int failures = 0;
  };

  std::unordered_map<std::string, item> items_;
};

}  // namespace cryptodash::scheduler
