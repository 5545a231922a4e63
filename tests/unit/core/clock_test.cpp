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
