#include "app/live.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace cryptodash::app {

namespace {

// Relay messages: "<instance id>\n<symbol or empty>\n<message JSON>".
constexpr char separator = '\n';

}  // namespace

live_relay::live_relay(api::ws_hub& hub, store::redis::client* redis, std::string key_namespace,
                       std::string instance_id)
    : hub_(hub),
      redis_(redis),
      channel_(std::move(key_namespace) + "live"),
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
