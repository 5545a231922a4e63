#include "market/sources.h"

#include "core/error.h"
#include "market/payloads.h"

#include <fmt/format.h>

#include <algorithm>

namespace cryptodash::market {

using core::errc;

std::string describe_error(const boost::system::error_code& ec,
                           std::chrono::milliseconds timeout) {
  if (!ec) return {};
  if (ec == errc::timeout) {
    return timeout.count() > 0 ? fmt::format("timeout after {} ms", timeout.count())
                               : std::string("timed out");
  }
  if (ec == errc::circuit_open) return "circuit open";
  if (ec == errc::rate_limited) return "rate limited";
  if (ec == errc::budget_exhausted) return "budget exhausted";
  if (ec == errc::upstream_error) return "upstream error";
  if (ec == errc::bad_response) return "invalid upstream response";
  if (ec == errc::unavailable) return "upstream unavailable";
  if (ec == errc::unauthorized) return "upstream refused our credentials";
  if (ec == errc::forbidden) return "upstream refused access";
  if (ec == errc::not_found) return "not found";
  if (ec == errc::too_large) return "upstream answer too large";
  return ec.message();
}

bool usable(const cache::lookup& l) noexcept {
  return l.value && !is_not_found(l.value->payload);
}

boost::json::object source_status(const cache::lookup& l, core::time_point now,
                                  std::chrono::milliseconds timeout) {
  namespace json = boost::json;
  json::object s;
  if (!usable(l)) {
    s["state"] = "unavailable";
    s["age_s"] = nullptr;
    auto ec = l.error ? l.error : make_error_code(errc::not_found);
    s["error"] = describe_error(ec, timeout);
    return s;
  }
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - l.value->created_at).count();
  s["state"] = l.fresh ? "fresh" : "stale";
  s["age_s"] = std::max<std::int64_t>(0, age);
  s["error"] = l.error ? json::value(describe_error(l.error, timeout)) : json::value(nullptr);
  return s;
}

}  // namespace cryptodash::market
