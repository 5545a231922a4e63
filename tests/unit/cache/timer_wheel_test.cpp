#include "cache/timer_wheel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

namespace cryptodash::cache {
namespace {

using namespace std::chrono;

constexpr std::int64_t ns(auto d) { return duration_cast<nanoseconds>(d).count(); }

class TimerWheel : public ::testing::Test {
 protected:
  const std::int64_t start = ns(hours(24 * 365 * 56));  // an arbitrary, realistic epoch offset
  timer_wheel wheel{start};
  std::vector<policy_node> nodes{64};
  std::vector<policy_node*> expired;

  policy_node* at(int i, std::int64_t due) {
    nodes[i].expires_ns = due;
    wheel.schedule(&nodes[i]);
    return &nodes[i];
  }
  void advance_to(std::int64_t t) {
    wheel.advance(t, [this](policy_node* n) { expired.push_back(n); });
  }
};

TEST_F(TimerWheel, ExpiresWhatIsDueAndNothingElse) {
  auto* soon = at(0, start + ns(seconds(2)));
  auto* later = at(1, start + ns(seconds(30)));
  auto* much_later = at(2, start + ns(minutes(90)));
  advance_to(start + ns(seconds(1)));
  EXPECT_TRUE(expired.empty());
  advance_to(start + ns(seconds(4)));
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0], soon);
  EXPECT_FALSE(soon->scheduled);
  advance_to(start + ns(seconds(40)));
  ASSERT_EQ(expired.size(), 2U);
  EXPECT_EQ(expired[1], later);
  advance_to(start + ns(minutes(89)));
  EXPECT_EQ(expired.size(), 2U);
  advance_to(start + ns(minutes(92)));
  ASSERT_EQ(expired.size(), 3U);
  EXPECT_EQ(expired[2], much_later);
}

TEST_F(TimerWheel, ReportsAtMostAboutOneSecondLate) {
  for (int i = 0; i < 50; ++i) at(i, start + ns(milliseconds(1700 * i + 300)));
  std::set<policy_node*> seen;
  for (std::int64_t t = start; t <= start + ns(seconds(90)); t += ns(milliseconds(100))) {
    expired.clear();
    advance_to(t);
    for (auto* n : expired) {
      EXPECT_LE(n->expires_ns, t);
      EXPECT_LE(t - n->expires_ns, ns(milliseconds(2300))) << "late by " << (t - n->expires_ns);
      seen.insert(n);
    }
  }
  EXPECT_EQ(seen.size(), 50U);
}

TEST_F(TimerWheel, HandlesDaysAndWeeks) {
  auto* day = at(0, start + ns(hours(24)));
  auto* week = at(1, start + ns(hours(24 * 8)));
  advance_to(start + ns(hours(23)));
  EXPECT_TRUE(expired.empty());
  advance_to(start + ns(hours(26)));
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0], day);
  advance_to(start + ns(hours(24 * 7)));
  EXPECT_EQ(expired.size(), 1U);
  advance_to(start + ns(hours(24 * 9)));
  ASSERT_EQ(expired.size(), 2U);
  EXPECT_EQ(expired[1], week);
}

TEST_F(TimerWheel, DescheduledNodesNeverFire) {
  auto* a = at(0, start + ns(seconds(5)));
  at(1, start + ns(seconds(5)));
  wheel.deschedule(a);
  EXPECT_FALSE(a->scheduled);
  wheel.deschedule(a);  // twice is harmless
  advance_to(start + ns(seconds(10)));
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0], &nodes[1]);
}

TEST_F(TimerWheel, AlreadyDueIsReportedAtTheNextTick) {
  at(0, start - ns(seconds(10)));
  advance_to(start + ns(seconds(2)));
  EXPECT_EQ(expired.size(), 1U);
}

TEST_F(TimerWheel, NeverExpiringNodesAreNotScheduled) {
  nodes[0].expires_ns = never_expires;
  wheel.schedule(&nodes[0]);
  EXPECT_FALSE(nodes[0].scheduled);
}

TEST_F(TimerWheel, LargeJumpsExpireEverything) {
  for (int i = 0; i < 60; ++i) at(i, start + ns(seconds(i * 97 + 1)));
  advance_to(start + ns(hours(24 * 30)));
  EXPECT_EQ(expired.size(), 60U);
}

}  // namespace
}  // namespace cryptodash::cache
