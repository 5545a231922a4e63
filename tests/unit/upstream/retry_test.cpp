#include "upstream/retry.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono_literals;

TEST(ClassifyStatus, DecidesByStatusAlone) {
  EXPECT_EQ(classify_status(200), attempt_class::success);
  EXPECT_EQ(classify_status(204), attempt_class::success);
  EXPECT_EQ(classify_status(400), attempt_class::client_error);
  EXPECT_EQ(classify_status(401), attempt_class::client_error);
  EXPECT_EQ(classify_status(404), attempt_class::client_error);
  EXPECT_EQ(classify_status(451), attempt_class::client_error);
  EXPECT_EQ(classify_status(408), attempt_class::retryable);
  EXPECT_EQ(classify_status(500), attempt_class::retryable);
  EXPECT_EQ(classify_status(503), attempt_class::retryable);
  EXPECT_EQ(classify_status(429), attempt_class::rate_limited);
  EXPECT_EQ(classify_status(418), attempt_class::rate_limited);
  EXPECT_EQ(classify_status(302), attempt_class::client_error);
}

TEST(FullJitter, StaysUnderTheExponentialCeiling) {
  EXPECT_EQ(full_jitter(0, 500ms, 30s, 0.0), 0ms);
  EXPECT_EQ(full_jitter(0, 500ms, 30s, 0.5), 250ms);
  EXPECT_EQ(full_jitter(1, 500ms, 30s, 0.5), 500ms);
  EXPECT_EQ(full_jitter(3, 500ms, 30s, 0.5), 2000ms);
  EXPECT_EQ(full_jitter(10, 500ms, 30s, 0.5), 15s);  // capped at 30 s
  EXPECT_EQ(full_jitter(1000, 500ms, 30s, 0.999999), full_jitter(30, 500ms, 30s, 0.999999));
  EXPECT_LT(full_jitter(10, 500ms, 30s, 0.999999), 30s);
}

TEST(RetryAfter, Seconds) {
  const auto now = core::manual_clock::default_start();
  EXPECT_EQ(parse_retry_after("5", now), 5s);
  EXPECT_EQ(parse_retry_after(" 119 ", now), 119s);
  EXPECT_EQ(parse_retry_after("0", now), 0s);
  EXPECT_EQ(parse_retry_after("99999999", now), std::chrono::hours(7 * 24));  // capped
}

TEST(RetryAfter, HttpDate) {
  const auto now = core::from_unix_seconds(1445412470);  // 2015-10-21T07:27:50Z
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 10s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0s);  // past
}

TEST(RetryAfter, MalformedIsNullopt) {
  const auto now = core::manual_clock::default_start();
  for (const char* v : {"", "soon", "5s", "-1", "1.5", "Wed, 21 Oct 2015", "12abc"})
    EXPECT_FALSE(parse_retry_after(v, now).has_value()) << v;
}

}  // namespace
}  // namespace cryptodash::upstream
