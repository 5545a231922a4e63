#include "upstream/providers/taapi.h"

#include "core/keys.h"
#include "upstream/providers/common.h"
#include "upstream/providers/json_read.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace cryptodash::upstream::taapi {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 12> indicators{
    "rsi", "ema", "sma", "wma", "macd", "bbands", "stoch", "atr", "adx", "cci", "mfi", "cmf"};
constexpr std::array<std::string_view, 10> intervals{"1m", "5m", "15m", "30m", "1h",
                                                     "2h", "4h", "12h", "1d",  "1w"};

bool lowercase_word(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool valid_id(std::string_view s) {
  return s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
         });
}

bool valid_period(const std::optional<int>& p) {
  return !p || (*p >= core::min_indicator_period && *p <= core::max_indicator_period);
}

// The pair, or invalid_argument if any market field is wrong.
core::result<std::string> market_pair(std::string_view secret, std::string_view symbol,
                                      std::string_view quote, std::string_view interval,
                                      std::string_view exchange) {
  if (secret.empty() || !valid_interval(interval) || !lowercase_word(exchange)) {
    return make_error_code(core::errc::invalid_argument);
  }
  return to_pair(symbol, quote);
}

bool contains_ci(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

// taapi's rate-limit message, which the free tier has been seen to send with a 200.
bool rate_limit_message(const json::value& doc) {
  const auto* o = doc.if_object();
  const auto* e = o != nullptr ? o->if_contains("error") : nullptr;
  if (e == nullptr) return false;
  if (const auto* eo = e->if_object()) e = eo->if_contains("message");
  const auto* s = e != nullptr ? e->if_string() : nullptr;
  if (s == nullptr) return false;
  std::string_view text(s->data(), s->size());
  return contains_ci(text, "rate-limit") || contains_ci(text, "request limit");
}

// parse_body, with a 200 that carries the rate-limit message turned into rate_limited.
core::result<json::value> parse_answer(const call_response& r) {
  auto doc = parse_body(r);
  if (doc && rate_limit_message(*doc)) return make_error_code(core::errc::rate_limited);
  return doc;
}

values read_values(json_reader& rd, const json::object& o) {
  values out;
  for (const auto& [k, v] : o) {
    std::string_view key(k.data(), k.size());
    if (key.substr(0, 5) == "value") out.emplace(key, rd.number(v));
  }
  rd.check(!out.empty());
  return out;
}

}  // namespace

bool known_indicator(std::string_view name) noexcept {
  return std::find(indicators.begin(), indicators.end(), name) != indicators.end();
}

bool valid_interval(std::string_view interval) noexcept {
  return std::find(intervals.begin(), intervals.end(), interval) != intervals.end();
}

core::result<std::string> to_pair(std::string_view symbol, std::string_view quote) {
  return trading_pair(symbol, quote, "/");
}

core::result<call_request> indicator_request(std::string_view secret, const indicator_query& q) {
  auto pair = market_pair(secret, q.symbol, q.quote, q.interval, q.exchange);
  if (!pair || !known_indicator(q.indicator) || !valid_period(q.period)) {
    return make_error_code(core::errc::invalid_argument);
  }
  target_builder t("/" + q.indicator);
  t.add_secret("secret", secret)
      .add("exchange", q.exchange)
      .add("symbol", *pair)
      .add("interval", q.interval);
  if (q.period) t.add("period", std::to_string(*q.period));
  return t.get(q.indicator);
}

core::result<call_request> bulk_request(std::string_view secret, const bulk_query& q) {
  auto pair = market_pair(secret, q.symbol, q.quote, q.interval, q.exchange);
  if (!pair || q.indicators.empty() || q.indicators.size() > max_calculations) {
    return make_error_code(core::errc::invalid_argument);
  }
  json::array list;
  std::vector<std::string_view> ids;
  for (const auto& i : q.indicators) {
    if (!known_indicator(i.indicator) || !valid_period(i.period) || !valid_id(i.id) ||
        (!i.id.empty() && std::find(ids.begin(), ids.end(), i.id) != ids.end())) {
      return make_error_code(core::errc::invalid_argument);
    }
    json::object o;
    if (!i.id.empty()) {
      o["id"] = i.id;
      ids.push_back(i.id);
    }
    o["indicator"] = i.indicator;
    if (i.period) o["period"] = *i.period;
    list.push_back(std::move(o));
  }
  json::object construct;
  construct["exchange"] = q.exchange;
  construct["symbol"] = *pair;
  construct["interval"] = q.interval;
  construct["indicators"] = std::move(list);
  json::object body;
  body["secret"] = secret;
  body["construct"] = std::move(construct);

  call_request c;
  c.method = "POST";
  c.target = "/bulk";
  c.log_target = "/bulk";
  c.headers.emplace_back("content-type", "application/json");
  c.body = json::serialize(body);
  c.endpoint = "bulk";
  return c;
}

core::result<values> parse_indicator(const call_response& r) {
  auto doc = parse_answer(r);
  if (!doc) return doc.error();
  json_reader rd;
  auto v = read_values(rd, rd.object(*doc));
  if (!rd.ok()) return rd.error();
  return v;
}

core::result<std::vector<bulk_result>> parse_bulk(const call_response& r) {
  auto doc = parse_answer(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& data = rd.array(rd.object(*doc), "data");
  rd.check(!data.empty());
  std::vector<bulk_result> out;
  out.reserve(data.size());
  for (const auto& v : data) {
    const auto& e = rd.object(v);
    bulk_result b;
    b.id = rd.name(e, "id");
    if (const auto* errors = e.if_contains("errors")) {
      for (const auto& msg : rd.array(*errors)) b.errors.emplace_back(rd.string(msg));
    }
    if (b.errors.empty()) {
      b.result = read_values(rd, rd.object(e, "result"));
    }
    if (!rd.ok()) return rd.error();
    out.push_back(std::move(b));
  }
  if (!rd.ok()) return rd.error();
  return out;
}

}  // namespace cryptodash::upstream::taapi
