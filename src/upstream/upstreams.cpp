#include "upstream/upstreams.h"

#include <spdlog/spdlog.h>

#include "store/redis/client.h"

namespace cryptodash::upstream {

const config::provider_settings& provider_of(const config::upstreams_settings& s,
                                             std::string_view name) {
  if (name == "fear_greed") return s.fear_greed;
  if (name == "taapi") return s.taapi;
  if (name == "binance") return s.binance;
  return s.coingecko;
}

core::result<std::unique_ptr<upstreams>> upstreams::create(const config::upstreams_settings& s,
                                                           store::redis::client* redis,
                                                           std::string key_namespace,
                                                           const core::clock& clock) {
  std::unique_ptr<upstreams> u(new upstreams());
  http_client_options options;
  options.ca_file = s.ca_file;
  auto client = http_client::create(std::move(options));
  if (!client) return client.error();
  u->client_ = std::move(*client);
  if (redis != nullptr) {
    u->limits_ = std::make_unique<redis_limits>(*redis, std::move(key_namespace), clock);
  } else {
    u->limits_ = std::make_unique<local_limits>(clock);
  }
  for (std::size_t i = 0; i < provider_names.size(); ++i) {
    auto g = gateway_settings_of(provider_of(s, provider_names[i]));
    if (!g) return g.error();
    u->gateways_[i] = std::make_unique<gateway>(std::string(provider_names[i]), std::move(*g),
                                                *u->client_, *u->limits_, clock);
  }
  return u;
}

upstreams::~upstreams() = default;

gateway* upstreams::find(std::string_view name) noexcept {
  for (auto& g : gateways_)
    if (g->name() == name) return g.get();
  return nullptr;
}

void upstreams::reconfigure(const config::upstreams_settings& s) {
  for (auto& g : gateways_) {
    auto settings = gateway_settings_of(provider_of(s, g->name()));
    if (!settings) {
      spdlog::warn("upstream {}: new settings refused (base URL), keeping the old ones", g->name());
      continue;
    }
    g->reconfigure(std::move(*settings));
  }
}

boost::asio::awaitable<boost::json::object> upstreams::stats_json() {
  boost::json::object out;
  for (auto& g : gateways_) {
    const auto s = g->stats();
    const auto used = co_await g->usage();
    const auto budget = g->budget();
    boost::json::object o;
    o["circuit_state"] = to_string(s.breaker.state);
    o["calls"] = s.attempts;
    o["failures"] = s.failures;
    o["rate_limited"] = s.rate_limited + s.throttled;
    o["budget_used"] = used.month;
    if (budget.monthly > 0) {
      o["budget_limit"] = budget.monthly;
    } else {
      o["budget_limit"] = nullptr;
    }
    o["budget_used_today"] = used.day;
    o["successes"] = s.successes;
    o["client_errors"] = s.client_errors;
    o["retries"] = s.retries;
    o["throttled"] = s.throttled;
    o["budget_refused"] = s.budget_refused;
    o["circuit_refused"] = s.circuit_refused;
    o["circuit_opened"] = s.breaker.opened;
    o["consecutive_failures"] = s.breaker.consecutive_failures;
    if (s.used_weight_1m >= 0) o["used_weight_1m"] = s.used_weight_1m;
    o["limits"] = limits_->kind();
    out[g->name()] = std::move(o);
  }
  co_return out;
}

}  // namespace cryptodash::upstream
