#include "market/payloads.h"

#include "core/json_text.h"
#include "market/indicators.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>

namespace cryptodash::market {

namespace json = boost::json;
using core::errc;

namespace {

json::value number_or_null(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::int64_t unix_seconds(core::time_point t) { return core::to_unix_seconds(t); }

}  // namespace

std::string not_found_payload(std::string_view message) {
  json::object error;
  error["code"] = "not_found";
  error["message"] = message;
  json::object o;
  o["error"] = std::move(error);
  return core::to_json(o);
}

bool is_not_found(std::string_view payload) noexcept {
  return payload.starts_with(R"({"error":{"code":"not_found")");
}

core::result<std::string> market_payload(std::string_view symbol,
                                         const upstream::coingecko::coin_price& p) {
  const auto* usd = p.find("usd");
  if (usd == nullptr) return make_error_code(errc::bad_response);
  json::object o;
  o["symbol"] = symbol;
  o["coin_id"] = p.id;
  o["price_usd"] = usd->price;
  o["change_24h_pct"] = number_or_null(usd->change_24h);
  o["market_cap_usd"] = number_or_null(usd->market_cap);
  o["volume_24h_usd"] = number_or_null(usd->volume_24h);
  o["last_updated"] =
      p.last_updated_at ? json::value(core::format_rfc3339(*p.last_updated_at)) : nullptr;
  o["source"] = "coingecko";
  return core::to_json(o);
}

std::string market_payload(const upstream::coingecko::market& m) {
  json::object o;
  o["symbol"] = m.symbol;
  o["coin_id"] = m.id;
  o["price_usd"] = m.current_price;
  o["change_24h_pct"] = m.price_change_percentage_24h;
  o["market_cap_usd"] = m.market_cap;
  o["volume_24h_usd"] = m.total_volume;
  o["last_updated"] = core::format_rfc3339(m.last_updated);
  o["source"] = "coingecko";
  return core::to_json(o);
}

std::string market_payload(std::string_view symbol, const upstream::binance::ticker& t) {
  json::object o;
  o["symbol"] = symbol;
  o["coin_id"] = nullptr;
  o["price_usd"] = t.last_price;
  std::optional<double> change;
  if (t.full) {
    change = t.full->price_change_percent;
  } else if (t.open_price > 0) {
    change = (t.last_price - t.open_price) / t.open_price * 100.0;
  }
  o["change_24h_pct"] = number_or_null(change);
  o["market_cap_usd"] = nullptr;
  o["volume_24h_usd"] = t.quote_volume;
  o["last_updated"] = core::format_rfc3339(t.close_time);
  o["source"] = "binance";
  return core::to_json(o);
}

std::string global_payload(const upstream::coingecko::global_market& g) {
  auto share = [&](std::string_view coin) -> json::value {
    auto it = g.market_cap_percentage.find(coin);
    return it == g.market_cap_percentage.end() ? json::value(nullptr) : json::value(it->second);
  };
  json::object o;
  o["market_cap_usd"] = g.total_market_cap_usd;
  o["market_cap_change_24h_pct"] = g.market_cap_change_percentage_24h_usd;
  o["volume_24h_usd"] = g.total_volume_usd;
  o["btc_dominance_pct"] = share("btc");
  o["eth_dominance_pct"] = share("eth");
  o["active_cryptocurrencies"] = g.active_cryptocurrencies;
  o["updated_at"] = core::format_rfc3339(g.updated_at);
  return core::to_json(o);
}

std::string fear_greed_payload(const upstream::fear_greed::reading& r) {
  json::object o;
  o["value"] = r.value;
  o["classification"] = r.classification;
  o["timestamp"] = core::format_rfc3339(r.timestamp);
  return core::to_json(o);
}

namespace {

json::object candle_json(const candle& c) {
  json::object o;
  o["time"] = c.time;
  o["open"] = c.open;
  o["high"] = c.high;
  o["low"] = c.low;
  o["close"] = c.close;
  o["volume"] = number_or_null(c.volume);
  o["closed"] = c.closed;
  return o;
}

}  // namespace

std::string candles_payload(std::string_view symbol, std::string_view interval,
                            std::string_view source, std::span<const candle> candles) {
  json::array rows;
  rows.reserve(candles.size());
  for (const auto& c : candles) rows.push_back(candle_json(c));
  json::object o;
  o["symbol"] = symbol;
  o["interval"] = interval;
  o["source"] = source;
  o["candles"] = std::move(rows);
  return core::to_json(o);
}

core::result<json::object> parse_object(std::string_view payload) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return make_error_code(errc::corrupt);
  return std::move(v.as_object());
}

std::optional<double> json_number(const json::value* v) noexcept {
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

core::result<std::vector<candle>> parse_candles(std::string_view payload) {
  auto o = parse_object(payload);
  if (!o) return o.error();
  const auto* rows = o->if_contains("candles");
  if (rows == nullptr || !rows->is_array()) return make_error_code(errc::corrupt);
  std::vector<candle> out;
  out.reserve(rows->get_array().size());
  for (const auto& r : rows->get_array()) {
    if (!r.is_object()) return make_error_code(errc::corrupt);
    const auto& ro = r.get_object();
    auto t = json_number(ro.if_contains("time"));
    auto op = json_number(ro.if_contains("open"));
    auto hi = json_number(ro.if_contains("high"));
    auto lo = json_number(ro.if_contains("low"));
    auto cl = json_number(ro.if_contains("close"));
    const auto* closed = ro.if_contains("closed");
    if (!t || !op || !hi || !lo || !cl || closed == nullptr || !closed->is_bool()) {
      return make_error_code(errc::corrupt);
    }
    candle c;
    c.time = static_cast<std::int64_t>(*t);
    c.open = *op;
    c.high = *hi;
    c.low = *lo;
    c.close = *cl;
    c.volume = json_number(ro.if_contains("volume"));
    c.closed = closed->get_bool();
    out.push_back(c);
  }
  return out;
}

core::result<std::string> limit_candles(std::string_view payload, std::size_t limit) {
  auto o = parse_object(payload);
  if (!o) return o.error();
  auto* rows = o->if_contains("candles");
  if (rows == nullptr || !rows->is_array()) return make_error_code(errc::corrupt);
  auto& a = rows->get_array();
  if (a.size() <= limit) return std::string(payload);
  json::array kept(a.end() - static_cast<std::ptrdiff_t>(limit), a.end());
  a = std::move(kept);
  return core::to_json(*o);
}

std::vector<candle> from_klines(std::span<const upstream::binance::candle> klines) {
  std::vector<candle> out;
  out.reserve(klines.size());
  for (const auto& k : klines) {
    out.push_back(candle{unix_seconds(k.open_time), k.open, k.high, k.low, k.close, k.volume,
                         k.closed});
  }
  return out;
}

std::vector<candle> from_price_points(std::span<const upstream::coingecko::chart_point> points,
                                      std::int64_t interval_seconds, core::time_point now) {
  std::vector<candle> out;
  if (interval_seconds <= 0) return out;
  for (const auto& p : points) {
    std::int64_t t = unix_seconds(p.time);
    std::int64_t bucket = t - ((t % interval_seconds) + interval_seconds) % interval_seconds;
    if (out.empty() || out.back().time != bucket) {
      if (!out.empty() && bucket < out.back().time) continue;  // out of order: ignored
      out.push_back(candle{bucket, p.value, p.value, p.value, p.value, std::nullopt, true});
    } else {
      auto& c = out.back();
      c.high = std::max(c.high, p.value);
      c.low = std::min(c.low, p.value);
      c.close = p.value;
    }
  }
  if (!out.empty() && out.back().time + interval_seconds > unix_seconds(now)) {
    out.back().closed = false;
  }
  return out;
}

namespace {

json::value band_json(const indicators::band_value& b) {
  json::object o;
  o["upper"] = b.upper;
  o["middle"] = b.middle;
  o["lower"] = b.lower;
  return o;
}

json::value macd_json(const indicators::macd_value& m) {
  json::object o;
  o["macd"] = m.macd;
  o["signal"] = m.signal;
  o["histogram"] = m.histogram;
  return o;
}

std::string indicator_json(std::string_view symbol, std::string_view name, int period,
                           std::string_view interval, std::string_view source,
                           json::array values) {
  json::object o;
  o["symbol"] = symbol;
  o["indicator"] = name;
  o["period"] = period;
  o["interval"] = interval;
  o["source"] = source;
  if (values.empty()) {
    o["time"] = nullptr;
    o["value"] = nullptr;
  } else {
    const auto& last = values.back().as_object();
    o["time"] = last.at("time");
    o["value"] = last.at("value");
  }
  o["values"] = std::move(values);
  return core::to_json(o);
}

template <class Series, class ToJson>
json::array points(std::span<const candle> candles, const Series& s, ToJson to_json) {
  json::array out;
  for (std::size_t i = 0; i < s.size() && i < candles.size(); ++i) {
    if (!s[i]) continue;
    json::object p;
    p["time"] = candles[i].time;
    p["value"] = to_json(*s[i]);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

core::result<std::string> local_indicator_payload(std::string_view symbol, std::string_view name,
                                                  int period, std::string_view interval,
                                                  std::span<const candle> candles) {
  std::vector<double> closes;
  closes.reserve(candles.size());
  for (const auto& c : candles) closes.push_back(c.close);
  json::array values;
  auto number_json = [](double d) { return json::value(d); };
  if (name == "rsi" || name == "sma" || name == "ema") {
    auto s = name == "rsi"   ? indicators::rsi(closes, period)
             : name == "sma" ? indicators::sma(closes, period)
                             : indicators::ema(closes, period);
    if (!s) return s.error();
    values = points(candles, *s, number_json);
  } else if (name == "macd") {
    if (period != 12) return make_error_code(errc::invalid_argument);
    auto s = indicators::macd(closes, 12, 26, 9);
    if (!s) return s.error();
    values = points(candles, *s, macd_json);
  } else if (name == "bbands") {
    auto s = indicators::bbands(closes, period, 2.0);
    if (!s) return s.error();
    values = points(candles, *s, band_json);
  } else {
    return make_error_code(errc::invalid_argument);
  }
  if (values.empty()) return make_error_code(errc::not_found);
  return indicator_json(symbol, name, period, interval, "local", std::move(values));
}

std::string taapi_indicator_payload(std::string_view symbol, std::string_view name, int period,
                                    std::string_view interval,
                                    const std::map<std::string, double, std::less<>>& values,
                                    core::time_point now) {
  auto get = [&](std::string_view k) -> json::value {
    auto it = values.find(k);
    return it == values.end() ? json::value(nullptr) : json::value(it->second);
  };
  json::value v;
  if (name == "macd") {
    json::object o;
    o["macd"] = get("valueMACD");
    o["signal"] = get("valueMACDSignal");
    o["histogram"] = get("valueMACDHist");
    v = std::move(o);
  } else if (name == "bbands") {
    json::object o;
    o["upper"] = get("valueUpperBand");
    o["middle"] = get("valueMiddleBand");
    o["lower"] = get("valueLowerBand");
    v = std::move(o);
  } else {
    v = get("value");
  }
  json::object p;
  p["time"] = unix_seconds(now);
  p["value"] = std::move(v);
  json::array a;
  a.push_back(std::move(p));
  return indicator_json(symbol, name, period, interval, "taapi", std::move(a));
}

std::string tokenomics_payload(const upstream::coingecko::coin_details& d) {
  json::object o;
  o["coin_id"] = d.id;
  o["symbol"] = d.symbol;
  o["name"] = d.name;
  o["price_usd"] = d.price_usd;
  o["market_cap_usd"] = d.market_cap_usd;
  o["fully_diluted_valuation_usd"] = number_or_null(d.fully_diluted_valuation_usd);
  o["circulating_supply"] = number_or_null(d.circulating_supply);
  o["total_supply"] = number_or_null(d.total_supply);
  o["max_supply"] = number_or_null(d.max_supply);
  return core::to_json(o);
}

std::string tokenomics_payload(const upstream::coingecko::market& m) {
  upstream::coingecko::coin_details d;
  d.id = m.id;
  d.symbol = m.symbol;
  d.name = m.name;
  d.price_usd = m.current_price;
  d.market_cap_usd = m.market_cap;
  d.fully_diluted_valuation_usd = m.fully_diluted_valuation;
  d.circulating_supply = m.circulating_supply;
  d.total_supply = m.total_supply;
  d.max_supply = m.max_supply;
  return tokenomics_payload(d);
}

}  // namespace cryptodash::market
