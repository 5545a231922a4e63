#include "api/message.h"

#include "core/json_text.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
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

namespace {

// What a cached answer's head says about its entry at `now`, shared by both ways of writing it.
struct cached_fields {
  std::array<char, 40> tag_buf;
  std::string_view tag;
  std::int64_t max_age = 0;  // seconds of freshness left, 0 once stale
  std::int64_t age = 0;
  std::string_view how;  // X-Cache
  bool not_modified = false;

  cached_fields(const request_context& ctx, const cache::lookup& found, core::time_point now) {
    const auto& e = *found.value;
    tag = format_entity_tag(e, tag_buf);
    auto left = std::chrono::duration_cast<std::chrono::seconds>(e.fresh_until - now).count();
    max_age = found.fresh && left > 0 ? left : 0;
    age = std::max<std::int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - e.created_at).count(), 0);
    how = found.from == cache::source::computed ? "miss" : found.fresh ? "hit" : "stale";
    not_modified = matches_if_none_match(ctx, tag);
  }
};

}  // namespace

response cached_response(const request_context& ctx, const cache::lookup& found,
                         core::time_point now, http::status status) {
  const cached_fields f(ctx, found, now);
  response res{f.not_modified ? http::status::not_modified : status, ctx.req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::etag, f.tag);
  std::array<char, 48> cc_buf;
  auto cc_end = fmt::format_to(cc_buf.data(), FMT_COMPILE("public, max-age={}"), f.max_age);
  res.set(http::field::cache_control,
          std::string_view(cc_buf.data(), static_cast<std::size_t>(cc_end - cc_buf.data())));
  std::array<char, 24> age_buf;
  auto age_end = fmt::format_to(age_buf.data(), FMT_COMPILE("{}"), f.age);
  res.set(http::field::age,
          std::string_view(age_buf.data(), static_cast<std::size_t>(age_end - age_buf.data())));
  res.set("X-Cache", f.how);
  if (!f.not_modified) res.body().share(found.value, found.value->payload);
  return res;
}

http::status append_cached_head(const request_context& ctx, const cached_answer& a,
                                bool keep_alive, std::string& out) {
  const cached_fields f(ctx, a.found, a.now);
  const auto status = f.not_modified ? http::status::not_modified : a.status;
  const bool v10 = ctx.req.version() == 10;
  const std::string_view connection = v10 ? (keep_alive ? "Connection: keep-alive\r\n" : "")
                                          : (keep_alive ? "" : "Connection: close\r\n");
  // Formatted into a buffer on the stack, then appended at once (through a back_inserter
  // fmt appends to the string character by character).
  fmt::memory_buffer buf;
  fmt::format_to(fmt::appender(buf),
                 FMT_COMPILE("HTTP/1.{} {} {}\r\nContent-Type: application/json\r\nETag: {}\r\n"
                             "Cache-Control: public, max-age={}\r\nAge: {}\r\nX-Cache: {}\r\n"
                             "{}"),
                 v10 ? 0 : 1, static_cast<unsigned>(status), http::obsolete_reason(status), f.tag,
                 f.max_age, f.age, f.how, connection);
  if (f.not_modified) {
    buf.append(std::string_view("\r\n"));
  } else {
    fmt::format_to(fmt::appender(buf), FMT_COMPILE("Content-Length: {}\r\n\r\n"),
                   a.found.value->payload.size());
  }
  out.append(buf.data(), buf.size());
  return status;
}

void finish_response(response& res, unsigned version, bool keep_alive) {
  res.version(version);
  res.keep_alive(keep_alive);
  if (res.result() == http::status::not_modified) {
    res.erase(http::field::content_length);
  } else {
    res.prepare_payload();
  }
}

void append_head(const response& res, std::string& out) {
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  const unsigned code = res.result_int();
  out += static_cast<char>('0' + code / 100 % 10);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  out += ' ';
  out += res.reason();
  out += "\r\n";
  for (const auto& f : res) {
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace cryptodash::api
