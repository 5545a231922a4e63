// Each provider, through the guarded gateway, against the fake upstream: the requests the
// providers build are the ones the fake understands, and what it answers parses — with the
// values set on the fake. Also: credentials go where they should and nowhere else.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/fake_upstream.h"
#include "upstream/gateway.h"
#include "upstream/providers/binance.h"
#include "upstream/providers/coingecko.h"
#include "upstream/providers/fear_greed.h"
#include "upstream/providers/taapi.h"

namespace cryptodash::upstream {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class ProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_ = std::move(*http_client::create({}));
    fake_.set_values(R"({"coins":{"bitcoin":{"price":50000.5,"change_24h":-1.5}},
                         "fear_greed":20,"indicators":{"rsi":55.1}})");
  }

  gateway make(const std::string& provider) {
    gateway_settings s;
    s.base = *parse_base_url(fake_.base_url(provider));
    s.limits.rate = {100000, 1000};
    s.max_retries = 0;
    return gateway(provider, s, *http_, limits_, core::system_clock::instance());
  }

  call_response call(const std::string& provider, const call_request& req) {
    auto g = make(provider);
    asio::io_context ioc;
    auto fut = asio::co_spawn(ioc, g.call(req, std::chrono::steady_clock::now() + 5s),
                              asio::use_future);
    ioc.run();
    auto r = fut.get();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : call_response{};
  }

  // The last request the fake received, as it saw it.
  boost::json::object last_request() {
    auto all = fake_.requests(1);
    return all.as_array().back().as_object();
  }

  testing::fake_upstream fake_;
  std::unique_ptr<http_client> http_;
  local_limits limits_{core::system_clock::instance()};
  const core::time_point now_ = core::system_clock::instance().now();
};

TEST_F(ProvidersTest, CoinGeckoSimplePriceWithTheDemoKeyHeader) {
  const std::vector<std::string> ids = {"bitcoin", "ethereum"};
  const std::vector<std::string> vs = {"usd", "eur"};
  auto req = coingecko::simple_price_request(ids, vs, "CG-demo-key");
  ASSERT_TRUE(req);
  auto prices = coingecko::parse_simple_price(call("coingecko", *req), now_);
  ASSERT_TRUE(prices) << prices.error().message();
  ASSERT_EQ(prices->size(), 2u);
  const auto& btc = (*prices)[0].id == "bitcoin" ? (*prices)[0] : (*prices)[1];
  ASSERT_NE(btc.find("usd"), nullptr);
  EXPECT_DOUBLE_EQ(btc.find("usd")->price, 50000.5);
  EXPECT_DOUBLE_EQ(*btc.find("usd")->change_24h, -1.5);
  const auto seen = last_request();
  EXPECT_EQ(seen.at("headers").at("x-cg-demo-api-key").as_string(), "CG-demo-key");
}

TEST_F(ProvidersTest, CoinGeckoWithoutAKeySendsNoKeyHeader) {
  auto global = coingecko::parse_global(call("coingecko", coingecko::global_request()), now_);
  ASSERT_TRUE(global) << global.error().message();
  EXPECT_GT(global->total_market_cap_usd, 0);
  EXPECT_FALSE(last_request().at("headers").as_object().contains("x-cg-demo-api-key"));
}

TEST_F(ProvidersTest, CoinGeckoMarketsChartAndCoin) {
  auto markets = coingecko::parse_markets(
      call("coingecko", *coingecko::markets_request("usd", 5, 1)), now_);
  ASSERT_TRUE(markets) << markets.error().message();
  ASSERT_EQ(markets->size(), 5u);
  EXPECT_EQ((*markets)[0].id, "bitcoin");
  EXPECT_DOUBLE_EQ((*markets)[0].current_price, 50000.5);

  auto chart = coingecko::parse_market_chart(
      call("coingecko", *coingecko::market_chart_request("bitcoin", "usd", 2)), now_);
  ASSERT_TRUE(chart) << chart.error().message();
  ASSERT_FALSE(chart->prices.empty());

  auto coin = coingecko::parse_coin(call("coingecko", *coingecko::coin_request("bitcoin")));
  ASSERT_TRUE(coin) << coin.error().message();
  EXPECT_EQ(coin->symbol, "btc");

  auto unknown = coingecko::parse_coin(call("coingecko", *coingecko::coin_request("no-such-coin")));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error(), core::errc::not_found);
}

TEST_F(ProvidersTest, FearAndGreed) {
  auto readings = fear_greed::parse_fng(call("fear_greed", *fear_greed::fng_request(2)), now_);
  ASSERT_TRUE(readings) << readings.error().message();
  ASSERT_EQ(readings->size(), 2u);
  EXPECT_EQ((*readings)[0].value, 20);
  EXPECT_EQ((*readings)[0].classification, "Extreme Fear");
}

TEST_F(ProvidersTest, TaapiIndicatorAndBulkKeepTheSecretOutOfLogs) {
  taapi::indicator_query q;
  q.symbol = "btc";
  q.interval = "1h";
  q.indicator = "rsi";
  q.period = 14;
  auto req = taapi::indicator_request("s3cret-token", q);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->log_target.find("s3cret-token"), std::string::npos);
  auto rsi = taapi::parse_indicator(call("taapi", *req));
  ASSERT_TRUE(rsi) << rsi.error().message();
  EXPECT_DOUBLE_EQ(rsi->at("value"), 55.1);
  EXPECT_NE(last_request().at("target").as_string().find("secret=s3cret-token"),
            boost::json::string::npos);

  taapi::bulk_query b;
  b.symbol = "btc";
  b.interval = "1h";
  b.indicators = {{"rsi", 14, "rsi_14"}, {"ema", 20, "ema_20"}};
  auto bulk_req = taapi::bulk_request("s3cret-token", b);
  ASSERT_TRUE(bulk_req);
  auto bulk = taapi::parse_bulk(call("taapi", *bulk_req));
  ASSERT_TRUE(bulk) << bulk.error().message();
  ASSERT_EQ(bulk->size(), 2u);
  EXPECT_EQ((*bulk)[0].id, "rsi_14");
}

TEST_F(ProvidersTest, TaapiWithoutSecretIsUnauthorized) {
  taapi::indicator_query q;
  q.symbol = "btc";
  q.indicator = "rsi";
  auto req = taapi::indicator_request("x", q);
  ASSERT_TRUE(req);
  // Strip the secret the builder put in, as a misconfigured deployment would send it.
  req->target = req->target.substr(0, req->target.find("secret=")) +
                req->target.substr(req->target.find('&', req->target.find("secret=")) + 1);
  auto r = taapi::parse_indicator(call("taapi", *req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::unauthorized);
}

TEST_F(ProvidersTest, BinanceTickerKlinesAndUsedWeight) {
  auto ticker_req = binance::ticker_request("btc");
  ASSERT_TRUE(ticker_req);
  EXPECT_EQ(ticker_req->weight, 2);
  auto t = binance::parse_ticker(call("binance", *ticker_req), now_);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->symbol, "BTCUSDT");
  EXPECT_DOUBLE_EQ(t->last_price, 50000.5);

  auto g = make("binance");
  asio::io_context ioc;
  auto fut = asio::co_spawn(
      ioc, g.call(*binance::klines_request("btc", "1h", 24), std::chrono::steady_clock::now() + 5s),
      asio::use_future);
  ioc.run();
  auto res = fut.get();
  ASSERT_TRUE(res);
  auto candles = binance::parse_klines(*res, now_);
  ASSERT_TRUE(candles) << candles.error().message();
  ASSERT_EQ(candles->size(), 24u);
  EXPECT_FALSE(candles->back().closed);
  EXPECT_TRUE(candles->front().closed);
  EXPECT_EQ(binance::used_weight_1m(*res), 4);  // ticker 2 + klines 2 this minute
  EXPECT_EQ(g.stats().used_weight_1m, 4);
}

TEST_F(ProvidersTest, WrongSchemaAndGarbageAreBadResponses) {
  fake_.set_fault(R"({"path":"/coingecko/global","wrong_schema":true,"times":1})");
  auto wrong = coingecko::parse_global(call("coingecko", coingecko::global_request()), now_);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), core::errc::bad_response);
  fake_.set_fault(R"({"path":"/binance","garbage":true,"times":1})");
  auto garbage = binance::parse_ticker(call("binance", *binance::ticker_request("btc")), now_);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error(), core::errc::bad_response);
}

}  // namespace
}  // namespace cryptodash::upstream
