#include "app/live.h"

#include "core/keys.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <chrono>

namespace cryptodash::app {

namespace {

// Relay messages: "<instance id>\n<symbol or empty>\n<message JSON>".
constexpr char separator = '\n';

// How long a symbol stays in the shared watched set after the last instance that watches it
// renewed it (instances renew every scheduler tick, once a second).
constexpr std::chrono::milliseconds watched_ttl{15'000};
constexpr std::chrono::milliseconds watched_timeout{500};

}  // namespace

live_relay::live_relay(api::ws_hub& hub, store::redis::client* redis, std::string key_namespace,
                       std::string instance_id)
    : hub_(hub),
      redis_(redis),
      channel_(key_namespace + "live"),
      watched_key_(key_namespace + "watched"),
      instance_id_(std::move(instance_id)) {
  if (redis_) {
    sub_ = std::make_unique<store::redis::subscriber>(
        *redis_, std::vector<std::string>{channel_},
        [this](std::string_view, std::string_view payload) { on_message(payload); });
  }
}

live_relay::~live_relay() { sub_.reset(); }

void live_relay::dashboard(const std::string& summary_json) {
  publish({}, hub_.dashboard_message(summary_json));
}

void live_relay::market(const std::string& symbol, const std::string& market_json) {
  publish(symbol, hub_.market_message(symbol, market_json));
}

void live_relay::publish(std::string_view symbol, std::string message) {
  if (redis_) {
    std::string payload = instance_id_;
    payload += separator;
    payload += symbol;
    payload += separator;
    payload += message;
    std::vector<std::string> command{"PUBLISH", channel_, std::move(payload)};
    auto send = [r = redis_, cmd = std::move(command)]() mutable -> boost::asio::awaitable<void> {
      auto res = co_await r->exec(std::move(cmd), std::chrono::milliseconds(1000));
      if (!res) spdlog::debug("live update not relayed through Redis: {}", res.error().message());
    };
    boost::asio::co_spawn(redis_->context(), std::move(send), boost::asio::detached);
  }
  hub_.deliver(symbol, std::move(message));
}

boost::asio::awaitable<std::vector<std::string>> live_relay::watched_symbols() {
  auto local = hub_.watched_symbols();
  if (!redis_) co_return local;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (!local.empty()) {
    std::vector<std::string> add{"ZADD", watched_key_};
    const auto until = std::to_string(now_ms + watched_ttl.count());
    for (const auto& s : local) {
      add.push_back(until);
      add.push_back(s);
    }
    auto added = co_await redis_->exec(std::move(add), watched_timeout);
    if (!added || added->is_error()) co_return local;
  }
  std::vector<std::string> expire{"ZREMRANGEBYSCORE", watched_key_, "-inf", std::to_string(now_ms)};
  co_await redis_->exec(std::move(expire), watched_timeout);
  std::vector<std::string> range{"ZRANGE", watched_key_, "0", "-1"};
  auto all = co_await redis_->exec(std::move(range), watched_timeout);
  if (!all || all->type != store::redis::reply::kind::array) co_return local;
  for (const auto& e : all->elements) {
    if (auto s = core::normalize_symbol(e.str)) local.push_back(std::move(*s));
  }
  std::sort(local.begin(), local.end());
  local.erase(std::unique(local.begin(), local.end()), local.end());
  co_return local;
}

void live_relay::on_message(std::string_view payload) {
  auto first = payload.find(separator);
  if (first == std::string_view::npos) return;
  auto second = payload.find(separator, first + 1);
  if (second == std::string_view::npos) return;
  if (payload.substr(0, first) == instance_id_) return;  // delivered locally already
  hub_.deliver(payload.substr(first + 1, second - first - 1),
               std::string(payload.substr(second + 1)));
}

}  // namespace cryptodash::app
