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
  } catch (const std::exception& e) {
    fmt::print(stderr, "cryptodash: {}\n", e.what());
    return exit_failure;
  }
  return exit_usage;
}
