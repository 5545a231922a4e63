#pragma once

#include "api/message.h"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cryptodash::api {

/// Maps (method, path) to handlers. Patterns are literal segments and `{name}` segments that
/// match any one non-empty segment: "/api/crypto/market/{symbol}". Not thread-safe to modify;
/// dispatch() and try_fast() are safe from many threads once routes are added.
class router {
 public:
  /// A route's answer from a cached entry without waiting (a fresh L1 hit), or nothing when
  /// the route's handler must answer. It may leave in ctx what the handler can reuse (ctx.l1).
  using fast_handler = std::function<std::optional<cached_answer>(request_context&)>;

  /// Adds a route. A later route with the same method and pattern is never reached.
  /// `fast`, for GET routes, answers the requests it can first (see try_fast).
  void add(http::verb method, std::string_view pattern, handler h, fast_handler fast = {});

  /// The fast handler's answer when the route for ctx's method and path has one and it
  /// answers; ctx.params and ctx.route are filled when a route matched. Nothing otherwise:
  /// dispatch() then answers, through the handler. No coroutine, nothing awaited.
  std::optional<cached_answer> try_fast(request_context& ctx) const;

  /// Runs the matching handler. A path with a "." or ".." segment: 400 invalid_argument
  /// (never resolved, so "/market/../x" cannot reach another route). No matching path: 404 not_found; a path that exists for other
  /// methods: 405 method_not_allowed with an Allow header. Fills ctx.params and ctx.route.
  boost::asio::awaitable<response> dispatch(request_context& ctx) const;

 private:
  struct route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    handler fn;
    fast_handler fast;
  };
  // The route for ctx's method and `segments` (ctx.params and ctx.route filled), or null;
  // `allow`, when given, collects the methods of the routes of that path.
  const route* match(request_context& ctx, std::span<const std::string_view> segments,
                     std::string* allow) const;

  std::vector<route> routes_;
};

}  // namespace cryptodash::api
