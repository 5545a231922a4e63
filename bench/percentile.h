#pragma once

// Latency percentiles for the benchmark programs.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace cryptodash::bench {

/// The `percent` (0-100) percentile of `sorted` (ascending), nearest rank; 0 if empty.
inline double percentile(const std::vector<double>& sorted, double percent) {
  if (sorted.empty()) return 0;
  const auto i =
      static_cast<std::size_t>(percent / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace cryptodash::bench
