// The JSON each cache key holds: built from validated upstream answers, read back where needed.

#include "market/payloads.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cmath>

namespace cryptodash::market {
namespace {

namespace json = boost::json;
namespace cg = upstream::coingecko;
namespace bn = upstream::binance;

core::time_point at(std::int64_t unix_s) { return core::from_unix_seconds(unix_s); }

TEST(Payloads, NotFoundIsRecognisedAndNothingElseIs) {
  auto p = not_found_payload("unknown symbol: zzz");
  EXPECT_TRUE(is_not_found(p));
  EXPECT_EQ(json::parse(p).at("error").at("message"), "unknown symbol: zzz");
  EXPECT_FALSE(is_not_found(R"({"symbol":"btc"})"));
  EXPECT_FALSE(is_not_found(R"({"error":{"code":"timeout"}})"));
}

TEST(Payloads, MarketFromCoinGeckoKeepsMissingFiguresNull) {
  cg::coin_price p;
  p.id = "bitcoin";
  p.prices.push_back({"usd", 64321.5, 1.9e12, std::nullopt, std::nullopt});
  p.last_updated_at = at(1795305600);
  auto text = market_payload("btc", p);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("\"price_usd\":64321.5"), std::string::npos) << *text;  // plain numbers
  auto o = json::parse(*text).as_object();
  EXPECT_EQ(o.at("coin_id"), "bitcoin");
  EXPECT_EQ(o.at("market_cap_usd").to_number<double>(), 1.9e12);
  EXPECT_TRUE(o.at("change_24h_pct").is_null());
  EXPECT_TRUE(o.at("volume_24h_usd").is_null());
  EXPECT_EQ(o.at("last_updated"), "2026-11-22T00:00:00Z");
  EXPECT_EQ(o.at("source"), "coingecko");

  cg::coin_price eur_only;
  eur_only.id = "bitcoin";
  eur_only.prices.push_back({"eur", 60000, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(market_payload("btc", eur_only).error(), core::errc::bad_response);
}

TEST(Payloads, MarketFromABinanceMiniTickerComputesTheChangeAndHasNoMarketCap) {
  bn::ticker t;
  t.symbol = "BTCUSDT";
  t.open_price = 100;
  t.last_price = 110;
  t.quote_volume = 5e9;
  t.close_time = at(1795305600);
  auto o = json::parse(market_payload("btc", t)).as_object();
  EXPECT_DOUBLE_EQ(o.at("change_24h_pct").to_number<double>(), 10.0);
  EXPECT_TRUE(o.at("market_cap_usd").is_null());
  EXPECT_TRUE(o.at("coin_id").is_null());
  EXPECT_EQ(o.at("source"), "binance");
}

std::vector<candle> three_candles() {
  return {{3600, 10, 12, 9, 11, 100.5, true},
          {7200, 11, 13, 10, 12, std::nullopt, true},
          {10800, 12, 15, 12, 14, 7, false}};
}

TEST(Payloads, CandlesRoundTripAndTrim) {
  auto c = three_candles();
  auto text = candles_payload("btc", "1h", "binance", c);
  auto back = parse_candles(text);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*back)[i].time, c[i].time);
    EXPECT_EQ((*back)[i].close, c[i].close);
    EXPECT_EQ((*back)[i].volume, c[i].volume);
    EXPECT_EQ((*back)[i].closed, c[i].closed);
  }
  auto two = limit_candles(text, 2);
  ASSERT_TRUE(two);
  auto rows = parse_candles(*two);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->front().time, 7200);  // the newest are kept
  EXPECT_EQ(*limit_candles(text, 3), text);
  EXPECT_EQ(parse_candles("not json").error(), core::errc::corrupt);
  EXPECT_EQ(parse_candles(R"({"candles":[{"time":1}]})").error(), core::errc::corrupt);
}

TEST(Payloads, PricePointsAreBucketedIntoCandles) {
  std::vector<cg::chart_point> points = {
      {at(3600), 10}, {at(3600 + 1200), 14}, {at(3600 + 2400), 9}, {at(7200), 11}, {at(7800), 12}};
  auto c = from_price_points(points, 3600, at(7900));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].time, 3600);
  EXPECT_EQ(c[0].open, 10);
  EXPECT_EQ(c[0].high, 14);
  EXPECT_EQ(c[0].low, 9);
  EXPECT_EQ(c[0].close, 9);
  EXPECT_FALSE(c[0].volume);
  EXPECT_TRUE(c[0].closed);
  EXPECT_EQ(c[1].close, 12);
  EXPECT_FALSE(c[1].closed);  // its hour has not ended at 7900
}

TEST(Payloads, LocalIndicatorsFromCandles) {
  auto c = three_candles();
  auto sma = local_indicator_payload("btc", "sma", 2, "1h", c);
  ASSERT_TRUE(sma);
  auto o = json::parse(*sma).as_object();
  EXPECT_DOUBLE_EQ(o.at("value").to_number<double>(), 13.0);  // (12 + 14) / 2
  EXPECT_EQ(o.at("time").to_number<std::int64_t>(), 10800);
  EXPECT_EQ(o.at("values").as_array().size(), 2u);
  EXPECT_EQ(o.at("source"), "local");

  EXPECT_EQ(local_indicator_payload("btc", "rsi", 14, "1h", c).error(), core::errc::not_found);
  EXPECT_EQ(local_indicator_payload("btc", "macd", 13, "1h", c).error(),
            core::errc::invalid_argument);
  EXPECT_EQ(local_indicator_payload("btc", "wma", 2, "1h", c).error(),
            core::errc::invalid_argument);
  auto bands = local_indicator_payload("btc", "bbands", 3, "1h", c);
  ASSERT_TRUE(bands);
  auto v = json::parse(*bands).at("value").as_object();
  EXPECT_DOUBLE_EQ(v.at("middle").to_number<double>(), (11.0 + 12.0 + 14.0) / 3);
  EXPECT_GT(v.at("upper").to_number<double>(), v.at("lower").to_number<double>());
}

TEST(Payloads, TokenomicsKeepsUnknownSuppliesNull) {
  cg::coin_details d;
  d.id = "ethereum";
  d.symbol = "eth";
  d.name = "Ethereum";
  d.price_usd = 3000;
  d.market_cap_usd = 3.6e11;
  d.circulating_supply = 1.2e8;
  auto o = json::parse(tokenomics_payload(d)).as_object();
  EXPECT_TRUE(o.at("max_supply").is_null());
  EXPECT_TRUE(o.at("total_supply").is_null());
  EXPECT_TRUE(o.at("fully_diluted_valuation_usd").is_null());
  EXPECT_EQ(o.at("circulating_supply").to_number<double>(), 1.2e8);
}

}  // namespace
}  // namespace cryptodash::market
