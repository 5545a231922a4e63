// `cryptodash update-cache` and `cryptodash cache stats|clear`: the same tiers and upstream
// limits as the server, from the command line.

#include "api/ops_routes.h"
#include "app/commands.h"
#include "app/logging.h"
#include "app/cli_runtime.h"
#include "app/runtime.h"
#include "core/json_text.h"
#include "core/keys.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace cryptodash::app {

namespace asio = boost::asio;

namespace {

void print_list(const char* title, const std::vector<std::string>& items) {
  fmt::print("{} ({}){}\n", title, items.size(), items.empty() ? "" : ":");
  for (const auto& i : items) fmt::print("  {}\n", i);
}

}  // namespace

int run_update_cache(const settings_options& opts, const update_cache_options& what) {
  auto rt = open_cli_runtime(opts);
  if (!rt) return exit_usage;

  std::vector<std::string> ids;
  for (const auto& raw : what.coins) {
    auto id = core::normalize_coin_id(raw);
    if (!id) {
      fmt::print(stderr, "cryptodash: \"{}\" is not a coin id ([a-z0-9-]{{1,64}})\n", raw);
      return exit_usage;
    }
    if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
  }
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  market::data_service::progress_fn progress;
  if (terminal) {
    progress = [](std::size_t done, std::size_t total) {
      fmt::print(stderr, "\r  {}/{} coins", done, total);
      std::fflush(stderr);
    };
  }
  market::update_report report;
  if (what.popular > 0) {
    report = run_to_end(rt->data().update_popular(what.popular, progress));
  } else {
    report = run_to_end(rt->data().update_coins(ids, progress));
  }
  if (terminal) fmt::print(stderr, "\n");
  rt->flush();
  print_list("updated", report.updated);
  print_list("skipped (rate limit, budget or open circuit)", report.skipped);
  print_list("failed", report.failed);
  return report.failed.empty() && report.skipped.empty() ? exit_ok : exit_failure;
}

int run_cache_stats(const settings_options& opts) {
  std::shared_ptr<const config::settings> settings;
  auto rt = open_cli_runtime(opts, &settings);
  if (!rt) return exit_usage;
  // What this process can see of the shared tiers (its own L1 is empty).
  const auto st = rt->cache().stats();
  boost::json::object out;
  out["cache_strategy"] = config::to_string(rt->cache().strategy());
  boost::json::object l2;
  l2["type"] = rt->redis() != nullptr ? "redis" : "none";
  l2["healthy"] = st.l2 ? st.l2->healthy : false;
  if (rt->redis() != nullptr) {
    // Keys under our namespace, counted with SCAN (never KEYS).
    std::uint64_t keys = 0;
    std::string cursor = "0";
    bool ok = true;
    do {
      std::vector<std::string> cmd = {"SCAN", cursor, "MATCH",
                                      settings->cache.l2.key_namespace + "*", "COUNT", "1000"};
      auto r = rt->redis()->exec_blocking(std::move(cmd), std::chrono::seconds(2));
      if (!r || r->is_error() || r->elements.size() != 2) {
        ok = false;
        break;
      }
      cursor = r->elements[0].str;
      keys += r->elements[1].elements.size();
    } while (cursor != "0");
    l2["keys"] = ok ? boost::json::value(keys) : boost::json::value(nullptr);
  }
  out["l2"] = std::move(l2);
  boost::json::object disk;
  disk["enabled"] = st.disk.has_value();
  disk["entry_count"] = st.disk ? st.disk->entries : 0;
  disk["bytes"] = st.disk ? st.disk->bytes : 0;
  disk["healthy"] = st.disk ? st.disk->healthy : false;
  disk["dir"] = settings->cache.disk.dir;
  out["disk"] = std::move(disk);
  fmt::print("{}\n", core::to_json(out));
  return exit_ok;
}

int run_cache_clear(const settings_options& opts, const std::string& pattern_text) {
  auto pattern = core::normalize_key_pattern(pattern_text.empty() ? "*" : pattern_text);
  if (!pattern) {
    fmt::print(stderr,
               "cryptodash: --pattern: a key or key prefix of [a-z0-9:-], optionally ending in "
               "'*' (e.g. \"market:*\")\n");
    return exit_usage;
  }
  auto rt = open_cli_runtime(opts);
  if (!rt) return exit_usage;
  run_to_end(rt->cache().clear(*pattern));
  rt->flush();
  fmt::print("cleared {} from every configured tier{}\n", *pattern,
             rt->redis() != nullptr ? " (running servers were told to drop it from L1)" : "");
  return exit_ok;
}

}  // namespace cryptodash::app
