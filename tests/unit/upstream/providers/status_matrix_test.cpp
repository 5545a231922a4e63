// Every parser against every error fixture (with its documented status and with 200), unknown
// statuses, and bodies that are not JSON at all.

#include "test_support.h"

#include "upstream/providers/taapi.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <tuple>

namespace cryptodash::upstream::testing {
namespace {

using core::errc;

struct error_fixture {
  const char* path;
  unsigned status;  ///< as documented in tests/fixtures/upstream/README.md
  errc expected;
};

// The README's table: status per error fixture. Where it is not captured (taapi free-plan
// errors: "non-200, 400 or 403"), both plausible statuses are listed.
const error_fixture error_fixtures[] = {
    {"coingecko/error.429_rate_limited.json", 429, errc::rate_limited},
    {"coingecko/error.404_coin_not_found.json", 404, errc::not_found},
    {"coingecko/error.404_coin_not_found_legacy.json", 404, errc::not_found},
    {"coingecko/error.400_invalid_vs_currency.json", 400, errc::upstream_error},
    {"coingecko/error.400_missing_parameter.json", 400, errc::upstream_error},
    {"coingecko/error.400_pro_key_on_public_host_10010.json", 400, errc::upstream_error},
    {"coingecko/error.401_api_key_missing_10002.json", 401, errc::unauthorized},
    {"coingecko/error.401_time_range_exceeded_10012.json", 401, errc::unauthorized},
    {"taapi/error.429_rate_limited.json", 429, errc::rate_limited},
    {"taapi/error.429_rate_limited_legacy_object.json", 429, errc::rate_limited},
    {"taapi/error.rate_limited_no_prefix.json", 429, errc::rate_limited},
    {"taapi/error.free_plan_symbol.json", 400, errc::upstream_error},
    {"taapi/error.free_plan_symbol.json", 403, errc::unauthorized},
    {"taapi/bulk.free_plan_restriction.json", 400, errc::upstream_error},
    {"taapi/bulk.free_plan_restriction.json", 403, errc::unauthorized},
    {"binance/error.400_invalid_symbol_-1121.json", 400, errc::upstream_error},
    {"binance/error.400_invalid_interval_-1120.json", 400, errc::upstream_error},
    {"binance/error.400_mandatory_param_-1102.json", 400, errc::upstream_error},
    {"binance/error.429_too_much_weight_-1003.json", 429, errc::rate_limited},
    {"binance/error.418_ip_banned_-1003.json", 418, errc::rate_limited},
    {"binance/error.451_restricted_location.json", 451, errc::forbidden},
};

std::string case_name(std::string s) {
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

std::string error_fixture_status_name(
    const ::testing::TestParamInfo<std::tuple<error_fixture, int>>& param_info) {
  const auto& f = std::get<0>(param_info.param);
  auto i = static_cast<std::size_t>(std::get<1>(param_info.param));
  return case_name(all_parsers()[i].name + "_" + std::to_string(f.status) + "_" + f.path);
}

std::string error_body_on_200_name(
    const ::testing::TestParamInfo<std::tuple<const char*, int>>& param_info) {
  auto i = static_cast<std::size_t>(std::get<1>(param_info.param));
  return case_name(all_parsers()[i].name + "_" + std::get<0>(param_info.param));
}

// The status decides, whichever parser reads the answer.
class error_fixture_status : public ::testing::TestWithParam<std::tuple<error_fixture, int>> {};

TEST_P(error_fixture_status, maps_documented_status_to_errc) {
  const auto& [f, i] = GetParam();
  const auto& p = all_parsers()[static_cast<std::size_t>(i)];
  EXPECT_EQ(p.run(fixture_response(f.status, f.path)), make_error_code(f.expected))
      << p.name << " " << f.path << " " << f.status;
}

INSTANTIATE_TEST_SUITE_P(all, error_fixture_status,
                         ::testing::Combine(::testing::ValuesIn(error_fixtures),
                                            ::testing::Range(0, 12)),
                         error_fixture_status_name);

// The same error bodies served with 200: a schema failure, except taapi's rate-limit message
// (a body-level rule for taapi's parsers) and a bulk answer with per-id errors (valid bulk).
class error_body_on_200 : public ::testing::TestWithParam<std::tuple<const char*, int>> {};

const char* error_bodies[] = {
    "coingecko/error.429_rate_limited.json",
    "coingecko/error.404_coin_not_found.json",
    "coingecko/error.404_coin_not_found_legacy.json",
    "coingecko/error.400_invalid_vs_currency.json",
    "coingecko/error.400_missing_parameter.json",
    "coingecko/error.400_pro_key_on_public_host_10010.json",
    "coingecko/error.401_api_key_missing_10002.json",
    "coingecko/error.401_time_range_exceeded_10012.json",
    "taapi/error.429_rate_limited.json",
    "taapi/error.429_rate_limited_legacy_object.json",
    "taapi/error.rate_limited_no_prefix.json",
    "taapi/error.free_plan_symbol.json",
    "taapi/bulk.free_plan_restriction.json",
    "binance/error.400_invalid_symbol_-1121.json",
    "binance/error.400_invalid_interval_-1120.json",
    "binance/error.400_mandatory_param_-1102.json",
    "binance/error.429_too_much_weight_-1003.json",
    "binance/error.418_ip_banned_-1003.json",
    "binance/error.451_restricted_location.json",
};

TEST_P(error_body_on_200, is_bad_response_or_body_level_rule) {
  const auto& [path, i] = GetParam();
  const auto& p = all_parsers()[static_cast<std::size_t>(i)];
  std::string_view file(path);
  boost::system::error_code expected = make_error_code(errc::bad_response);
  if (p.provider == "taapi" && file.starts_with("taapi/") &&
      file.find("rate_limited") != std::string_view::npos) {
    expected = make_error_code(errc::rate_limited);
  } else if (p.name == "taapi_bulk" && file == "taapi/bulk.free_plan_restriction.json") {
    expected = {};  // per-id errors are a valid bulk answer (see taapi_test)
  }
  EXPECT_EQ(p.run(fixture_response(200, path)), expected) << p.name << " " << path;
}

INSTANTIATE_TEST_SUITE_P(all, error_body_on_200,
                         ::testing::Combine(::testing::ValuesIn(error_bodies),
                                            ::testing::Range(0, 12)),
                         error_body_on_200_name);

TEST(status_matrix, twelve_parsers_are_listed) {
  EXPECT_EQ(all_parsers().size(), 12u);
}

// Each parser accepts its success fixture with 200 and 203 (any 2xx), and rejects it by status
// alone with anything else.
class parser_status : public ::testing::TestWithParam<int> {};

TEST_P(parser_status, success_fixture_parses_on_2xx_only) {
  const auto& p = all_parsers()[static_cast<std::size_t>(GetParam())];
  EXPECT_EQ(p.run(fixture_response(200, p.success_fixture)), boost::system::error_code()) << p.name;
  EXPECT_EQ(p.run(fixture_response(203, p.success_fixture)), boost::system::error_code()) << p.name;
  for (unsigned status : {0u, 100u, 199u, 301u, 304u, 400u, 402u, 405u, 408u, 409u, 422u, 500u,
                          502u, 503u, 504u, 520u, 599u, 999u}) {
    EXPECT_EQ(p.run(fixture_response(status, p.success_fixture)),
              make_error_code(errc::upstream_error))
        << p.name << " " << status;
  }
  EXPECT_EQ(p.run(fixture_response(404, p.success_fixture)), make_error_code(errc::not_found));
  EXPECT_EQ(p.run(fixture_response(401, p.success_fixture)), make_error_code(errc::unauthorized));
  EXPECT_EQ(p.run(fixture_response(403, p.success_fixture)), make_error_code(errc::unauthorized));
  EXPECT_EQ(p.run(fixture_response(451, p.success_fixture)), make_error_code(errc::forbidden));
  EXPECT_EQ(p.run(fixture_response(418, p.success_fixture)), make_error_code(errc::rate_limited));
  EXPECT_EQ(p.run(fixture_response(429, p.success_fixture)), make_error_code(errc::rate_limited));
}

INSTANTIATE_TEST_SUITE_P(all, parser_status, ::testing::Range(0, 12));

// Bodies that are not one JSON document of the right kind, for every parser.
constexpr const char* cloudflare_page =
    "<!DOCTYPE html><html><head><title>Access denied | api.coingecko.com used Cloudflare to "
    "restrict access</title></head><body>Error 1020</body></html>";

class parser_malformed : public ::testing::TestWithParam<std::tuple<int, const char*>> {};

const char* malformed_bodies[] = {
    "",
    " ",
    "{",
    "[",
    "[{",
    "{\"data\":",
    "null",
    "true",
    "42",
    "\"text\"",
    "{}x",
    "error code: 1015",
    "Throttled",
    cloudflare_page,
    "<html><head><title>429 Too Many Requests</title></head><body></body></html>",
    "{\"a\":1e999}",
    "{\"a\":NaN}",
    "{\"a\":Infinity}",
    "{\"a\":1,}",
    "{'a':1}",
};

TEST_P(parser_malformed, is_bad_response) {
  const auto& [i, body] = GetParam();
  const auto& p = all_parsers()[static_cast<std::size_t>(i)];
  EXPECT_EQ(p.run(response(200, body)), make_error_code(errc::bad_response))
      << p.name << " body: " << body;
}

INSTANTIATE_TEST_SUITE_P(all, parser_malformed,
                         ::testing::Combine(::testing::Range(0, 12),
                                            ::testing::ValuesIn(malformed_bodies)));

// The success fixture cut short, or followed by garbage.
class parser_truncated : public ::testing::TestWithParam<int> {};

TEST_P(parser_truncated, truncated_or_trailing_bytes_are_bad_response) {
  const auto& p = all_parsers()[static_cast<std::size_t>(GetParam())];
  std::string full = fixture(p.success_fixture);
  ASSERT_GT(full.size(), 4u);
  for (std::size_t n : {full.size() / 2, full.size() - 2, std::size_t{1}}) {
    std::string cut = full.substr(0, n);
    while (!cut.empty() && (cut.back() == '\n' || cut.back() == ' ')) cut.pop_back();
    EXPECT_EQ(p.run(response(200, cut)), make_error_code(errc::bad_response))
        << p.name << " cut at " << n;
  }
  EXPECT_EQ(p.run(response(200, full + "x")), make_error_code(errc::bad_response)) << p.name;
  EXPECT_EQ(p.run(response(200, full + "{}")), make_error_code(errc::bad_response)) << p.name;
}

INSTANTIATE_TEST_SUITE_P(all, parser_truncated, ::testing::Range(0, 12));

}  // namespace
}  // namespace cryptodash::upstream::testing
