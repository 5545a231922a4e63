#pragma once

#include "api/message.h"
#include "config/live.h"
#include "core/clock.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cryptodash::api {

/// The WebSocket side of the API (SPEC section 5), at `/ws`.
///
/// A client gets the current dashboard snapshot on connect, every `dashboard_update` after,
/// and `market_update`s of the `market:<symbol>` channels it subscribed to (with the current
/// value at once on subscribing). Client messages: `{"type":"ping"}` → `{"type":"pong"}`,
/// `{"type":"subscribe"|"unsubscribe","channels":["market:btc",…]}` → `{"type":"subscribed"|
/// "unsubscribed","channels":[…]}`; anything else, bad JSON or a bad channel gets
/// `{"type":"error","error":{"code","message"}}` and the connection stays. Messages over
/// websocket.max_message_bytes close that connection (1009).
///
/// Each broadcast is serialized once and shared by every recipient. Each client has a bounded
/// send queue (websocket.send_queue_max_messages / _bytes): a client that falls behind is
/// closed with 1013 (try again later) and never slows the others — a close frame it does not
/// take within 2 s ends in a plain TCP close. The server pings every ping_interval_seconds; a
/// client from which nothing arrives for pong_timeout_seconds is closed. At most
/// max_connections_per_ip WebSocket clients per address (over that: 1008 at once).
///
/// Clients live on the HTTP worker thread that accepted them; a broadcast posts one task per
/// worker, which queues the message for that worker's clients. Thread-safe.
class ws_hub {
 public:
  /// The dashboard summary JSON for the snapshot sent on connect (null: none to send).
  using snapshot_fn = std::function<boost::asio::awaitable<std::optional<std::string>>()>;
  /// The market payload JSON of a symbol for a new subscriber (null: nothing cached/known).
  using market_fn =
      std::function<boost::asio::awaitable<std::optional<std::string>>(std::string symbol)>;

  ws_hub(const config::settings_store& settings, const core::clock& clock, snapshot_fn snapshot,
         market_fn market);
  ~ws_hub();
  ws_hub(const ws_hub&) = delete;
  ws_hub& operator=(const ws_hub&) = delete;

  /// Takes one client (on the socket's thread, which it stays on): completes the handshake for
  /// `req` (a WebSocket upgrade) on `socket`, then serves it until either side closes.
  /// `ticket` (the HTTP server's hold on its connection limits) is kept as long.
  void serve(boost::asio::ip::tcp::socket socket, request req, boost::asio::ip::address remote,
             std::shared_ptr<void> ticket);

  /// Sends `{"type":"dashboard_update","data":summary,"timestamp":now}` to every client.
  /// `summary_json` must be a JSON object's text.
  void publish_dashboard(std::string_view summary_json);
  /// Sends `{"type":"market_update","symbol":…,"data":market,"timestamp":now}` to the clients
  /// subscribed to market:<symbol>.
  void publish_market(std::string_view symbol, std::string_view market_json);
  /// The message texts as publish_* build them, for relaying to other instances.
  std::string dashboard_message(std::string_view summary_json) const;
  std::string market_message(std::string_view symbol, std::string_view market_json) const;
  /// Delivers an already built message (from another instance): to everyone when `symbol` is
  /// empty, else to market:<symbol>'s subscribers.
  void deliver(std::string_view symbol, std::string message);

  /// Symbols at least one client is subscribed to, sorted.
  std::vector<std::string> watched_symbols() const;

  /// Closes every client with 1001 (going away) and refuses new ones. Publishing after this
  /// does nothing. Call before the HTTP server's workers stop.
  void shutdown();

  /// clients, channels (distinct symbols subscribed to), messages_sent, dropped_slow, refused
  /// (over the per-address limit or after shutdown).
  boost::json::object stats() const;

  class client;  // one connection (ws_hub.cpp)
  struct group;  // the clients of one worker thread (ws_hub.cpp)

 private:
  friend class client;
  group& group_of(const boost::asio::any_io_executor& ex);
  /// The message a new client gets: the last dashboard_update broadcast if it is younger than
  /// snapshot_reuse, else one built from snapshot_() now (and kept as long). So a thousand
  /// clients connecting at once cost one summary read, and share one message.
  boost::asio::awaitable<std::shared_ptr<const std::string>> current_snapshot();
  void broadcast(std::string_view channel, std::shared_ptr<const std::string> message);
  void watch(const std::string& symbol, int delta);
  bool admit(const boost::asio::ip::address& addr);
  void release(const boost::asio::ip::address& addr);

  const config::settings_store& settings_;
  const core::clock& clock_;
  snapshot_fn snapshot_;
  market_fn market_;

  mutable std::mutex mutex_;
  std::map<void*, std::unique_ptr<group>> groups_;  // by io_context; guarded by mutex_
  std::map<std::string, int> watched_;              // symbol → subscribers; guarded
  std::unordered_map<std::string, int> per_ip_;     // guarded
  bool stopping_ = false;                           // guarded
  std::shared_ptr<const std::string> snapshot_message_;  // guarded
  core::time_point snapshot_at_{};                       // guarded

  static constexpr std::chrono::seconds snapshot_reuse{1};

  std::atomic<std::int64_t> clients_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_slow_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace cryptodash::api
