#include "config/show.h"
#include "config/load.h"
#include "config/schema.h"
#include "test_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cryptodash::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::map<std::string, std::string> secret_env = {
    {"ADMIN_TOKEN", "admin-0123456789-SECRET"},
    {"TAAPI_SECRET", "taapi-jwt-SECRET"},
    {"COINGECKO_API_KEY", "CG-demo-SECRET"},
    {"REDIS_URL", "rediss://default:redis-pass-SECRET@redis.internal:6380/1"},
    {"DATABASE_URL", "postgresql://app:db-pass-SECRET@db.internal/cryptodash?password=q-SECRET"},
};

TEST(Show, RedactsEverySecret) {
  auto r = load(test::no_file(secret_env));
  ASSERT_TRUE(r.ok()) << test::describe(r.problems);
  for (const std::string& text : {to_toml(r.value), to_json(r.value)}) {
    EXPECT_THAT(text, Not(HasSubstr("SECRET")));
    EXPECT_THAT(text, HasSubstr("<redacted>"));
    EXPECT_THAT(text, HasSubstr("rediss://default:***@redis.internal:6380/1"));
    EXPECT_THAT(text, HasSubstr("postgresql://app:***@db.internal/cryptodash?password=***"));
  }
}

TEST(Show, UnsetSecretsShowEmpty) {
  auto text = to_toml(defaults_for(app_env::development));
  EXPECT_THAT(text, HasSubstr("admin_token = ''"));
  EXPECT_THAT(text, Not(HasSubstr("<redacted>")));
}

TEST(Show, ShowsEveryKeyAndTheEffectiveStrategy) {
  auto parsed = toml::parse(to_toml(defaults_for(app_env::development)));
  for (const auto& f : fields()) {
    EXPECT_TRUE(parsed.at_path(f.key)) << f.key << " missing from config show";
  }
  EXPECT_EQ(parsed.at_path("cache.strategy").value<std::string>(), "file_backup");
}

TEST(Show, OutputReadsBackAsTheSameSettings) {
  auto original = load(test::no_file({{"PORT", "9000"}, {"CACHE_L1_CAPACITY", "777"}},
                                     {{"reports.symbols", "btc,sol"}}));
  ASSERT_TRUE(original.ok());
  test::temp_file file(to_toml(original.value));
  sources again = test::no_file();
  again.file = file.path();
  auto reread = load(again);
  ASSERT_TRUE(reread.ok()) << test::describe(reread.problems);
  for (const auto& f : fields()) {
    if (f.key == "cache.strategy") continue;  // shown resolved: auto → file_backup
    EXPECT_TRUE(f.equal(original.value, reread.value)) << f.key;
  }
}

// The example file documents every setting and is itself a valid settings file.
TEST(ExampleFile, IsValidAndDocumentsEverySetting) {
  auto path = std::filesystem::path(CRYPTODASH_SOURCE_DIR) / "cryptodash.example.toml";
  sources s = test::no_file();
  s.file = path;
  auto r = load(s);
  EXPECT_TRUE(r.ok()) << test::describe(r.problems);
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto parsed = toml::parse(buf.str());
  for (const auto& f : fields()) {
    EXPECT_TRUE(parsed.at_path(f.key)) << f.key << " is not in cryptodash.example.toml";
  }
}

}  // namespace
}  // namespace cryptodash::config
