#include "api/data_routes.h"

#include "api/admin.h"
#include "core/json_text.h"
#include "core/keys.h"
#include "market/payloads.h"

#include <boost/url/parse_query.hpp>
#include <fmt/format.h>

#include <charconv>

namespace cryptodash::api {

namespace asio = boost::asio;
using core::errc;

namespace {

constexpr std::size_t max_symbols_per_call = 50;
constexpr int default_candle_limit = 200;
constexpr int max_candle_limit = 1000;

response bad_request(const request_context& ctx, std::string message) {
  return error_response(http::status::bad_request, "invalid_argument", message,
                        ctx.req.version());
}

// The query parameter `name`, if present.
std::optional<std::string> query_value(
    const std::vector<std::pair<std::string, std::string>>& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<int> strict_int(std::string_view text) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  return v;
}

// The answer for a lookup that found an entry: 200, or 404 for a cached "not found".
cached_answer answer_of(cache::lookup found, core::time_point now) {
  const bool missing = market::is_not_found(found.value->payload);
  return {std::move(found), missing ? http::status::not_found : http::status::ok, now};
}

// A fast handler's answer from a fresh L1 entry; without one, the probe is left in ctx for
// the route's handler.
std::optional<cached_answer> fresh_answer(request_context& ctx, cache::l1_probe probe,
                                          core::time_point now) {
  if (!probe.fresh) {
    ctx.l1 = std::move(probe);
    return std::nullopt;
  }
  return answer_of(cache::lookup{std::move(probe.fresh), cache::source::l1, true, {}}, now);
}

// Answers one data lookup: the payload (404 for a cached "not found"), or the error.
response answer(const request_context& ctx, const cache::lookup& found, core::time_point now,
                std::string_view what) {
  if (found.value) {
    auto a = answer_of(found, now);
    return cached_response(ctx, a.found, a.now, a.status);
  }
  auto ec = found.error ? found.error : make_error_code(errc::unavailable);
  return error_for(ec, fmt::format("{}: {}", what, market::describe_error(ec, {})),
                   ctx.req.version());
}

// The assembled summary (built per request: its ages move every second).
response summary_response(const request_context& ctx, market::summary sum,
                          std::string_view cache_control) {
  response res{http::status::ok, ctx.req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, cache_control);
  res.body() = std::move(sum.json);
  return res;
}

}  // namespace

core::result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  if (q.empty()) return out;
  // A NUL-terminated copy: Debian's libboost_url 1.81 parse_query reads its argument up to a
  // NUL (strlen, seen under ASan), past the end of a view into the request target.
  const std::string text(q);
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return make_error_code(errc::invalid_argument);
  for (auto p : *parsed) {
    out.emplace_back(p.key.decode(), p.has_value ? p.value.decode() : std::string());
  }
  return out;
}

void add_data_routes(router& r, services& s) {
  auto summary = [&s](request_context& ctx) -> asio::awaitable<response> {
    auto sum = co_await s.data.dashboard_summary();
    co_return summary_response(ctx, std::move(sum), "no-cache");
  };
  r.add(http::verb::get, "/api/crypto/dashboard-summary", summary);
  r.add(http::verb::get, "/api/crypto/dashboard-summary/cached", summary);

  r.add(http::verb::post, "/api/crypto/dashboard-summary/refresh",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          if (auto refused = refuse_unless_admin(ctx, s.settings.snapshot()->server.admin_token)) {
            co_return std::move(*refused);
          }
          int per_minute = s.settings.snapshot()->server.refresh_rate_limit_per_minute;
          if (auto wait = s.refreshes.try_take(std::chrono::steady_clock::now(), per_minute)) {
            auto res = error_response(
                http::status::too_many_requests, "rate_limited",
                fmt::format("at most {} forced refreshes per minute", per_minute),
                ctx.req.version());
            res.set(http::field::retry_after, std::to_string(wait->count()));
            co_return res;
          }
          // Not `c ? co_await a : co_await b`: GCC 12 destroys such temporaries twice.
          market::summary sum;
          if (s.live.refresh_dashboard) {
            sum = co_await s.live.refresh_dashboard();
          } else {
            sum = co_await s.data.refresh_summary();
          }
          co_return summary_response(ctx, std::move(sum), "no-store");
        });

  // The WebSocket endpoint; the server hands upgrades to the hub before routing, so what
  // reaches the router is a plain GET.
  r.add(http::verb::get, "/ws", [](request_context& ctx) -> asio::awaitable<response> {
    auto res = error_response(http::status::upgrade_required, "upgrade_required",
                              "/ws is a WebSocket endpoint: send an Upgrade: websocket request",
                              ctx.req.version());
    res.set(http::field::upgrade, "websocket");
    co_return res;
  });

  // Only symbols that exist are kept fresh: unknown names must not cost upstream calls.
  auto note_requested = [&s](const std::string& symbol, const cache::lookup& found) {
    if (s.live.requested && found.value && !market::is_not_found(found.value->payload)) {
      s.live.requested(symbol);
    }
  };
  r.add(
      http::verb::get, "/api/crypto/market/{symbol}",
      [&s, note_requested](request_context& ctx) -> asio::awaitable<response> {
        auto symbol = core::normalize_symbol(ctx.param("symbol"));
        if (!symbol) co_return bad_request(ctx, "symbol must match ^[a-z0-9]{1,15}$");
        auto found = co_await s.data.market(*symbol, std::move(ctx.l1));
        note_requested(*symbol, found);
        co_return answer(ctx, found, s.clock.now(), "market data");
      },
      [&s, note_requested](request_context& ctx) -> std::optional<cached_answer> {
        auto symbol = core::normalize_symbol(ctx.param("symbol"));
        if (!symbol) return std::nullopt;
        auto a = fresh_answer(ctx, s.data.probe_market(*symbol), s.clock.now());
        if (a) note_requested(*symbol, a->found);
        return a;
      });

  r.add(http::verb::get, "/api/crypto/markets",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          auto q = parse_query(ctx.query);
          if (!q) co_return bad_request(ctx, "malformed query string");
          auto list = query_value(*q, "symbols");
          if (!list || list->empty()) co_return bad_request(ctx, "symbols=btc,eth,… is required");
          std::vector<std::string> symbols;
          std::string_view rest = *list;
          while (true) {
            auto comma = rest.find(',');
            auto sym = core::normalize_symbol(rest.substr(0, comma));
            if (!sym) {
              co_return bad_request(ctx, fmt::format("\"{}\" is not a symbol ([a-z0-9]{{1,15}})",
                                                     rest.substr(0, std::min<std::size_t>(comma, 20))));
            }
            symbols.push_back(std::move(*sym));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
          }
          if (symbols.size() > max_symbols_per_call) {
            co_return bad_request(ctx, fmt::format("at most {} symbols per call",
                                                   max_symbols_per_call));
          }
          auto found = co_await s.data.markets(symbols);
          // The cached payloads are spliced in as they are, not parsed again.
          std::string body = "{\"markets\":[";
          std::string errors;
          bool first = true;
          for (std::size_t i = 0; i < symbols.size(); ++i) {
            const auto& f = found[i];
            if (f.value && !market::is_not_found(f.value->payload)) {
              if (!first) body += ',';
              first = false;
              body += f.value->payload;
              continue;
            }
            auto ec = f.value ? make_error_code(errc::not_found)
                              : (f.error ? f.error : make_error_code(errc::unavailable));
            boost::json::object e;
            e["symbol"] = symbols[i];
            e["code"] = error_code_name(ec);
            e["message"] = market::describe_error(ec, {});
            if (!errors.empty()) errors += ',';
            errors += core::to_json(e);
          }
          body += "],\"errors\":[" + errors + "]}";
          response res{http::status::ok, ctx.req.version()};
          res.set(http::field::content_type, "application/json");
          res.set(http::field::cache_control, "no-cache");
          res.body() = std::move(body);
          co_return res;
        });

  r.add(http::verb::get, "/api/crypto/candles/{symbol}",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          auto symbol = core::normalize_symbol(ctx.param("symbol"));
          if (!symbol) co_return bad_request(ctx, "symbol must match ^[a-z0-9]{1,15}$");
          auto q = parse_query(ctx.query);
          if (!q) co_return bad_request(ctx, "malformed query string");
          auto interval = core::normalize_interval(query_value(*q, "interval").value_or("1h"));
          if (!interval) {
            co_return bad_request(
                ctx, "interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w");
          }
          int limit = default_candle_limit;
          if (auto l = query_value(*q, "limit")) {
            auto v = strict_int(*l);
            if (!v || *v < 1 || *v > max_candle_limit) {
              co_return bad_request(ctx, fmt::format("limit must be 1..{}", max_candle_limit));
            }
            limit = *v;
          }
          auto found = co_await s.data.candles(std::move(*symbol), std::move(*interval));
          auto res = answer(ctx, found, s.clock.now(), "candles");
          if (res.result() == http::status::ok) {
            // Fewer candles than cached: a trimmed copy (the cached entry keeps them all).
            auto trimmed = market::limit_candles(found.value->payload,
                                                 static_cast<std::size_t>(limit));
            if (trimmed && trimmed->size() != found.value->payload.size()) {
              auto tag = entity_tag(*found.value);
              tag.insert(tag.size() - 1, fmt::format("-l{}", limit));
              res.set(http::field::etag, tag);
              if (matches_if_none_match(ctx, tag)) {
                res.result(http::status::not_modified);
                res.body().clear();
              } else {
                res.body() = std::move(*trimmed);
              }
            }
          }
          co_return res;
        });

  r.add(http::verb::get, "/api/crypto/indicator/{symbol}/{name}/{period}",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          auto symbol = core::normalize_symbol(ctx.param("symbol"));
          if (!symbol) co_return bad_request(ctx, "symbol must match ^[a-z0-9]{1,15}$");
          auto name = core::normalize_indicator(ctx.param("name"));
          if (!name) co_return bad_request(ctx, "indicator must be rsi, sma, ema, macd or bbands");
          auto period = strict_int(ctx.param("period"));
          if (!period || *period < core::min_indicator_period ||
              *period > core::max_indicator_period) {
            co_return bad_request(ctx, fmt::format("period must be {}..{}",
                                                   core::min_indicator_period,
                                                   core::max_indicator_period));
          }
          if (*name == "macd" && *period != 12) {
            co_return bad_request(ctx, "macd takes period 12 (MACD 12, 26, 9)");
          }
          auto q = parse_query(ctx.query);
          if (!q) co_return bad_request(ctx, "malformed query string");
          auto interval = core::normalize_interval(
              query_value(*q, "interval").value_or(std::string(core::default_indicator_interval)));
          if (!interval) {
            co_return bad_request(
                ctx, "interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w");
          }
          auto found = co_await s.data.indicator(std::move(*symbol), std::move(*name), *period,
                                                 std::move(*interval));
          co_return answer(ctx, found, s.clock.now(), "indicator");
        });

  r.add(
      http::verb::get, "/api/crypto/tokenomics/{coin_id}",
      [&s](request_context& ctx) -> asio::awaitable<response> {
        auto id = core::normalize_coin_id(ctx.param("coin_id"));
        if (!id) co_return bad_request(ctx, "coin id must match ^[a-z0-9-]{1,64}$");
        auto found = co_await s.data.tokenomics(std::move(*id), std::move(ctx.l1));
        co_return answer(ctx, found, s.clock.now(), "tokenomics");
      },
      [&s](request_context& ctx) -> std::optional<cached_answer> {
        return fresh_answer(ctx, s.data.probe_tokenomics(ctx.param("coin_id")), s.clock.now());
      });
}

std::optional<std::chrono::seconds> minute_limit::try_take(std::chrono::steady_clock::time_point now,
                                                           int per_minute) {
  std::lock_guard lock(mutex_);
  while (!taken_.empty() && now - taken_.front() >= std::chrono::minutes(1)) taken_.pop_front();
  if (per_minute > 0 && taken_.size() >= static_cast<std::size_t>(per_minute)) {
    auto wait = std::chrono::ceil<std::chrono::seconds>(taken_.front() + std::chrono::minutes(1) - now);
    return std::max(wait, std::chrono::seconds(1));
  }
  taken_.push_back(now);
  return std::nullopt;
}

}  // namespace cryptodash::api
