#pragma once

// The file format of the disk tier: one record per key.
//   "CDD" | version (1 byte, = 1) | key length (uint16 LE) | key | entry (cache/entry.h form)
//   | CRC-32 of everything before.

#include "cache/entry.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cryptodash::store::disk {

struct record {
  std::string key;
  cache::entry value;
};

std::string encode_record(std::string_view key, const cache::entry& e);

/// errc::corrupt for anything that is not a whole, intact record of this version.
core::result<record> decode_record(std::string_view bytes);

/// The file name for a key: 16 hex digits of a fixed 64-bit hash (FNV-1a) and ".rec". No key
/// can name a path; two keys sharing a name simply evict each other (the record says whose).
std::string file_name(std::string_view key);

}  // namespace cryptodash::store::disk
