#include "upstream/budget.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono_literals;

TEST(Budget, PeriodsAreUtcCalendarLabels) {
  const auto t = core::from_unix_seconds(1795343445);  // 2026-11-22T10:30:45Z
  const auto p = periods_of(t);
  EXPECT_EQ(p.minute, "202611221030");
  EXPECT_EQ(p.day, "20261122");
  EXPECT_EQ(p.month, "202611");
}

TEST(Budget, CountsRollOverByMinuteDayAndMonth) {
  const auto t = core::from_unix_seconds(1796083140);  // 2026-11-30T23:59:00Z
  budget_counter c;
  c.record(t);
  c.record(t + 30s, 2);
  auto u = c.usage(t + 30s);
  EXPECT_EQ(u.minute, 3);
  EXPECT_EQ(u.day, 3);
  EXPECT_EQ(u.month, 3);
  u = c.usage(t + 60s);  // 2026-12-01T00:00:00Z: a new minute, day and month
  EXPECT_EQ(u.minute, 0);
  EXPECT_EQ(u.day, 0);
  EXPECT_EQ(u.month, 0);
  c.record(t + 60s);
  EXPECT_EQ(c.usage(t + 61s).month, 1);
}

TEST(Budget, KeepsTheMonthAcrossDays) {
  const auto t = core::from_unix_seconds(1795350645);
  budget_counter c;
  c.record(t, 5);
  c.record(t + 24h, 2);
  const auto u = c.usage(t + 24h);
  EXPECT_EQ(u.day, 2);
  EXPECT_EQ(u.month, 7);
}

TEST(Budget, ExhaustedAtTheLimitAndZeroMeansUnlimited) {
  EXPECT_FALSE(exhausted({0, 99, 9999}, {100, 10000}));
  EXPECT_TRUE(exhausted({0, 100, 100}, {100, 10000}));
  EXPECT_TRUE(exhausted({0, 1, 10000}, {100, 10000}));
  EXPECT_FALSE(exhausted({0, 1000000, 1000000}, {0, 0}));
}

}  // namespace
}  // namespace cryptodash::upstream
