#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <sys/socket.h>
#include <sys/time.h>

namespace cryptodash::testing {

namespace asio = boost::asio;

http_connection::http_connection(int port, std::chrono::milliseconds timeout) : socket_(ioc_) {
  socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void http_connection::send(const std::string& bytes) {
  asio::write(socket_, asio::buffer(bytes));
}

std::optional<http_response> http_connection::read_response(bool to_head) {
  boost::beast::http::response_parser<boost::beast::http::string_body> parser;
  parser.skip(to_head);
  boost::system::error_code ec;
  boost::beast::http::read(socket_, buffer_, parser, ec);
  if (ec) return std::nullopt;
  return parser.release();
}

bool http_connection::closed_by_peer() {
  char c = 0;
  boost::system::error_code ec;
  socket_.read_some(asio::buffer(&c, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

std::optional<http_response> http_connection::get(const std::string& target,
                                                  const std::string& extra_headers) {
  send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n");
  return read_response();
}

std::optional<http_response> http_get(int port, const std::string& target,
                                      const std::string& extra_headers) {
  try {
    http_connection c(port);
    return c.get(target, extra_headers);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace cryptodash::testing
