#include "scheduler/strategy.h"

#include <array>
#include <cmath>

namespace cryptodash::scheduler {
namespace {

int index_of(strategy s) noexcept {
  return static_cast<int>(s);
}
strategy from_index(int i) noexcept {
  return static_cast<strategy>(i);
}

/// The budget use at which each level starts (aggressive has none: it is the floor).
std::array<double, 4> thresholds(const config::scheduler_settings& s) noexcept {
  return {0.0, s.normal_at_budget_pct, s.conservative_at_budget_pct, s.minimal_at_budget_pct};
}

std::optional<strategy> fixed(config::refresh_strategy r) noexcept {
  switch (r) {
    case config::refresh_strategy::automatic: return std::nullopt;
    case config::refresh_strategy::aggressive: return strategy::aggressive;
    case config::refresh_strategy::normal: return strategy::normal;
    case config::refresh_strategy::conservative: return strategy::conservative;
    case config::refresh_strategy::minimal: return strategy::minimal;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(strategy s) noexcept {
  switch (s) {
    case strategy::aggressive: return "aggressive";
    case strategy::normal: return "normal";
    case strategy::conservative: return "conservative";
    case strategy::minimal: return "minimal";
  }
  return "normal";
}

double interval_factor(strategy s) noexcept {
  switch (s) {
    case strategy::aggressive: return 0.5;
    case strategy::normal: return 1.0;
    case strategy::conservative: return 2.0;
    case strategy::minimal: return 4.0;
  }
  return 1.0;
}

strategy_selector::strategy_selector(strategy initial) noexcept
    : level_(initial), current_(initial) {}

strategy strategy_selector::update(const config::scheduler_settings& s, double budget_used_pct,
                                   std::optional<double> btc_change_pct) noexcept {
  if (const auto f = fixed(s.strategy)) {
    level_ = current_ = *f;
    return current_;
  }

  const auto t = thresholds(s);
  // The level the use reaches without hysteresis: the highest whose threshold it is at or past.
  int reached = index_of(strategy::aggressive);
  for (int i = index_of(strategy::minimal); i > 0; --i) {
    if (budget_used_pct >= t[static_cast<std::size_t>(i)]) {
      reached = i;
      break;
    }
  }
  int level = index_of(level_);
  if (reached >= level) {
    level = reached;  // thriftier at once
  } else {
    // Step down only while the use is hysteresis_pct below the threshold of the level we leave.
    while (level > reached &&
           budget_used_pct < t[static_cast<std::size_t>(level)] - s.hysteresis_pct)
      --level;
  }
  level_ = from_index(level);

  current_ = level_;
  if (level_ == strategy::normal && btc_change_pct &&
      std::fabs(*btc_change_pct) >= s.volatility_threshold_pct)
    current_ = strategy::aggressive;
  return current_;
}

strategy strategy_selector::current() const noexcept {
  return current_;
}

}  // namespace cryptodash::scheduler
