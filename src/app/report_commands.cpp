// `cryptodash report generate`: one report written to the database, its inputs read through
// the same cache and upstream limits as the server.

#include "app/cli_runtime.h"
#include "app/commands.h"
#include "app/report_runtime.h"
#include "reports/generate.h"

#include <fmt/format.h>
#include <unistd.h>
#include <boost/json/parse.hpp>

#include <cstdio>

namespace cryptodash::app {

int run_report_generate(const settings_options& opts, const report_generate_options& what) {
  std::shared_ptr<const config::settings> settings;
  auto rt = open_cli_runtime(opts, &settings);
  if (!rt) return exit_usage;
  std::unique_ptr<report_runtime> reports;
  try {
    reports =
        std::make_unique<report_runtime>(*settings, rt->cache(), core::system_clock::instance());
  } catch (const std::exception& e) {
    fmt::print(stderr, "cryptodash: {}\n", e.what());
    return exit_failure;
  }
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (terminal) {
    fmt::print(stderr, "  gathering the {} {} inputs and writing the report…", what.symbol,
               what.timeframe);
    std::fflush(stderr);
  }
  auto made = run_to_end(reports::generate_report(
      rt->data(), reports->cache(), core::system_clock::instance(), what.symbol, what.timeframe));
  if (terminal) fmt::print(stderr, "\n");
  rt->flush();
  if (!made) {
    fmt::print(stderr, "cryptodash: {}\n", made.error().message);
    return made.error().code == core::errc::invalid_argument ? exit_usage : exit_failure;
  }
  const auto& r = **made;
  fmt::print("report {} written: {} {}, created {}\n", r.id, r.symbol, r.timeframe,
             core::format_rfc3339(r.created_at));
  boost::system::error_code ec;
  auto body = boost::json::parse(r.body, ec);
  if (!ec && body.is_object()) {
    if (const auto* sum = body.as_object().if_contains("summary"); sum && sum->is_object()) {
      if (const auto* en = sum->as_object().if_contains("en"); en && en->is_string()) {
        fmt::print("{}\n", std::string_view(en->as_string()));
      }
    }
  }
  fmt::print("page: /crypto_report/{0}   pdf: /crypto_report/{0}/pdf\n", r.id);
  return exit_ok;
}

}  // namespace cryptodash::app
