#pragma once

#include "config/secret.h"
#include "core/error.h"

#include <cstdint>
#include <string>

namespace cryptodash::store::redis {

/// Where and how to reach Redis, from redis://[user:password@]host[:port][/db] or rediss://.
struct endpoint {
  std::string host;
  std::uint16_t port = 6379;
  bool tls = false;
  std::string user;          ///< empty: AUTH with the password only (or no AUTH)
  config::secret password;   ///< empty: no AUTH
  int db = 0;
};

/// Parses a Redis URL (percent-decoding user and password). errc::invalid_argument if
/// malformed; settings validation has already refused bad URLs with a clearer message.
core::result<endpoint> parse_url(const std::string& url);

}  // namespace cryptodash::store::redis
