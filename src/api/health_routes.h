#pragma once

#include "api/router.h"

#include <atomic>
#include <chrono>

namespace cryptodash::api {

/// What the probes report. Written by the app's lifecycle, read by the handlers.
struct lifecycle_state {
  std::atomic<bool> ready{false};     ///< set once everything has started
  std::atomic<bool> draining{false};  ///< set when shutdown begins
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

/// GET /livez: 200 while the process serves at all.
/// GET /readyz: 200 {"status":"ready"} once started, 503 {"status":"starting"|"draining"}.
/// (GET /health, which reports on the cache and the upstreams too, is in ops_routes.)
/// `state` must outlive the router.
void add_health_routes(router& r, const lifecycle_state& state);

}  // namespace cryptodash::api
