#pragma once

#include "core/error.h"
#include "store/redis/link.h"
#include "store/redis/resp.h"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cryptodash::store::redis {

struct client_options {
  link_options link;
  /// Consecutive failed commands (timeouts, lost connection) that open the breaker; while open,
  /// commands fail at once with errc::unavailable, and the connection is re-established.
  int breaker_threshold = 3;
  std::chrono::milliseconds breaker_open{1000};       ///< then one command probes
  std::chrono::milliseconds reconnect_min_delay{50};  ///< reconnect backoff, doubling…
  std::chrono::milliseconds reconnect_max_delay{5000};  ///< …up to this
  std::string name = "redis";  ///< in logs
};

struct client_stats {
  bool connected = false;
  bool breaker_open = false;
  std::uint64_t commands = 0;   ///< answered (a Redis error reply counts as answered)
  std::uint64_t failures = 0;   ///< lost connection or bad reply
  std::uint64_t timeouts = 0;
  std::uint64_t rejected = 0;   ///< refused at once: not connected or breaker open
  std::uint64_t reconnects = 0;
};

/// A pipelined Redis connection, with its own I/O thread. Commands from any thread are queued,
/// written back to back and matched with replies in order. Every command has a deadline, and a
/// command never waits on a Redis that is down: while disconnected or while the breaker is open
/// it fails at once. The connection is re-established in the background (backoff with jitter),
/// and on_connect listeners run after each success so that state can be rebuilt.
/// Thread-safe.
class client {
 public:
  explicit client(client_options options);  ///< starts connecting at once
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Runs `args` (e.g. {"GET", key}). The reply on success — a Redis error reply included —
  /// else errc::unavailable (not connected, breaker open, connection lost), errc::timeout (no
  /// reply within `timeout`, give or take 5 ms) or errc::bad_response. Resumes on the caller's
  /// executor, whose context counts the call as outstanding work until the client has let go
  /// of it (so join a thread_pool rather than destroy it with calls just finished).
  boost::asio::awaitable<core::result<reply>> exec(std::vector<std::string> args,
                                                   std::chrono::milliseconds timeout);

  /// The same as an asynchronous operation: completion signature void(core::result<reply>).
  template <class Token>
  auto async_exec(std::string encoded_command, std::chrono::milliseconds timeout, Token&& token) {
    auto initiate = [this](auto handler, std::string command, std::chrono::milliseconds t) {
      boost::asio::any_io_executor ex = boost::asio::prefer(
          boost::asio::get_associated_executor(handler, ioc_.get_executor()),
          boost::asio::execution::outstanding_work.tracked);
      submit(handler_type(std::move(handler)), std::move(ex), std::move(command), t);
    };
    return boost::asio::async_initiate<Token, void(core::result<reply>)>(
        initiate, token, std::move(encoded_command), timeout);
  }

  /// Blocking form for threads that are not running Asio (CLI, tests). Same results.
  core::result<reply> exec_blocking(std::vector<std::string> args,
                                    std::chrono::milliseconds timeout);

  /// Blocks until connected or `timeout`; returns whether connected.
  bool wait_connected(std::chrono::milliseconds timeout) const;

  /// Called on the client's thread after every successful connection; `reconnect` is false the
  /// first time. Register before the first connection matters (e.g. right after construction).
  void on_connect(std::function<void(bool reconnect)> listener);

  bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }
  client_stats stats() const noexcept;
  const client_options& options() const noexcept { return options_; }
  /// The client's I/O context (pub/sub connections share its thread).
  boost::asio::io_context& context() noexcept { return ioc_; }
  /// TLS context shared by connections of this client (null without TLS).
  std::shared_ptr<boost::asio::ssl::context> tls_context() const { return tls_; }

 private:
  using handler_type = boost::asio::any_completion_handler<void(core::result<reply>)>;
  struct request;
  // Any thread: hands the command to the client's thread.
  void submit(handler_type handler, boost::asio::any_io_executor ex, std::string command,
              std::chrono::milliseconds timeout);
  void start(std::shared_ptr<request> r);                       // client thread
  void complete(request& r, core::result<reply> result);        // client thread
  boost::asio::awaitable<void> sweep();                         // deadlines, client thread
  boost::asio::awaitable<void> connection_loop();
  boost::asio::awaitable<void> writer();
  boost::asio::awaitable<void> reader();
  void fail_all(core::errc why);
  void record_failure();

  client_options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context ioc_{1};

  // Client thread only.
  std::unique_ptr<link> link_;
  std::deque<std::shared_ptr<request>> in_flight_;  // written or queued, awaiting replies
  std::string write_buffer_;
  bool writing_ = false;
  bool sweeping_ = false;
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point breaker_until_{};
  bool probing_ = false;
  bool stopping_ = false;
  std::unique_ptr<boost::asio::steady_timer> wake_;  // interrupts the reconnect wait
  std::vector<std::function<void(bool)>> listeners_;
  bool ever_connected_ = false;

  std::atomic<bool> connected_{false};
  std::atomic<bool> breaker_open_{false};
  std::atomic<std::uint64_t> commands_{0}, failures_{0}, timeouts_{0}, rejected_{0},
      reconnects_{0};
  mutable std::mutex connected_mutex_;
  mutable std::condition_variable connected_cv_;
  std::thread thread_;
};

}  // namespace cryptodash::store::redis
