#include "app/commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace cryptodash::app {

void settings_options::add_to(CLI::App& cmd) {
  cmd.add_option("--config", config_file,
                 "Settings file (TOML); default ./cryptodash.toml when it exists");
  cmd.add_option("--env", env, "Profile: development, staging or production (overrides APP_ENV)");
  cmd.add_option("--set", set, "Override any setting: --set cache.l1.capacity=50000 (repeatable)")
      ->check(CLI::Validator(
          [](const std::string& kv) {
            return kv.find('=') == std::string::npos ? std::string("expected KEY=VALUE")
                                                     : std::string();
          },
          "KEY=VALUE"));
  cmd.add_option("--port", port, "server.port (0 picks a free port)");
  cmd.add_option("--listen-addr", listen_addr, "server.listen_addr");
  cmd.add_option("--log-level", log_level, "logging.level");
}

config::sources settings_options::to_sources() const {
  config::sources src;
  if (!config_file.empty()) {
    src.file = config_file;
  } else if (std::error_code ec; std::filesystem::is_regular_file("cryptodash.toml", ec)) {
    src.file = "cryptodash.toml";
  }
  for (const auto& kv : set) {
    auto eq = kv.find('=');
    src.flags.push_back({kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1)});
  }
  if (!env.empty()) src.flags.push_back({"app.env", env});
  if (!port.empty()) src.flags.push_back({"server.port", port});
  if (!listen_addr.empty()) src.flags.push_back({"server.listen_addr", listen_addr});
  if (!log_level.empty()) src.flags.push_back({"logging.level", log_level});
  return src;
}

void print_problems(const std::vector<config::problem>& problems) {
  fmt::print(stderr, "cryptodash: invalid settings:\n");
  for (const auto& p : problems) fmt::print(stderr, "  - {}\n", config::to_string(p));
}

}  // namespace cryptodash::app
