#pragma once

// alternative.me Fear & Greed Index, base https://api.alternative.me: builder and parser, no I/O.
// Every value comes as a string upstream ("value":"20", "timestamp":"1762560000").

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/call.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cryptodash::upstream::fear_greed {

/// Bound on `limit`: a year of daily readings and then some. limit=0 (the whole history,
/// thousands of entries) is deliberately not offered.
inline constexpr int max_limit = 1000;

/// GET /fng/?limit=<limit> (endpoint "fng"). limit in 1..max_limit, else errc::invalid_argument.
core::result<call_request> fng_request(int limit);

/// One daily reading.
struct reading {
  int value = 0;               ///< 0..100
  std::string classification;  ///< "Extreme Fear", "Fear", "Neutral", "Greed", "Extreme Greed"
  core::time_point timestamp;  ///< start of the day the reading covers (seconds upstream)
  /// Until the next reading; only the newest entry carries it.
  std::optional<std::chrono::seconds> time_until_update;
};

/// The readings, newest first, as served. Status first (common.h: check_status); on 200, a
/// non-null `metadata.error` is errc::upstream_error; then `data` must be a non-empty array of
/// valid readings (value an integer string in 0..100, classification non-empty, timestamp a
/// plausible Unix time in seconds, time_until_update a non-negative integer string), else
/// errc::bad_response.
core::result<std::vector<reading>> parse_fng(const call_response& r, core::time_point now);

}  // namespace cryptodash::upstream::fear_greed
