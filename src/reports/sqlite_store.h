#pragma once

#include "reports/migrations.h"
#include "reports/open_error.h"
#include "reports/report_store.h"
#include "reports/store_health.h"

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

struct sqlite3;
struct sqlite3_stmt;

namespace cryptodash::reports {

struct sqlite_options {
  std::filesystem::path path;  ///< the database file; missing parent directories are created
  /// How long a call waits for a lock held by another connection (another process on the same
  /// file: `cryptodash report generate` next to the server) before errc::timeout.
  std::chrono::milliseconds busy_timeout{5000};
};

/// The report store in one SQLite file (the embedded default).
///
/// The file runs in WAL mode (readers in other processes never block the writer, nor it them),
/// with synchronous=FULL (a report that insert() returned survives a power cut), foreign keys
/// on and the busy timeout above. One connection, guarded by a mutex: calls run one at a time,
/// which is ample for a few reports a day read mostly through the report cache. Statements are
/// prepared once and reused. Contract: report_store. Thread-safe.
class sqlite_store final : public report_store {
 public:
  /// Opens the file, creating it and its directories if missing, and sets the pragmas. The
  /// schema is not touched: call migrate(). errc::io_error if the directory or the file cannot
  /// be made or opened, errc::corrupt if the file is not a SQLite database.
  static open_result<std::unique_ptr<sqlite_store>> open(const sqlite_options& options);
  ~sqlite_store() override;

  std::string_view backend() const noexcept override { return "sqlite"; }
  core::result<int> migrate() noexcept override;
  core::result<std::int64_t> insert(const new_report& report) noexcept override;
  core::result<std::optional<stored_report>> get(std::int64_t id) noexcept override;
  core::result<std::optional<stored_report>> latest(std::string_view symbol,
                                                    std::string_view timeframe) noexcept override;
  core::result<report_page> list(const page_request& page) noexcept override;
  core::result<std::int64_t> count() noexcept override;
  store_stats stats() const override { return health_.stats(); }

 private:
  enum class query { insert, get, latest, list, list_symbol, list_timeframe, list_both, count };
  struct db_closer {
    void operator()(sqlite3* db) const noexcept;
  };
  struct statement_finalizer {
    void operator()(sqlite3_stmt* s) const noexcept;
  };
  using statement_ptr = std::unique_ptr<sqlite3_stmt, statement_finalizer>;

  sqlite_store(std::filesystem::path path, sqlite3* db);

  // All below: mutex_ held.
  core::result<sqlite3_stmt*> prepared(query q);
  boost::system::error_code failure(int rc);  // maps rc, records it in health_
  core::result<void> exec(const char* sql);
  core::result<int> schema_version();
  core::result<void> apply(const migration& m);
  core::result<std::optional<stored_report>> one_report(sqlite3_stmt* s);

  template <class F>
  auto guarded(F&& f) noexcept -> decltype(f());

  const std::filesystem::path path_;
  store_health health_{"reports sqlite"};
  std::mutex mutex_;
  std::unique_ptr<sqlite3, db_closer> db_;   // guarded by mutex_
  std::array<statement_ptr, 8> statements_;  // guarded by mutex_; by query
};

}  // namespace cryptodash::reports
