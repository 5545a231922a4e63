#include "support/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace cryptodash::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigCli, ShowPrintsEffectiveTomlRedacted) {
  auto r = run({CRYPTODASH_BINARY, "config", "show", "--port", "9123"},
               {{"ADMIN_TOKEN", "admin-SECRET-token"},
                {"REDIS_URL", "redis://u:redis-SECRET@127.0.0.1:6379/0"},
                {"APP_ENV", "development"}});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("SECRET")));
  auto doc = toml::parse(r.out);
  EXPECT_EQ(doc.at_path("server.port").value<int64_t>(), 9123);
  EXPECT_EQ(doc.at_path("server.admin_token").value<std::string>(), "<redacted>");
  EXPECT_EQ(doc.at_path("cache.l2.url").value<std::string>(), "redis://u:***@127.0.0.1:6379/0");
  EXPECT_EQ(doc.at_path("cache.strategy").value<std::string>(), "all");
}

TEST(ConfigCli, CheckAcceptsAGoodFileAndNamesProblemsInABadOne) {
  temp_dir dir;
  auto good = dir.write("good.toml", "[server]\nport = 9000\n[cache.l1]\ncapacity = 5000\n");
  auto ok =
      run({CRYPTODASH_BINARY, "config", "check", good.string()}, {{"APP_ENV", "development"}});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("OK"));

  auto bad = dir.write("bad.toml", "[server]\nport = 123456\n[cache.l1]\ncapacity = -1\n");
  auto r = run({CRYPTODASH_BINARY, "config", "check", bad.string()}, {{"APP_ENV", "development"}});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("server.port: port out of range: 123456"));
  EXPECT_THAT(r.err, HasSubstr("cache.l1.capacity: must be between 1"));

  auto missing = run({CRYPTODASH_BINARY, "config", "check", (dir.path() / "nope.toml").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.err, HasSubstr("not found"));
}

TEST(ConfigCli, ExampleFileChecksClean) {
  auto r = run({CRYPTODASH_BINARY, "config", "check",
                std::string(CRYPTODASH_SOURCE_DIR) + "/cryptodash.example.toml"},
               {{"APP_ENV", "development"}});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(ConfigCli, HelpAndUsageErrors) {
  auto help = run({CRYPTODASH_BINARY, "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("serve"));
  EXPECT_THAT(help.out, HasSubstr("config"));
  auto serve_help = run({CRYPTODASH_BINARY, "serve", "--help"});
  EXPECT_EQ(serve_help.code, 0);
  EXPECT_THAT(serve_help.out, HasSubstr("--config"));
  EXPECT_EQ(run({CRYPTODASH_BINARY}).code, 2);
  EXPECT_EQ(run({CRYPTODASH_BINARY, "frobnicate"}).code, 2);
  EXPECT_EQ(run({CRYPTODASH_BINARY, "serve", "--set", "server.port"}).code, 2);
}

}  // namespace
}  // namespace cryptodash::testing
