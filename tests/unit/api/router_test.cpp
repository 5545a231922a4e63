#include "api/router.h"

#include "dispatch.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace cryptodash::api {
namespace {

namespace asio = boost::asio;

response run(const router& r, http::verb method, std::string target,
             std::vector<std::pair<std::string, std::string>>* params_out = nullptr) {
  return testing::dispatch(r, request{method, target, 11}, params_out);
}

handler answer(std::string text) {
  return [text](request_context& ctx) -> asio::awaitable<response> {
    response res{http::status::ok, ctx.req.version()};
    res.body() = text;
    co_return res;
  };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  router r;
  r.add(http::verb::get, "/livez", answer("live"));
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"));
  r.add(http::verb::get, "/api/crypto/indicator/{symbol}/{name}/{period}", answer("indicator"));

  EXPECT_EQ(run(r, http::verb::get, "/livez").body(), "live");
  std::vector<std::pair<std::string, std::string>> params;
  auto res = run(r, http::verb::get, "/api/crypto/indicator/btc/rsi/14?interval=1h", &params);
  EXPECT_EQ(res.body(), "indicator");
  ASSERT_EQ(params.size(), 3U);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"symbol", "btc"}));
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>{"period", "14"}));
}

TEST(Router, ParametersAreRawSoValidatorsSeeWhatWasSent) {
  router r;
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"));
  std::vector<std::pair<std::string, std::string>> params;
  run(r, http::verb::get, "/api/crypto/market/%2E%2E%2Fx", &params);
  ASSERT_EQ(params.size(), 1U);
  EXPECT_EQ(params[0].second, "%2E%2E%2Fx");
}

TEST(Router, UnknownPathIs404InTheErrorShape) {
  router r;
  r.add(http::verb::get, "/livez", answer("live"));
  auto res = run(r, http::verb::get, "/nope");
  EXPECT_EQ(res.result(), http::status::not_found);
  auto body = boost::json::parse(res.body().view());
  EXPECT_EQ(body.at("error").at("code").as_string(), "not_found");
  EXPECT_FALSE(body.at("error").at("message").as_string().empty());
  EXPECT_EQ(res[http::field::content_type], "application/json");
}

TEST(Router, WrongMethodIs405WithAllow) {
  router r;
  r.add(http::verb::post, "/api/crypto/dashboard-summary/refresh", answer("refreshed"));
  auto res = run(r, http::verb::get, "/api/crypto/dashboard-summary/refresh");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  EXPECT_EQ(boost::json::parse(res.body().view()).at("error").at("code").as_string(),
            "method_not_allowed");
}

TEST(Router, HeadIsServedByTheGetRoute) {
  router r;
  r.add(http::verb::get, "/livez", answer("live"));
  EXPECT_EQ(run(r, http::verb::head, "/livez").result(), http::status::ok);
}

TEST(Router, SegmentCountMustMatch) {
  router r;
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"));
  EXPECT_EQ(run(r, http::verb::get, "/api/crypto/market").result(), http::status::not_found);
  EXPECT_EQ(run(r, http::verb::get, "/api/crypto/market/btc/x").result(), http::status::not_found);
}

// A fast handler answering from one fixed entry, counting its calls.
router::fast_handler fast_answer(int& calls) {
  auto e = std::make_shared<const cache::entry>(cache::entry{"{}", {}, {}, {}});
  return [e, &calls](request_context&) -> std::optional<cached_answer> {
    ++calls;
    return cached_answer{{e, cache::source::l1, true, {}}, http::status::ok, {}};
  };
}

std::optional<cached_answer> fast(const router& r, http::verb method, std::string_view target,
                                  std::string* route = nullptr,
                                  std::vector<std::string>* params = nullptr) {
  request req{method, target, 11};
  request_context ctx{req, target, {}, {}, {}};
  auto a = r.try_fast(ctx);
  if (route != nullptr) *route = ctx.route;
  if (params != nullptr) {
    for (auto [k, v] : ctx.params) params->emplace_back(v);
  }
  return a;
}

TEST(Router, TryFastAnswersThroughTheMatchedRoutesFastHandler) {
  router r;
  int calls = 0;
  r.add(http::verb::get, "/livez", answer("live"));
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"), fast_answer(calls));
  std::string route;
  std::vector<std::string> params;
  auto a = fast(r, http::verb::get, "/api/crypto/market/btc", &route, &params);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->found.value->payload, "{}");
  EXPECT_EQ(route, "/api/crypto/market/{symbol}");
  EXPECT_EQ(params, std::vector<std::string>{"btc"});
  EXPECT_TRUE(fast(r, http::verb::head, "/api/crypto/market/btc"));  // HEAD of a GET route
  EXPECT_EQ(calls, 2);
}

TEST(Router, TryFastLeavesEverythingElseToDispatch) {
  router r;
  int calls = 0;
  r.add(http::verb::get, "/livez", answer("live"));
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"), fast_answer(calls));
  r.add(http::verb::post, "/api/crypto/market/{symbol}", answer("posted"));
  std::string route;
  EXPECT_FALSE(fast(r, http::verb::get, "/livez", &route));  // no fast handler
  EXPECT_EQ(route, "/livez");
  EXPECT_FALSE(fast(r, http::verb::post, "/api/crypto/market/btc"));
  EXPECT_FALSE(fast(r, http::verb::get, "/api/crypto/market/.."));
  EXPECT_FALSE(fast(r, http::verb::get, "/api/crypto/market/btc/x"));
  EXPECT_FALSE(fast(r, http::verb::get, "/nope"));
  EXPECT_EQ(calls, 0);
  // What try_fast declined, dispatch answers as before.
  EXPECT_EQ(run(r, http::verb::post, "/api/crypto/market/btc").body(), "posted");
  EXPECT_EQ(run(r, http::verb::get, "/api/crypto/market/..").result(), http::status::bad_request);
}

TEST(Router, AFastHandlerThatDeclinesLeavesTheRequestToTheHandler) {
  router r;
  r.add(http::verb::get, "/api/crypto/market/{symbol}", answer("market"),
        [](request_context&) -> std::optional<cached_answer> { return std::nullopt; });
  EXPECT_FALSE(fast(r, http::verb::get, "/api/crypto/market/btc"));
  EXPECT_EQ(run(r, http::verb::get, "/api/crypto/market/btc").body(), "market");
}

}  // namespace
}  // namespace cryptodash::api
