#pragma once

#include "store/redis/client.h"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::store::redis {

/// A pub/sub connection of its own, on the client's thread and with the client's settings.
/// Subscribes to `channels`, delivers every message to `on_message` (on the client's thread —
/// keep it short), and after a lost connection reconnects (backoff) and subscribes again,
/// calling `on_resubscribe` so the owner can make up for messages it may have missed.
/// Thread-safe to construct and destroy.
class subscriber {
 public:
  using message_fn = std::function<void(std::string_view channel, std::string_view payload)>;

  subscriber(client& c, std::vector<std::string> channels, message_fn on_message,
             std::function<void()> on_resubscribe = {});
  ~subscriber();
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  /// Whether the subscription is active now.
  bool subscribed() const noexcept { return subscribed_.load(std::memory_order_acquire); }
  /// Blocks until subscribed or `timeout`.
  bool wait_subscribed(std::chrono::milliseconds timeout) const;

 private:
  boost::asio::awaitable<void> loop();

  client& client_;
  std::vector<std::string> channels_;
  message_fn on_message_;
  std::function<void()> on_resubscribe_;
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{1};
  std::atomic<bool> closed_{false};  // the destructor's close ran on the client thread
  std::unique_ptr<link> link_;  // client thread only
  std::unique_ptr<boost::asio::steady_timer> wake_;
};

}  // namespace cryptodash::store::redis
