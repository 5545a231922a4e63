#include "store/redis/link.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

namespace cryptodash::store::redis {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

core::result<std::shared_ptr<asio::ssl::context>> link::make_tls_context(
    const link_options& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (!options.tls_ca_file.empty()) {
    ctx->load_verify_file(options.tls_ca_file, ec);
    if (ec) return make_error_code(core::errc::invalid_argument);
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

asio::awaitable<core::result<std::unique_ptr<link>>> link::open(
    const link_options& options, std::shared_ptr<asio::ssl::context> tls) {
  auto ex = co_await asio::this_coro::executor;
  const auto& where = options.where;

  // Resolve and connect, all within connect_timeout.
  tcp::resolver resolver(ex);
  tcp::socket socket(ex);
  asio::steady_timer deadline(ex, options.connect_timeout);
  auto connect = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [rec, endpoints] =
        co_await resolver.async_resolve(where.host, std::to_string(where.port), use_tuple);
    if (rec) co_return rec;
    auto [cec, ep] = co_await asio::async_connect(socket, endpoints, use_tuple);
    co_return cec;
  };
  auto outcome = co_await (connect() || deadline.async_wait(use_tuple));
  if (outcome.index() == 1) co_return make_error_code(core::errc::timeout);
  if (std::get<0>(outcome)) co_return make_error_code(core::errc::unavailable);
  socket.set_option(tcp::no_delay(true));

  std::unique_ptr<link> l;
  if (where.tls) {
    tls_stream stream(std::move(socket), *tls);
    SSL_set_tlsext_host_name(stream.native_handle(), where.host.c_str());
    stream.set_verify_callback(asio::ssl::host_name_verification(where.host));
    deadline.expires_after(options.connect_timeout);
    auto hs = co_await (stream.async_handshake(tls_stream::client, use_tuple) ||
                        deadline.async_wait(use_tuple));
    if (hs.index() == 1) co_return make_error_code(core::errc::timeout);
    if (std::get<0>(std::get<0>(hs))) co_return make_error_code(core::errc::unavailable);
    l.reset(new link(std::variant<tcp::socket, tls_stream>(std::in_place_index<1>,
                                                            std::move(stream))));
    l->tls_ = std::move(tls);
  } else {
    l.reset(new link(std::variant<tcp::socket, tls_stream>(std::in_place_index<0>,
                                                            std::move(socket))));
  }

  // AUTH and SELECT, or else PING, also bounded by connect_timeout: a link is open only once
  // Redis has answered (a dying server may still complete TCP handshakes from its backlog).
  parser p;
  link& lk = *l;
  auto handshake = [&]() -> asio::awaitable<boost::system::error_code> {
    if (!where.password.empty()) {
      std::vector<std::string> auth = {"AUTH"};
      if (!where.user.empty()) auth.push_back(where.user);
      auth.push_back(where.password.reveal());
      auto r = co_await lk.round_trip(auth, p);
      if (!r) co_return r.error();
      if (r->is_error()) co_return make_error_code(core::errc::unauthorized);
    }
    if (where.db != 0) {
      std::vector<std::string> select = {"SELECT", std::to_string(where.db)};
      auto r = co_await lk.round_trip(select, p);
      if (!r) co_return r.error();
      if (r->is_error()) co_return make_error_code(core::errc::invalid_argument);
    }
    if (where.password.empty() && where.db == 0) {
      const std::vector<std::string> ping = {"PING"};
      auto r = co_await lk.round_trip(ping, p);
      if (!r) co_return r.error();
      if (r->is_error()) co_return make_error_code(core::errc::unauthorized);  // NOAUTH
    }
    co_return boost::system::error_code();
  };
  deadline.expires_after(options.connect_timeout);
  auto shaken = co_await (handshake() || deadline.async_wait(use_tuple));
  if (shaken.index() == 1) co_return make_error_code(core::errc::timeout);
  if (auto ec = std::get<0>(shaken)) co_return ec;
  co_return l;
}

asio::awaitable<boost::system::error_code> link::write(const std::string& bytes) {
  auto [ec, n] = co_await std::visit(
      [&](auto& s) { return asio::async_write(s, asio::buffer(bytes), use_tuple); }, stream_);
  co_return ec;
}

asio::awaitable<boost::system::error_code> link::read_into(parser& p) {
  auto [ec, n] = co_await std::visit(
      [&](auto& s) { return s.async_read_some(asio::buffer(buffer_), use_tuple); }, stream_);
  if (!ec) p.feed(std::string_view(buffer_, n));
  co_return ec;
}

asio::awaitable<core::result<reply>> link::round_trip(const std::vector<std::string>& args,
                                                      parser& p) {
  if (auto ec = co_await write(encode(args))) co_return make_error_code(core::errc::unavailable);
  for (;;) {
    auto next = p.next();
    if (!next) co_return next.error();
    if (*next) co_return std::move(**next);
    if (auto ec = co_await read_into(p)) co_return make_error_code(core::errc::unavailable);
  }
}

void link::close() noexcept {
  boost::system::error_code ignored;
  std::visit(
      [&](auto& s) {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, tcp::socket>) {
          s.close(ignored);
        } else {
          s.next_layer().close(ignored);
        }
      },
      stream_);
}

}  // namespace cryptodash::store::redis
