#pragma once

#include "api/block_cache.h"
#include "api/shared_body.h"
#include "cache/tiered_cache.h"
#include "core/clock.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/container/small_vector.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::api {

namespace http = boost::beast::http;

/// Header fields of requests and responses allocate from per-thread free lists by size class
/// (block_cache_allocator): a cached answer costs no malloc for its headers.
using fields = http::basic_fields<block_cache_allocator<char>>;
using request = http::request<http::string_body, fields>;
/// Responses own their body or share a cached payload (shared_body).
using response = http::response<shared_body, fields>;

/// What a handler sees of one request. Lives until the handler's awaitable completes.
struct request_context {
  const request& req;
  std::string_view path;   ///< the target without its query, not percent-decoded
  std::string_view query;  ///< after '?', or empty
  /// Values of the route's `{name}` segments, raw (not percent-decoded) so that validators
  /// see exactly what was sent.
  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 4> params;
  boost::asio::ip::address remote;
  /// The matched route's pattern ("/api/crypto/market/{symbol}"), set by the router; empty
  /// when no route matched. Metrics label requests by it.
  std::string_view route;

  /// The value of route parameter `name`, or "" if the route has none.
  std::string_view param(std::string_view name) const noexcept;
};

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;

/// A JSON response: `body` serialized, Content-Type application/json, Cache-Control no-store.
response json_response(http::status status, const boost::json::value& body, unsigned version = 11);

/// The SPEC error shape: {"error": {"code": code, "message": message}}.
response error_response(http::status status, std::string_view code, std::string_view message,
                        unsigned version = 11);

/// The error response for a failure of the data path: invalid_argument → 400, not_found → 404,
/// rate_limited / budget_exhausted / circuit_open / unavailable → 503, timeout → 504, any other
/// upstream failure → 502 (code = the errc's name).
response error_for(const boost::system::error_code& ec, std::string_view message,
                   unsigned version = 11);

/// The `code` of an error body for `ec`: the errc's snake_case name, or "upstream_error" for
/// codes of other categories.
std::string error_code_name(const boost::system::error_code& ec);

/// A cached payload as the answer: `status` (200, or 404 for a cached "not found"), the
/// entry's bytes shared, not copied; `ETag` naming the entry; `Cache-Control: public,
/// max-age=<seconds of freshness left>` (0 once stale); `Age`; `X-Cache: hit|stale|miss`
/// (miss when just computed). An `If-None-Match` that names the entry gets 304 without a body.
response cached_response(const request_context& ctx, const cache::lookup& found,
                         core::time_point now, http::status status = http::status::ok);

/// Whether the request's If-None-Match lists `tag` (or "*"); weak tags compare equal too.
bool matches_if_none_match(const request_context& ctx, std::string_view tag);

/// The entity tag of an entry: its creation time (ns) and size, quoted. Entries are immutable
/// and every tier keeps created_at, so the tag is the same on every instance.
std::string entity_tag(const cache::entry& e);

}  // namespace cryptodash::api
