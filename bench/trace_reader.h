#pragma once

// Readers for the public cache traces in ../shared/traces (see its README).

#include <cstdint>
#include <functional>
#include <string>

namespace cryptodash::bench {

enum class trace_format {
  lirs,     ///< gzip; text, one decimal key per line
  cache2k,  ///< xz; 4-byte big-endian signed keys
  scarab,   ///< xz; 8-byte big-endian signed keys
};

/// Parses "lirs", "cache2k" or "scarab"; throws std::invalid_argument otherwise.
trace_format parse_trace_format(const std::string& name);

/// Calls `on_key` for every event of the trace, in order. Throws std::runtime_error when the
/// file cannot be read or is corrupt. Returns the number of events.
std::uint64_t read_trace(const std::string& path, trace_format format,
                         const std::function<void(std::int64_t)>& on_key);

}  // namespace cryptodash::bench
