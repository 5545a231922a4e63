// cryptodash: the command-line entry point. Subcommands are registered only once they work.

#include "app/commands.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  using namespace cryptodash::app;

  CLI::App cli{"cryptodash: a crypto market dashboard server with a multi-tier cache"};
  cli.set_version_flag("--version", CRYPTODASH_VERSION);
  cli.require_subcommand(1);

  settings_options serve_opts;
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  serve_opts.add_to(*serve);

  auto* config = cli.add_subcommand("config", "Inspect and check settings");
  config->require_subcommand(1);
  settings_options show_opts;
  auto* show =
      config->add_subcommand("show", "Print the effective configuration as TOML, secrets redacted");
  show_opts.add_to(*show);
  std::string check_file;
  auto* check = config->add_subcommand(
      "check", "Check a settings file (with this environment applied, as `serve` would)");
  check->add_option("FILE", check_file, "The TOML file")->required();

  settings_options update_opts;
  update_cache_options update_what;
  std::string one_coin;
  auto* update = cli.add_subcommand(
      "update-cache",
      "Fetch coins from the upstreams into the cache (L2 and disk) and exit, within the same "
      "rate limits as the server");
  update_opts.add_to(*update);
  auto* coin_opt = update->add_option("--coin", one_coin, "One CoinGecko coin id (bitcoin)");
  auto* coins_opt =
      update->add_option("--coins", update_what.coins, "Several coin ids (bitcoin ethereum …)");
  auto* popular_opt = update->add_option("--popular", update_what.popular,
                                         "The N largest coins by market cap")
                          ->check(CLI::Range(1, 1000));
  coin_opt->excludes(coins_opt)->excludes(popular_opt);
  coins_opt->excludes(popular_opt);
  update->callback([&] {
    if (!one_coin.empty()) update_what.coins.push_back(one_coin);
    if (update_what.coins.empty() && update_what.popular == 0) {
      throw CLI::RequiredError("--coin, --coins or --popular");
    }
  });

  auto* cache_cmd = cli.add_subcommand("cache", "Inspect or clear the configured cache tiers");
  cache_cmd->require_subcommand(1);
  settings_options stats_opts;
  auto* stats = cache_cmd->add_subcommand("stats", "What the shared tiers (Redis, disk) hold");
  stats_opts.add_to(*stats);
  settings_options clear_opts;
  std::string clear_pattern;
  auto* clear = cache_cmd->add_subcommand(
      "clear", "Remove entries from every tier (and from running servers' L1 through Redis)");
  clear_opts.add_to(*clear);
  clear->add_option("--pattern", clear_pattern,
                    "A key or key prefix ending in '*' (market:*); default: everything");

  auto* report_cmd = cli.add_subcommand("report", "Market reports");
  report_cmd->require_subcommand(1);
  settings_options generate_opts;
  report_generate_options generate_what;
  auto* generate = report_cmd->add_subcommand(
      "generate",
      "Write a market report to the database (DATABASE_URL), its inputs read through the cache "
      "within the same rate limits as the server");
  generate_opts.add_to(*generate);
  generate->add_option("--symbol", generate_what.symbol, "Ticker symbol")->capture_default_str();
  generate->add_option("--timeframe", generate_what.timeframe, "1d or 1w")
      ->check(CLI::IsMember({"1d", "1w"}, CLI::ignore_case))
      ->capture_default_str();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? exit_ok : exit_usage;
  }

  try {
    if (*serve) return run_serve(serve_opts);
    if (*show) return run_config_show(show_opts);
    if (*check) return run_config_check(check_file);
    if (*update) return run_update_cache(update_opts, update_what);
    if (*stats) return run_cache_stats(stats_opts);
    if (*clear) return run_cache_clear(clear_opts, clear_pattern);
    if (*generate) return run_report_generate(generate_opts, generate_what);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cryptodash: {}\n", e.what());
    return exit_failure;
  }
  return exit_usage;
}
