// End-to-end: the web dashboard in Debian's chromium (playwright-core), against the real
// server and the fake upstream. Each test starts both, then runs one scenario script of this
// folder with node; the script drives the browser, exits 0 when everything it checks holds and
// prints what failed otherwise (console errors on the page fail it too).

#include "integration/server_fixture.h"
#include "support/fake_upstream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

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

// What a test does once the fake and the server run, before the scenario.
using before_fn = std::function<void(fake_upstream&, const running_server&,
                                     const std::map<std::string, std::string>& env)>;

// Starts the fake and a server with `args`, runs tests/e2e/<script> and expects exit 0.
void run_scenario(const std::string& script, std::vector<std::string> args = {},
                  const before_fn& before = {}) {
  fake_upstream fake;
  auto env = upstream_env(fake);
  env["ADMIN_TOKEN"] = admin_token;
  auto s = start_server(server_args(std::move(args)), env);
  ASSERT_NE(s.port, 0) << s.process->err();
  if (before) before(fake, s, env);
  if (::testing::Test::HasFatalFailure()) return;

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

// A report written by the command line into the server's database; the scenario checks its
// page (report-*.png), and the first page of its PDF is rendered here (report-pdf-*-1.png).
TEST(browser, the_report_page_and_its_pdf_render) {
  run_scenario("report.mjs", {}, [](fake_upstream& fake, const running_server& s,
                                    const std::map<std::string, std::string>& server_env) {
    fake.set_values(R"({"coins": {"bitcoin": {"price": 64321.5, "change_24h": 2.14}}})");
    auto env = server_env;
    env["DATABASE_URL"] = "sqlite://" + (s.dir->path() / "reports.db").string();
    env["CACHE_DIR"] = (s.dir->path() / "cli-cache").string();
    env["APP_ENV"] = "development";
    auto made = run({CRYPTODASH_BINARY, "report", "generate", "--symbol", "btc"}, env,
                    std::chrono::seconds(60));
    ASSERT_EQ(made.code, 0) << made.out << made.err;
    const std::filesystem::path artifacts = CRYPTODASH_E2E_ARTIFACTS;
    std::filesystem::create_directories(artifacts);
    for (const std::string lang : {"en", "vi"}) {
      auto pdf = http_get(s.port, "/crypto_report/1/pdf?lang=" + lang);
      ASSERT_TRUE(pdf);
      ASSERT_EQ(pdf->result_int(), 200) << pdf->body();
      const auto file = artifacts / ("report-" + lang + ".pdf");
      std::ofstream(file, std::ios::binary) << pdf->body();
      const auto png = artifacts / ("report-pdf-" + lang);
      auto r = run({"/usr/bin/pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                    file.string(), png.string()});
      ASSERT_EQ(r.code, 0) << r.err;
      const auto page = png.string() + "-1.png";
      ASSERT_TRUE(std::filesystem::exists(page)) << page;
      EXPECT_GT(std::filesystem::file_size(page), 20'000u) << page;  // a drawn page, not blank
    }
  });
}

}  // namespace
}  // namespace cryptodash::testing
