// The fake upstream (tools/fake-upstream) against the captured shapes of the real APIs
// (tests/fixtures/upstream, copied from the shared set), its faults, counters, values and TLS mode.

#include "support/fake_upstream.h"
#include "support/redis_server.h"  // make_test_pki

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <set>

namespace cryptodash::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace http = boost::beast::http;
namespace json = boost::json;
using verb = http::verb;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A fixture file's bytes without the trailing newline.
std::string fixture_text(const std::string& name) {
  std::string s = read_file(std::string(CRYPTODASH_SOURCE_DIR) + "/tests/fixtures/upstream/" + name);
  if (s.empty()) throw std::runtime_error("missing fixture " + name);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
json::value fixture(const std::string& name) {
  return json::parse(fixture_text(name));
}

// The answer's JSON; a test fails (by exception) without an answer or with a wrong status.
json::value fetch(const fake_upstream& fake, const std::string& target, unsigned status = 200,
                  const header_list& headers = {}) {
  auto res = fake.get(target, headers);
  if (!res) throw std::runtime_error("no answer to " + target);
  EXPECT_EQ(res->result_int(), status) << target << ": " << res->body();
  return json::parse(res->body());
}

bool same_kind(const json::value& a, const json::value& b) {
  return a.kind() == b.kind() || (a.is_number() && b.is_number());
}

// Checks that `actual` has the shape of `expected`: the same keys with values of the same JSON
// type (any number matches any number; null on either side matches anything), recursively.
// Arrays of equal length compare element by element (tuples such as klines rows); otherwise
// every element is compared with the fixture's first. Objects at `free_paths` may have other
// keys (maps such as market_cap_percentage), whose values must still be of the same type.
void expect_shape(const json::value& actual, const json::value& expected,
                  const std::string& where = "$", const std::set<std::string>& free_paths = {}) {
  if (actual.is_null() || expected.is_null()) return;
  if (!same_kind(actual, expected)) {
    ADD_FAILURE() << where << ": " << json::serialize(actual) << " is not of the type of "
                  << json::serialize(expected);
    return;
  }
  if (actual.is_object()) {
    const auto& a = actual.get_object();
    const auto& e = expected.get_object();
    if (free_paths.count(where)) {
      if (e.empty()) return;
      for (const auto& kv : a) {
        expect_shape(kv.value(), e.begin()->value(), where + "." + std::string(kv.key()),
                     free_paths);
      }
      return;
    }
    for (const auto& kv : e) {
      if (!a.contains(kv.key())) ADD_FAILURE() << where << ": missing key " << kv.key();
    }
    for (const auto& kv : a) {
      auto path = where + "." + std::string(kv.key());
      if (!e.contains(kv.key())) {
        ADD_FAILURE() << where << ": unexpected key " << kv.key();
      } else {
        expect_shape(kv.value(), e.at(kv.key()), path, free_paths);
      }
    }
  } else if (actual.is_array()) {
    const auto& a = actual.get_array();
    const auto& e = expected.get_array();
    if (e.empty()) return;
    for (std::size_t i = 0; i < a.size(); ++i) {
      expect_shape(a[i], a.size() == e.size() ? e[i] : e[0], where + "[" + std::to_string(i) + "]",
                   free_paths);
    }
  }
}

double num(const json::value& v) {
  return v.to_number<double>();
}
double str_num(const json::value& v) {
  return std::stod(std::string(v.as_string()));
}

// The fake counts calls per provider; this one's.
json::value provider_calls(fake_upstream& fake, const char* provider) {
  return fake.calls().at("providers").at(provider);
}

class FakeUpstream : public ::testing::Test {
 protected:
  fake_upstream fake;
};

TEST_F(FakeUpstream, PrintsOneListeningLineAndExitsZeroOnSigterm) {
  EXPECT_EQ(fake.process().out(),
            "listening on http://127.0.0.1:" + std::to_string(fake.port()) + "\n");
  EXPECT_EQ(fake.base_url("coingecko"),
            "http://127.0.0.1:" + std::to_string(fake.port()) + "/coingecko");
  EXPECT_EQ(fake.stop(), 0);
}

TEST_F(FakeUpstream, KeepsConnectionsAlive) {
  auto c = fake.connect();
  ASSERT_TRUE(c.connected());
  for (const char* target : {"/coingecko/ping", "/binance/api/v3/ping", "/_fake/calls",
                             "/fear_greed/fng/", "/coingecko/global"}) {
    auto res = c.request(verb::get, target);
    ASSERT_TRUE(res) << target << ": " << c.last_error().message();
    EXPECT_EQ(res->result_int(), 200U) << target;
    EXPECT_TRUE(res->keep_alive());
  }
}

TEST_F(FakeUpstream, AnswersUnknownRoutesWith404) {
  for (const char* target : {"/nope", "/coingecko/nope", "/coingecko/coins", "/binance/api/v3/nope",
                             "/taapi/nope", "/fear_greed/nope", "/_fake/nope"}) {
    auto res = fake.get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result_int(), 404U) << target;
  }
}

TEST_F(FakeUpstream, CoinGeckoPingAndGlobalHaveTheCapturedShapeAndHeaders) {
  auto ping = fake.get("/coingecko/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->body(), fixture_text("coingecko/ping.200.json"));
  EXPECT_EQ((*ping)[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ((*ping)[http::field::cache_control], "public, max-age=120");
  EXPECT_FALSE((*ping)[http::field::expires].empty());
  EXPECT_EQ((*ping)[http::field::server], "cloudflare");

  auto global = fetch(fake, "/coingecko/global");
  expect_shape(global, fixture("coingecko/global.200.json"), "$", {"$.data.market_cap_percentage"});
  const auto& data = global.at("data");
  EXPECT_GT(num(data.at("total_market_cap").at("usd")), 1e12);
  EXPECT_GT(num(data.at("market_cap_percentage").at("btc")), 40);
  EXPECT_NEAR(num(data.at("updated_at")), unix_ms() / 1000.0, 60);
}

TEST_F(FakeUpstream, CoinGeckoSimplePrice) {
  const auto before = unix_ms() / 1000;
  auto all = fetch(fake,
                   "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd&include_market_cap=true"
                   "&include_24hr_vol=true&include_24hr_change=true&include_last_updated_at=true");
  expect_shape(all, fixture("coingecko/simple_price.bitcoin_usd_all_flags.200.json"));
  const auto& btc = all.at("bitcoin");
  EXPECT_GT(num(btc.at("usd")), 10'000);
  EXPECT_LT(num(btc.at("usd")), 1'000'000);
  EXPECT_TRUE(btc.at("last_updated_at").is_int64());  // unix seconds, an integer
  EXPECT_GE(btc.at("last_updated_at").as_int64(), before);
  EXPECT_LE(btc.at("last_updated_at").as_int64(), unix_ms() / 1000);

  auto only_change =
      fetch(fake, "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd&include_24hr_change=true");
  expect_shape(only_change, fixture("coingecko/simple_price.bitcoin_usd_24h_change.200.json"));

  // Coins come back in alphabetical order; unknown ones are dropped.
  auto multi = fetch(fake,
                     "/coingecko/simple/price?ids=polkadot,ethereum,not-a-coin,bitcoin,cardano"
                     "&vs_currencies=eur&include_24hr_change=true");
  std::vector<std::string> keys;
  for (const auto& kv : multi.as_object()) keys.emplace_back(kv.key());
  EXPECT_THAT(keys, ::testing::ElementsAre("bitcoin", "cardano", "ethereum", "polkadot"));
  expect_shape(multi.at("cardano"),
               fixture("coingecko/simple_price.multi_ids_eur_24h_change.200.json").at("cardano"));

  auto two = fetch(fake,
                   "/coingecko/simple/price?ids=solana&vs_currencies=usd,cny"
                   "&include_market_cap=true&include_24hr_vol=true&include_24hr_change=true"
                   "&include_last_updated_at=true");
  expect_shape(two, fixture("coingecko/simple_price.multi_currency_all_flags.200.json"));

  EXPECT_EQ(fetch(fake, "/coingecko/simple/price?ids=not-a-coin&vs_currencies=usd"),
            fixture("coingecko/simple_price.unknown_id.200.json"));
  auto missing = fake.get("/coingecko/simple/price?ids=bitcoin");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 400U);
  EXPECT_EQ(missing->body(), fixture_text("coingecko/error.400_missing_parameter.json"));
}

TEST_F(FakeUpstream, CoinGeckoMarketsPagesOverTheCoinList) {
  auto page1 = fetch(fake, "/coingecko/coins/markets?vs_currency=usd&per_page=5&page=1");
  auto page2 = fetch(fake, "/coingecko/coins/markets?vs_currency=usd&per_page=5&page=2");
  ASSERT_EQ(page1.as_array().size(), 5U);
  ASSERT_EQ(page2.as_array().size(), 5U);
  expect_shape(page1, fixture("coingecko/coins_markets.usd_per_page5_page1.200.json"));
  expect_shape(page2, fixture("coingecko/coins_markets.usd_per_page5_page2.200.json"));
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(page1.at(i).at("market_cap_rank").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(page2.at(i).at("market_cap_rank").as_int64(), static_cast<std::int64_t>(i + 6));
  }
  EXPECT_EQ(page1.at(0).at("id").as_string(), "bitcoin");
  EXPECT_GE(num(page1.at(0).at("market_cap")), num(page1.at(1).at("market_cap")));

  EXPECT_EQ(fetch(fake, "/coingecko/coins/markets?vs_currency=usd&per_page=5&page=100"),
            fixture("coingecko/coins_markets.page_beyond_end.200.json"));

  auto shib = fetch(fake, "/coingecko/coins/markets?vs_currency=usd&ids=shiba-inu");
  ASSERT_EQ(shib.as_array().size(), 1U);
  expect_shape(shib, fixture("coingecko/coins_markets.shiba_inu_tiny_numbers.200.json"));
  EXPECT_LT(num(shib.at(0).at("current_price")), 0.001);

  auto extras = fetch(fake,
                      "/coingecko/coins/markets?vs_currency=usd&ids=bitcoin&sparkline=true"
                      "&price_change_percentage=1h");
  expect_shape(extras, fixture("coingecko/coins_markets.sparkline_pcp1h_precision_full.200.json"));
  EXPECT_EQ(extras.at(0).at("sparkline_in_7d").at("price").as_array().size(), 168U);

  auto bad = fake.get("/coingecko/coins/markets?vs_currency=usdt");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400U);
  EXPECT_EQ(bad->body(), fixture_text("coingecko/error.400_invalid_vs_currency.json"));
}

TEST_F(FakeUpstream, CoinGeckoMarketChartEndsNow) {
  const auto before = unix_ms();
  auto day = fetch(fake, "/coingecko/coins/bitcoin/market_chart?vs_currency=usd&days=1");
  const auto after = unix_ms();
  expect_shape(day, fixture("coingecko/coins_market_chart.bitcoin_usd.200.json"));
  const auto& prices = day.at("prices").as_array();
  ASSERT_GE(prices.size(), 280U);  // 5-minutely
  EXPECT_EQ(day.at("market_caps").as_array().size(), prices.size());
  EXPECT_EQ(day.at("total_volumes").as_array().size(), prices.size());
  for (std::size_t i = 1; i + 1 < prices.size(); ++i) {
    EXPECT_EQ(prices[i].at(0).as_int64() - prices[i - 1].at(0).as_int64(), 300'000);
  }
  const auto last = prices.back().at(0).as_int64();
  EXPECT_GE(last, before);
  EXPECT_LE(last, after);
  auto spot = fetch(fake, "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd");
  EXPECT_DOUBLE_EQ(num(prices.back().at(1)), num(spot.at("bitcoin").at("usd")));

  auto month = fetch(fake, "/coingecko/coins/ethereum/market_chart?vs_currency=usd&days=30");
  const auto& hourly = month.at("prices").as_array();
  ASSERT_GE(hourly.size(), 700U);
  EXPECT_EQ(hourly[1].at(0).as_int64() - hourly[0].at(0).as_int64(), 3'600'000);

  auto missing = fake.get("/coingecko/coins/not-a-coin/market_chart?vs_currency=usd&days=1");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404U);
  EXPECT_EQ(missing->body(), fixture_text("coingecko/error.404_coin_not_found.json"));

  auto too_old = fake.get("/coingecko/coins/bitcoin/market_chart?vs_currency=usd&days=max");
  ASSERT_TRUE(too_old);
  EXPECT_EQ(too_old->result_int(), 401U);
  expect_shape(json::parse(too_old->body()),
               fixture("coingecko/error.401_time_range_exceeded_10012.json"));
}

TEST_F(FakeUpstream, CoinGeckoCoinTokenomics) {
  auto btc = fetch(fake, "/coingecko/coins/bitcoin");
  EXPECT_EQ(btc.at("id").as_string(), "bitcoin");
  EXPECT_EQ(btc.at("symbol").as_string(), "btc");
  EXPECT_EQ(btc.at("name").as_string(), "Bitcoin");
  const auto& md = btc.at("market_data");
  const double price = num(md.at("current_price").at("usd"));
  EXPECT_GT(price, 10'000);
  EXPECT_NEAR(num(md.at("market_cap").at("usd")), price * num(md.at("circulating_supply")),
              price * 2);
  EXPECT_NEAR(num(md.at("fully_diluted_valuation").at("usd")), price * 21e6, price * 2);
  EXPECT_EQ(num(md.at("max_supply")), 21e6);
  EXPECT_TRUE(md.at("total_supply").is_number());

  auto eth = fetch(fake, "/coingecko/coins/ethereum");
  EXPECT_TRUE(eth.at("market_data").at("max_supply").is_null());

  auto missing = fake.get("/coingecko/coins/not-a-coin");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404U);
  EXPECT_EQ(missing->body(), fixture_text("coingecko/error.404_coin_not_found.json"));
}

TEST_F(FakeUpstream, FearAndGreedValuesAreStringsAndOnlyTheNewestHasTimeUntilUpdate) {
  auto one = fetch(fake, "/fear_greed/fng/?limit=1");
  expect_shape(one, fixture("alternative_me/fng.limit1.200.json"));

  auto three = fetch(fake, "/fear_greed/fng/?limit=3");
  const auto& data = three.at("data").as_array();
  ASSERT_EQ(data.size(), 3U);
  EXPECT_TRUE(three.at("metadata").at("error").is_null());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto& e = data[i].as_object();
    EXPECT_EQ(e.contains("time_until_update"), i == 0) << i;
    const double v = str_num(e.at("value"));
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 100);
    EXPECT_TRUE(e.at("value_classification").is_string());
    if (i > 0) {
      EXPECT_EQ(str_num(data[i - 1].at("timestamp")) - str_num(e.at("timestamp")), 86400) << i;
    }
  }
  const double left = str_num(data[0].at("time_until_update"));
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 86400);
  expect_shape(data[1],
               fixture("alternative_me/fng.limit2.docs_example.200.json").at("data").at(1));
}

TEST_F(FakeUpstream, TaapiIndicators) {
  const std::string q = "?secret=s3cret&exchange=binance&symbol=BTC/USDT&interval=1h";
  auto rsi = fetch(fake, "/taapi/rsi" + q);
  expect_shape(rsi, fixture("taapi/rsi.200.json"));
  EXPECT_GT(num(rsi.at("value")), 0);
  EXPECT_LT(num(rsi.at("value")), 100);

  auto spot = num(
      fetch(fake, "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd").at("bitcoin").at("usd"));
  for (const char* name : {"ema", "sma"}) {
    auto v = fetch(fake, std::string("/taapi/") + name + q + "&period=14");
    EXPECT_NEAR(num(v.at("value")), spot, spot * 0.05) << name;
  }
  auto macd = fetch(fake, "/taapi/macd" + q);
  expect_shape(macd, fixture("taapi/bulk.200.json").at("data").at(2).at("result"));

  auto bands = fetch(fake, "/taapi/bbands" + q);
  ASSERT_EQ(bands.as_object().size(), 3U);
  EXPECT_GT(num(bands.at("valueUpperBand")), num(bands.at("valueMiddleBand")));
  EXPECT_GT(num(bands.at("valueMiddleBand")), num(bands.at("valueLowerBand")));

  // Price-like indicators follow the symbol's price.
  auto eth_ema = fetch(fake, "/taapi/ema?secret=s&exchange=binance&symbol=ETH/USDT&interval=1h");
  EXPECT_LT(num(eth_ema.at("value")), spot / 5);

  auto unauthenticated = fake.get("/taapi/rsi?exchange=binance&symbol=BTC/USDT&interval=1h");
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->result_int(), 401U);
}

TEST_F(FakeUpstream, TaapiBulkAnswersEachIndicatorWithItsId) {
  auto res = fake.request(verb::post, "/taapi/bulk", fixture_text("taapi/bulk.request_body.json"),
                          {{"Content-Type", "application/json"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->result_int(), 200U) << res->body();
  auto body = json::parse(res->body());
  auto expected = fixture("taapi/bulk.200.json");
  expect_shape(body, expected);
  ASSERT_EQ(body.at("data").as_array().size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(body.at("data").at(i).at("id"), expected.at("data").at(i).at("id"));
  }

  auto no_secret = fake.request(verb::post, "/taapi/bulk", R"({"construct":{}})");
  ASSERT_TRUE(no_secret);
  EXPECT_EQ(no_secret->result_int(), 401U);
}

TEST_F(FakeUpstream, BinanceRoutes) {
  EXPECT_EQ(fetch(fake, "/binance/api/v3/ping"), fixture("binance/ping.200.json"));

  auto ticker = fetch(fake, "/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  expect_shape(ticker, fixture("binance/ticker_24hr.BTCUSDT.200.json"));
  EXPECT_GT(str_num(ticker.at("lastPrice")), 10'000);
  EXPECT_EQ(ticker.at("symbol").as_string(), "BTCUSDT");

  auto list = fetch(fake,
                    "/binance/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D"
                    "&type=MINI");
  ASSERT_EQ(list.as_array().size(), 2U);
  expect_shape(list, fixture("binance/ticker_24hr.docs_example_mini_list.200.json"));
  EXPECT_EQ(list.at(1).at("symbol").as_string(), "ETHUSDT");
  // The list also arrives unescaped, as Binance's docs write it.
  auto full_list = fetch(fake, R"(/binance/api/v3/ticker/24hr?symbols=["BTCUSDT","ETHUSDT"])");
  ASSERT_EQ(full_list.as_array().size(), 2U);
  expect_shape(full_list.at(1), fixture("binance/ticker_24hr.docs_example_full.200.json"));

  const auto before = unix_ms();
  auto klines = fetch(fake, "/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=5");
  const auto& rows = klines.as_array();
  ASSERT_EQ(rows.size(), 5U);
  expect_shape(klines, fixture("binance/klines.docs_example.200.json"));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i].as_array();
    ASSERT_EQ(row.size(), 12U);
    EXPECT_EQ(row[6].as_int64(), row[0].as_int64() + 3'600'000 - 1) << i;
    EXPECT_EQ(row[0].as_int64() % 3'600'000, 0) << i;
    EXPECT_GE(str_num(row[2]), std::max(str_num(row[1]), str_num(row[4]))) << i;  // high
    EXPECT_LE(str_num(row[3]), std::min(str_num(row[1]), str_num(row[4]))) << i;  // low
    EXPECT_EQ(row[11].as_string(), "0");
    if (i > 0) {
      EXPECT_EQ(row[0].as_int64() - rows[i - 1].at(0).as_int64(), 3'600'000);
    }
  }
  EXPECT_GE(rows.back().at(6).as_int64(), before);  // the last candle is still open
  EXPECT_LE(rows.back().at(0).as_int64(), unix_ms());

  auto day = fetch(fake, "/binance/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=1");
  expect_shape(day, fixture("binance/klines.BTCUSDT_1d_limit1.200.json"));

  struct bad_case {
    const char* target;
    const char* fixture;
  };
  for (auto [target, file] : {
           bad_case{"/binance/api/v3/klines?symbol=BTCUSDT&interval=1H",
                    "binance/error.400_invalid_interval_-1120.json"},
           bad_case{"/binance/api/v3/klines?symbol=NOPEUSDT&interval=1h",
                    "binance/error.400_invalid_symbol_-1121.json"},
           bad_case{"/binance/api/v3/ticker/24hr?symbol=NOPEUSDT",
                    "binance/error.400_invalid_symbol_-1121.json"},
           bad_case{"/binance/api/v3/klines?interval=1h",
                    "binance/error.400_mandatory_param_-1102.json"},
       }) {
    auto res = fake.get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result_int(), 400U) << target;
    EXPECT_EQ(res->body(), fixture_text(file)) << target;
    EXPECT_FALSE((*res)["x-mbx-used-weight-1m"].empty()) << target;
  }
}

TEST_F(FakeUpstream, BinanceReportsTheWeightUsedThisMinute) {
  std::string symbols21 = "%5B";
  for (int i = 0; i < 21; ++i) symbols21 += std::string(i ? "," : "") + "%22BTCUSDT%22";
  symbols21 += "%5D";
  struct step {
    std::string target;
    int total;
  };
  const std::vector<step> steps = {{"/binance/api/v3/ping", 1},
                                   {"/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=3", 3},
                                   {"/binance/api/v3/ticker/24hr?symbol=BTCUSDT", 5},
                                   {"/binance/api/v3/ticker/24hr", 85},
                                   {"/binance/api/v3/ticker/24hr?symbols=" + symbols21, 125}};
  // The count restarts each minute: a run that straddles one is run again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    fake.reset();
    const auto minute = unix_ms() / 60'000;
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& s : steps) {
      auto res = fake.get(s.target);
      ASSERT_TRUE(res) << s.target;
      seen.emplace_back(std::string((*res)["x-mbx-used-weight"]),
                        std::string((*res)["x-mbx-used-weight-1m"]));
    }
    if (unix_ms() / 60'000 != minute) continue;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(seen[i].first, std::to_string(steps[i].total)) << steps[i].target;
      EXPECT_EQ(seen[i].second, std::to_string(steps[i].total)) << steps[i].target;
    }
    return;
  }
  FAIL() << "every attempt straddled a minute boundary";
}

TEST_F(FakeUpstream, Fault429CarriesRetryAfterAndTheCapturedBody) {
  fake.set_fault(R"({"path":"/coingecko/global","status":429,"headers":{"Retry-After":"5"}})");
  auto res = fake.get("/coingecko/global");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 429U);
  EXPECT_EQ((*res)[http::field::retry_after], "5");
  EXPECT_EQ(res->body(), fixture_text("coingecko/error.429_rate_limited.json"));
  EXPECT_THAT(std::string((*res)[http::field::cache_control]), HasSubstr("no-store"));

  // Another path of the same provider is not affected.
  auto ping = fake.get("/coingecko/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->result_int(), 200U);
  // ... and the fault stays until cleared.
  EXPECT_EQ(fake.get("/coingecko/global")->result_int(), 429U);
  fake.clear_faults();
  EXPECT_EQ(fake.get("/coingecko/global")->result_int(), 200U);
}

TEST_F(FakeUpstream, FaultWithTimesOneAffectsExactlyOneCall) {
  fake.set_fault(R"({"path":"/binance","status":503,"times":1})");
  auto first = fake.get("/binance/api/v3/ping");
  auto second = fake.get("/binance/api/v3/ping");
  auto third = fake.get("/binance/api/v3/ping");
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->result_int(), 503U);
  EXPECT_FALSE((*first)["x-mbx-used-weight-1m"].empty());  // errors carry the weight too
  EXPECT_EQ(second->result_int(), 200U);
  EXPECT_EQ(third->result_int(), 200U);
}

TEST_F(FakeUpstream, FaultsMatchByPathPrefixAndTheMostRecentWins) {
  fake.set_fault(R"({"path":"/coingecko","status":503})");
  EXPECT_EQ(fake.get("/coingecko/ping")->result_int(), 503U);
  EXPECT_EQ(fake.get("/coingecko/global")->result_int(), 503U);
  EXPECT_EQ(fake.get("/binance/api/v3/ping")->result_int(), 200U);

  fake.set_fault(R"({"path":"/coingecko/ping","status":500,"body":"{\"custom\":true}"})");
  auto ping = fake.get("/coingecko/ping");
  EXPECT_EQ(ping->result_int(), 500U);
  EXPECT_EQ(ping->body(), R"({"custom":true})");
  EXPECT_EQ(fake.get("/coingecko/global")->result_int(), 503U);

  auto listed = fake.get("/_fake/faults");
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body()).at("faults").as_array().size(), 2U);
  fake.clear_faults();
  EXPECT_EQ(fake.get("/coingecko/ping")->result_int(), 200U);
}

TEST_F(FakeUpstream, FaultsWithoutBodyUseEachProvidersErrorBody) {
  fake.set_fault(R"({"path":"/binance","status":429,"headers":{"Retry-After":"30"}})");
  fake.set_fault(R"({"path":"/taapi","status":429})");
  fake.set_fault(R"({"path":"/coingecko/coins","status":404})");
  auto binance = fake.get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m");
  ASSERT_TRUE(binance);
  EXPECT_EQ(binance->result_int(), 429U);
  EXPECT_EQ((*binance)[http::field::retry_after], "30");
  EXPECT_EQ(binance->body(), fixture_text("binance/error.429_too_much_weight_-1003.json"));
  auto taapi = fake.get("/taapi/rsi?secret=s&exchange=binance&symbol=BTC/USDT&interval=1h");
  ASSERT_TRUE(taapi);
  EXPECT_EQ(taapi->result_int(), 429U);
  EXPECT_EQ(taapi->body(), fixture_text("taapi/error.429_rate_limited.json"));
  auto coin = fake.get("/coingecko/coins/bitcoin");
  ASSERT_TRUE(coin);
  EXPECT_EQ(coin->body(), fixture_text("coingecko/error.404_coin_not_found.json"));
}

TEST_F(FakeUpstream, DelayedAnswerDoesNotHoldUpOtherRequests) {
  fake.set_fault(R"({"path":"/coingecko/global","delay_ms":1200})");
  auto slow = fake.connect();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.send(fake_connection::request_bytes(verb::get, "/coingecko/global")));
  // Meanwhile another connection is answered at once.
  auto quick = fake.get("/binance/api/v3/ping");
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->result_int(), 200U);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  auto res = slow.read_response();
  ASSERT_TRUE(res) << slow.last_error().message();
  EXPECT_EQ(res->result_int(), 200U);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1200ms);
  expect_shape(json::parse(res->body()), fixture("coingecko/global.200.json"), "$",
               {"$.data.market_cap_percentage"});
}

TEST_F(FakeUpstream, ResetClosesTheConnectionWithoutAnAnswer) {
  fake.set_fault(R"({"path":"/fear_greed","reset":true,"times":1})");
  auto c = fake.connect();
  auto res = c.request(verb::get, "/fear_greed/fng/?limit=1");
  EXPECT_FALSE(res);
  EXPECT_EQ(c.last_error(), boost::asio::error::connection_reset) << c.last_error().message();
  EXPECT_EQ(fake.get("/fear_greed/fng/?limit=1")->result_int(), 200U);
}

TEST_F(FakeUpstream, HangKeepsTheRequestInFlightUntilTheClientGivesUp) {
  fake.set_fault(R"({"path":"/taapi","hang":true})");
  auto c = fake.connect(400ms);
  ASSERT_TRUE(c.send(fake_connection::request_bytes(
      verb::get, "/taapi/rsi?secret=s&exchange=binance&symbol=BTC/USDT&interval=1h")));
  EXPECT_TRUE(eventually([&] { return provider_calls(fake, "taapi").at("in_flight") == 1; }, 5s));
  EXPECT_EQ(fake.get("/coingecko/ping")->result_int(), 200U);  // others are still served
  EXPECT_FALSE(c.read_response());
  EXPECT_EQ(c.last_error(), boost::beast::error::timeout) << c.last_error().message();
  c.close();
  EXPECT_TRUE(eventually([&] { return provider_calls(fake, "taapi").at("in_flight") == 0; }, 5s));
}

TEST_F(FakeUpstream, GarbageAndWrongSchemaFaults) {
  fake.set_fault(R"({"path":"/coingecko/simple/price","garbage":true,"times":1})");
  const std::string price = "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd";
  auto garbage = fake.get(price);
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->result_int(), 200U);
  boost::system::error_code ec;
  json::parse(garbage->body(), ec);
  EXPECT_TRUE(ec) << garbage->body();

  fake.set_fault(R"({"path":"/","wrong_schema":true})");
  auto simple = fetch(fake, price);
  const auto& usd = simple.at("bitcoin").at("usd");
  EXPECT_FALSE(usd.is_number() && num(usd) > 0) << json::serialize(simple);

  auto ticker = fetch(fake, "/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  EXPECT_LT(str_num(ticker.at("lastPrice")), 0);
  auto markets = fetch(fake, "/coingecko/coins/markets?vs_currency=usd&per_page=1");
  EXPECT_LT(num(markets.at(0).at("current_price")), 0);
  auto chart = fetch(fake, "/coingecko/coins/bitcoin/market_chart?vs_currency=usd&days=1");
  EXPECT_FALSE(chart.at("prices").at(0).is_array());
  auto ping = fetch(fake, "/coingecko/ping");
  EXPECT_FALSE(ping.as_object().contains("gecko_says"));
}

TEST_F(FakeUpstream, ControlApiRejectsBadRequests) {
  const auto values_before = fake.values();
  for (const char* body :
       {"{not json", R"(["path"])", R"({"status":429})", R"({"path":"/x","bogus":1})",
        R"({"path":"/x","status":42})", R"({"path":"x"})", R"({"path":"/x","hang":"yes"})"}) {
    auto res = fake.request(verb::post, "/_fake/faults", body);
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->result_int(), 400U) << body;
    EXPECT_TRUE(json::parse(res->body()).at("error").is_string()) << body;
  }
  for (const char* body : {R"({"fear_greed":101})", R"({"coins":{"bitcoin":{"price":"x"}}})",
                           R"({"indicators":{"nope":1}})", R"({"coins":{"new-coin":{"price":1}}})",
                           R"({"coins":{"bitcoin":{"price":-1}}})",
                           R"({"coins":{"bitcoin":{"change_24h":-100}}})", "nope"}) {
    auto res = fake.request(verb::put, "/_fake/values", body);
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->result_int(), 400U) << body;
  }
  EXPECT_EQ(fake.request(verb::get, "/_fake/reset")->result_int(), 405U);
  EXPECT_EQ(fake.values(), values_before);  // nothing half-applied
  EXPECT_EQ(fake.calls().at("total"), 0);   // control calls are not counted
}

TEST_F(FakeUpstream, CountsCallsPerProviderAndPath) {
  const auto before = unix_ms();
  fetch(fake, "/coingecko/ping");
  fetch(fake, "/coingecko/global");
  fetch(fake, "/coingecko/ping");
  fetch(fake, "/binance/api/v3/ping");
  fetch(fake, "/fear_greed/fng/");
  fake.get("/nope");
  const auto after = unix_ms();
  auto calls = fake.calls();
  EXPECT_EQ(calls.at("total"), 6);
  const auto& cg = calls.at("providers").at("coingecko");
  EXPECT_EQ(cg.at("calls"), 3);
  EXPECT_EQ(cg.at("in_flight"), 0);
  EXPECT_EQ(cg.at("max_in_flight"), 1);
  ASSERT_EQ(cg.at("times_ms").as_array().size(), 3U);
  for (const auto& t : cg.at("times_ms").as_array()) {
    EXPECT_GE(t.as_int64(), before);
    EXPECT_LE(t.as_int64(), after);
  }
  EXPECT_EQ(calls.at("providers").at("binance").at("calls"), 1);
  EXPECT_EQ(calls.at("providers").at("fear_greed").at("calls"), 1);
  EXPECT_EQ(calls.at("providers").at("taapi").at("calls"), 0);
  EXPECT_EQ(calls.at("paths").at("/coingecko/ping"), 2);
  EXPECT_EQ(calls.at("paths").at("/coingecko/global"), 1);
  EXPECT_EQ(calls.at("paths").at("/nope"), 1);

  fake.set_fault(R"({"path":"/coingecko","status":500})");
  fake.reset();
  auto zero = fake.calls();
  EXPECT_EQ(zero.at("total"), 0);
  EXPECT_EQ(zero.at("providers").at("coingecko").at("calls"), 0);
  EXPECT_TRUE(zero.at("providers").at("coingecko").at("times_ms").as_array().empty());
  EXPECT_TRUE(zero.at("paths").as_object().empty());
  EXPECT_EQ(fake.get("/coingecko/ping")->result_int(), 200U);  // reset cleared the fault
}

TEST_F(FakeUpstream, MaxInFlightCountsConcurrentDelayedRequests) {
  fake.set_fault(R"({"path":"/coingecko","delay_ms":1000})");
  std::vector<fake_connection> connections;
  for (int i = 0; i < 3; ++i) {
    connections.push_back(fake.connect());
    ASSERT_TRUE(
        connections.back().send(fake_connection::request_bytes(verb::get,
                                                               "/coingecko/simple/price?ids=bitcoin"
                                                               "&vs_currencies=usd")));
  }
  for (auto& c : connections) {
    auto res = c.read_response();
    ASSERT_TRUE(res) << c.last_error().message();
    EXPECT_EQ(res->result_int(), 200U);
  }
  auto cg = provider_calls(fake, "coingecko");
  EXPECT_EQ(cg.at("calls"), 3);
  EXPECT_EQ(cg.at("max_in_flight"), 3);
  EXPECT_EQ(cg.at("in_flight"), 0);
}

TEST_F(FakeUpstream, RequestLogShowsHeadersAndBodies) {
  fetch(fake, "/coingecko/ping", 200, {{"x-cg-demo-api-key", "CG-demo-key"}});
  auto bulk = fake.request(verb::post, "/taapi/bulk", fixture_text("taapi/bulk.request_body.json"),
                           {{"Content-Type", "application/json"}});
  ASSERT_TRUE(bulk);
  fetch(fake, "/binance/api/v3/ping", 200, {{"X-MBX-APIKEY", "binance-key"}});

  auto log = fake.requests(2);
  ASSERT_EQ(log.as_array().size(), 2U);
  EXPECT_EQ(log.at(0).at("method").as_string(), "POST");
  EXPECT_EQ(log.at(0).at("target").as_string(), "/taapi/bulk");
  EXPECT_EQ(log.at(0).at("body").as_string(), fixture_text("taapi/bulk.request_body.json"));
  EXPECT_EQ(log.at(1).at("headers").at("x-mbx-apikey").as_string(), "binance-key");

  auto all = fake.requests(10);
  ASSERT_EQ(all.as_array().size(), 3U);
  EXPECT_EQ(all.at(0).at("headers").at("x-cg-demo-api-key").as_string(), "CG-demo-key");
  EXPECT_EQ(all.at(0).at("target").as_string(), "/coingecko/ping");
}

TEST_F(FakeUpstream, ValuesRoundTrip) {
  fake.set_values(R"({"coins":{"bitcoin":{"price":50000.5,"change_24h":-1.5}},"fear_greed":20,)"
                  R"("indicators":{"rsi":55.1}})");
  auto values = fake.values();
  EXPECT_EQ(num(values.at("coins").at("bitcoin").at("price")), 50000.5);
  EXPECT_EQ(num(values.at("coins").at("bitcoin").at("change_24h")), -1.5);
  EXPECT_EQ(values.at("fear_greed"), 20);
  EXPECT_EQ(num(values.at("indicators").at("rsi")), 55.1);

  auto simple = fetch(fake,
                      "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd"
                      "&include_24hr_change=true");
  EXPECT_EQ(num(simple.at("bitcoin").at("usd")), 50000.5);
  EXPECT_EQ(num(simple.at("bitcoin").at("usd_24h_change")), -1.5);
  auto ticker = fetch(fake, "/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  EXPECT_EQ(ticker.at("lastPrice").as_string(), "50000.50000000");
  EXPECT_EQ(ticker.at("priceChangePercent").as_string(), "-1.500");
  auto fng = fetch(fake, "/fear_greed/fng/?limit=1");
  EXPECT_EQ(fng.at("data").at(0).at("value").as_string(), "20");
  EXPECT_EQ(fng.at("data").at(0).at("value_classification").as_string(), "Extreme Fear");
  auto rsi = fetch(fake, "/taapi/rsi?secret=s&exchange=binance&symbol=BTC/USDT&interval=1h");
  EXPECT_EQ(num(rsi.at("value")), 55.1);

  // A new coin appears everywhere; a removed one is gone.
  fake.set_values(R"({"coins":{"fakecoin":{"symbol":"FAKE","name":"Fake Coin","price":2.5},)"
                  R"("dogecoin":null}})");
  auto fakecoin = fetch(fake, "/coingecko/coins/fakecoin");
  EXPECT_EQ(fakecoin.at("symbol").as_string(), "fake");
  EXPECT_EQ(fetch(fake, "/binance/api/v3/ticker/24hr?symbol=FAKEUSDT").at("lastPrice").as_string(),
            "2.50000000");
  EXPECT_EQ(fake.get("/coingecko/coins/dogecoin")->result_int(), 404U);
}

TEST(FakeUpstreamSimulate, PricesMoveEveryTick) {
  fake_upstream fake({.simulate = true, .extra_args = {"--seed", "7", "--tick-ms", "20"}});
  const std::string target = "/coingecko/simple/price?ids=bitcoin&vs_currencies=usd";
  const double first = num(fetch(fake, target).at("bitcoin").at("usd"));
  double latest = first;
  EXPECT_TRUE(eventually(
      [&] {
        latest = num(fetch(fake, target).at("bitcoin").at("usd"));
        return latest != first;
      },
      5s));
  EXPECT_NEAR(latest, first, first * 0.2);  // a random walk, not a jump
}

TEST(FakeUpstreamStatic, PricesStayWithoutSimulate) {
  fake_upstream fake;
  const std::string target = "/coingecko/simple/price?ids=bitcoin,ethereum&vs_currencies=usd";
  const auto first = fetch(fake, target);
  // Many requests later (no clock to wait for: values only change by tick or PUT).
  for (int i = 0; i < 20; ++i) fetch(fake, "/coingecko/ping");
  EXPECT_EQ(fetch(fake, target), first);
}

class FakeUpstreamTls : public ::testing::Test {
 protected:
  temp_dir dir;
  test_pki pki = make_test_pki(dir.path());
};

TEST_F(FakeUpstreamTls, ServesHttpsOnlyWithTheGivenCertificate) {
  fake_upstream fake(
      {.tls_cert = pki.server_cert, .tls_key = pki.server_key, .tls_ca = pki.ca_cert});
  ASSERT_TRUE(fake.tls());
  EXPECT_EQ(fake.process().out(),
            "listening on https://127.0.0.1:" + std::to_string(fake.port()) + "\n");
  EXPECT_EQ(fake.base_url("binance"),
            "https://127.0.0.1:" + std::to_string(fake.port()) + "/binance");

  auto ping = fake.get("/coingecko/ping");  // verified against the test CA
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->result_int(), 200U);
  EXPECT_EQ(ping->body(), fixture_text("coingecko/ping.200.json"));

  // The control API is TLS too.
  fake.set_fault(R"({"path":"/coingecko/global","status":429,"times":1})");
  EXPECT_EQ(fake.get("/coingecko/global")->result_int(), 429U);
  EXPECT_EQ(provider_calls(fake, "coingecko").at("calls"), 2);

  fake_connection plain(fake.port(), false, std::nullopt, 3s);
  EXPECT_FALSE(plain.request(verb::get, "/coingecko/ping"));
  fake_connection wrong_ca(fake.port(), true, pki.other_ca_cert, 3s);
  EXPECT_FALSE(wrong_ca.connected());
}

TEST(FakeUpstreamCli, RejectsBadOptions) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"},
      {"--port", "notaport"},
      {"--tls-cert", "/nonexistent.crt"},
      {"--tls-cert", "/nonexistent.crt", "--tls-key", "/nonexistent.key"}};
  for (auto args : cases) {
    args.insert(args.begin(), fake_upstream::binary());
    auto r = run(args, {}, 10s);
    EXPECT_EQ(r.code, 2) << args[1];
    EXPECT_THAT(r.err, HasSubstr("fake-upstream:")) << args[1];
    EXPECT_EQ(r.out, "") << args[1];
  }
}

}  // namespace
}  // namespace cryptodash::testing
