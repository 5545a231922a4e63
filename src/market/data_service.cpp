#include "market/data_service.h"

#include "cache/async_event.h"
#include "core/json_text.h"
#include "core/keys.h"
#include "market/payloads.h"
#include "upstream/providers/binance.h"
#include "upstream/providers/coingecko.h"
#include "upstream/providers/fear_greed.h"
#include "upstream/providers/taapi.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>

namespace cryptodash::market {

namespace asio = boost::asio;
namespace json = boost::json;
namespace cg = upstream::coingecko;
namespace bn = upstream::binance;
using namespace asio::experimental::awaitable_operators;
using core::errc;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

bool refused(const boost::system::error_code& ec) {
  return ec == errc::rate_limited || ec == errc::budget_exhausted || ec == errc::circuit_open;
}

cache::lookup fresh_from_l1(cache::l1_probe probe) {
  return cache::lookup{std::move(probe.fresh), cache::source::l1, true, {}};
}

cache::computed not_found(std::string_view message) {
  return cache::computed(not_found_payload(message), cache::ttl_class::not_found);
}

std::optional<std::int64_t> interval_seconds(std::string_view interval) {
  static const std::map<std::string_view, std::int64_t> table = {
      {"1m", 60},     {"3m", 180},    {"5m", 300},    {"15m", 900},    {"30m", 1800},
      {"1h", 3600},   {"2h", 7200},   {"4h", 14400},  {"6h", 21600},   {"8h", 28800},
      {"12h", 43200}, {"1d", 86400},  {"3d", 259200}, {"1w", 604800}};
  auto it = table.find(interval);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace

asio::awaitable<cache::lookup> within(asio::awaitable<cache::lookup> op, milliseconds timeout) {
  struct state {
    cache::async_event done;
    cache::lookup result;
  };
  auto s = std::make_shared<state>();
  auto ex = co_await asio::this_coro::executor;
  auto on_done = [s](std::exception_ptr e, cache::lookup l) {
    if (!e) s->result = std::move(l);
    if (e) s->result.error = make_error_code(errc::unavailable);
    s->done.open();
  };
  asio::co_spawn(ex, std::move(op), on_done);
  asio::steady_timer timer(ex, timeout);
  auto first = co_await (s->done.async_wait(use_tuple) || timer.async_wait(use_tuple));
  if (first.index() == 1 && !s->done.is_open()) {
    cache::lookup late;
    late.error = make_error_code(errc::timeout);
    co_return late;
  }
  co_return s->result;
}

// The CoinGecko ids of one markets() call, fetched in one /simple/price request by whichever
// of their computes runs first; the others wait for it.
struct data_service::price_batch {
  std::vector<std::string> ids;
  std::atomic<bool> started{false};
  cache::async_event done;
  core::result<std::vector<cg::coin_price>> result{make_error_code(errc::unavailable)};
};

data_service::data_service(cache::tiered_cache& cache, upstream::upstreams& ups,
                           const core::clock& clock, const config::settings& s)
    : cache_(cache),
      ups_(ups),
      clock_(clock),
      coingecko_key_(s.upstreams.coingecko.api_key.reveal()),
      taapi_secret_(s.upstreams.taapi.api_key.reveal()) {
  for (const auto& pair : s.market.coin_ids) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || !coins_.add(pair.substr(0, eq), pair.substr(eq + 1))) {
      spdlog::warn("market.coin_ids: ignoring \"{}\"", pair);
    }
  }
  for (const auto& name : s.market.taapi_indicators) taapi_indicators_.insert(name);
  reconfigure(s);
}

void data_service::reconfigure(const config::settings& s) {
  std::lock_guard lock(mutex_);
  live_.coingecko_timeout = milliseconds(s.upstreams.coingecko.timeout_ms);
  live_.fear_greed_timeout = milliseconds(s.upstreams.fear_greed.timeout_ms);
  live_.taapi_timeout = milliseconds(s.upstreams.taapi.timeout_ms);
  live_.binance_timeout = milliseconds(s.upstreams.binance.timeout_ms);
  live_.candle_history = s.market.candle_history;
}

data_service::live_settings data_service::snapshot() const {
  std::lock_guard lock(mutex_);
  return live_;
}

std::chrono::steady_clock::time_point data_service::deadline(milliseconds timeout) const {
  return std::chrono::steady_clock::now() + timeout;
}

// ---- market ---------------------------------------------------------------------------------

asio::awaitable<core::result<cache::computed>> data_service::market_from_binance(
    std::string symbol) {
  auto req = bn::ticker_request(symbol);
  if (!req) co_return not_found("unknown symbol: " + symbol);
  auto res = co_await ups_.binance().call(std::move(*req), deadline(snapshot().binance_timeout));
  if (!res) co_return res.error();
  if (bn::unknown_symbol(*res)) co_return not_found("unknown symbol: " + symbol);
  auto t = bn::parse_ticker(*res, clock_.now());
  if (!t) co_return t.error();
  co_return market_payload(symbol, *t);
}

asio::awaitable<core::result<cache::computed>> data_service::compute_market(
    std::string symbol, std::shared_ptr<price_batch> batch) {
  auto id = coins_.id_of(symbol);
  if (!id) co_return co_await market_from_binance(symbol);

  if (!batch->started.exchange(true)) {
    // Opens the batch even if this compute is abandoned half-way (hard timeout), so that the
    // others waiting on it fail over to Binance instead of waiting for their own timeouts.
    struct opener {
      price_batch& b;
      ~opener() {
        if (!b.done.is_open()) b.done.open();
      }
    } guard{*batch};
    auto req = cg::simple_price_request(batch->ids, std::vector<std::string>{"usd"},
                                        coingecko_key_);
    if (!req) {
      batch->result = req.error();
    } else {
      auto res =
          co_await ups_.coingecko().call(std::move(*req), deadline(snapshot().coingecko_timeout));
      if (!res) {
        batch->result = res.error();
      } else {
        batch->result = cg::parse_simple_price(*res, clock_.now());
      }
    }
    batch->done.open();
  } else {
    co_await batch->done.async_wait(use_tuple);
  }

  const auto& prices = batch->result;
  if (prices) {
    for (const auto& p : *prices) {
      if (p.id == *id) {
        auto payload = market_payload(symbol, p);
        if (payload) co_return std::move(*payload);
        break;
      }
    }
  }
  // CoinGecko failed or does not know the id: Binance may still have the market.
  auto fallback = co_await market_from_binance(symbol);
  if (fallback) co_return fallback;
  if (!prices) co_return prices.error();
  co_return fallback;
}

asio::awaitable<std::vector<cache::lookup>> data_service::markets(
    std::vector<std::string> symbols) {
  std::vector<cache::lookup> out(symbols.size());
  std::vector<std::size_t> missing;
  std::vector<cache::l1_probe> probes;  // of the missing symbols, in the same order
  auto batch = std::make_shared<price_batch>();
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    auto key = core::cache_key::market(symbols[i]);
    if (!key) {
      out[i].error = key.error();
      continue;
    }
    auto probe = cache_.try_fresh(*key);
    if (probe.fresh) {
      out[i] = fresh_from_l1(std::move(probe));
      continue;
    }
    missing.push_back(i);
    probes.push_back(std::move(probe));
    if (auto id = coins_.id_of(symbols[i])) {
      std::string s(*id);
      if (std::find(batch->ids.begin(), batch->ids.end(), s) == batch->ids.end() &&
          batch->ids.size() < cg::max_ids) {
        batch->ids.push_back(std::move(s));
      }
    }
  }
  // One after another: the first compute to run fetches the whole batch, and the flights it
  // fills end at once for the others.
  for (std::size_t m = 0; m < missing.size(); ++m) {
    const auto i = missing[m];
    auto key = *core::cache_key::market(symbols[i]);
    std::string sym = symbols[i];
    cache::compute_fn fn = [this, sym, batch]() { return compute_market(sym, batch); };
    out[i] = co_await cache_.get_or_compute(key, cache::ttl_class::market, std::move(fn),
                                            std::move(probes[m]));
  }
  co_return out;
}

cache::l1_probe data_service::probe_market(std::string_view symbol) {
  auto key = core::cache_key::market(symbol);
  return key ? cache_.try_fresh(*key) : cache::l1_probe{};
}

asio::awaitable<cache::lookup> data_service::market(std::string symbol, cache::l1_probe probe) {
  auto key = core::cache_key::market(symbol);
  if (!key) co_return cache::lookup{nullptr, cache::source::none, false, key.error()};
  if (!probe.looked) probe = cache_.try_fresh(*key);
  if (probe.fresh) co_return fresh_from_l1(std::move(probe));
  auto batch = std::make_shared<price_batch>();
  if (auto id = coins_.id_of(symbol)) batch->ids.emplace_back(*id);
  cache::compute_fn fn = [this, symbol, batch]() { return compute_market(symbol, batch); };
  co_return co_await cache_.get_or_compute(*key, cache::ttl_class::market, std::move(fn),
                                           std::move(probe));
}

// ---- candles --------------------------------------------------------------------------------

asio::awaitable<core::result<cache::computed>> data_service::compute_candles(
    std::string symbol, std::string interval) {
  const auto live = snapshot();
  const auto seconds = interval_seconds(interval);
  if (!seconds) co_return make_error_code(errc::invalid_argument);

  boost::system::error_code binance_error;
  bool binance_unknown = false;
  if (auto req = bn::klines_request(symbol, interval, live.candle_history)) {
    auto res = co_await ups_.binance().call(std::move(*req), deadline(live.binance_timeout));
    if (res && bn::unknown_symbol(*res)) {
      binance_unknown = true;
    } else if (res) {
      auto k = bn::parse_klines(*res, clock_.now());
      if (k && !k->empty()) {
        auto c = from_klines(*k);
        co_return candles_payload(symbol, interval, "binance", c);
      }
      binance_error = k ? make_error_code(errc::not_found) : k.error();
    } else {
      binance_error = res.error();
    }
  } else {
    binance_unknown = true;
  }

  // CoinGecko's market_chart: 5-minutely for 1 day, hourly up to 90 days, daily beyond.
  auto id = coins_.id_of(symbol);
  if (!id) {
    if (binance_unknown) co_return not_found("no candles for " + symbol);
    co_return binance_error;
  }
  std::int64_t wanted_days = (live.candle_history * *seconds + 86399) / 86400;
  int days = *seconds < 3600    ? 1
             : *seconds < 86400 ? static_cast<int>(std::clamp<std::int64_t>(wanted_days, 2, 90))
                                : static_cast<int>(std::clamp<std::int64_t>(
                                      wanted_days, 91, cg::max_chart_days));
  auto req = cg::market_chart_request(*id, "usd", days, coingecko_key_);
  if (!req) co_return req.error();
  auto res = co_await ups_.coingecko().call(std::move(*req), deadline(live.coingecko_timeout));
  if (!res) co_return binance_unknown ? res.error() : binance_error;
  auto chart = cg::parse_market_chart(*res, clock_.now());
  if (!chart) {
    if (chart.error() == errc::not_found && binance_unknown) {
      co_return not_found("no candles for " + symbol);
    }
    co_return binance_unknown ? chart.error() : binance_error;
  }
  auto c = from_price_points(chart->prices, *seconds, clock_.now());
  if (c.size() > static_cast<std::size_t>(live.candle_history)) {
    c.erase(c.begin(), c.end() - live.candle_history);
  }
  if (c.empty()) co_return not_found("no candles for " + symbol);
  co_return candles_payload(symbol, interval, "coingecko", c);
}

asio::awaitable<cache::lookup> data_service::candles(std::string symbol, std::string interval) {
  auto key = core::cache_key::candles(symbol, interval);
  if (!key) co_return cache::lookup{nullptr, cache::source::none, false, key.error()};
  auto probe = cache_.try_fresh(*key);
  if (probe.fresh) co_return fresh_from_l1(std::move(probe));
  cache::compute_fn fn = [this, symbol, interval]() { return compute_candles(symbol, interval); };
  co_return co_await cache_.get_or_compute(*key, cache::ttl_class::candles, std::move(fn),
                                           std::move(probe));
}

// ---- indicators -----------------------------------------------------------------------------

asio::awaitable<core::result<cache::computed>> data_service::compute_indicator(
    std::string symbol, std::string name, int period, std::string interval) {
  if (taapi_indicators_.contains(name)) {
    upstream::taapi::indicator_query q;
    q.symbol = symbol;
    q.interval = interval;
    q.indicator = name;
    q.period = period;
    auto req = upstream::taapi::indicator_request(taapi_secret_, q);
    if (!req) co_return req.error();
    auto res = co_await ups_.taapi().call(std::move(*req), deadline(snapshot().taapi_timeout));
    if (!res) co_return res.error();
    auto values = upstream::taapi::parse_indicator(*res);
    if (!values) co_return values.error();
    co_return taapi_indicator_payload(symbol, name, period, interval, *values, clock_.now());
  }
  auto c = co_await candles(symbol, interval);
  if (!c.value) co_return c.error ? c.error : make_error_code(errc::unavailable);
  if (is_not_found(c.value->payload)) co_return not_found("no candles for " + symbol);
  auto rows = parse_candles(c.value->payload);
  if (!rows) co_return rows.error();
  auto payload = local_indicator_payload(symbol, name, period, interval, *rows);
  if (!payload && payload.error() == errc::not_found) {
    co_return not_found(fmt::format("{} candles of {} are too few for {} {}", rows->size(),
                                    symbol, name, period));
  }
  if (!payload) co_return payload.error();
  co_return std::move(*payload);
}

asio::awaitable<cache::lookup> data_service::indicator(std::string symbol, std::string name,
                                                       int period, std::string interval) {
  if (name == "macd" && period != 12) {
    co_return cache::lookup{nullptr, cache::source::none, false,
                            make_error_code(errc::invalid_argument)};
  }
  auto key = core::cache_key::indicator(symbol, name, period, interval);
  if (!key) co_return cache::lookup{nullptr, cache::source::none, false, key.error()};
  auto probe = cache_.try_fresh(*key);
  if (probe.fresh) co_return fresh_from_l1(std::move(probe));
  cache::compute_fn fn = [this, symbol, name, period, interval]() {
    return compute_indicator(symbol, name, period, interval);
  };
  co_return co_await cache_.get_or_compute(*key, cache::ttl_class::indicators, std::move(fn),
                                           std::move(probe));
}

// ---- tokenomics -----------------------------------------------------------------------------

asio::awaitable<core::result<cache::computed>> data_service::compute_tokenomics(
    std::string coin_id) {
  auto req = cg::coin_request(coin_id, coingecko_key_);
  if (!req) co_return req.error();
  auto res = co_await ups_.coingecko().call(std::move(*req), deadline(snapshot().coingecko_timeout));
  if (!res) co_return res.error();
  auto d = cg::parse_coin(*res);
  if (!d) {
    if (d.error() == errc::not_found) co_return not_found("unknown coin id: " + coin_id);
    co_return d.error();
  }
  co_return tokenomics_payload(*d);
}

cache::l1_probe data_service::probe_tokenomics(std::string_view coin_id) {
  auto key = core::cache_key::tokenomics(coin_id);
  return key ? cache_.try_fresh(*key) : cache::l1_probe{};
}

asio::awaitable<cache::lookup> data_service::tokenomics(std::string coin_id,
                                                        cache::l1_probe probe) {
  auto key = core::cache_key::tokenomics(coin_id);
  if (!key) co_return cache::lookup{nullptr, cache::source::none, false, key.error()};
  if (!probe.looked) probe = cache_.try_fresh(*key);
  if (probe.fresh) co_return fresh_from_l1(std::move(probe));
  cache::compute_fn fn = [this, coin_id]() { return compute_tokenomics(coin_id); };
  co_return co_await cache_.get_or_compute(*key, cache::ttl_class::tokenomics, std::move(fn),
                                           std::move(probe));
}

// ---- summary --------------------------------------------------------------------------------

asio::awaitable<core::result<cache::computed>> data_service::compute_global() {
  auto res = co_await ups_.coingecko().call(cg::global_request(coingecko_key_),
                                            deadline(snapshot().coingecko_timeout));
  if (!res) co_return res.error();
  auto g = cg::parse_global(*res, clock_.now());
  if (!g) co_return g.error();
  co_return global_payload(*g);
}

asio::awaitable<core::result<cache::computed>> data_service::compute_fear_greed() {
  auto req = upstream::fear_greed::fng_request(1);
  if (!req) co_return req.error();
  auto res =
      co_await ups_.fear_greed().call(std::move(*req), deadline(snapshot().fear_greed_timeout));
  if (!res) co_return res.error();
  auto readings = upstream::fear_greed::parse_fng(*res, clock_.now());
  if (!readings) co_return readings.error();
  co_return fear_greed_payload(readings->front());
}

namespace {

// A summary part's object, or null when the part is unavailable or unreadable.
std::optional<json::object> part_object(const cache::lookup& l) {
  if (!usable(l)) return std::nullopt;
  auto o = parse_object(l.value->payload);
  if (!o) return std::nullopt;
  return std::move(*o);
}

json::value field(const std::optional<json::object>& o, std::string_view name) {
  if (!o) return nullptr;
  const auto* v = o->if_contains(name);
  return v == nullptr ? json::value(nullptr) : *v;
}

}  // namespace

asio::awaitable<cache::lookup> data_service::global() {
  cache::compute_fn fn = [this]() { return compute_global(); };
  co_return co_await cache_.get_or_compute(core::cache_key::dashboard_global(),
                                           cache::ttl_class::dashboard, std::move(fn));
}

asio::awaitable<cache::lookup> data_service::fear_greed() {
  cache::compute_fn fn = [this]() { return compute_fear_greed(); };
  co_return co_await cache_.get_or_compute(core::cache_key::dashboard_fear_greed(),
                                           cache::ttl_class::dashboard, std::move(fn));
}

milliseconds data_service::timeout_of(part p, std::string_view symbol,
                                      std::string_view indicator_name) const {
  const auto live = snapshot();
  switch (p) {
    case part::market:
      return coins_.id_of(symbol) ? live.coingecko_timeout : live.binance_timeout;
    case part::candles:
      return live.binance_timeout;
    case part::indicator:
      return taapi_indicators_.contains(indicator_name) ? live.taapi_timeout
                                                        : live.binance_timeout;
    case part::global:
      return live.coingecko_timeout;
    case part::fear_greed:
      return live.fear_greed_timeout;
  }
  return live.coingecko_timeout;
}

asio::awaitable<summary> data_service::dashboard_summary() {
  // A part may take its provider's whole timeout, and a little more for the cache around it.
  const milliseconds timeouts[4] = {
      timeout_of(part::global), timeout_of(part::market, "btc"), timeout_of(part::fear_greed),
      timeout_of(part::indicator, "btc", "rsi")};

  auto [g, btc, fng, rsi] = co_await (
      within(global(), timeouts[0] + wait_margin) &&
      within(market("btc"), timeouts[1] + wait_margin) &&
      within(fear_greed(), timeouts[2] + wait_margin) &&
      within(indicator("btc", "rsi", 14, "1d"), timeouts[3] + wait_margin));

  summary out;
  out.parts = {std::move(g), std::move(btc), std::move(fng), std::move(rsi)};
  const auto now = clock_.now();
  auto global_o = part_object(out.parts[0]);
  auto btc_o = part_object(out.parts[1]);
  auto fng_o = part_object(out.parts[2]);
  auto rsi_o = part_object(out.parts[3]);

  json::object o;
  o["market_cap_usd"] = field(global_o, "market_cap_usd");
  o["market_cap_change_24h_pct"] = field(global_o, "market_cap_change_24h_pct");
  o["volume_24h_usd"] = field(global_o, "volume_24h_usd");
  o["btc_dominance_pct"] = field(global_o, "btc_dominance_pct");
  o["eth_dominance_pct"] = field(global_o, "eth_dominance_pct");
  o["btc_price_usd"] = field(btc_o, "price_usd");
  o["btc_change_24h_pct"] = field(btc_o, "change_24h_pct");
  if (fng_o) {
    json::object f;
    f["value"] = field(fng_o, "value");
    f["classification"] = field(fng_o, "classification");
    o["fear_greed"] = std::move(f);
  } else {
    o["fear_greed"] = nullptr;
  }
  o["rsi_14"] = field(rsi_o, "value");

  std::optional<core::time_point> newest;
  out.all_fresh = true;
  for (const auto& p : out.parts) {
    const bool has = usable(p);
    if (has && (!newest || p.value->created_at > *newest)) newest = p.value->created_at;
    out.all_fresh = out.all_fresh && has && p.fresh;
  }
  o["updated_at"] = newest ? json::value(core::format_rfc3339(*newest)) : json::value(nullptr);
  json::object sources;
  sources["global"] = source_status(out.parts[0], now, timeouts[0]);
  sources["btc_price"] = source_status(out.parts[1], now, timeouts[1]);
  sources["fear_greed"] = source_status(out.parts[2], now, timeouts[2]);
  sources["rsi"] = source_status(out.parts[3], now, timeouts[3]);
  o["sources"] = std::move(sources);
  out.json = core::to_json(o);
  co_return out;
}

asio::awaitable<summary> data_service::refresh_summary() {
  auto store = [this](core::cache_key key, cache::ttl_class cls,
                      core::result<cache::computed> c) -> asio::awaitable<void> {
    if (!c) {
      spdlog::warn("refresh of {} failed: {}", key.str(), describe_error(c.error(), {}));
      co_return;
    }
    co_await cache_.put(std::move(key), std::move(c->payload), c->ttl.value_or(cls));
  };
  auto global = [&]() -> asio::awaitable<void> {
    co_await store(core::cache_key::dashboard_global(), cache::ttl_class::dashboard,
                   co_await compute_global());
  };
  auto fear_greed = [&]() -> asio::awaitable<void> {
    co_await store(core::cache_key::dashboard_fear_greed(), cache::ttl_class::dashboard,
                   co_await compute_fear_greed());
  };
  auto btc = [&]() -> asio::awaitable<void> {
    auto batch = std::make_shared<price_batch>();
    if (auto id = coins_.id_of("btc")) batch->ids.emplace_back(*id);
    co_await store(*core::cache_key::market("btc"), cache::ttl_class::market,
                   co_await compute_market("btc", batch));
  };
  auto rsi = [&]() -> asio::awaitable<void> {
    if (!taapi_indicators_.contains("rsi")) {
      co_await store(*core::cache_key::candles("btc", "1d"), cache::ttl_class::candles,
                     co_await compute_candles("btc", "1d"));
    }
    co_await store(*core::cache_key::indicator("btc", "rsi", 14, "1d"),
                   cache::ttl_class::indicators, co_await compute_indicator("btc", "rsi", 14, "1d"));
  };
  co_await (global() && fear_greed() && btc() && rsi());
  co_return co_await dashboard_summary();
}

asio::awaitable<std::vector<cache::lookup>> data_service::refresh_markets(
    std::vector<std::string> symbols) {
  std::vector<cache::lookup> out(symbols.size());
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (auto key = core::cache_key::market(symbols[i]); !key) out[i].error = key.error();
  }
  auto in_batch = [](const price_batch& b, std::string_view id) {
    return std::find(b.ids.begin(), b.ids.end(), id) != b.ids.end();
  };
  std::shared_ptr<price_batch> batch;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (out[i].error) continue;
    auto id = coins_.id_of(symbols[i]);
    if (!batch || (id && !in_batch(*batch, *id))) {
      // The ids of the next (up to) cg::max_ids mapped symbols from here: the first compute
      // that uses the batch fetches it all in one call.
      batch = std::make_shared<price_batch>();
      for (std::size_t j = i; j < symbols.size() && batch->ids.size() < cg::max_ids; ++j) {
        auto other = out[j].error ? std::nullopt : coins_.id_of(symbols[j]);
        if (other && !in_batch(*batch, *other)) batch->ids.emplace_back(*other);
      }
    }
    auto c = co_await compute_market(symbols[i], batch);
    if (!c) {
      out[i].error = c.error();
      continue;
    }
    auto ttl = c->ttl.value_or(cache::ttl_class::market);
    auto e = co_await cache_.put(*core::cache_key::market(symbols[i]), std::move(c->payload), ttl);
    out[i] = cache::lookup{std::move(e), cache::source::computed, true, {}};
  }
  co_return out;
}

// ---- update-cache ---------------------------------------------------------------------------

namespace {

void record(update_report& r, const std::string& id, const boost::system::error_code& ec) {
  auto line = id + ": " + describe_error(ec, {});
  (refused(ec) ? r.skipped : r.failed).push_back(std::move(line));
}

}  // namespace

asio::awaitable<update_report> data_service::update_coins(std::vector<std::string> coin_ids,
                                                          progress_fn progress) {
  update_report report;
  const auto live = snapshot();
  // Market data for the mapped ids in one call.
  std::map<std::string, std::string> symbol_of;
  std::vector<std::string> mapped;
  for (const auto& id : coin_ids) {
    if (auto s = coins_.symbol_of(id)) {
      symbol_of[id] = std::string(*s);
      mapped.push_back(id);
    }
  }
  std::map<std::string, cg::coin_price> prices;
  boost::system::error_code price_error;
  for (std::size_t at = 0; at < mapped.size(); at += cg::max_ids) {
    std::vector<std::string> chunk(mapped.begin() + static_cast<std::ptrdiff_t>(at),
                                   mapped.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(mapped.size(), at + cg::max_ids)));
    auto req = cg::simple_price_request(chunk, std::vector<std::string>{"usd"}, coingecko_key_);
    if (!req) {
      price_error = req.error();
      continue;
    }
    auto res = co_await ups_.coingecko().call(std::move(*req), deadline(live.coingecko_timeout));
    auto parsed = res ? cg::parse_simple_price(*res, clock_.now())
                      : core::result<std::vector<cg::coin_price>>(res.error());
    if (!parsed) {
      price_error = parsed.error();
      continue;
    }
    for (auto& p : *parsed) prices.emplace(p.id, std::move(p));
  }

  std::size_t done = 0;
  for (const auto& id : coin_ids) {
    if (progress && done > 0) progress(done, coin_ids.size());
    ++done;
    // Tokenomics (which also names the coin's symbol when we have no mapping).
    auto t = co_await compute_tokenomics(id);
    if (!t) {
      record(report, id, t.error());
      continue;
    }
    if (is_not_found(t->payload)) {
      report.failed.push_back(id + ": unknown coin id");
      continue;
    }
    auto tkey = *core::cache_key::tokenomics(id);
    co_await cache_.put(tkey, std::move(t->payload), cache::ttl_class::tokenomics);

    auto symbol_it = symbol_of.find(id);
    auto price_it = prices.find(id);
    if (symbol_it == symbol_of.end() || price_it == prices.end()) {
      if (symbol_it != symbol_of.end() && price_error) {
        record(report, id, price_error);
      } else if (symbol_it == symbol_of.end()) {
        report.failed.push_back(id + ": no symbol mapping for market data (market.coin_ids)");
      } else {
        report.failed.push_back(id + ": no price in CoinGecko's answer");
      }
      continue;
    }
    auto payload = market_payload(symbol_it->second, price_it->second);
    if (!payload) {
      record(report, id, payload.error());
      continue;
    }
    co_await cache_.put(*core::cache_key::market(symbol_it->second), std::move(*payload),
                        cache::ttl_class::market);
    report.updated.push_back(id);
  }
  if (progress) progress(coin_ids.size(), coin_ids.size());
  co_return report;
}

asio::awaitable<update_report> data_service::update_popular(int limit, progress_fn progress) {
  update_report report;
  const auto live = snapshot();
  int page = 1;
  int remaining = limit;
  while (remaining > 0) {
    int per_page = std::min(remaining, cg::max_per_page);
    auto req = cg::markets_request("usd", per_page, page, coingecko_key_);
    if (!req) {
      report.failed.push_back(fmt::format("page {}: {}", page, req.error().message()));
      break;
    }
    auto res = co_await ups_.coingecko().call(std::move(*req), deadline(live.coingecko_timeout));
    auto rows = res ? cg::parse_markets(*res, clock_.now())
                    : core::result<std::vector<cg::market>>(res.error());
    if (!rows) {
      record(report, fmt::format("page {}", page), rows.error());
      break;
    }
    if (rows->empty()) break;
    for (const auto& m : *rows) {
      auto key = core::cache_key::market(m.symbol);
      auto tkey = core::cache_key::tokenomics(m.id);
      if (!key || !tkey) {
        report.failed.push_back(m.id + ": symbol \"" + m.symbol + "\" is not one we serve");
        continue;
      }
      co_await cache_.put(*key, market_payload(m), cache::ttl_class::market);
      co_await cache_.put(*tkey, tokenomics_payload(m), cache::ttl_class::tokenomics);
      report.updated.push_back(m.id);
      if (progress) {
        progress(report.updated.size() + report.failed.size(), static_cast<std::size_t>(limit));
      }
    }
    remaining -= static_cast<int>(rows->size());
    if (static_cast<int>(rows->size()) < per_page) break;
    ++page;
  }
  co_return report;
}

}  // namespace cryptodash::market
