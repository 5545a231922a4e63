#pragma once

// CoinGecko API v3 (public / Demo): request builders and validating parsers, no I/O.
// Targets are relative to the base URL, e.g. https://api.coingecko.com/api/v3.
//
// Every builder takes the Demo key as `demo_key`: when not empty it is sent as the header
// `x-cg-demo-api-key` (never in the target, so log_target needs no redaction).
// Every parser decides by status first (common.h: check_status), then validates the body;
// any schema problem is errc::bad_response.

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/call.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::upstream::coingecko {

inline constexpr std::string_view demo_key_header = "x-cg-demo-api-key";
inline constexpr int max_per_page = 250;     ///< /coins/markets per_page upper bound
inline constexpr std::size_t max_ids = 250;  ///< ids per /simple/price call (keeps URLs short)
inline constexpr std::size_t max_currencies = 10;
/// Demo and keyless calls cannot reach further back than 365 days (401, error_code 10012).
inline constexpr int max_chart_days = 365;

// ---- Requests -------------------------------------------------------------------------------
// Ids must match core::normalize_coin_id (lowercased first); vs currencies are 1–10 letters
// (lowercased first: "usd", "eur", "sats"). Anything else is errc::invalid_argument.

/// GET /global (endpoint "global").
call_request global_request(std::string_view demo_key = {});

/// GET /simple/price?ids=<ids>&vs_currencies=<cur>&include_market_cap=true
///   &include_24hr_vol=true&include_24hr_change=true&include_last_updated_at=true
/// (endpoint "simple_price"). 1..max_ids ids and 1..max_currencies currencies, no duplicates.
core::result<call_request> simple_price_request(std::span<const std::string> ids,
                                                std::span<const std::string> vs_currencies,
                                                std::string_view demo_key = {});

/// GET /coins/markets?vs_currency=<cur>&order=market_cap_desc&per_page=<n>&page=<p>
/// (endpoint "coins_markets"). per_page in 1..250, page >= 1.
core::result<call_request> markets_request(std::string_view vs_currency, int per_page, int page,
                                           std::string_view demo_key = {});

/// GET /coins/<id>/market_chart?vs_currency=<cur>&days=<days> (endpoint "market_chart").
/// days in 1..max_chart_days. Granularity is automatic: 1 day → 5-minutely, 2–90 → hourly,
/// more → daily.
core::result<call_request> market_chart_request(std::string_view id, std::string_view vs_currency,
                                                int days, std::string_view demo_key = {});

/// GET /coins/<id>?localization=false&tickers=false&community_data=false
///   &developer_data=false&sparkline=false (endpoint "coin").
core::result<call_request> coin_request(std::string_view id, std::string_view demo_key = {});

// ---- Answers --------------------------------------------------------------------------------

/// Currency code (lowercase) → amount.
using amounts = std::map<std::string, double, std::less<>>;

/// /global's `data`. Amount maps are non-negative; "usd" must be present in both totals.
struct global_market {
  int active_cryptocurrencies = 0;
  int markets = 0;
  amounts total_market_cap;       ///< per currency
  amounts total_volume;           ///< per currency, last 24 h
  amounts market_cap_percentage;  ///< dominance per coin symbol ("btc" → 53.99)
  double total_market_cap_usd = 0;
  double total_volume_usd = 0;
  double market_cap_change_percentage_24h_usd = 0;  ///< may be negative
  core::time_point updated_at;
};

/// One vs currency of one coin in /simple/price.
struct currency_price {
  std::string currency;              ///< "usd"
  double price = 0;                  ///< >= 0
  std::optional<double> market_cap;  ///< when include_market_cap=true; >= 0
  std::optional<double> volume_24h;  ///< when include_24hr_vol=true; >= 0
  /// Percent; nullopt when not asked for, or null (CoinGecko sends null for stale prices).
  std::optional<double> change_24h;
};

/// One coin of /simple/price.
struct coin_price {
  std::string id;
  std::vector<currency_price> prices;               ///< sorted by currency; never empty
  std::optional<core::time_point> last_updated_at;  ///< when include_last_updated_at=true

  /// The entry for `currency`, or nullptr.
  const currency_price* find(std::string_view currency) const noexcept;
};

/// /coins/markets `roi`.
struct return_on_investment {
  double times = 0;
  std::string currency;
  double percentage = 0;
};

/// One element of /coins/markets (the fields the dashboard uses; others are ignored).
struct market {
  std::string id;
  std::string symbol;
  std::string name;
  double current_price = 0;  ///< >= 0, like every price, cap, volume and supply below
  double market_cap = 0;
  std::optional<int> market_cap_rank;             ///< >= 1; null upstream for unranked coins
  std::optional<double> fully_diluted_valuation;  ///< null upstream when unknown
  double total_volume = 0;
  double high_24h = 0;
  double low_24h = 0;
  double price_change_24h = 0;             ///< may be negative
  double price_change_percentage_24h = 0;  ///< may be negative
  double market_cap_change_24h = 0;        ///< may be negative
  double market_cap_change_percentage_24h = 0;
  std::optional<double> circulating_supply;  ///< null upstream when unknown
  std::optional<double> total_supply;  ///< null upstream when unknown
  std::optional<double> max_supply;    ///< null when uncapped (eth, doge)
  double ath = 0;
  double atl = 0;
  std::optional<return_on_investment> roi;  ///< null for most coins
  core::time_point last_updated;
};

/// One [time, value] point of /coins/{id}/market_chart.
struct chart_point {
  core::time_point time;
  double value = 0;  ///< >= 0 (market caps may be 0.0)
};

/// /coins/{id}/market_chart: three series, each in ascending time order.
struct market_chart {
  std::vector<chart_point> prices;
  std::vector<chart_point> market_caps;
  std::vector<chart_point> total_volumes;
};

/// What tokenomics needs from /coins/{id}.
struct coin_details {
  std::string id;
  std::string symbol;
  std::string name;
  double price_usd = 0;       ///< market_data.current_price.usd
  double market_cap_usd = 0;  ///< market_data.market_cap.usd
  /// market_data.fully_diluted_valuation.usd; nullopt when null, `{}` or without usd.
  std::optional<double> fully_diluted_valuation_usd;
  std::optional<double> circulating_supply;  ///< null upstream when unknown
  std::optional<double> total_supply;
  std::optional<double> max_supply;
};

// ---- Parsers --------------------------------------------------------------------------------
// `now` bounds the timestamps the answer carries (common.h: plausible_time).

core::result<global_market> parse_global(const call_response& r, core::time_point now);

/// Every coin in the answer, sorted by id. Ids that were asked for but are unknown to CoinGecko
/// are silently missing (the upstream answers 200 `{}` for them); callers compare with what
/// they asked. Per coin, keys are `<cur>`, `<cur>_market_cap`, `<cur>_24h_vol`,
/// `<cur>_24h_change` and `last_updated_at` (the flags the builder sends); any other key, a
/// figure without its `<cur>` price, or a coin without any price is errc::bad_response (so an
/// error body served with a 200 cannot pass for a coin).
core::result<std::vector<coin_price>> parse_simple_price(const call_response& r,
                                                         core::time_point now);
/// The single coin `id` from a /simple/price answer: errc::not_found if it is missing.
core::result<coin_price> parse_simple_price_one(const call_response& r, std::string_view id,
                                                core::time_point now);

/// The page in upstream order (market cap descending); `[]` past the last page is a valid,
/// empty page.
core::result<std::vector<market>> parse_markets(const call_response& r, core::time_point now);

core::result<market_chart> parse_market_chart(const call_response& r, core::time_point now);

core::result<coin_details> parse_coin(const call_response& r);

}  // namespace cryptodash::upstream::coingecko
