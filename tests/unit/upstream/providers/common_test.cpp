#include "upstream/providers/common.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono;
using core::errc;

core::time_point utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s);
}

TEST(check_status, decides_by_status_alone) {
  for (unsigned s : {200u, 201u, 203u, 204u, 299u}) EXPECT_TRUE(check_status(s)) << s;
  auto code = [](unsigned s) { return check_status(s).error(); };
  EXPECT_EQ(code(404), make_error_code(errc::not_found));
  EXPECT_EQ(code(401), make_error_code(errc::unauthorized));
  EXPECT_EQ(code(403), make_error_code(errc::unauthorized));
  EXPECT_EQ(code(451), make_error_code(errc::forbidden));
  EXPECT_EQ(code(418), make_error_code(errc::rate_limited));
  EXPECT_EQ(code(429), make_error_code(errc::rate_limited));
  for (unsigned s : {0u, 100u, 199u, 300u, 302u, 400u, 405u, 408u, 410u, 500u, 503u, 504u, 600u}) {
    EXPECT_EQ(code(s), make_error_code(errc::upstream_error)) << s;
  }
}

TEST(parse_body, status_first_then_json) {
  call_response r;
  r.status = 429;
  r.body = "{}";
  EXPECT_EQ(parse_body(r).error(), make_error_code(errc::rate_limited));
  r.status = 200;
  EXPECT_TRUE(parse_body(r));
  r.body = "Throttled";
  EXPECT_EQ(parse_body(r).error(), make_error_code(errc::bad_response));
}

TEST(percent_encode, keeps_only_unreserved) {
  EXPECT_EQ(percent_encode("BTC/USDT"), "BTC%2FUSDT");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b"), "a%20b");
  EXPECT_EQ(percent_encode("&=?#%+,"), "%26%3D%3F%23%25%2B%2C");
  EXPECT_EQ(percent_encode("[\"X\"]"), "%5B%22X%22%5D");
  EXPECT_EQ(percent_encode("\xc3\xa4"), "%C3%A4");
  EXPECT_EQ(percent_encode(std::string_view("\0", 1)), "%00");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(target_builder, builds_query_and_redacted_twin) {
  target_builder plain("/global");
  EXPECT_EQ(plain.target(), "/global");
  EXPECT_EQ(plain.log_target(), "/global");

  target_builder t("/rsi");
  t.add_secret("secret", "a/b c").add("symbol", "BTC/USDT").add_encoded("ids", "a,b");
  EXPECT_EQ(t.target(), "/rsi?secret=a%2Fb%20c&symbol=BTC%2FUSDT&ids=a,b");
  EXPECT_EQ(t.log_target(), "/rsi?secret=***&symbol=BTC%2FUSDT&ids=a,b");

  auto c = t.get("rsi", 3);
  EXPECT_EQ(c.method, "GET");
  EXPECT_EQ(c.target, t.target());
  EXPECT_EQ(c.log_target, t.log_target());
  EXPECT_EQ(c.endpoint, "rsi");
  EXPECT_EQ(c.weight, 3);
  EXPECT_TRUE(c.body.empty());
  EXPECT_TRUE(c.headers.empty());
}

TEST(plausible_time, bounds) {
  auto now = utc(2026, 12, 1);
  EXPECT_EQ(earliest_plausible_time(), utc(2009, 1, 1));
  EXPECT_TRUE(plausible_time(utc(2009, 1, 1), now));
  EXPECT_FALSE(plausible_time(utc(2009, 1, 1) - seconds(1), now));
  EXPECT_TRUE(plausible_time(now + hours(24), now));
  EXPECT_FALSE(plausible_time(now + hours(24) + seconds(1), now));

  EXPECT_EQ(plausible_unix_seconds(1230768000, now), utc(2009, 1, 1));
  EXPECT_FALSE(plausible_unix_seconds(1230767999, now));
  EXPECT_EQ(plausible_unix_millis(1230768000000, now), utc(2009, 1, 1));
  EXPECT_FALSE(plausible_unix_millis(1230767999999, now));
  auto s = duration_cast<seconds>(now.time_since_epoch()).count();
  EXPECT_TRUE(plausible_unix_seconds(s + 86400, now));
  EXPECT_FALSE(plausible_unix_seconds(s + 86401, now));
  EXPECT_FALSE(plausible_unix_millis((s + 86401) * 1000, now));
  // Seconds read as milliseconds, and the reverse, are caught.
  EXPECT_FALSE(plausible_unix_millis(1762560000, now));
  EXPECT_FALSE(plausible_unix_seconds(1762560000000, now));
  // Extremes neither overflow nor pass.
  for (auto v : {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                 std::int64_t{-1}, std::int64_t{0}}) {
    EXPECT_FALSE(plausible_unix_seconds(v, now)) << v;
    EXPECT_FALSE(plausible_unix_millis(v, now)) << v;
  }
}

TEST(parse_iso8601, coingecko_form) {
  EXPECT_EQ(parse_iso8601("2023-01-16T03:29:01.058Z"),
            utc(2023, 1, 16, 3, 29, 1) + milliseconds(58));
  EXPECT_EQ(parse_iso8601("2013-07-06T00:00:00.000Z"), utc(2013, 7, 6));
  EXPECT_EQ(parse_iso8601("2025-10-06T10:57:42Z"), utc(2025, 10, 6, 10, 57, 42));
  EXPECT_EQ(parse_iso8601("2024-02-29T23:59:59.123456789Z"),
            utc(2024, 2, 29, 23, 59, 59) + nanoseconds(123456789));
  for (const char* s :
       {"", "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-01-16T24:00:00Z",
        "2023-01-16T03:60:00Z", "2023-01-16T03:29:60Z", "2023-01-16T03:29:01",
        "2023-01-16T03:29:01.058+00:00", "2023-01-16 03:29:01Z", "2023-01-16T03:29:01.Z",
        "2023-1-16T03:29:01Z", "2023-01-16T03:29:01ZZ", "1969-12-31T23:59:59Z",
        "9999-01-01T00:00:00Z", "2023-01-16t03:29:01z", "+2023-01-16T03:29:01Z"}) {
    EXPECT_FALSE(parse_iso8601(s)) << s;
  }
}

}  // namespace
}  // namespace cryptodash::upstream
