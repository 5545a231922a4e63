#pragma once

// The registry of every setting: its TOML key, its environment variable, whether it can change
// while running, and how to read, write, show and compare it on a `settings`. Loading, `config
// show`, validation messages and reload all go through this one table, so a setting added here
// is at once readable from TOML, env (if named) and `--set`, shown, and reload-classified.

#include "config/settings.h"

#include <toml++/toml.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::config {

enum class reload_mode { live, restart };

struct field {
  std::string key;  ///< dotted TOML path, e.g. "cache.l1.capacity"
  std::string env;  ///< environment variable, or empty
  reload_mode reload = reload_mode::restart;
  /// Sets the member from a TOML value. Returns "" on success, else why it was refused (the
  /// member is then unchanged). Never echoes a secret.
  std::function<std::string(settings&, const toml::node&)> from_toml;
  /// Same from text (environment variable, `--set key=value`, `--port 9000`).
  std::function<std::string(settings&, std::string_view)> from_text;
  /// Inserts the member's value, secrets redacted, as `leaf` into `parent`.
  std::function<void(const settings&, toml::table& parent, std::string_view leaf)> show;
  std::function<bool(const settings&, const settings&)> equal;
  std::function<void(settings& to, const settings& from)> copy;
};

/// Every setting, in documentation order. Built once; thread-safe to read.
const std::vector<field>& fields();

/// The field for `key`, or nullptr.
const field* find_field(std::string_view key);

}  // namespace cryptodash::config
