#pragma once

// Starts the real `cryptodash serve` binary on a free loopback port for a test.

#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <regex>

namespace cryptodash::testing {

struct running_server {
  std::unique_ptr<temp_dir> dir;
  std::unique_ptr<child_process> process;
  int port = 0;
};

/// Starts `cryptodash serve --listen-addr 127.0.0.1 --port 0 <args>` in a temp dir and waits
/// (with `--set scheduler.enabled=false` unless `args` sets scheduler.enabled, and
/// `--set reports.daily_enabled=false` unless `args` sets that) for its "listening on" line.
/// Reports go to `<dir>/reports.db` unless `env` sets DATABASE_URL. `port` stays 0 if it did not start within 15 s.
inline running_server start_server(std::vector<std::string> args = {},
                                   std::map<std::string, std::string> env = {}) {
  running_server s;
  s.dir = std::make_unique<temp_dir>();
  std::vector<std::string> argv = {CRYPTODASH_BINARY, "serve",  "--listen-addr",
                                   "127.0.0.1",       "--port", "0"};
  // The background refresh would call the upstreams (the real ones, without a fake's base
  // URLs) and add calls that tests count: off unless a test turns it on.
  const bool scheduler_chosen = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a.rfind("scheduler.enabled=", 0) == 0;
  });
  if (!scheduler_chosen) argv.insert(argv.end(), {"--set", "scheduler.enabled=false"});
  // The daily reports would add upstream calls that tests count: off unless asked for.
  const bool daily_chosen = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a.rfind("reports.daily_enabled=", 0) == 0;
  });
  if (!daily_chosen) argv.insert(argv.end(), {"--set", "reports.daily_enabled=false"});
  argv.insert(argv.end(), args.begin(), args.end());
  env.try_emplace("CACHE_DIR", (s.dir->path() / "cache").string());
  env.try_emplace("DATABASE_URL", "sqlite://" + (s.dir->path() / "reports.db").string());
  env.try_emplace("APP_ENV", "development");
  s.process = std::make_unique<child_process>(argv, env, s.dir->path());
  static const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  eventually(
      [&] {
        std::smatch m;
        auto err = s.process->err();
        if (std::regex_search(err, m, listening)) s.port = std::stoi(m[1]);
        return s.port != 0 || !s.process->running();
      },
      std::chrono::seconds(15));
  return s;
}

/// The environment that points every provider of a server at `fake` (and logs at info).
inline std::map<std::string, std::string> upstream_env(const fake_upstream& fake) {
  return {{"COINGECKO_BASE_URL", fake.base_url("coingecko")},
          {"FNG_BASE_URL", fake.base_url("fear_greed")},
          {"TAAPI_BASE_URL", fake.base_url("taapi")},
          {"BINANCE_BASE_URL", fake.base_url("binance")},
          {"LOG_LEVEL", "info"}};
}

}  // namespace cryptodash::testing
