#pragma once

// taapi.io v1 (base https://api.taapi.io): technical indicators, builders and parsers, no I/O.
//
// The secret travels in the query (GET) or in the JSON body (POST /bulk). log_target always
// reads `secret=***` for GET; for POST the target ("/bulk") holds no secret, but the body does:
// bodies of TAAPI calls must never be logged.

#include "core/error.h"
#include "upstream/providers/call.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::upstream::taapi {

/// At most this many calculations per request (bulk indicators × backtracks × constructs).
inline constexpr std::size_t max_calculations = 20;

/// The indicators we ask for: rsi, ema, sma, wma, macd, bbands, stoch, atr, adx, cci, mfi, cmf.
bool known_indicator(std::string_view name) noexcept;
/// taapi's intervals: 1m 5m 15m 30m 1h 2h 4h 12h 1d 1w (case-sensitive).
bool valid_interval(std::string_view interval) noexcept;

/// "btc" → "BTC/USDT" (quote "usdt" by default). Both parts must match core::normalize_symbol;
/// otherwise errc::invalid_argument.
core::result<std::string> to_pair(std::string_view symbol, std::string_view quote = "usdt");

/// One indicator to compute on a market.
struct indicator_query {
  std::string symbol;                ///< our symbol, "btc"
  std::string quote = "usdt";        ///< quote asset
  std::string interval = "1d";       ///< valid_interval
  std::string indicator;             ///< known_indicator
  std::optional<int> period;         ///< core::min/max_indicator_period when set
  std::string exchange = "binance";  ///< [a-z]{1,32}
};

/// GET /<indicator>?secret=<s>&exchange=<e>&symbol=<BASE%2FQUOTE>&interval=<i>[&period=<p>]
/// (endpoint = the indicator name). An invalid field or an empty secret: errc::invalid_argument.
core::result<call_request> indicator_request(std::string_view secret, const indicator_query& q);

/// One indicator of a bulk construct.
struct bulk_indicator {
  std::string indicator;      ///< known_indicator
  std::optional<int> period;  ///< as in indicator_query
  /// Our name for the result ([A-Za-z0-9_-], at most 64); empty → taapi builds
  /// `<exchange>_<BASE/QUOTE>_<interval>_<indicator>_<params>_<backtrack>`.
  std::string id;
};

/// One construct (one market, one interval) with up to max_calculations indicators.
struct bulk_query {
  std::string symbol;
  std::string quote = "usdt";
  std::string interval = "1d";
  std::string exchange = "binance";
  std::vector<bulk_indicator> indicators;  ///< 1..max_calculations, ids unique when set
};

/// POST /bulk with Content-Type application/json and the body
/// {"secret":..,"construct":{"exchange","symbol","interval","indicators":[{indicator,period?,id?}]}}
/// (endpoint "bulk"). More than max_calculations indicators, none, duplicate ids or any invalid
/// field: errc::invalid_argument.
core::result<call_request> bulk_request(std::string_view secret, const bulk_query& q);

/// An indicator's result: "value" for single-valued ones; "valueMACD", "valueMACDSignal",
/// "valueMACDHist" for macd; "valueUpperBand", "valueMiddleBand", "valueLowerBand" for bbands.
using values = std::map<std::string, double, std::less<>>;

/// One entry of a bulk answer: values, or the errors taapi reported for that id.
struct bulk_result {
  std::string id;
  values result;                    ///< empty when errors is not
  std::vector<std::string> errors;  ///< empty on success
};

/// The answer of GET /<indicator>: every member whose name starts with "value" (at least one),
/// each a finite number; other members are ignored. Status first (common.h: check_status);
/// on a 200, taapi's rate-limit message (`{"error":"...rate-limit..."}` or
/// `{"error":{"message":"...rate-limit..."}}`, seen on the free tier) is errc::rate_limited;
/// any other shape is errc::bad_response.
core::result<values> parse_indicator(const call_response& r);

/// The answer of POST /bulk: `data`, non-empty, one entry per id in upstream order. An entry has an
/// id and either a result (as in parse_indicator) or a non-empty `errors` list of strings.
/// Status and rate-limit handling as parse_indicator.
core::result<std::vector<bulk_result>> parse_bulk(const call_response& r);

}  // namespace cryptodash::upstream::taapi
