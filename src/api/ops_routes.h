#pragma once

#include "api/router.h"
#include "api/services.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

namespace cryptodash::api {

/// The operational routes of SPEC section 4:
///   GET  /api/cache-stats, /cache-stats (public), /admin/cache/stats (admin)
///   POST /clear-cache, /admin/cache/clear (admin; body empty or {"pattern": "market:*"})
///   POST /api/update-cache (admin; {"coin_id"} | {"coin_ids": […]} | {"popular": true,
///        "limit": N})
///   GET  /admin/config (admin; secrets redacted), POST /admin/config/reload (admin)
///   GET  /health (replaces the bare one of health_routes), /metrics, /openapi.json
/// Also registers the request counters and the collectors that export cache and upstream
/// figures to /metrics.
void add_ops_routes(router& r, services& s);

/// The body of /api/cache-stats (SPEC section 4: l1, l2, disk, report_cache, upstreams,
/// strategy).
boost::asio::awaitable<boost::json::object> cache_stats_json(services& s);

/// The OpenAPI 3.0 document describing every route.
const std::string& openapi_json();

/// Records one finished request in the metrics and totals (the server's request observer).
void observe_request(services& s, const request_context& ctx, unsigned status,
                     std::chrono::nanoseconds took);

}  // namespace cryptodash::api
