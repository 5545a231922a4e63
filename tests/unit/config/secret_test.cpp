#include "config/secret.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace cryptodash::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Secret, FormatsRedacted) {
  secret s("sk-live-123");
  EXPECT_EQ(fmt::format("{}", s), "<redacted>");
  EXPECT_EQ(fmt::format("{}", secret()), "");
  EXPECT_EQ(s.reveal(), "sk-live-123");
}

TEST(Secret, NeverReachesALog) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger log("test", sink);
  secret token("tok-SECRET-1");
  credential_url url("redis://u:pw-SECRET-2@h:6379");
  log.info("token={} url={}", token, url);
  log.flush();
  EXPECT_THAT(out.str(), Not(HasSubstr("SECRET")));
  EXPECT_THAT(out.str(), HasSubstr("token=<redacted> url=redis://u:***@h:6379"));
}

TEST(CredentialUrl, RedactsPasswordsOnly) {
  EXPECT_EQ(credential_url("redis://localhost:6379").redacted(), "redis://localhost:6379");
  EXPECT_EQ(credential_url("redis://user@host").redacted(), "redis://user@host");
  EXPECT_EQ(credential_url("redis://:pw@host/0").redacted(), "redis://:***@host/0");
  EXPECT_EQ(credential_url("rediss://u:p:w@host").redacted(), "rediss://u:***@host");
  EXPECT_EQ(credential_url("postgresql://u@h/db?sslmode=require&password=x").redacted(),
            "postgresql://u@h/db?sslmode=require&password=***");
  EXPECT_EQ(credential_url("sqlite://data/x.db").redacted(), "sqlite://data/x.db");
  // An @ inside the path is not userinfo.
  EXPECT_EQ(credential_url("http://host/a:b@c").redacted(), "http://host/a:b@c");
}

}  // namespace
}  // namespace cryptodash::config
