#include "support/connect_proxy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <mutex>

namespace cryptodash::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [rec, n] = co_await from->async_read_some(asio::buffer(buf), use_tuple);
    if (n > 0) {
      auto [wec, w] = co_await asio::async_write(*to, asio::buffer(buf.data(), n), use_tuple);
      if (wec) break;
    }
    if (rec) break;
  }
  boost::system::error_code ignored;
  to->shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

connect_proxy::connect_proxy() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(ioc_, [this]() -> asio::awaitable<void> {
    for (;;) {
      auto [aec, accepted] = co_await acceptor_.async_accept(use_tuple);
      if (aec) co_return;
      auto client = std::make_shared<tcp::socket>(std::move(accepted));
      asio::co_spawn(ioc_, [this, client]() -> asio::awaitable<void> {
        asio::streambuf head;
        auto [rec, n] = co_await asio::async_read_until(*client, head, "\r\n\r\n", use_tuple);
        if (rec) co_return;
        std::string request(asio::buffers_begin(head.data()), asio::buffers_begin(head.data()) + n);
        head.consume(n);
        const auto sp1 = request.find(' ');
        const auto sp2 = request.find(' ', sp1 + 1);
        if (request.rfind("CONNECT ", 0) != 0 || sp2 == std::string::npos) {
          co_await asio::async_write(*client, asio::buffer(std::string("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")), use_tuple);
          co_return;
        }
        const std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
        const auto colon = target.rfind(':');
        auto server = std::make_shared<tcp::socket>(ioc_);
        tcp::resolver resolver(ioc_);
        auto [res_ec, endpoints] = co_await resolver.async_resolve(
            target.substr(0, colon), target.substr(colon + 1), use_tuple);
        if (res_ec) co_return;
        auto [cec, ep] = co_await asio::async_connect(*server, endpoints, use_tuple);
        if (cec) {
          co_await asio::async_write(*client, asio::buffer(std::string("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")), use_tuple);
          co_return;
        }
        {
          std::lock_guard lock(mutex_);
          last_target_ = target;
        }
        ++tunnels_;
        co_await asio::async_write(*client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")), use_tuple);
        asio::co_spawn(ioc_, relay(client, server), asio::detached);
        asio::co_spawn(ioc_, relay(server, client), asio::detached);
      }, asio::detached);
    }
  }, asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

connect_proxy::~connect_proxy() {
  ioc_.stop();
  thread_.join();
}

std::string connect_proxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string connect_proxy::last_target() const {
  std::lock_guard lock(mutex_);
  return last_target_;
}

}  // namespace cryptodash::testing
