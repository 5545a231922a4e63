#include "store/redis/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include <random>

namespace cryptodash::store::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A command in flight. Its completion is handed back to the caller's executor exactly once:
// on the reply, on the deadline (then `done`, and the reply is dropped when it comes), or when
// the connection goes.
struct client::request {
  request(handler_type h, asio::any_io_executor e, std::string c,
          std::chrono::steady_clock::time_point d)
      : handler(std::move(h)), ex(std::move(e)), command(std::move(c)), deadline(d) {}
  handler_type handler;
  asio::any_io_executor ex;
  std::string command;
  std::chrono::steady_clock::time_point deadline;
  bool probe = false;
  bool done = false;
};

client::client(client_options options) : options_(std::move(options)) {
  if (options_.link.where.tls) {
    auto ctx = link::make_tls_context(options_.link);
    if (ctx) tls_ = *ctx;
  }
  asio::co_spawn(ioc_, connection_loop(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

client::~client() {
  asio::post(ioc_, [this] {
    stopping_ = true;
    if (link_) link_->close();
    if (wake_) wake_->cancel();
    fail_all(core::errc::cancelled);
  });
  // The loops end on their own; if anything lingers, stop the context after a grace period.
  auto deadline = steady::now() + std::chrono::seconds(2);
  while (!ioc_.stopped() && steady::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

client_stats client::stats() const noexcept {
  client_stats s;
  s.connected = connected_.load();
  s.breaker_open = breaker_open_.load();
  s.commands = commands_.load();
  s.failures = failures_.load();
  s.timeouts = timeouts_.load();
  s.rejected = rejected_.load();
  s.reconnects = reconnects_.load();
  return s;
}

bool client::wait_connected(milliseconds timeout) const {
  std::unique_lock lock(connected_mutex_);
  return connected_cv_.wait_for(lock, timeout, [this] { return connected_.load(); });
}

void client::on_connect(std::function<void(bool)> listener) {
  asio::post(ioc_, [this, l = std::move(listener)]() mutable { listeners_.push_back(std::move(l)); });
}

asio::awaitable<core::result<reply>> client::exec(std::vector<std::string> args,
                                                  milliseconds timeout) {
  std::string encoded = encode(args);
  co_return co_await async_exec(std::move(encoded), timeout, asio::use_awaitable);
}

core::result<reply> client::exec_blocking(std::vector<std::string> args, milliseconds timeout) {
  return async_exec(encode(args), timeout, asio::use_future).get();
}

void client::submit(handler_type handler, asio::any_io_executor ex, std::string command,
                    milliseconds timeout) {
  auto r = std::make_shared<request>(std::move(handler), std::move(ex), std::move(command),
                                     steady::now() + timeout);
  asio::post(ioc_, [this, r] { start(r); });
}

// Client thread from here on.

void client::complete(request& r, core::result<reply> result) {
  if (r.done) return;
  r.done = true;
  if (r.probe) probing_ = false;
  if (result) {
    consecutive_failures_ = 0;
    if (breaker_open_.exchange(false)) {
      spdlog::info("{}: responding again; breaker closed", options_.name);
    }
  }
  auto handler = std::make_shared<handler_type>(std::move(r.handler));
  asio::post(r.ex, [handler, result = std::move(result)]() mutable {
    std::move(*handler)(std::move(result));
  });
}

void client::start(std::shared_ptr<request> r) {
  const auto now = steady::now();
  if (stopping_ || !connected_.load(std::memory_order_relaxed) || !link_) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    complete(*r, make_error_code(core::errc::unavailable));
    return;
  }
  if (breaker_open_.load(std::memory_order_relaxed)) {
    if (now < breaker_until_ || probing_) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      complete(*r, make_error_code(core::errc::unavailable));
      return;
    }
    probing_ = r->probe = true;  // half-open: this command tests the water
  }
  write_buffer_ += r->command;
  r->command.clear();
  in_flight_.push_back(std::move(r));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(ioc_, writer(), asio::detached);
  }
  if (!sweeping_) {
    sweeping_ = true;
    asio::co_spawn(ioc_, sweep(), asio::detached);
  }
}

// Fails commands past their deadline, checking every 5 ms while any are in flight. Their
// place in the queue stays, so that later replies still pair with the right commands.
asio::awaitable<void> client::sweep() {
  asio::steady_timer tick(ioc_);
  while (!in_flight_.empty() && !stopping_) {
    tick.expires_after(milliseconds(5));
    co_await tick.async_wait(use_tuple);
    const auto now = steady::now();
    for (auto& r : in_flight_) {
      if (!r->done && r->deadline <= now) {
        timeouts_.fetch_add(1, std::memory_order_relaxed);
        complete(*r, make_error_code(core::errc::timeout));
        record_failure();
      }
    }
  }
  sweeping_ = false;
}

void client::record_failure() {
  if (++consecutive_failures_ < options_.breaker_threshold) return;
  breaker_until_ = steady::now() + options_.breaker_open;
  if (!breaker_open_.exchange(true)) {
    spdlog::warn("{}: {} commands in a row failed; breaker open, requests go on without Redis",
                 options_.name, consecutive_failures_);
    // The connection may be wedged: start a fresh one.
    if (link_) link_->close();
  }
}

void client::fail_all(core::errc why) {
  auto doomed = std::move(in_flight_);
  in_flight_.clear();
  write_buffer_.clear();
  for (auto& r : doomed) complete(*r, make_error_code(why));
}

asio::awaitable<void> client::writer() {
  while (!write_buffer_.empty() && link_ && !stopping_) {
    std::string out;
    out.swap(write_buffer_);
    if (auto ec = co_await link_->write(out)) {
      link_->close();  // the reader sees it and the connection loop takes over
      break;
    }
  }
  writing_ = false;
}

asio::awaitable<void> client::reader() {
  parser p;
  for (;;) {
    for (;;) {
      auto next = p.next();
      if (!next) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        co_return;  // not RESP: drop the connection
      }
      if (!*next) break;
      if (in_flight_.empty()) co_return;  // a reply nobody asked for: out of sync
      auto req = std::move(in_flight_.front());
      in_flight_.pop_front();
      commands_.fetch_add(1, std::memory_order_relaxed);
      complete(*req, core::result<reply>(std::move(**next)));
    }
    if (auto ec = co_await link_->read_into(p)) co_return;
  }
}

asio::awaitable<void> client::connection_loop() {
  wake_ = std::make_unique<asio::steady_timer>(ioc_);
  std::minstd_rand jitter(std::random_device{}());
  milliseconds delay = options_.reconnect_min_delay;
  bool warned = false;
  const auto& where = options_.link.where;
  while (!stopping_) {
    auto opened = co_await link::open(options_.link, tls_);
    if (!opened) {
      if (!warned) {
        spdlog::warn("{}: cannot connect to {}:{} ({}); retrying in the background",
                     options_.name, where.host, where.port, opened.error().message());
        warned = true;
      }
      auto wait = milliseconds(std::uniform_int_distribution<long>(
          delay.count() / 2, delay.count())(jitter));
      delay = std::min(delay * 2, options_.reconnect_max_delay);
      wake_->expires_after(wait);
      co_await wake_->async_wait(use_tuple);
      continue;
    }
    link_ = std::move(*opened);
    delay = options_.reconnect_min_delay;
    warned = false;
    // An open breaker stays open across the reconnection: only a command that succeeds (the
    // half-open probe) closes it, so a Redis that accepts connections but answers nothing
    // does not make every reconnection cost a round of timeouts.
    {
      std::lock_guard lock(connected_mutex_);
      connected_.store(true, std::memory_order_release);
    }
    connected_cv_.notify_all();
    spdlog::info("{}: connected to {}:{}{}", options_.name, where.host, where.port,
                 where.tls ? " (TLS)" : "");
    if (ever_connected_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    for (auto& l : listeners_) l(ever_connected_);
    ever_connected_ = true;

    co_await reader();

    // The connection is gone (or wedged): fail what waits on it, and start again.
    connected_.store(false, std::memory_order_release);
    link_->close();
    if (!stopping_) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("{}: connection to {}:{} lost; reconnecting", options_.name, where.host,
                   where.port);
    }
    fail_all(core::errc::unavailable);
    while (writing_) {
      wake_->expires_after(milliseconds(1));
      co_await wake_->async_wait(use_tuple);
    }
    link_.reset();
  }
}

}  // namespace cryptodash::store::redis
