#pragma once

#include "config/settings.h"

#include <string>

namespace cryptodash::config {

/// The settings as a TOML document, every key present, secrets redacted ("<redacted>", and
/// "***" for the password of a URL). `cache.strategy` shows the effective strategy.
/// Feeding the output back as a settings file gives the same settings, secrets aside.
std::string to_toml(const settings& s);

/// The same, as a JSON document (for /admin/config).
std::string to_json(const settings& s);

}  // namespace cryptodash::config
