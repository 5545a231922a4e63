#include "config/load.h"
#include "test_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cryptodash::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Loads defaults + `flags` and returns the problems as text.
std::string problems_with(std::vector<override_value> flags,
                          std::map<std::string, std::string> env = {}) {
  return test::describe(load(test::no_file(std::move(env), std::move(flags))).problems);
}

TEST(Validate, DefaultsOfEveryProfileAreValidOnceProductionHasAToken) {
  EXPECT_TRUE(validate(defaults_for(app_env::development)).empty());
  EXPECT_TRUE(validate(defaults_for(app_env::staging)).empty());
  auto prod = defaults_for(app_env::production);
  prod.server.admin_token = secret(std::string(20, 't'));
  EXPECT_TRUE(validate(prod).empty()) << test::describe(validate(prod));
}

TEST(Validate, NegativeCapacity) {
  EXPECT_THAT(problems_with({{"cache.l1.capacity", "-5"}}),
              HasSubstr("cache.l1.capacity: must be between 1 and 4294967296, got -5"));
  EXPECT_THAT(problems_with({}, {{"CACHE_L1_CAPACITY", "0"}}), HasSubstr("cache.l1.capacity"));
}

TEST(Validate, MissingUpstreamCaFile) {
  EXPECT_THAT(problems_with({{"upstreams.ca_file", "/nonexistent/ca.pem"}}),
              HasSubstr("upstreams.ca_file: no such file: /nonexistent/ca.pem"));
}

TEST(Validate, UnknownStrategy) {
  EXPECT_THAT(problems_with({{"cache.strategy", "fastest"}}),
              HasSubstr("cache.strategy: unknown value \"fastest\" (expected one of: auto, "
                        "l1_only, redis_only, hybrid, file_backup, all)"));
  EXPECT_THAT(problems_with({{"scheduler.strategy", "yolo"}}), HasSubstr("scheduler.strategy"));
}

TEST(Validate, StrategyThatNeedsRedisWithoutRedis) {
  EXPECT_THAT(problems_with({{"cache.strategy", "hybrid"}}),
              HasSubstr("cache.strategy: \"hybrid\" needs Redis: set cache.l2.url (REDIS_URL)"));
  EXPECT_EQ(problems_with({{"cache.strategy", "hybrid"}, {"cache.l2.url", "redis://localhost"}}),
            "");
}

TEST(Validate, MalformedUrls) {
  EXPECT_THAT(problems_with({}, {{"COINGECKO_BASE_URL", "api.coingecko.com/api/v3"}}),
              HasSubstr("upstreams.coingecko.base_url: malformed URL"));
  EXPECT_THAT(problems_with({}, {{"BINANCE_BASE_URL", "ftp://example.com"}}),
              HasSubstr("upstreams.binance.base_url: malformed URL"));
  EXPECT_THAT(problems_with({}, {{"REDIS_URL", "http://localhost:6379"}}),
              HasSubstr("cache.l2.url: malformed Redis URL"));
  EXPECT_THAT(problems_with({}, {{"REDIS_URL", "redis://localhost:6379/abc"}}),
              HasSubstr("the path must be a database number"));
  EXPECT_THAT(problems_with({}, {{"DATABASE_URL", "mysql://x"}}),
              HasSubstr("database.url: expected sqlite://path or postgresql://"));
  EXPECT_THAT(problems_with({}, {{"DATABASE_URL", "sqlite://"}}),
              HasSubstr("database.url: sqlite:// needs a file path"));
  // A path prefix and plain http are fine for local fakes.
  EXPECT_EQ(problems_with({}, {{"FNG_BASE_URL", "http://127.0.0.1:9000/fng"},
                               {"REDIS_URL", "rediss://u:p@cache.internal:6380/3"},
                               {"DATABASE_URL", "sqlite:///var/lib/cryptodash/db.sqlite"}}),
            "");
}

TEST(Validate, UrlProblemsNeverShowPasswords) {
  auto text = problems_with({}, {{"REDIS_URL", "redis://user:hunter2@:6379/x"},
                                 {"TAAPI_BASE_URL", "https://me:topsecret@api.taapi.io"},
                                 {"DATABASE_URL", "mysql://root:pa55word@db/x"}});
  EXPECT_THAT(text, HasSubstr("cache.l2.url"));
  EXPECT_THAT(text, HasSubstr("upstreams.taapi.base_url"));
  EXPECT_THAT(text, HasSubstr("database.url"));
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  EXPECT_THAT(text, Not(HasSubstr("topsecret")));
  EXPECT_THAT(text, Not(HasSubstr("pa55word")));
}

TEST(Validate, PortOutOfRange) {
  EXPECT_THAT(problems_with({}, {{"PORT", "70000"}}),
              HasSubstr("server.port: port out of range: 70000"));
  EXPECT_THAT(problems_with({{"server.port", "-1"}}), HasSubstr("server.port: port out of range"));
  EXPECT_EQ(problems_with({{"server.port", "0"}}), "");
}

TEST(Validate, ListenAddressMustBeAnAddress) {
  EXPECT_THAT(problems_with({}, {{"LISTEN_ADDR", "localhost"}}),
              HasSubstr("server.listen_addr: expected an IPv4 or IPv6 address"));
  EXPECT_EQ(problems_with({}, {{"LISTEN_ADDR", "::1"}}), "");
}

TEST(Validate, ProductionNeedsAnAdminToken) {
  EXPECT_THAT(problems_with({}, {{"APP_ENV", "production"}}),
              HasSubstr("server.admin_token: required in production (set ADMIN_TOKEN)"));
  auto short_token = problems_with({}, {{"APP_ENV", "production"}, {"ADMIN_TOKEN", "abc123"}});
  EXPECT_THAT(short_token, HasSubstr("server.admin_token: too short"));
  EXPECT_THAT(short_token, Not(HasSubstr("abc123")));
  EXPECT_EQ(problems_with({}, {{"APP_ENV", "development"}}), "");
}

TEST(Validate, StaleLimitCoversEverySoftTtl) {
  EXPECT_THAT(problems_with({{"cache.ttl.stale_seconds", "600"}}),
              HasSubstr("cache.ttl.stale_seconds: must be at least the longest soft TTL (1800 s, "
                        "cache.ttl.reports_seconds), got 600"));
  EXPECT_THAT(problems_with({{"cache.ttl.market_seconds", "0"}}),
              HasSubstr("cache.ttl.market_seconds: must be at least 1, got 0"));
}

TEST(Validate, TimeoutsAndThresholdsMustBeOrdered) {
  EXPECT_THAT(problems_with({{"cache.compute_soft_timeout_ms", "5000"},
                             {"cache.compute_hard_timeout_ms", "1000"}}),
              HasSubstr("cache.compute_hard_timeout_ms: must be at least "
                        "cache.compute_soft_timeout_ms (5000), got 1000"));
  EXPECT_THAT(problems_with({{"scheduler.conservative_at_budget_pct", "30"}}),
              HasSubstr("budget thresholds must rise"));
  EXPECT_THAT(problems_with({{"websocket.pong_timeout_seconds", "10"}}),
              HasSubstr("websocket.pong_timeout_seconds: must be at least "
                        "websocket.ping_interval_seconds (30), got 10"));
}

TEST(Validate, ProviderLimits) {
  EXPECT_THAT(problems_with({{"upstreams.taapi.rate_per_minute", "0"}}),
              HasSubstr("upstreams.taapi.rate_per_minute: must be above 0"));
  EXPECT_THAT(problems_with({{"upstreams.binance.burst", "0"}}),
              HasSubstr("upstreams.binance.burst: must be at least 1, got 0"));
  EXPECT_THAT(problems_with({{"upstreams.coingecko.breaker_failure_rate", "1.5"}}),
              HasSubstr("upstreams.coingecko.breaker_failure_rate"));
  EXPECT_THAT(problems_with({{"upstreams.coingecko.monthly_budget", "-1"}}),
              HasSubstr("upstreams.coingecko.monthly_budget: must be at least 0"));
  EXPECT_THAT(problems_with({{"upstreams.fear_greed.max_retries", "11"}}),
              HasSubstr("upstreams.fear_greed.max_retries: must be between 0 and 10, got 11"));
}

TEST(Validate, NamespaceAndReports) {
  EXPECT_THAT(problems_with({{"cache.l2.namespace", "my app*"}}),
              HasSubstr("cache.l2.namespace: expected 1..64 characters"));
  EXPECT_THAT(problems_with({{"reports.daily_at_utc", "25:00"}}),
              HasSubstr("reports.daily_at_utc: expected HH:MM (UTC), got \"25:00\""));
  EXPECT_THAT(problems_with({{"reports.symbols", "btc,../x"}}),
              HasSubstr("reports.symbols: \"../x\" is not a symbol"));
  EXPECT_THAT(problems_with({{"reports.timeframes", "1h"}}),
              HasSubstr("reports.timeframes: \"1h\" is not a timeframe"));
}

TEST(Validate, ReportsEveryProblemNotOnlyTheFirst) {
  auto r = load(test::no_file({{"PORT", "99999"}},
                              {{"cache.l1.capacity", "-1"}, {"server.max_header_bytes", "10"}}));
  EXPECT_EQ(r.problems.size(), 3U) << test::describe(r.problems);
}

}  // namespace
}  // namespace cryptodash::config
