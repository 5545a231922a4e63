#pragma once

#include "core/error.h"

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace cryptodash::core {

/// Input normalisers shared by the key factories and the API's validation. Each lowercases
/// (ASCII only) and checks the SPEC pattern; anything else is errc::invalid_argument.
result<std::string> normalize_symbol(std::string_view text);   ///< ^[a-z0-9]{1,15}$
result<std::string> normalize_coin_id(std::string_view text);  ///< ^[a-z0-9-]{1,64}$
/// A candle interval: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w. Monthly candles are not
/// offered: after lowercasing, Binance's "1M" (month) would read as "1m" (minute).
result<std::string> normalize_interval(std::string_view text);
/// An indicator name: rsi, sma, ema, macd, bbands.
result<std::string> normalize_indicator(std::string_view text);
/// A report timeframe: 1d or 1w.
result<std::string> normalize_timeframe(std::string_view text);
/// A cache-clear pattern: a key or key prefix, optionally ending in '*' (e.g. "market:*").
/// Characters [a-z0-9:-], then at most one trailing '*'; 1..128 characters. "*" clears all.
result<std::string> normalize_key_pattern(std::string_view text);

inline constexpr int min_indicator_period = 1;
inline constexpr int max_indicator_period = 1000;
inline constexpr std::string_view default_indicator_interval = "1d";

/// A cache key: lowercase `type:identifier[:params]`. Only the factories below make one, so
/// every key in every tier has one of these forms:
///   dashboard:summary, dashboard:global, dashboard:fear-greed (the summary's own parts),
///   market:<symbol>, indicator:<symbol>:<name>:<period>[:<interval>],
///   candles:<symbol>:<interval>, tokenomics:<coin_id>, report:<symbol>:<timeframe>.
/// The indicator key carries the interval only when it is not the default "1d", so the
/// SPEC's `indicator:eth:rsi:14` names the daily RSI. Cheap to copy (one std::string).
class cache_key {
 public:
  static cache_key dashboard_summary();
  /// The summary's parts that have no key of their own elsewhere: CoinGecko's global market
  /// figures and the Fear & Greed index.
  static cache_key dashboard_global();
  static cache_key dashboard_fear_greed();
  static result<cache_key> market(std::string_view symbol);
  static result<cache_key> indicator(std::string_view symbol, std::string_view name, int period,
                                     std::string_view interval = default_indicator_interval);
  static result<cache_key> candles(std::string_view symbol, std::string_view interval);
  static result<cache_key> tokenomics(std::string_view coin_id);
  static result<cache_key> report(std::string_view symbol, std::string_view timeframe);

  /// Accepts exactly the strings the factories produce (for keys read back from storage).
  static result<cache_key> parse(std::string_view text);

  const std::string& str() const noexcept { return text_; }
  std::string_view view() const noexcept { return text_; }
  /// The part before the first ':' ("market").
  std::string_view type() const noexcept;

  friend bool operator==(const cache_key&, const cache_key&) = default;
  friend std::strong_ordering operator<=>(const cache_key&, const cache_key&) = default;

 private:
  explicit cache_key(std::string text) noexcept : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace cryptodash::core

template <>
struct std::hash<cryptodash::core::cache_key> {
  std::size_t operator()(const cryptodash::core::cache_key& k) const noexcept {
    return std::hash<std::string_view>{}(k.view());
  }
};
