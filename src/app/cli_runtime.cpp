#include "app/cli_runtime.h"

#include "app/logging.h"

#include <fmt/format.h>

namespace cryptodash::app {

std::unique_ptr<runtime> open_cli_runtime(const settings_options& opts,
                                          std::shared_ptr<const config::settings>* out) {
  auto loaded = config::load(opts.to_sources());
  if (!loaded.ok()) {
    print_problems(loaded.problems);
    return nullptr;
  }
  auto log = loaded.value.logging;
  if (opts.log_level.empty()) log.level = config::log_level::warn;  // quiet CLI by default
  setup_logging(log);
  try {
    auto rt = std::make_unique<runtime>(loaded.value, core::system_clock::instance());
    if (!rt->wait_for_redis(std::chrono::seconds(5))) {
      fmt::print(stderr, "warning: Redis ({}) is not reachable; going on without it\n",
                 loaded.value.cache.l2.url.redacted());
    }
    if (out != nullptr) *out = std::make_shared<const config::settings>(loaded.value);
    return rt;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cryptodash: {}\n", e.what());
    return nullptr;
  }
}

}  // namespace cryptodash::app
