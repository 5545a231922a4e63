#pragma once

#include "config/settings.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cryptodash::config {

/// A setting that is wrong, and why: "cache.l1.capacity: must be at least 1, got -5".
struct problem {
  std::string setting;  ///< the TOML key, or the file for a syntax error
  std::string message;
};
std::string to_string(const problem& p);

/// Looks up an environment variable. Injected so tests need not touch the process environment.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;
/// The process environment (getenv).
env_lookup process_env();

/// A value given on the command line: `--port 9000` is {"server.port", "9000"};
/// `--set cache.l1.capacity=500` is {"cache.l1.capacity", "500"}.
struct override_value {
  std::string key;
  std::string value;
};

/// Where settings come from, lowest precedence first: the profile's defaults, `file`, the
/// environment, `flags`.
struct sources {
  std::optional<std::filesystem::path> file;
  env_lookup env = process_env();
  std::vector<override_value> flags;
};

struct load_result {
  settings value;                 ///< meaningful only when ok()
  std::vector<problem> problems;  ///< every problem found, not only the first
  bool ok() const noexcept { return problems.empty(); }
};

/// Builds the effective settings and validates them. The profile (app.env) is settled first —
/// flag, then APP_ENV, then the file, else development — because it chooses the defaults.
/// Unknown keys in the file or in flags are problems (typos must not pass silently).
/// Never throws.
load_result load(const sources& src);

/// Checks a complete settings value; empty when it is valid. Messages name the setting and
/// why, and never show a secret.
std::vector<problem> validate(const settings& s);

}  // namespace cryptodash::config
