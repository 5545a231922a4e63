#include "core/keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cryptodash::core {
namespace {

TEST(Keys, BuildsTheSpecForms) {
  EXPECT_EQ(cache_key::dashboard_summary().str(), "dashboard:summary");
  EXPECT_EQ(cache_key::dashboard_global().str(), "dashboard:global");
  EXPECT_EQ(cache_key::dashboard_fear_greed().str(), "dashboard:fear-greed");
  EXPECT_EQ(cache_key::market("BTC")->str(), "market:btc");
  EXPECT_EQ(cache_key::report("btc", "1D")->str(), "report:btc:1d");
  EXPECT_EQ(cache_key::indicator("ETH", "RSI", 14)->str(), "indicator:eth:rsi:14");
  EXPECT_EQ(cache_key::indicator("eth", "macd", 12, "1h")->str(), "indicator:eth:macd:12:1h");
  EXPECT_EQ(cache_key::candles("btc", "1H")->str(), "candles:btc:1h");
  EXPECT_EQ(cache_key::tokenomics("Bitcoin")->str(), "tokenomics:bitcoin");
  EXPECT_EQ(cache_key::tokenomics("shiba-inu")->str(), "tokenomics:shiba-inu");
  EXPECT_EQ(cache_key::market("btc")->type(), "market");
}

TEST(Keys, RefusesBadSymbols) {
  for (const std::string& bad : std::vector<std::string>{
           "", "../x", "BTC*", "b tc", "btc:eth", "btc-eth", "%00", std::string("bt\0c", 4),
           std::string(16, 'a'), std::string(200, 'b'), "b\xc3\xa9t", "btc/", "*"}) {
    auto k = cache_key::market(bad);
    ASSERT_FALSE(k) << "accepted \"" << bad << "\"";
    EXPECT_EQ(k.error(), errc::invalid_argument);
  }
  EXPECT_TRUE(cache_key::market(std::string(15, 'a')));
  EXPECT_TRUE(cache_key::market("1inch"));
}

TEST(Keys, RefusesBadCoinIds) {
  EXPECT_FALSE(cache_key::tokenomics(""));
  EXPECT_FALSE(cache_key::tokenomics("bit coin"));
  EXPECT_FALSE(cache_key::tokenomics("bitcoin:x"));
  EXPECT_FALSE(cache_key::tokenomics("../../etc/passwd"));
  EXPECT_FALSE(cache_key::tokenomics(std::string(65, 'a')));
  EXPECT_TRUE(cache_key::tokenomics(std::string(64, 'a')));
}

TEST(Keys, RefusesBadParameters) {
  EXPECT_FALSE(cache_key::indicator("btc", "rsi", 0));
  EXPECT_FALSE(cache_key::indicator("btc", "rsi", 1001));
  EXPECT_FALSE(cache_key::indicator("btc", "stoch", 14));
  EXPECT_FALSE(cache_key::indicator("btc", "rsi", 14, "7m"));
  EXPECT_FALSE(cache_key::candles("btc", "1y"));
  EXPECT_FALSE(cache_key::candles("btc", ""));
  EXPECT_FALSE(cache_key::report("btc", "1h"));
  EXPECT_FALSE(cache_key::report("btc", "1m"));
}

TEST(Keys, ParseAcceptsExactlyWhatTheFactoriesMake) {
  for (std::string good :
       {"dashboard:summary", "dashboard:global", "dashboard:fear-greed", "market:btc", "report:eth:1w", "indicator:eth:rsi:14",
        "indicator:btc:sma:200:4h", "candles:sol:15m", "tokenomics:shiba-inu"}) {
    auto k = cache_key::parse(good);
    ASSERT_TRUE(k) << good;
    EXPECT_EQ(k->str(), good);
  }
  for (std::string bad : {"", "market", "market:", "market:BTC", "market:btc:extra",
                          "dashboard:other", "indicator:eth:rsi:014", "indicator:eth:rsi:14:1d",
                          "indicator:eth:rsi:-1", "indicator:eth:rsi:x", "candles:btc",
                          "report:btc:1h", "unknown:btc", "cryptodash:market:btc"}) {
    EXPECT_FALSE(cache_key::parse(bad)) << "accepted \"" << bad << "\"";
  }
}

TEST(Keys, PatternsForClearing) {
  EXPECT_EQ(*normalize_key_pattern("market:*"), "market:*");
  EXPECT_EQ(*normalize_key_pattern("MARKET:BTC"), "market:btc");
  EXPECT_EQ(*normalize_key_pattern("*"), "*");
  EXPECT_FALSE(normalize_key_pattern(""));
  EXPECT_FALSE(normalize_key_pattern("ma*rket"));
  EXPECT_FALSE(normalize_key_pattern("market:**"));
  EXPECT_FALSE(normalize_key_pattern("market:[ab]"));
  EXPECT_FALSE(normalize_key_pattern("market:?"));
  EXPECT_FALSE(normalize_key_pattern(std::string(129, 'a')));
}

TEST(Keys, Normalizers) {
  EXPECT_EQ(*normalize_symbol("EtH"), "eth");
  EXPECT_EQ(*normalize_interval("1W"), "1w");
  EXPECT_EQ(*normalize_indicator("BBANDS"), "bbands");
  EXPECT_EQ(*normalize_timeframe("1W"), "1w");
  EXPECT_FALSE(normalize_interval("1M2"));
}

}  // namespace
}  // namespace cryptodash::core
