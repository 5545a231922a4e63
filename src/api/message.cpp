#include "api/message.h"

#include "core/json_text.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <span>

namespace cryptodash::api {

std::string_view request_context::param(std::string_view name) const noexcept {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

response json_response(http::status status, const boost::json::value& body, unsigned version) {
  response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = core::to_json(body);
  return res;
}

response error_response(http::status status, std::string_view code, std::string_view message,
                        unsigned version) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object body;
  body["error"] = std::move(error);
  return json_response(status, body, version);
}

response error_for(const boost::system::error_code& ec, std::string_view message,
                   unsigned version) {
  using core::errc;
  auto status = http::status::bad_gateway;
  if (ec == errc::invalid_argument) {
    status = http::status::bad_request;
  } else if (ec == errc::not_found) {
    status = http::status::not_found;
  } else if (ec == errc::rate_limited || ec == errc::budget_exhausted ||
             ec == errc::circuit_open || ec == errc::unavailable) {
    status = http::status::service_unavailable;
  } else if (ec == errc::timeout) {
    status = http::status::gateway_timeout;
  }
  return error_response(status, error_code_name(ec), message, version);
}

std::string error_code_name(const boost::system::error_code& ec) {
  return ec.category() == core::error_category()
             ? std::string(core::to_string(static_cast<core::errc>(ec.value())))
             : "upstream_error";
}

namespace {

// The entity tag of `e` written into `out`, which must hold 40 characters (two 64-bit numbers
// in hex, a dash and two quotes); returns the part used.
std::string_view format_entity_tag(const cache::entry& e, std::span<char, 40> out) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(e.created_at.time_since_epoch());
  auto end = fmt::format_to(out.data(), FMT_COMPILE("\"{:x}-{:x}\""),
                            static_cast<std::uint64_t>(ns.count()), e.payload.size());
  return {out.data(), static_cast<std::size_t>(end - out.data())};
}

}  // namespace

std::string entity_tag(const cache::entry& e) {
  std::array<char, 40> buf;
  return std::string(format_entity_tag(e, buf));
}

namespace {

// Whether an If-None-Match value lists `tag` (or is "*"). Weak tags match too (RFC 9110
// weak comparison, as for GET).
bool none_match(std::string_view header, std::string_view tag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == tag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool matches_if_none_match(const request_context& ctx, std::string_view tag) {
  auto inm = ctx.req[http::field::if_none_match];
  return !inm.empty() && none_match(inm, tag);
}

response cached_response(const request_context& ctx, const cache::lookup& found,
                         core::time_point now, http::status status) {
  const auto& e = *found.value;
  std::array<char, 40> tag_buf;
  const auto tag = format_entity_tag(e, tag_buf);
  auto left = std::chrono::duration_cast<std::chrono::seconds>(e.fresh_until - now).count();
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - e.created_at).count();
  const char* how = found.from == cache::source::computed ? "miss" : found.fresh ? "hit" : "stale";

  const bool not_modified = matches_if_none_match(ctx, tag);
  response res{not_modified ? http::status::not_modified : status, ctx.req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::etag, tag);
  std::array<char, 48> cc_buf;
  auto cc_end = fmt::format_to(cc_buf.data(), FMT_COMPILE("public, max-age={}"),
                               found.fresh && left > 0 ? left : 0);
  res.set(http::field::cache_control,
          std::string_view(cc_buf.data(), static_cast<std::size_t>(cc_end - cc_buf.data())));
  std::array<char, 24> age_buf;
  auto age_end = fmt::format_to(age_buf.data(), FMT_COMPILE("{}"), age > 0 ? age : 0);
  res.set(http::field::age,
          std::string_view(age_buf.data(), static_cast<std::size_t>(age_end - age_buf.data())));
  res.set("X-Cache", how);
  if (!not_modified) res.body().share(found.value, e.payload);
  return res;
}

}  // namespace cryptodash::api
