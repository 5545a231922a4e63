#include "reports/daily_job.h"

#include <gtest/gtest.h>

namespace cryptodash::reports {
namespace {

using namespace std::chrono;

core::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return core::time_point(sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) +
                          seconds(s));
}

TEST(daily_job, reads_hh_mm_and_refuses_anything_else) {
  EXPECT_EQ(parse_daily_at("00:05"), 5);
  EXPECT_EQ(parse_daily_at("23:59"), 23 * 60 + 59);
  EXPECT_EQ(parse_daily_at("12:00"), 720);
  for (auto bad : {"24:00", "12:60", "1:05", "01:5", "0105", "01-05", "", "ab:cd", "01:05 "}) {
    EXPECT_FALSE(parse_daily_at(bad)) << bad;
  }
}

TEST(daily_job, the_last_slot_is_today_once_its_time_has_come_else_yesterday) {
  EXPECT_EQ(last_daily_slot(at(2026, 12, 4, 0, 4, 59), 5), at(2026, 12, 3, 0, 5));
  EXPECT_EQ(last_daily_slot(at(2026, 12, 4, 0, 5), 5), at(2026, 12, 4, 0, 5));
  EXPECT_EQ(last_daily_slot(at(2026, 12, 4, 18, 0), 5), at(2026, 12, 4, 0, 5));
  EXPECT_EQ(last_daily_slot(at(2027, 1, 1, 0, 0), 23 * 60 + 30), at(2026, 12, 31, 23, 30));
}

TEST(daily_job, a_report_is_due_when_none_was_made_since_the_last_slot) {
  const int slot = 5;  // 00:05 UTC
  const auto now = at(2026, 12, 4, 9, 0);
  EXPECT_TRUE(daily_report_due(now, slot, std::nullopt));
  EXPECT_TRUE(daily_report_due(now, slot, at(2026, 12, 4, 0, 4)));   // before today's slot
  EXPECT_TRUE(daily_report_due(now, slot, at(2026, 12, 2, 0, 5)));   // a missed day
  EXPECT_FALSE(daily_report_due(now, slot, at(2026, 12, 4, 0, 5)));  // made at the slot
  EXPECT_FALSE(daily_report_due(now, slot, at(2026, 12, 4, 8, 0)));  // made by hand since
  // Just before the next slot nothing is due; at it, the next one is.
  EXPECT_FALSE(daily_report_due(at(2026, 12, 5, 0, 4), slot, at(2026, 12, 4, 0, 5)));
  EXPECT_TRUE(daily_report_due(at(2026, 12, 5, 0, 5), slot, at(2026, 12, 4, 0, 5)));
}

}  // namespace
}  // namespace cryptodash::reports
