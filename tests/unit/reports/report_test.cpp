// The report model: build_report from payloads made by the real builders of market/payloads.h
// (so a change of their shapes breaks these tests), and the generated summary texts.

#include "reports/report.h"

#include "core/error.h"
#include "market/indicators.h"
#include "market/payloads.h"
#include "reports/summary_text.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

namespace cryptodash::reports {
namespace {

namespace json = boost::json;
namespace cg = upstream::coingecko;
using namespace std::chrono_literals;
using core::errc;

const core::time_point now = core::manual_clock::default_start();  // 2026-01-01T00:00:00Z

cache::lookup found(std::string payload, std::chrono::seconds age, bool fresh = true,
                    boost::system::error_code error = {}) {
  auto e = std::make_shared<cache::entry>();
  e->payload = std::move(payload);
  e->created_at = now - age;
  e->fresh_until = fresh ? now + 60s : now - 1s;
  e->stale_until = now + 3600s;
  return cache::lookup{std::move(e), cache::source::l1, fresh, error};
}

cache::lookup missing(errc e) {
  return cache::lookup{nullptr, cache::source::none, false, make_error_code(e)};
}

std::string btc_market() {
  cg::coin_price p;
  p.id = "bitcoin";
  p.prices.push_back({"usd", 64321.5, 1.27e12, 3.1e10, 2.14});
  p.last_updated_at = now - 30s;
  return *market::market_payload("btc", p);
}

std::string global() {
  cg::global_market g;
  g.total_market_cap_usd = 2.41e12;
  g.total_volume_usd = 9.1e10;
  g.market_cap_change_percentage_24h_usd = -1.21;
  g.market_cap_percentage = {{"btc", 52.3}, {"eth", 17.1}};
  g.updated_at = now - 60s;
  return market::global_payload(g);
}

std::string fear_greed(int value, std::string classification) {
  upstream::fear_greed::reading r;
  r.value = value;
  r.classification = std::move(classification);
  r.timestamp = now - 3600s;
  return market::fear_greed_payload(r);
}

// `n` candles of `step` seconds ending with the one forming now, rising by 1 per candle.
std::vector<market::candle> rising_candles(int n, std::int64_t step) {
  std::vector<market::candle> out;
  const std::int64_t last_open = core::to_unix_seconds(now) - step / 2;
  for (int i = 0; i < n; ++i) {
    market::candle c;
    c.time = last_open - (n - 1 - i) * step;
    c.open = 100 + i;
    c.close = c.open + 0.5;
    c.high = c.close + 1 + (i % 3) * 0.25;
    c.low = c.open - 1 - (i % 4) * 0.5;
    c.volume = 10 + 0.25 * i;
    c.closed = i + 1 < n;
    out.push_back(c);
  }
  return out;
}

std::string indicator(std::string_view name, int period, std::string_view interval,
                      const std::vector<market::candle>& c) {
  return *market::local_indicator_payload("btc", name, period, interval, c);
}

// Every part present and fresh (12 s old), 100 hourly candles.
report_inputs all_fresh(const std::vector<market::candle>& c) {
  report_inputs in;
  in.symbol = "btc";
  in.timeframe = "1d";
  in.market = found(btc_market(), 12s);
  in.candles = found(market::candles_payload("btc", "1h", "binance", c), 12s);
  in.global = found(global(), 12s);
  in.fear_greed = found(fear_greed(72, "Greed"), 12s);
  in.rsi = found(indicator("rsi", 14, "1h", c), 12s);
  in.sma = found(indicator("sma", 20, "1h", c), 12s);
  in.ema = found(indicator("ema", 50, "1h", c), 12s);
  in.macd = found(indicator("macd", 12, "1h", c), 12s);
  in.bbands = found(indicator("bbands", 20, "1h", c), 12s);
  in.timeouts = {10000ms, 10000ms, 10000ms, 10000ms, 10000ms};
  return in;
}

json::object build(const report_inputs& in) {
  auto r = build_report(in, now);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  if (!r) return {};
  return json::parse(*r).as_object();
}

double num(const json::value& v) { return v.to_number<double>(); }

std::vector<double> closes(const std::vector<market::candle>& c) {
  std::vector<double> x;
  for (const auto& k : c) x.push_back(k.close);
  return x;
}

TEST(report_period, timeframes_map_to_candle_intervals) {
  ASSERT_TRUE(period_of("1d"));
  EXPECT_EQ(period_of("1d")->interval, "1h");
  EXPECT_EQ(period_of("1d")->count, 24u);
  ASSERT_TRUE(period_of("1w"));
  EXPECT_EQ(period_of("1w")->interval, "4h");
  EXPECT_EQ(period_of("1w")->count, 42u);
  EXPECT_FALSE(period_of("1m"));
  EXPECT_FALSE(period_of("1D"));
}

TEST(build_report, all_fresh_gives_every_figure) {
  const auto c = rising_candles(100, 3600);
  auto o = build(all_fresh(c));

  EXPECT_EQ(o["symbol"], "btc");
  EXPECT_EQ(o["timeframe"], "1d");
  EXPECT_EQ(o["created_at"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(o["candle_interval"], "1h");
  EXPECT_DOUBLE_EQ(num(o["price_usd"]), 64321.5);

  // The period: the last 24 candles, computed here independently.
  const std::vector<market::candle> period(c.end() - 24, c.end());
  double high = period[0].high, low = period[0].low, volume = 0;
  for (const auto& k : period) {
    high = std::max(high, k.high);
    low = std::min(low, k.low);
    volume += *k.volume;
  }
  const double change = (period.back().close - period.front().open) / period.front().open * 100;
  EXPECT_DOUBLE_EQ(num(o["change_pct"]), change);
  EXPECT_DOUBLE_EQ(num(o["high"]), high);
  EXPECT_DOUBLE_EQ(num(o["low"]), low);
  EXPECT_DOUBLE_EQ(num(o["volume"]), volume);

  EXPECT_DOUBLE_EQ(num(o["market_cap_usd"]), 1.27e12);
  EXPECT_DOUBLE_EQ(num(o["change_24h_pct"]), 2.14);
  EXPECT_DOUBLE_EQ(num(o["volume_24h_usd"]), 3.1e10);
  EXPECT_DOUBLE_EQ(num(o["btc_dominance_pct"]), 52.3);
  EXPECT_DOUBLE_EQ(num(o["eth_dominance_pct"]), 17.1);
  EXPECT_DOUBLE_EQ(num(o["total_market_cap_usd"]), 2.41e12);
  EXPECT_EQ(o["fear_greed"].at("value"), 72);
  EXPECT_EQ(o["fear_greed"].at("classification"), "Greed");

  // Indicators: the newest values of the series over the whole cached history.
  const auto x = closes(c);
  const auto& ind = o["indicators"].as_object();
  EXPECT_DOUBLE_EQ(num(ind.at("rsi_14")), *market::indicators::rsi(x, 14)->back());
  EXPECT_DOUBLE_EQ(num(ind.at("sma_20")), *market::indicators::sma(x, 20)->back());
  EXPECT_DOUBLE_EQ(num(ind.at("ema_50")), *market::indicators::ema(x, 50)->back());
  const auto m = *market::indicators::macd(x)->back();
  EXPECT_DOUBLE_EQ(num(ind.at("macd").at("macd")), m.macd);
  EXPECT_DOUBLE_EQ(num(ind.at("macd").at("signal")), m.signal);
  EXPECT_DOUBLE_EQ(num(ind.at("macd").at("histogram")), m.histogram);
  const auto b = *market::indicators::bbands(x, 20, 2.0)->back();
  EXPECT_DOUBLE_EQ(num(ind.at("bbands").at("upper")), b.upper);
  EXPECT_DOUBLE_EQ(num(ind.at("bbands").at("middle")), b.middle);
  EXPECT_DOUBLE_EQ(num(ind.at("bbands").at("lower")), b.lower);

  // Candles: [open_time_ms, o, h, l, c, v], the period's only.
  const auto& rows = o["candles"].as_array();
  ASSERT_EQ(rows.size(), 24u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i].as_array();
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[0].to_number<std::int64_t>(), period[i].time * 1000);
    EXPECT_DOUBLE_EQ(num(r[1]), period[i].open);
    EXPECT_DOUBLE_EQ(num(r[2]), period[i].high);
    EXPECT_DOUBLE_EQ(num(r[3]), period[i].low);
    EXPECT_DOUBLE_EQ(num(r[4]), period[i].close);
    EXPECT_DOUBLE_EQ(num(r[5]), *period[i].volume);
  }

  for (auto name : {"market", "candles", "global", "fear_greed", "indicators"}) {
    const auto& s = o["sources"].at(name);
    EXPECT_EQ(s.at("state"), "fresh") << name;
    EXPECT_EQ(s.at("age_s"), 12) << name;
    EXPECT_TRUE(s.at("error").is_null()) << name;
  }
  EXPECT_TRUE(o["summary"].at("en").is_string());
  EXPECT_TRUE(o["summary"].at("vi").is_string());
}

TEST(build_report, summary_is_made_from_the_report_figures) {
  // Rising 1 per hour from 176 to 199.5 over the period: +13.35%, price far above the range,
  // RSI 100 (only gains).
  auto in = all_fresh(rising_candles(100, 3600));
  auto o = build(in);
  EXPECT_EQ(o["summary"].at("en"),
            "BTC rose 13.35% over the past 24 hours to $64,321.50. It sits near the top of its "
            "range over the past 24 hours ($175.00–$200.50), and RSI (14) at 100.0 is "
            "overbought. The Fear & Greed Index reads 72 (Greed).");
  EXPECT_EQ(o["summary"].at("vi"),
            "Giá BTC tăng 13,35% trong 24 giờ qua, lên 64.321,50 USD. Giá đang ở gần đỉnh biên "
            "độ 24 giờ qua (175,00–200,50 USD) và RSI (14) ở mức 100,0, thuộc vùng quá mua. "
            "Chỉ số Sợ hãi & Tham lam đạt 72 (Tham lam).");
}

TEST(build_report, stale_input_is_marked_stale_with_its_age) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.global = found(global(), 4210s, false, make_error_code(errc::timeout));
  auto o = build(in);
  const auto& s = o["sources"].at("global");
  EXPECT_EQ(s.at("state"), "stale");
  EXPECT_EQ(s.at("age_s"), 4210);
  EXPECT_EQ(s.at("error"), "timeout after 10000 ms");
  EXPECT_DOUBLE_EQ(num(o["btc_dominance_pct"]), 52.3);  // a stale value is still served
  EXPECT_EQ(o["sources"].at("market").at("state"), "fresh");
}

TEST(build_report, missing_input_is_null_and_unavailable_with_the_reason) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.fear_greed = missing(errc::circuit_open);
  in.global = missing(errc::timeout);
  auto o = build(in);
  EXPECT_TRUE(o["fear_greed"].is_null());
  EXPECT_TRUE(o["btc_dominance_pct"].is_null());
  EXPECT_TRUE(o["eth_dominance_pct"].is_null());
  EXPECT_TRUE(o["total_market_cap_usd"].is_null());
  const auto& fng = o["sources"].at("fear_greed");
  EXPECT_EQ(fng.at("state"), "unavailable");
  EXPECT_TRUE(fng.at("age_s").is_null());
  EXPECT_EQ(fng.at("error"), "circuit open");
  EXPECT_EQ(o["sources"].at("global").at("error"), "timeout after 10000 ms");
  // The summary leaves the Fear & Greed sentence out.
  EXPECT_EQ(o["summary"].at("en").as_string().find("Fear & Greed"), json::string::npos);
}

TEST(build_report, missing_candles_leave_the_period_figures_null) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.candles = missing(errc::rate_limited);
  auto o = build(in);
  for (auto name : {"change_pct", "high", "low", "volume"}) {
    EXPECT_TRUE(o[name].is_null()) << name;
  }
  EXPECT_TRUE(o["candles"].as_array().empty());
  EXPECT_EQ(o["sources"].at("candles").at("state"), "unavailable");
  EXPECT_EQ(o["sources"].at("candles").at("error"), "rate limited");
  EXPECT_EQ(o["summary"].at("en"),
            "BTC trades at $64,321.50. RSI (14) at 100.0 is overbought. "
            "The Fear & Greed Index reads 72 (Greed).");
}

TEST(build_report, a_missing_indicator_is_null_and_degrades_the_indicators_source) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.macd = missing(errc::circuit_open);
  in.sma = found(in.sma.value->payload, 300s, false);
  auto o = build(in);
  EXPECT_TRUE(o["indicators"].at("macd").is_null());
  EXPECT_TRUE(o["indicators"].at("rsi_14").is_number());
  const auto& s = o["sources"].at("indicators");
  EXPECT_EQ(s.at("state"), "stale");
  EXPECT_EQ(s.at("age_s"), 300);
  EXPECT_EQ(s.at("error"), "macd: circuit open");

  for (auto* l : {&in.rsi, &in.sma, &in.ema, &in.macd, &in.bbands}) *l = missing(errc::timeout);
  o = build(in);
  EXPECT_EQ(o["sources"].at("indicators").at("state"), "unavailable");
  EXPECT_TRUE(o["sources"].at("indicators").at("age_s").is_null());
  EXPECT_EQ(o["sources"].at("indicators").at("error"),
            "rsi_14: timeout after 10000 ms; sma_20: timeout after 10000 ms; ema_50: timeout "
            "after 10000 ms; macd: timeout after 10000 ms; bbands: timeout after 10000 ms");
  for (auto name : {"rsi_14", "sma_20", "ema_50", "macd", "bbands"}) {
    EXPECT_TRUE(o["indicators"].at(name).is_null()) << name;
  }
}

TEST(build_report, without_a_price_there_is_no_report) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.market = missing(errc::rate_limited);
  auto r = build_report(in, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_EQ(r.error().message, "no market price for btc: rate limited");

  in.market = found(market::not_found_payload("unknown symbol: btc"), 5s);
  r = build_report(in, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_EQ(r.error().message, "no market price for btc: unknown symbol");

  in.market = found(R"({"symbol":"btc","price_usd":null})", 5s);
  r = build_report(in, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);

  in = all_fresh(rising_candles(100, 3600));
  in.timeframe = "1m";
  r = build_report(in, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_argument);
}

TEST(build_report, only_the_price_is_enough) {
  report_inputs in;
  in.symbol = "btc";
  in.timeframe = "1w";
  in.market = found(btc_market(), 1s);
  auto o = build(in);
  EXPECT_DOUBLE_EQ(num(o["price_usd"]), 64321.5);
  EXPECT_TRUE(o["fear_greed"].is_null());
  EXPECT_TRUE(o["indicators"].at("rsi_14").is_null());
  EXPECT_EQ(o["sources"].at("global").at("error"), "not found");
  EXPECT_EQ(o["summary"].at("vi"), "Giá BTC hiện ở mức 64.321,50 USD.");
}

TEST(build_report, candles_are_trimmed_to_the_period) {
  // 1w: the last 42 four-hour candles.
  const auto c = rising_candles(300, 4 * 3600);
  auto in = all_fresh(c);
  in.timeframe = "1w";
  in.candles = found(market::candles_payload("btc", "4h", "binance", c), 12s);
  auto o = build(in);
  const auto& rows = o["candles"].as_array();
  ASSERT_EQ(rows.size(), 42u);
  EXPECT_EQ(rows.front().as_array()[0].to_number<std::int64_t>(), c[300 - 42].time * 1000);
  EXPECT_EQ(rows.back().as_array()[0].to_number<std::int64_t>(), c.back().time * 1000);
  EXPECT_EQ(o["candle_interval"], "4h");
  EXPECT_DOUBLE_EQ(num(o["change_pct"]),
                   (c.back().close - c[300 - 42].open) / c[300 - 42].open * 100);

  // Fewer candles than the period: all of them.
  const auto few = rising_candles(10, 3600);
  in = all_fresh(rising_candles(100, 3600));
  in.candles = found(market::candles_payload("btc", "1h", "binance", few), 12s);
  o = build(in);
  EXPECT_EQ(o["candles"].as_array().size(), 10u);
  EXPECT_DOUBLE_EQ(num(o["change_pct"]), (few.back().close - few[0].open) / few[0].open * 100);
}

TEST(build_report, candles_without_volume_give_a_null_volume) {
  auto c = rising_candles(100, 3600);
  for (auto& k : c) k.volume.reset();  // as rebuilt from CoinGecko's prices
  auto in = all_fresh(c);
  in.candles = found(market::candles_payload("btc", "1h", "coingecko", c), 12s);
  auto o = build(in);
  EXPECT_TRUE(o["volume"].is_null());
  EXPECT_TRUE(o["candles"].as_array()[0].as_array()[5].is_null());
  EXPECT_TRUE(o["high"].is_number());
}

TEST(build_report, an_unreadable_cached_payload_is_unavailable) {
  auto in = all_fresh(rising_candles(100, 3600));
  in.candles = found("not json", 12s);
  auto o = build(in);
  EXPECT_TRUE(o["change_pct"].is_null());
  EXPECT_EQ(o["sources"].at("candles").at("state"), "unavailable");
  EXPECT_EQ(o["sources"].at("candles").at("error"), "unreadable cached payload");
}

// ---- summary texts ---------------------------------------------------------------------------

summary_figures figures(std::string_view symbol, std::string_view timeframe) {
  summary_figures f;
  f.symbol = symbol;
  f.span_en = period_of(timeframe)->span_en;
  f.span_vi = period_of(timeframe)->span_vi;
  return f;
}

TEST(summary_text, up_overbought_near_the_top) {
  auto f = figures("btc", "1d");
  f.price_usd = 64321.5;
  f.change_pct = 2.1449;
  f.high = 64500;
  f.low = 62000;
  f.rsi = 72.46;
  f.fear_greed_value = 72;
  f.fear_greed_classification = "Greed";
  EXPECT_EQ(summary_text(f, language::en),
            "BTC rose 2.14% over the past 24 hours to $64,321.50. It sits near the top of its "
            "range over the past 24 hours ($62,000.00–$64,500.00), and RSI (14) at 72.5 is "
            "overbought. The Fear & Greed Index reads 72 (Greed).");
  EXPECT_EQ(summary_text(f, language::vi),
            "Giá BTC tăng 2,14% trong 24 giờ qua, lên 64.321,50 USD. Giá đang ở gần đỉnh biên "
            "độ 24 giờ qua (62.000,00–64.500,00 USD) và RSI (14) ở mức 72,5, thuộc vùng quá "
            "mua. Chỉ số Sợ hãi & Tham lam đạt 72 (Tham lam).");
}

TEST(summary_text, down_oversold_near_the_bottom) {
  auto f = figures("eth", "1w");
  f.price_usd = 2950.25;
  f.change_pct = -7.456;
  f.high = 3200;
  f.low = 2900;
  f.rsi = 24.04;
  f.fear_greed_value = 18;
  f.fear_greed_classification = "Extreme Fear";
  EXPECT_EQ(summary_text(f, language::en),
            "ETH fell 7.46% over the past 7 days to $2,950.25. It sits near the bottom of its "
            "range over the past 7 days ($2,900.00–$3,200.00), and RSI (14) at 24.0 is "
            "oversold. The Fear & Greed Index reads 18 (Extreme Fear).");
  EXPECT_EQ(summary_text(f, language::vi),
            "Giá ETH giảm 7,46% trong 7 ngày qua, xuống 2.950,25 USD. Giá đang ở gần đáy biên "
            "độ 7 ngày qua (2.900,00–3.200,00 USD) và RSI (14) ở mức 24,0, thuộc vùng quá bán. "
            "Chỉ số Sợ hãi & Tham lam đạt 18 (Sợ hãi tột độ).");
}

TEST(summary_text, flat_neutral_in_the_middle) {
  auto f = figures("ada", "1d");
  f.price_usd = 0.5123;
  f.change_pct = -0.123;
  f.high = 0.52;
  f.low = 0.50;
  f.rsi = 50;
  f.fear_greed_value = 50;
  f.fear_greed_classification = "Neutral";
  EXPECT_EQ(summary_text(f, language::en),
            "ADA was flat (-0.12%) over the past 24 hours at $0.5123. It sits in the middle of "
            "its range over the past 24 hours ($0.5000–$0.5200), and RSI (14) at 50.0 is "
            "neutral. The Fear & Greed Index reads 50 (Neutral).");
  EXPECT_EQ(summary_text(f, language::vi),
            "Giá ADA đi ngang (-0,12%) trong 24 giờ qua, ở mức 0,5123 USD. Giá đang ở giữa "
            "biên độ 24 giờ qua (0,5000–0,5200 USD) và RSI (14) ở mức 50,0, thuộc vùng trung "
            "tính. Chỉ số Sợ hãi & Tham lam đạt 50 (Trung lập).");
}

TEST(summary_text, thresholds_and_missing_clauses) {
  auto f = figures("btc", "1d");
  f.price_usd = 100;
  f.change_pct = 0.5;  // the flat band ends below 0.5 %
  f.rsi = 70;          // 70 is overbought
  EXPECT_EQ(summary_text(f, language::en),
            "BTC rose 0.50% over the past 24 hours to $100.00. RSI (14) at 70.0 is overbought.");
  f.change_pct = 0.001;
  f.rsi = 30;  // 30 is oversold
  EXPECT_EQ(summary_text(f, language::vi),
            "Giá BTC đi ngang (0,00%) trong 24 giờ qua, ở mức 100,00 USD. RSI (14) ở mức 30,0, "
            "thuộc vùng quá bán.");
  f.change_pct.reset();
  f.rsi.reset();
  f.high = 100;  // an empty range says nothing
  f.low = 100;
  EXPECT_EQ(summary_text(f, language::en), "BTC trades at $100.00.");
}

TEST(summary_text, numbers_per_language) {
  EXPECT_EQ(format_number(1234567.891, 2, language::en), "1,234,567.89");
  EXPECT_EQ(format_number(1234567.891, 2, language::vi), "1.234.567,89");
  EXPECT_EQ(format_number(999.999, 2, language::en), "1,000.00");
  EXPECT_EQ(format_number(-2.5, 1, language::vi), "-2,5");
  EXPECT_EQ(format_number(-0.001, 2, language::en), "0.00");
  EXPECT_EQ(format_price(0.00001234, language::en), "$0.00001234");
  EXPECT_EQ(format_price(64321.5, language::vi), "64.321,50 USD");
  EXPECT_EQ(fear_greed_label("Extreme Greed", language::vi), "Tham lam tột độ");
  EXPECT_EQ(fear_greed_label("Something new", language::vi), "Something new");
}

}  // namespace
}  // namespace cryptodash::reports
