#include "config/settings.h"

namespace cryptodash::config {
namespace {

// Real base URLs and the published free-tier limits of each provider (see
// ../shared/fixtures/upstream/README.md for where the numbers come from).
upstreams_settings default_upstreams() {
  upstreams_settings u;

  u.coingecko.base_url = "https://api.coingecko.com/api/v3";
  u.coingecko.rate_per_minute = 30;  // Demo plan: "~30 calls/min"
  u.coingecko.burst = 5;
  u.coingecko.monthly_budget = 10000;  // Demo plan: 10,000 credits a month

  u.fear_greed.base_url = "https://api.alternative.me";
  u.fear_greed.rate_per_minute = 30;  // undocumented; one client reports 60/min
  u.fear_greed.burst = 2;

  u.taapi.base_url = "https://api.taapi.io";
  u.taapi.rate_per_minute = 4;  // Free plan: 1 request / 15 s
  u.taapi.burst = 1;

  u.binance.base_url = "https://api.binance.com";
  u.binance.rate_per_minute = 1200;  // request weight; Binance allows 6000/min per IP
  u.binance.burst = 40;
  u.binance.timeout_ms = 5000;
  return u;
}

}  // namespace

cache_strategy settings::effective_cache_strategy() const noexcept {
  if (cache.strategy != cache_strategy::automatic) return cache.strategy;
  return cache.l2.url.empty() ? cache_strategy::file_backup : cache_strategy::all;
}

settings defaults_for(app_env env) {
  settings s;
  s.app.env = env;
  s.upstreams = default_upstreams();
  switch (env) {
    case app_env::development: break;
    case app_env::staging: s.logging = {log_level::info, log_format::json}; break;
    case app_env::production:
      s.logging = {log_level::info, log_format::json};
      s.server.cors_allowed_origins.clear();
      break;
  }
  return s;
}

}  // namespace cryptodash::config
