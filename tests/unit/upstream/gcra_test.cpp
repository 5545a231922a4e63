#include "upstream/gcra.h"

#include <gtest/gtest.h>

#include <deque>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono_literals;
const core::time_point t0 = core::manual_clock::default_start();

TEST(Gcra, BurstGoesAtOnceThenCallsAreSpaced) {
  gcra g({6, 2});  // 6/min, burst 2: spacing 60 s / (6 - 2 + 1) = 12 s
  EXPECT_EQ(g.interval(), 12s);
  EXPECT_EQ(g.reserve(t0, 1, 0s), core::duration::zero());
  EXPECT_EQ(g.reserve(t0, 1, 0s), core::duration::zero());
  EXPECT_FALSE(g.reserve(t0, 1, 0s).has_value());
  EXPECT_FALSE(g.reserve(t0 + 11s, 1, 0s).has_value());
  EXPECT_EQ(g.reserve(t0 + 12s, 1, 0s), core::duration::zero());
}

TEST(Gcra, ReservationWaitsWithinMaxWaitOnly) {
  gcra g({6, 2});
  g.reserve(t0, 1, 0s);
  g.reserve(t0, 1, 0s);
  EXPECT_FALSE(g.reserve(t0, 1, 11s).has_value());  // would need 12 s: nothing reserved
  EXPECT_EQ(g.reserve(t0, 1, 12s), 12s);
  EXPECT_EQ(g.reserve(t0, 1, 30s), 24s);  // queued behind the previous reservation
}

// The promise users rely on: greedy callers never get more than per_minute calls into any
// 60-second window, burst included.
TEST(Gcra, NoSixtySecondWindowExceedsTheRate) {
  for (const rate_limit limit : {rate_limit{6, 2}, rate_limit{30, 5}, rate_limit{4, 1},
                                 rate_limit{100, 100}, rate_limit{10, 50}}) {
    gcra g(limit);
    std::deque<core::time_point> calls;
    int granted = 0;
    for (auto now = t0; now < t0 + 1h; now += 250ms) {
      while (g.reserve(now, 1, 0s)) {
        calls.push_back(now);
        ++granted;
        while (calls.front() <= now - 60s) calls.pop_front();
        ASSERT_LE(static_cast<double>(calls.size()), limit.per_minute)
            << limit.per_minute << "/min burst " << limit.burst;
      }
    }
    // …and greedy callers do get close to it over an hour (the burst is carved out of it).
    EXPECT_GE(granted, static_cast<int>(60 * (limit.per_minute - std::min<double>(limit.burst, limit.per_minute) + 1)))
        << limit.per_minute;
  }
}

TEST(Gcra, WeightsCountAsUnits) {
  gcra g({1200, 40});  // Binance-like request weight
  int granted = 0;
  while (g.reserve(t0, 2, 0s)) ++granted;
  EXPECT_EQ(granted, 20);  // a burst of 40 units at weight 2
}

TEST(Gcra, WeightAboveTheBurstNeedsAFullBucket) {
  gcra g({600, 10});
  EXPECT_EQ(g.reserve(t0, 80, 0s), core::duration::zero());
  EXPECT_FALSE(g.reserve(t0, 1, 0s).has_value());
}

TEST(Gcra, IdleTimeDoesNotBankMoreThanTheBurst) {
  gcra g({6, 2});
  int granted = 0;
  while (g.reserve(t0 + 1h, 1, 0s)) ++granted;
  EXPECT_EQ(granted, 2);
}

TEST(Gcra, SlowRatesBelowOnePerMinute) {
  gcra g({0.5, 3});  // one call every two minutes; the burst cannot exceed the rate
  EXPECT_EQ(g.burst(), 1);
  EXPECT_TRUE(g.reserve(t0, 1, 0s));
  EXPECT_FALSE(g.reserve(t0 + 119s, 1, 0s));
  EXPECT_TRUE(g.reserve(t0 + 120s, 1, 0s));
}

TEST(Gcra, ReconfigureAppliesToLaterCalls) {
  gcra g({6, 1});
  EXPECT_TRUE(g.reserve(t0, 1, 0s));
  EXPECT_FALSE(g.reserve(t0 + 5s, 1, 0s));
  g.reconfigure({60, 1});
  // tat was t0 + 10 s; the new spacing is 1 s, the tolerance 1 s.
  EXPECT_EQ(g.reserve(t0 + 5s, 1, 10s), 5s);
}

}  // namespace
}  // namespace cryptodash::upstream
