#include "upstream/providers/binance.h"

#include "test_support.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream::binance {
namespace {

using core::errc;
using std::chrono::milliseconds;
using testing::fixed_now;
using testing::fixture;
using testing::fixture_response;
using testing::replaced;
using testing::response;

core::time_point unix_ms(std::int64_t ms) {
  return core::time_point(milliseconds(ms));
}
boost::system::error_code bad() {
  return make_error_code(errc::bad_response);
}
boost::system::error_code invalid() {
  return make_error_code(errc::invalid_argument);
}

using replacements = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// ---- Tickers ----------------------------------------------------------------------------------

TEST(binance_ticker, captured_btcusdt) {
  auto t = parse_ticker(fixture_response(200, "binance/ticker_24hr.BTCUSDT.200.json"), fixed_now());
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->symbol, "BTCUSDT");
  EXPECT_EQ(t->last_price, 47174.97);
  EXPECT_EQ(t->open_price, 48901.44);
  EXPECT_EQ(t->high_price, 49436.43);
  EXPECT_EQ(t->low_price, 46749.55);
  EXPECT_EQ(t->volume, 33136.69765);
  EXPECT_EQ(t->quote_volume, 1592599905.8036079);
  EXPECT_EQ(t->open_time, unix_ms(1639647642763));
  EXPECT_EQ(t->close_time, unix_ms(1639734042763));
  EXPECT_EQ(t->first_id, 1191596486);
  EXPECT_EQ(t->last_id, 1192649611);
  EXPECT_EQ(t->count, 1053126);
  ASSERT_TRUE(t->full);
  EXPECT_EQ(t->full->price_change, -1726.47);
  EXPECT_EQ(t->full->price_change_percent, -3.531);
  EXPECT_EQ(t->full->weighted_avg_price, 48061.51544204);
  EXPECT_EQ(t->full->bid_price, 47174.96);
  EXPECT_EQ(t->full->ask_qty, 0.13802);
}

TEST(binance_ticker, docs_full_and_mini_list) {
  auto full = parse_ticker(fixture_response(200, "binance/ticker_24hr.docs_example_full.200.json"),
                           fixed_now());
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ(full->symbol, "BNBBTC");
  EXPECT_EQ(full->last_price, 4.000002);
  EXPECT_EQ(full->full->price_change, -94.999998);
  EXPECT_EQ(full->full->prev_close_price, 0.10002);
  EXPECT_EQ(full->count, 76);

  auto mini = parse_tickers(
      fixture_response(200, "binance/ticker_24hr.docs_example_mini_list.200.json"), fixed_now());
  ASSERT_TRUE(mini) << mini.error().message();
  ASSERT_EQ(mini->size(), 2u);
  EXPECT_EQ((*mini)[0].symbol, "BNBBTC");
  EXPECT_FALSE((*mini)[0].full);
  EXPECT_EQ((*mini)[1].symbol, "LTCBTC");
  EXPECT_EQ((*mini)[1].last_price, 0.07);
  EXPECT_EQ((*mini)[1].quote_volume, 0.77);
  EXPECT_EQ((*mini)[1].first_id, 0);
  EXPECT_EQ((*mini)[1].close_time, unix_ms(1656994592899));
}

TEST(binance_ticker, single_and_list_shapes_are_not_interchangeable) {
  EXPECT_EQ(
      parse_ticker(fixture_response(200, "binance/ticker_24hr.docs_example_mini_list.200.json"),
                   fixed_now())
          .error(),
      bad());
  EXPECT_EQ(
      parse_tickers(fixture_response(200, "binance/ticker_24hr.BTCUSDT.200.json"), fixed_now())
          .error(),
      bad());
  auto empty = parse_tickers(response(200, "[]"), fixed_now());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(binance_ticker, market_without_trades) {
  auto body = fixture("binance/ticker_24hr.BTCUSDT.200.json");
  body = replaced(body, "\"firstId\":1191596486", "\"firstId\":-1");
  body = replaced(body, "\"lastId\":1192649611", "\"lastId\":-1");
  body = replaced(body, "\"count\":1053126", "\"count\":0");
  auto t = parse_ticker(response(200, body), fixed_now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->first_id, -1);
  EXPECT_EQ(t->count, 0);
}

TEST(binance_ticker, rejects_schema_violations) {
  auto body = fixture("binance/ticker_24hr.BTCUSDT.200.json");
  for (auto [from, to] : replacements{
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"-47174.97\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":47174.97"},  // number, not string
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"NaN\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"nan\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"inf\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"-Infinity\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"1e999\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"47174.97x\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\" 47174.97\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"+47174.97\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"0x1p3\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":\"\""},
           {"\"lastPrice\":\"47174.97000000\"", "\"lastPrice\":null"},
           {"\"volume\":\"33136.69765000\"", "\"volume\":\"-1\""},
           {"\"bidPrice\":\"47174.96000000\"", "\"bidPrice\":\"-1\""},
           {"\"priceChangePercent\":\"-3.531\"", "\"priceChangePercent\":\"-3.5.31\""},
           {"\"highPrice\":\"49436.43000000\"", "\"highPrice\":\"46000\""},  // high < low
           {"\"closeTime\":1639734042763", "\"closeTime\":1639647642763"},   // close == open
           {"\"openTime\":1639647642763", "\"openTime\":1639647642"},        // seconds
           {"\"closeTime\":1639734042763", "\"closeTime\":1893456000000"},   // 2030
           {"\"closeTime\":1639734042763", "\"closeTime\":\"1639734042763\""},
           {"\"count\":1053126", "\"count\":-5"},
           {"\"symbol\":\"BTCUSDT\"", "\"symbol\":\"\""},
           {"\"symbol\":\"BTCUSDT\",", ""},
       }) {
    EXPECT_EQ(parse_ticker(response(200, replaced(body, from, to)), fixed_now()).error(), bad())
        << from << " -> " << to;
  }
}

// ---- Klines -----------------------------------------------------------------------------------

TEST(binance_klines, docs_example) {
  auto k = parse_klines(fixture_response(200, "binance/klines.docs_example.200.json"), fixed_now());
  ASSERT_TRUE(k) << k.error().message();
  ASSERT_EQ(k->size(), 1u);
  const auto& c = (*k)[0];
  EXPECT_EQ(c.open_time, unix_ms(1499040000000));
  EXPECT_EQ(c.open, 0.0163479);
  EXPECT_EQ(c.high, 0.8);
  EXPECT_EQ(c.low, 0.015758);
  EXPECT_EQ(c.close, 0.015771);
  EXPECT_EQ(c.volume, 148976.11427815);
  EXPECT_EQ(c.close_time, unix_ms(1499644799999));
  EXPECT_EQ(c.quote_volume, 2434.19055334);
  EXPECT_EQ(c.trades, 308);
  EXPECT_EQ(c.taker_buy_base, 1756.87402397);
  EXPECT_EQ(c.taker_buy_quote, 28.46694368);
  EXPECT_TRUE(c.closed);
}

TEST(binance_klines, last_row_is_open_until_its_close_time) {
  auto r = fixture_response(200, "binance/klines.LTCUSDT_1m_limit3.200.json");
  // During the third minute: the first two candles are final, the last one is not.
  auto during = parse_klines(r, unix_ms(1781924160000 + 30'000));
  ASSERT_TRUE(during) << during.error().message();
  ASSERT_EQ(during->size(), 3u);
  EXPECT_TRUE((*during)[0].closed);
  EXPECT_TRUE((*during)[1].closed);
  EXPECT_FALSE((*during)[2].closed);
  EXPECT_EQ((*during)[2].open_time, unix_ms(1781924160000));
  EXPECT_EQ((*during)[2].close, 43.88);
  EXPECT_EQ((*during)[2].trades, 5);
  EXPECT_EQ((*during)[0].quote_volume, 1972.46034);
  // At exactly close_time the candle is still open; a millisecond later it is closed.
  EXPECT_FALSE(parse_klines(r, unix_ms(1781924219999)).value()[2].closed);
  EXPECT_TRUE(parse_klines(r, unix_ms(1781924220000)).value()[2].closed);
}

TEST(binance_klines, daily_candle) {
  auto k =
      parse_klines(fixture_response(200, "binance/klines.BTCUSDT_1d_limit1.200.json"), fixed_now());
  ASSERT_TRUE(k);
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ((*k)[0].open, 60864.98);
  EXPECT_EQ((*k)[0].close, 61706.47);
  EXPECT_EQ((*k)[0].quote_volume, 1126705164.782892);
  EXPECT_EQ((*k)[0].taker_buy_quote, 570914131.0571834);
  EXPECT_EQ((*k)[0].trades, 1062176);
  EXPECT_EQ((*k)[0].close_time - (*k)[0].open_time, milliseconds(86'400'000 - 1));
}

TEST(binance_klines, rejects_schema_violations) {
  auto body = fixture("binance/klines.LTCUSDT_1m_limit3.200.json");
  const std::string_view row0 =
      R"([1781924040000,"43.88000000","43.90000000","43.87000000","43.90000000","44.94300000",1781924099999,"1972.46034000",47,"36.11600000","1585.18338000","0"])";
  for (
      auto [from, to] : replacements{
          // 11 and 13 elements
          {row0,
           R"([1781924040000,"43.88000000","43.90000000","43.87000000","43.90000000","44.94300000",1781924099999,"1972.46034000",47,"36.11600000","1585.18338000"])"},
          {row0,
           R"([1781924040000,"43.88000000","43.90000000","43.87000000","43.90000000","44.94300000",1781924099999,"1972.46034000",47,"36.11600000","1585.18338000","0","0"])"},
          {row0, "{}"},
          {row0, "[]"},
          {"\"43.90000000\",\"43.87000000\"", "\"43.80000000\",\"43.87000000\""},  // high < low
          {"1781924040000,\"43.88000000\"", "1781924040000,\"43.95000000\""},      // open > high
          {"\"43.87000000\",\"43.90000000\"", "\"43.87000000\",\"43.86000000\""},  // close < low
          {"1781924040000,\"43.88000000\"", "1781924040000,\"-43.88000000\""},
          {"1781924040000,\"43.88000000\"", "1781924040000,43.88"},
          {"1781924040000,\"43.88000000\"", "1781924040000,\"nan\""},
          {"1781924040000,\"43.88000000\"", "\"1781924040000\",\"43.88000000\""},
          {"1781924040000,\"43.88000000\"", "1781924040,\"43.88000000\""},      // seconds
          {"1781924040000,\"43.88000000\"", "1230000000000,\"43.88000000\""},   // 2008
          {"1781924099999,", "1781924040000,"},                                 // close == open
          {"\"44.94300000\",1781924099999", "\"-44.94300000\",1781924099999"},  // volume
          {",47,", ",-47,"},
          {",47,", ",\"47\","},
          {",47,", ",47.5,"},
          {"1781924100000,", "1781924040000,"},  // second row not after the first
      }) {
    EXPECT_EQ(parse_klines(response(200, replaced(body, from, to)), fixed_now()).error(), bad())
        << from << " -> " << to;
  }
  // A candle further than a day in the future.
  EXPECT_EQ(
      parse_klines(response(200, body), unix_ms(1781924040000) - std::chrono::hours(25)).error(),
      bad());
  EXPECT_EQ(parse_klines(response(200, "{\"code\":-1121}"), fixed_now()).error(), bad());
  auto empty = parse_klines(response(200, "[]"), fixed_now());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(binance_errors, unknown_symbol_only_for_400_with_code_1121) {
  EXPECT_TRUE(unknown_symbol(
      fixture_response(400, "binance/error.400_invalid_symbol_-1121.json")));
  EXPECT_FALSE(unknown_symbol(
      fixture_response(400, "binance/error.400_invalid_interval_-1120.json")));
  EXPECT_FALSE(unknown_symbol(response(200, "{\"code\":-1121}")));
  EXPECT_FALSE(unknown_symbol(response(400, "not json")));
  EXPECT_FALSE(unknown_symbol(response(400, "{\"code\":\"-1121\"}")));
}

// ---- Weight header ----------------------------------------------------------------------------

TEST(binance_weight, used_weight_header) {
  auto r = fixture_response(200, "binance/ping.200.json");
  EXPECT_FALSE(used_weight_1m(r));
  r.headers.emplace_back("x-mbx-used-weight", "99");
  r.headers.emplace_back("x-mbx-used-weight-1m", "22");
  EXPECT_EQ(used_weight_1m(r), 22);
  for (const char* v : {"", "abc", "-1", "22 ", "1e3", "99999999999"}) {
    call_response bad_header;
    bad_header.headers = {{"x-mbx-used-weight-1m", v}};
    EXPECT_FALSE(used_weight_1m(bad_header)) << v;
  }
  auto banned = fixture_response(418, "binance/error.418_ip_banned_-1003.json");
  banned.headers.emplace_back("x-mbx-used-weight-1m", "6001");
  EXPECT_EQ(used_weight_1m(banned), 6001);
}

// ---- Requests ---------------------------------------------------------------------------------

TEST(binance_requests, pair_mapping) {
  EXPECT_EQ(to_pair("btc").value(), "BTCUSDT");
  EXPECT_EQ(to_pair("ETH", "btc").value(), "ETHBTC");
  EXPECT_EQ(to_pair("b-c").error(), invalid());
  EXPECT_EQ(to_pair("").error(), invalid());
}

TEST(binance_requests, single_ticker) {
  auto r = ticker_request("btc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target, "/api/v3/ticker/24hr?symbol=BTCUSDT");
  EXPECT_EQ(r->log_target, r->target);
  EXPECT_EQ(r->weight, 2);
  EXPECT_EQ(r->endpoint, "ticker_24hr");
  EXPECT_EQ(ticker_request("bnb", ticker_type::mini, "btc")->target,
            "/api/v3/ticker/24hr?symbol=BNBBTC&type=MINI");
  EXPECT_EQ(ticker_request("b tc").error(), invalid());
}

TEST(binance_requests, ticker_list_and_weights) {
  std::vector<std::string> two{"btc", "bnb"};
  auto r = tickers_request(two);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22BNBUSDT%22%5D");
  EXPECT_EQ(r->weight, 2);
  EXPECT_EQ(tickers_request(two, ticker_type::mini)->target,
            "/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22BNBUSDT%22%5D&type=MINI");

  auto all = tickers_request({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->target, "/api/v3/ticker/24hr");
  EXPECT_EQ(all->weight, 80);

  auto symbols = [](std::size_t n) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back("s" + std::to_string(i));
    return v;
  };
  EXPECT_EQ(tickers_request(symbols(1))->weight, 2);
  EXPECT_EQ(tickers_request(symbols(20))->weight, 2);
  EXPECT_EQ(tickers_request(symbols(21))->weight, 40);
  EXPECT_EQ(tickers_request(symbols(100))->weight, 40);
  EXPECT_EQ(tickers_request(symbols(101))->weight, 80);
  EXPECT_EQ(tickers_request(symbols(max_ticker_symbols))->weight, 80);
  EXPECT_EQ(tickers_request(symbols(max_ticker_symbols + 1)).error(), invalid());
  std::vector<std::string> dup{"btc", "BTC"};
  EXPECT_EQ(tickers_request(dup).error(), invalid());
  std::vector<std::string> bad_symbol{"btc", "\"]"};
  EXPECT_EQ(tickers_request(bad_symbol).error(), invalid());
  EXPECT_EQ(ticker_weight(0), 80);
  EXPECT_EQ(ticker_weight(7), 2);
}

TEST(binance_requests, klines) {
  auto r = klines_request("ltc", "1m", 3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/api/v3/klines?symbol=LTCUSDT&interval=1m&limit=3");
  EXPECT_EQ(r->log_target, r->target);
  EXPECT_EQ(r->weight, 2);
  EXPECT_EQ(r->endpoint, "klines");
  EXPECT_EQ(klines_request("btc", "1M", 1000)->target,
            "/api/v3/klines?symbol=BTCUSDT&interval=1M&limit=1000");
  for (const char* i : {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h",
                        "1d", "3d", "1w", "1M"}) {
    EXPECT_TRUE(klines_request("btc", i, 10)) << i;
  }
  for (const char* i : {"1H", "1D", "2d", "1y", "", "1m&limit=5"}) {
    EXPECT_EQ(klines_request("btc", i, 10).error(), invalid()) << i;
  }
  EXPECT_EQ(klines_request("btc", "1h", 0).error(), invalid());
  EXPECT_EQ(klines_request("btc", "1h", 1001).error(), invalid());
  EXPECT_EQ(klines_request("", "1h", 10).error(), invalid());
}

}  // namespace
}  // namespace cryptodash::upstream::binance
