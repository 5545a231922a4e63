#pragma once

// The fake market every route answers from: ~20 coins, the Fear & Greed index, indicator values.
// Not thread-safe: the fake runs one io_context thread, and only that thread touches it.

#include "common.h"

#include <optional>
#include <random>

namespace cryptodash::fake {

/// One coin. Money is USD.
struct coin {
  std::string id;      ///< CoinGecko id, "bitcoin"
  std::string symbol;  ///< lower case, "btc"
  std::string name;
  int image_id = 0;
  double price = 0;
  double change_24h = 0;  ///< percent
  double volume_24h = 0;
  double circulating_supply = 0;
  std::optional<double> total_supply;
  std::optional<double> max_supply;
  double ath = 0;
  std::string ath_date;
  double atl = 0;
  std::string atl_date;
  double volatility = 1;  ///< scale of its synthetic history and random walk (stablecoins ~0)

  double market_cap() const { return price * circulating_supply; }
  double open_24h() const { return price / (1 + change_24h / 100); }
  /// price × max supply (or total supply when there is no max), null when neither is known.
  std::optional<double> fully_diluted_valuation() const;
};

class market {
 public:
  /// The initial market; `seed` drives the random walk of tick().
  explicit market(std::uint64_t seed);

  const std::vector<coin>& coins() const noexcept { return coins_; }
  const coin* find(std::string_view id) const;
  /// By ticker symbol, any case ("BTC" → bitcoin).
  const coin* find_symbol(std::string_view symbol) const;
  /// Every coin by market cap, largest first.
  std::vector<const coin*> ranked() const;
  /// 1-based market-cap rank.
  int rank(const coin& c) const;

  /// CoinGecko's vs currencies, in the order /global lists them.
  static const std::vector<std::string>& vs_currencies();
  /// Units of `vs` per USD; nullopt when CoinGecko does not support `vs` (e.g. "usdt").
  std::optional<double> per_usd(std::string_view vs) const;

  /// A smooth, deterministic USD price history for `c`: the current price from the last change
  /// (or the start of the current minute) up to now, and open_24h() a day before that.
  double price_at(const coin& c, std::int64_t t_ms, std::int64_t now_ms) const;
  /// {highest, lowest} of price_at over the day up to now (sampled every 15 minutes).
  std::pair<double, double> range_24h(const coin& c, std::int64_t now_ms) const;

  int fear_greed() const noexcept { return fear_greed_; }
  /// The index `days_ago` days before today's; fear_greed_at(0) == fear_greed().
  int fear_greed_at(int days_ago) const;

  /// The value of an indicator for BTC/USDT; nullopt for an unknown name.
  std::optional<double> indicator(std::string_view name) const;
  /// True for indicators in price units (ema, sma, macd, bbands...): for another symbol they
  /// are scaled by that symbol's price relative to bitcoin's.
  static bool price_like(std::string_view name);

  /// One step of the --simulate random walk: prices, volumes, the index and indicators move.
  void tick(std::int64_t now_ms, double tick_seconds);

  /// Applies a PUT /_fake/values body (see README.md). All or nothing: on bad input nothing
  /// changes and the message says what was wrong.
  std::optional<std::string> apply(const json::value& body, std::int64_t now_ms);
  /// The state, in the shape apply() accepts.
  json::value to_json() const;

 private:
  std::vector<coin> coins_;
  int fear_greed_ = 0;
  int fear_greed_start_ = 0;
  std::map<std::string, double, std::less<>> indicators_;
  std::map<std::string, double, std::less<>> start_prices_;  // random-walk mean reversion
  std::int64_t changed_ms_ = 0;                              // last apply() or tick()
  std::mt19937_64 rng_;
};

}  // namespace cryptodash::fake
