#include "api/router.h"

#include <boost/container/small_vector.hpp>

#include <algorithm>

namespace cryptodash::api {
namespace {

// Segments of a path; on the stack for paths of up to 8 segments (every route has fewer).
using segment_list = boost::container::small_vector<std::string_view, 8>;

segment_list split_path(std::string_view path) {
  segment_list out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool has_dot_segment(std::span<const std::string_view> segments) {
  return std::any_of(segments.begin(), segments.end(),
                     [](std::string_view s) { return s == "." || s == ".."; });
}

}  // namespace

void router::add(http::verb method, std::string_view pattern, handler h, fast_handler fast) {
  route r{method, std::string(pattern), {}, std::move(h), std::move(fast)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

const router::route* router::match(request_context& ctx,
                                   std::span<const std::string_view> segments,
                                   std::string* allow) const {
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    decltype(ctx.params) params;
    bool match = true;
    for (std::size_t i = 0; match && i < segments.size(); ++i) {
      std::string_view want = r.segments[i];
      if (is_param(want)) {
        params.emplace_back(want.substr(1, want.size() - 2), segments[i]);
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    bool head_of_get = ctx.req.method() == http::verb::head && r.method == http::verb::get;
    if (r.method != ctx.req.method() && !head_of_get) {
      if (allow != nullptr) {
        if (!allow->empty()) *allow += ", ";
        *allow += std::string(http::to_string(r.method));
      }
      continue;
    }
    ctx.params = std::move(params);
    ctx.route = r.pattern;
    return &r;
  }
  return nullptr;
}

std::optional<cached_answer> router::try_fast(request_context& ctx) const {
  const auto segments = split_path(ctx.path);
  if (has_dot_segment(segments)) return std::nullopt;
  const route* r = match(ctx, segments, nullptr);
  if (r == nullptr || !r->fast) return std::nullopt;
  return r->fast(ctx);
}

boost::asio::awaitable<response> router::dispatch(request_context& ctx) const {
  const auto segments = split_path(ctx.path);
  if (has_dot_segment(segments)) {
    co_return error_response(http::status::bad_request, "invalid_argument",
                             "paths must not contain '.' or '..' segments", ctx.req.version());
  }
  std::string allow;
  if (const route* r = match(ctx, segments, &allow)) co_return co_await r->fn(ctx);
  if (!allow.empty()) {
    auto res = error_response(http::status::method_not_allowed, "method_not_allowed",
                              "this path does not accept " + std::string(ctx.req.method_string()),
                              ctx.req.version());
    res.set(http::field::allow, allow);
    co_return res;
  }
  co_return error_response(http::status::not_found, "not_found", "no such route",
                           ctx.req.version());
}

}  // namespace cryptodash::api
