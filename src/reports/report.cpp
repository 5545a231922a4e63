#include "reports/report.h"

#include "core/json_text.h"
#include "market/payloads.h"
#include "market/sources.h"
#include "reports/summary_text.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace cryptodash::reports {

namespace json = boost::json;
using core::errc;

void throw_exception_from_error(const report_error& e, const boost::source_location& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.message), loc);
}

std::optional<period_spec> period_of(std::string_view timeframe) noexcept {
  if (timeframe == "1d") return period_spec{"1h", 24, "24 hours", "24 giờ"};
  if (timeframe == "1w") return period_spec{"4h", 42, "7 days", "7 ngày"};
  return std::nullopt;
}

namespace {

using market::json_number;

json::value number_or_null(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// A part's payload as an object: none when the part is missing or unreadable.
std::optional<json::object> object_of(const cache::lookup& l) {
  if (!market::usable(l)) return std::nullopt;
  auto o = market::parse_object(l.value->payload);
  if (!o) return std::nullopt;
  return std::move(*o);
}

std::optional<double> figure(const std::optional<json::object>& o, std::string_view name) {
  return o ? json_number(o->if_contains(name)) : std::nullopt;
}

// A part's sources entry; a part whose payload could not be read is unavailable, whatever the
// cache said of it.
json::object status(const cache::lookup& l, core::time_point now,
                    std::chrono::milliseconds timeout, bool readable) {
  if (market::usable(l) && !readable) {
    json::object s;
    s["state"] = "unavailable";
    s["age_s"] = nullptr;
    s["error"] = "unreadable cached payload";
    return s;
  }
  return market::source_status(l, now, timeout);
}

// The figures of the period, from its candles (oldest first).
struct period_figures {
  std::optional<double> change_pct, high, low, volume;
  json::array rows;  // [open_time_ms, o, h, l, c, v]
};

period_figures period_figures_of(std::span<const market::candle> candles) {
  period_figures p;
  if (candles.empty()) return p;
  double high = candles.front().high;
  double low = candles.front().low;
  std::optional<double> volume = 0.0;
  for (const auto& c : candles) {
    high = std::max(high, c.high);
    low = std::min(low, c.low);
    volume = volume && c.volume ? std::optional<double>(*volume + *c.volume) : std::nullopt;
    json::array row;
    row.push_back(c.time * 1000);
    row.push_back(c.open);
    row.push_back(c.high);
    row.push_back(c.low);
    row.push_back(c.close);
    row.push_back(number_or_null(c.volume));
    p.rows.push_back(std::move(row));
  }
  p.high = high;
  p.low = low;
  p.volume = volume;
  const double open = candles.front().open;
  if (open > 0) p.change_pct = (candles.back().close - open) / open * 100.0;
  return p;
}

// The newest value of an indicator payload: a number, or an object of numbers (macd, bbands)
// with exactly `fields`; null when missing or of another shape.
json::value indicator_value(const cache::lookup& l, std::span<const std::string_view> fields) {
  auto o = object_of(l);
  const json::value* v = o ? o->if_contains("value") : nullptr;
  if (v == nullptr) return nullptr;
  if (fields.empty()) return number_or_null(json_number(v));
  if (!v->is_object()) return nullptr;
  json::object out;
  for (auto f : fields) {
    auto n = json_number(v->get_object().if_contains(f));
    if (!n) return nullptr;
    out[f] = *n;
  }
  return out;
}

struct indicator_part {
  std::string_view name;
  const cache::lookup* lookup;
  std::span<const std::string_view> fields;
};

constexpr std::array<std::string_view, 3> macd_fields = {"macd", "signal", "histogram"};
constexpr std::array<std::string_view, 3> band_fields = {"upper", "middle", "lower"};

std::array<indicator_part, 5> indicator_parts(const report_inputs& in) {
  return {{{"rsi_14", &in.rsi, {}},
           {"sma_20", &in.sma, {}},
           {"ema_50", &in.ema, {}},
           {"macd", &in.macd, macd_fields},
           {"bbands", &in.bbands, band_fields}}};
}

// One sources entry for the five indicators: fresh when all five are; unavailable when none
// is usable; stale otherwise (some stale or missing). age_s is the oldest usable one's; error
// names each part with a problem ("macd: circuit open; bbands: not found").
json::object indicators_status(const report_inputs& in, core::time_point now) {
  std::size_t usable = 0;
  bool all_fresh = true;
  std::int64_t oldest = 0;
  std::string errors;
  for (const auto& p : indicator_parts(in)) {
    auto s = market::source_status(*p.lookup, now, in.timeouts.indicators);
    if (market::usable(*p.lookup)) {
      ++usable;
      all_fresh = all_fresh && p.lookup->fresh;
      oldest = std::max(oldest, s["age_s"].as_int64());
    }
    if (const auto& e = s["error"]; e.is_string()) {
      if (!errors.empty()) errors += "; ";
      errors += fmt::format("{}: {}", p.name, std::string_view(e.get_string()));
    }
  }
  json::object s;
  s["state"] = usable == 0 ? "unavailable" : usable == 5 && all_fresh ? "fresh" : "stale";
  s["age_s"] = usable == 0 ? json::value(nullptr) : json::value(oldest);
  s["error"] = errors.empty() ? json::value(nullptr) : json::value(errors);
  return s;
}

report_error no_price(const report_inputs& in, std::string_view why, errc code) {
  return report_error{make_error_code(code),
                      fmt::format("no market price for {}: {}", in.symbol, why)};
}

}  // namespace

report_result build_report(const report_inputs& in, core::time_point now) {
  const auto period = period_of(in.timeframe);
  if (!period) {
    return report_error{make_error_code(errc::invalid_argument),
                        fmt::format("unknown report timeframe \"{}\" (1d or 1w)", in.timeframe)};
  }

  // The price, without which there is no report.
  if (in.market.value && market::is_not_found(in.market.value->payload)) {
    return no_price(in, "unknown symbol", errc::not_found);
  }
  if (!in.market.value) {
    auto ec = in.market.error ? in.market.error : make_error_code(errc::unavailable);
    return no_price(in, market::describe_error(ec, in.timeouts.market), errc::unavailable);
  }
  const auto market_o = object_of(in.market);
  const auto price = figure(market_o, "price_usd");
  if (!price) return no_price(in, "the cached market payload has no price", errc::unavailable);

  // The period's candles: the last period->count of the cached history.
  std::vector<market::candle> candles;
  bool candles_readable = true;
  if (market::usable(in.candles)) {
    auto all = market::parse_candles(in.candles.value->payload);
    candles_readable = all.has_value();
    if (all) {
      const auto keep = std::min(all->size(), period->count);
      candles.assign(all->end() - static_cast<std::ptrdiff_t>(keep), all->end());
    }
  }
  auto p = period_figures_of(candles);

  const auto global_o = object_of(in.global);
  const auto fng_o = object_of(in.fear_greed);
  std::optional<int> fng_value;
  std::string fng_class;
  if (fng_o) {
    const auto* v = fng_o->if_contains("value");
    const auto* c = fng_o->if_contains("classification");
    if (v != nullptr && v->is_int64() && c != nullptr && c->is_string()) {
      fng_value = static_cast<int>(v->get_int64());
      fng_class = c->get_string();
    }
  }

  json::object o;
  o["symbol"] = in.symbol;
  o["timeframe"] = in.timeframe;
  o["created_at"] = core::format_rfc3339(now);
  o["candle_interval"] = period->interval;
  o["price_usd"] = *price;
  o["change_pct"] = number_or_null(p.change_pct);
  o["high"] = number_or_null(p.high);
  o["low"] = number_or_null(p.low);
  o["volume"] = number_or_null(p.volume);
  o["market_cap_usd"] = number_or_null(figure(market_o, "market_cap_usd"));
  o["change_24h_pct"] = number_or_null(figure(market_o, "change_24h_pct"));
  o["volume_24h_usd"] = number_or_null(figure(market_o, "volume_24h_usd"));
  o["btc_dominance_pct"] = number_or_null(figure(global_o, "btc_dominance_pct"));
  o["eth_dominance_pct"] = number_or_null(figure(global_o, "eth_dominance_pct"));
  o["total_market_cap_usd"] = number_or_null(figure(global_o, "market_cap_usd"));
  if (fng_value) {
    json::object f;
    f["value"] = *fng_value;
    f["classification"] = fng_class;
    o["fear_greed"] = std::move(f);
  } else {
    o["fear_greed"] = nullptr;
  }

  json::object ind;
  for (const auto& part : indicator_parts(in)) {
    ind[part.name] = indicator_value(*part.lookup, part.fields);
  }
  const auto rsi = json_number(ind.if_contains("rsi_14"));
  o["indicators"] = std::move(ind);
  o["candles"] = std::move(p.rows);

  summary_figures f;
  f.symbol = in.symbol;
  f.span_en = period->span_en;
  f.span_vi = period->span_vi;
  f.price_usd = *price;
  f.change_pct = p.change_pct;
  f.high = p.high;
  f.low = p.low;
  f.rsi = rsi;
  f.fear_greed_value = fng_value;
  f.fear_greed_classification = fng_class;
  json::object summary;
  summary["en"] = summary_text(f, language::en);
  summary["vi"] = summary_text(f, language::vi);
  o["summary"] = std::move(summary);

  json::object sources;
  sources["market"] = status(in.market, now, in.timeouts.market, true);
  sources["candles"] = status(in.candles, now, in.timeouts.candles, candles_readable);
  sources["global"] = status(in.global, now, in.timeouts.global, global_o.has_value());
  sources["fear_greed"] = status(in.fear_greed, now, in.timeouts.fear_greed, fng_o.has_value());
  sources["indicators"] = indicators_status(in, now);
  o["sources"] = std::move(sources);
  return core::to_json(o);
}

}  // namespace cryptodash::reports
