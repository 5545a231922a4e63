#pragma once

// What the one-shot subcommands (update-cache, cache, report) share.

#include "app/commands.h"
#include "app/runtime.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <memory>

namespace cryptodash::app {

/// Loads the settings (quiet logging unless --log-level) and builds the runtime, waiting up to
/// 5 s for Redis; nullptr, after printing why on stderr, on failure. `out`, when given,
/// receives the settings.
std::unique_ptr<runtime> open_cli_runtime(const settings_options& opts,
                                          std::shared_ptr<const config::settings>* out = nullptr);

/// Runs `op` on an io_context of this thread to its end and returns its result (rethrows).
template <class T>
T run_to_end(boost::asio::awaitable<T> op) {
  boost::asio::io_context ioc;
  auto f = boost::asio::co_spawn(ioc, std::move(op), boost::asio::use_future);
  ioc.run();
  return f.get();
}

}  // namespace cryptodash::app
