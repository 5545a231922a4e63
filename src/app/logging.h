#pragma once

#include "config/settings.h"

namespace cryptodash::app {

/// Installs the process's default spdlog logger, writing to stderr (stdout is kept for command
/// output): coloured text for `text`, one JSON object per line for `json`
/// ({"ts":"…Z","level":"info","msg":"…"}). Call once, before other threads log.
void setup_logging(const config::logging_settings& s);

/// Changes the level of the default logger (live reload).
void set_log_level(config::log_level level);

}  // namespace cryptodash::app
