#pragma once

// A blocking HTTP/1.1 client for integration tests, with raw access for malformed requests.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace cryptodash::testing {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// One TCP connection to 127.0.0.1:port. Reads time out after `timeout` (default 10 s).
class http_connection {
 public:
  explicit http_connection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Sends raw bytes.
  void send(const std::string& bytes);
  /// Reads one response; nullopt on timeout, reset or close. `to_head`: the answer to a HEAD
  /// request, whose Content-Length announces a body that is not sent.
  std::optional<http_response> read_response(bool to_head = false);
  /// True if the server closed the connection (read returns EOF) within the timeout.
  bool closed_by_peer();
  /// Sends a GET (keep-alive) and reads the answer.
  std::optional<http_response> get(const std::string& target,
                                   const std::string& extra_headers = "");

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

/// Opens a connection, GETs `target`, returns the response (nullopt if none).
std::optional<http_response> http_get(int port, const std::string& target,
                                      const std::string& extra_headers = "");

}  // namespace cryptodash::testing
