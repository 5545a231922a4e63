#include "upstream/breaker.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono_literals;
const core::time_point t0 = core::manual_clock::default_start();

breaker_settings settings() {
  breaker_settings s;
  s.failure_threshold = 3;
  s.failure_rate = 0.5;
  s.window = 60s;
  s.min_calls = 10;
  s.open_for = 30s;
  s.half_open_probes = 1;
  return s;
}

void fail(circuit_breaker& b, core::time_point now) {
  ASSERT_TRUE(b.try_acquire(now));
  b.on_failure(now);
}
void succeed(circuit_breaker& b, core::time_point now) {
  ASSERT_TRUE(b.try_acquire(now));
  b.on_success(now);
}

TEST(Breaker, OpensAfterConsecutiveFailures) {
  circuit_breaker b(settings());
  fail(b, t0);
  fail(b, t0);
  EXPECT_EQ(b.state(t0), breaker_state::closed);
  fail(b, t0);
  EXPECT_EQ(b.state(t0), breaker_state::open);
  EXPECT_FALSE(b.try_acquire(t0 + 29s));
  EXPECT_EQ(b.stats(t0).opened, 1u);
  EXPECT_EQ(b.stats(t0 + 29s).rejected, 1u);
}

TEST(Breaker, ASuccessResetsTheConsecutiveCount) {
  circuit_breaker b(settings());
  fail(b, t0);
  fail(b, t0);
  succeed(b, t0);
  fail(b, t0);
  fail(b, t0);
  EXPECT_EQ(b.state(t0), breaker_state::closed);
}

TEST(Breaker, OpensOnFailureRateOnceTheWindowHasEnoughCalls) {
  auto s = settings();
  s.failure_threshold = 100;
  circuit_breaker b(s);
  // Alternating: never 2 failures in a row, but half the calls fail.
  for (int i = 0; i < 8; ++i) {
    if (i % 2) fail(b, t0 + std::chrono::seconds(i)); else succeed(b, t0 + std::chrono::seconds(i));
  }
  EXPECT_EQ(b.state(t0 + 8s), breaker_state::closed);  // 8 calls < min_calls
  succeed(b, t0 + 8s);
  fail(b, t0 + 9s);  // 10 calls, 5 failures: 50 %
  EXPECT_EQ(b.state(t0 + 9s), breaker_state::open);
}

TEST(Breaker, OldFailuresLeaveTheWindow) {
  auto s = settings();
  s.failure_threshold = 100;
  circuit_breaker b(s);
  for (int i = 0; i < 9; ++i) fail(b, t0);
  succeed(b, t0 + 61s);  // the nine failures are more than a window old
  EXPECT_EQ(b.stats(t0 + 61s).window_calls, 1);
  fail(b, t0 + 61s);
  EXPECT_EQ(b.state(t0 + 61s), breaker_state::closed);
}

TEST(Breaker, HalfOpenLetsOneProbeThroughAndClosesOnSuccess) {
  circuit_breaker b(settings());
  for (int i = 0; i < 3; ++i) fail(b, t0);
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::half_open);
  EXPECT_TRUE(b.try_acquire(t0 + 30s));
  EXPECT_FALSE(b.try_acquire(t0 + 30s));  // one probe at a time
  b.on_success(t0 + 31s);
  EXPECT_EQ(b.state(t0 + 31s), breaker_state::closed);
  EXPECT_TRUE(b.try_acquire(t0 + 31s));
}

TEST(Breaker, AFailedProbeReopensForAnotherCoolDown) {
  circuit_breaker b(settings());
  for (int i = 0; i < 3; ++i) fail(b, t0);
  ASSERT_TRUE(b.try_acquire(t0 + 30s));
  b.on_failure(t0 + 30s);
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::open);
  EXPECT_FALSE(b.try_acquire(t0 + 59s));
  EXPECT_TRUE(b.try_acquire(t0 + 60s));
  EXPECT_EQ(b.stats(t0 + 60s).opened, 2u);
}

TEST(Breaker, SeveralProbesMustAllSucceed) {
  auto s = settings();
  s.half_open_probes = 2;
  circuit_breaker b(s);
  for (int i = 0; i < 3; ++i) fail(b, t0);
  ASSERT_TRUE(b.try_acquire(t0 + 30s));
  ASSERT_TRUE(b.try_acquire(t0 + 30s));
  EXPECT_FALSE(b.try_acquire(t0 + 30s));
  b.on_success(t0 + 30s);
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::half_open);
  b.on_success(t0 + 30s);
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::closed);
}

TEST(Breaker, ANeutralProbeFreesItsSlot) {
  circuit_breaker b(settings());
  for (int i = 0; i < 3; ++i) fail(b, t0);
  ASSERT_TRUE(b.try_acquire(t0 + 30s));
  b.on_neutral(t0 + 30s);  // e.g. refused by the rate limiter before it was sent
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::half_open);
  EXPECT_TRUE(b.try_acquire(t0 + 30s));
}

TEST(Breaker, AStragglerFailureWhileOpenChangesNothing) {
  circuit_breaker b(settings());
  ASSERT_TRUE(b.try_acquire(t0));  // in flight when the breaker opens
  for (int i = 0; i < 3; ++i) fail(b, t0);
  b.on_failure(t0 + 1s);
  EXPECT_EQ(b.stats(t0 + 1s).opened, 1u);
  EXPECT_EQ(b.state(t0 + 30s), breaker_state::half_open);
}

TEST(Breaker, StateNames) {
  EXPECT_EQ(to_string(breaker_state::closed), "closed");
  EXPECT_EQ(to_string(breaker_state::open), "open");
  EXPECT_EQ(to_string(breaker_state::half_open), "half_open");
}

}  // namespace
}  // namespace cryptodash::upstream
