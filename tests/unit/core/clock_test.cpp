#include "core/clock.h"

#include <gtest/gtest.h>

namespace cryptodash::core {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenTold) {
  manual_clock c;
  auto t0 = c.now();
  EXPECT_EQ(c.now(), t0);
  c.advance(1500ms);
  EXPECT_EQ(c.now() - t0, 1500ms);
  c.set(from_unix_seconds(1'700'000'000));
  EXPECT_EQ(to_unix_seconds(c.now()), 1'700'000'000);
}

TEST(ManualClock, StartsAtAFixedInstant) {
  manual_clock c;
  EXPECT_EQ(format_rfc3339(c.now()), "2026-01-01T00:00:00Z");
}

TEST(Rfc3339, FormatsUtcWholeSeconds) {
  auto t = from_unix_seconds(1'795'343'445) + 999ms;  // 2026-11-22T10:30:45.999Z
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T10:30:45Z");
}

TEST(Rfc3339, FormatsMillisecondsRoundedDown) {
  const auto t = from_unix_seconds(1'795'343'445);
  EXPECT_EQ(format_rfc3339_ms(t + 999ms + 999us), "2026-11-22T10:30:45.999Z");
  EXPECT_EQ(format_rfc3339_ms(t + 7ms), "2026-11-22T10:30:45.007Z");
  EXPECT_EQ(format_rfc3339_ms(t), "2026-11-22T10:30:45.000Z");
}

TEST(SystemClock, IsNearTheRealTime) {
  auto a = std::chrono::system_clock::now();
  auto b = system_clock::instance().now();
  EXPECT_LT(std::chrono::abs(b - a), 5s);
}

}  // namespace
}  // namespace cryptodash::core

namespace cryptodash::core {
namespace {

TEST(parse_rfc3339, reads_utc_offsets_and_fractions) {
  using namespace std::chrono;
  const auto base = parse_rfc3339("2026-11-22T10:30:45Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(format_rfc3339(*base), "2026-11-22T10:30:45Z");
  EXPECT_EQ(parse_rfc3339("2026-11-22t10:30:45z"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-22T12:30:45+02:00"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-22T03:00:45-07:30"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:30:45.5Z"), *base + milliseconds(500));
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:30:45.123456789123Z"), *base + nanoseconds(123456789));
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), time_point(sys_days(2024y / 2 / 29)));
}

TEST(parse_rfc3339, refuses_what_is_not_a_timestamp) {
  for (auto bad : {"", "2026-11-22", "2026-11-22T10:30Z", "2026-11-22 10:30:45Z",
                   "2026-11-22T10:30:45", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                   "2025-02-29T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z",
                   "2026-11-22T10:30:60Z", "2026-11-22T10:30:45.Z", "2026-11-22T10:30:45+0200",
                   "2026-11-22T10:30:45+24:00", "2026-11-22T10:30:45Zjunk", "26-11-22T10:30:45Z",
                   "2026-11-22T10:30:45 Z", "x026-11-22T10:30:45Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace cryptodash::core
