#include "app/commands.h"
#include "config/show.h"

#include <fmt/format.h>

#include <cstdio>

namespace cryptodash::app {

int run_config_show(const settings_options& opts) {
  auto loaded = config::load(opts.to_sources());
  if (!loaded.ok()) {
    print_problems(loaded.problems);
    return exit_usage;
  }
  fmt::print("# cryptodash effective configuration (profile {}); secrets are redacted\n",
             config::to_string(loaded.value.app.env));
  fmt::print("{}", config::to_toml(loaded.value));
  return exit_ok;
}

int run_config_check(const std::string& file) {
  config::sources src;
  src.file = file;
  auto loaded = config::load(src);
  if (!loaded.ok()) {
    print_problems(loaded.problems);
    return exit_usage;
  }
  fmt::print("{}: OK (profile {}, cache strategy {})\n", file,
             config::to_string(loaded.value.app.env),
             config::to_string(loaded.value.effective_cache_strategy()));
  return exit_ok;
}

}  // namespace cryptodash::app
