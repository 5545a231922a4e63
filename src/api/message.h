#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::api {

namespace http = boost::beast::http;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// What a handler sees of one request. Lives until the handler's awaitable completes.
struct request_context {
  const request& req;
  std::string_view path;   ///< the target without its query, not percent-decoded
  std::string_view query;  ///< after '?', or empty
  /// Values of the route's `{name}` segments, raw (not percent-decoded) so that validators
  /// see exactly what was sent.
  std::vector<std::pair<std::string_view, std::string_view>> params;
  boost::asio::ip::address remote;

  /// The value of route parameter `name`, or "" if the route has none.
  std::string_view param(std::string_view name) const noexcept;
};

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;

/// A JSON response: `body` serialized, Content-Type application/json, Cache-Control no-store.
response json_response(http::status status, const boost::json::value& body, unsigned version = 11);

/// The SPEC error shape: {"error": {"code": code, "message": message}}.
response error_response(http::status status, std::string_view code, std::string_view message,
                        unsigned version = 11);

}  // namespace cryptodash::api
