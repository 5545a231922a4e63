#pragma once

// Report bodies shared by the renderer tests (html_test.cpp, pdf_test.cpp): a full report as
// build_report writes it, and its pieces.

#include "reports/summary_text.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>

namespace cryptodash::reports::fixtures {

namespace json = boost::json;

/// How many times `what` occurs in `text` (overlaps counted).
inline std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// A `sources` entry: state, age in seconds, error (null when none).
inline json::object source(std::string_view state, std::optional<std::int64_t> age,
                           std::optional<std::string> error = std::nullopt) {
  json::object s;
  s["state"] = state;
  s["age_s"] = age ? json::value(*age) : json::value(nullptr);
  s["error"] = error ? json::value(*error) : json::value(nullptr);
  return s;
}

/// A 1d BTC report as build_report writes it: 24 hourly candles ending 2026-11-22 10:00 UTC,
/// from 62,974.25 to 64,321.50 (+2.14%) along a wave, the figures taken from them; the global
/// input stale after a timeout, the rest fresh.
inline json::object full_report() {
  constexpr std::int64_t last_open_ms = 1795341600000;  // 2026-11-22T10:00:00Z
  constexpr double first_open = 62974.25, last_close = 64321.5;
  json::array candles;
  double open = first_open, high = 0, low = 1e9;
  for (int i = 0; i < 24; ++i) {
    const double t = (i + 1) / 24.0;
    const double close = i == 23 ? last_close
                                 : first_open + (last_close - first_open) * t +
                                       1100 * std::sin(2 * std::numbers::pi * t);
    const double h = std::max(open, close) + 60 + 40 * (i % 3);
    const double l = std::min(open, close) - 50 - 30 * (i % 4);
    high = std::max(high, h);
    low = std::min(low, l);
    candles.push_back(
        json::array{last_open_ms - (23 - i) * 3600000LL, open, h, l, close, 700 + 37 * (i % 7)});
    open = close;
  }
  const double change = (last_close - first_open) / first_open * 100;
  json::object r;
  r["symbol"] = "btc";
  r["timeframe"] = "1d";
  r["created_at"] = "2026-11-22T10:30:45Z";
  r["candle_interval"] = "1h";
  r["price_usd"] = 64321.5;
  r["change_pct"] = change;
  r["high"] = high;
  r["low"] = low;
  r["volume"] = 21034.5;
  r["market_cap_usd"] = 1.27e12;
  r["change_24h_pct"] = 2.1;
  r["volume_24h_usd"] = 3.1e10;
  r["btc_dominance_pct"] = 52.3;
  r["eth_dominance_pct"] = 17.1;
  r["total_market_cap_usd"] = 2.41e12;
  r["fear_greed"] = json::object{{"value", 72}, {"classification", "Greed"}};
  r["indicators"] = json::object{
      {"rsi_14", 58.2},
      {"sma_20", 63900.1},
      {"ema_50", 63010.7},
      {"macd", json::object{{"macd", 120.5}, {"signal", 98.2}, {"histogram", 22.3}}},
      {"bbands", json::object{{"upper", 65100.0}, {"middle", 63900.1}, {"lower", 62700.2}}}};
  r["candles"] = std::move(candles);
  summary_figures f{.symbol = "btc",
                    .span_en = "24 hours",
                    .span_vi = "24 giờ",
                    .price_usd = last_close,
                    .change_pct = change,
                    .high = high,
                    .low = low,
                    .rsi = 58.2,
                    .fear_greed_value = 72,
                    .fear_greed_classification = "Greed"};
  r["summary"] =
      json::object{{"en", summary_text(f, language::en)}, {"vi", summary_text(f, language::vi)}};
  r["sources"] = json::object{{"market", source("fresh", 12)},
                              {"candles", source("fresh", 12)},
                              {"global", source("stale", 4210, "timeout after 10000 ms")},
                              {"fear_greed", source("fresh", 300)},
                              {"indicators", source("fresh", 12)}};
  return r;
}

}  // namespace cryptodash::reports::fixtures
