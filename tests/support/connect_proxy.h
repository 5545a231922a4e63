#pragma once

// A minimal HTTP CONNECT proxy on a free loopback port, for testing HTTPS_PROXY support.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace cryptodash::testing {

/// Accepts connections on 127.0.0.1, answers `CONNECT host:port` with 200 and then relays
/// bytes both ways. Anything else gets 405 and is closed. Runs on its own thread until
/// destroyed.
class connect_proxy {
 public:
  connect_proxy();
  ~connect_proxy();
  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;

  int port() const noexcept { return port_; }
  /// "http://127.0.0.1:<port>"
  std::string url() const;
  /// CONNECT requests tunnelled so far.
  int tunnels() const noexcept { return tunnels_.load(); }
  /// The last CONNECT target ("host:port").
  std::string last_target() const;

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<int> tunnels_{0};
  mutable std::mutex mutex_;
  std::string last_target_;
  std::thread thread_;
};

}  // namespace cryptodash::testing
