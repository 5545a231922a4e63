#pragma once

#include "config/secret.h"
#include "reports/open_error.h"
#include "reports/pg_pool.h"
#include "reports/report_store.h"
#include "reports/store_health.h"

#include <chrono>
#include <memory>

namespace cryptodash::reports {

struct pg_options {
  /// postgresql://user:password@host:port/db (or postgres://, or any libpq connection URL).
  config::credential_url url;
  int pool_size = 4;  ///< connections at most (database.pool_size)
  /// How long a call waits for a pooled connection to come free before errc::timeout.
  std::chrono::milliseconds acquire_timeout{5000};
  /// libpq's connect_timeout, unless the URL sets its own.
  std::chrono::seconds connect_timeout{5};
};

/// The report store in PostgreSQL, for several instances sharing one database.
///
/// Calls run on a pool of `pool_size` connections (pg_pool), made on demand. A connection
/// that breaks (server restarted, network cut) is dropped and the next call makes a new one; a
/// call that found its idle connection broken before anything of it reached the server is
/// retried once on a new connection, and so is a read; an insert whose fate is unknown is not
/// retried (errc::unavailable), so that a report is never stored twice by the store itself.
/// Statements are prepared once per connection. Contract: report_store. Thread-safe.
class pg_store final : public report_store {
 public:
  /// Checks the URL with libpq (errc::invalid_argument, with libpq's reason); connects nothing
  /// yet, so that a server that is down at start does not stop the program.
  static open_result<std::unique_ptr<pg_store>> open(const pg_options& options);
  ~pg_store() override;

  std::string_view backend() const noexcept override { return "postgresql"; }
  core::result<int> migrate() noexcept override;
  core::result<std::int64_t> insert(const new_report& report) noexcept override;
  core::result<std::optional<stored_report>> get(std::int64_t id) noexcept override;
  core::result<std::optional<stored_report>> latest(std::string_view symbol,
                                                    std::string_view timeframe) noexcept override;
  core::result<report_page> list(const page_request& page) noexcept override;
  core::result<std::int64_t> count() noexcept override;
  store_stats stats() const override { return health_.stats(); }

 private:
  enum class retry { safe, before_send };  // whether the work may run twice

  explicit pg_store(std::string conninfo, const pg_options& options);

  /// Runs `work(txn, sent)` in one transaction on a pooled connection and commits, mapping
  /// every exception to an errc. `work` sets `sent` before it sends a statement whose effect
  /// must not be repeated.
  template <class R, class F>
  core::result<R> run(retry policy, F&& work) noexcept;

  store_health health_{"reports postgresql"};
  pg_pool pool_;
};

}  // namespace cryptodash::reports
