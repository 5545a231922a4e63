#pragma once

#include "api/ws_hub.h"
#include "store/redis/client.h"
#include "store/redis/subscriber.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::app {

/// Live updates across instances. A refresh published here reaches this instance's WebSocket
/// clients at once and, through Redis pub/sub on the channel `<namespace>live` ("cryptodash:live"), the clients of
/// every other instance: each message carries its sender's instance id and an instance skips
/// its own, so every client gets each update exactly once. Without Redis (or while it is away)
/// local clients still get local updates. Thread-safe.
class live_relay {
 public:
  /// `redis` may be null. `hub` and `redis` must outlive the relay.
  live_relay(api::ws_hub& hub, store::redis::client* redis, std::string key_namespace,
             std::string instance_id);
  ~live_relay();
  live_relay(const live_relay&) = delete;
  live_relay& operator=(const live_relay&) = delete;

  void dashboard(const std::string& summary_json);
  void market(const std::string& symbol, const std::string& market_json);

  /// The symbols WebSocket clients watch on any instance, sorted: this instance's, which it
  /// adds to the sorted set `<namespace>watched` (score: when the entry expires, now + 15 s in
  /// Unix ms), and every symbol there not expired. The leader's scheduler keeps them all
  /// fresh. Without Redis, or when a command fails: this instance's only.
  boost::asio::awaitable<std::vector<std::string>> watched_symbols();

  /// Whether the Redis subscription is active (false without Redis).
  bool subscribed() const noexcept { return sub_ && sub_->subscribed(); }

 private:
  void publish(std::string_view symbol, std::string message);
  void on_message(std::string_view payload);

  api::ws_hub& hub_;
  store::redis::client* redis_;
  std::string channel_;
  std::string watched_key_;
  std::string instance_id_;
  std::unique_ptr<store::redis::subscriber> sub_;
};

}  // namespace cryptodash::app
