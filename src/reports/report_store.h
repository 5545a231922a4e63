#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::reports {

/// A report as its writer hands it to the store. The store checks the fields (below) and
/// normalises `symbol` and `timeframe` to lowercase; it never looks inside `body`.
struct new_report {
  std::string symbol;           ///< ^[a-z0-9]{1,15}$ after lowercasing ("btc")
  std::string timeframe;        ///< "1d" or "1w"
  core::time_point created_at;  ///< UTC; kept to the millisecond (rounded down); after 1970
  std::string body;  ///< the report as JSON text: 1..max_body_bytes bytes of UTF-8, no NUL
};

/// A report as stored. Immutable: no call changes or deletes it once written.
struct stored_report {
  std::int64_t id = 0;  ///< assigned by the database: positive, never reused, increasing
  std::string symbol;
  std::string timeframe;
  core::time_point created_at;  ///< whole milliseconds
  std::string body;             ///< byte for byte what was inserted

  friend bool operator==(const stored_report&, const stored_report&) = default;
};

/// What a listing shows of a report: everything but the body.
struct report_summary {
  std::int64_t id = 0;
  std::string symbol;
  std::string timeframe;
  core::time_point created_at;

  friend bool operator==(const report_summary&, const report_summary&) = default;
};

/// One page of a listing, newest (highest id) first. Keyset paging: the next page is the one
/// whose `before_id` is this page's `next_before_id`, so pages never skip or repeat a report
/// when reports are added between two requests.
struct page_request {
  int limit = 20;  ///< 1..max_page_limit
  std::optional<std::int64_t>
      before_id;  ///< only ids below it (must be positive); none: from the newest
  std::optional<std::string> symbol;     ///< only this symbol (lowercased, checked like new_report)
  std::optional<std::string> timeframe;  ///< only this timeframe ("1d" or "1w")
};

struct report_page {
  std::vector<report_summary> items;  ///< at most `limit`, ids decreasing
  /// The id of the last item when more reports match below it; none on the last page.
  std::optional<std::int64_t> next_before_id;
};

inline constexpr int max_page_limit = 100;
/// Bound on a report body. A daily report with a year of candles is well under 1 MiB.
inline constexpr std::size_t max_body_bytes = 4u << 20;

/// How the store is doing, for /health and metrics. A failure is a call that failed for the
/// database's sake (unreachable, I/O, SQL error); refused input is not counted.
struct store_stats {
  bool healthy = true;      ///< the last call that reached for the database succeeded
  std::uint64_t calls = 0;  ///< calls that went to the database
  std::uint64_t failures = 0;
  std::string last_error;  ///< the database's message for the last failure ("" if none)
};

/// The store of market reports (SQLite or PostgreSQL behind the same contract).
///
/// Contract shared by every implementation (tests/unit/reports/store_contract.h checks it on
/// both backends):
/// - Blocking: each call runs to completion on the caller's thread. Never call it from an Asio
///   thread; go through async_report_store (a blocking_pool) instead.
/// - Thread-safe: calls from any number of threads at once.
/// - Never throws and never crashes on a database that is down, slow or broken; it answers with
///   an error instead, logs one warning when the store turns unhealthy and one line when it
///   recovers, and counts the failure in stats(). Errors (core::errc):
///     invalid_argument — refused input (bad symbol, timeframe, limit, before_id or body);
///     too_large        — a body over max_body_bytes;
///     unavailable      — the database server cannot be reached (PostgreSQL);
///     timeout          — the database stayed locked or no pooled connection came free in time;
///     corrupt          — the database file is not a database, or its schema is newer than
///                        this program knows;
///     forbidden        — the database refused to change a stored report;
///     io_error         — any other failure of the database (disk full, missing table because
///                        migrate() was not called, SQL error).
/// - "Newest" means the highest id, which is the order of insertion.
/// - Reports are immutable: there is no call to change or delete one, and the schema holds a
///   trigger that refuses an UPDATE of a report row from any client.
class report_store {
 public:
  virtual ~report_store() = default;

  /// "sqlite" or "postgresql".
  virtual std::string_view backend() const noexcept = 0;

  /// Creates or upgrades the schema: each migration not yet applied runs once, in its own
  /// transaction together with its row in `schema_version`. Idempotent, and safe when several
  /// processes migrate the same database at once. Returns the schema version now in place;
  /// errc::corrupt if the database holds a newer version than this program knows.
  /// Call it once at start, before the other calls.
  virtual core::result<int> migrate() noexcept = 0;

  /// Stores a report and returns its id. Postcondition: get(id) returns it, and it is the
  /// latest() of its symbol and timeframe until a newer one is inserted.
  virtual core::result<std::int64_t> insert(const new_report& report) noexcept = 0;

  /// The report with this id; none if there is no such report (any id may be asked).
  virtual core::result<std::optional<stored_report>> get(std::int64_t id) noexcept = 0;

  /// The newest report of a symbol and timeframe; none if there is none.
  virtual core::result<std::optional<stored_report>> latest(
      std::string_view symbol, std::string_view timeframe) noexcept = 0;

  /// One page of summaries, newest first (see page_request).
  virtual core::result<report_page> list(const page_request& page) noexcept = 0;

  /// How many reports are stored.
  virtual core::result<std::int64_t> count() noexcept = 0;

  virtual store_stats stats() const = 0;
};

/// The normalised symbol and timeframe of a new report that passed its checks.
struct report_key {
  std::string symbol;
  std::string timeframe;
};

/// The checks every implementation applies before it reaches for the database; each returns
/// the normalised value or errc::invalid_argument / errc::too_large.
core::result<report_key> checked(const new_report& report);
core::result<std::string> checked_symbol(std::string_view symbol);
core::result<std::string> checked_timeframe(std::string_view timeframe);
core::result<page_request> checked(const page_request& page);

/// Milliseconds since the Unix epoch, rounded down, and back: how created_at is stored.
std::int64_t to_unix_ms(core::time_point t) noexcept;
core::time_point from_unix_ms(std::int64_t ms) noexcept;

}  // namespace cryptodash::reports
