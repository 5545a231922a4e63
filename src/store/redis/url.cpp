#include "store/redis/url.h"

#include <boost/url/parse.hpp>

#include <charconv>

namespace cryptodash::store::redis {

core::result<endpoint> parse_url(const std::string& text) {
  auto u = boost::urls::parse_uri(text);
  if (!u || u->host().empty()) return make_error_code(core::errc::invalid_argument);
  endpoint e;
  if (u->scheme() == "rediss") {
    e.tls = true;
  } else if (u->scheme() != "redis") {
    return make_error_code(core::errc::invalid_argument);
  }
  e.host = u->host();
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
    e.host = e.host.substr(1, e.host.size() - 2);  // IPv6 literal
  }
  if (u->has_port()) {
    auto p = u->port_number();
    if (p == 0) return make_error_code(core::errc::invalid_argument);
    e.port = p;
  }
  if (u->has_userinfo()) {
    e.user = u->user();
    if (u->has_password()) e.password = config::secret(std::string(u->password()));
    // redis://:password@host has no user: AUTH takes the password alone.
  }
  std::string path = u->path();  // decoded: a new string, not a view
  if (!path.empty() && path != "/") {
    path.erase(0, 1);
    auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), e.db);
    if (ec != std::errc() || p != path.data() + path.size() || e.db < 0) {
      return make_error_code(core::errc::invalid_argument);
    }
  }
  return e;
}

}  // namespace cryptodash::store::redis
