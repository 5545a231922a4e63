#include "store/redis/script.h"

#include <openssl/sha.h>

#include <algorithm>

namespace cryptodash::store::redis {

namespace asio = boost::asio;

script::script(std::string body) : body_(std::move(body)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body_.data()), body_.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  for (unsigned char b : digest) {
    sha1_.push_back(hex[b >> 4]);
    sha1_.push_back(hex[b & 0xf]);
  }
}

asio::awaitable<core::result<reply>> script::run(client& c, std::vector<std::string> keys,
                                                 std::vector<std::string> args,
                                                 std::chrono::milliseconds timeout) const {
  std::vector<std::string> cmd;
  cmd.reserve(3 + keys.size() + args.size());
  cmd.push_back("EVALSHA");
  cmd.push_back(sha1_);
  cmd.push_back(std::to_string(keys.size()));
  for (auto& k : keys) cmd.push_back(std::move(k));
  for (auto& a : args) cmd.push_back(std::move(a));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto r = co_await c.exec(cmd, timeout);
  if (!r || !r->is_error() || !r->str.starts_with("NOSCRIPT")) co_return r;
  // Unknown to this Redis (restart, SCRIPT FLUSH): SCRIPT LOAD, then EVALSHA again, all
  // within the one `timeout` the caller gave.
  const auto left = [&] {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
  };
  std::vector<std::string> load = {"SCRIPT", "LOAD", body_};
  auto loaded = co_await c.exec(std::move(load), left());
  if (!loaded) co_return loaded.error();
  if (loaded->is_error()) co_return std::move(*loaded);
  co_return co_await c.exec(std::move(cmd), left());
}

}  // namespace cryptodash::store::redis
