#include "api/ops_routes.h"

#include "api/admin.h"
#include "cache/policy_node.h"
#include "config/show.h"
#include "core/json_text.h"
#include "core/keys.h"
#include "store/redis/client.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

namespace cryptodash::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;

namespace {

constexpr int max_popular = 1000;
constexpr std::size_t max_coin_ids = 250;

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

response refuse_body(const request_context& ctx, std::string message) {
  return error_response(http::status::bad_request, "invalid_argument", message,
                        ctx.req.version());
}

// The request body as a JSON object: empty → {}, anything else that is not an object → error.
std::optional<json::object> body_object(const request_context& ctx) {
  if (ctx.req.body().empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(ctx.req.body(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

const char* l2_status(const services& s) {
  if (s.redis == nullptr) return "disabled";
  auto st = s.redis->stats();
  if (!st.connected) return "disconnected";
  return st.breaker_open ? "failing" : "connected";
}

}  // namespace

asio::awaitable<json::object> cache_stats_json(services& s) {
  const auto st = s.cache.stats();
  const auto settings = s.settings.snapshot();
  json::object out;

  json::object l1;
  std::uint64_t evictions = 0;
  for (auto n : st.l1.evictions) evictions += n;
  l1["entry_count"] = st.l1.entry_count;
  l1["max_capacity"] = st.l1.maximum;
  l1["weighted_size"] = st.l1.weighted_size;
  l1["hit_count"] = st.l1.hits;
  l1["miss_count"] = st.l1.misses;
  l1["hit_rate_percent"] = percent(st.l1.hits, st.l1.hits + st.l1.misses);
  l1["eviction_count"] = evictions;
  l1["ttl_seconds"] = st.l1_ttl_seconds;
  l1["healthy"] = s.cache.strategy() != config::cache_strategy::redis_only;
  out["l1"] = std::move(l1);

  json::object l2;
  l2["type"] = s.redis != nullptr ? "redis" : "none";
  l2["healthy"] = st.l2 ? st.l2->healthy : false;
  l2["status"] = st.l2 ? l2_status(s) : "disabled";
  l2["hit_count"] = st.l2 ? st.l2->hits : 0;
  l2["miss_count"] = st.l2 ? st.l2->misses : 0;
  l2["error_count"] = st.l2 ? st.l2->errors : 0;
  l2["corrupt_count"] = st.l2 ? st.l2->corrupt : 0;
  l2["ttl_seconds"] = settings->cache.l2.ttl_seconds;
  out["l2"] = std::move(l2);

  json::object disk;
  disk["enabled"] = st.disk.has_value();
  disk["entry_count"] = st.disk ? st.disk->entries : 0;
  disk["bytes"] = st.disk ? st.disk->bytes : 0;
  disk["healthy"] = st.disk ? st.disk->healthy : false;
  disk["hit_count"] = st.disk ? st.disk->hits : 0;
  disk["miss_count"] = st.disk ? st.disk->misses : 0;
  disk["corrupt_count"] = st.disk ? st.disk->corrupt : 0;
  out["disk"] = std::move(disk);

  // The report cache (issue 9); a server without a report database shows zeros and nulls.
  json::object reports;
  if (s.reports != nullptr) {
    const auto rs = s.reports->stats();
    reports["entry_count"] = rs.entry_count;
    reports["hit_count"] = rs.hits;
    reports["miss_count"] = rs.misses;
    reports["hit_rate_percent"] = rs.hit_rate_percent;
    if (rs.latest_report_id) {
      reports["latest_report_id"] = *rs.latest_report_id;
    } else {
      reports["latest_report_id"] = nullptr;
    }
    if (s.live.report_job_stats) reports["daily"] = s.live.report_job_stats();
  } else {
    reports["entry_count"] = 0;
    reports["hit_rate_percent"] = nullptr;
    reports["latest_report_id"] = nullptr;
  }
  out["report_cache"] = std::move(reports);

  auto ups = co_await s.upstreams.stats_json();
  for (auto& [name, v] : ups) {
    auto interval = s.live.interval_of ? s.live.interval_of(name) : std::nullopt;
    v.as_object()["current_interval_s"] =
        interval ? json::value(*interval) : json::value(nullptr);
  }
  {
    std::lock_guard lock(s.upstream_mutex);
    s.upstream_stats = ups;
  }
  out["upstreams"] = std::move(ups);

  json::object computes;
  computes["computes"] = st.computes;
  computes["compute_failures"] = st.compute_failures;
  computes["stale_served"] = st.stale_served;
  computes["single_flight_joins"] = st.single_flight_joins;
  out["computes"] = std::move(computes);
  out["cache_strategy"] = config::to_string(s.cache.strategy());
  // The refresh strategy in force (what `auto` chose); the setting when no scheduler runs.
  out["strategy"] = s.live.strategy ? s.live.strategy()
                                    : std::string(config::to_string(settings->scheduler.strategy));
  if (s.live.scheduler_stats) out["scheduler"] = s.live.scheduler_stats();
  if (s.live.websocket_stats) out["websocket"] = s.live.websocket_stats();
  co_return out;
}

void observe_request(services& s, const request_context& ctx, unsigned status,
                     std::chrono::nanoseconds took) {
  if (s.requests_family == nullptr || s.latency_family == nullptr) return;
  std::string_view route = ctx.route.empty() ? std::string_view("unmatched") : ctx.route;
  const auto method = ctx.req.method();
  // The children of this thread's previous request, reused when the next one is for the same
  // families (by serial: services come and go in tests), route, method and status: a run of
  // requests to one route costs no label lookups.
  struct previous {
    std::uint64_t requests_family = 0;
    std::uint64_t latency_family = 0;
    std::string route;
    http::verb method = http::verb::unknown;
    unsigned status = 0;
    counter* requests = nullptr;
    histogram* latency = nullptr;
  };
  static thread_local previous last;
  if (last.requests_family != s.requests_family->serial() ||
      last.latency_family != s.latency_family->serial() || last.route != route ||
      last.method != method || last.status != status ||
      method == http::verb::unknown) {
    last.requests_family = 0;  // matches nothing until every field below is set
    char status_text[8];
    auto n = fmt::format_to_n(status_text, sizeof status_text - 1, "{}", status).size;
    last.requests = &s.requests_family->with(
        {route, ctx.req.method_string(), std::string_view(status_text, n)});
    last.latency = &s.latency_family->with({route});
    last.latency_family = s.latency_family->serial();
    last.route.assign(route);
    last.method = method;
    last.status = status;
    last.requests_family = s.requests_family->serial();
  }
  last.requests->inc();
  last.latency->observe(std::chrono::duration<double>(took).count());
  s.totals.requests.fetch_add(1, std::memory_order_relaxed);
  s.totals.nanoseconds.fetch_add(static_cast<std::uint64_t>(took.count()),
                                 std::memory_order_relaxed);
}

namespace {

void register_metrics(services& s) {
  s.requests_family = &s.registry.counter("cryptodash_http_requests_total",
                                          "HTTP requests by route, method and status",
                                          {"route", "method", "status"});
  s.latency_family = &s.registry.histogram("cryptodash_http_request_duration_seconds",
                       "Time to handle a request, by route", {"route"},
                       {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                        0.25, 0.5, 1, 2.5, 5, 10});

  s.registry.add_collector([&s](exposition& out) {
    const auto st = s.cache.stats();
    using mt = metric_type;
    out.family("cryptodash_cache_hits_total", "Cache hits by tier", mt::counter);
    out.sample("cryptodash_cache_hits_total", {{"tier", "l1"}}, static_cast<double>(st.l1.hits));
    if (st.l2) out.sample("cryptodash_cache_hits_total", {{"tier", "l2"}}, static_cast<double>(st.l2->hits));
    if (st.disk) out.sample("cryptodash_cache_hits_total", {{"tier", "disk"}}, static_cast<double>(st.disk->hits));
    out.family("cryptodash_cache_misses_total", "Cache misses by tier", mt::counter);
    out.sample("cryptodash_cache_misses_total", {{"tier", "l1"}}, static_cast<double>(st.l1.misses));
    if (st.l2) out.sample("cryptodash_cache_misses_total", {{"tier", "l2"}}, static_cast<double>(st.l2->misses));
    if (st.disk) out.sample("cryptodash_cache_misses_total", {{"tier", "disk"}}, static_cast<double>(st.disk->misses));
    out.family("cryptodash_cache_errors_total", "Tier reads that could not be answered", mt::counter);
    if (st.l2) out.sample("cryptodash_cache_errors_total", {{"tier", "l2"}}, static_cast<double>(st.l2->errors));
    if (st.disk) out.sample("cryptodash_cache_errors_total", {{"tier", "disk"}}, static_cast<double>(st.disk->errors));
    out.family("cryptodash_cache_entries", "Entries held, by tier", mt::gauge);
    out.sample("cryptodash_cache_entries", {{"tier", "l1"}}, static_cast<double>(st.l1.entry_count));
    if (st.disk) out.sample("cryptodash_cache_entries", {{"tier", "disk"}}, static_cast<double>(st.disk->entries));
    out.family("cryptodash_cache_tier_healthy", "1 when the tier answers", mt::gauge);
    if (st.l2) out.sample("cryptodash_cache_tier_healthy", {{"tier", "l2"}}, st.l2->healthy ? 1 : 0);
    if (st.disk) out.sample("cryptodash_cache_tier_healthy", {{"tier", "disk"}}, st.disk->healthy ? 1 : 0);
    out.family("cryptodash_cache_evictions_total", "L1 removals by cause", mt::counter);
    static constexpr std::string_view causes[] = {"size", "expired", "explicit", "replaced"};
    for (std::size_t i = 0; i < std::size(causes) && i < std::size(st.l1.evictions); ++i) {
      out.sample("cryptodash_cache_evictions_total", {{"cause", causes[i]}},
                 static_cast<double>(st.l1.evictions[i]));
    }
    out.family("cryptodash_cache_computes_total", "Computes run (upstream fetches)", mt::counter);
    out.sample("cryptodash_cache_computes_total", {}, static_cast<double>(st.computes));
    out.family("cryptodash_cache_compute_failures_total", "Computes that failed", mt::counter);
    out.sample("cryptodash_cache_compute_failures_total", {}, static_cast<double>(st.compute_failures));
    out.family("cryptodash_cache_stale_served_total", "Stale values served", mt::counter);
    out.sample("cryptodash_cache_stale_served_total", {}, static_cast<double>(st.stale_served));
  });

  s.registry.add_collector([&s](exposition& out) {
    if (s.reports == nullptr) return;
    using mt = metric_type;
    const auto rc = s.reports->stats();
    const auto db = s.reports->store().store().stats();
    out.family("cryptodash_report_cache_hits_total", "Report reads answered without the database",
               mt::counter);
    out.sample("cryptodash_report_cache_hits_total", {}, static_cast<double>(rc.hits));
    out.family("cryptodash_report_cache_misses_total", "Report reads that went to the database",
               mt::counter);
    out.sample("cryptodash_report_cache_misses_total", {}, static_cast<double>(rc.misses));
    out.family("cryptodash_report_cache_entries", "Reports held by id", mt::gauge);
    out.sample("cryptodash_report_cache_entries", {}, static_cast<double>(rc.entry_count));
    out.family("cryptodash_report_db_healthy", "1 when the last database call succeeded",
               mt::gauge);
    out.sample("cryptodash_report_db_healthy", {}, db.healthy ? 1 : 0);
    out.family("cryptodash_report_db_failures_total", "Database calls that failed", mt::counter);
    out.sample("cryptodash_report_db_failures_total", {}, static_cast<double>(db.failures));
  });

  s.registry.add_collector([&s](exposition& out) {
    json::object ups;
    {
      std::lock_guard lock(s.upstream_mutex);
      ups = s.upstream_stats;
    }
    using mt = metric_type;
    auto each = [&](std::string_view family, std::string_view help, mt type,
                    std::string_view field) {
      out.family(family, help, type);
      for (const auto& [name, v] : ups) {
        const auto* f = v.as_object().if_contains(field);
        if (f == nullptr || f->is_null()) continue;
        double value = f->is_double() ? f->get_double() : f->to_number<double>();
        out.sample(family, {{"provider", name}}, value);
      }
    };
    each("cryptodash_upstream_calls_total", "Requests sent to the provider", mt::counter, "calls");
    each("cryptodash_upstream_failures_total", "Requests with no usable answer", mt::counter,
         "failures");
    each("cryptodash_upstream_rate_limited_total", "Calls refused or throttled by rate limits",
         mt::counter, "rate_limited");
    each("cryptodash_upstream_budget_used", "Calls counted against this month's budget",
         mt::gauge, "budget_used");
    each("cryptodash_upstream_budget_limit", "Monthly budget (absent: unlimited)", mt::gauge,
         "budget_limit");
    out.family("cryptodash_upstream_circuit_state", "1 for the breaker's current state",
               mt::gauge);
    for (const auto& [name, v] : ups) {
      const auto* st = v.as_object().if_contains("circuit_state");
      if (st == nullptr || !st->is_string()) continue;
      for (std::string_view state : {"closed", "open", "half_open"}) {
        out.sample("cryptodash_upstream_circuit_state", {{"provider", name}, {"state", state}},
                   st->get_string() == state ? 1 : 0);
      }
    }
  });
}

// The SPEC /health: healthy, degraded (a configured tier down, an open circuit), unhealthy.
asio::awaitable<response> health(services& s, request_context& ctx) {
  const auto st = s.cache.stats();
  json::object cache_system;
  cache_system["type"] = config::to_string(s.cache.strategy());
  cache_system["l1_entries"] = st.l1.entry_count;
  cache_system["l1_hit_rate"] = percent(st.l1.hits, st.l1.hits + st.l1.misses);
  const bool l2_ok = !st.l2 || st.l2->healthy;
  const bool disk_ok = !st.disk || st.disk->healthy;
  cache_system["l2_healthy"] = st.l2 ? json::value(st.l2->healthy) : json::value(nullptr);
  cache_system["disk_healthy"] = st.disk ? json::value(st.disk->healthy) : json::value(nullptr);
  cache_system["overall_healthy"] = l2_ok && disk_ok;

  json::array open_circuits;
  for (auto name : upstream::provider_names) {
    auto* g = s.upstreams.find(name);
    if (g != nullptr && g->stats().breaker.state != upstream::breaker_state::closed) {
      open_circuits.emplace_back(name);
    }
  }

  const auto requests = s.totals.requests.load(std::memory_order_relaxed);
  const auto ns = s.totals.nanoseconds.load(std::memory_order_relaxed);
  json::object m;
  m["total_requests"] = requests;
  m["cache_hit_rate"] = percent(st.l1.hits, st.l1.hits + st.l1.misses);
  m["avg_response_time_ms"] =
      requests == 0 ? 0.0 : static_cast<double>(ns) / static_cast<double>(requests) / 1e6;

  // The report database: its failure degrades (the dashboard still serves), never more.
  json::value report_db = nullptr;
  bool db_ok = true;
  if (s.reports != nullptr) {
    const auto& store = s.reports->store().store();
    const auto db = store.stats();
    db_ok = db.healthy;
    report_db = json::object{{"backend", store.backend()},
                             {"healthy", db.healthy},
                             {"calls", db.calls},
                             {"failures", db.failures},
                             {"last_error", db.last_error}};
  }

  std::string status = "healthy";
  if (!s.life.ready.load() || s.life.draining.load()) {
    status = "unhealthy";
  } else if (!l2_ok || !disk_ok || !open_circuits.empty() || !db_ok) {
    status = "degraded";
  }
  json::object body;
  body["status"] = status;
  body["version"] = CRYPTODASH_VERSION;
  body["uptime_s"] = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - s.life.started)
                         .count();
  body["cache_system"] = std::move(cache_system);
  body["metrics"] = std::move(m);
  body["open_circuits"] = std::move(open_circuits);
  body["report_db"] = std::move(report_db);
  co_return json_response(status == "unhealthy" ? http::status::service_unavailable
                                                : http::status::ok,
                          body, ctx.req.version());
}

}  // namespace

void add_ops_routes(router& r, services& s) {
  register_metrics(s);

  auto stats = [&s](request_context& ctx) -> asio::awaitable<response> {
    co_return json_response(http::status::ok, co_await cache_stats_json(s), ctx.req.version());
  };
  r.add(http::verb::get, "/api/cache-stats", stats);
  r.add(http::verb::get, "/cache-stats", stats);
  r.add(http::verb::get, "/admin/cache/stats",
        [&s, stats](request_context& ctx) -> asio::awaitable<response> {
          if (auto no = refuse_unless_admin(ctx, s.settings.snapshot()->server.admin_token)) {
            co_return std::move(*no);
          }
          co_return co_await stats(ctx);
        });

  auto clear = [&s](request_context& ctx) -> asio::awaitable<response> {
    if (auto no = refuse_unless_admin(ctx, s.settings.snapshot()->server.admin_token)) {
      co_return std::move(*no);
    }
    auto body = body_object(ctx);
    if (!body) co_return refuse_body(ctx, "the body must be empty or a JSON object");
    std::string pattern = "*";
    if (const auto* p = body->if_contains("pattern")) {
      if (!p->is_string()) co_return refuse_body(ctx, "pattern must be a string");
      auto normal = core::normalize_key_pattern(p->get_string());
      if (!normal) {
        co_return refuse_body(ctx, "pattern: a key or key prefix of [a-z0-9:-], optionally "
                                   "ending in '*' (e.g. \"market:*\")");
      }
      pattern = std::move(*normal);
    }
    auto removed = co_await s.cache.clear(pattern);
    json::object out;
    out["cleared"] = true;
    out["pattern"] = pattern;
    out["l1_entries_removed"] = removed;
    co_return json_response(http::status::ok, out, ctx.req.version());
  };
  r.add(http::verb::post, "/clear-cache", clear);
  r.add(http::verb::post, "/admin/cache/clear", clear);

  r.add(http::verb::post, "/api/update-cache",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          if (auto no = refuse_unless_admin(ctx, s.settings.snapshot()->server.admin_token)) {
            co_return std::move(*no);
          }
          auto body = body_object(ctx);
          if (!body || body->empty()) {
            co_return refuse_body(ctx, R"(expected {"coin_id": …}, {"coin_ids": […]} or )"
                                       R"({"popular": true, "limit": N})");
          }
          market::update_report report;
          if (const auto* popular = body->if_contains("popular")) {
            if (!popular->is_bool() || !popular->get_bool()) {
              co_return refuse_body(ctx, "popular must be true");
            }
            std::int64_t limit = 20;
            if (const auto* l = body->if_contains("limit")) {
              if (!l->is_int64() || l->get_int64() < 1 || l->get_int64() > max_popular) {
                co_return refuse_body(ctx, fmt::format("limit must be 1..{}", max_popular));
              }
              limit = l->get_int64();
            }
            report = co_await s.data.update_popular(static_cast<int>(limit));
          } else {
            std::vector<std::string> ids;
            auto take = [&ids](const json::value& v) {
              if (!v.is_string()) return false;
              auto id = core::normalize_coin_id(v.get_string());
              if (!id) return false;
              if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
              return true;
            };
            if (const auto* one = body->if_contains("coin_id")) {
              if (!take(*one)) co_return refuse_body(ctx, "coin_id must match ^[a-z0-9-]{1,64}$");
            }
            if (const auto* many = body->if_contains("coin_ids")) {
              if (!many->is_array() || many->get_array().empty() ||
                  many->get_array().size() > max_coin_ids) {
                co_return refuse_body(
                    ctx, fmt::format("coin_ids must be a list of 1..{} coin ids", max_coin_ids));
              }
              for (const auto& v : many->get_array()) {
                if (!take(v)) co_return refuse_body(ctx, "every coin id must match ^[a-z0-9-]{1,64}$");
              }
            }
            if (ids.empty()) {
              co_return refuse_body(ctx, R"(expected {"coin_id": …}, {"coin_ids": […]} or )"
                                         R"({"popular": true, "limit": N})");
            }
            report = co_await s.data.update_coins(std::move(ids));
          }
          json::object out;
          out["updated"] = strings(report.updated);
          out["skipped"] = strings(report.skipped);
          out["failed"] = strings(report.failed);
          co_return json_response(http::status::ok, out, ctx.req.version());
        });

  r.add(http::verb::get, "/admin/config",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          auto settings = s.settings.snapshot();
          if (auto no = refuse_unless_admin(ctx, settings->server.admin_token)) {
            co_return std::move(*no);
          }
          response res{http::status::ok, ctx.req.version()};
          res.set(http::field::content_type, "application/json");
          res.set(http::field::cache_control, "no-store");
          res.body() = config::to_json(*settings);
          co_return res;
        });

  r.add(http::verb::post, "/admin/config/reload",
        [&s](request_context& ctx) -> asio::awaitable<response> {
          if (auto no = refuse_unless_admin(ctx, s.settings.snapshot()->server.admin_token)) {
            co_return std::move(*no);
          }
          auto report = s.settings.reload();
          json::object out;
          json::array problems;
          for (const auto& p : report.problems) problems.emplace_back(config::to_string(p));
          out["applied"] = strings(report.applied);
          out["needs_restart"] = strings(report.needs_restart);
          out["problems"] = std::move(problems);
          co_return json_response(report.problems.empty() ? http::status::ok
                                                          : http::status::unprocessable_entity,
                                  out, ctx.req.version());
        });

  r.add(http::verb::get, "/health", [&s](request_context& ctx) { return health(s, ctx); });

  r.add(http::verb::get, "/metrics", [&s](request_context& ctx) -> asio::awaitable<response> {
    // Refreshes the upstream figures the collector exports (budgets live in Redis).
    co_await cache_stats_json(s);
    response res{http::status::ok, ctx.req.version()};
    res.set(http::field::content_type, metrics::content_type);
    res.set(http::field::cache_control, "no-store");
    res.body() = s.registry.render();
    co_return res;
  });

  r.add(http::verb::get, "/openapi.json", [](request_context& ctx) -> asio::awaitable<response> {
    response res{http::status::ok, ctx.req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "public, max-age=3600");
    res.body().share_static(openapi_json());
    co_return res;
  });
}

}  // namespace cryptodash::api
