#include "api/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <ctime>
#include <list>
#include <optional>

namespace cryptodash::api {

namespace asio = boost::asio;
using asio::ip::tcp;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using request_parser = http::request_parser<http::string_body, fields::allocator_type>;

namespace {

// The steady clock to a few milliseconds (CLOCK_MONOTONIC_COARSE, the clock steady_clock
// reads, without the timer hardware): enough for socket deadlines, set twice per request.
steady::time_point coarse_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return steady::time_point(std::chrono::duration_cast<steady::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

// The answer to a CORS preflight (OPTIONS with an Origin).
response preflight(const request& req, bool allowed) {
  if (!allowed) {
    return error_response(http::status::forbidden, "cors_refused",
                          "this origin may not call the API", req.version());
  }
  response res{http::status::no_content, req.version()};
  res.set(http::field::access_control_allow_methods, "GET, HEAD, POST, OPTIONS");
  res.set(http::field::access_control_allow_headers,
          "Authorization, Content-Type, If-None-Match");
  res.set(http::field::access_control_max_age, "600");
  return res;
}

}  // namespace

// Member order matters for destruction: the io_context destroys suspended sessions, whose
// connections unlink themselves from `connections`, so the list must outlive it.
struct http_server::worker {
  std::list<connection*> connections;  // this worker's thread only
  asio::io_context ioc{1};
  asio::steady_timer sweeper{ioc};
  std::thread thread;
  bool stopping = false;  // this worker's thread only
  steady::time_point force_close_at{};
  steady::time_point hard_stop_at{};
};

class http_server::connection {
 public:
  connection(http_server& server, worker& w, tcp::socket socket, asio::ip::address remote)
      : server_(server), worker_(w), socket_(std::move(socket)), remote_(std::move(remote)) {
    self_ = worker_.connections.insert(worker_.connections.end(), this);
  }
  ~connection() {
    worker_.connections.erase(self_);
    if (!handed_over_) server_.release(remote_);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  asio::awaitable<void> run();

  // Called by the worker's sweep: cancels the pending operation once its deadline has passed.
  void check_deadline(steady::time_point now) {
    if (deadline_ <= now) {
      deadline_ = steady::time_point::max();
      timed_out_ = true;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  }

  // Shutdown: an idle keep-alive connection closes now; a busy one after its response.
  void on_shutdown() {
    if (idle_) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  }

  void force_close() {
    closing_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  asio::awaitable<bool> serve_one();
  asio::awaitable<bool> read_request();
  // Whether `ec` means the client went away (or shutdown closed the socket): nothing to answer.
  bool client_left(const boost::system::error_code& ec) const;
  // Answers a request whose `part` ("headers" or "body") could not be read: 431, 413, 408 or
  // 400; nothing for a read cancelled by shutdown.
  asio::awaitable<void> refuse(boost::system::error_code ec, std::string_view part);
  asio::awaitable<boost::system::error_code> read_header(request_parser& p);
  // Writes head_ (a response's head, already rendered) and `body`.
  asio::awaitable<boost::system::error_code> write(std::string_view body);
  asio::awaitable<void> send_error(http::status status, std::string_view code,
                                   std::string_view message);
  void arm(milliseconds timeout) {
    timed_out_ = false;
    deadline_ = coarse_now() + timeout;  // at most a few ms early
  }
  void disarm() { deadline_ = steady::time_point::max(); }

  http_server& server_;
  worker& worker_;
  tcp::socket socket_;
  asio::ip::address remote_;
  boost::beast::flat_buffer buffer_;
  // The parser of the request being read; a member, not a local, to keep serve_one's
  // coroutine frame small enough for Asio's per-thread frame recycling.
  std::optional<request_parser> parser_;
  // The answer of the request being served when it came from the cache (router::try_fast):
  // a member for the same reason, and it keeps the entry written from alive.
  std::optional<cached_answer> fast_;
  std::string head_;  // the response head being written; its capacity is reused
  std::list<connection*>::iterator self_;
  steady::time_point deadline_ = steady::time_point::max();
  bool timed_out_ = false;
  bool handed_over_ = false;  // to the upgrade handler, with the place in the limits
  bool idle_ = false;
  bool closing_ = false;
};

asio::awaitable<void> http_server::connection::run() {
  const auto& s = server_.settings_;
  for (;;) {
    if (buffer_.size() == 0) {
      // Idle: wait for the first byte of the next request. Shutdown may cancel this wait.
      if (worker_.stopping) break;
      idle_ = true;
      arm(milliseconds(s.idle_timeout_ms));
      auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), use_tuple);
      idle_ = false;
      if (ec) break;
      buffer_.commit(n);
    }
    if (!co_await serve_one()) break;
  }
  disarm();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

// Reads the next request into parser_. Returns false when the connection is to close: the
// client left, or the request was refused (413, 431, 408, 400 already answered).
asio::awaitable<bool> http_server::connection::read_request() {
  const auto& s = server_.settings_;
  auto& parser = parser_.emplace();
  parser.header_limit(static_cast<std::uint32_t>(s.max_header_bytes));
  parser.body_limit(static_cast<std::uint64_t>(s.max_body_bytes));

  arm(milliseconds(s.header_timeout_ms));
  auto ec = co_await read_header(parser);
  if (ec) {
    if (!client_left(ec)) co_await refuse(ec, "headers");
    co_return false;
  }
  if (parser.is_done()) co_return true;

  if (parser.get()[http::field::expect] == "100-continue") {
    static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    arm(milliseconds(s.write_timeout_ms));
    auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(continue_line), use_tuple);
    if (wec) co_return false;
  }
  arm(milliseconds(s.body_timeout_ms));
  auto [bec, bn] = co_await http::async_read(socket_, buffer_, parser, use_tuple);
  if (bec) {
    if (!client_left(bec)) co_await refuse(bec, "body");
    co_return false;
  }
  co_return true;
}

bool http_server::connection::client_left(const boost::system::error_code& ec) const {
  return closing_ || ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset;
}

asio::awaitable<void> http_server::connection::refuse(boost::system::error_code ec,
                                                      std::string_view part) {
  const auto& s = server_.settings_;
  if (ec == http::error::header_limit) {
    co_await send_error(http::status::request_header_fields_too_large, "header_too_large",
                        fmt::format("request headers exceed {} bytes", s.max_header_bytes));
  } else if (ec == http::error::body_limit) {  // a Content-Length or chunks over the bound
    co_await send_error(http::status::payload_too_large, "body_too_large",
                        fmt::format("request body exceeds {} bytes", s.max_body_bytes));
  } else if (timed_out_) {
    co_await send_error(http::status::request_timeout, "request_timeout",
                        fmt::format("request {} not received in time", part));
  } else if (ec != asio::error::operation_aborted) {  // operation_aborted: shutdown
    spdlog::debug("request {} refused: {}", part, ec.message());
    co_await send_error(http::status::bad_request, "bad_request",
                        fmt::format("malformed request {}", part));
  }
}

asio::awaitable<bool> http_server::connection::serve_one() {
  const auto& s = server_.settings_;
  if (!co_await read_request()) co_return false;
  disarm();

  // The request stays in the parser (until the end of this function): a copy here would make
  // this coroutine's frame too big for Asio's recycling of frames (1020 bytes), and then
  // every request would allocate it.
  request& req = parser_->get();
  std::string_view target = req.target();
  auto qpos = target.find('?');
  if (server_.websocket_ && boost::beast::websocket::is_upgrade(req) &&
      target.substr(0, qpos) == server_.websocket_path_) {
    // The connection ends here; its place in the limits goes with the socket, as a ticket.
    // A client sends nothing before the 101, so the buffer holds nothing to hand over.
    handed_over_ = true;
    std::shared_ptr<void> ticket(nullptr, [&s = server_, r = remote_](void*) { s.release(r); });
    server_.websocket_(std::move(socket_), std::move(req), remote_, std::move(ticket));
    co_return false;
  }
  request_context ctx{req,
                      target.substr(0, qpos),
                      qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1),
                      {},
                      remote_};
  response res;
  bool failed = false;
  const auto origin = req[http::field::origin];
  const bool origin_allowed = !origin.empty() && server_.cors_allows(origin);
  const auto started = steady::now();
  try {
    if (req.method() == http::verb::options && !origin.empty()) {
      res = preflight(req, origin_allowed);
    } else {
      // A cached answer with no CORS fields to add is written as it is, from the entry: no
      // handler coroutine, no response object.
      if (origin.empty()) fast_ = server_.routes_.try_fast(ctx);
      if (!fast_) res = co_await server_.routes_.dispatch(ctx);
    }
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", std::string_view(req.method_string()), ctx.path,
                  e.what());
    fast_.reset();
    failed = true;
  }
  if (failed) {
    res = error_response(http::status::internal_server_error, "internal_error",
                         "the server failed to answer this request", req.version());
  }

  const bool keep_alive = req.keep_alive() && !worker_.stopping && !closing_;
  head_.clear();
  http::status status;
  std::string_view body;
  if (fast_) {
    status = append_cached_head(ctx, *fast_, keep_alive, head_);
    if (status != http::status::not_modified) body = fast_->found.value->payload;
  } else {
    if (origin_allowed) {
      res.set(http::field::access_control_allow_origin, origin);
      res.set(http::field::vary, "Origin");
      res.set(http::field::access_control_expose_headers, "ETag, Age, X-Cache, Retry-After");
    }
    finish_response(res, req.version(), keep_alive);
    append_head(res, head_);
    status = res.result();
    if (status != http::status::not_modified) body = res.body().view();
  }
  if (server_.observer_) {
    server_.observer_(ctx, static_cast<unsigned>(status), steady::now() - started);
  }

  arm(milliseconds(s.write_timeout_ms));
  // HEAD keeps Content-Length and sends no body.
  auto wec = co_await write(req.method() == http::verb::head ? std::string_view() : body);
  disarm();
  const bool again = !wec && keep_alive;
  fast_.reset();
  parser_.reset();  // no request (a body, maybe large) kept while the connection idles
  server_.requests_served_.fetch_add(1, std::memory_order_relaxed);
  co_return again;
}

// Parses what is already buffered and reads only while the parser needs more, so a request
// that arrived whole costs no extra read and no extra trip through the scheduler.
asio::awaitable<boost::system::error_code> http_server::connection::read_header(
    request_parser& p) {
  for (;;) {
    if (buffer_.size() > 0) {
      boost::system::error_code ec;
      buffer_.consume(p.put(buffer_.data(), ec));
      if (ec != http::error::need_more) {
        if (!ec && !p.is_header_done()) continue;  // a parsed element, more of the header left
        co_return ec;
      }
    }
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), use_tuple);
    if (ec == asio::error::eof) {
      co_return p.got_some() ? http::error::partial_message : http::error::end_of_stream;
    }
    if (ec) co_return ec;
    buffer_.commit(n);
  }
}

// Writes head_ and then `body` in one gathered write.
asio::awaitable<boost::system::error_code> http_server::connection::write(std::string_view body) {
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(socket_, buffers, use_tuple);
  co_return ec;
}

asio::awaitable<void> http_server::connection::send_error(http::status status,
                                                          std::string_view code,
                                                          std::string_view message) {
  auto res = error_response(status, code, message);
  res.keep_alive(false);
  res.prepare_payload();
  head_.clear();
  append_head(res, head_);
  arm(std::min(milliseconds(server_.settings_.write_timeout_ms), milliseconds(5000)));
  co_await write(res.body().view());
  disarm();
}

namespace {

// Deadlines of one worker's connections, checked every 100 ms; also drives its shutdown.
asio::awaitable<void> sweep(http_server::worker& w);

}  // namespace

http_server::http_server(const config::server_settings& settings, const router& routes)
    : settings_(settings), routes_(routes) {
  unsigned n = settings_.threads > 0 ? static_cast<unsigned>(settings_.threads)
                                     : std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<worker>());
}

http_server::~http_server() {
  shutdown(milliseconds(0));
  join();
  // Sessions still suspended are destroyed with their io_context and release their counts
  // into per_ip_, so the workers go before the other members.
  acceptor_.reset();
  workers_.clear();
}

boost::system::error_code http_server::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(settings_.listen_addr, ec);
  if (ec) return ec;
  tcp::endpoint endpoint(address, static_cast<std::uint16_t>(settings_.port));
  acceptor_ = std::make_unique<tcp::acceptor>(workers_[0]->ioc);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_->local_endpoint(ec).port();
  if (ec) return ec;

  accept_loop_start();
  for (auto& w : workers_) {
    asio::co_spawn(w->ioc, sweep(*w), asio::detached);
    w->thread = std::thread([&io = w->ioc] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("worker: unexpected exception: {}", e.what());
        }
      }
    });
  }
  return {};
}

namespace {

asio::awaitable<void> sweep(http_server::worker& w) {
  for (;;) {
    w.sweeper.expires_after(milliseconds(100));
    co_await w.sweeper.async_wait(use_tuple);
    auto now = steady::now();
    // check_deadline only cancels; completions run later, so the list stays intact here.
    for (auto* c : w.connections) c->check_deadline(now);
    if (!w.stopping) continue;
    if (w.connections.empty()) co_return;
    if (now >= w.hard_stop_at) {
      spdlog::warn("shutdown: {} connections still busy past the grace period; stopping",
                   w.connections.size());
      w.ioc.stop();
      co_return;
    }
    if (now >= w.force_close_at) {
      for (auto* c : w.connections) c->force_close();
    }
  }
}

}  // namespace

void http_server::accept_loop_start() {
  asio::co_spawn(
      workers_[0]->ioc,
      [this]() -> asio::awaitable<void> {
        for (;;) {
          worker& target = *workers_[next_worker_++ % workers_.size()];
          auto [ec, socket] = co_await acceptor_->async_accept(target.ioc, use_tuple);
          if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) co_return;
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer pause(workers_[0]->ioc, milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
          }
          boost::system::error_code ignored;
          auto remote = socket.remote_endpoint(ignored).address();
          if (!admit(remote)) {
            socket.close(ignored);
            continue;
          }
          socket.set_option(tcp::no_delay(true), ignored);
          asio::co_spawn(target.ioc, session(target, std::move(socket), remote), asio::detached);
        }
      },
      asio::detached);
}

asio::awaitable<void> http_server::session(worker& w, tcp::socket socket,
                                           asio::ip::address remote) {
  connection c(*this, w, std::move(socket), std::move(remote));
  co_await c.run();
}

bool http_server::cors_allows(std::string_view origin) const noexcept {
  for (const auto& o : settings_.cors_allowed_origins) {
    if (o == "*" || o == origin) return true;
  }
  return false;
}

bool http_server::admit(const asio::ip::address& addr) {
  if (open_connections_.load(std::memory_order_relaxed) >= settings_.max_connections) {
    return false;
  }
  std::lock_guard lock(per_ip_mutex_);
  int& n = per_ip_[addr.to_string()];
  if (n >= settings_.max_connections_per_ip) return false;
  ++n;
  open_connections_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void http_server::release(const asio::ip::address& addr) noexcept {
  open_connections_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(per_ip_mutex_);
  auto it = per_ip_.find(addr.to_string());
  if (it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
}

void http_server::shutdown(milliseconds grace) {
  if (stopping_.exchange(true)) return;
  for (auto& wp : workers_) {
    worker* w = wp.get();
    asio::post(w->ioc, [this, w, grace] {
      w->stopping = true;
      w->force_close_at = steady::now() + grace;
      w->hard_stop_at = w->force_close_at + std::chrono::seconds(1);
      if (w == workers_[0].get() && acceptor_) {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
      }
      for (auto* c : w->connections) c->on_shutdown();
    });
  }
}

void http_server::join() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace cryptodash::api
