#include "config/schema.h"

#include <charconv>
#include <cmath>
#include <type_traits>
#include <utility>

namespace cryptodash::config {
namespace {

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

std::string quoted(std::string_view text) {
  constexpr std::size_t max_shown = 40;
  std::string s(text.substr(0, max_shown));
  return "\"" + s + (text.size() > max_shown ? "…\"" : "\"");
}

template <class T>
struct codec;

template <class Int>
requires std::is_integral_v<Int> &&(!std::is_same_v<Int, bool>)struct codec<Int> {
  static std::string check(std::int64_t v, Int& out) {
    if (!std::in_range<Int>(v)) return "out of range: " + std::to_string(v);
    out = static_cast<Int>(v);
    return {};
  }
  static std::string from_toml(const toml::node& n, Int& out) {
    if (auto v = n.value_exact<std::int64_t>()) return check(*v, out);
    return "expected an integer, got " + describe(n);
  }
  static std::string from_text(std::string_view t, Int& out) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc::result_out_of_range) return "out of range: " + quoted(t);
    if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
      return "expected an integer, got " + quoted(t);
    }
    return check(v, out);
  }
  static void show(const Int& v, toml::table& parent, std::string_view leaf) {
    parent.insert_or_assign(leaf, static_cast<std::int64_t>(v));
  }
};

template <>
struct codec<double> {
  static std::string check(double v, double& out) {
    if (!std::isfinite(v)) return "expected a finite number";
    out = v;
    return {};
  }
  static std::string from_toml(const toml::node& n, double& out) {
    if (auto v = n.value_exact<double>()) return check(*v, out);
    if (auto i = n.value_exact<std::int64_t>()) return check(static_cast<double>(*i), out);
    return "expected a number, got " + describe(n);
  }
  static std::string from_text(std::string_view t, double& out) {
    double v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
      return "expected a number, got " + quoted(t);
    }
    return check(v, out);
  }
  static void show(const double& v, toml::table& parent, std::string_view leaf) {
    parent.insert_or_assign(leaf, v);
  }
};

template <>
struct codec<bool> {
  static std::string from_toml(const toml::node& n, bool& out) {
    if (auto v = n.value_exact<bool>()) {
      out = *v;
      return {};
    }
    return "expected true or false, got " + describe(n);
  }
  static std::string from_text(std::string_view t, bool& out) {
    for (std::string_view yes : {"true", "1", "yes", "on"}) {
      if (t == yes) return out = true, std::string();
    }
    for (std::string_view no : {"false", "0", "no", "off"}) {
      if (t == no) return out = false, std::string();
    }
    return "expected true or false, got " + quoted(t);
  }
  static void show(const bool& v, toml::table& parent, std::string_view leaf) {
    parent.insert_or_assign(leaf, v);
  }
};

// Text-like values: std::string, secret, credential_url. Secrets are never quoted back.
template <class T>
struct text_codec {
  static std::string from_toml(const toml::node& n, T& out) {
    if (auto v = n.value_exact<std::string>()) return from_text(*v, out);
    return "expected a string, got " + describe(n);
  }
  static std::string from_text(std::string_view t, T& out) {
    out = T(std::string(t));
    return {};
  }
  static void show(const T& v, toml::table& parent, std::string_view leaf) {
    if constexpr (std::is_same_v<T, std::string>) {
      parent.insert_or_assign(leaf, v);
    } else {
      parent.insert_or_assign(leaf, std::string(v.redacted()));
    }
  }
};
template <>
struct codec<std::string> : text_codec<std::string> {};
template <>
struct codec<secret> : text_codec<secret> {};
template <>
struct codec<credential_url> : text_codec<credential_url> {};

template <>
struct codec<std::vector<std::string>> {
  static std::string from_toml(const toml::node& n, std::vector<std::string>& out) {
    const auto* arr = n.as_array();
    if (arr == nullptr) return "expected an array of strings, got " + describe(n);
    std::vector<std::string> v;
    for (const auto& item : *arr) {
      auto s = item.value_exact<std::string>();
      if (!s) return "expected an array of strings, found " + describe(item) + " in it";
      v.push_back(*s);
    }
    out = std::move(v);
    return {};
  }
  // Comma-separated; blanks around items are dropped; "" is the empty list.
  static std::string from_text(std::string_view t, std::vector<std::string>& out) {
    std::vector<std::string> v;
    while (!t.empty()) {
      auto comma = t.find(',');
      auto item = t.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) v.emplace_back(item);
      if (comma == std::string_view::npos) break;
      t.remove_prefix(comma + 1);
    }
    out = std::move(v);
    return {};
  }
  static void show(const std::vector<std::string>& v, toml::table& parent, std::string_view leaf) {
    toml::array arr;
    for (const auto& s : v) arr.push_back(s);
    parent.insert_or_assign(leaf, std::move(arr));
  }
};

template <class E>
requires std::is_enum_v<E>
struct codec<E> {
  static std::string expected() {
    std::string names;
    for (const auto& [name, value] : enum_names<E>::values) {
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    return "expected one of: " + names;
  }
  static std::string from_toml(const toml::node& n, E& out) {
    if (auto v = n.value_exact<std::string>()) return from_text(*v, out);
    return expected() + "; got " + describe(n);
  }
  static std::string from_text(std::string_view t, E& out) {
    if (auto e = parse_enum<E>(t)) {
      out = *e;
      return {};
    }
    return "unknown value " + quoted(t) + " (" + expected() + ")";
  }
  static void show(const E& v, toml::table& parent, std::string_view leaf) {
    parent.insert_or_assign(leaf, std::string(to_string(v)));
  }
};

// `access` is a generic lambda returning a reference to the member in a settings (const or not).
template <class Access>
field make_field(std::string key, std::string env, reload_mode reload, Access access) {
  using T = std::remove_cvref_t<decltype(access(std::declval<settings&>()))>;
  field f;
  f.key = std::move(key);
  f.env = std::move(env);
  f.reload = reload;
  f.from_toml = [access](settings& s, const toml::node& n) {
    return codec<T>::from_toml(n, access(s));
  };
  f.from_text = [access](settings& s, std::string_view t) {
    return codec<T>::from_text(t, access(s));
  };
  f.show = [access](const settings& s, toml::table& parent, std::string_view leaf) {
    codec<T>::show(access(s), parent, leaf);
  };
  f.equal = [access](const settings& a, const settings& b) { return access(a) == access(b); };
  f.copy = [access](settings& to, const settings& from) { access(to) = access(from); };
  return f;
}

#define CRYPTODASH_MEMBER(path) \
  [](auto& s) -> auto& {        \
    return s.path;              \
  }

std::vector<field> make_fields() {
  constexpr auto live = reload_mode::live;
  constexpr auto restart = reload_mode::restart;
  std::vector<field> f;
  auto add = [&f](std::string key, std::string env, reload_mode r, auto access) {
    f.push_back(make_field(std::move(key), std::move(env), r, access));
  };

  add("app.env", "APP_ENV", restart, CRYPTODASH_MEMBER(app.env));

  add("server.listen_addr", "LISTEN_ADDR", restart, CRYPTODASH_MEMBER(server.listen_addr));
  add("server.port", "PORT", restart, CRYPTODASH_MEMBER(server.port));
  add("server.admin_token", "ADMIN_TOKEN", restart, CRYPTODASH_MEMBER(server.admin_token));
  add("server.refresh_rate_limit_per_minute", "", live,
      CRYPTODASH_MEMBER(server.refresh_rate_limit_per_minute));
  add("server.threads", "", restart, CRYPTODASH_MEMBER(server.threads));
  add("server.max_connections", "", restart, CRYPTODASH_MEMBER(server.max_connections));
  add("server.max_connections_per_ip", "", restart,
      CRYPTODASH_MEMBER(server.max_connections_per_ip));
  add("server.max_header_bytes", "", restart, CRYPTODASH_MEMBER(server.max_header_bytes));
  add("server.max_body_bytes", "", restart, CRYPTODASH_MEMBER(server.max_body_bytes));
  add("server.header_timeout_ms", "", restart, CRYPTODASH_MEMBER(server.header_timeout_ms));
  add("server.body_timeout_ms", "", restart, CRYPTODASH_MEMBER(server.body_timeout_ms));
  add("server.idle_timeout_ms", "", restart, CRYPTODASH_MEMBER(server.idle_timeout_ms));
  add("server.write_timeout_ms", "", restart, CRYPTODASH_MEMBER(server.write_timeout_ms));
  add("server.shutdown_grace_ms", "", restart, CRYPTODASH_MEMBER(server.shutdown_grace_ms));
  add("server.cors_allowed_origins", "", restart, CRYPTODASH_MEMBER(server.cors_allowed_origins));

  add("cache.strategy", "", restart, CRYPTODASH_MEMBER(cache.strategy));
  add("cache.compute_soft_timeout_ms", "", live, CRYPTODASH_MEMBER(cache.compute_soft_timeout_ms));
  add("cache.compute_hard_timeout_ms", "", live, CRYPTODASH_MEMBER(cache.compute_hard_timeout_ms));
  add("cache.fail_safe_throttle_seconds", "", live,
      CRYPTODASH_MEMBER(cache.fail_safe_throttle_seconds));
  add("cache.distributed_lock", "", restart, CRYPTODASH_MEMBER(cache.distributed_lock));
  add("cache.lock_ttl_ms", "", live, CRYPTODASH_MEMBER(cache.lock_ttl_ms));
  add("cache.lock_wait_ms", "", live, CRYPTODASH_MEMBER(cache.lock_wait_ms));
  add("cache.l1.capacity", "CACHE_L1_CAPACITY", restart, CRYPTODASH_MEMBER(cache.l1.capacity));
  add("cache.l1.max_bytes", "", restart, CRYPTODASH_MEMBER(cache.l1.max_bytes));
  add("cache.l1.ttl_seconds", "CACHE_L1_TTL_SECONDS", live,
      CRYPTODASH_MEMBER(cache.l1.ttl_seconds));
  add("cache.l2.url", "REDIS_URL", restart, CRYPTODASH_MEMBER(cache.l2.url));
  add("cache.l2.ttl_seconds", "CACHE_L2_TTL_SECONDS", live,
      CRYPTODASH_MEMBER(cache.l2.ttl_seconds));
  add("cache.l2.namespace", "", restart, CRYPTODASH_MEMBER(cache.l2.key_namespace));
  add("cache.l2.tls_ca_file", "", restart, CRYPTODASH_MEMBER(cache.l2.tls_ca_file));
  add("cache.l2.connect_timeout_ms", "", restart, CRYPTODASH_MEMBER(cache.l2.connect_timeout_ms));
  add("cache.l2.command_timeout_ms", "", live, CRYPTODASH_MEMBER(cache.l2.command_timeout_ms));
  add("cache.l2.max_wait_ms", "", live, CRYPTODASH_MEMBER(cache.l2.max_wait_ms));
  add("cache.l2.reconnect_max_delay_ms", "", live,
      CRYPTODASH_MEMBER(cache.l2.reconnect_max_delay_ms));
  add("cache.disk.dir", "CACHE_DIR", restart, CRYPTODASH_MEMBER(cache.disk.dir));
  add("cache.disk.max_bytes", "", restart, CRYPTODASH_MEMBER(cache.disk.max_bytes));
  add("cache.disk.fsync", "", restart, CRYPTODASH_MEMBER(cache.disk.fsync));
  add("cache.disk.write_queue_max", "", restart, CRYPTODASH_MEMBER(cache.disk.write_queue_max));
  add("cache.ttl.market_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.market_seconds));
  add("cache.ttl.dashboard_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.dashboard_seconds));
  add("cache.ttl.indicators_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.indicators_seconds));
  add("cache.ttl.tokenomics_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.tokenomics_seconds));
  add("cache.ttl.reports_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.reports_seconds));
  add("cache.ttl.candles_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.candles_seconds));
  add("cache.ttl.not_found_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.not_found_seconds));
  add("cache.ttl.stale_seconds", "", live, CRYPTODASH_MEMBER(cache.ttl.stale_seconds));

  struct provider_names {
    std::string name;
    provider_settings upstreams_settings::*member;
    std::string key_env;
    std::string url_env;
  };
  const provider_names providers[] = {
      {"coingecko", &upstreams_settings::coingecko, "COINGECKO_API_KEY", "COINGECKO_BASE_URL"},
      {"fear_greed", &upstreams_settings::fear_greed, "", "FNG_BASE_URL"},
      {"taapi", &upstreams_settings::taapi, "TAAPI_SECRET", "TAAPI_BASE_URL"},
      {"binance", &upstreams_settings::binance, "", "BINANCE_BASE_URL"},
  };
  for (const auto& p : providers) {
    auto m = p.member;
    auto k = [&p](std::string_view leaf) {
      return "upstreams." + p.name + "." + std::string(leaf);
    };
#define CRYPTODASH_PROVIDER(leaf) \
  [m](auto& s) -> auto& {         \
    return (s.upstreams.*m).leaf; \
  }
    add(k("base_url"), p.url_env, restart, CRYPTODASH_PROVIDER(base_url));
    add(k("api_key"), p.key_env, restart, CRYPTODASH_PROVIDER(api_key));
    add(k("rate_per_minute"), "", live, CRYPTODASH_PROVIDER(rate_per_minute));
    add(k("burst"), "", live, CRYPTODASH_PROVIDER(burst));
    add(k("monthly_budget"), "", live, CRYPTODASH_PROVIDER(monthly_budget));
    add(k("daily_budget"), "", live, CRYPTODASH_PROVIDER(daily_budget));
    add(k("timeout_ms"), "", live, CRYPTODASH_PROVIDER(timeout_ms));
    add(k("connect_timeout_ms"), "", live, CRYPTODASH_PROVIDER(connect_timeout_ms));
    add(k("max_retries"), "", live, CRYPTODASH_PROVIDER(max_retries));
    add(k("retry_base_delay_ms"), "", live, CRYPTODASH_PROVIDER(retry_base_delay_ms));
    add(k("retry_max_delay_ms"), "", live, CRYPTODASH_PROVIDER(retry_max_delay_ms));
    add(k("rate_limited_backoff_seconds"), "", live,
        CRYPTODASH_PROVIDER(rate_limited_backoff_seconds));
    add(k("breaker_failure_threshold"), "", live, CRYPTODASH_PROVIDER(breaker_failure_threshold));
    add(k("breaker_failure_rate"), "", live, CRYPTODASH_PROVIDER(breaker_failure_rate));
    add(k("breaker_window_seconds"), "", live, CRYPTODASH_PROVIDER(breaker_window_seconds));
    add(k("breaker_min_calls"), "", live, CRYPTODASH_PROVIDER(breaker_min_calls));
    add(k("breaker_open_seconds"), "", live, CRYPTODASH_PROVIDER(breaker_open_seconds));
    add(k("breaker_half_open_probes"), "", live, CRYPTODASH_PROVIDER(breaker_half_open_probes));
    add(k("max_response_bytes"), "", live, CRYPTODASH_PROVIDER(max_response_bytes));
#undef CRYPTODASH_PROVIDER
  }

  add("upstreams.ca_file", "", restart, CRYPTODASH_MEMBER(upstreams.ca_file));

  add("market.taapi_indicators", "", restart, CRYPTODASH_MEMBER(market.taapi_indicators));
  add("market.candle_history", "", live, CRYPTODASH_MEMBER(market.candle_history));
  add("market.coin_ids", "", restart, CRYPTODASH_MEMBER(market.coin_ids));

  add("websocket.send_queue_max_messages", "", restart,
      CRYPTODASH_MEMBER(websocket.send_queue_max_messages));
  add("websocket.send_queue_max_bytes", "", restart,
      CRYPTODASH_MEMBER(websocket.send_queue_max_bytes));
  add("websocket.max_message_bytes", "", restart, CRYPTODASH_MEMBER(websocket.max_message_bytes));
  add("websocket.ping_interval_seconds", "", restart,
      CRYPTODASH_MEMBER(websocket.ping_interval_seconds));
  add("websocket.pong_timeout_seconds", "", restart,
      CRYPTODASH_MEMBER(websocket.pong_timeout_seconds));
  add("websocket.max_connections_per_ip", "", restart,
      CRYPTODASH_MEMBER(websocket.max_connections_per_ip));

  add("scheduler.enabled", "", restart, CRYPTODASH_MEMBER(scheduler.enabled));
  add("scheduler.dashboard_interval_seconds", "", live,
      CRYPTODASH_MEMBER(scheduler.dashboard_interval_seconds));
  add("scheduler.market_interval_seconds", "", live,
      CRYPTODASH_MEMBER(scheduler.market_interval_seconds));
  add("scheduler.strategy", "", live, CRYPTODASH_MEMBER(scheduler.strategy));
  add("scheduler.normal_at_budget_pct", "", live,
      CRYPTODASH_MEMBER(scheduler.normal_at_budget_pct));
  add("scheduler.conservative_at_budget_pct", "", live,
      CRYPTODASH_MEMBER(scheduler.conservative_at_budget_pct));
  add("scheduler.minimal_at_budget_pct", "", live,
      CRYPTODASH_MEMBER(scheduler.minimal_at_budget_pct));
  add("scheduler.hysteresis_pct", "", live, CRYPTODASH_MEMBER(scheduler.hysteresis_pct));
  add("scheduler.volatility_threshold_pct", "", live,
      CRYPTODASH_MEMBER(scheduler.volatility_threshold_pct));
  add("scheduler.lease_seconds", "", restart, CRYPTODASH_MEMBER(scheduler.lease_seconds));
  add("scheduler.max_backoff_seconds", "", live, CRYPTODASH_MEMBER(scheduler.max_backoff_seconds));

  add("database.url", "DATABASE_URL", restart, CRYPTODASH_MEMBER(database.url));
  add("database.pool_size", "", restart, CRYPTODASH_MEMBER(database.pool_size));

  add("reports.daily_enabled", "", live, CRYPTODASH_MEMBER(reports.daily_enabled));
  add("reports.daily_at_utc", "", live, CRYPTODASH_MEMBER(reports.daily_at_utc));
  add("reports.symbols", "", live, CRYPTODASH_MEMBER(reports.symbols));
  add("reports.timeframes", "", live, CRYPTODASH_MEMBER(reports.timeframes));

  add("logging.level", "LOG_LEVEL", live, CRYPTODASH_MEMBER(logging.level));
  add("logging.format", "", restart, CRYPTODASH_MEMBER(logging.format));
  return f;
}

#undef CRYPTODASH_MEMBER

}  // namespace

const std::vector<field>& fields() {
  static const std::vector<field> all = make_fields();
  return all;
}

const field* find_field(std::string_view key) {
  for (const auto& f : fields()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

}  // namespace cryptodash::config
