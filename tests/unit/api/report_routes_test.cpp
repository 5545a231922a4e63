#include "api/report_routes.h"

#include <gtest/gtest.h>

#include <limits>

namespace cryptodash::api {
namespace {

using reports::language;

TEST(report_routes, report_ids_are_positive_decimal_numbers) {
  EXPECT_EQ(parse_report_id("1"), 1);
  EXPECT_EQ(parse_report_id("42"), 42);
  EXPECT_EQ(parse_report_id("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  for (auto bad : {"", "0", "01", "-1", "+1", "1.0", "1e3", "abc", "12a", " 1",
                   "9223372036854775808", "99999999999999999999"}) {
    EXPECT_FALSE(parse_report_id(bad)) << bad;
  }
}

TEST(report_routes, the_lang_parameter_decides_and_must_be_en_or_vi) {
  EXPECT_EQ(negotiate_language("vi", "en").value(), language::vi);
  EXPECT_EQ(negotiate_language("EN", "vi").value(), language::en);
  EXPECT_EQ(negotiate_language("fr", "").error(), core::errc::invalid_argument);
  EXPECT_EQ(negotiate_language("", "vi").error(), core::errc::invalid_argument);
}

TEST(report_routes, accept_language_picks_the_preferred_of_en_and_vi) {
  EXPECT_EQ(negotiate_language(std::nullopt, "").value(), language::en);
  EXPECT_EQ(negotiate_language(std::nullopt, "vi").value(), language::vi);
  EXPECT_EQ(negotiate_language(std::nullopt, "vi-VN,vi;q=0.9,en-US;q=0.8").value(), language::vi);
  EXPECT_EQ(negotiate_language(std::nullopt, "en-US,en;q=0.9,vi;q=0.8").value(), language::en);
  EXPECT_EQ(negotiate_language(std::nullopt, "fr-FR, vi;q=0.5, en;q=0.4").value(), language::vi);
  EXPECT_EQ(negotiate_language(std::nullopt, "en;q=0.2, VI ; q=0.7").value(), language::vi);
  EXPECT_EQ(negotiate_language(std::nullopt, "vi;q=0, *").value(), language::en);
  EXPECT_EQ(negotiate_language(std::nullopt, "fr, de").value(), language::en);
  EXPECT_EQ(negotiate_language(std::nullopt, "vi;q=abc").value(), language::en);  // q unreadable
}

// Too many renders under way is "busy, retry", not a failure of the report.
TEST(report_routes, a_full_render_queue_is_503_busy_with_retry_after) {
  auto busy = render_failure(7, make_error_code(core::errc::rate_limited), 11);
  EXPECT_EQ(busy.result(), http::status::service_unavailable);
  EXPECT_EQ(busy[http::field::retry_after], "1");
  EXPECT_NE(busy.body().view().find(R"("code":"busy")"), std::string_view::npos)
      << busy.body().view();

  auto failed = render_failure(7, make_error_code(core::errc::invalid_argument), 11);
  EXPECT_EQ(failed.result(), http::status::internal_server_error);
  EXPECT_EQ(failed.count(http::field::retry_after), 0U);
  EXPECT_NE(failed.body().view().find("report 7 cannot be shown"), std::string_view::npos)
      << failed.body().view();
}

}  // namespace
}  // namespace cryptodash::api
