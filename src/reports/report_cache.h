#pragma once

// Reports for readers: an L1 in front of the report store (issue 9).

#include "cache/l1_cache.h"
#include "cache/single_flight.h"
#include "cache/tiered_cache.h"
#include "core/error.h"
#include "reports/async_report_store.h"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cryptodash::reports {

using report_ptr = std::shared_ptr<const stored_report>;

/// The `report_cache` figures of /api/cache-stats.
struct report_cache_stats {
  std::uint64_t entry_count = 0;  ///< reports held by id
  /// Reads (get, latest) answered from memory: the by-id L1, a cached latest id, or another
  /// reader's database read they waited for.
  std::uint64_t hits = 0;
  /// Reads that read the database themselves, or failed. Background refreshes of a latest id
  /// are not reads.
  std::uint64_t misses = 0;
  double hit_rate_percent = 0;    ///< hits / (hits + misses) × 100; 0 before any read
  /// The highest report id this instance has seen (written, read or primed); none before any.
  std::optional<std::int64_t> latest_report_id;
};

/// Reports for readers (the routes, the daily job), in front of the store.
///
/// - By id: stored reports are immutable, so a report read once is kept in an L1 of its own
///   (W-TinyLFU, bounded by body bytes) and never goes stale. Concurrent misses of one id read
///   the database once (single flight).
/// - Latest per symbol and timeframe: the id lives in the tiered cache under
///   `report:<symbol>:<timeframe>` (class `reports`, cache.ttl.reports_seconds), so it is one
///   immutable entry swapped atomically, computed once however many readers wait, shared with
///   other instances through L2, and replaced everywhere (backplane) when a report is
///   inserted. "No report yet" is cached as a not-found entry (class not_found). On top, the
///   highest id seen per symbol and timeframe is kept here, so an older id that a race left in
///   a tier never hides a report this instance knows of.
/// - insert() writes through: the database first; once it has the report, the report goes to
///   the by-id L1 and its id becomes the latest — a reader never sees an id the database does
///   not have. After writing a latest id to the tiers, the writer reads the database's latest
///   again and, while that is newer, writes it instead: of instances inserting reports of one
///   symbol and timeframe at once, the last to write has checked after its write, so every
///   tier ends on the newest id (publish()). A cold read's compute racing an insert elsewhere
///   can still leave the older id in L2 until the reports TTL (docs/decisions.md, "Reports").
/// - A database error is returned as it is (errc from report_store); the cache keeps serving
///   what it holds (a stale latest id is served, fail-safe, while the database is down).
/// Thread-safe; awaitables resume on the caller's executor. `store` and `cache` must outlive
/// this object.
class report_cache {
 public:
  struct options {
    std::uint64_t max_bytes = 32u << 20;  ///< bound on the bodies held by id
    const core::clock* clock = &core::system_clock::instance();
  };

  report_cache(async_report_store& store, cache::tiered_cache& cache, options opts);
  report_cache(const report_cache&) = delete;
  report_cache& operator=(const report_cache&) = delete;

  /// The report `id`; nullptr when there is none (ids below 1 included).
  boost::asio::awaitable<core::result<report_ptr>> get(std::int64_t id);

  /// The newest report of `symbol` and `timeframe`; nullptr when there is none. Errors:
  /// errc::invalid_argument for a malformed symbol or timeframe; the store's errors.
  boost::asio::awaitable<core::result<report_ptr>> latest(std::string symbol,
                                                          std::string timeframe);

  /// Stores `report` (report_store::insert) and makes it the latest of its symbol and
  /// timeframe on every instance. Returns the report as stored.
  boost::asio::awaitable<core::result<report_ptr>> insert(new_report report);

  /// One page of the listing, from the database (not cached: pages move as reports come).
  boost::asio::awaitable<core::result<report_page>> list(page_request page);

  /// Loads the latest report of every symbol and timeframe among the newest reports (one
  /// listing page of max_page_limit) — call once at start, so the first readers hit. Returns
  /// how many reports it loaded, or the store's error.
  boost::asio::awaitable<core::result<std::size_t>> prime();

  report_cache_stats stats() const;

  async_report_store& store() noexcept { return store_; }

 private:
  /// A read and whether this call read the database for it.
  struct read {
    core::result<report_ptr> result;
    bool from_store = false;
  };

  boost::asio::awaitable<read> load(std::int64_t id);
  boost::asio::awaitable<core::result<report_ptr>> latest_from_store(std::string symbol,
                                                                     std::string timeframe);
  boost::asio::awaitable<void> publish(report_ptr ptr);
  void count(bool hit) noexcept;
  report_ptr remember(stored_report report);
  void raise_floor(const stored_report& r);
  std::int64_t floor_of(const std::string& key) const;

  async_report_store& store_;
  cache::tiered_cache& cache_;
  options opts_;
  cache::l1_cache<std::int64_t, stored_report> by_id_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> floors_;  // guarded: key → highest id seen
  cache::single_flight<std::int64_t, report_ptr> loads_;
  std::atomic<std::int64_t> highest_{0};
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace cryptodash::reports
