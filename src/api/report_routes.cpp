#include "api/report_routes.h"

#include "api/admin.h"
#include "api/data_routes.h"
#include "cache/l1_cache.h"
#include "cache/single_flight.h"
#include "core/keys.h"
#include "reports/html.h"
#include "reports/pdf.h"

#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <memory>

namespace cryptodash::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using reports::language;

namespace {

// The report pages need no script and no external resource.
constexpr std::string_view page_policy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";
constexpr std::string_view default_symbol = "btc";
constexpr std::string_view default_timeframe = "1d";
// Rendered pages and PDFs kept, by bytes.
constexpr std::uint64_t rendered_max_bytes = 16u << 20;
// Pages and PDFs being made at once, past which a request for another is answered 503 with
// Retry-After (a PDF takes ~5 ms, so the last in the queue waits some 150 ms).
constexpr std::size_t max_renders = 32;

using query_list = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> query_value(const query_list& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string_view lang_code(language l) {
  return l == language::vi ? "vi" : "en";
}

response bad_request(const request_context& ctx, std::string_view message) {
  return error_response(http::status::bad_request, "invalid_argument", message, ctx.req.version());
}

// A store failure as an answer: refused input 400/413, the database away 503, else 500.
response store_error(const request_context& ctx, const boost::system::error_code& ec) {
  const auto v = ctx.req.version();
  if (ec == errc::invalid_argument) {
    return error_response(http::status::bad_request, "invalid_argument", ec.message(), v);
  }
  if (ec == errc::too_large) {
    return error_response(http::status::payload_too_large, "too_large", ec.message(), v);
  }
  if (ec == errc::unavailable || ec == errc::timeout) {
    return error_response(http::status::service_unavailable, error_code_name(ec),
                          "the report database is not reachable", v);
  }
  return error_response(http::status::internal_server_error, "database_error",
                        "the report database failed", v);
}

// A small page for a report that is not there (the routes that answer pages answer pages).
response message_page(const request_context& ctx, http::status status, std::string_view title,
                      std::string_view text) {
  response res{status, ctx.req.version()};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set("Content-Security-Policy", page_policy);
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = fmt::format(
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>"
      "<body style=\"font-family:system-ui,sans-serif;margin:3rem auto;max-width:36rem;"
      "padding:0 1rem\"><h1>{0}</h1><p>{1}</p><p><a href=\"/dashboard\">Dashboard</a></p>"
      "</body></html>",
      reports::html_escape(title), reports::html_escape(text));
  return res;
}

std::string report_links(std::int64_t id) {
  return fmt::format(
      R"({{"html":"/crypto_report/{0}","pdf":"/crypto_report/{0}/pdf","json":"/api/reports/{0}"}})",
      id);
}

// A report as /api/reports/{id} answers it; symbol and timeframe are [a-z0-9] (store
// checks), the body JSON text as stored.
std::string report_json(const reports::stored_report& r) {
  return fmt::format(
      R"({{"id":{},"symbol":"{}","timeframe":"{}","created_at":"{}","links":{},"report":{}}})",
      r.id, r.symbol, r.timeframe, core::format_rfc3339_ms(r.created_at), report_links(r.id),
      r.body);
}

json::object summary_json(const reports::report_summary& r) {
  return {{"id", r.id},
          {"symbol", r.symbol},
          {"timeframe", r.timeframe},
          {"created_at", core::format_rfc3339_ms(r.created_at)},
          {"links", json::parse(report_links(r.id))}};
}

enum class format { html, pdf };

// What the report routes share: the services and the rendered pages kept.
struct report_routes {
  services& s;
  cache::l1_cache<std::string, std::string> rendered{
      {.max_entries = 0, .max_weight = rendered_max_bytes}};

  // Renders of one page or PDF at a time; PDFs queue on the render pool, so a bound on those
  // waiting (the pool renders one document at a time, a few ms each).
  cache::single_flight<std::string, std::shared_ptr<const std::string>> renders{max_renders};

  // The page or PDF of `r` in `lang`, made once; errc::rate_limited when max_renders others
  // are being made.
  asio::awaitable<core::result<std::shared_ptr<const std::string>>> render(reports::report_ptr r,
                                                                           language lang,
                                                                           format f) {
    auto key = fmt::format("{}:{}:{}", r->id, lang_code(lang), f == format::pdf ? "pdf" : "html");
    if (auto hit = rendered.get(key)) co_return hit;
    auto make = [this, r, lang, f,
                 key]() -> asio::awaitable<core::result<std::shared_ptr<const std::string>>> {
      if (auto hit = rendered.get(key)) co_return hit;  // made while this one joined
      reports::report_result out = std::string();
      if (f == format::html) {
        out = reports::render_report_html(r->body, r->id, lang);
      } else {
        // CPU-heavy (fonts, shaping): on the render pool, never on an I/O thread.
        auto call = [r, lang]() noexcept {
          return reports::render_report_pdf(r->body, r->id, lang);
        };
        out = co_await s.render_pool->async_run(std::move(call), asio::use_awaitable);
      }
      if (!out) co_return out.error().code;
      auto text = std::make_shared<const std::string>(std::move(*out));
      rendered.put(key, text, core::time_point::max(),
                   static_cast<std::uint32_t>(std::min<std::size_t>(text->size(), UINT32_MAX)));
      co_return text;
    };
    auto made = co_await renders.run(std::move(key), std::move(make));
    co_return std::move(made.result);
  }

  // The answer with the page or PDF of `r`.
  asio::awaitable<response> serve(request_context& ctx, const reports::report_ptr& r, format f,
                                  bool latest) {
    auto q = parse_query(ctx.query);
    if (!q) co_return bad_request(ctx, "the query string is malformed");
    auto lang_param = query_value(*q, "lang");
    std::optional<std::string_view> lang_view;
    if (lang_param) lang_view = *lang_param;
    auto lang = negotiate_language(lang_view, ctx.req[http::field::accept_language]);
    if (!lang) co_return bad_request(ctx, "lang must be en or vi");
    const auto tag =
        fmt::format("\"r{}-{}-{}\"", r->id, lang_code(*lang), f == format::pdf ? "pdf" : "html");
    response res{http::status::ok, ctx.req.version()};
    if (matches_if_none_match(ctx, tag)) {
      res.result(http::status::not_modified);
    } else {
      auto body = co_await render(r, *lang, f);
      if (!body) co_return render_failure(r->id, body.error(), ctx.req.version());
      res.body().share(*body, **body);
    }
    res.set(http::field::etag, tag);
    // A report never changes; the latest does.
    res.set(http::field::cache_control, latest ? "no-cache" : "public, max-age=3600");
    if (!lang_param) res.set(http::field::vary, "Accept-Language");
    res.set("X-Content-Type-Options", "nosniff");
    if (latest) {
      // The page of that id, in the language asked for the same way.
      res.set(http::field::content_location,
              lang_param ? fmt::format("/crypto_report/{}?lang={}", r->id, lang_code(*lang))
                         : fmt::format("/crypto_report/{}", r->id));
    }
    if (f == format::html) {
      res.set(http::field::content_type, "text/html; charset=utf-8");
      res.set("Content-Security-Policy", page_policy);
      res.set("Referrer-Policy", "no-referrer");
    } else {
      res.set(http::field::content_type, "application/pdf");
      res.set(http::field::content_disposition,
              fmt::format("inline; filename=\"cryptodash-report-{}-{}-{}.pdf\"", r->symbol,
                          r->timeframe, r->id));
    }
    co_return res;
  }

  // The report a `{id}` route names, or the answer that says why there is none.
  asio::awaitable<std::variant<reports::report_ptr, response>> find(request_context& ctx,
                                                                    format f) {
    auto id = parse_report_id(ctx.param("id"));
    if (!id) co_return bad_request(ctx, "a report id is a positive whole number");
    auto r = co_await s.reports->get(*id);
    if (!r) co_return store_error(ctx, r.error());
    if (!*r) {
      const auto text = fmt::format("There is no report {}.", *id);
      if (f == format::html) {
        co_return message_page(ctx, http::status::not_found, "Report not found", text);
      }
      co_return error_response(http::status::not_found, "not_found", text, ctx.req.version());
    }
    co_return std::move(*r);
  }
};

response unavailable(const request_context& ctx) {
  return error_response(http::status::service_unavailable, "unavailable",
                        "reports are not available on this server", ctx.req.version());
}

// The new report of POST /api/reports: the report object itself (src/reports/README.md shape;
// only "symbol" and "timeframe" are required), created_at from its "created_at" when given.
std::variant<reports::new_report, std::string> posted_report(std::string_view body,
                                                             core::time_point now) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::string("the body must be a JSON object (the report)");
  auto& o = v.as_object();
  const auto* symbol = o.if_contains("symbol");
  const auto* timeframe = o.if_contains("timeframe");
  if (symbol == nullptr || !symbol->is_string() || timeframe == nullptr ||
      !timeframe->is_string()) {
    return std::string("the report needs a string \"symbol\" and \"timeframe\"");
  }
  auto sym = core::normalize_symbol(symbol->as_string());
  auto tf = core::normalize_timeframe(timeframe->as_string());
  if (!sym) return std::string("\"symbol\" must be 1 to 15 letters or digits");
  if (!tf) return std::string("\"timeframe\" must be 1d or 1w");
  reports::new_report r{*sym, *tf, now, {}};
  if (const auto* created = o.if_contains("created_at")) {
    std::optional<core::time_point> at;
    if (created->is_string()) at = core::parse_rfc3339(created->as_string());
    if (!at) return std::string("\"created_at\" must be an RFC 3339 timestamp");
    r.created_at = *at;
  } else {
    o["created_at"] = core::format_rfc3339(now);
  }
  o["symbol"] = *sym;
  o["timeframe"] = *tf;
  r.body = json::serialize(o);
  return r;
}

}  // namespace

response render_failure(std::int64_t id, const boost::system::error_code& ec, unsigned version) {
  if (ec == errc::rate_limited) {
    auto busy = error_response(http::status::service_unavailable, "busy",
                               "too many reports are being rendered; retry in a second", version);
    busy.set(http::field::retry_after, "1");
    return busy;
  }
  return error_response(http::status::internal_server_error, "render_failed",
                        fmt::format("report {} cannot be shown: {}", id, ec.message()), version);
}

std::optional<std::int64_t> parse_report_id(std::string_view text) noexcept {
  if (text.empty() || text.front() == '0' || text.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

core::result<language> negotiate_language(std::optional<std::string_view> lang,
                                          std::string_view accept) {
  auto lower = [](std::string_view t) {
    std::string out(t);
    for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
  };
  if (lang) {
    const auto l = lower(*lang);
    if (l == "en") return language::en;
    if (l == "vi") return language::vi;
    return make_error_code(errc::invalid_argument);
  }
  // The first of the highest q among the ranges that name en or vi.
  double best_q = 0;
  language best = language::en;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto item = accept.substr(0, comma);
    accept.remove_prefix(comma == std::string_view::npos ? accept.size() : comma + 1);
    auto semi = item.find(';');
    auto range = lower(item.substr(0, semi));
    std::erase_if(range, [](char c) { return c == ' ' || c == '\t'; });
    double q = 1;
    if (semi != std::string_view::npos) {
      auto params = lower(item.substr(semi + 1));
      std::erase_if(params, [](char c) { return c == ' ' || c == '\t'; });
      if (params.starts_with("q=")) {
        double parsed = 0;
        auto [p, ec] = std::from_chars(params.data() + 2, params.data() + params.size(), parsed);
        q = ec == std::errc() && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    std::optional<language> l;
    if (range == "vi" || range.starts_with("vi-")) l = language::vi;
    if (range == "en" || range.starts_with("en-") || range == "*") l = language::en;
    if (l && q > best_q) {
      best_q = q;
      best = *l;
    }
  }
  return best;
}

void add_report_routes(router& r, services& s) {
  auto routes = std::make_shared<report_routes>(s);

  r.add(http::verb::get, "/crypto_report",
        [routes](request_context& ctx) -> asio::awaitable<response> {
          if (routes->s.reports == nullptr) co_return unavailable(ctx);
          auto q = parse_query(ctx.query);
          if (!q) co_return bad_request(ctx, "the query string is malformed");
          const auto symbol = query_value(*q, "symbol").value_or(std::string(default_symbol));
          const auto timeframe =
              query_value(*q, "timeframe").value_or(std::string(default_timeframe));
          auto latest = co_await routes->s.reports->latest(symbol, timeframe);
          if (!latest) {
            if (latest.error() == errc::invalid_argument) {
              co_return bad_request(ctx,
                                    "symbol must be 1 to 15 letters or digits, timeframe 1d or 1w");
            }
            co_return store_error(ctx, latest.error());
          }
          if (!*latest) {
            co_return message_page(
                ctx, http::status::not_found, "No report yet",
                fmt::format("There is no {} {} report yet. One is written every day, or with "
                            "`cryptodash report generate --symbol {} --timeframe {}`.",
                            symbol, timeframe, symbol, timeframe));
          }
          co_return co_await routes->serve(ctx, *latest, format::html, true);
        });

  r.add(http::verb::get, "/crypto_report/{id}",
        [routes](request_context& ctx) -> asio::awaitable<response> {
          if (routes->s.reports == nullptr) co_return unavailable(ctx);
          auto found = co_await routes->find(ctx, format::html);
          if (auto* res = std::get_if<response>(&found)) co_return std::move(*res);
          co_return co_await routes->serve(ctx, std::get<reports::report_ptr>(found), format::html,
                                           false);
        });

  r.add(http::verb::get, "/crypto_report/{id}/pdf",
        [routes](request_context& ctx) -> asio::awaitable<response> {
          if (routes->s.reports == nullptr || routes->s.render_pool == nullptr) {
            co_return unavailable(ctx);
          }
          auto found = co_await routes->find(ctx, format::pdf);
          if (auto* res = std::get_if<response>(&found)) co_return std::move(*res);
          co_return co_await routes->serve(ctx, std::get<reports::report_ptr>(found), format::pdf,
                                           false);
        });

  r.add(http::verb::get, "/api/reports",
        [routes](request_context& ctx) -> asio::awaitable<response> {
          if (routes->s.reports == nullptr) co_return unavailable(ctx);
          auto q = parse_query(ctx.query);
          if (!q) co_return bad_request(ctx, "the query string is malformed");
          reports::page_request page;
          if (auto limit = query_value(*q, "limit")) {
            int v = 0;
            auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
            if (limit->empty() || ec != std::errc() || p != limit->data() + limit->size() ||
                v < 1 || v > reports::max_page_limit) {
              co_return bad_request(ctx,
                                    fmt::format("limit must be 1 to {}", reports::max_page_limit));
            }
            page.limit = v;
          }
          if (auto before = query_value(*q, "before_id")) {
            auto id = parse_report_id(*before);
            if (!id) co_return bad_request(ctx, "before_id must be a report id");
            page.before_id = *id;
          }
          page.symbol = query_value(*q, "symbol");
          page.timeframe = query_value(*q, "timeframe");
          auto listed = co_await routes->s.reports->list(std::move(page));
          if (!listed) co_return store_error(ctx, listed.error());
          json::array items;
          for (const auto& item : listed->items) items.emplace_back(summary_json(item));
          json::object body{{"items", std::move(items)}};
          if (listed->next_before_id) {
            body["next_before_id"] = *listed->next_before_id;
          } else {
            body["next_before_id"] = nullptr;
          }
          co_return json_response(http::status::ok, body, ctx.req.version());
        });

  r.add(http::verb::get, "/api/reports/{id}",
        [routes](request_context& ctx) -> asio::awaitable<response> {
          if (routes->s.reports == nullptr) co_return unavailable(ctx);
          auto found = co_await routes->find(ctx, format::pdf);
          if (auto* res = std::get_if<response>(&found)) co_return std::move(*res);
          response res{http::status::ok, ctx.req.version()};
          res.set(http::field::content_type, "application/json");
          res.set(http::field::cache_control, "public, max-age=3600");
          res.body() = report_json(*std::get<reports::report_ptr>(found));
          co_return res;
        });

  r.add(
      http::verb::post, "/api/reports",
      [routes](request_context& ctx) -> asio::awaitable<response> {
        auto& svc = routes->s;
        if (auto refused = refuse_unless_admin(ctx, svc.settings.snapshot()->server.admin_token)) {
          co_return std::move(*refused);
        }
        if (svc.reports == nullptr) co_return unavailable(ctx);
        auto posted = posted_report(ctx.req.body(), svc.clock.now());
        if (auto* why = std::get_if<std::string>(&posted)) co_return bad_request(ctx, *why);
        auto stored =
            co_await svc.reports->insert(std::get<reports::new_report>(std::move(posted)));
        if (!stored) co_return store_error(ctx, stored.error());
        const auto& written = **stored;
        json::object body =
            summary_json({written.id, written.symbol, written.timeframe, written.created_at});
        auto res = json_response(http::status::created, body, ctx.req.version());
        res.set(http::field::location, fmt::format("/api/reports/{}", written.id));
        co_return res;
      });
}

}  // namespace cryptodash::api
