#include "upstream/providers/taapi.h"

#include "test_support.h"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace cryptodash::upstream::taapi {
namespace {

using core::errc;
using testing::fixture;
using testing::fixture_response;
using testing::response;

boost::system::error_code bad() {
  return make_error_code(errc::bad_response);
}
boost::system::error_code invalid() {
  return make_error_code(errc::invalid_argument);
}

// ---- Parsers ----------------------------------------------------------------------------------

TEST(taapi_indicator, rsi_fixture) {
  auto v = parse_indicator(fixture_response(200, "taapi/rsi.200.json"));
  ASSERT_TRUE(v) << v.error().message();
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ(v->at("value"), 69.8259211745199);
}

TEST(taapi_indicator, multi_valued_indicators) {
  auto macd = parse_indicator(
      response(200, R"({"valueMACD":21.057252245545897,"valueMACDSignal":13.564391223138724,)"
                    R"("valueMACDHist":7.4928610224071726})"));
  ASSERT_TRUE(macd);
  EXPECT_EQ(macd->size(), 3u);
  EXPECT_EQ(macd->at("valueMACD"), 21.057252245545897);
  EXPECT_EQ(macd->at("valueMACDHist"), 7.4928610224071726);
  auto bb = parse_indicator(
      response(200, R"({"valueUpperBand":70123.5,"valueMiddleBand":68000,"valueLowerBand":65876.5,)"
                    R"("backtrack":0})"));
  ASSERT_TRUE(bb);
  EXPECT_EQ(bb->size(), 3u);  // "backtrack" is not a value
  EXPECT_EQ(bb->at("valueMiddleBand"), 68000.0);
  EXPECT_EQ(bb->at("valueLowerBand"), 65876.5);
  auto negative = parse_indicator(response(200, R"({"value":-0.08128034485998774})"));
  ASSERT_TRUE(negative);  // e.g. cmf
  EXPECT_EQ(negative->at("value"), -0.08128034485998774);
}

TEST(taapi_indicator, rate_limit_message_on_200) {
  for (const char* f :
       {"taapi/error.rate_limited_no_prefix.json", "taapi/error.429_rate_limited.json",
        "taapi/error.429_rate_limited_legacy_object.json"}) {
    EXPECT_EQ(parse_indicator(fixture_response(200, f)).error(),
              make_error_code(errc::rate_limited))
        << f;
    EXPECT_EQ(parse_bulk(fixture_response(200, f)).error(), make_error_code(errc::rate_limited))
        << f;
  }
  // Another error message on a 200 is a schema failure, not a rate limit.
  EXPECT_EQ(parse_indicator(response(200, R"({"error":"Invalid symbol"})")).error(), bad());
  EXPECT_EQ(parse_indicator(fixture_response(200, "taapi/error.free_plan_symbol.json")).error(),
            bad());
}

TEST(taapi_indicator, rejects_schema_violations) {
  for (const char* body : {R"({})", R"({"value":null})", R"({"value":"54.3"})", R"({"value":true})",
                           R"({"value":[1]})", R"({"valueMACD":1,"valueMACDHist":"x"})",
                           R"({"result":1})", R"([{"value":1}])", R"({"value":1e999})"}) {
    EXPECT_EQ(parse_indicator(response(200, body)).error(), bad()) << body;
  }
}

TEST(taapi_bulk, docs_example) {
  auto b = parse_bulk(fixture_response(200, "taapi/bulk.200.json"));
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_EQ(b->size(), 3u);
  EXPECT_EQ((*b)[0].id, "binance_BTC/USDT_1h_rsi_0");
  EXPECT_EQ((*b)[0].result.at("value"), 54.32482848167602);
  EXPECT_TRUE((*b)[0].errors.empty());
  EXPECT_EQ((*b)[1].id, "binance_BTC/USDT_1h_cmf_20_0");
  EXPECT_EQ((*b)[1].result.at("value"), -0.08128034485998774);
  EXPECT_EQ((*b)[2].id, "my_custom_id");
  EXPECT_EQ((*b)[2].result.size(), 3u);
  EXPECT_EQ((*b)[2].result.at("valueMACDSignal"), 13.564391223138724);
}

TEST(taapi_bulk, per_id_errors) {
  auto b = parse_bulk(fixture_response(200, "taapi/bulk.free_plan_restriction.json"));
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].id, "stocks_GOOGL_1d");
  EXPECT_TRUE((*b)[0].result.empty());
  ASSERT_EQ((*b)[0].errors.size(), 2u);
  EXPECT_EQ((*b)[0].errors[1], "Your subscription does not allow Stocks!");
}

TEST(taapi_bulk, rejects_schema_violations) {
  for (const char* body : {
           R"({"data":[]})",
           R"({"data":{}})",
           R"({"data":[{"result":{"value":1},"errors":[]}]})",          // no id
           R"({"data":[{"id":"","result":{"value":1},"errors":[]}]})",  // empty id
           R"({"data":[{"id":"a","errors":[]}]})",                      // neither
           R"({"data":[{"id":"a","result":{},"errors":[]}]})",
           R"({"data":[{"id":"a","result":{"value":"1"}}]})",
           R"({"data":[{"id":"a","errors":[1]}]})",
           R"({"data":[{"id":"a","errors":"bad"}]})",
           R"({"data":[{"id":"a","result":{"value":1}}, 5]})",
           R"({"value":1})",
       }) {
    EXPECT_EQ(parse_bulk(response(200, body)).error(), bad()) << body;
  }
  auto ok = parse_bulk(response(200, R"({"data":[{"id":"a","result":{"value":2}}]})"));
  ASSERT_TRUE(ok);  // "errors" may be absent
  EXPECT_EQ((*ok)[0].result.at("value"), 2.0);
}

// ---- Requests ---------------------------------------------------------------------------------

TEST(taapi_requests, pair_mapping) {
  EXPECT_EQ(to_pair("btc").value(), "BTC/USDT");
  EXPECT_EQ(to_pair("ETH", "btc").value(), "ETH/BTC");
  EXPECT_EQ(to_pair("b/c").error(), invalid());
  EXPECT_EQ(to_pair("btc", "").error(), invalid());
}

TEST(taapi_requests, indicator_target_and_redaction) {
  indicator_query q;
  q.symbol = "btc";
  q.interval = "1h";
  q.indicator = "rsi";
  auto r = indicator_request("eyJ0.s3cr/t+=", q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target,
            "/rsi?secret=eyJ0.s3cr%2Ft%2B%3D&exchange=binance&symbol=BTC%2FUSDT&interval=1h");
  EXPECT_EQ(r->log_target, "/rsi?secret=***&exchange=binance&symbol=BTC%2FUSDT&interval=1h");
  EXPECT_EQ(r->endpoint, "rsi");
  EXPECT_EQ(r->weight, 1);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->log_target.find("s3cr"), std::string::npos);

  q.indicator = "ema";
  q.period = 200;
  q.interval = "1d";
  auto e = indicator_request("k", q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->target, "/ema?secret=k&exchange=binance&symbol=BTC%2FUSDT&interval=1d&period=200");
  EXPECT_EQ(e->log_target,
            "/ema?secret=***&exchange=binance&symbol=BTC%2FUSDT&interval=1d&period=200");
}

TEST(taapi_requests, indicator_validation) {
  indicator_query good;
  good.symbol = "eth";
  good.interval = "4h";
  good.indicator = "bbands";
  ASSERT_TRUE(indicator_request("k", good));
  for (const char* i : {"1m", "5m", "15m", "30m", "1h", "2h", "4h", "12h", "1d", "1w"}) {
    EXPECT_TRUE(valid_interval(i)) << i;
  }
  for (const char* i : {"1H", "3m", "6h", "1M", "3d", "", "1d "}) {
    EXPECT_FALSE(valid_interval(i)) << i;
  }
  for (const char* n : {"rsi", "ema", "sma", "macd", "bbands"}) {
    EXPECT_TRUE(known_indicator(n)) << n;
  }
  EXPECT_FALSE(known_indicator("RSI"));
  EXPECT_FALSE(known_indicator("rsi?x=1"));

  auto with = [&](auto change) {
    auto q = good;
    change(q);
    return indicator_request("k", q);
  };
  EXPECT_EQ(indicator_request("", good).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.interval = "1H"; }).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.indicator = "foo"; }).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.period = 0; }).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.period = 1001; }).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.symbol = "e th"; }).error(), invalid());
  EXPECT_EQ(with([](auto& q) { q.exchange = "bin&ance"; }).error(), invalid());
  EXPECT_TRUE(with([](auto& q) { q.period = 1000; }));
}

TEST(taapi_requests, bulk_body_matches_docs_shape) {
  bulk_query q;
  q.symbol = "btc";
  q.interval = "1h";
  q.indicators = {
      {"rsi", std::nullopt, ""}, {"cmf", 20, ""}, {"macd", std::nullopt, "my_custom_id"}};
  auto r = bulk_request("TAAPI_SECRET", q);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->target, "/bulk");
  EXPECT_EQ(r->log_target, "/bulk");
  EXPECT_EQ(r->endpoint, "bulk");
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_EQ(r->headers[0].first, "content-type");
  EXPECT_EQ(r->headers[0].second, "application/json");

  // The docs' request body, without the backtrack we do not offer.
  auto expected = boost::json::parse(fixture("taapi/bulk.request_body.json"));
  expected.at("construct").at("indicators").at(2).as_object().erase("backtrack");
  EXPECT_EQ(boost::json::parse(r->body), expected) << r->body;
}

TEST(taapi_requests, bulk_validation) {
  bulk_query q;
  q.symbol = "btc";
  for (int i = 0; i < 20; ++i) q.indicators.push_back({"sma", i + 1, "sma" + std::to_string(i)});
  EXPECT_TRUE(bulk_request("k", q));
  q.indicators.push_back({"sma", 50, ""});
  EXPECT_EQ(bulk_request("k", q).error(), invalid());  // 21 calculations

  bulk_query one;
  one.symbol = "btc";
  EXPECT_EQ(bulk_request("k", one).error(), invalid());  // none
  one.indicators = {{"rsi", 14, "a"}, {"ema", 9, "a"}};
  EXPECT_EQ(bulk_request("k", one).error(), invalid());  // duplicate id
  one.indicators = {{"rsi", 14, "a b"}};
  EXPECT_EQ(bulk_request("k", one).error(), invalid());
  one.indicators = {{"nope", 14, ""}};
  EXPECT_EQ(bulk_request("k", one).error(), invalid());
  one.indicators = {{"rsi", 0, ""}};
  EXPECT_EQ(bulk_request("k", one).error(), invalid());
  one.indicators = {{"rsi", 14, ""}};
  EXPECT_EQ(bulk_request("", one).error(), invalid());
  one.interval = "1M";
  EXPECT_EQ(bulk_request("k", one).error(), invalid());
}

}  // namespace
}  // namespace cryptodash::upstream::taapi
