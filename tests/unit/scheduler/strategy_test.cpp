#include "scheduler/strategy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string_view>

namespace cryptodash::scheduler {
namespace {

// Defaults: normal at 40, conservative at 80, minimal at 90, hysteresis 5, volatility 5.
config::scheduler_settings automatic() {
  return {};
}

config::scheduler_settings fixed(config::refresh_strategy r) {
  config::scheduler_settings s;
  s.strategy = r;
  return s;
}

constexpr std::optional<double> calm = 1.0;
constexpr std::optional<double> unknown = std::nullopt;

TEST(Strategy, Names) {
  EXPECT_EQ(std::string_view(to_string(strategy::aggressive)), "aggressive");
  EXPECT_EQ(std::string_view(to_string(strategy::normal)), "normal");
  EXPECT_EQ(std::string_view(to_string(strategy::conservative)), "conservative");
  EXPECT_EQ(std::string_view(to_string(strategy::minimal)), "minimal");
}

TEST(Strategy, IntervalFactors) {
  EXPECT_DOUBLE_EQ(interval_factor(strategy::aggressive), 0.5);
  EXPECT_DOUBLE_EQ(interval_factor(strategy::normal), 1.0);
  EXPECT_DOUBLE_EQ(interval_factor(strategy::conservative), 2.0);
  EXPECT_DOUBLE_EQ(interval_factor(strategy::minimal), 4.0);
}

TEST(StrategySelector, StartsAtTheInitialStrategy) {
  EXPECT_EQ(strategy_selector().current(), strategy::normal);
  EXPECT_EQ(strategy_selector(strategy::minimal).current(), strategy::minimal);
}

TEST(StrategySelector, EachThresholdFromAFreshSelector) {
  const auto s = automatic();
  struct row {
    double used;
    strategy expected;
  };
  // From aggressive, so that no hysteresis applies on the way up.
  for (const row r :
       {row{0, strategy::aggressive}, row{39.99, strategy::aggressive}, row{40, strategy::normal},
        row{79.99, strategy::normal}, row{80, strategy::conservative},
        row{89.99, strategy::conservative}, row{90, strategy::minimal}, row{100, strategy::minimal},
        row{250, strategy::minimal}}) {
    strategy_selector sel(strategy::aggressive);
    EXPECT_EQ(sel.update(s, r.used, calm), r.expected) << "used " << r.used;
    EXPECT_EQ(sel.current(), r.expected) << "used " << r.used;
  }
}

TEST(StrategySelector, GoingThriftierIsImmediateAndMaySkipLevels) {
  const auto s = automatic();
  strategy_selector sel(strategy::aggressive);
  EXPECT_EQ(sel.update(s, 40, calm), strategy::normal);
  EXPECT_EQ(sel.update(s, 80, calm), strategy::conservative);
  EXPECT_EQ(sel.update(s, 90, calm), strategy::minimal);

  strategy_selector jump(strategy::aggressive);
  EXPECT_EQ(jump.update(s, 95, calm), strategy::minimal);
}

TEST(StrategySelector, HysteresisOnTheWayDown) {
  const auto s = automatic();
  strategy_selector sel(strategy::aggressive);
  ASSERT_EQ(sel.update(s, 92, calm), strategy::minimal);
  // minimal is left only below 90 - 5 = 85.
  EXPECT_EQ(sel.update(s, 89, calm), strategy::minimal);
  EXPECT_EQ(sel.update(s, 85, calm), strategy::minimal);
  EXPECT_EQ(sel.update(s, 84.9, calm), strategy::conservative);
  // conservative is left only below 80 - 5 = 75.
  EXPECT_EQ(sel.update(s, 79, calm), strategy::conservative);
  EXPECT_EQ(sel.update(s, 75, calm), strategy::conservative);
  EXPECT_EQ(sel.update(s, 74.9, calm), strategy::normal);
  // normal is left only below 40 - 5 = 35.
  EXPECT_EQ(sel.update(s, 39, calm), strategy::normal);
  EXPECT_EQ(sel.update(s, 35, calm), strategy::normal);
  EXPECT_EQ(sel.update(s, 34.9, calm), strategy::aggressive);
}

TEST(StrategySelector, HysteresisOnTheWayUpIsNone) {
  const auto s = automatic();
  strategy_selector sel(strategy::normal);
  ASSERT_EQ(sel.update(s, 34, calm), strategy::aggressive);
  // Back to normal as soon as 40 is reached again, not 45.
  EXPECT_EQ(sel.update(s, 39.9, calm), strategy::aggressive);
  EXPECT_EQ(sel.update(s, 40, calm), strategy::normal);
  ASSERT_EQ(sel.update(s, 70, calm), strategy::normal);
  EXPECT_EQ(sel.update(s, 80, calm), strategy::conservative);
}

TEST(StrategySelector, ABigDropLeavesSeveralLevelsAtOnce) {
  const auto s = automatic();
  strategy_selector to_aggressive(strategy::minimal);
  EXPECT_EQ(to_aggressive.update(s, 10, calm), strategy::aggressive);

  strategy_selector to_normal(strategy::minimal);
  EXPECT_EQ(to_normal.update(s, 50, calm), strategy::normal);

  // 38 is below 85 and 75 but not below 35: it stops at normal although 38 < 40.
  strategy_selector held(strategy::minimal);
  EXPECT_EQ(held.update(s, 38, calm), strategy::normal);
}

TEST(StrategySelector, HysteresisFollowsTheSetting) {
  auto s = automatic();
  s.hysteresis_pct = 0;
  strategy_selector sel(strategy::conservative);
  EXPECT_EQ(sel.update(s, 79.9, calm), strategy::normal);

  s.hysteresis_pct = 10;
  strategy_selector wide(strategy::conservative);
  EXPECT_EQ(wide.update(s, 70.1, calm), strategy::conservative);
  EXPECT_EQ(wide.update(s, 69.9, calm), strategy::normal);
}

TEST(StrategySelector, NaNBudgetUseKeepsTheLevel) {
  const auto s = automatic();
  strategy_selector sel(strategy::conservative);
  EXPECT_EQ(sel.update(s, std::nan(""), calm), strategy::conservative);
}

TEST(StrategySelector, FixedStrategiesIgnoreBudgetAndVolatility) {
  struct row {
    config::refresh_strategy setting;
    strategy expected;
  };
  for (const row r : {row{config::refresh_strategy::aggressive, strategy::aggressive},
                      row{config::refresh_strategy::normal, strategy::normal},
                      row{config::refresh_strategy::conservative, strategy::conservative},
                      row{config::refresh_strategy::minimal, strategy::minimal}}) {
    const auto s = fixed(r.setting);
    strategy_selector sel(strategy::aggressive);
    EXPECT_EQ(sel.update(s, 0, calm), r.expected);
    EXPECT_EQ(sel.update(s, 99, calm), r.expected);
    EXPECT_EQ(sel.update(s, 50, 20.0), r.expected);  // fixed normal is not lifted either
    EXPECT_EQ(sel.current(), r.expected);
  }
}

TEST(StrategySelector, AutomaticContinuesFromAFixedStrategy) {
  strategy_selector sel(strategy::aggressive);
  ASSERT_EQ(sel.update(fixed(config::refresh_strategy::minimal), 0, calm), strategy::minimal);
  // Back to automatic at 87 %: minimal is kept (87 is not below 85).
  EXPECT_EQ(sel.update(automatic(), 87, calm), strategy::minimal);
  EXPECT_EQ(sel.update(automatic(), 84, calm), strategy::conservative);
}

TEST(StrategySelector, VolatilityLiftsNormalToAggressive) {
  const auto s = automatic();
  strategy_selector sel(strategy::aggressive);
  EXPECT_EQ(sel.update(s, 50, 4.99), strategy::normal);
  EXPECT_EQ(sel.update(s, 50, 5.0), strategy::aggressive);
  EXPECT_EQ(sel.current(), strategy::aggressive);
  EXPECT_EQ(sel.update(s, 50, 12.0), strategy::aggressive);
  EXPECT_EQ(sel.update(s, 50, -6.0), strategy::aggressive);  // a fall moves the market too
  EXPECT_EQ(sel.update(s, 50, 1.0), strategy::normal);       // calm again
}

TEST(StrategySelector, VolatilityThresholdFollowsTheSetting) {
  auto s = automatic();
  s.volatility_threshold_pct = 10;
  strategy_selector sel;
  EXPECT_EQ(sel.update(s, 50, 9.9), strategy::normal);
  EXPECT_EQ(sel.update(s, 50, 10.0), strategy::aggressive);
}

TEST(StrategySelector, UnknownVolatilityDoesNotLift) {
  const auto s = automatic();
  strategy_selector sel;
  EXPECT_EQ(sel.update(s, 50, unknown), strategy::normal);
  EXPECT_EQ(sel.update(s, 50, std::nan("")), strategy::normal);
}

TEST(StrategySelector, VolatilityNeverLiftsConservativeOrMinimal) {
  const auto s = automatic();
  strategy_selector sel(strategy::aggressive);
  EXPECT_EQ(sel.update(s, 80, 30.0), strategy::conservative);
  EXPECT_EQ(sel.update(s, 77, 30.0), strategy::conservative);  // in the hysteresis band too
  EXPECT_EQ(sel.update(s, 90, 30.0), strategy::minimal);
  EXPECT_EQ(sel.update(s, 150, 30.0), strategy::minimal);
}

TEST(StrategySelector, AVolatilityLiftDoesNotCountForBudgetHysteresis) {
  const auto s = automatic();
  strategy_selector sel(strategy::aggressive);
  ASSERT_EQ(sel.update(s, 45, 8.0), strategy::aggressive);  // lifted; the budget level is normal
  // Calm again at 38 %: the budget level is still normal (38 is not below 35), so normal —
  // not aggressive, as it would be if the lifted aggressive had been remembered as the level.
  EXPECT_EQ(sel.update(s, 38, calm), strategy::normal);
  EXPECT_EQ(sel.update(s, 34, calm), strategy::aggressive);
}

TEST(StrategySelector, ALiftedSelectorStillGoesThriftierAtOnce) {
  const auto s = automatic();
  strategy_selector sel(strategy::normal);
  ASSERT_EQ(sel.update(s, 60, 8.0), strategy::aggressive);
  EXPECT_EQ(sel.update(s, 80, 8.0), strategy::conservative);
  // Back below 75 with the market still moving: normal, lifted again.
  EXPECT_EQ(sel.update(s, 74, 8.0), strategy::aggressive);
}

}  // namespace
}  // namespace cryptodash::scheduler
