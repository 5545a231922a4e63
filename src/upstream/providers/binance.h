#pragma once

// Binance spot public REST (base https://api.binance.com or https://data-api.binance.vision):
// 24 h tickers and klines, builders and parsers, no I/O. Prices and volumes are strings
// upstream; times are Unix milliseconds. Each request carries its Binance request weight.

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/call.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::upstream::binance {

inline constexpr int max_klines_limit = 1000;
/// Bound on symbols per ticker call: keeps the target under ~8 KB.
inline constexpr std::size_t max_ticker_symbols = 400;
inline constexpr std::string_view used_weight_header = "x-mbx-used-weight-1m";

/// Binance's kline intervals, case-sensitive: 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M
/// ("1M" is a month, "1m" a minute).
bool valid_interval(std::string_view interval) noexcept;

/// "btc" → "BTCUSDT" (quote "usdt" by default). Both parts must match core::normalize_symbol;
/// otherwise errc::invalid_argument.
core::result<std::string> to_pair(std::string_view symbol, std::string_view quote = "usdt");

/// FULL has price change, weighted average, bid/ask; MINI only OHLC and volumes.
enum class ticker_type { full, mini };

/// The request weight of a 24 h ticker call for `symbols` symbols (0 = every symbol):
/// 1–20 → 2, 21–100 → 40, 0 or 101+ → 80.
int ticker_weight(std::size_t symbols) noexcept;

/// GET /api/v3/ticker/24hr?symbol=BTCUSDT[&type=MINI] (endpoint "ticker_24hr", weight 2).
core::result<call_request> ticker_request(std::string_view symbol,
                                          ticker_type type = ticker_type::full,
                                          std::string_view quote = "usdt");

/// GET /api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D[&type=MINI], or with no
/// symbols at all every market (endpoint "ticker_24hr", weight ticker_weight(n)).
/// More than max_ticker_symbols, a duplicate or an invalid symbol: errc::invalid_argument.
core::result<call_request> tickers_request(std::span<const std::string> symbols,
                                           ticker_type type = ticker_type::full,
                                           std::string_view quote = "usdt");

/// GET /api/v3/klines?symbol=BTCUSDT&interval=<i>&limit=<n> (endpoint "klines", weight 2).
/// interval per valid_interval, limit in 1..max_klines_limit, else errc::invalid_argument.
core::result<call_request> klines_request(std::string_view symbol, std::string_view interval,
                                          int limit, std::string_view quote = "usdt");

/// The running weight of this IP in the current minute, after the call that returned `r`
/// (header x-mbx-used-weight-1m, present on errors too). nullopt if absent or not a number.
std::optional<int> used_weight_1m(const call_response& r);

/// Whether `r` is Binance's answer to a symbol it does not list (400 with code -1121). The
/// parsers judge by status alone (an upstream_error); callers that must tell "unknown symbol"
/// (a 404 for our users) from other failures ask this first.
bool unknown_symbol(const call_response& r);

/// FULL-only figures of a 24 h ticker.
struct ticker_full {
  double price_change = 0;          ///< may be negative
  double price_change_percent = 0;  ///< may be negative
  double weighted_avg_price = 0;    ///< >= 0, like every price below
  double prev_close_price = 0;
  double last_qty = 0;
  double bid_price = 0;
  double bid_qty = 0;
  double ask_price = 0;
  double ask_qty = 0;
};

/// One 24 h rolling-window ticker.
struct ticker {
  std::string symbol;  ///< "BTCUSDT"
  double open_price = 0;
  double high_price = 0;  ///< >= low_price
  double low_price = 0;
  double last_price = 0;
  double volume = 0;        ///< base asset
  double quote_volume = 0;  ///< quote asset
  core::time_point open_time;
  core::time_point close_time;  ///< > open_time
  std::int64_t first_id = 0;    ///< -1 when no trade in the window
  std::int64_t last_id = 0;
  std::int64_t count = 0;           ///< trades, >= 0
  std::optional<ticker_full> full;  ///< present when the answer is FULL (has priceChange)
};

/// One candle.
struct candle {
  core::time_point open_time;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;
  core::time_point close_time;  ///< open_time + interval - 1 ms
  double quote_volume = 0;
  std::int64_t trades = 0;
  double taker_buy_base = 0;
  double taker_buy_quote = 0;
  bool closed = true;  ///< false for the current candle: close_time >= now
};

// Status first (common.h: check_status; 418/429 → rate_limited, 451 → forbidden), then the body.
// Prices and volumes: decimal strings >= 0; high >= low; times plausible (common.h) with
// close > open; otherwise errc::bad_response.

/// The answer to ticker_request (one object).
core::result<ticker> parse_ticker(const call_response& r, core::time_point now);
/// The answer to tickers_request (an array).
core::result<std::vector<ticker>> parse_tickers(const call_response& r, core::time_point now);

/// The answer to klines_request: 12-element rows in ascending open_time, each with
/// low <= open, close <= high. The last row is normally still open (closed == false).
core::result<std::vector<candle>> parse_klines(const call_response& r, core::time_point now);

}  // namespace cryptodash::upstream::binance
