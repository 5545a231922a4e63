#pragma once

// The subcommands of the `cryptodash` binary. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 invalid settings or usage.

#include "config/load.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cryptodash::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

/// The options every settings-reading subcommand takes: --config, --env, --set, plus the
/// shortcuts --port, --listen-addr and --log-level.
struct settings_options {
  std::string config_file;
  std::string env;
  std::vector<std::string> set;
  std::string port;
  std::string listen_addr;
  std::string log_level;

  void add_to(CLI::App& cmd);
  /// The sources they describe: the file (--config, else ./cryptodash.toml if present), the
  /// process environment, and the flags.
  config::sources to_sources() const;
};

/// Prints every problem to stderr under a heading.
void print_problems(const std::vector<config::problem>& problems);

/// What `update-cache` should fetch: coin ids (--coin, --coins), or the `popular` largest.
struct update_cache_options {
  std::vector<std::string> coins;
  int popular = 0;
};

/// What `report generate` writes: the report of one symbol and timeframe.
struct report_generate_options {
  std::string symbol = "btc";
  std::string timeframe = "1d";
};

int run_serve(const settings_options& opts);
int run_update_cache(const settings_options& opts, const update_cache_options& what);
int run_cache_stats(const settings_options& opts);
int run_cache_clear(const settings_options& opts, const std::string& pattern);
int run_config_show(const settings_options& opts);
int run_config_check(const std::string& file);
int run_report_generate(const settings_options& opts, const report_generate_options& what);

}  // namespace cryptodash::app
