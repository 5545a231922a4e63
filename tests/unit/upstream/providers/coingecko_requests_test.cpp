#include "upstream/providers/coingecko.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cryptodash::upstream::coingecko {
namespace {

using core::errc;

// ---- Requests ---------------------------------------------------------------------------------

TEST(coingecko_requests, global_with_and_without_key) {
  auto r = global_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/global");
  EXPECT_EQ(r.log_target, "/global");
  EXPECT_EQ(r.endpoint, "global");
  EXPECT_EQ(r.weight, 1);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.body.empty());

  auto k = global_request("CG-demo-secret");
  ASSERT_EQ(k.headers.size(), 1u);
  EXPECT_EQ(k.headers[0].first, "x-cg-demo-api-key");
  EXPECT_EQ(k.headers[0].second, "CG-demo-secret");
  EXPECT_EQ(k.log_target.find("CG-demo-secret"), std::string::npos);
  EXPECT_EQ(k.target.find("CG-demo-secret"), std::string::npos);
}

TEST(coingecko_requests, simple_price) {
  std::vector<std::string> ids{"bitcoin", "Ethereum", "shiba-inu"};
  std::vector<std::string> cur{"usd", "EUR"};
  auto r = simple_price_request(ids, cur, "key1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target,
            "/simple/price?ids=bitcoin,ethereum,shiba-inu&vs_currencies=usd,eur"
            "&include_market_cap=true&include_24hr_vol=true&include_24hr_change=true"
            "&include_last_updated_at=true");
  EXPECT_EQ(r->log_target, r->target);
  EXPECT_EQ(r->endpoint, "simple_price");
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_EQ(r->headers[0].second, "key1");

  std::vector<std::string> none;
  std::vector<std::string> bad_id{"bit coin"};
  std::vector<std::string> dup{"bitcoin", "BITCOIN"};
  std::vector<std::string> bad_cur{"us$"};
  std::vector<std::string> many(max_ids + 1, "x");
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = "coin-" + std::to_string(i);
  auto invalid = make_error_code(errc::invalid_argument);
  EXPECT_EQ(simple_price_request(none, cur).error(), invalid);
  EXPECT_EQ(simple_price_request(ids, none).error(), invalid);
  EXPECT_EQ(simple_price_request(bad_id, cur).error(), invalid);
  EXPECT_EQ(simple_price_request(dup, cur).error(), invalid);
  EXPECT_EQ(simple_price_request(ids, bad_cur).error(), invalid);
  EXPECT_EQ(simple_price_request(many, cur).error(), invalid);
  many.pop_back();
  EXPECT_TRUE(simple_price_request(many, cur));
}

TEST(coingecko_requests, markets_validates_paging) {
  auto r = markets_request("usd", 5, 2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=5&page=2");
  EXPECT_EQ(r->endpoint, "coins_markets");
  EXPECT_TRUE(r->headers.empty());
  EXPECT_TRUE(markets_request("usd", 1, 1));
  EXPECT_TRUE(markets_request("usd", 250, 1));
  auto invalid = make_error_code(errc::invalid_argument);
  EXPECT_EQ(markets_request("usd", 0, 1).error(), invalid);
  EXPECT_EQ(markets_request("usd", 251, 1).error(), invalid);
  EXPECT_EQ(markets_request("usd", 100, 0).error(), invalid);
  EXPECT_EQ(markets_request("usd", 100, -3).error(), invalid);
  EXPECT_EQ(markets_request("", 100, 1).error(), invalid);
  EXPECT_EQ(markets_request("usd&x=1", 100, 1).error(), invalid);
}

TEST(coingecko_requests, market_chart_and_coin) {
  auto r = market_chart_request("Bitcoin", "usd", 30, "k");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/coins/bitcoin/market_chart?vs_currency=usd&days=30");
  EXPECT_EQ(r->endpoint, "market_chart");
  EXPECT_EQ(r->headers.size(), 1u);
  EXPECT_TRUE(market_chart_request("bitcoin", "usd", 365));
  auto invalid = make_error_code(errc::invalid_argument);
  EXPECT_EQ(market_chart_request("bitcoin", "usd", 0).error(), invalid);
  EXPECT_EQ(market_chart_request("bitcoin", "usd", 366).error(), invalid);
  EXPECT_EQ(market_chart_request("../global", "usd", 1).error(), invalid);
  EXPECT_EQ(market_chart_request("bitcoin", "u5d", 1).error(), invalid);

  auto c = coin_request("bitcoin");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->target,
            "/coins/bitcoin?localization=false&tickers=false&community_data=false"
            "&developer_data=false&sparkline=false");
  EXPECT_EQ(c->endpoint, "coin");
  EXPECT_EQ(coin_request("bit/coin").error(), invalid);
  EXPECT_EQ(coin_request("").error(), invalid);
}

}  // namespace
}  // namespace cryptodash::upstream::coingecko
