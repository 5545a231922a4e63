#include "config/load.h"
#include "config/schema.h"
#include "test_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace cryptodash::config {
namespace {

using test::describe;
using test::no_file;
using ::testing::HasSubstr;

using test::temp_file;

load_result load_file(const temp_file& f, std::map<std::string, std::string> env = {},
                      std::vector<override_value> flags = {}) {
  sources s = no_file(std::move(env), std::move(flags));
  s.file = f.path();
  return load(s);
}

TEST(Load, DefaultsAloneAreValid) {
  auto r = load(no_file());
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_EQ(r.value.server.port, 8080);
  EXPECT_EQ(r.value.server.listen_addr, "0.0.0.0");
  EXPECT_EQ(r.value.app.env, app_env::development);
  EXPECT_EQ(r.value.effective_cache_strategy(), cache_strategy::file_backup);
  EXPECT_EQ(r.value.cache.ttl.market_seconds, 60);
  EXPECT_EQ(r.value.cache.ttl.dashboard_seconds, 300);
  EXPECT_EQ(r.value.cache.ttl.indicators_seconds, 300);
  EXPECT_EQ(r.value.cache.ttl.tokenomics_seconds, 600);
  EXPECT_EQ(r.value.cache.ttl.reports_seconds, 1800);
  EXPECT_EQ(r.value.cache.ttl.stale_seconds, 86400);
  EXPECT_EQ(r.value.cache.l1.ttl_seconds, 300);
  EXPECT_EQ(r.value.cache.l2.ttl_seconds, 3600);
  EXPECT_EQ(r.value.cache.l2.key_namespace, "cryptodash:");
  EXPECT_EQ(r.value.upstreams.coingecko.base_url, "https://api.coingecko.com/api/v3");
  EXPECT_EQ(r.value.upstreams.fear_greed.base_url, "https://api.alternative.me");
  EXPECT_EQ(r.value.upstreams.taapi.base_url, "https://api.taapi.io");
  EXPECT_EQ(r.value.upstreams.binance.base_url, "https://api.binance.com");
  EXPECT_EQ(r.value.database.url.reveal(), "sqlite://data/cryptodash.db");
}

// Every environment variable of SPEC section 6 lands in its own setting.
TEST(Load, EveryEnvironmentVariableMapsToItsSetting) {
  auto r = load(no_file({
      {"REDIS_URL", "redis://user:pw@127.0.0.1:6390/2"},
      {"DATABASE_URL", "postgresql://u:p@localhost/cryptodash"},
      {"TAAPI_SECRET", "taapi-secret-value"},
      {"COINGECKO_API_KEY", "cg-key-value"},
      {"ADMIN_TOKEN", "admin-token-value-0123456789"},
      {"APP_ENV", "staging"},
      {"PORT", "9191"},
      {"LISTEN_ADDR", "127.0.0.1"},
      {"CACHE_L1_CAPACITY", "1234"},
      {"CACHE_L1_TTL_SECONDS", "45"},
      {"CACHE_L2_TTL_SECONDS", "999"},
      {"CACHE_DIR", "/tmp/cd-cache"},
      {"LOG_LEVEL", "warn"},
      {"COINGECKO_BASE_URL", "http://127.0.0.1:9000/coingecko"},
      {"FNG_BASE_URL", "http://127.0.0.1:9000/fng"},
      {"TAAPI_BASE_URL", "http://127.0.0.1:9000/taapi"},
      {"BINANCE_BASE_URL", "http://127.0.0.1:9000/binance"},
  }));
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  const settings& s = r.value;
  EXPECT_EQ(s.cache.l2.url.reveal(), "redis://user:pw@127.0.0.1:6390/2");
  EXPECT_EQ(s.database.url.reveal(), "postgresql://u:p@localhost/cryptodash");
  EXPECT_EQ(s.upstreams.taapi.api_key.reveal(), "taapi-secret-value");
  EXPECT_EQ(s.upstreams.coingecko.api_key.reveal(), "cg-key-value");
  EXPECT_EQ(s.server.admin_token.reveal(), "admin-token-value-0123456789");
  EXPECT_EQ(s.app.env, app_env::staging);
  EXPECT_EQ(s.server.port, 9191);
  EXPECT_EQ(s.server.listen_addr, "127.0.0.1");
  EXPECT_EQ(s.cache.l1.capacity, 1234);
  EXPECT_EQ(s.cache.l1.ttl_seconds, 45);
  EXPECT_EQ(s.cache.l2.ttl_seconds, 999);
  EXPECT_EQ(s.cache.disk.dir, "/tmp/cd-cache");
  EXPECT_EQ(s.logging.level, log_level::warn);
  EXPECT_EQ(s.upstreams.coingecko.base_url, "http://127.0.0.1:9000/coingecko");
  EXPECT_EQ(s.upstreams.fear_greed.base_url, "http://127.0.0.1:9000/fng");
  EXPECT_EQ(s.upstreams.taapi.base_url, "http://127.0.0.1:9000/taapi");
  EXPECT_EQ(s.upstreams.binance.base_url, "http://127.0.0.1:9000/binance");
  EXPECT_EQ(s.effective_cache_strategy(), cache_strategy::all);  // Redis set
}

TEST(Load, RegistryNamesEveryRequiredEnvironmentVariable) {
  std::set<std::string> envs;
  for (const auto& f : fields()) {
    if (!f.env.empty()) {
      EXPECT_TRUE(envs.insert(f.env).second) << "twice: " << f.env;
    }
  }
  for (std::string name :
       {"REDIS_URL", "DATABASE_URL", "TAAPI_SECRET", "COINGECKO_API_KEY", "ADMIN_TOKEN", "APP_ENV",
        "PORT", "LISTEN_ADDR", "CACHE_L1_CAPACITY", "CACHE_L1_TTL_SECONDS", "CACHE_L2_TTL_SECONDS",
        "CACHE_DIR", "LOG_LEVEL", "COINGECKO_BASE_URL", "FNG_BASE_URL", "TAAPI_BASE_URL",
        "BINANCE_BASE_URL"}) {
    EXPECT_TRUE(envs.count(name)) << name;
  }
}

TEST(Load, PrecedenceIsFileThenEnvironmentThenFlags) {
  temp_file f(R"(
[server]
port = 7001
listen_addr = "127.0.0.1"
[cache.l1]
capacity = 111
ttl_seconds = 30
)");
  // File alone.
  auto r = load_file(f);
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_EQ(r.value.server.port, 7001);
  EXPECT_EQ(r.value.cache.l1.capacity, 111);

  // Environment beats the file.
  r = load_file(f, {{"PORT", "7002"}, {"CACHE_L1_CAPACITY", "222"}});
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_EQ(r.value.server.port, 7002);
  EXPECT_EQ(r.value.cache.l1.capacity, 222);
  EXPECT_EQ(r.value.cache.l1.ttl_seconds, 30);  // untouched by env: still the file's

  // Flags beat both.
  r = load_file(f, {{"PORT", "7002"}, {"CACHE_L1_CAPACITY", "222"}},
                {{"server.port", "7003"}, {"cache.l1.capacity", "333"}});
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_EQ(r.value.server.port, 7003);
  EXPECT_EQ(r.value.cache.l1.capacity, 333);
  EXPECT_EQ(r.value.server.listen_addr, "127.0.0.1");
}

TEST(Load, ProfileChoosesDefaults) {
  auto dev = load(no_file());
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev.value.logging.format, log_format::text);
  EXPECT_EQ(dev.value.server.cors_allowed_origins, std::vector<std::string>{"*"});

  auto prod = load(no_file({{"APP_ENV", "production"}, {"ADMIN_TOKEN", std::string(32, 'x')}}));
  ASSERT_TRUE(prod.ok()) << describe(prod.problems);
  EXPECT_EQ(prod.value.logging.format, log_format::json);
  EXPECT_EQ(prod.value.logging.level, log_level::info);
  EXPECT_TRUE(prod.value.server.cors_allowed_origins.empty());

  // A file may still override a profile default.
  temp_file f("[logging]\nformat = \"text\"\n");
  auto mixed = load_file(f, {{"APP_ENV", "production"}, {"ADMIN_TOKEN", std::string(32, 'x')}});
  ASSERT_TRUE(mixed.ok()) << describe(mixed.problems);
  EXPECT_EQ(mixed.value.logging.format, log_format::text);
  EXPECT_EQ(mixed.value.logging.level, log_level::info);
}

TEST(Load, ProfileFromFileEnvAndFlagInThatPrecedence) {
  temp_file f("[app]\nenv = \"staging\"\n");
  EXPECT_EQ(load_file(f).value.app.env, app_env::staging);
  EXPECT_EQ(load_file(f, {{"APP_ENV", "development"}}).value.app.env, app_env::development);
  auto r = load_file(f, {{"APP_ENV", "development"}}, {{"app.env", "staging"}});
  EXPECT_EQ(r.value.app.env, app_env::staging);
  EXPECT_EQ(r.value.logging.format, log_format::json);  // staging defaults were used
}

TEST(Load, UnknownProfileIsNamed) {
  auto r = load(no_file({{"APP_ENV", "prod"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].setting, "app.env");
  EXPECT_THAT(r.problems[0].message, HasSubstr("unknown value \"prod\""));
  EXPECT_THAT(r.problems[0].message, HasSubstr("APP_ENV"));
}

TEST(Load, UnknownKeysAreRefused) {
  temp_file f("[cache.l1]\ncapasity = 5\n[nonsense]\nx = 1\n");
  auto r = load_file(f, {}, {{"server.prot", "1"}});
  ASSERT_FALSE(r.ok());
  auto text = describe(r.problems);
  EXPECT_THAT(text, HasSubstr("cache.l1.capasity: unknown setting"));
  EXPECT_THAT(text, HasSubstr("nonsense: unknown section"));
  EXPECT_THAT(text, HasSubstr("server.prot: unknown setting (from the command line)"));
}

TEST(Load, WrongTypesAreNamed) {
  temp_file f(R"(
[server]
port = "eighty"
[cache]
l1 = 5
[scheduler]
enabled = "yes"
[reports]
symbols = "btc"
)");
  auto r = load_file(f);
  auto text = describe(r.problems);
  EXPECT_THAT(text, HasSubstr("server.port: expected an integer, got a string"));
  EXPECT_THAT(text, HasSubstr("cache.l1: unknown setting"));
  EXPECT_THAT(text, HasSubstr("scheduler.enabled: expected true or false, got a string"));
  EXPECT_THAT(text, HasSubstr("reports.symbols: expected an array of strings"));
}

TEST(Load, BadEnvironmentValuesNameTheVariable) {
  auto r = load(no_file({{"PORT", "80x"}, {"CACHE_L1_CAPACITY", "99999999999999999999999"}}));
  auto text = describe(r.problems);
  EXPECT_THAT(text, HasSubstr("server.port: expected an integer, got \"80x\" (from environment "
                              "variable PORT)"));
  EXPECT_THAT(text, HasSubstr("cache.l1.capacity: out of range"));
}

TEST(Load, SyntaxErrorsGiveLineAndColumn) {
  temp_file f("[server]\nport = 80\nport = 81\n");
  auto r = load_file(f);
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_EQ(r.problems[0].setting, f.path().string());
  EXPECT_THAT(r.problems[0].message, HasSubstr("line 3"));
}

TEST(Load, MissingFileIsAProblem) {
  sources s = no_file();
  s.file = "/nonexistent/cryptodash.toml";
  auto r = load(s);
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_THAT(r.problems[0].message, HasSubstr("not found"));
}

TEST(Load, ListsFromTextAreCommaSeparated) {
  auto r = load(no_file({}, {{"reports.symbols", " btc, eth ,sol"}}));
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_EQ(r.value.reports.symbols, (std::vector<std::string>{"btc", "eth", "sol"}));
}

TEST(Load, BooleansAndNumbersFromText) {
  auto r = load(no_file({}, {{"scheduler.enabled", "off"},
                             {"upstreams.taapi.rate_per_minute", "2.5"},
                             {"cache.strategy", "l1_only"}}));
  ASSERT_TRUE(r.ok()) << describe(r.problems);
  EXPECT_FALSE(r.value.scheduler.enabled);
  EXPECT_DOUBLE_EQ(r.value.upstreams.taapi.rate_per_minute, 2.5);
  EXPECT_EQ(r.value.effective_cache_strategy(), cache_strategy::l1_only);
  EXPECT_FALSE(load(no_file({}, {{"upstreams.taapi.rate_per_minute", "nan"}})).ok());
  EXPECT_FALSE(load(no_file({}, {{"scheduler.enabled", "maybe"}})).ok());
}

}  // namespace
}  // namespace cryptodash::config
