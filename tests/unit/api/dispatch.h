#pragma once

// Runs requests through a router on a private io_context: route tests without sockets.

#include "api/router.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cryptodash::api::testing {

/// Dispatches `req` through `r`; the matched route's parameters go to `params_out` if given.
inline response dispatch(const router& r, const request& req,
                         std::vector<std::pair<std::string, std::string>>* params_out = nullptr) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  auto fut = asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<response> {
        std::string_view t = req.target();
        auto q = t.find('?');
        request_context ctx{req,
                            t.substr(0, q),
                            q == std::string_view::npos ? std::string_view() : t.substr(q + 1),
                            {},
                            {}};
        auto res = co_await r.dispatch(ctx);
        if (params_out != nullptr) {
          for (auto [k, v] : ctx.params) params_out->emplace_back(k, v);
        }
        co_return res;
      },
      asio::use_future);
  ioc.run();
  return fut.get();
}

}  // namespace cryptodash::api::testing
