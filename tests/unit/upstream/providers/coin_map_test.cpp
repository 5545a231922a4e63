#include "upstream/providers/coin_map.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream {
namespace {

TEST(coin_map, defaults_both_ways) {
  coin_map m;
  EXPECT_GE(m.size(), 30u);
  for (auto [symbol, id] :
       std::initializer_list<std::pair<const char*, const char*>>{{"btc", "bitcoin"},
                                                                  {"eth", "ethereum"},
                                                                  {"sol", "solana"},
                                                                  {"bnb", "binancecoin"},
                                                                  {"xrp", "ripple"},
                                                                  {"ada", "cardano"},
                                                                  {"doge", "dogecoin"},
                                                                  {"dot", "polkadot"},
                                                                  {"ltc", "litecoin"},
                                                                  {"shib", "shiba-inu"},
                                                                  {"matic", "matic-network"},
                                                                  {"usdt", "tether"},
                                                                  {"avax", "avalanche-2"},
                                                                  {"link", "chainlink"}}) {
    EXPECT_EQ(m.id_of(symbol), id) << symbol;
    EXPECT_EQ(m.symbol_of(id), symbol) << id;
  }
  EXPECT_EQ(m.id_of("BTC"), "bitcoin");  // symbols compare case-insensitively
  EXPECT_EQ(m.symbol_of("Bitcoin"), "btc");
  EXPECT_FALSE(m.id_of("nope"));
  EXPECT_FALSE(m.id_of(""));
  EXPECT_FALSE(m.id_of("b tc"));
  EXPECT_FALSE(m.symbol_of("not-a-coin"));
}

TEST(coin_map, add_keeps_one_to_one) {
  coin_map m;
  auto before = m.size();
  ASSERT_TRUE(m.add("WIF", "dogwifcoin"));
  EXPECT_EQ(m.size(), before + 1);
  EXPECT_EQ(m.id_of("wif"), "dogwifcoin");
  EXPECT_EQ(m.symbol_of("dogwifcoin"), "wif");

  ASSERT_TRUE(m.add("pol", "matic-network"));  // the id moves to a new symbol
  EXPECT_EQ(m.symbol_of("matic-network"), "pol");
  EXPECT_FALSE(m.id_of("matic"));
  EXPECT_EQ(m.size(), before + 1);

  ASSERT_TRUE(m.add("btc", "wrapped-bitcoin"));  // the symbol moves to a new id
  EXPECT_EQ(m.id_of("btc"), "wrapped-bitcoin");
  EXPECT_FALSE(m.symbol_of("bitcoin"));

  ASSERT_TRUE(m.add("btc", "wrapped-bitcoin"));  // idempotent
  EXPECT_EQ(m.id_of("btc"), "wrapped-bitcoin");
  EXPECT_EQ(m.size(), before + 1);
}

TEST(coin_map, add_rejects_invalid_and_changes_nothing) {
  coin_map m(coin_map::start::empty);
  EXPECT_EQ(m.size(), 0u);
  EXPECT_FALSE(m.id_of("btc"));
  auto invalid = make_error_code(core::errc::invalid_argument);
  EXPECT_EQ(m.add("", "bitcoin").error(), invalid);
  EXPECT_EQ(m.add("b tc", "bitcoin").error(), invalid);
  EXPECT_EQ(m.add("btc", "bit coin").error(), invalid);
  EXPECT_EQ(m.add("btc", "").error(), invalid);
  EXPECT_EQ(m.add("averyveryverylongsymbol", "x").error(), invalid);
  EXPECT_EQ(m.size(), 0u);
}

}  // namespace
}  // namespace cryptodash::upstream
