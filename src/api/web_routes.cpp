#include "api/web_routes.h"

#include "web/assets.h"

#include <string>

namespace cryptodash::api {
namespace asio = boost::asio;

namespace {

constexpr std::string_view page_policy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'";

response serve(const request_context& ctx, const web::asset& a, bool page) {
  const bool not_modified = matches_if_none_match(ctx, a.etag);
  response res{not_modified ? http::status::not_modified : http::status::ok, ctx.req.version()};
  res.set(http::field::etag, a.etag);
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::content_type, a.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  if (page) {
    res.set("Content-Security-Policy", page_policy);
    res.set("Referrer-Policy", "no-referrer");
  }
  if (!not_modified) res.body().share_static(a.body);
  return res;
}

asio::awaitable<response> index(request_context& ctx) {
  const auto* page = web::find("/index.html");
  if (page == nullptr) {
    co_return error_response(http::status::not_found, "not_found", "the dashboard is not built",
                             ctx.req.version());
  }
  co_return serve(ctx, *page, true);
}

}  // namespace

void add_web_routes(router& r) {
  r.add(http::verb::get, "/", index);
  r.add(http::verb::get, "/dashboard", index);
  r.add(http::verb::get, "/assets/{name}", [](request_context& ctx) -> asio::awaitable<response> {
    const auto* a = web::find("/assets/" + std::string(ctx.param("name")));
    if (a == nullptr) {
      co_return error_response(http::status::not_found, "not_found", "no such file",
                               ctx.req.version());
    }
    co_return serve(ctx, *a, false);
  });
}

}  // namespace cryptodash::api
