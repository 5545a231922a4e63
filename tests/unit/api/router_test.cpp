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

}  // namespace
}  // namespace cryptodash::api
