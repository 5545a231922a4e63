#pragma once

#include "cache/tiered_cache.h"
#include "config/settings.h"
#include "core/clock.h"
#include "reports/async_report_store.h"
#include "reports/blocking_pool.h"
#include "reports/report_cache.h"
#include "reports/report_store.h"

#include <memory>

namespace cryptodash::app {

/// The report side of a process (serve, `report generate`): the store that database.url names,
/// migrated; the pool its blocking calls run on (PostgreSQL: database.pool_size threads;
/// SQLite: 2); the report cache over `cache`; and a pool for rendering PDFs. Destroyed in
/// reverse order, so the pools finish their calls before the store goes.
class report_runtime {
 public:
  /// Opens and migrates the store. Throws std::runtime_error with a message naming
  /// DATABASE_URL (its password redacted) and what is wrong.
  report_runtime(const config::settings& s, cache::tiered_cache& cache, const core::clock& clock);
  ~report_runtime() { join_pools(); }  ///< the pools finish before async_ and the store go
  report_runtime(const report_runtime&) = delete;
  report_runtime& operator=(const report_runtime&) = delete;

  /// Finishes the renders and database calls already queued: call it once the server has
  /// joined and before its io_contexts, where those calls complete, are destroyed.
  void join_pools() {
    render_pool_.join();
    db_pool_.join();
  }

  reports::report_cache& cache() noexcept { return cache_; }
  reports::blocking_pool& render_pool() noexcept { return render_pool_; }
  reports::report_store& store() noexcept { return *store_; }

 private:
  std::unique_ptr<reports::report_store> store_;
  reports::blocking_pool db_pool_;
  reports::async_report_store async_;
  reports::report_cache cache_;
  reports::blocking_pool render_pool_{2};
};

}  // namespace cryptodash::app
