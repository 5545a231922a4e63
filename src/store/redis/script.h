#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.h"
#include "store/redis/client.h"

namespace cryptodash::store::redis {

/// A Lua script run by its SHA-1 (EVALSHA), loaded with SCRIPT LOAD when Redis does not know
/// it yet (first use, or after a restart or SCRIPT FLUSH). Thread-safe (immutable).
class script {
 public:
  explicit script(std::string body);

  const std::string& sha1() const noexcept { return sha1_; }

  /// Runs it with `keys` and `args`, all round trips within `timeout`. Results as client::exec; a Redis error reply (other than
  /// NOSCRIPT, which is handled) is returned as a reply for the caller to judge.
  boost::asio::awaitable<core::result<reply>> run(client& c, std::vector<std::string> keys,
                                                  std::vector<std::string> args,
                                                  std::chrono::milliseconds timeout) const;

 private:
  std::string body_;
  std::string sha1_;  ///< lowercase hex
};

}  // namespace cryptodash::store::redis
