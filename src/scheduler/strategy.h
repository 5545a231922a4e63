#pragma once

#include <optional>

#include "config/settings.h"

namespace cryptodash::scheduler {

/// How hard the scheduler refreshes, from the most eager to the thriftiest.
enum class strategy { aggressive, normal, conservative, minimal };

/// "aggressive", "normal", "conservative", "minimal".
const char* to_string(strategy s) noexcept;

/// How refresh intervals stretch: aggressive 0.5, normal 1, conservative 2, minimal 4.
double interval_factor(strategy s) noexcept;

/// Chooses the refresh strategy from budget use and volatility (SPEC section 3), remembering
/// the current one for hysteresis. Not thread-safe.
///
/// The budget-derived level is kept apart from the volatility lift: an `aggressive` that only
/// volatility produced does not count as having left `normal` for hysteresis. A fixed strategy
/// (settings.strategy not automatic) also becomes the level that `automatic` continues from.
class strategy_selector {
 public:
  /// Starts at `initial`, taken as the budget-derived level.
  explicit strategy_selector(strategy initial = strategy::normal) noexcept;

  /// settings.strategy fixed (not automatic): that strategy. automatic: by `budget_used_pct`
  /// (the highest budget use among providers, percent, may exceed 100): below normal_at →
  /// aggressive, from normal_at → normal, from conservative_at → conservative, from minimal_at →
  /// minimal. Moving to a thriftier strategy is immediate once its threshold is reached; moving to
  /// a less thrifty one needs the use to fall hysteresis_pct below the threshold that was crossed
  /// (e.g. conservative is left for normal only below 80-5=75), possibly several levels at once.
  /// Then volatility: when the result is normal and `btc_change_pct` (|24 h change|, nullopt if
  /// unknown; its sign is ignored) >= volatility_threshold_pct, aggressive. Budget always wins
  /// over volatility (conservative/minimal are never lifted). A NaN budget use keeps the level.
  /// Returns the new current().
  strategy update(const config::scheduler_settings& s, double budget_used_pct,
                  std::optional<double> btc_change_pct) noexcept;

  /// The strategy the last update() chose (the initial one before any).
  strategy current() const noexcept;

 private:
  strategy level_;    ///< from the budget (or the fixed setting), with hysteresis
  strategy current_;  ///< level_ after the volatility lift
};

}  // namespace cryptodash::scheduler
