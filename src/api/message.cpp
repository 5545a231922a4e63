#include "api/message.h"

#include <boost/json/serialize.hpp>

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
  res.body() = boost::json::serialize(body);
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

}  // namespace cryptodash::api
