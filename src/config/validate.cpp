#include "config/load.h"

#include "core/keys.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace cryptodash::config {
namespace {

class checker {
 public:
  explicit checker(std::vector<problem>& out) : out_(out) {}

  void fail(std::string key, std::string why) { out_.push_back({std::move(key), std::move(why)}); }

  template <class T>
  void at_least(const std::string& key, T v, T min) {
    if (v < min) fail(key, fmt::format("must be at least {}, got {}", min, v));
  }
  template <class T>
  void between(const std::string& key, T v, T lo, T hi) {
    if (v < lo || v > hi) fail(key, fmt::format("must be between {} and {}, got {}", lo, hi, v));
  }

  // An http(s) URL with a host and no credentials, query or fragment; a path prefix is allowed.
  void http_url(const std::string& key, const std::string& text) {
    auto u = boost::urls::parse_uri(text);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty()) {
      fail(key, fmt::format("malformed URL \"{}\": expected http://host[:port][/path] or https://…",
                            credential_url(text).redacted()));
    } else if (u->has_userinfo() || u->has_query() || u->has_fragment()) {
      fail(key, fmt::format("the URL for host \"{}\" must not carry credentials, a query or a "
                            "fragment",
                            std::string_view(u->encoded_host())));
    }
  }

  void redis_url(const std::string& key, const credential_url& url) {
    if (url.empty()) return;
    auto u = boost::urls::parse_uri(url.reveal());
    auto shown = url.redacted();
    if (!u || (u->scheme() != "redis" && u->scheme() != "rediss") || u->host().empty()) {
      fail(key, fmt::format("malformed Redis URL \"{}\": expected redis://[user:password@]host"
                            "[:port][/db] or rediss://…",
                            shown));
      return;
    }
    if (u->has_port() && (u->port().empty() || u->port().size() > 5 || u->port_number() == 0)) {
      fail(key, fmt::format("Redis URL \"{}\": port out of range", shown));
    }
    auto path = u->path();
    if (!path.empty() && path != "/") {
      auto db = std::string_view(path).substr(1);
      bool digits = !db.empty() && db.size() <= 2 &&
                    std::all_of(db.begin(), db.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits)
        fail(key, fmt::format("Redis URL \"{}\": the path must be a database number", shown));
    }
  }

  void database_url(const std::string& key, const credential_url& url) {
    const std::string& text = url.reveal();
    if (text.starts_with("sqlite://")) {
      if (text.size() == std::string_view("sqlite://").size()) {
        fail(key, "sqlite:// needs a file path, e.g. sqlite://data/cryptodash.db");
      }
      return;
    }
    if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
      if (!boost::urls::parse_uri(text)) {
        fail(key, fmt::format("malformed PostgreSQL URL \"{}\"", url.redacted()));
      }
      return;
    }
    fail(key, fmt::format("expected sqlite://path or postgresql://…, got \"{}\"", url.redacted()));
  }

 private:
  std::vector<problem>& out_;
};

bool is_ip_address(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool uses_redis(cache_strategy s) {
  return s == cache_strategy::redis_only || s == cache_strategy::hybrid || s == cache_strategy::all;
}

bool uses_disk(cache_strategy s) {
  return s == cache_strategy::file_backup || s == cache_strategy::all;
}

void validate_server(const server_settings& s, app_env env, checker& c) {
  if (!is_ip_address(s.listen_addr)) {
    c.fail("server.listen_addr",
           fmt::format("expected an IPv4 or IPv6 address, got \"{}\"", s.listen_addr));
  }
  if (s.port < 0 || s.port > 65535) {
    c.fail("server.port",
           fmt::format("port out of range: {} (expected 0..65535; 0 picks a free port)", s.port));
  }
  if (env == app_env::production) {
    if (s.admin_token.empty()) {
      c.fail("server.admin_token", "required in production (set ADMIN_TOKEN)");
    } else if (s.admin_token.reveal().size() < 16) {
      c.fail("server.admin_token", "too short for production: use at least 16 characters");
    }
  }
  c.at_least("server.refresh_rate_limit_per_minute", s.refresh_rate_limit_per_minute, 1);
  c.between("server.threads", s.threads, 0, 256);
  c.at_least("server.max_connections", s.max_connections, 1);
  c.at_least("server.max_connections_per_ip", s.max_connections_per_ip, 1);
  c.between("server.max_header_bytes", s.max_header_bytes, 1024, 1 << 20);
  c.between("server.max_body_bytes", s.max_body_bytes, 0, 64 << 20);
  c.at_least("server.header_timeout_ms", s.header_timeout_ms, 1);
  c.at_least("server.body_timeout_ms", s.body_timeout_ms, 1);
  c.at_least("server.idle_timeout_ms", s.idle_timeout_ms, 1);
  c.at_least("server.write_timeout_ms", s.write_timeout_ms, 1);
  c.at_least("server.shutdown_grace_ms", s.shutdown_grace_ms, 0);
  for (const auto& origin : s.cors_allowed_origins) {
    if (origin != "*") c.http_url("server.cors_allowed_origins", origin);
  }
}

void validate_cache(const settings& all, checker& c) {
  const cache_settings& s = all.cache;
  auto strategy = all.effective_cache_strategy();
  if (uses_redis(strategy) && s.l2.url.empty()) {
    c.fail("cache.strategy",
           fmt::format("\"{}\" needs Redis: set cache.l2.url (REDIS_URL)", to_string(strategy)));
  }
  if (uses_disk(strategy) && s.disk.dir.empty()) {
    c.fail("cache.disk.dir",
           fmt::format("must not be empty with cache.strategy \"{}\"", to_string(strategy)));
  }
  c.between("cache.l1.capacity", s.l1.capacity, std::int64_t{1}, std::int64_t{1} << 32);
  c.at_least("cache.l1.max_bytes", s.l1.max_bytes, std::int64_t{0});
  c.at_least("cache.l1.ttl_seconds", s.l1.ttl_seconds, 1);
  c.redis_url("cache.l2.url", s.l2.url);
  c.at_least("cache.l2.ttl_seconds", s.l2.ttl_seconds, 1);
  const auto& ns = s.l2.key_namespace;
  bool ns_ok = !ns.empty() && ns.size() <= 64 && std::all_of(ns.begin(), ns.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == ':' || ch == '_' || ch == '-' ||
           ch == '.';
  });
  if (!ns_ok) {
    c.fail("cache.l2.namespace",
           fmt::format("expected 1..64 characters of [A-Za-z0-9:_.-], got \"{}\"", ns));
  }
  c.at_least("cache.l2.connect_timeout_ms", s.l2.connect_timeout_ms, 1);
  c.at_least("cache.l2.command_timeout_ms", s.l2.command_timeout_ms, 1);
  c.at_least("cache.l2.max_wait_ms", s.l2.max_wait_ms, 1);
  c.at_least("cache.l2.reconnect_max_delay_ms", s.l2.reconnect_max_delay_ms, 1);
  c.at_least("cache.disk.max_bytes", s.disk.max_bytes, std::int64_t{64} << 10);
  c.at_least("cache.disk.write_queue_max", s.disk.write_queue_max, 1);

  const std::pair<const char*, int> soft[] = {
      {"cache.ttl.market_seconds", s.ttl.market_seconds},
      {"cache.ttl.dashboard_seconds", s.ttl.dashboard_seconds},
      {"cache.ttl.indicators_seconds", s.ttl.indicators_seconds},
      {"cache.ttl.tokenomics_seconds", s.ttl.tokenomics_seconds},
      {"cache.ttl.reports_seconds", s.ttl.reports_seconds},
      {"cache.ttl.candles_seconds", s.ttl.candles_seconds},
      {"cache.ttl.not_found_seconds", s.ttl.not_found_seconds},
  };
  const std::pair<const char*, int>* longest = &soft[0];
  for (const auto& t : soft) {
    c.at_least(t.first, t.second, 1);
    if (t.second > longest->second) longest = &t;
  }
  if (s.ttl.stale_seconds < longest->second) {
    c.fail("cache.ttl.stale_seconds",
           fmt::format("must be at least the longest soft TTL ({} s, {}), got {}", longest->second,
                       longest->first, s.ttl.stale_seconds));
  }
  c.at_least("cache.compute_soft_timeout_ms", s.compute_soft_timeout_ms, 1);
  if (s.compute_hard_timeout_ms < s.compute_soft_timeout_ms) {
    c.fail("cache.compute_hard_timeout_ms",
           fmt::format("must be at least cache.compute_soft_timeout_ms ({}), got {}",
                       s.compute_soft_timeout_ms, s.compute_hard_timeout_ms));
  }
  c.at_least("cache.fail_safe_throttle_seconds", s.fail_safe_throttle_seconds, 0);
  c.at_least("cache.lock_ttl_ms", s.lock_ttl_ms, 1);
  c.at_least("cache.lock_wait_ms", s.lock_wait_ms, 0);
}

void validate_provider(const std::string& name, const provider_settings& p, checker& c) {
  auto k = [&name](const char* leaf) { return "upstreams." + name + "." + leaf; };
  c.http_url(k("base_url"), p.base_url);
  if (!(p.rate_per_minute > 0 && p.rate_per_minute <= 1e6)) {
    c.fail(k("rate_per_minute"),
           fmt::format("must be above 0 and at most 1000000, got {}", p.rate_per_minute));
  }
  c.at_least(k("burst"), p.burst, 1);
  c.at_least(k("monthly_budget"), p.monthly_budget, std::int64_t{0});
  c.at_least(k("daily_budget"), p.daily_budget, std::int64_t{0});
  c.between(k("timeout_ms"), p.timeout_ms, 1, 600000);
  c.between(k("connect_timeout_ms"), p.connect_timeout_ms, 1, 600000);
  c.between(k("max_retries"), p.max_retries, 0, 10);
  c.at_least(k("retry_base_delay_ms"), p.retry_base_delay_ms, 1);
  if (p.retry_max_delay_ms < p.retry_base_delay_ms) {
    c.fail(k("retry_max_delay_ms"), fmt::format("must be at least retry_base_delay_ms ({}), got {}",
                                                p.retry_base_delay_ms, p.retry_max_delay_ms));
  }
  c.at_least(k("rate_limited_backoff_seconds"), p.rate_limited_backoff_seconds, 1);
  c.at_least(k("breaker_failure_threshold"), p.breaker_failure_threshold, 1);
  if (!(p.breaker_failure_rate > 0 && p.breaker_failure_rate <= 1)) {
    c.fail(k("breaker_failure_rate"),
           fmt::format("must be above 0 and at most 1, got {}", p.breaker_failure_rate));
  }
  c.at_least(k("breaker_window_seconds"), p.breaker_window_seconds, 1);
  c.at_least(k("breaker_min_calls"), p.breaker_min_calls, 1);
  c.at_least(k("breaker_open_seconds"), p.breaker_open_seconds, 1);
  c.at_least(k("breaker_half_open_probes"), p.breaker_half_open_probes, 1);
  c.at_least(k("max_response_bytes"), p.max_response_bytes, std::int64_t{1024});
}

void validate_rest(const settings& s, checker& c) {
  const auto& ws = s.websocket;
  c.at_least("websocket.send_queue_max_messages", ws.send_queue_max_messages, 1);
  c.at_least("websocket.send_queue_max_bytes", ws.send_queue_max_bytes, std::int64_t{1024});
  c.between("websocket.max_message_bytes", ws.max_message_bytes, 64, 1 << 20);
  c.at_least("websocket.ping_interval_seconds", ws.ping_interval_seconds, 1);
  if (ws.pong_timeout_seconds < ws.ping_interval_seconds) {
    c.fail("websocket.pong_timeout_seconds",
           fmt::format("must be at least websocket.ping_interval_seconds ({}), got {}",
                       ws.ping_interval_seconds, ws.pong_timeout_seconds));
  }
  c.at_least("websocket.max_connections_per_ip", ws.max_connections_per_ip, 1);

  const auto& sc = s.scheduler;
  c.at_least("scheduler.dashboard_interval_seconds", sc.dashboard_interval_seconds, 1);
  c.at_least("scheduler.market_interval_seconds", sc.market_interval_seconds, 1);
  c.between("scheduler.normal_at_budget_pct", sc.normal_at_budget_pct, 0.0, 100.0);
  c.between("scheduler.conservative_at_budget_pct", sc.conservative_at_budget_pct, 0.0, 100.0);
  c.between("scheduler.minimal_at_budget_pct", sc.minimal_at_budget_pct, 0.0, 100.0);
  if (!(sc.normal_at_budget_pct < sc.conservative_at_budget_pct &&
        sc.conservative_at_budget_pct < sc.minimal_at_budget_pct)) {
    c.fail("scheduler.conservative_at_budget_pct",
           fmt::format("budget thresholds must rise: normal {} < conservative {} < minimal {}",
                       sc.normal_at_budget_pct, sc.conservative_at_budget_pct,
                       sc.minimal_at_budget_pct));
  }
  c.between("scheduler.hysteresis_pct", sc.hysteresis_pct, 0.0, 20.0);
  if (!(sc.volatility_threshold_pct > 0)) {
    c.fail("scheduler.volatility_threshold_pct",
           fmt::format("must be above 0, got {}", sc.volatility_threshold_pct));
  }
  c.at_least("scheduler.lease_seconds", sc.lease_seconds, 2);
  c.at_least("scheduler.max_backoff_seconds", sc.max_backoff_seconds, 1);

  for (const auto& name : s.market.taapi_indicators) {
    if (!core::normalize_indicator(name)) {
      c.fail("market.taapi_indicators",
             fmt::format("\"{}\" is not an indicator (rsi, sma, ema, macd, bbands)", name));
    }
  }
  if (!s.market.taapi_indicators.empty() && s.upstreams.taapi.api_key.empty()) {
    c.fail("market.taapi_indicators", "needs upstreams.taapi.api_key (TAAPI_SECRET)");
  }
  c.between("market.candle_history", s.market.candle_history, 50, 1000);
  for (const auto& pair : s.market.coin_ids) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || !core::normalize_symbol(pair.substr(0, eq)) ||
        !core::normalize_coin_id(pair.substr(eq + 1))) {
      c.fail("market.coin_ids", fmt::format("expected \"symbol=coin-id\", got \"{}\"", pair));
    }
  }

  c.database_url("database.url", s.database.url);
  c.between("database.pool_size", s.database.pool_size, 1, 64);

  const auto& at = s.reports.daily_at_utc;
  bool at_ok = at.size() == 5 && at[2] == ':' && std::isdigit(static_cast<unsigned char>(at[0])) &&
               std::isdigit(static_cast<unsigned char>(at[1])) &&
               std::isdigit(static_cast<unsigned char>(at[3])) &&
               std::isdigit(static_cast<unsigned char>(at[4])) && std::stoi(at.substr(0, 2)) < 24 &&
               std::stoi(at.substr(3, 2)) < 60;
  if (!at_ok) c.fail("reports.daily_at_utc", fmt::format("expected HH:MM (UTC), got \"{}\"", at));
  for (const auto& sym : s.reports.symbols) {
    if (!core::normalize_symbol(sym)) {
      c.fail("reports.symbols", fmt::format("\"{}\" is not a symbol ([a-z0-9]{{1,15}})", sym));
    }
  }
  for (const auto& tf : s.reports.timeframes) {
    if (!core::normalize_timeframe(tf)) {
      c.fail("reports.timeframes", fmt::format("\"{}\" is not a timeframe (1d or 1w)", tf));
    }
  }
}

}  // namespace

std::vector<problem> validate(const settings& s) {
  std::vector<problem> out;
  checker c(out);
  validate_server(s.server, s.app.env, c);
  validate_cache(s, c);
  validate_provider("coingecko", s.upstreams.coingecko, c);
  validate_provider("fear_greed", s.upstreams.fear_greed, c);
  validate_provider("taapi", s.upstreams.taapi, c);
  validate_provider("binance", s.upstreams.binance, c);
  if (!s.upstreams.ca_file.empty() && !std::filesystem::is_regular_file(s.upstreams.ca_file))
    c.fail("upstreams.ca_file", "no such file: " + s.upstreams.ca_file);
  validate_rest(s, c);
  return out;
}

}  // namespace cryptodash::config
