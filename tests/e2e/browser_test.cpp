// End-to-end: the web dashboard in Debian's chromium (playwright-core), against the real
// server and the fake upstream. Each test starts both, then runs one scenario script of this
// folder with node; the script drives the browser, exits 0 when everything it checks holds and
// prints what failed otherwise (console errors on the page fail it too).

#include "integration/server_fixture.h"
#include "support/fake_upstream.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace cryptodash::testing {
namespace {

constexpr const char* admin_token = "e2e-admin-2718";

// Forced refreshes in a scenario must not wait for the providers' rate-limit tokens.
std::vector<std::string> server_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--set", "server.refresh_rate_limit_per_minute=10000"};
  for (const char* p : {"coingecko", "fear_greed", "taapi", "binance"}) {
    for (const char* setting : {"rate_per_minute=100000", "burst=1000"}) {
      args.push_back("--set");
      args.push_back(std::string("upstreams.") + p + "." + setting);
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Starts the fake and a server with `args`, runs tests/e2e/<script> and expects exit 0.
void run_scenario(const std::string& script, std::vector<std::string> args = {}) {
  fake_upstream fake;
  auto env = upstream_env(fake);
  env["ADMIN_TOKEN"] = admin_token;
  auto s = start_server(server_args(std::move(args)), env);
  ASSERT_NE(s.port, 0) << s.process->err();

  const std::filesystem::path source = CRYPTODASH_SOURCE_DIR;
  std::filesystem::create_directories(CRYPTODASH_E2E_ARTIFACTS);
  auto r = run({CRYPTODASH_NODE, (source / "tests" / "e2e" / script).string()},
               {{"CRYPTODASH_URL", "http://127.0.0.1:" + std::to_string(s.port)},
                {"FAKE_URL", "http://127.0.0.1:" + std::to_string(fake.port())},
                {"ADMIN_TOKEN", admin_token},
                {"ARTIFACTS_DIR", CRYPTODASH_E2E_ARTIFACTS},
                {"NODE_PATH", (source / "web" / "node_modules").string()}},
               std::chrono::seconds(120));
  EXPECT_EQ(r.code, 0) << script << "\n--- stdout:\n" << r.out << "\n--- stderr:\n" << r.err
                       << "\n--- server:\n" << s.process->err();
}

TEST(browser, shows_the_fakes_price_and_updates_it_live) { run_scenario("live_price.mjs"); }

TEST(browser, falls_back_to_polling_when_the_socket_is_blocked) {
  run_scenario("polling_fallback.mjs");
}

TEST(browser, switches_language_without_a_network_request) { run_scenario("language.mjs"); }

// The dashboard's sources go stale after 2 s; failing Fear & Greed calls are not retried.
TEST(browser, a_stale_source_shows_its_badge) {
  run_scenario("stale_badge.mjs", {"--set", "cache.ttl.dashboard_seconds=2", "--set",
                                   "upstreams.fear_greed.max_retries=0"});
}

TEST(browser, admin_panel_needs_the_token_and_clears_and_refreshes) {
  run_scenario("admin.mjs");
}

TEST(browser, choosing_a_symbol_loads_its_chart_and_subscribes_to_it) {
  run_scenario("chart.mjs");
}

TEST(browser, writes_desktop_and_phone_screenshots) { run_scenario("screenshots.mjs"); }

}  // namespace
}  // namespace cryptodash::testing
