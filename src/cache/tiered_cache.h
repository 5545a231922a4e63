#pragma once

#include "cache/async_event.h"
#include "cache/entry.h"
#include "cache/l1_cache.h"
#include "cache/tier.h"
#include "config/settings.h"
#include "core/clock.h"
#include "core/keys.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cryptodash::cache {

/// Classes of data with their own soft TTL (cache.ttl.* settings).
enum class ttl_class { market, dashboard, indicators, tokenomics, reports, candles, not_found };

/// Where a value came from.
enum class source { l1, l2, disk, computed, none };
const char* to_string(source s) noexcept;

/// What get_or_compute found.
struct lookup {
  entry_ptr value;  ///< null: unavailable
  source from = source::none;
  bool fresh = false;  ///< false with a value: stale (past fresh_until, before stale_until)
  /// Why there is no value, or why it is stale when a refresh failed (timeout, circuit open…).
  boost::system::error_code error;
};

/// What a compute produced: the payload, and optionally a TTL class other than the one the
/// key was asked with (a "not found" answer is cached for ttl_class::not_found, so that unknown
/// names cannot burn the upstream budget yet are not remembered for long).
struct computed {
  computed(std::string p) : payload(std::move(p)) {}  // NOLINT: implicit by design
  computed(std::string p, ttl_class t) : payload(std::move(p)), ttl(t) {}
  std::string payload;
  std::optional<ttl_class> ttl;
};

/// Produces a fresh payload; the tiered cache adds the times. An error is kept from the
/// cache (fail-safe serves the stale value, if any).
using compute_fn = std::function<boost::asio::awaitable<core::result<computed>>()>;

/// Cross-instance mutual exclusion for computes (Redis SET NX PX). Optional.
class lock_service {
 public:
  virtual ~lock_service() = default;
  /// A token if acquired, nullopt if another instance holds the lock, or an error.
  virtual boost::asio::awaitable<core::result<std::optional<std::string>>> try_acquire(
      core::cache_key key, std::chrono::milliseconds ttl) = 0;
  virtual boost::asio::awaitable<void> release(core::cache_key key, std::string token) = 0;
};

/// Invalidation messages between instances (Redis pub/sub). Optional.
struct backplane_event {
  enum class kind { invalidate, clear, update } what = kind::invalidate;
  std::string target;  ///< a key (invalidate, update) or a pattern (clear)
  std::string origin;  ///< the sending instance
};
class backplane {
 public:
  virtual ~backplane() = default;
  virtual void publish(const backplane_event& e) = 0;  ///< fire and forget
  /// `on_event` gets other instances' events (and may get our own, which must be ignored);
  /// `on_reconnect` is called after the channel was down, when events may have been missed.
  /// A new call replaces the callbacks; an empty `on_event` stops listening. When listen()
  /// returns, no previous callback is running or will run again.
  virtual void listen(std::function<void(const backplane_event&)> on_event,
                      std::function<void()> on_reconnect) = 0;
};

/// What the tiered cache reads from the settings; live values are swapped by update().
struct tiered_options {
  config::cache_strategy strategy = config::cache_strategy::file_backup;
  config::cache_settings cache;  ///< TTLs, timeouts, L1 bounds (strategy resolved above)
  std::string instance_id;       ///< tells our backplane events from others'
};

/// The counters of /api/cache-stats.
struct tiered_stats {
  l1_stats l1;
  std::uint64_t l1_ttl_seconds = 0;
  std::optional<tier_stats> l2;
  std::optional<tier_stats> disk;
  std::uint64_t computes = 0;
  std::uint64_t compute_failures = 0;
  std::uint64_t stale_served = 0;
  std::uint64_t single_flight_joins = 0;  ///< requests that waited on another's compute
};

/// One L1 lookup made by tiered_cache::try_fresh. A fresh entry is served at once; otherwise
/// the probe is handed to get_or_compute, which then looks again without counting a second
/// hit or miss in L1's statistics (nor a second access in its eviction policy).
struct l1_probe {
  entry_ptr fresh;      ///< the entry if L1 held it fresh, else null
  bool looked = false;  ///< a lookup was made (false: L1 is not in use, or no probe)
};

/// The multi-tier cache of SPEC section 2: get-or-compute over L1 → L2 → disk → compute, with
/// single flight per key (and across instances with a lock_service), stale-while-revalidate,
/// fail-safe, soft and hard compute timeouts, and cross-instance invalidation.
/// Thread-safe; every awaitable resumes on the caller's executor. Background work (refreshes,
/// L2 writes) runs on the executor of the request that started it.
class tiered_cache {
 public:
  /// `l2`, `disk`, `locks` and `bus` may be null (and are not used unless the strategy says so);
  /// all must outlive the cache.
  tiered_cache(tiered_options options, const core::clock& clock, tier* l2, tier* disk,
               lock_service* locks, backplane* bus);
  ~tiered_cache();

  /// The value for `key`: from the first tier that has it usable, else from `compute`.
  ///   - fresh in L1: returned at once;
  ///   - stale anywhere: returned at once, and one background refresh runs;
  ///   - missing: one compute per key (per cluster with a lock_service) while others wait
  ///     (a requester that missed just as that compute ended takes its value from L1);
  ///     when it fails or passes its soft timeout, the stale value (if any) is returned.
  /// Never throws; `lookup::value` is null when there is nothing to serve. Arguments are
  /// taken by value: coroutines may start after the caller's temporaries are gone.
  /// `probe`, from try_fresh for the same key just before, stands for the L1 lookup.
  boost::asio::awaitable<lookup> get_or_compute(core::cache_key key, ttl_class cls,
                                                compute_fn compute, l1_probe probe = {});

  /// The hot path's shortcut, no coroutine, no waiting: one L1 lookup (counted in the
  /// statistics as any). Callers serve `fresh` when set, else pass the probe on to
  /// get_or_compute.
  l1_probe try_fresh(const core::cache_key& key) {
    if (!uses_l1()) return {};
    const auto now = clock_.now();
    auto e = l1_.get(key.str(), now);
    if (e && !e->fresh_at(now)) e = nullptr;
    return {std::move(e), true};
  }

  /// Reads the tiers only, no compute (CLI, admin).
  boost::asio::awaitable<lookup> peek(core::cache_key key);

  /// Stores a payload computed elsewhere (update-cache) in every tier, awaiting L2 and disk.
  boost::asio::awaitable<entry_ptr> put(core::cache_key key, std::string payload,
                                        ttl_class cls);

  /// Removes keys matching `pattern` (core::normalize_key_pattern form) from every tier and
  /// tells the other instances; returns how many L1 entries went.
  boost::asio::awaitable<std::uint64_t> clear(std::string pattern);

  /// Applies live settings (TTLs, timeouts); bounds and strategy stay as they were.
  void update(const config::cache_settings& cache);

  tiered_stats stats() const;
  config::cache_strategy strategy() const noexcept { return options_.strategy; }
  /// Runs L1 maintenance (expiry); call now and then (e.g. every second).
  void maintain() { l1_.cleanup(); }

 private:
  struct flight;
  std::chrono::seconds soft_ttl(ttl_class cls) const;
  entry_ptr make_entry(std::string payload, ttl_class cls) const;
  void store_l1(const core::cache_key& key, const entry_ptr& e);
  void store_below(const boost::asio::any_io_executor& ex, const core::cache_key& key,
                   const entry_ptr& e, bool l2, bool disk);
  std::pair<std::shared_ptr<flight>, bool> join(const std::string& key);
  boost::asio::awaitable<void> run_flight(std::shared_ptr<flight> f, core::cache_key key,
                                          ttl_class cls, compute_fn compute, entry_ptr known);
  void on_backplane(const backplane_event& e);

  bool uses_l1() const noexcept;
  bool uses_l2() const noexcept;
  bool uses_disk() const noexcept;

  tiered_options options_;
  const core::clock& clock_;
  tier* l2_;
  tier* disk_;
  lock_service* locks_;
  backplane* bus_;
  l1_cache<std::string, entry> l1_;

  mutable std::mutex mutex_;  // guards flights_, failures_, live_
  std::unordered_map<std::string, std::shared_ptr<flight>> flights_;
  struct failure {
    core::time_point at;
    boost::system::error_code error;
  };
  std::unordered_map<std::string, failure> failures_;
  config::cache_settings live_;

  std::atomic<std::uint64_t> computes_{0}, compute_failures_{0}, stale_served_{0}, joins_{0};
};

}  // namespace cryptodash::cache
