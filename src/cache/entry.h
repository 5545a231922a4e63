#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <memory>
#include <string>
#include <string_view>

namespace cryptodash::cache {

/// One cached value: the payload (the JSON the API serves) and its times. Immutable and shared:
/// every tier and every reader hold the same object.
struct entry {
  std::string payload;
  core::time_point created_at;
  core::time_point fresh_until;  ///< soft TTL: past it the entry is stale
  core::time_point stale_until;  ///< hard TTL: past it the entry is not served at all

  bool fresh_at(core::time_point now) const noexcept { return now < fresh_until; }
  bool usable_at(core::time_point now) const noexcept { return now < stale_until; }
};
using entry_ptr = std::shared_ptr<const entry>;

/// The versioned binary form of an entry, as stored in Redis and inside disk records:
///   "CDE" | version (1 byte, = 1) | created_at, fresh_until, stale_until (int64 ns since the
///   Unix epoch, little-endian) | payload length (uint32 LE) | payload | CRC-32 of all before.
std::string encode_entry(const entry& e);

/// Parses encode_entry's output. errc::corrupt when the magic, version, length or checksum is
/// wrong — such bytes must be deleted, never served.
core::result<entry> decode_entry(std::string_view bytes);

/// CRC-32 (zlib's polynomial) of `bytes`, continuing from `crc`.
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0) noexcept;

}  // namespace cryptodash::cache
