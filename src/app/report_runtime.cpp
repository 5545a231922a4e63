#include "app/report_runtime.h"

#include "reports/open_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace cryptodash::app {

namespace {

std::unique_ptr<reports::report_store> open_and_migrate(const config::settings& s) {
  auto opened = reports::open_report_store(s.database);
  if (!opened) throw std::runtime_error(opened.error().message);
  auto& store = **opened;
  auto version = store.migrate();
  if (!version) {
    throw std::runtime_error(fmt::format(
        "DATABASE_URL (database.url) {}: cannot create or upgrade the report "
        "schema: {} ({})",
        s.database.url.redacted(), version.error().message(), store.stats().last_error));
  }
  spdlog::info("reports: {} database {}, schema version {}", store.backend(),
               s.database.url.redacted(), *version);
  return std::move(*opened);
}

std::size_t db_threads(const reports::report_store& store, const config::settings& s) {
  return store.backend() == "sqlite" ? 2
                                     : static_cast<std::size_t>(std::max(1, s.database.pool_size));
}

}  // namespace

report_runtime::report_runtime(const config::settings& s, cache::tiered_cache& cache,
                               const core::clock& clock)
    : store_(open_and_migrate(s)),
      db_pool_(db_threads(*store_, s)),
      async_(*store_, db_pool_),
      cache_(async_, cache, {.clock = &clock}) {}

}  // namespace cryptodash::app
