#pragma once

// The JSON the API serves, built from validated upstream answers (sans-I/O). Each builder's
// output is what the cache stores under one key and what the API sends as it is; readers that
// need the figures back (indicators from candles, the summary from its parts) parse them here.
// Numbers are JSON numbers; a figure the upstream does not have is null, never a default.

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/binance.h"
#include "upstream/providers/coingecko.h"
#include "upstream/providers/fear_greed.h"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::market {

/// {"error":{"code":"not_found","message":…}}: cached for a while under the name that was not
/// found, and served with 404 as it is.
std::string not_found_payload(std::string_view message);
/// Whether a cached payload is a not_found_payload.
bool is_not_found(std::string_view payload) noexcept;

/// market:<symbol> from CoinGecko /simple/price (usd):
/// {"symbol","coin_id","price_usd","change_24h_pct","market_cap_usd","volume_24h_usd",
///  "last_updated","source":"coingecko"}; errc::bad_response if the answer has no usd price.
core::result<std::string> market_payload(std::string_view symbol,
                                         const upstream::coingecko::coin_price& p);
/// market:<symbol> from a /coins/markets row (same shape, "source":"coingecko").
std::string market_payload(const upstream::coingecko::market& m);
/// market:<symbol> from a Binance 24 h ticker of <SYMBOL>USDT (USDT taken as USD):
/// same shape, "coin_id" and "market_cap_usd" null, volume = quote volume, "source":"binance".
std::string market_payload(std::string_view symbol, const upstream::binance::ticker& t);

/// dashboard:global from CoinGecko /global: {"market_cap_usd","market_cap_change_24h_pct",
/// "volume_24h_usd","btc_dominance_pct","eth_dominance_pct","active_cryptocurrencies",
/// "updated_at"}; a dominance the answer lacks is null.
std::string global_payload(const upstream::coingecko::global_market& g);

/// dashboard:fear-greed from the newest reading: {"value","classification","timestamp"}.
std::string fear_greed_payload(const upstream::fear_greed::reading& r);

/// A JSON number as a double (int64, uint64 or double); none for a null pointer or any other
/// kind of value. For reading payloads.
std::optional<double> json_number(const boost::json::value* v) noexcept;

/// One OHLCV candle; volume is null for candles rebuilt from CoinGecko's price series.
struct candle {
  std::int64_t time = 0;  ///< open time, Unix seconds
  double open = 0, high = 0, low = 0, close = 0;
  std::optional<double> volume;
  bool closed = true;  ///< false for the candle still forming
};

/// candles:<symbol>:<interval>: {"symbol","interval","source","candles":[{"time","open",
/// "high","low","close","volume","closed"}…]} oldest first.
std::string candles_payload(std::string_view symbol, std::string_view interval,
                            std::string_view source, std::span<const candle> candles);
/// The candles of a candles_payload; errc::corrupt if the payload is not one.
core::result<std::vector<candle>> parse_candles(std::string_view payload);
/// The last `limit` candles of a candles_payload, re-serialized (limit >= the count: as is).
core::result<std::string> limit_candles(std::string_view payload, std::size_t limit);

/// Binance klines as candles.
std::vector<candle> from_klines(std::span<const upstream::binance::candle> klines);
/// CoinGecko price points bucketed into candles of `interval_seconds` (open = first price in
/// the bucket, close = last, volume null); the newest bucket is marked not closed when it
/// ends after `now`.
std::vector<candle> from_price_points(std::span<const upstream::coingecko::chart_point> points,
                                      std::int64_t interval_seconds, core::time_point now);

/// indicator:<symbol>:<name>:<period>[:<interval>] computed here from candles (oldest first):
/// {"symbol","indicator","period","interval","source":"local","time","value","values":[{"time",
/// "value"}…]}, where "time" and "value" are the newest defined point and "values" every
/// defined point, oldest first. A value is a number (rsi, sma, ema), {"macd","signal",
/// "histogram"} (macd: fast = period, slow 26, signal 9) or {"upper","middle","lower"}
/// (bbands: k = 2). errc::invalid_argument for a bad name or period (macd: only 12);
/// errc::not_found when the candles are too few for the period.
core::result<std::string> local_indicator_payload(std::string_view symbol, std::string_view name,
                                                  int period, std::string_view interval,
                                                  std::span<const candle> candles);
/// The same shape from TAAPI's answer (one point, "source":"taapi", "values" holding it).
std::string taapi_indicator_payload(std::string_view symbol, std::string_view name, int period,
                                    std::string_view interval,
                                    const std::map<std::string, double, std::less<>>& values,
                                    core::time_point now);

/// tokenomics:<coin_id> from /coins/{id}: {"coin_id","symbol","name","price_usd",
/// "market_cap_usd","fully_diluted_valuation_usd","circulating_supply","total_supply",
/// "max_supply"} — nulls kept as null.
std::string tokenomics_payload(const upstream::coingecko::coin_details& d);
/// The same from a /coins/markets row.
std::string tokenomics_payload(const upstream::coingecko::market& m);

/// Parses a payload this module wrote as a JSON object; errc::corrupt otherwise.
core::result<boost::json::object> parse_object(std::string_view payload);

}  // namespace cryptodash::market
