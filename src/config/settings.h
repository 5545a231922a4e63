#pragma once

// The settings of every module, as plain aggregates with their defaults written where they are
// declared. These are the development defaults; defaults_for() adjusts them per profile.
// Each member's TOML key is its path ("cache.l1.capacity"); the registry in schema.cpp maps
// keys, environment variables and reloadability onto these members. Durations carry their
// unit in the name. Sizes are bytes. A budget or limit of 0 means "unlimited".

#include "config/secret.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::config {

enum class app_env { development, staging, production };

/// SPEC section 2. `automatic` picks `all` when cache.l2.url is set, else `file_backup`.
enum class cache_strategy { automatic, l1_only, redis_only, hybrid, file_backup, all };

/// When disk-tier writes reach the platter. `always`: fsync the file and its directory before
/// the rename that publishes it. `never`: leave it to the kernel (a torn file is still caught by
/// its checksum, but the last few writes may be lost on power failure).
enum class fsync_policy { always, never };

/// The scheduler's refresh strategy (SPEC section 3); `automatic` chooses from budget use and
/// market volatility.
enum class refresh_strategy { automatic, aggressive, normal, conservative, minimal };

enum class log_level { trace, debug, info, warn, error, critical, off };
enum class log_format { text, json };

struct app_settings {
  /// Profile; also from APP_ENV. Chosen before anything else because it sets the defaults.
  app_env env = app_env::development;
};

struct server_settings {
  std::string listen_addr = "0.0.0.0";  ///< an IPv4 or IPv6 address
  int port = 8080;                      ///< 0 picks a free port (logged at start)
  secret admin_token;                   ///< empty: admin routes answer 403. Required in production
  int refresh_rate_limit_per_minute = 6;  ///< forced dashboard refreshes accepted per minute
  int threads = 0;                        ///< I/O threads; 0 = one per core
  int max_connections = 10000;            ///< open connections in all; past it new ones are closed
  int max_connections_per_ip = 256;
  int max_header_bytes = 16 * 1024;  ///< request line + headers; over it: 431
  int max_body_bytes = 1024 * 1024;  ///< request body; over it: 413
  int header_timeout_ms = 10000;     ///< from a request's first byte to the end of its headers: 408
  int body_timeout_ms = 30000;       ///< to receive the body once the headers are in: 408
  int idle_timeout_ms = 60000;       ///< keep-alive: a connection idle this long is closed
  int write_timeout_ms = 30000;      ///< to send one response
  int shutdown_grace_ms = 10000;     ///< SIGTERM: how long in-flight requests may still run
  /// Origins allowed by CORS; "*" allows any. Production default: none.
  std::vector<std::string> cors_allowed_origins = {"*"};
};

struct l1_settings {
  std::int64_t capacity = 10000;  ///< entries
  /// When > 0 the bound is this many bytes of payload (weighted) instead of `capacity` entries.
  std::int64_t max_bytes = 0;
  int ttl_seconds = 300;  ///< cap on any entry's lifetime in L1
};

struct l2_settings {
  /// redis://[user:password@]host[:port][/db] or rediss:// (TLS). Empty: no Redis. REDIS_URL.
  credential_url url;
  int ttl_seconds = 3600;                     ///< cap on any entry's lifetime in Redis
  std::string key_namespace = "cryptodash:";  ///< TOML key `namespace`; prefixes every Redis key
  std::string tls_ca_file;  ///< extra CA bundle for rediss:// (system store otherwise)
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 250;  ///< per command deadline
  /// Longest a request waits on Redis while it is failing; past it the request goes on without it.
  int max_wait_ms = 50;
  int reconnect_max_delay_ms = 5000;  ///< reconnect backoff ceiling
};

struct disk_settings {
  std::string dir = "data/cache";        ///< CACHE_DIR; created if missing
  std::int64_t max_bytes = 256LL << 20;  ///< oldest entries dropped past it
  fsync_policy fsync = fsync_policy::always;
  int write_queue_max = 1024;  ///< pending background writes
};

/// Soft TTL (fresh_until - created_at) per class of data; `stale_seconds` is the hard TTL.
struct ttl_settings {
  int market_seconds = 60;
  int dashboard_seconds = 300;
  int indicators_seconds = 300;
  int tokenomics_seconds = 600;
  int reports_seconds = 1800;
  int candles_seconds = 60;
  int not_found_seconds = 120;  ///< how long "unknown symbol" answers are cached
  int stale_seconds = 86400;    ///< stale limit: how long a value may be served past its TTL
};

struct cache_settings {
  cache_strategy strategy = cache_strategy::automatic;
  l1_settings l1;
  l2_settings l2;
  disk_settings disk;
  ttl_settings ttl;
  /// A compute still running after this while a stale value exists: the stale value is
  /// returned and the compute goes on in the background.
  int compute_soft_timeout_ms = 1500;
  int compute_hard_timeout_ms = 15000;  ///< a compute is abandoned after this
  int fail_safe_throttle_seconds = 30;  ///< after a failed compute, no retry of that key sooner
  bool distributed_lock = true;         ///< one compute per key per cluster (Redis SET NX PX)
  int lock_ttl_ms = 10000;
  int lock_wait_ms = 2000;  ///< how long another instance's compute is awaited
};

/// One upstream API (SPEC section 3).
struct provider_settings {
  std::string base_url;  ///< may be http:// for local fakes and carry a path prefix
  secret api_key;
  double rate_per_minute = 30;      ///< calls (Binance: request weight) in any 60 s, burst included
  int burst = 5;                    ///< calls allowed back to back
  std::int64_t monthly_budget = 0;  ///< calls per calendar month (UTC); 0 = unlimited
  std::int64_t daily_budget = 0;    ///< calls per UTC day; 0 = unlimited
  int timeout_ms = 10000;           ///< whole call, connect to last byte
  int connect_timeout_ms = 3000;
  int max_retries = 2;
  int retry_base_delay_ms = 500;  ///< backoff: full jitter on base * 2^attempt
  int retry_max_delay_ms = 30000;
  int rate_limited_backoff_seconds = 60;  ///< after a 429 without Retry-After
  int breaker_failure_threshold = 5;      ///< consecutive failures that open the breaker
  double breaker_failure_rate = 0.5;      ///< or this share of failures over the window…
  int breaker_window_seconds = 60;
  int breaker_min_calls = 10;  ///< …once the window holds at least this many calls
  int breaker_open_seconds = 30;
  int breaker_half_open_probes = 1;
  std::int64_t max_response_bytes = 8LL << 20;
};

struct upstreams_settings {
  provider_settings coingecko;
  provider_settings fear_greed;
  provider_settings taapi;
  provider_settings binance;
  /// Extra trusted CA certificates (PEM file) for https:// upstreams, added to the system store
  /// (private mirrors, test fakes). Empty = the system store only.
  std::string ca_file;
};

/// The data service (SPEC section 4).
struct market_settings {
  /// Indicators (rsi, sma, ema, macd, bbands) asked from TAAPI instead of computed locally from
  /// cached candles. Needs upstreams.taapi.api_key. Default: none, everything is local.
  std::vector<std::string> taapi_indicators;
  int candle_history = 500;  ///< candles fetched and cached per symbol and interval (50..1000)
  /// Extra symbol → CoinGecko id mappings, "symbol=id" (e.g. "pol=polygon-ecosystem-token"),
  /// on top of the built-in ones; a symbol listed here replaces its built-in id.
  std::vector<std::string> coin_ids;
};

struct websocket_settings {
  int send_queue_max_messages = 64;
  std::int64_t send_queue_max_bytes = 1 << 20;
  int max_message_bytes = 4096;  ///< from clients
  int ping_interval_seconds = 30;
  int pong_timeout_seconds = 60;
  int max_connections_per_ip = 100;
};

struct scheduler_settings {
  bool enabled = true;
  int dashboard_interval_seconds = 300;
  int market_interval_seconds = 60;  ///< watched symbols, `normal` strategy
  refresh_strategy strategy = refresh_strategy::automatic;
  double normal_at_budget_pct = 40;  ///< budget use at which `automatic` leaves aggressive
  double conservative_at_budget_pct = 80;
  double minimal_at_budget_pct = 90;
  double hysteresis_pct = 5;            ///< a strategy is left only this far past its threshold
  double volatility_threshold_pct = 5;  ///< |BTC 24 h change| that makes `automatic` aggressive
  int lease_seconds = 15;               ///< leader lease when instances share Redis
  int max_backoff_seconds = 900;        ///< ceiling of the backoff after repeated failures
};

struct database_settings {
  /// sqlite://path (relative to the working directory, or sqlite:///absolute) or
  /// postgresql://user:password@host:port/db. DATABASE_URL.
  credential_url url{"sqlite://data/cryptodash.db"};
  int pool_size = 4;  ///< blocking connections (PostgreSQL)
};

struct reports_settings {
  bool daily_enabled = true;
  std::string daily_at_utc = "00:05";  ///< HH:MM
  std::vector<std::string> symbols = {"btc", "eth"};
  std::vector<std::string> timeframes = {"1d", "1w"};
};

struct logging_settings {
  log_level level = log_level::debug;
  log_format format = log_format::text;
};

struct settings {
  app_settings app;
  server_settings server;
  cache_settings cache;
  upstreams_settings upstreams;
  market_settings market;
  websocket_settings websocket;
  scheduler_settings scheduler;
  database_settings database;
  reports_settings reports;
  logging_settings logging;

  /// cache.strategy with `automatic` resolved.
  cache_strategy effective_cache_strategy() const noexcept;
};

/// The defaults of a profile. development: text logs at debug, CORS "*". staging: JSON logs at
/// info. production: JSON logs at info, no CORS origins, and an admin token is required.
settings defaults_for(app_env env);

// Names of enum values as they appear in TOML, env vars and output.
template <class E>
struct enum_names;

template <>
struct enum_names<app_env> {
  static constexpr std::pair<std::string_view, app_env> values[] = {
      {"development", app_env::development},
      {"staging", app_env::staging},
      {"production", app_env::production}};
};

template <>
struct enum_names<cache_strategy> {
  static constexpr std::pair<std::string_view, cache_strategy> values[] = {
      {"auto", cache_strategy::automatic},          {"l1_only", cache_strategy::l1_only},
      {"redis_only", cache_strategy::redis_only},   {"hybrid", cache_strategy::hybrid},
      {"file_backup", cache_strategy::file_backup}, {"all", cache_strategy::all}};
};

template <>
struct enum_names<fsync_policy> {
  static constexpr std::pair<std::string_view, fsync_policy> values[] = {
      {"always", fsync_policy::always}, {"never", fsync_policy::never}};
};

template <>
struct enum_names<refresh_strategy> {
  static constexpr std::pair<std::string_view, refresh_strategy> values[] = {
      {"auto", refresh_strategy::automatic},
      {"aggressive", refresh_strategy::aggressive},
      {"normal", refresh_strategy::normal},
      {"conservative", refresh_strategy::conservative},
      {"minimal", refresh_strategy::minimal}};
};

template <>
struct enum_names<log_level> {
  static constexpr std::pair<std::string_view, log_level> values[] = {
      {"trace", log_level::trace}, {"debug", log_level::debug}, {"info", log_level::info},
      {"warn", log_level::warn},   {"error", log_level::error}, {"critical", log_level::critical},
      {"off", log_level::off}};
};

template <>
struct enum_names<log_format> {
  static constexpr std::pair<std::string_view, log_format> values[] = {{"text", log_format::text},
                                                                       {"json", log_format::json}};
};

template <class E>
constexpr std::string_view to_string(E e) noexcept {
  for (const auto& [name, value] : enum_names<E>::values) {
    if (value == e) return name;
  }
  return "?";
}

template <class E>
constexpr std::optional<E> parse_enum(std::string_view text) noexcept {
  for (const auto& [name, value] : enum_names<E>::values) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace cryptodash::config
