#include "upstream/gcra.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace cryptodash::upstream {

gcra_params gcra_params_of(rate_limit limit) noexcept {
  const double per_minute = limit.per_minute > 0 ? limit.per_minute : 1e-9;
  const int max_burst = std::max(1, static_cast<int>(std::floor(per_minute)));
  const int burst = std::clamp(limit.burst, 1, max_burst);
  const double sustained = per_minute - burst + 1;  // >= 1 unless per_minute < 1
  const double interval_us = 60e6 / sustained;
  return {static_cast<std::int64_t>(std::ceil(interval_us)), burst};
}

gcra::gcra(rate_limit limit) noexcept { reconfigure(limit); }

void gcra::reconfigure(rate_limit limit) noexcept {
  const auto p = gcra_params_of(limit);
  interval_ = std::chrono::microseconds(p.interval_us);
  burst_ = p.burst;
}

std::optional<core::duration> gcra::reserve(core::time_point now, int weight,
                                            core::duration max_wait) noexcept {
  weight = std::max(weight, 1);
  const auto tolerance = interval_ * std::max(burst_, weight);
  const auto new_tat = std::max(tat_, now) + interval_ * weight;
  const auto wait = new_tat - tolerance - now;
  if (wait > max_wait) return std::nullopt;
  tat_ = new_tat;
  return std::max(wait, core::duration::zero());
}

}  // namespace cryptodash::upstream
