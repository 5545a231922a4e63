#include "upstream/providers/fear_greed.h"

#include "test_support.h"

#include <gtest/gtest.h>

namespace cryptodash::upstream::fear_greed {
namespace {

using core::errc;
using std::chrono::seconds;
using testing::fixed_now;
using testing::fixture;
using testing::fixture_response;
using testing::replaced;
using testing::response;

core::time_point unix_s(std::int64_t s) {
  return core::time_point(seconds(s));
}

TEST(fear_greed, latest_reading) {
  auto r = parse_fng(fixture_response(200, "alternative_me/fng.limit1.200.json"), fixed_now());
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, 20);
  EXPECT_EQ((*r)[0].classification, "Extreme Fear");
  EXPECT_EQ((*r)[0].timestamp, unix_s(1762560000));
  EXPECT_EQ((*r)[0].time_until_update, seconds(30392));
}

TEST(fear_greed, docs_example_newest_first) {
  auto r = parse_fng(fixture_response(200, "alternative_me/fng.limit2.docs_example.200.json"),
                     fixed_now());
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].value, 40);
  EXPECT_EQ((*r)[0].classification, "Fear");
  EXPECT_EQ((*r)[0].timestamp, unix_s(1551157200));
  EXPECT_EQ((*r)[0].time_until_update, seconds(68499));
  EXPECT_EQ((*r)[1].value, 47);
  EXPECT_EQ((*r)[1].classification, "Neutral");
  EXPECT_EQ((*r)[1].timestamp, unix_s(1551070800));
  EXPECT_FALSE((*r)[1].time_until_update);
}

TEST(fear_greed, metadata_error_is_upstream_error) {
  auto body = fixture("alternative_me/fng.limit1.200.json");
  auto r =
      parse_fng(response(200, replaced(body, "\"error\": null", "\"error\": \"limit too high\"")),
                fixed_now());
  EXPECT_EQ(r.error(), make_error_code(errc::upstream_error));
  auto empty = parse_fng(response(200, R"({"name":"x","data":[],"metadata":{"error":"oops"}})"),
                         fixed_now());
  EXPECT_EQ(empty.error(), make_error_code(errc::upstream_error));
}

TEST(fear_greed, rejects_schema_violations) {
  auto body = fixture("alternative_me/fng.limit1.200.json");
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"\"value\": \"20\"", "\"value\": \"101\""},
           {"\"value\": \"20\"", "\"value\": \"-1\""},
           {"\"value\": \"20\"", "\"value\": \"20.5\""},
           {"\"value\": \"20\"", "\"value\": \" 20\""},
           {"\"value\": \"20\"", "\"value\": \"20 \""},
           {"\"value\": \"20\"", "\"value\": \"\""},
           {"\"value\": \"20\"", "\"value\": \"NaN\""},
           {"\"value\": \"20\"", "\"value\": 20"},  // a number where the API sends a string
           {"\"value\": \"20\"", "\"value\": null"},
           {"\"value_classification\": \"Extreme Fear\"", "\"value_classification\": \"\""},
           {"\"value_classification\": \"Extreme Fear\"", "\"value_classification\": 1"},
           {"\"timestamp\": \"1762560000\"", "\"timestamp\": \"1762560000000\""},  // ms
           {"\"timestamp\": \"1762560000\"", "\"timestamp\": \"0\""},
           {"\"timestamp\": \"1762560000\"", "\"timestamp\": \"08-11-2025\""},
           {"\"timestamp\": \"1762560000\"", "\"timestamp\": \"99999999999999999999\""},
           {"\"time_until_update\": \"30392\"", "\"time_until_update\": \"-5\""},
           {"\"time_until_update\": \"30392\"", "\"time_until_update\": \"soon\""},
           {"\"metadata\": {", "\"meta\": {"},
           {"\"error\": null", "\"err\": null"},
           {"\"data\": [", "\"data\": [], \"x\": ["},
       }) {
    EXPECT_EQ(parse_fng(response(200, replaced(body, from, to)), fixed_now()).error(),
              make_error_code(errc::bad_response))
        << from << " -> " << to;
  }
}

TEST(fear_greed, request) {
  auto r = fng_request(2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target, "/fng/?limit=2");
  EXPECT_EQ(r->log_target, "/fng/?limit=2");
  EXPECT_EQ(r->endpoint, "fng");
  EXPECT_EQ(r->weight, 1);
  EXPECT_TRUE(fng_request(max_limit));
  EXPECT_EQ(fng_request(0).error(), make_error_code(errc::invalid_argument));
  EXPECT_EQ(fng_request(max_limit + 1).error(), make_error_code(errc::invalid_argument));
}

}  // namespace
}  // namespace cryptodash::upstream::fear_greed
