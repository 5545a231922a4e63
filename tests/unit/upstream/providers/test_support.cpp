#include "test_support.h"

#include "upstream/providers/binance.h"
#include "upstream/providers/coingecko.h"
#include "upstream/providers/fear_greed.h"
#include "upstream/providers/taapi.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cryptodash::upstream::testing {
namespace {

template <class T>
boost::system::error_code code_of(const core::result<T>& r) {
  return r ? boost::system::error_code() : r.error();
}

}  // namespace

std::string fixture(std::string_view relative) {
  std::string path =
      std::string(CRYPTODASH_SOURCE_DIR "/tests/fixtures/upstream/") + std::string(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

call_response response(unsigned status, std::string body) {
  call_response r;
  r.status = status;
  r.headers = {{"content-type", "application/json"}};
  r.body = std::move(body);
  return r;
}

call_response fixture_response(unsigned status, std::string_view relative) {
  return response(status, fixture(relative));
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  auto pos = text.find(from);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "\"" << from << "\" not found";
    return text;
  }
  text.replace(pos, from.size(), to);
  return text;
}

const std::vector<parser_case>& all_parsers() {
  namespace cg = coingecko;
  static const std::vector<parser_case> parsers = {
      {"coingecko_global", "coingecko", "coingecko/global.200.json",
       [](const call_response& r) { return code_of(cg::parse_global(r, fixed_now())); }},
      {"coingecko_simple_price", "coingecko",
       "coingecko/simple_price.bitcoin_usd_all_flags.200.json",
       [](const call_response& r) { return code_of(cg::parse_simple_price(r, fixed_now())); }},
      {"coingecko_simple_price_one", "coingecko",
       "coingecko/simple_price.bitcoin_usd_all_flags.200.json",
       [](const call_response& r) {
         return code_of(cg::parse_simple_price_one(r, "bitcoin", fixed_now()));
       }},
      {"coingecko_markets", "coingecko", "coingecko/coins_markets.usd_per_page5_page1.200.json",
       [](const call_response& r) { return code_of(cg::parse_markets(r, fixed_now())); }},
      {"coingecko_market_chart", "coingecko", "coingecko/coins_market_chart.bitcoin_usd.200.json",
       [](const call_response& r) { return code_of(cg::parse_market_chart(r, fixed_now())); }},
      {"coingecko_coin", "coingecko", "coingecko/coins_id.bitcoin.200.json",
       [](const call_response& r) { return code_of(cg::parse_coin(r)); }},
      {"fear_greed_fng", "alternative_me", "alternative_me/fng.limit1.200.json",
       [](const call_response& r) { return code_of(fear_greed::parse_fng(r, fixed_now())); }},
      {"taapi_indicator", "taapi", "taapi/rsi.200.json",
       [](const call_response& r) { return code_of(taapi::parse_indicator(r)); }},
      {"taapi_bulk", "taapi", "taapi/bulk.200.json",
       [](const call_response& r) { return code_of(taapi::parse_bulk(r)); }},
      {"binance_ticker", "binance", "binance/ticker_24hr.BTCUSDT.200.json",
       [](const call_response& r) { return code_of(binance::parse_ticker(r, fixed_now())); }},
      {"binance_tickers", "binance", "binance/ticker_24hr.docs_example_mini_list.200.json",
       [](const call_response& r) { return code_of(binance::parse_tickers(r, fixed_now())); }},
      {"binance_klines", "binance", "binance/klines.docs_example.200.json",
       [](const call_response& r) { return code_of(binance::parse_klines(r, fixed_now())); }},
  };
  return parsers;
}

}  // namespace cryptodash::upstream::testing
