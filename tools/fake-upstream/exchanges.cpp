// taapi.io v1 (/taapi/...) and Binance spot REST (/binance/api/v3/...).
// Shapes follow /work/shared/fixtures/upstream (taapi/*.json, binance/*.json).

#include "apis.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <variant>

namespace cryptodash::fake {

namespace {

constexpr std::int64_t day_ms = 86'400'000;

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// ---------------------------------------------------------------------------------------------
// taapi.io

constexpr std::string_view taapi_intervals[] = {"1m", "5m", "15m", "30m", "1h",
                                                "2h", "4h", "12h", "1d",  "1w"};
constexpr std::string_view value_indicators[] = {"rsi", "ema", "sma", "wma", "cmf",
                                                 "atr", "adx", "cci", "mfi"};
constexpr std::string_view stable_quotes[] = {"USDT",  "USD",  "USDC", "BUSD",
                                              "FDUSD", "TUSD", "DAI"};

reply taapi_error(unsigned status, std::string message) {
  return json_reply(status, json::object{{"errors", json::array{json::value(std::move(message))}}});
}

bool known_indicator(std::string_view name) {
  return name == "macd" || name == "bbands" ||
         std::find(std::begin(value_indicators), std::end(value_indicators), name) !=
             std::end(value_indicators);
}

// The result object of one indicator for `symbol` ("BTC/USDT"), or an error message.
// Values are the market's BTC/USDT ones; price-like ones scale with the symbol's price.
std::variant<json::object, std::string> indicator_result(const market& m, std::string_view name,
                                                         std::string_view symbol,
                                                         std::string_view exchange,
                                                         long long backtrack) {
  if (!known_indicator(name)) return "Indicator '" + std::string(name) + "' is not supported";
  auto slash = symbol.find('/');
  if (slash == std::string_view::npos) {
    return "Invalid symbol '" + std::string(symbol) + "': use the BASE/QUOTE form, e.g. BTC/USDT";
  }
  auto base = symbol.substr(0, slash);
  auto quote = symbol.substr(slash + 1);
  const coin* b = m.find_symbol(base);
  double price = 0;
  if (b && std::find(std::begin(stable_quotes), std::end(stable_quotes), upper(quote)) !=
               std::end(stable_quotes)) {
    price = b->price;
  } else if (const coin* q = m.find_symbol(quote); b && q && q->price > 0) {
    price = b->price / q->price;
  }
  if (!b || price <= 0) {
    return "No candles found for " + std::string(symbol) + " on " + std::string(exchange);
  }
  const coin* btc = m.find("bitcoin");
  const double scale = btc && btc->price > 0 ? price / btc->price : 1.0;  // BTC/USDT: exactly 1
  // A backtracked value differs a little from the current one, deterministically.
  const double shift = backtrack > 0 ? 1 + 0.002 * std::sin(static_cast<double>(backtrack)) : 1;
  auto value = [&](std::string_view key) {
    double v = m.indicator(key).value_or(0);
    return market::price_like(key) ? v * scale * shift : v * shift;
  };
  if (name == "macd") {
    return json::object{{"valueMACD", value("macd")},
                        {"valueMACDSignal", value("macd_signal")},
                        {"valueMACDHist", value("macd_hist")}};
  }
  if (name == "bbands") {
    return json::object{{"valueUpperBand", value("bbands_upper")},
                        {"valueMiddleBand", value("bbands_middle")},
                        {"valueLowerBand", value("bbands_lower")}};
  }
  return json::object{{"value", value(name)}};
}

bool valid_interval(std::string_view interval) {
  return std::find(std::begin(taapi_intervals), std::end(taapi_intervals), interval) !=
         std::end(taapi_intervals);
}

reply taapi_bulk(const api_request& req, const market& m) {
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return taapi_error(400, "Invalid JSON body");
  const auto& o = body.get_object();
  const auto* secret = o.if_contains("secret");
  if (!secret || !secret->is_string() || secret->get_string().empty()) {
    return taapi_error(401, "You are not authenticated to query this endpoint");
  }
  const auto* construct = o.if_contains("construct");
  json::array constructs;
  if (construct && construct->is_object()) constructs.push_back(*construct);
  if (construct && construct->is_array()) constructs = construct->get_array();
  if (constructs.empty()) return taapi_error(400, "construct is required");
  json::array data;
  for (const auto& cv : constructs) {
    if (!cv.is_object()) return taapi_error(400, "construct must be an object");
    const auto& c = cv.get_object();
    auto str = [&](const json::object& obj, std::string_view key) -> std::string {
      const auto* v = obj.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    const std::string exchange = str(c, "exchange"), symbol = str(c, "symbol"),
                      interval = str(c, "interval");
    const auto* indicators = c.if_contains("indicators");
    if (exchange.empty() || symbol.empty() || interval.empty() || !indicators ||
        !indicators->is_array()) {
      return taapi_error(400, "construct needs exchange, symbol, interval and indicators");
    }
    for (const auto& iv : indicators->get_array()) {
      if (!iv.is_object()) return taapi_error(400, "indicators must be objects");
      const auto& ind = iv.get_object();
      const std::string name = str(ind, "indicator");
      long long backtrack = 0;
      if (const auto* bt = ind.if_contains("backtrack"); bt && bt->is_int64()) {
        backtrack = bt->get_int64();
      }
      // <exchange>_<symbol>_<interval>_<indicator>_<parameter values...>_<backtrack>
      std::string id = str(ind, "id");
      if (id.empty()) {
        id = exchange + "_" + symbol + "_" + interval + "_" + name;
        for (const auto& kv : ind) {
          if (kv.key() == "indicator" || kv.key() == "id" || kv.key() == "backtrack") continue;
          id += "_" + (kv.value().is_string() ? std::string(kv.value().get_string())
                                              : to_text(kv.value()));
        }
        id += "_" + std::to_string(backtrack);
      }
      auto result = valid_interval(interval)
                        ? indicator_result(m, name, symbol, exchange, backtrack)
                        : std::variant<json::object, std::string>("Invalid interval " + interval);
      if (auto* r = std::get_if<json::object>(&result)) {
        data.push_back(json::object{{"id", id}, {"result", *r}, {"errors", json::array{}}});
      } else {
        data.push_back(json::object{
            {"id", id}, {"errors", json::array{json::value(std::get<std::string>(result))}}});
      }
    }
  }
  return json_reply(200, json::object{{"data", std::move(data)}});
}

// ---------------------------------------------------------------------------------------------
// Binance

reply binance_error(unsigned status, int code, std::string msg) {
  return json_reply(status, json::object{{"code", code}, {"msg", std::move(msg)}});
}

reply mandatory(std::string_view param) {
  return binance_error(400, -1102,
                       "Mandatory parameter '" + std::string(param) +
                           "' was not sent, was empty/null, or malformed.");
}

reply invalid_symbol() {
  return raw_json_reply(400, R"({"code":-1121,"msg":"Invalid symbol."})");
}

// Binance's price step for a price of this size (BTCUSDT 0.01, DOGEUSDT 0.00001, SHIB 1e-8).
double tick_size(double p) {
  if (p >= 10) return 0.01;
  if (p >= 1) return 0.001;
  if (p >= 0.1) return 0.00001;
  if (p >= 0.001) return 0.000001;
  return 0.00000001;
}

std::string price_text(double p, double tick) {
  return fixed(std::round(p / tick) * tick, 8);
}
std::string qty_text(double q) {
  return fixed(std::round(q * 1e5) / 1e5, 8);
}

// The coin of a USDT pair ("BTCUSDT" → bitcoin); tether itself has no pair.
const coin* pair_coin(const market& m, std::string_view symbol) {
  if (symbol.size() <= 4 || !symbol.ends_with("USDT") || symbol != upper(symbol)) return nullptr;
  const coin* c = m.find_symbol(symbol.substr(0, symbol.size() - 4));
  return c && c->id != "tether" && c->price > 0 ? c : nullptr;
}

json::object ticker(const market& m, const coin& c, std::int64_t now, bool mini) {
  const double tick = tick_size(c.price);
  auto [hi, lo] = m.range_24h(c, now);
  const double last = c.price, open = c.open_24h();
  const double volume = c.volume_24h / c.price;
  const auto first_id = static_cast<std::int64_t>(1'000'000'000 + hash64(c.id) % 3'000'000'000ULL);
  const auto count = std::max<std::int64_t>(1000, static_cast<std::int64_t>(c.volume_24h / 30'000));
  const std::string symbol = upper(c.symbol) + "USDT";
  if (mini) {
    return json::object{{"symbol", symbol},
                        {"openPrice", price_text(open, tick)},
                        {"highPrice", price_text(hi, tick)},
                        {"lowPrice", price_text(lo, tick)},
                        {"lastPrice", price_text(last, tick)},
                        {"volume", qty_text(volume)},
                        {"quoteVolume", fixed(c.volume_24h, 8)},
                        {"openTime", now - day_ms},
                        {"closeTime", now},
                        {"firstId", first_id},
                        {"lastId", first_id + count - 1},
                        {"count", count}};
  }
  return json::object{{"symbol", symbol},
                      {"priceChange", price_text(last - open, tick)},
                      {"priceChangePercent", fixed((last / open - 1) * 100, 3)},
                      {"weightedAvgPrice", fixed((hi + lo + last) / 3, 8)},
                      {"prevClosePrice", price_text(open, tick)},
                      {"lastPrice", price_text(last, tick)},
                      {"lastQty", qty_text(150 / last)},
                      {"bidPrice", price_text(last - tick, tick)},
                      {"bidQty", qty_text(2400 / last)},
                      {"askPrice", price_text(last, tick)},
                      {"askQty", qty_text(900 / last)},
                      {"openPrice", price_text(open, tick)},
                      {"highPrice", price_text(hi, tick)},
                      {"lowPrice", price_text(lo, tick)},
                      {"volume", qty_text(volume)},
                      {"quoteVolume", fixed(c.volume_24h, 8)},
                      {"openTime", now - day_ms},
                      {"closeTime", now},
                      {"firstId", first_id},
                      {"lastId", first_id + count - 1},
                      {"count", count}};
}

// The `symbols=["BTCUSDT","ETHUSDT"]` parameter; nullopt when malformed.
std::optional<std::vector<std::string>> parse_symbols(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array() || v.get_array().empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& s : v.get_array()) {
    if (!s.is_string()) return std::nullopt;
    out.emplace_back(s.get_string());
  }
  return out;
}

reply ticker_24hr(const api_request& req, const market& m) {
  const bool mini = req.get("type") == "MINI";
  if (req.has("symbol")) {
    const coin* c = pair_coin(m, req.get("symbol"));
    if (!c) return invalid_symbol();
    return json_reply(200, ticker(m, *c, req.now_ms, mini));
  }
  json::array out;
  if (req.has("symbols")) {
    auto symbols = parse_symbols(req.get("symbols"));
    if (!symbols) {
      return binance_error(400, -1100,
                           "Illegal characters found in parameter 'symbols'; legal "
                           "range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}"
                           "\"){0,}){0,1}\\]$'.");
    }
    for (const auto& s : *symbols) {
      const coin* c = pair_coin(m, s);
      if (!c) return invalid_symbol();
      out.push_back(ticker(m, *c, req.now_ms, mini));
    }
  } else {
    for (const auto& c : m.coins()) {
      if (c.id != "tether" && c.price > 0) out.push_back(ticker(m, c, req.now_ms, mini));
    }
  }
  return json_reply(200, out);
}

// Kline intervals: fixed lengths aligned to the epoch, weeks to Monday, months to the 1st.
struct interval {
  std::string_view name;
  std::int64_t ms;  // 0 for 1M
};
constexpr interval intervals[] = {
    {"1s", 1000},       {"1m", 60'000},     {"3m", 180'000},    {"5m", 300'000},
    {"15m", 900'000},   {"30m", 1'800'000}, {"1h", 3'600'000},  {"2h", 7'200'000},
    {"4h", 14'400'000}, {"6h", 21'600'000}, {"8h", 28'800'000}, {"12h", 43'200'000},
    {"1d", day_ms},     {"3d", 3 * day_ms}, {"1w", 7 * day_ms}, {"1M", 0}};

std::int64_t open_of(const interval& iv, std::int64_t t) {
  using namespace std::chrono;
  if (iv.ms == 0) {
    year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(t)))};
    return duration_cast<milliseconds>(sys_days(ymd.year() / ymd.month() / 1).time_since_epoch())
        .count();
  }
  const std::int64_t offset = iv.name == "1w" ? 4 * day_ms : 0;  // 1970-01-05 was a Monday
  std::int64_t k = (t - offset) / iv.ms;
  if ((t - offset) % iv.ms < 0) --k;
  return k * iv.ms + offset;
}

std::int64_t next_open(const interval& iv, std::int64_t open) {
  using namespace std::chrono;
  if (iv.ms != 0) return open + iv.ms;
  year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(open)))};
  return duration_cast<milliseconds>(sys_days(ymd + months(1)).time_since_epoch()).count();
}

json::array kline(const market& m, const coin& c, const interval& iv, std::int64_t open,
                  std::int64_t now) {
  const std::int64_t close_time = next_open(iv, open) - 1;
  const double length = static_cast<double>(close_time + 1 - open);
  const double tick = tick_size(c.price);
  const double p_open = m.price_at(c, open, now);
  const double p_close = m.price_at(c, std::min(close_time, now), now);
  const double p_mid = m.price_at(c, std::min(open + (close_time - open) / 2, now), now);
  const std::string key = c.id + std::to_string(open);
  const double swing = std::min(0.05, 0.0007 * std::sqrt(length / 60'000) * c.volatility);
  const double hi = std::max({p_open, p_close, p_mid}) * (1 + swing * unit(hash64(key, 1)));
  const double lo = std::min({p_open, p_close, p_mid}) * (1 - swing * unit(hash64(key, 2)));
  double volume = c.volume_24h / c.price * length / static_cast<double>(day_ms) *
                  (0.6 + 0.8 * unit(hash64(key, 3)));
  if (close_time >= now) volume *= static_cast<double>(now - open) / length;  // still open
  const double average = (p_open + p_close) / 2;
  const double taker = volume * (0.4 + 0.2 * unit(hash64(key, 4)));
  const auto trades = static_cast<std::int64_t>(std::max(1.0, volume * average / 2000));
  return json::array{open,
                     price_text(p_open, tick),
                     price_text(hi, tick),
                     price_text(lo, tick),
                     price_text(p_close, tick),
                     qty_text(volume),
                     close_time,
                     fixed(volume * average, 8),
                     trades,
                     qty_text(taker),
                     fixed(taker * average, 8),
                     "0"};
}

reply klines(const api_request& req, const market& m) {
  if (!req.has("symbol") || req.get("symbol").empty()) return mandatory("symbol");
  if (!req.has("interval") || req.get("interval").empty()) return mandatory("interval");
  const interval* iv = nullptr;
  for (const auto& i : intervals) {
    if (i.name == req.get("interval")) iv = &i;
  }
  if (!iv) return raw_json_reply(400, R"({"code":-1120,"msg":"Invalid interval."})");
  const coin* c = pair_coin(m, req.get("symbol"));
  if (!c) return invalid_symbol();
  const long long limit = std::clamp(parse_int(req.get("limit", "500")).value_or(500), 1LL, 1000LL);
  const std::int64_t now = req.now_ms;
  const std::int64_t end = std::min<std::int64_t>(now, parse_int(req.get("endTime")).value_or(now));
  std::vector<std::int64_t> opens;
  if (auto start = parse_int(req.get("startTime"))) {
    std::int64_t o = open_of(*iv, *start);
    if (o < *start) o = next_open(*iv, o);
    for (; o <= end && static_cast<long long>(opens.size()) < limit; o = next_open(*iv, o)) {
      opens.push_back(o);
    }
  } else {
    std::int64_t o = open_of(*iv, end);
    for (long long i = 0; i < limit; ++i) {
      opens.push_back(o);
      o = open_of(*iv, o - 1);
    }
    std::reverse(opens.begin(), opens.end());
  }
  json::array out;
  for (auto o : opens) out.push_back(kline(m, *c, *iv, o, now));
  return json_reply(200, out);
}

reply ticker_price(const api_request& req, const market& m) {
  auto entry = [](const coin& c) {
    return json::object{{"symbol", upper(c.symbol) + "USDT"},
                        {"price", price_text(c.price, tick_size(c.price))}};
  };
  if (req.has("symbol")) {
    const coin* c = pair_coin(m, req.get("symbol"));
    if (!c) return invalid_symbol();
    return json_reply(200, entry(*c));
  }
  json::array out;
  for (const auto& c : m.coins()) {
    if (c.id != "tether" && c.price > 0) out.push_back(entry(c));
  }
  return json_reply(200, out);
}

}  // namespace

reply taapi(const api_request& req, const market& m) {
  if (req.sub == "/bulk") {
    if (req.method != "POST") return taapi_error(404, "Use POST for /bulk");
    return taapi_bulk(req, m);
  }
  const std::string name = req.sub.size() > 1 ? req.sub.substr(1) : std::string();
  if (req.method != "GET" || !known_indicator(name)) {
    return taapi_error(404, "Indicator '" + name + "' not found");
  }
  if (req.get("secret").empty()) {
    return taapi_error(401, "You are not authenticated to query this endpoint");
  }
  for (const char* p : {"exchange", "symbol", "interval"}) {
    if (req.get(p).empty()) return taapi_error(400, std::string(p) + " is required");
  }
  if (!valid_interval(req.get("interval"))) {
    return taapi_error(400, "Invalid interval " + std::string(req.get("interval")));
  }
  auto result = indicator_result(m, name, req.get("symbol"), req.get("exchange"),
                                 parse_int(req.get("backtrack")).value_or(0));
  if (auto* r = std::get_if<json::object>(&result)) return json_reply(200, *r);
  return taapi_error(400, std::get<std::string>(result));
}

reply binance(const api_request& req, const market& m) {
  const std::string& p = req.sub;
  if (req.method == "GET") {
    if (p == "/api/v3/ping") return raw_json_reply(200, "{}");
    if (p == "/api/v3/time") return json_reply(200, json::object{{"serverTime", req.now_ms}});
    if (p == "/api/v3/ticker/24hr") return ticker_24hr(req, m);
    if (p == "/api/v3/ticker/price") return ticker_price(req, m);
    if (p == "/api/v3/klines") return klines(req, m);
  }
  return binance_error(404, -1000, "Unknown path " + p);
}

int binance_weight(const api_request& req) {
  const std::string& p = req.sub;
  if (p == "/api/v3/klines") return 2;
  if (p == "/api/v3/ticker/price") return req.has("symbol") ? 2 : 4;
  if (p == "/api/v3/ticker/24hr") {
    if (req.has("symbol")) return 2;
    if (!req.has("symbols")) return 80;
    auto symbols = parse_symbols(req.get("symbols"));
    std::size_t n = symbols ? symbols->size() : 1;
    return n <= 20 ? 2 : n <= 100 ? 40 : 80;
  }
  return 1;  // ping, time, anything else
}

}  // namespace cryptodash::fake
