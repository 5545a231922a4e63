#include "upstream/providers/binance.h"

#include "core/keys.h"
#include "upstream/providers/common.h"
#include "upstream/providers/json_read.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace cryptodash::upstream::binance {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 16> intervals{"1s", "1m", "3m", "5m", "15m", "30m",
                                                     "1h", "2h", "4h", "6h", "8h",  "12h",
                                                     "1d", "3d", "1w", "1M"};

void add_type(target_builder& t, ticker_type type) {
  if (type == ticker_type::mini) t.add("type", "MINI");
}

ticker read_ticker(json_reader& rd, const json::object& o, core::time_point now) {
  ticker t;
  t.symbol = rd.name(o, "symbol");
  t.open_price = rd.decimal(o, "openPrice", sign::non_negative);
  t.high_price = rd.decimal(o, "highPrice", sign::non_negative);
  t.low_price = rd.decimal(o, "lowPrice", sign::non_negative);
  t.last_price = rd.decimal(o, "lastPrice", sign::non_negative);
  t.volume = rd.decimal(o, "volume", sign::non_negative);
  t.quote_volume = rd.decimal(o, "quoteVolume", sign::non_negative);
  t.open_time = rd.unix_millis(rd.integer(o, "openTime"), now);
  t.close_time = rd.unix_millis(rd.integer(o, "closeTime"), now);
  t.first_id = rd.integer(o, "firstId");
  t.last_id = rd.integer(o, "lastId");
  t.count = rd.integer(o, "count");
  rd.check(t.high_price >= t.low_price && t.close_time > t.open_time && t.count >= 0);
  if (o.contains("priceChange")) {
    ticker_full f;
    f.price_change = rd.decimal(o, "priceChange");
    f.price_change_percent = rd.decimal(o, "priceChangePercent");
    f.weighted_avg_price = rd.decimal(o, "weightedAvgPrice", sign::non_negative);
    f.prev_close_price = rd.decimal(o, "prevClosePrice", sign::non_negative);
    f.last_qty = rd.decimal(o, "lastQty", sign::non_negative);
    f.bid_price = rd.decimal(o, "bidPrice", sign::non_negative);
    f.bid_qty = rd.decimal(o, "bidQty", sign::non_negative);
    f.ask_price = rd.decimal(o, "askPrice", sign::non_negative);
    f.ask_qty = rd.decimal(o, "askQty", sign::non_negative);
    t.full = f;
  }
  return t;
}

}  // namespace

bool valid_interval(std::string_view interval) noexcept {
  return std::find(intervals.begin(), intervals.end(), interval) != intervals.end();
}

core::result<std::string> to_pair(std::string_view symbol, std::string_view quote) {
  return trading_pair(symbol, quote, "");
}

int ticker_weight(std::size_t symbols) noexcept {
  if (symbols == 0 || symbols > 100) return 80;
  return symbols <= 20 ? 2 : 40;
}

core::result<call_request> ticker_request(std::string_view symbol, ticker_type type,
                                          std::string_view quote) {
  auto pair = to_pair(symbol, quote);
  if (!pair) return pair.error();
  target_builder t("/api/v3/ticker/24hr");
  t.add("symbol", *pair);
  add_type(t, type);
  return t.get("ticker_24hr", ticker_weight(1));
}

core::result<call_request> tickers_request(std::span<const std::string> symbols, ticker_type type,
                                           std::string_view quote) {
  if (symbols.size() > max_ticker_symbols) return make_error_code(core::errc::invalid_argument);
  target_builder t("/api/v3/ticker/24hr");
  if (!symbols.empty()) {
    // A JSON array of strings, encoded as Binance's docs show: %5B%22A%22,%22B%22%5D.
    std::vector<std::string> pairs;
    std::string list = "%5B";
    for (const auto& s : symbols) {
      auto pair = to_pair(s, quote);
      if (!pair || std::find(pairs.begin(), pairs.end(), *pair) != pairs.end()) {
        return make_error_code(core::errc::invalid_argument);
      }
      if (!pairs.empty()) list += ',';
      list += "%22" + percent_encode(*pair) + "%22";
      pairs.push_back(std::move(*pair));
    }
    list += "%5D";
    t.add_encoded("symbols", list);
  }
  add_type(t, type);
  return t.get("ticker_24hr", ticker_weight(symbols.size()));
}

core::result<call_request> klines_request(std::string_view symbol, std::string_view interval,
                                          int limit, std::string_view quote) {
  auto pair = to_pair(symbol, quote);
  if (!pair || !valid_interval(interval) || limit < 1 || limit > max_klines_limit) {
    return make_error_code(core::errc::invalid_argument);
  }
  target_builder t("/api/v3/klines");
  t.add("symbol", *pair).add("interval", interval).add("limit", std::to_string(limit));
  return t.get("klines", 2);
}

std::optional<int> used_weight_1m(const call_response& r) {
  auto h = r.header(used_weight_header);
  if (!h) return std::nullopt;
  int w = 0;
  auto [p, err] = std::from_chars(h->data(), h->data() + h->size(), w);
  if (h->empty() || err != std::errc() || p != h->data() + h->size() || w < 0) return std::nullopt;
  return w;
}

bool unknown_symbol(const call_response& r) {
  if (r.status != 400) return false;
  boost::system::error_code ec;
  auto doc = boost::json::parse(r.body, ec);
  if (ec || !doc.is_object()) return false;
  const auto* code = doc.as_object().if_contains("code");
  return code != nullptr && code->is_int64() && code->as_int64() == -1121;
}

core::result<ticker> parse_ticker(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  auto t = read_ticker(rd, rd.object(*doc), now);
  if (!rd.ok()) return rd.error();
  return t;
}

core::result<std::vector<ticker>> parse_tickers(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& a = rd.array(*doc);
  std::vector<ticker> out;
  out.reserve(a.size());
  for (const auto& v : a) {
    out.push_back(read_ticker(rd, rd.object(v), now));
    if (!rd.ok()) return rd.error();
  }
  if (!rd.ok()) return rd.error();
  return out;
}

core::result<std::vector<candle>> parse_klines(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& rows = rd.array(*doc);
  std::vector<candle> out;
  out.reserve(rows.size());
  for (const auto& v : rows) {
    const auto& row = rd.array(v, 12);
    if (!rd.ok()) return rd.error();
    candle c;
    c.open_time = rd.unix_millis(rd.integer(row[0]), now);
    c.open = rd.decimal(row[1], sign::non_negative);
    c.high = rd.decimal(row[2], sign::non_negative);
    c.low = rd.decimal(row[3], sign::non_negative);
    c.close = rd.decimal(row[4], sign::non_negative);
    c.volume = rd.decimal(row[5], sign::non_negative);
    c.close_time = rd.unix_millis(rd.integer(row[6]), now);
    c.quote_volume = rd.decimal(row[7], sign::non_negative);
    c.trades = rd.integer(row[8]);
    c.taker_buy_base = rd.decimal(row[9], sign::non_negative);
    c.taker_buy_quote = rd.decimal(row[10], sign::non_negative);
    // row[11] is an unused field ("0").
    rd.check(c.low <= std::min(c.open, c.close) && std::max(c.open, c.close) <= c.high &&
             c.close_time > c.open_time && c.trades >= 0 &&
             (out.empty() || out.back().open_time < c.open_time));
    c.closed = c.close_time < now;
    if (!rd.ok()) return rd.error();
    out.push_back(c);
  }
  if (!rd.ok()) return rd.error();
  return out;
}

}  // namespace cryptodash::upstream::binance
