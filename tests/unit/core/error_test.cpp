#include "core/error.h"

#include <gtest/gtest.h>

namespace cryptodash::core {
namespace {

TEST(Errc, ConvertsToErrorCodeOfTheProjectCategory) {
  boost::system::error_code ec = errc::rate_limited;
  EXPECT_TRUE(ec.failed());
  EXPECT_EQ(&ec.category(), &error_category());
  EXPECT_STREQ(ec.category().name(), "cryptodash");
  EXPECT_EQ(ec.message(), "rate limited");
  EXPECT_EQ(ec, errc::rate_limited);
  EXPECT_NE(ec, errc::timeout);
}

TEST(Errc, HasSnakeCaseNamesForApiBodies) {
  EXPECT_EQ(to_string(errc::invalid_argument), "invalid_argument");
  EXPECT_EQ(to_string(errc::circuit_open), "circuit_open");
  EXPECT_EQ(to_string(errc::bad_response), "bad_response");
}

TEST(Result, CarriesValueOrError) {
  result<int> ok = 42;
  result<int> bad = make_error_code(errc::not_found);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 42);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), errc::not_found);
}

}  // namespace
}  // namespace cryptodash::core
