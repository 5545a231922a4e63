// GET /openapi.json: the API described (OpenAPI 3.0), built once from the table below.

#include "api/ops_routes.h"
#include "core/json_text.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace cryptodash::api {

namespace json = boost::json;

namespace {

struct param {
  const char* name;
  const char* in;  // path | query
  const char* schema_pattern;
  const char* description;
  bool required;
};

struct operation {
  const char* method;
  const char* path;
  const char* summary;
  bool admin;
  std::vector<param> params;
  const char* body_example;  // JSON, or nullptr
  std::vector<int> errors;   // statuses besides 200
};

constexpr const char* symbol_pattern = "^[A-Za-z0-9]{1,15}$";
constexpr const char* coin_pattern = "^[A-Za-z0-9-]{1,64}$";

std::vector<operation> operations() {
  const param symbol{"symbol", "path", symbol_pattern, "Ticker symbol, case-insensitive", true};
  const param interval{"interval", "query",
                       "^(1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w)$",
                       "Candle interval", false};
  const param report_id{"id", "path", "^[1-9][0-9]{0,18}$", "Report id", true};
  const param lang{"lang", "query", "^(en|vi)$", "Language (default: Accept-Language, else en)",
                   false};
  const param report_symbol{"symbol", "query", symbol_pattern, "Ticker symbol, default btc",
                            false};
  const param timeframe{"timeframe", "query", "^(1d|1w)$", "Timeframe, default 1d", false};
  return {
      {"get", "/api/crypto/dashboard-summary",
       "The dashboard summary: global market, BTC price, Fear & Greed, RSI(14), with per-source "
       "state (fresh | stale | unavailable), age and error",
       false, {}, nullptr, {}},
      {"get", "/api/crypto/dashboard-summary/cached", "Legacy alias of /api/crypto/dashboard-summary",
       false, {}, nullptr, {}},
      {"post", "/api/crypto/dashboard-summary/refresh",
       "Recompute the summary's sources now (rate-limited: server.refresh_rate_limit_per_minute)",
       true, {}, nullptr, {401, 403, 429}},
      {"get", "/api/crypto/market/{symbol}",
       "Price, 24 h change, market cap, volume and last update of one coin. ETag / If-None-Match "
       "supported; Cache-Control max-age is the freshness left",
       false, {symbol}, nullptr, {304, 400, 404, 502, 503, 504}},
      {"get", "/api/crypto/markets", "Several coins at once (one upstream call for those missing)",
       false,
       {{"symbols", "query", "^[A-Za-z0-9]{1,15}(,[A-Za-z0-9]{1,15}){0,49}$",
         "Comma-separated symbols, at most 50", true}},
       nullptr, {400}},
      {"get", "/api/crypto/candles/{symbol}", "OHLCV candles, oldest first (Binance; CoinGecko "
       "prices when Binance fails or lacks the symbol, then volume is null)",
       false,
       {symbol, interval, {"limit", "query", "^[1-9][0-9]{0,3}$", "1..1000, default 200", false}},
       nullptr, {304, 400, 404, 502, 503, 504}},
      {"get", "/api/crypto/indicator/{symbol}/{name}/{period}",
       "An indicator computed from cached candles (TAAPI where market.taapi_indicators says so): "
       "rsi, sma, ema (period 1..1000), macd (period 12: MACD 12, 26, 9), bbands (k = 2)",
       false,
       {symbol,
        {"name", "path", "^(rsi|sma|ema|macd|bbands)$", "Indicator", true},
        {"period", "path", "^[1-9][0-9]{0,3}$", "Period", true},
        interval},
       nullptr, {304, 400, 404, 502, 503, 504}},
      {"get", "/api/crypto/tokenomics/{coin_id}",
       "Circulating, total and max supply, market cap and fully diluted valuation (null when "
       "unknown)",
       false, {{"coin_id", "path", coin_pattern, "CoinGecko coin id", true}}, nullptr,
       {304, 400, 404, 502, 503, 504}},
      {"post", "/api/update-cache", "Fetch coins into every tier; reports updated, skipped, failed",
       true, {}, R"({"coin_ids": ["bitcoin", "ethereum"]})", {400, 401, 403}},
      {"get", "/api/cache-stats", "Cache statistics per tier, upstream breakers and budgets",
       false, {}, nullptr, {}},
      {"get", "/cache-stats", "Alias of /api/cache-stats", false, {}, nullptr, {}},
      {"get", "/admin/cache/stats", "Cache statistics (admin)", true, {}, nullptr, {401, 403}},
      {"post", "/clear-cache", "Clear every tier, or the keys matching a pattern", true, {},
       R"({"pattern": "market:*"})", {400, 401, 403}},
      {"post", "/admin/cache/clear", "Alias of /clear-cache", true, {},
       R"({"pattern": "market:*"})", {400, 401, 403}},
      {"get", "/admin/config", "The effective configuration, secrets redacted", true, {}, nullptr,
       {401, 403}},
      {"post", "/admin/config/reload", "Reload the settings; says what applied and what needs a "
       "restart", true, {}, nullptr, {401, 403, 422}},
      {"get", "/health", "healthy | degraded (200) or unhealthy (503), cache system, request "
       "metrics", false, {}, nullptr, {503}},
      {"get", "/livez", "Liveness", false, {}, nullptr, {}},
      {"get", "/readyz", "Readiness", false, {}, nullptr, {503}},
      {"get", "/metrics", "Prometheus text exposition", false, {}, nullptr, {}},
      {"get", "/ws", "WebSocket: dashboard_update and market_update messages (426 without Upgrade)", false, {}, nullptr, {}},
      {"get", "/openapi.json", "This document", false, {}, nullptr, {}},
      {"get", "/", "The web dashboard (HTML)", false, {}, nullptr, {304}},
      {"get", "/dashboard", "The web dashboard (HTML), alias of /", false, {}, nullptr, {304}},
      {"get", "/assets/{name}", "A file of the web dashboard (script, style sheet)", false,
       {{"name", "path", "^[A-Za-z0-9._-]+$", "File name", true}}, nullptr, {304, 404}},
      {"get", "/crypto_report",
       "The latest report of a symbol and timeframe as an HTML page (en/vi by ?lang= or "
       "Accept-Language); Content-Location names its id",
       false, {report_symbol, timeframe, lang}, nullptr, {304, 400, 404, 503}},
      {"get", "/crypto_report/{id}", "One report as an HTML page (chart, figures, freshness)",
       false, {report_id, lang}, nullptr, {304, 400, 404, 503}},
      {"get", "/crypto_report/{id}/pdf", "One report as a PDF (A4, same content and chart); 503 busy with "
       "Retry-After when too many are being rendered",
       false, {report_id, lang}, nullptr, {304, 400, 404, 503}},
      {"get", "/api/reports",
       "Reports newest first, without bodies; keyset paging: pass next_before_id as before_id",
       false,
       {{"limit", "query", "^[1-9][0-9]{0,2}$", "1..100, default 20", false},
        {"before_id", "query", "^[1-9][0-9]{0,18}$", "Only ids below it", false},
        {"symbol", "query", symbol_pattern, "Only this symbol", false},
        {"timeframe", "query", "^(1d|1w)$", "Only this timeframe", false}},
       nullptr, {400, 503}},
      {"get", "/api/reports/{id}", "One report: id, symbol, timeframe, created_at, links, report",
       false, {report_id}, nullptr, {400, 404, 503}},
      {"post", "/api/reports",
       "Store a report written elsewhere: the report object, with a string symbol and "
       "timeframe (1d | 1w) and optionally created_at (RFC 3339); 201 with Location",
       true, {},
       R"({"symbol": "btc", "timeframe": "1d", "created_at": "2026-11-22T00:05:00Z", "price_usd": 64321.5, "summary": {"en": "…", "vi": "…"}})",
       {400, 401, 403, 413, 503}},
  };
}

json::object error_response_schema() {
  return json::object{
      {"description", "Error"},
      {"content",
       {{"application/json",
         {{"schema",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties",
                 {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}};
}

std::string build() {
  json::object paths;
  for (const auto& op : operations()) {
    json::object o;
    o["summary"] = op.summary;
    json::array params;
    for (const auto& p : op.params) {
      params.push_back(json::object{{"name", p.name},
                                    {"in", p.in},
                                    {"required", p.required},
                                    {"description", p.description},
                                    {"schema", {{"type", "string"}, {"pattern", p.schema_pattern}}}});
    }
    if (!params.empty()) o["parameters"] = std::move(params);
    if (op.body_example != nullptr) {
      o["requestBody"] = json::object{
          {"required", true},
          {"content",
           {{"application/json", {{"schema", {{"type", "object"}}}, {"example", json::parse(op.body_example)}}}}}};
    }
    json::object responses;
    responses["200"] = json::object{{"description", "OK"}};
    for (int status : op.errors) {
      responses[std::to_string(status)] =
          status == 304 ? json::object{{"description", "Not modified"}} : error_response_schema();
    }
    o["responses"] = std::move(responses);
    if (op.admin) o["security"] = json::array{json::object{{"bearer", json::array{}}}};
    auto& item = paths[op.path];
    if (!item.is_object()) item = json::object{};
    item.as_object()[op.method] = std::move(o);
  }
  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = json::object{{"title", "cryptodash"},
                             {"version", CRYPTODASH_VERSION},
                             {"description",
                              "Crypto market data served from a multi-tier cache. Errors: "
                              "{\"error\": {\"code\", \"message\"}}."}};
  doc["paths"] = std::move(paths);
  doc["components"] = json::object{
      {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}};
  return core::to_json(doc);
}

}  // namespace

const std::string& openapi_json() {
  static const std::string doc = build();
  return doc;
}

}  // namespace cryptodash::api
