#pragma once

#include "api/router.h"
#include "config/settings.h"
#include "core/error.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cryptodash::api {

/// The HTTP/1.1 server: one io_context and one thread per worker (shared-nothing), one
/// acceptor handing connections to the workers in turn. Every socket operation has a deadline
/// (checked by a per-worker sweep every 100 ms); every request is bounded:
///   headers over max_header_bytes → 431, body over max_body_bytes → 413, headers not complete
///   within header_timeout_ms of their first byte, or a body within body_timeout_ms → 408,
///   a connection idle for idle_timeout_ms → closed; connections over max_connections (in all)
///   or max_connections_per_ip → closed at accept.
/// CORS: a request whose Origin is in cors_allowed_origins ("*" = any) gets
/// Access-Control-Allow-Origin; an OPTIONS preflight from such an origin gets 204 with the
/// allowed methods and headers, from any other origin 403.
/// Thread-safety: start(), shutdown(), join() from one controlling thread; the rest of the
/// public interface from any thread.
class http_server {
 public:
  http_server(const config::server_settings& settings, const router& routes);
  ~http_server();  ///< shuts down with no grace if still running, and joins
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Called after each request routed to a handler (not for requests refused by the bounds),
  /// on the worker thread, with the status sent and the time the handler took. Set before
  /// start().
  using request_observer =
      std::function<void(const request_context&, unsigned status, std::chrono::nanoseconds)>;
  void set_observer(request_observer o) { observer_ = std::move(o); }

  /// Hands a connection whose request is a WebSocket upgrade of `path` to `on_upgrade` (called
  /// on the worker's thread), which owns the socket from then on. The connection keeps its
  /// place in max_connections and max_connections_per_ip until the last copy of `ticket` is
  /// gone, but no longer holds any HTTP state, deadline or coroutine. Other requests of that
  /// path go to the router. Set before start().
  using upgrade_handler = std::function<void(boost::asio::ip::tcp::socket, request,
                                             boost::asio::ip::address, std::shared_ptr<void> ticket)>;
  void set_websocket(std::string path, upgrade_handler on_upgrade) {
    websocket_path_ = std::move(path);
    websocket_ = std::move(on_upgrade);
  }

  /// Binds and listens on settings.listen_addr:port, then starts the worker threads.
  /// Fails (io_error or the system's error) when the address cannot be bound.
  boost::system::error_code start();

  /// The bound port (the chosen one when settings.port is 0). Valid after start().
  std::uint16_t port() const noexcept { return port_; }

  /// Graceful stop, without blocking: stop accepting, close idle keep-alive connections, let
  /// requests in flight finish (their responses carry `Connection: close`). Connections still
  /// open after `grace` are closed, and a second later the workers stop regardless.
  void shutdown(std::chrono::milliseconds grace);

  /// Blocks until every worker thread has ended (after shutdown()).
  void join();

  std::int64_t open_connections() const noexcept { return open_connections_.load(); }
  std::uint64_t requests_served() const noexcept { return requests_served_.load(); }

  struct worker;     // one io_context + thread + its connections (http_server.cpp)
  class connection;  // one client connection (http_server.cpp)

 private:
  void accept_loop_start();
  boost::asio::awaitable<void> session(worker& w, boost::asio::ip::tcp::socket socket,
                                       boost::asio::ip::address remote);
  bool cors_allows(std::string_view origin) const noexcept;
  bool admit(const boost::asio::ip::address& addr);  // counts the connection if admitted
  void release(const boost::asio::ip::address& addr) noexcept;

  const config::server_settings settings_;
  const router& routes_;
  request_observer observer_;
  std::string websocket_path_;
  upgrade_handler websocket_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;  // lives on workers_[0]
  std::size_t next_worker_ = 0;                               // used on workers_[0] only
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> requests_served_{0};
  std::mutex per_ip_mutex_;
  std::unordered_map<std::string, int> per_ip_;  // guarded by per_ip_mutex_
};

}  // namespace cryptodash::api
