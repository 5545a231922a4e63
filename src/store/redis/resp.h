#pragma once

// RESP (the Redis protocol) without I/O: commands are encoded with hiredis's formatter and
// replies decoded with hiredis's reader, into a value type of our own.

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace cryptodash::store::redis {

/// One Redis reply.
struct reply {
  enum class kind { string, status, error, integer, nil, array };
  kind type = kind::nil;
  std::string str;             ///< string, status or error text
  std::int64_t integer = 0;
  std::vector<reply> elements;  ///< array

  bool is_error() const noexcept { return type == kind::error; }
  bool is_nil() const noexcept { return type == kind::nil; }
};

/// The wire form of a command: `encode({"SET", key, value})`. Arguments are binary-safe.
std::string encode(const std::vector<std::string>& args);

/// Turns a byte stream into replies. Not thread-safe; one per connection.
class parser {
 public:
  parser();
  ~parser();
  parser(const parser&) = delete;
  parser& operator=(const parser&) = delete;

  /// Adds received bytes.
  void feed(std::string_view bytes);
  /// The next complete reply, nullopt if more bytes are needed, or an error (errc::bad_response)
  /// if the stream is not RESP — the connection is then unusable.
  core::result<std::optional<reply>> next();

 private:
  redisReader* reader_;
};

}  // namespace cryptodash::store::redis
