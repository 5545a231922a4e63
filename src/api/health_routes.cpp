#include "api/health_routes.h"

#include <boost/json/object.hpp>

namespace cryptodash::api {

void add_health_routes(router& r, const lifecycle_state& state) {
  r.add(http::verb::get, "/livez", [](request_context& ctx) -> boost::asio::awaitable<response> {
    co_return json_response(http::status::ok, {{"status", "alive"}}, ctx.req.version());
  });

  r.add(http::verb::get, "/readyz",
        [&state](request_context& ctx) -> boost::asio::awaitable<response> {
          if (state.draining.load()) {
            co_return json_response(http::status::service_unavailable, {{"status", "draining"}},
                                    ctx.req.version());
          }
          if (!state.ready.load()) {
            co_return json_response(http::status::service_unavailable, {{"status", "starting"}},
                                    ctx.req.version());
          }
          co_return json_response(http::status::ok, {{"status", "ready"}}, ctx.req.version());
        });
}

}  // namespace cryptodash::api
