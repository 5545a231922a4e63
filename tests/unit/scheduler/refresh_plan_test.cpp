#include "scheduler/refresh_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::scheduler {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

const core::time_point t0 = core::manual_clock::default_start();

// Defaults: dashboard 300 s, market 60 s, backoff ceiling 900 s. So the base intervals are
// critical 300 s, high 60 s, medium 120 s, low 240 s.
const config::scheduler_settings defaults{};

std::vector<std::string> names(const std::vector<refresh_plan::due_item>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.name);
  return out;
}

using list = std::vector<std::string>;

TEST(Priority, Names) {
  EXPECT_EQ(std::string_view(to_string(priority::critical)), "critical");
  EXPECT_EQ(std::string_view(to_string(priority::high)), "high");
  EXPECT_EQ(std::string_view(to_string(priority::medium)), "medium");
  EXPECT_EQ(std::string_view(to_string(priority::low)), "low");
}

TEST(BaseInterval, FromTheSettings) {
  EXPECT_EQ(base_interval(defaults, priority::critical), 300s);
  EXPECT_EQ(base_interval(defaults, priority::high), 60s);
  EXPECT_EQ(base_interval(defaults, priority::medium), 120s);
  EXPECT_EQ(base_interval(defaults, priority::low), 240s);

  config::scheduler_settings s;
  s.dashboard_interval_seconds = 30;
  s.market_interval_seconds = 7;
  EXPECT_EQ(base_interval(s, priority::critical), 30s);
  EXPECT_EQ(base_interval(s, priority::high), 7s);
  EXPECT_EQ(base_interval(s, priority::medium), 14s);
  EXPECT_EQ(base_interval(s, priority::low), 28s);
}

TEST(Refreshes, Matrix) {
  for (const auto p : {priority::critical, priority::high, priority::medium, priority::low}) {
    EXPECT_TRUE(refreshes(strategy::aggressive, p)) << to_string(p);
    EXPECT_TRUE(refreshes(strategy::normal, p)) << to_string(p);
  }
  EXPECT_TRUE(refreshes(strategy::conservative, priority::critical));
  EXPECT_TRUE(refreshes(strategy::conservative, priority::high));
  EXPECT_TRUE(refreshes(strategy::conservative, priority::medium));
  EXPECT_FALSE(refreshes(strategy::conservative, priority::low));
  EXPECT_TRUE(refreshes(strategy::minimal, priority::critical));
  EXPECT_TRUE(refreshes(strategy::minimal, priority::high));
  EXPECT_FALSE(refreshes(strategy::minimal, priority::medium));
  EXPECT_FALSE(refreshes(strategy::minimal, priority::low));
}

TEST(RefreshPlan, ANewItemIsDueAtOnce) {
  refresh_plan plan;
  EXPECT_EQ(plan.size(), 0u);
  plan.upsert("btc", priority::high, t0, defaults);
  EXPECT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan.next_due("btc"), t0);
  const auto due = plan.due(t0, strategy::normal);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].name, "btc");
  EXPECT_EQ(due[0].cls, priority::high);
  EXPECT_EQ(due[0].failures, 0);
  EXPECT_TRUE(plan.due(t0 - 1s, strategy::normal).empty());
}

TEST(RefreshPlan, UnknownNames) {
  refresh_plan plan;
  EXPECT_EQ(plan.next_due("nope"), std::nullopt);
  EXPECT_EQ(plan.current_interval("nope", strategy::normal, defaults), std::nullopt);
  plan.report("nope", true, t0, strategy::normal, defaults);  // ignored, not added
  plan.erase("nope");
  EXPECT_EQ(plan.size(), 0u);
}

TEST(RefreshPlan, DueOrdersByClassThenOldestDueThenName) {
  refresh_plan plan;
  plan.upsert("pepe", priority::low, t0, defaults);
  plan.upsert("sol", priority::medium, t0 + 1s, defaults);
  plan.upsert("btc", priority::high, t0 + 5s, defaults);
  plan.upsert("eth", priority::high, t0 + 2s, defaults);
  plan.upsert("xrp", priority::high, t0 + 5s, defaults);
  plan.upsert("ada", priority::high, t0 + 5s, defaults);
  plan.upsert("dashboard", priority::critical, t0 + 9s, defaults);
  plan.upsert("later", priority::critical, t0 + 11s, defaults);

  EXPECT_EQ(names(plan.due(t0 + 10s, strategy::normal)),
            (list{"dashboard", "eth", "ada", "btc", "xrp", "sol", "pepe"}));
  // Exactly at its due time an item is due.
  EXPECT_EQ(names(plan.due(t0 + 11s, strategy::normal)),
            (list{"dashboard", "later", "eth", "ada", "btc", "xrp", "sol", "pepe"}));
  EXPECT_EQ(names(plan.due(t0 + 1s, strategy::normal)), (list{"sol", "pepe"}));
}

TEST(RefreshPlan, DueSkipsClassesTheStrategyDoesNotRefresh) {
  refresh_plan plan;
  plan.upsert("dashboard", priority::critical, t0, defaults);
  plan.upsert("btc", priority::high, t0, defaults);
  plan.upsert("sol", priority::medium, t0, defaults);
  plan.upsert("pepe", priority::low, t0, defaults);
  EXPECT_EQ(names(plan.due(t0, strategy::aggressive)), (list{"dashboard", "btc", "sol", "pepe"}));
  EXPECT_EQ(names(plan.due(t0, strategy::normal)), (list{"dashboard", "btc", "sol", "pepe"}));
  EXPECT_EQ(names(plan.due(t0, strategy::conservative)), (list{"dashboard", "btc", "sol"}));
  EXPECT_EQ(names(plan.due(t0, strategy::minimal)), (list{"dashboard", "btc"}));
  EXPECT_EQ(plan.size(), 4u);  // skipped, not dropped
}

TEST(RefreshPlan, SuccessSchedulesBaseTimesTheStrategyFactor) {
  refresh_plan plan;
  plan.upsert("btc", priority::high, t0, defaults);
  plan.upsert("dashboard", priority::critical, t0, defaults);

  plan.report("btc", true, t0, strategy::normal, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 60s);
  plan.report("btc", true, t0, strategy::aggressive, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 30s);
  plan.report("btc", true, t0, strategy::conservative, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 120s);
  plan.report("btc", true, t0, strategy::minimal, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 240s);

  plan.report("dashboard", true, t0 + 7s, strategy::aggressive, defaults);
  EXPECT_EQ(plan.next_due("dashboard"), t0 + 7s + 150s);
  EXPECT_TRUE(plan.due(t0 + 156s, strategy::aggressive).empty());
  EXPECT_EQ(names(plan.due(t0 + 157s, strategy::aggressive)), (list{"dashboard"}));
}

TEST(RefreshPlan, FailuresBackOffDoublingUpToTheCeiling) {
  refresh_plan plan;
  plan.upsert("btc", priority::high, t0, defaults);
  core::time_point now = t0;
  // 60 s base: 120, 240, 480, then 960 capped at 900, and it stays there.
  for (const seconds expected : {120s, 240s, 480s, 900s, 900s, 900s}) {
    plan.report("btc", false, now, strategy::normal, defaults);
    EXPECT_EQ(plan.next_due("btc"), now + expected);
    EXPECT_EQ(plan.current_interval("btc", strategy::normal, defaults), expected);
    now += expected;
  }
  const auto due = plan.due(now, strategy::normal);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].failures, 6);
}

TEST(RefreshPlan, BackoffIgnoresTheStrategy) {
  refresh_plan plan;
  plan.upsert("btc", priority::high, t0, defaults);
  plan.report("btc", false, t0, strategy::aggressive, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 120s);
  plan.report("btc", false, t0, strategy::minimal, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 240s);
  EXPECT_EQ(plan.current_interval("btc", strategy::aggressive, defaults), 240s);
  EXPECT_EQ(plan.current_interval("btc", strategy::minimal, defaults), 240s);
}

TEST(RefreshPlan, BackoffCeilingFollowsTheSetting) {
  auto s = defaults;
  s.max_backoff_seconds = 100;
  refresh_plan plan;
  plan.upsert("dashboard", priority::critical, t0, s);
  plan.report("dashboard", false, t0, strategy::normal, s);
  // min(300 x 2, 100): the ceiling wins even over the base interval.
  EXPECT_EQ(plan.next_due("dashboard"), t0 + 100s);

  s.max_backoff_seconds = 900;
  plan.report("dashboard", false, t0, strategy::normal, s);
  EXPECT_EQ(plan.next_due("dashboard"), t0 + 900s);  // 300 x 4 = 1200, capped
}

TEST(RefreshPlan, ASuccessResetsTheBackoff) {
  refresh_plan plan;
  plan.upsert("sol", priority::medium, t0, defaults);
  plan.report("sol", false, t0, strategy::normal, defaults);
  plan.report("sol", false, t0, strategy::normal, defaults);
  plan.report("sol", false, t0, strategy::normal, defaults);
  EXPECT_EQ(plan.next_due("sol"), t0 + 900s);  // 120 x 8 = 960, capped

  plan.report("sol", true, t0 + 900s, strategy::normal, defaults);
  EXPECT_EQ(plan.next_due("sol"), t0 + 900s + 120s);
  EXPECT_EQ(plan.current_interval("sol", strategy::normal, defaults), 120s);
  EXPECT_EQ(plan.due(t0 + 1020s, strategy::normal).at(0).failures, 0);

  // The next failure starts over at 2 x base.
  plan.report("sol", false, t0 + 1020s, strategy::normal, defaults);
  EXPECT_EQ(plan.next_due("sol"), t0 + 1020s + 240s);
}

TEST(RefreshPlan, CurrentInterval) {
  refresh_plan plan;
  plan.upsert("dashboard", priority::critical, t0, defaults);
  plan.upsert("pepe", priority::low, t0, defaults);
  EXPECT_EQ(plan.current_interval("dashboard", strategy::aggressive, defaults), 150s);
  EXPECT_EQ(plan.current_interval("dashboard", strategy::normal, defaults), 300s);
  EXPECT_EQ(plan.current_interval("dashboard", strategy::conservative, defaults), 600s);
  EXPECT_EQ(plan.current_interval("dashboard", strategy::minimal, defaults), 1200s);
  EXPECT_EQ(plan.current_interval("pepe", strategy::minimal, defaults), 960s);

  // Follows the settings passed, and rounds to whole seconds, at least 1 s.
  auto s = defaults;
  s.dashboard_interval_seconds = 3;
  s.market_interval_seconds = 1;
  EXPECT_EQ(plan.current_interval("dashboard", strategy::aggressive, s), 2s);  // 1.5 → 2
  plan.upsert("btc", priority::high, t0, s);
  EXPECT_EQ(plan.current_interval("btc", strategy::aggressive, s), 1s);  // 0.5 → 1
  plan.report("btc", true, t0, strategy::aggressive, s);
  EXPECT_EQ(plan.next_due("btc"), t0 + 1s);
}

TEST(RefreshPlan, UpsertOfAKnownNameKeepsItsSchedule) {
  refresh_plan plan;
  plan.upsert("btc", priority::high, t0, defaults);
  plan.report("btc", true, t0, strategy::normal, defaults);
  plan.upsert("btc", priority::high, t0 + 10s, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 60s);
  EXPECT_EQ(plan.size(), 1u);
}

TEST(RefreshPlan, UpsertToAShorterClassPullsTheItemIn) {
  refresh_plan plan;
  plan.upsert("pepe", priority::low, t0, defaults);
  plan.report("pepe", true, t0, strategy::normal, defaults);
  ASSERT_EQ(plan.next_due("pepe"), t0 + 240s);

  plan.upsert("pepe", priority::high, t0 + 10s, defaults);
  EXPECT_EQ(plan.next_due("pepe"), t0 + 70s);  // now + 60 s, the high interval
  EXPECT_EQ(plan.due(t0 + 70s, strategy::normal).at(0).cls, priority::high);
  EXPECT_EQ(plan.current_interval("pepe", strategy::normal, defaults), 60s);
}

TEST(RefreshPlan, UpsertToAShorterClassKeepsAnEarlierDueTime) {
  refresh_plan plan;
  plan.upsert("sol", priority::medium, t0, defaults);
  plan.report("sol", true, t0, strategy::normal, defaults);  // due at 120
  plan.upsert("sol", priority::high, t0 + 100s, defaults);   // now + 60 = 160 is later
  EXPECT_EQ(plan.next_due("sol"), t0 + 120s);
}

TEST(RefreshPlan, UpsertToALongerClassKeepsTheSchedule) {
  refresh_plan plan;
  plan.upsert("btc", priority::high, t0, defaults);
  plan.report("btc", true, t0, strategy::normal, defaults);
  plan.upsert("btc", priority::low, t0 + 5s, defaults);
  EXPECT_EQ(plan.next_due("btc"), t0 + 60s);
  EXPECT_EQ(plan.current_interval("btc", strategy::normal, defaults), 240s);
}

TEST(RefreshPlan, UpsertOfAFailingItemPullsInToItsBackoffInTheNewClass) {
  refresh_plan plan;
  plan.upsert("pepe", priority::low, t0, defaults);
  plan.report("pepe", false, t0, strategy::normal, defaults);
  plan.report("pepe", false, t0, strategy::normal, defaults);
  ASSERT_EQ(plan.next_due("pepe"), t0 + 900s);  // 240 x 4 = 960, capped

  plan.upsert("pepe", priority::high, t0, defaults);
  EXPECT_EQ(plan.next_due("pepe"), t0 + 240s);  // 60 x 4: still backing off, failures kept
  EXPECT_EQ(plan.due(t0 + 240s, strategy::normal).at(0).failures, 2);
}

TEST(RefreshPlan, RetainDropsUnlistedItemsOfOneClass) {
  refresh_plan plan;
  plan.upsert("dashboard", priority::critical, t0, defaults);
  plan.upsert("btc", priority::high, t0, defaults);
  plan.upsert("eth", priority::high, t0, defaults);
  plan.upsert("sol", priority::medium, t0, defaults);

  plan.retain(priority::high, {"btc", "doge"});
  EXPECT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan.next_due("eth"), std::nullopt);
  EXPECT_EQ(names(plan.due(t0, strategy::normal)), (list{"dashboard", "btc", "sol"}));

  plan.retain(priority::critical, {});  // never removes critical items
  EXPECT_EQ(plan.next_due("dashboard"), t0);

  plan.retain(priority::medium, {});
  plan.retain(priority::low, {});
  EXPECT_EQ(names(plan.due(t0, strategy::normal)), (list{"dashboard", "btc"}));
}

TEST(RefreshPlan, Erase) {
  refresh_plan plan;
  plan.upsert("dashboard", priority::critical, t0, defaults);
  plan.upsert("btc", priority::high, t0, defaults);
  plan.erase("dashboard");
  EXPECT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan.next_due("dashboard"), std::nullopt);
  EXPECT_EQ(names(plan.due(t0, strategy::normal)), (list{"btc"}));
}

}  // namespace
}  // namespace cryptodash::scheduler
