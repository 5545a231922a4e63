#include "upstream/providers/coingecko.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <chrono>

namespace cryptodash::upstream::coingecko {
namespace {

using namespace std::chrono;
using core::errc;
using testing::fixed_now;
using testing::fixture;
using testing::fixture_response;
using testing::replaced;
using testing::response;

core::time_point utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s) +
         milliseconds(ms);
}

core::time_point unix_s(std::int64_t s) {
  return core::time_point(seconds(s));
}
core::time_point unix_ms(std::int64_t ms) {
  return core::time_point(milliseconds(ms));
}

boost::system::error_code bad() {
  return make_error_code(errc::bad_response);
}

// ---- /global ----------------------------------------------------------------------------------

TEST(coingecko_global, parses_fixture) {
  auto g = parse_global(fixture_response(200, "coingecko/global.200.json"), fixed_now());
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_EQ(g->active_cryptocurrencies, 16733);
  EXPECT_EQ(g->markets, 1203);
  EXPECT_EQ(g->total_market_cap_usd, 3751351705612.96);
  EXPECT_EQ(g->total_volume_usd, 192064640371.143);
  EXPECT_EQ(g->total_market_cap.at("ars"), 3.90607995806268e+15);  // exponent notation
  EXPECT_EQ(g->total_market_cap.at("idr"), 61467369498045290.0);   // integer above 2^53
  EXPECT_EQ(g->total_market_cap.size(), 62u);
  EXPECT_EQ(g->market_cap_percentage.at("btc"), 53.9930159141062);
  EXPECT_EQ(g->market_cap_change_percentage_24h_usd, 2.33456898742883);
  EXPECT_EQ(g->updated_at, unix_s(1737105225));
}

TEST(coingecko_global, rejects_schema_violations) {
  auto body = fixture("coingecko/global.200.json");
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"\"usd\": 3751351705612.96", "\"usd\": -1"},
           {"\"usd\": 3751351705612.96", "\"usd\": \"3751351705612.96\""},
           {"\"usd\": 3751351705612.96", "\"usx\": 3751351705612.96"},       // no usd total
           {"\"updated_at\": 1737105225", "\"updated_at\": 1737105225000"},  // ms for s
           {"\"updated_at\": 1737105225", "\"updated_at\": 1200000000"},     // 2008
           {"\"updated_at\": 1737105225", "\"updated_at\": 1737105225.5"},
           {"\"updated_at\": 1737105225", "\"updated_at\": null"},
           {"\"markets\": 1203", "\"markets\": -1"},
           {"\"market_cap_change_percentage_24h_usd\"", "\"market_cap_change_pct\""},
           {"\"btc\": 53.9930159141062", "\"btc\": null"},
       }) {
    EXPECT_EQ(parse_global(response(200, replaced(body, from, to)), fixed_now()).error(), bad())
        << from << " -> " << to;
  }
}

TEST(coingecko_global, timestamp_bound_follows_now) {
  auto r = fixture_response(200, "coingecko/global.200.json");
  EXPECT_TRUE(parse_global(r, unix_s(1737105225) - hours(23)));
  EXPECT_EQ(parse_global(r, unix_s(1737105225) - hours(25)).error(), bad());
}

// ---- /simple/price ----------------------------------------------------------------------------

TEST(coingecko_simple_price, all_flags) {
  auto r = fixture_response(200, "coingecko/simple_price.bitcoin_usd_all_flags.200.json");
  auto c = parse_simple_price_one(r, "bitcoin", fixed_now());
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->id, "bitcoin");
  ASSERT_EQ(c->prices.size(), 1u);
  const auto* usd = c->find("usd");
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->price, 67187.3358936566);
  EXPECT_EQ(usd->market_cap, 1317802988326.25);
  EXPECT_EQ(usd->volume_24h, 31260929299.5248);
  EXPECT_EQ(usd->change_24h, 3.63727894677354);
  EXPECT_EQ(c->last_updated_at, unix_s(1711356300));
  EXPECT_EQ(c->find("eur"), nullptr);
}

TEST(coingecko_simple_price, only_change_flag) {
  auto r = fixture_response(200, "coingecko/simple_price.bitcoin_usd_24h_change.200.json");
  auto c = parse_simple_price_one(r, "bitcoin", fixed_now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prices[0].price, 67187.3358936566);
  EXPECT_EQ(c->prices[0].change_24h, 3.63727894677354);
  EXPECT_FALSE(c->prices[0].market_cap);
  EXPECT_FALSE(c->prices[0].volume_24h);
  EXPECT_FALSE(c->last_updated_at);
}

TEST(coingecko_simple_price, multi_ids_sorted_by_id) {
  auto r = fixture_response(200, "coingecko/simple_price.multi_ids_eur_24h_change.200.json");
  auto all = parse_simple_price(r, fixed_now());
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].id, "bitcoin");
  EXPECT_EQ((*all)[0].prices[0].price, 62891.0);
  EXPECT_EQ((*all)[1].id, "cardano");
  EXPECT_EQ((*all)[1].find("eur")->price, 0.424517);
  EXPECT_EQ((*all)[2].find("eur")->change_24h, -0.02278557832247678);
  EXPECT_EQ((*all)[4].id, "terra-luna");
  EXPECT_EQ((*all)[4].find("eur")->price, 0.00010822);
  EXPECT_EQ(parse_simple_price_one(r, "solana", fixed_now()).error(),
            make_error_code(errc::not_found));
}

TEST(coingecko_simple_price, multi_currency) {
  auto r = fixture_response(200, "coingecko/simple_price.multi_currency_all_flags.200.json");
  auto c = parse_simple_price_one(r, "solana", fixed_now());
  ASSERT_TRUE(c);
  ASSERT_EQ(c->prices.size(), 2u);
  EXPECT_EQ(c->prices[0].currency, "cny");  // sorted
  EXPECT_EQ(c->prices[0].price, 200.35);
  EXPECT_EQ(c->prices[0].market_cap, 54811248179.902336);
  EXPECT_EQ(c->prices[1].currency, "usd");
  EXPECT_EQ(c->prices[1].volume_24h, 476280865.7456335);
  EXPECT_EQ(c->last_updated_at, unix_s(1626316083));
}

TEST(coingecko_simple_price, unknown_id_is_empty_or_not_found) {
  auto r = fixture_response(200, "coingecko/simple_price.unknown_id.200.json");
  auto all = parse_simple_price(r, fixed_now());
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(parse_simple_price_one(r, "not-a-coin", fixed_now()).error(),
            make_error_code(errc::not_found));
}

TEST(coingecko_simple_price, null_change_is_nullopt) {
  auto r = response(200, R"({"bitcoin":{"usd":1.5,"usd_24h_change":null}})");
  auto c = parse_simple_price_one(r, "bitcoin", fixed_now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prices[0].price, 1.5);
  EXPECT_FALSE(c->prices[0].change_24h);
}

TEST(coingecko_simple_price, rejects_schema_violations) {
  for (const char* body : {
           R"({"bitcoin":{"usd":-1}})",
           R"({"bitcoin":{"usd":"67187.3"}})",
           R"({"bitcoin":{"usd":null}})",
           R"({"bitcoin":{}})",                         // no price
           R"({"bitcoin":{"usd_market_cap":5}})",       // figure without price
           R"({"bitcoin":{"usd":1,"eur_24h_vol":5}})",  // figure without price
           R"({"bitcoin":{"usd":1,"usd_market_cap":-5}})",
           R"({"bitcoin":{"usd":1,"usd_24h_vol":null}})",
           R"({"bitcoin":{"usd":1,"usd_high":2}})",                     // unknown key
           R"({"bitcoin":{"usd":1,"last_updated_at":1711356300000}})",  // ms for s
           R"({"bitcoin":{"usd":1,"last_updated_at":"1711356300"}})",
           R"({"bitcoin":{"usd":1,"last_updated_at":0}})",
           R"({"bitcoin":[1]})",
           R"({"Bit Coin":{"usd":1}})",
           R"([{"bitcoin":{"usd":1}}])",
       }) {
    EXPECT_EQ(parse_simple_price(response(200, body), fixed_now()).error(), bad()) << body;
    EXPECT_EQ(parse_simple_price_one(response(200, body), "bitcoin", fixed_now()).error(), bad())
        << body;
  }
}

// ---- /coins/markets ---------------------------------------------------------------------------

TEST(coingecko_markets, page1) {
  auto m = parse_markets(
      fixture_response(200, "coingecko/coins_markets.usd_per_page5_page1.200.json"), fixed_now());
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->size(), 5u);
  const auto& btc = (*m)[0];
  EXPECT_EQ(btc.id, "bitcoin");
  EXPECT_EQ(btc.symbol, "btc");
  EXPECT_EQ(btc.name, "Bitcoin");
  EXPECT_EQ(btc.current_price, 21109.0);
  EXPECT_EQ(btc.market_cap, 407948005392.0);
  EXPECT_EQ(btc.market_cap_rank, 1);
  EXPECT_EQ(btc.fully_diluted_valuation, 444720734665.0);
  EXPECT_EQ(btc.total_volume, 25289480031.0);
  EXPECT_EQ(btc.high_24h, 21446.0);
  EXPECT_EQ(btc.low_24h, 20586.0);
  EXPECT_EQ(btc.price_change_24h, 439.78);
  EXPECT_EQ(btc.price_change_percentage_24h, 2.12776);
  EXPECT_EQ(btc.circulating_supply, 19263568.0);
  EXPECT_EQ(btc.total_supply, 21000000.0);
  EXPECT_EQ(btc.max_supply, 21000000.0);
  EXPECT_EQ(btc.ath, 69045.0);
  EXPECT_EQ(btc.atl, 67.81);
  EXPECT_FALSE(btc.roi);
  EXPECT_EQ(btc.last_updated, utc(2023, 1, 16, 3, 29, 1, 58));
  const auto& eth = (*m)[1];
  EXPECT_EQ(eth.id, "ethereum");
  EXPECT_FALSE(eth.max_supply);
  ASSERT_TRUE(eth.roi);
  EXPECT_EQ(eth.roi->times, 98.2563293187611);
  EXPECT_EQ(eth.roi->currency, "btc");
  EXPECT_EQ(eth.roi->percentage, 9825.63293187611);
  EXPECT_EQ((*m)[4].id, "usd-coin");
  EXPECT_EQ((*m)[4].market_cap_rank, 5);
}

TEST(coingecko_markets, page2_nulls) {
  auto m = parse_markets(
      fixture_response(200, "coingecko/coins_markets.usd_per_page5_page2.200.json"), fixed_now());
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->size(), 5u);
  const auto& doge = (*m)[3];
  EXPECT_EQ(doge.id, "dogecoin");
  EXPECT_FALSE(doge.fully_diluted_valuation);
  EXPECT_FALSE(doge.total_supply);
  EXPECT_FALSE(doge.max_supply);
  EXPECT_EQ(doge.atl, 8.69e-05);
  const auto& matic = (*m)[4];
  EXPECT_EQ(matic.id, "matic-network");
  ASSERT_TRUE(matic.roi);
  EXPECT_EQ(matic.roi->currency, "usd");
  EXPECT_EQ(matic.roi->times, 386.13471783133764);
  EXPECT_EQ(matic.market_cap_rank, 10);
}

TEST(coingecko_markets, tiny_numbers_are_exact) {
  auto m = parse_markets(
      fixture_response(200, "coingecko/coins_markets.shiba_inu_tiny_numbers.200.json"),
      fixed_now());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].price_change_24h, 6.88313e-7);
  EXPECT_EQ((*m)[0].atl, 5.6366e-11);
  EXPECT_EQ((*m)[0].current_price, 0.00001076);
  EXPECT_EQ((*m)[0].circulating_supply, 589368216989047.2);
  EXPECT_EQ((*m)[0].total_supply, 999990968807043.0);
  EXPECT_FALSE((*m)[0].fully_diluted_valuation);
}

// Unranked or new coins come with a null rank and supply; the page must still parse.
TEST(coingecko_markets, null_rank_and_circulating_supply) {
  auto body = fixture("coingecko/coins_markets.shiba_inu_tiny_numbers.200.json");
  body = replaced(body, "\"market_cap_rank\": 15", "\"market_cap_rank\": null");
  body = replaced(body, "\"circulating_supply\": 589368216989047.2", "\"circulating_supply\": null");
  auto m = parse_markets(response(200, body), fixed_now());
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_FALSE((*m)[0].market_cap_rank);
  EXPECT_FALSE((*m)[0].circulating_supply);
}

TEST(coingecko_markets, extra_fields_and_recent_data) {
  auto spark = parse_markets(
      fixture_response(200, "coingecko/coins_markets.sparkline_pcp1h_precision_full.200.json"),
      fixed_now());
  ASSERT_TRUE(spark);
  EXPECT_EQ((*spark)[0].current_price, 105652.65330358183);  // 17 significant digits, exact
  EXPECT_EQ((*spark)[0].last_updated, utc(2025, 6, 24, 7, 14, 1, 220));
  auto recent = parse_markets(
      fixture_response(200, "coingecko/coins_markets.usd_pcp24h_recent.200.json"), fixed_now());
  ASSERT_TRUE(recent);
  EXPECT_EQ((*recent)[0].circulating_supply, 20085093.0);
  EXPECT_EQ((*recent)[0].price_change_24h, -1174.6699812207517);
  EXPECT_EQ((*recent)[0].last_updated, utc(2026, 9, 16, 9, 14, 20));
  // The same answer is from the future for a clock 2 days earlier.
  EXPECT_EQ(
      parse_markets(fixture_response(200, "coingecko/coins_markets.usd_pcp24h_recent.200.json"),
                    utc(2026, 9, 14))
          .error(),
      bad());
}

TEST(coingecko_markets, page_beyond_end_is_empty) {
  auto m = parse_markets(fixture_response(200, "coingecko/coins_markets.page_beyond_end.200.json"),
                         fixed_now());
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
}

TEST(coingecko_markets, rejects_schema_violations) {
  auto body = fixture("coingecko/coins_markets.shiba_inu_tiny_numbers.200.json");
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"\"current_price\": 0.00001076", "\"current_price\": -0.00001076"},
           {"\"current_price\": 0.00001076", "\"current_price\": null"},
           {"\"current_price\": 0.00001076", "\"current_price\": \"0.00001076\""},
           {"\"market_cap\": 6370658713", "\"market_cap\": -6370658713"},
           {"\"total_volume\": 531844129", "\"total_volume\": -1"},
           {"\"total_supply\": 999990968807043", "\"total_supply\": -1"},
           {"\"market_cap_rank\": 15", "\"market_cap_rank\": 0"},
           {"\"market_cap_rank\": 15", "\"market_cap_rank\": 15.5"},
           {"\"id\": \"shiba-inu\"", "\"id\": \"\""},
           {"\"symbol\": \"shib\"", "\"symbol\": 7"},
           {"\"roi\": null", "\"roi\": {\"times\": 1}"},
           {"\"roi\": null", "\"roi\": 5"},
           {"\"roi\": null,", ""},  // roi missing
           {"\"last_updated\": \"2023-01-16T03:29:47.450Z\"",
            "\"last_updated\": \"2023-01-16 03:29:47\""},
           {"\"last_updated\": \"2023-01-16T03:29:47.450Z\"",
            "\"last_updated\": \"2008-12-31T23:59:59.000Z\""},
           {"\"last_updated\": \"2023-01-16T03:29:47.450Z\"",
            "\"last_updated\": \"2027-01-16T03:29:47.450Z\""},
           {"\"last_updated\": \"2023-01-16T03:29:47.450Z\"", "\"last_updated\": 1673839787"},
           {"\"ath\": 0.00008616", "\"ath\": 1e400"},
       }) {
    EXPECT_EQ(parse_markets(response(200, replaced(body, from, to)), fixed_now()).error(), bad())
        << from << " -> " << to;
  }
  EXPECT_EQ(parse_markets(response(200, "[1]"), fixed_now()).error(), bad());
  EXPECT_EQ(parse_markets(response(200, "{\"data\":[]}"), fixed_now()).error(), bad());
}

// ---- /coins/{id}/market_chart -----------------------------------------------------------------

TEST(coingecko_market_chart, docs_example) {
  auto c = parse_market_chart(
      fixture_response(200, "coingecko/coins_market_chart.bitcoin_usd.200.json"), fixed_now());
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->prices.size(), 3u);
  ASSERT_EQ(c->market_caps.size(), 3u);
  ASSERT_EQ(c->total_volumes.size(), 3u);
  EXPECT_EQ(c->prices[0].time, unix_ms(1711843200000));
  EXPECT_EQ(c->prices[0].value, 69702.3087473573);
  EXPECT_EQ(c->prices[2].time, unix_ms(1711983682000));  // the unaligned "now" point
  EXPECT_EQ(c->prices[2].value, 68887.7495158568);
  EXPECT_EQ(c->market_caps[1].value, 1401370211582.37);
  EXPECT_EQ(c->total_volumes[2].value, 30137418199.6431);
}

TEST(coingecko_market_chart, small_cap_with_zero_caps_and_exponents) {
  auto c = parse_market_chart(
      fixture_response(200, "coingecko/coins_market_chart.smallcap_eur_days2_hourly.200.json"),
      fixed_now());
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->prices.size(), 6u);
  EXPECT_EQ(c->prices[0].value, 6.869869027086961e-05);
  EXPECT_EQ(c->prices[4].value, 0.00012214562137345967);
  EXPECT_EQ(c->market_caps[0].value, 0.0);
  EXPECT_EQ(c->market_caps[5].value, 53861938.7018816);
  EXPECT_EQ(c->total_volumes[5].time, unix_ms(1716645580000));
}

TEST(coingecko_market_chart, rejects_schema_violations) {
  auto body = fixture("coingecko/coins_market_chart.bitcoin_usd.200.json");
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"[1711843200000, 69702.3087473573]", "[1711843200000, -69702.3087473573]"},
           {"[1711843200000, 69702.3087473573]", "[1711843200000]"},
           {"[1711843200000, 69702.3087473573]", "[1711843200000, 69702.3087473573, 1]"},
           {"[1711843200000, 69702.3087473573]", "[1711843200, 69702.3087473573]"},  // seconds
           {"[1711843200000, 69702.3087473573]", "[\"1711843200000\", 69702.3087473573]"},
           {"[1711843200000, 69702.3087473573]", "[1711843200000, null]"},
           {"[1711843200000, 69702.3087473573]", "[1711843200000.5, 69702.3087473573]"},
           {"[1711843200000, 69702.3087473573]", "[1711929600001, 69702.3087473573]"},  // order
           {"[1711983682000, 1355701979725.16]", "[1911983682000, 1355701979725.16]"},  // future
           {"\"total_volumes\"", "\"volumes\""},
       }) {
    EXPECT_EQ(parse_market_chart(response(200, replaced(body, from, to)), fixed_now()).error(),
              bad())
        << from << " -> " << to;
  }
}

// ---- /coins/{id} ------------------------------------------------------------------------------

TEST(coingecko_coin, parses_our_fixture) {
  auto c = parse_coin(fixture_response(200, "coingecko/coins_id.bitcoin.200.json"));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->id, "bitcoin");
  EXPECT_EQ(c->symbol, "btc");
  EXPECT_EQ(c->name, "Bitcoin");
  EXPECT_EQ(c->price_usd, 105652.65330358183);
  EXPECT_EQ(c->market_cap_usd, 2102304762304.0);
  EXPECT_EQ(c->fully_diluted_valuation_usd, 2220705718713.0);
  EXPECT_EQ(c->circulating_supply, 19882775.0);
  EXPECT_EQ(c->total_supply, 19882775.0);
  EXPECT_EQ(c->max_supply, 21000000.0);
}

TEST(coingecko_coin, nullable_supplies_and_fdv) {
  auto body = fixture("coingecko/coins_id.bitcoin.200.json");
  body = replaced(body, "\"max_supply\": 21000000.0", "\"max_supply\": null");
  body = replaced(body, "\"total_supply\": 19882775.0", "\"total_supply\": null");
  auto c = parse_coin(response(200, replaced(body, "\"circulating_supply\": 19882775.0",
                                             "\"circulating_supply\": null")));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->circulating_supply);
  EXPECT_FALSE(c->max_supply);
  EXPECT_FALSE(c->total_supply);
  EXPECT_TRUE(c->fully_diluted_valuation_usd);

  auto fdv_start = body.find("\"fully_diluted_valuation\": {");
  auto fdv_end = body.find('}', fdv_start);
  for (const char* fdv : {"\"fully_diluted_valuation\": {}", "\"fully_diluted_valuation\": null",
                          "\"fully_diluted_valuation\": {\"eur\": 1}"}) {
    auto b = body;
    b.replace(fdv_start, fdv_end + 1 - fdv_start, fdv);
    auto d = parse_coin(response(200, b));
    ASSERT_TRUE(d) << fdv;
    EXPECT_FALSE(d->fully_diluted_valuation_usd) << fdv;
  }
}

TEST(coingecko_coin, rejects_schema_violations) {
  auto body = fixture("coingecko/coins_id.bitcoin.200.json");
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"\"usd\": 105652.65330358183", "\"usd\": -105652.65330358183"},
           {"\"usd\": 105652.65330358183", "\"usd\": null"},
           {"\"usd\": 105652.65330358183", "\"usx\": 105652.65330358183"},
           {"\"usd\": 2102304762304", "\"usd\": \"2102304762304\""},
           {"\"usd\": 2220705718713", "\"usd\": -1"},
           {"\"circulating_supply\": 19882775.0", "\"circulating_supply\": -1"},
           {"\"max_supply\": 21000000.0", "\"max_supply\": -21000000.0"},
           {"\"market_data\": {", "\"market_datum\": {"},
           {"\"name\": \"Bitcoin\"", "\"name\": \"\""},
       }) {
    EXPECT_EQ(parse_coin(response(200, replaced(body, from, to))).error(), bad())
        << from << " -> " << to;
  }
}

}  // namespace
}  // namespace cryptodash::upstream::coingecko
