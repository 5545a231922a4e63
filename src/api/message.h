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
  /// The L1 lookup a route's fast handler made for the key its handler reads, passed on to
  /// the cache so that the request counts one lookup (cache::l1_probe).
  cache::l1_probe l1;

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

/// A route's answer that is a cached entry, decided without waiting (router::add's fast
/// handler), which the server writes without building a `response`.
struct cached_answer {
  cache::lookup found;                     ///< found.value is set
  http::status status = http::status::ok;  ///< 200, or 404 for a cached "not found"
  core::time_point now;                    ///< for the entry's freshness and age
};

/// Appends to `out` the head that the server writes for `cached_response(ctx, a.found, a.now,
/// a.status)` once it has set the request's version, `keep_alive` and the framing, byte for
/// byte: the status line and fields, ending with the empty line. Returns the status written:
/// 304 when If-None-Match names the entry (no body is sent then), else `a.status`.
http::status append_cached_head(const request_context& ctx, const cached_answer& a,
                                bool keep_alive, std::string& out);

/// The server's last touches to a response before it is written: the request's `version`,
/// `keep_alive` (a Connection field where the version needs one) and the framing: the body's
/// Content-Length, none on a 304 (RFC 9110 15.4.5: it would have to be the 200's length).
void finish_response(response& res, unsigned version, bool keep_alive);

/// Appends the status line and header fields of `res` as HTTP/1.x text, ending with the empty
/// line. Field values come from our own code or from header values the parser accepted, so
/// they hold no CR or LF.
void append_head(const response& res, std::string& out);

/// Whether the request's If-None-Match lists `tag` (or "*"); weak tags compare equal too.
bool matches_if_none_match(const request_context& ctx, std::string_view tag);

/// The entity tag of an entry: its creation time (ns) and size, quoted. Entries are immutable
/// and every tier keeps created_at, so the tag is the same on every instance.
std::string entity_tag(const cache::entry& e);

}  // namespace cryptodash::api
