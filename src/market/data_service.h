#pragma once

#include "cache/tiered_cache.h"
#include "config/settings.h"
#include "core/clock.h"
#include "market/sources.h"
#include "upstream/providers/coin_map.h"
#include "upstream/upstreams.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace cryptodash::market {

/// The dashboard summary of SPEC section 4, assembled from its four parts.
struct summary {
  std::string json;  ///< the SPEC shape
  /// Per part, in the order global, btc_price, fear_greed, rsi: what the cache gave.
  std::array<cache::lookup, 4> parts;
  bool all_fresh = false;
};

/// What update_coins / update_popular did with each coin.
struct update_report {
  std::vector<std::string> updated;  ///< coin ids whose entries were written
  std::vector<std::string> skipped;  ///< "id: why" — refused by a rate limit, budget or breaker
  std::vector<std::string> failed;   ///< "id: why" — any other failure
};

/// The data behind the API: every answer is a cached JSON payload (market/payloads.h) read
/// through the tiered cache's get-or-compute, whose computes call the upstreams through their
/// gateways (rate limits, breakers, budgets, retries). A name the upstreams do not know is
/// cached as a not-found payload for cache.ttl.not_found_seconds.
///
/// Inputs are already normalized (core::normalize_*). Every awaitable resumes on the caller's
/// executor; none throws. `lookup::value` null means nothing to serve (`lookup::error` says
/// why); a value whose payload is_not_found() means "unknown name". Thread-safe.
class data_service {
 public:
  /// `cache`, `ups` and `clock` must outlive the service.
  data_service(cache::tiered_cache& cache, upstream::upstreams& ups, const core::clock& clock,
               const config::settings& s);

  /// Live settings: provider timeouts, candle history.
  void reconfigure(const config::settings& s);

  /// market:<symbol>: CoinGecko /simple/price for mapped symbols, Binance's 24 h ticker for
  /// the others or when CoinGecko fails. `probe`: probe_market(symbol)'s, if made.
  boost::asio::awaitable<cache::lookup> market(std::string symbol, cache::l1_probe probe = {});
  /// The L1 lookup of market:<symbol> alone (no coroutine): serve `fresh` if set, else pass
  /// the probe to market(). An invalid symbol gives an empty probe.
  cache::l1_probe probe_market(std::string_view symbol);
  /// Several symbols (same order, duplicates allowed): the CoinGecko-mapped ones missing
  /// from the cache are fetched in one /simple/price call.
  boost::asio::awaitable<std::vector<cache::lookup>> markets(std::vector<std::string> symbols);
  /// candles:<symbol>:<interval> (market.candle_history candles): Binance klines, or candles
  /// rebuilt from CoinGecko's market_chart when Binance fails or lacks the symbol.
  boost::asio::awaitable<cache::lookup> candles(std::string symbol, std::string interval);
  /// indicator:<symbol>:<name>:<period>[:<interval>]: computed from the cached candles, or
  /// asked from TAAPI when market.taapi_indicators names it. A name/period the indicator
  /// does not take gives errc::invalid_argument.
  boost::asio::awaitable<cache::lookup> indicator(std::string symbol, std::string name,
                                                  int period, std::string interval);
  /// tokenomics:<coin_id> from CoinGecko /coins/{id}. `probe`: probe_tokenomics(coin_id)'s.
  boost::asio::awaitable<cache::lookup> tokenomics(std::string coin_id,
                                                   cache::l1_probe probe = {});
  /// The L1 lookup of tokenomics:<coin_id> alone, as probe_market.
  cache::l1_probe probe_tokenomics(std::string_view coin_id);
  /// dashboard:global: CoinGecko /global (total market cap, dominance).
  boost::asio::awaitable<cache::lookup> global();
  /// dashboard:fear-greed: the newest Fear & Greed reading.
  boost::asio::awaitable<cache::lookup> fear_greed();

  /// The kinds of lookup above, for timeout_of().
  enum class part { market, candles, indicator, global, fear_greed };
  /// The provider timeout (live settings) that bounds the upstream call of one lookup of this
  /// kind: CoinGecko for market (Binance for a symbol market.coin_ids does not map) and global,
  /// Fear & Greed for fear_greed, Binance for candles and locally computed indicators, TAAPI
  /// for an `indicator_name` listed in market.taapi_indicators. A caller that waits for the
  /// lookup waits this plus wait_margin (see within()).
  std::chrono::milliseconds timeout_of(part p, std::string_view symbol = {},
                                       std::string_view indicator_name = {}) const;

  /// The four parts — dashboard:global, market:btc, dashboard:fear-greed,
  /// indicator:btc:rsi:14 — fetched concurrently, each bounded by its provider's timeout
  /// (plus a small margin), so one slow or failing source never delays or blanks the others.
  boost::asio::awaitable<summary> dashboard_summary();
  /// Recomputes the four parts from the upstreams now (through the same gateways), stores
  /// what succeeded in every tier — a part that fails keeps its cached value — and returns
  /// the summary. For the admin's forced refresh.
  boost::asio::awaitable<summary> refresh_summary();

  /// Recomputes market:<symbol> for `symbols` from the upstreams now (the CoinGecko-mapped
  /// ones in one /simple/price call per 250 ids), stores what succeeded in every tier, and
  /// returns per symbol (same order) the new entry, or the error with no value — a symbol that
  /// failed keeps its cached entry. For the scheduler.
  boost::asio::awaitable<std::vector<cache::lookup>> refresh_markets(
      std::vector<std::string> symbols);

  /// Writes market:<symbol> and tokenomics:<id> for `coin_ids` into every tier (one
  /// /simple/price call, then /coins/{id} per coin). For update-cache.
  /// `progress` (optional) is called after each coin with (coins done, total).
  using progress_fn = std::function<void(std::size_t done, std::size_t total)>;
  boost::asio::awaitable<update_report> update_coins(std::vector<std::string> coin_ids,
                                                     progress_fn progress = {});
  /// The same for the `limit` largest coins by market cap, from /coins/markets pages.
  boost::asio::awaitable<update_report> update_popular(int limit, progress_fn progress = {});

  const upstream::coin_map& coins() const noexcept { return coins_; }

 private:
  struct price_batch;
  struct live_settings {
    std::chrono::milliseconds coingecko_timeout, fear_greed_timeout, taapi_timeout,
        binance_timeout;
    int candle_history = 500;
  };
  live_settings snapshot() const;
  std::chrono::steady_clock::time_point deadline(std::chrono::milliseconds timeout) const;

  boost::asio::awaitable<core::result<cache::computed>> compute_market(
      std::string symbol, std::shared_ptr<price_batch> batch);
  boost::asio::awaitable<core::result<cache::computed>> market_from_binance(std::string symbol);
  boost::asio::awaitable<core::result<cache::computed>> compute_candles(std::string symbol,
                                                                        std::string interval);
  boost::asio::awaitable<core::result<cache::computed>> compute_indicator(std::string symbol,
                                                                          std::string name,
                                                                          int period,
                                                                          std::string interval);
  boost::asio::awaitable<core::result<cache::computed>> compute_tokenomics(std::string coin_id);
  boost::asio::awaitable<core::result<cache::computed>> compute_global();
  boost::asio::awaitable<core::result<cache::computed>> compute_fear_greed();

  cache::tiered_cache& cache_;
  upstream::upstreams& ups_;
  const core::clock& clock_;
  upstream::coin_map coins_;
  std::set<std::string, std::less<>> taapi_indicators_;
  std::string coingecko_key_;
  std::string taapi_secret_;

  mutable std::mutex mutex_;  // guards live_
  live_settings live_;
};

/// What a caller waits beyond a provider's timeout: the cache's own work around the call.
inline constexpr std::chrono::milliseconds wait_margin{50};

/// Runs `op` on the current executor and waits for it at most `timeout`. Past it, returns a
/// lookup with errc::timeout while `op` runs on in the background (its result still fills the
/// cache). Never throws (an exception from `op` gives errc::unavailable).
boost::asio::awaitable<cache::lookup> within(boost::asio::awaitable<cache::lookup> op,
                                             std::chrono::milliseconds timeout);

}  // namespace cryptodash::market
