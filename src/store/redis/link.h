#pragma once

// One established connection to Redis (TCP or TLS), authenticated and on the right database.

#include "core/error.h"
#include "store/redis/resp.h"
#include "store/redis/url.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>

namespace cryptodash::store::redis {

struct link_options {
  endpoint where;
  std::string tls_ca_file;  ///< extra trust for rediss:// (the system store is always used)
  std::chrono::milliseconds connect_timeout{1000};
};

/// A connected, handshaken stream. Single-threaded: use it from one coroutine chain at a time
/// (one reader and one writer may overlap, as with any Asio stream).
class link {
 public:
  using tcp = boost::asio::ip::tcp;
  using tls_stream = boost::asio::ssl::stream<tcp::socket>;

  /// Resolves, connects (within connect_timeout), does the TLS handshake (certificate and host
  /// name verified), then AUTH and SELECT as the endpoint asks (PING when neither), so an open
  /// link has been answered by Redis. Errors: errc::timeout, errc::unavailable (refused,
  /// unreachable, TLS failure), errc::unauthorized (AUTH refused, or NOAUTH to the PING).
  static boost::asio::awaitable<core::result<std::unique_ptr<link>>> open(
      const link_options& options, std::shared_ptr<boost::asio::ssl::context> tls);

  /// A TLS client context per the options (verify_peer, system store, optional CA file).
  static core::result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
      const link_options& options);

  boost::asio::awaitable<boost::system::error_code> write(const std::string& bytes);
  /// Reads some bytes into the parser.
  boost::asio::awaitable<boost::system::error_code> read_into(parser& p);
  /// Sends a command and waits for its reply (used for the handshake; not pipelined).
  boost::asio::awaitable<core::result<reply>> round_trip(const std::vector<std::string>& args,
                                                         parser& p);
  void close() noexcept;

 private:
  explicit link(std::variant<tcp::socket, tls_stream> s) : stream_(std::move(s)) {}
  std::variant<tcp::socket, tls_stream> stream_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives the stream
  char buffer_[16384];
};

}  // namespace cryptodash::store::redis
