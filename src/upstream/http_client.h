#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/error.h"
#include "upstream/providers/call.h"

namespace cryptodash::upstream {

/// A provider's base URL, parsed once: `https://api.coingecko.com/api/v3` or
/// `http://127.0.0.1:9000/coingecko` (a path prefix the call targets are appended to).
struct base_url {
  bool tls = true;
  std::string host;     ///< as written (a name, an IPv4 address or an IPv6 one without brackets)
  std::uint16_t port = 443;
  std::string prefix;   ///< path without a trailing '/', may be empty

  /// "host" or "host:port" (non-default port), for the Host header and pool keys.
  std::string authority() const;
};

/// Parses http:// and https:// URLs without query, fragment or user info; anything else is
/// errc::invalid_argument.
core::result<base_url> parse_base_url(std::string_view url);

struct http_client_options {
  /// Extra trusted CA certificates (PEM), added to the system store: for private upstreams
  /// and tests. Empty = the system store only.
  std::string ca_file;
  /// "http://host:port" tunnelled through with CONNECT for https:// upstreams. Defaults to
  /// the HTTPS_PROXY (or https_proxy) environment variable; hosts in NO_PROXY (comma-separated
  /// names or domain suffixes, "*" for all) go direct. http:// upstreams always go direct.
  std::string https_proxy = default_https_proxy();
  std::string no_proxy = default_no_proxy();
  std::size_t max_idle_per_host = 8;  ///< keep-alive connections kept per host
  std::chrono::seconds idle_timeout{30};  ///< an idle connection older than this is closed
  std::string user_agent = "cryptodash";

  static std::string default_https_proxy();
  static std::string default_no_proxy();
};

/// Bounds of one exchange.
struct exchange_limits {
  std::chrono::milliseconds connect_timeout{3000};  ///< resolve + connect + proxy + TLS
  std::chrono::steady_clock::time_point deadline;   ///< the whole exchange, last byte included
  std::uint64_t max_body_bytes = 8u << 20;          ///< a longer body is errc::too_large
};

struct http_client_stats {
  std::uint64_t requests = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;
  std::uint64_t failures = 0;  ///< no response: refused, reset, timeout, TLS, too large
};

/// An HTTP/1.1 client for upstream APIs, over TCP or TLS (system CA store plus `ca_file`,
/// SNI, host name verification), with a keep-alive pool per host, chunked bodies, a size bound
/// on responses and deadlines on everything. Thread-safe; calls may come from any executor.
///
/// Sockets live on the client's own I/O thread (so pooled connections never outlive the
/// context they belong to, whoever called); each request hops there and back. Destroy the
/// client only once no request is in flight.
class http_client {
 public:
  /// Fails (errc::invalid_argument) if `ca_file` cannot be loaded or the proxy URL is bad.
  static core::result<std::unique_ptr<http_client>> create(http_client_options options);
  ~http_client();

  /// Sends `req` to `base` and reads the response, whatever its status. A connection from the
  /// pool that turns out to be closed is replaced once, transparently. Errors: errc::timeout
  /// (deadline or connect timeout), errc::unavailable (DNS, refused, reset, proxy or TLS
  /// failure — a certificate that does not verify included), errc::too_large (body over the
  /// bound), errc::bad_response (not HTTP).
  boost::asio::awaitable<core::result<call_response>> request(const base_url& base,
                                                              const call_request& req,
                                                              exchange_limits limits);

  http_client_stats stats() const noexcept;
  /// Closes every idle connection.
  void clear_pool();

 private:
  struct connection;
  explicit http_client(http_client_options options, std::shared_ptr<boost::asio::ssl::context>);

  boost::asio::awaitable<core::result<call_response>> exchange_here(base_url base,
                                                                   call_request req,
                                                                   exchange_limits limits);

  std::unique_ptr<connection> take_idle(const std::string& key);
  void give_back(const std::string& key, std::unique_ptr<connection> c);
  boost::asio::awaitable<core::result<std::unique_ptr<connection>>> open(
      const base_url& base, const exchange_limits& limits);
  bool use_proxy(const base_url& base) const;

  http_client_options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context ioc_{1};  // before the pool: sockets go first
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::string proxy_host_;
  std::string proxy_port_;

  std::mutex pool_mutex_;
  std::map<std::string, std::deque<std::unique_ptr<connection>>> idle_;

  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> reused_{0};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace cryptodash::upstream
