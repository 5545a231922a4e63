// Dispatch, per-provider headers and error bodies, and the payloads of the garbage and
// wrong_schema faults.

#include "apis.h"

#include <boost/beast/http/status.hpp>
#include <boost/json/parse.hpp>

#include <cmath>

namespace cryptodash::fake {

namespace {

void set_default(reply& r, std::string_view name, std::string value) {
  if (!r.find(name)) r.set(name, std::move(value));
}

std::string reason(unsigned status) {
  return std::string(
      boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(status)));
}

}  // namespace

reply answer(provider p, const api_request& req, const market& m) {
  switch (p) {
    case provider::coingecko: return coingecko(req, m);
    case provider::fear_greed: return fear_greed(req, m);
    case provider::taapi: return taapi(req, m);
    case provider::binance: return binance(req, m);
    case provider::none: break;
  }
  return json_reply(404, json::object{{"error", "not found: " + req.path}});
}

void add_provider_headers(provider p, reply& r, std::int64_t now_ms, std::uint64_t request_no) {
  const bool ok = r.status >= 200 && r.status < 300;
  set_default(r, "Date", http_date(now_ms));
  switch (p) {
    case provider::coingecko:
      // The 200 headers of the OpenBB cassettes; the 429 ones of the okhttp capture.
      if (ok) {
        set_default(r, "Content-Type", "application/json; charset=utf-8");
        set_default(r, "Cache-Control", "public, max-age=120");
        set_default(r, "Expires", http_date(now_ms + 120'000));
        set_default(r, "ETag", "W/\"" + pseudo_hex(hash64(r.body), 32) + "\"");
        set_default(r, "Vary", "Accept-Encoding, Origin");
        set_default(r, "Access-Control-Allow-Origin", "*");
        set_default(r, "Access-Control-Allow-Methods", "POST, PUT, DELETE, GET, OPTIONS");
        set_default(r, "Access-Control-Allow-Headers",
                    "Origin, X-Requested-With, Content-Type, Accept, Authorization");
        set_default(r, "Access-Control-Expose-Headers", "link, per-page, total");
        set_default(r, "CF-Cache-Status", "MISS");
        set_default(r, "X-Request-Id", pseudo_uuid(request_no));
        set_default(r, "X-Runtime", fixed(0.004 + unit(request_no) * 0.01, 6));
      } else {
        set_default(r, "Content-Type", "application/json");
        set_default(r, "Cache-Control",
                    "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, "
                    "pre-check=0");
      }
      set_default(r, "Server", "cloudflare");
      set_default(r, "CF-RAY", pseudo_hex(request_no, 16) + "-AMS");
      break;
    case provider::binance:
      // ccxt's verbose log of /api/v3/ticker/24hr; the same on errors. The weight headers come
      // from the server, which keeps the per-minute count.
      set_default(r, "Content-Type", "application/json;charset=UTF-8");
      set_default(r, "x-mbx-uuid", pseudo_uuid(request_no));
      set_default(r, "Cache-Control", "no-cache, no-store, must-revalidate");
      set_default(r, "Pragma", "no-cache");
      set_default(r, "Expires", "0");
      set_default(r, "Access-Control-Allow-Origin", "*");
      set_default(r, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      set_default(r, "Server", "nginx");
      set_default(r, "X-Cache", ok ? "Miss from cloudfront" : "Error from cloudfront");
      set_default(r, "Strict-Transport-Security", "max-age=31536000; includeSubdomains");
      set_default(r, "X-Frame-Options", "SAMEORIGIN");
      set_default(r, "X-Content-Type-Options", "nosniff");
      break;
    case provider::fear_greed:
      set_default(r, "Content-Type", "application/json");
      set_default(r, "Access-Control-Allow-Origin", "*");
      set_default(r, "Server", "nginx");
      break;
    case provider::taapi:
      set_default(r, "Content-Type", "application/json; charset=utf-8");
      set_default(r, "Access-Control-Allow-Origin", "*");
      break;
    case provider::none: set_default(r, "Content-Type", "application/json"); break;
  }
}

std::string error_body(provider p, unsigned status, std::int64_t now_ms) {
  switch (p) {
    case provider::coingecko:
      if (status == 429) {  // exactly the 187 captured bytes
        return R"({"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. )"
               R"(Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API )"
               R"(plans for higher rate limits."}})";
      }
      if (status == 404) return R"({"error":"coin not found"})";
      if (status == 400) return R"({"error":"invalid vs_currency"})";
      if (status == 401) {
        std::string ts = iso8601_ms(now_ms);
        ts.pop_back();
        return R"({"status":{"timestamp":")" + ts +
               R"(+00:00","error_code":10002,"error_message":"API Key Missing. Please make sure )"
               R"(you're using the right authentication method. For Pro API, please visit: )"
               R"(https://docs.coingecko.com/reference/authentication."}})";
      }
      return to_text(json::object{
          {"status", json::object{{"error_code", status}, {"error_message", reason(status)}}}});
    case provider::binance:
      if (status == 429) {
        return R"({"code":-1003,"msg":"Too much request weight used; current limit is 6000 )"
               R"(request weight per 1 MINUTE. Please use WebSocket Streams for live updates to )"
               R"(avoid polling the API."})";
      }
      if (status == 418) {
        return R"({"code":-1003,"msg":"Way too much request weight used; IP banned until )" +
               std::to_string(now_ms + 120'000) +
               R"(. Please use WebSocket Streams for live updates to avoid bans."})";
      }
      if (status == 451) {
        return R"({"code":0,"msg":"Service unavailable from a restricted location according to )"
               R"('b. Eligibility' in https://www.binance.com/en/terms. Please contact customer )"
               R"(service if you believe you received this message in error."})";
      }
      if (status == 400) return R"({"code":-1121,"msg":"Invalid symbol."})";
      if (status >= 500) {
        return R"({"code":-1001,"msg":"Internal error; unable to process your request. )"
               R"(Please try again."})";
      }
      return to_text(json::object{{"code", -1000}, {"msg", reason(status)}});
    case provider::taapi:
      if (status == 429) {
        return "{\n    \"error\": \"429: You have exceeded your request limit (TAAPI.IO "
               "rate-limit)!\"\n }";
      }
      if (status == 401) {
        return R"({"errors":["You are not authenticated to query this endpoint"]})";
      }
      return to_text(json::object{{"errors", json::array{json::value(reason(status))}}});
    case provider::fear_greed:
      return to_text(json::object{{"name", "Fear and Greed Index"},
                                  {"data", json::array{}},
                                  {"metadata", json::object{{"error", reason(status)}}}});
    case provider::none: break;
  }
  return to_text(json::object{{"error", reason(status)}});
}

std::string garbage_body() {
  using namespace std::string_literals;
  return "\x89PNG\r\n\x1a\n\0\0<html><body>502 Bad Gateway</body>{\"truncated\":[1,2,"s;
}

namespace {

// Keys that hold a price (or an indicator value) in some provider's answer.
bool price_key(std::string_view k) {
  static constexpr std::string_view keys[] = {
      "current_price", "price",          "lastPrice",        "openPrice",       "highPrice",
      "lowPrice",      "prevClosePrice", "weightedAvgPrice", "bidPrice",        "askPrice",
      "value",         "valueMACD",      "valueUpperBand",   "valueMiddleBand", "valueLowerBand"};
  for (auto key : keys) {
    if (k == key) return true;
  }
  return false;
}

std::string negative_text(std::string_view s) {
  return s.starts_with('-') ? std::string(s) : "-" + std::string(s);
}

bool is_pair_array(const json::array& a) {
  if (a.empty()) return false;
  for (const auto& e : a) {
    if (!e.is_array() || e.get_array().size() != 2) return false;
  }
  return true;
}

bool is_kline_array(const json::array& a) {
  if (a.empty()) return false;
  for (const auto& e : a) {
    if (!e.is_array() || e.get_array().size() != 12 || !e.get_array()[4].is_string()) return false;
  }
  return true;
}

// Breaks every price in `v`; true if something changed.
bool break_prices(json::value& v) {
  bool changed = false;
  if (v.is_object()) {
    for (auto& kv : v.get_object()) {
      auto& x = kv.value();
      if (kv.key() == "usd" && x.is_number()) {  // simple/price, market_data: price as object
        x = json::object{{"value", x}};
        changed = true;
      } else if (price_key(kv.key()) && x.is_number()) {
        double d = x.to_number<double>();
        x = d == 0 ? -1.0 : -std::abs(d);
        changed = true;
      } else if (price_key(kv.key()) && x.is_string()) {  // Binance, Fear & Greed
        x = negative_text(x.get_string());
        changed = true;
      } else {
        changed = break_prices(x) || changed;
      }
    }
  } else if (v.is_array()) {
    auto& a = v.get_array();
    if (is_pair_array(a)) {  // market_chart: [ms, value] pairs become objects
      for (auto& e : a) {
        json::array pair = e.get_array();
        e = json::object{{"time", pair[0]}, {"value", pair[1]}};
      }
      return true;
    }
    if (is_kline_array(a)) {  // klines: a negative close
      for (auto& e : a) e.get_array()[4] = negative_text(e.get_array()[4].get_string());
      return true;
    }
    for (auto& e : a) changed = break_prices(e) || changed;
  }
  return changed;
}

}  // namespace

std::string break_schema(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return body;
  if (!break_prices(v)) {
    if (v.is_object() && !v.get_object().empty()) {  // e.g. ping: its one field renamed
      auto& o = v.get_object();
      json::object renamed;
      bool first = true;
      for (auto& kv : o) {
        renamed[first ? std::string(kv.key()) + "_renamed" : std::string(kv.key())] = kv.value();
        first = false;
      }
      v = std::move(renamed);
    } else if (v.is_object()) {
      v = json::array{};  // {} → []
    } else {
      v = json::object{{"data", v}};  // [] → {"data":[]}
    }
  }
  return to_text(v);
}

}  // namespace cryptodash::fake
