#pragma once

// The market report model (issue 9): what a report holds and how its JSON is built from the
// cached parts. Sans-I/O: gather.h fetches the parts, report_store keeps the JSON text.

#include "cache/tiered_cache.h"
#include "core/clock.h"
#include "core/error.h"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cryptodash::reports {

/// The candles a timeframe covers: `count` candles of `interval`, the newest (still forming)
/// one included, so the period ends at the latest data.
struct period_spec {
  std::string_view interval;
  std::size_t count = 0;
  std::string_view span_en;  ///< "24 hours", "7 days": how the summary names the period
  std::string_view span_vi;  ///< "24 giờ", "7 ngày"
};

/// "1d" → 24 candles of 1h; "1w" → 42 candles of 4h. None for any other text (normalise with
/// core::normalize_timeframe first).
std::optional<period_spec> period_of(std::string_view timeframe) noexcept;

/// The indicators of a report, each asked from the data service on the period's interval.
inline constexpr int rsi_period = 14;
inline constexpr int sma_period = 20;
inline constexpr int ema_period = 50;
inline constexpr int macd_fast = 12;  ///< slow 26, signal 9 (the data service's macd)
inline constexpr int bbands_period = 20;  ///< k = 2

/// The provider timeout of each part, named in a timeout's text ("timeout after 10000 ms");
/// zero: not known ("timed out").
struct input_timeouts {
  std::chrono::milliseconds market{0}, candles{0}, global{0}, fear_greed{0}, indicators{0};
};

/// Everything a report is built from: what the cache gave for each part (a lookup without a
/// value, or with a not-found payload, is a missing part).
struct report_inputs {
  std::string symbol;     ///< normalised (core::normalize_symbol)
  std::string timeframe;  ///< "1d" or "1w"
  cache::lookup market;   ///< market:<symbol>
  cache::lookup candles;  ///< candles:<symbol>:<period interval>, the whole cached history
  cache::lookup global;   ///< dashboard:global
  cache::lookup fear_greed;  ///< dashboard:fear-greed
  /// indicator:<symbol>:<name>:<period>:<period interval>
  cache::lookup rsi, sma, ema, macd, bbands;
  input_timeouts timeouts;
};

/// Why no report could be built: `code` is errc::invalid_argument (a timeframe other than
/// 1d/1w, a bad symbol) or errc::unavailable (no market price); `message` says it for people
/// ("no market price for btc: circuit open").
struct report_error {
  boost::system::error_code code;
  std::string message;
};
/// Lets result::value() throw (boost::system::system_error carrying `code`).
[[noreturn]] void throw_exception_from_error(const report_error& e,
                                             const boost::source_location& loc);

using report_result = boost::system::result<std::string, report_error>;

/// The report as JSON text (shape: src/reports/README.md), created at `now`.
///   - Built when the market part has a price; otherwise an error (errc::unavailable).
///   - A part that is missing or unreadable leaves its figures null — never a default — and its
///     `sources` entry says "unavailable" with the reason.
///   - Period figures (change_pct, high, low, volume, candles) come from the last
///     period_of(timeframe).count candles of the candles part; volume is null when a candle
///     has none (candles rebuilt from CoinGecko prices).
/// Pure: no I/O, no clock; the same inputs and `now` give the same text.
report_result build_report(const report_inputs& in, core::time_point now);

}  // namespace cryptodash::reports
