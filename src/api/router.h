#pragma once

#include "api/message.h"

#include <string>
#include <vector>

namespace cryptodash::api {

/// Maps (method, path) to handlers. Patterns are literal segments and `{name}` segments that
/// match any one non-empty segment: "/api/crypto/market/{symbol}". Not thread-safe to modify;
/// dispatch() is safe from many threads once routes are added.
class router {
 public:
  /// Adds a route. A later route with the same method and pattern is never reached.
  void add(http::verb method, std::string_view pattern, handler h);

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
  };
  std::vector<route> routes_;
};

}  // namespace cryptodash::api
