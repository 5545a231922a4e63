#include "upstream/limits.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono_literals;

provider_limits limits(double per_minute, int burst, std::int64_t daily = 0,
                       std::int64_t monthly = 0) {
  return {{per_minute, burst}, {daily, monthly}};
}

TEST(LocalLimits, GrantsTheBurstThenRateLimits) {
  core::manual_clock clock;
  local_limits l(clock);
  EXPECT_EQ(l.decide("coingecko", limits(6, 2), 1, 0s).verdict, admission::go);
  EXPECT_EQ(l.decide("coingecko", limits(6, 2), 1, 0s).verdict, admission::go);
  EXPECT_EQ(l.decide("coingecko", limits(6, 2), 1, 0s).verdict, admission::rate_limited);
  const auto d = l.decide("coingecko", limits(6, 2), 1, 20s);
  EXPECT_EQ(d.verdict, admission::go);
  EXPECT_EQ(d.wait, 12s);
}

TEST(LocalLimits, ProvidersAreIndependent) {
  core::manual_clock clock;
  local_limits l(clock);
  EXPECT_EQ(l.decide("taapi", limits(4, 1), 1, 0s).verdict, admission::go);
  EXPECT_EQ(l.decide("taapi", limits(4, 1), 1, 0s).verdict, admission::rate_limited);
  EXPECT_EQ(l.decide("binance", limits(4, 1), 1, 0s).verdict, admission::go);
}

TEST(LocalLimits, CoolDownRefusesUntilItEnds) {
  core::manual_clock clock;
  local_limits l(clock);
  l.set_cool_down("coingecko", 5s);
  auto d = l.decide("coingecko", limits(60, 5), 1, 10s);
  EXPECT_EQ(d.verdict, admission::cooling_down);
  EXPECT_EQ(d.wait, 5s);
  l.set_cool_down("coingecko", 1s);  // a shorter one does not cut it short
  clock.advance(4s);
  EXPECT_EQ(l.decide("coingecko", limits(60, 5), 1, 10s).verdict, admission::cooling_down);
  clock.advance(1s);
  EXPECT_EQ(l.decide("coingecko", limits(60, 5), 1, 10s).verdict, admission::go);
}

TEST(LocalLimits, BudgetCountsGrantedCallsAndRefusesWhenSpent) {
  core::manual_clock clock;
  local_limits l(clock);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(l.decide("coingecko", limits(1000, 10, 3), 1, 0s).verdict, admission::go);
  EXPECT_EQ(l.decide("coingecko", limits(1000, 10, 3), 1, 0s).verdict,
            admission::budget_exhausted);
  EXPECT_EQ(l.current_usage("coingecko").day, 3);
  clock.advance(24h);
  EXPECT_EQ(l.decide("coingecko", limits(1000, 10, 3), 1, 0s).verdict, admission::go);
  EXPECT_EQ(l.current_usage("coingecko").month, 4);
}

TEST(LocalLimits, RefusedCallsAreNotCounted) {
  core::manual_clock clock;
  local_limits l(clock);
  l.decide("fear_greed", limits(6, 1), 1, 0s);
  l.decide("fear_greed", limits(6, 1), 1, 0s);
  EXPECT_EQ(l.current_usage("fear_greed").minute, 1);
}

}  // namespace
}  // namespace cryptodash::upstream
