#pragma once

#include "cache/tiered_cache.h"
#include "config/settings.h"
#include "core/clock.h"
#include "market/data_service.h"
#include "store/disk/disk_tier.h"
#include "store/redis/client.h"
#include "store/redis/l2_tier.h"
#include "upstream/upstreams.h"

#include <memory>
#include <string>

namespace cryptodash::app {

/// Everything `serve` and the cache commands share, built from the settings in dependency
/// order: Redis (when cache.l2.url is set and the strategy uses it) with its L2 tier, lock
/// service and backplane; the disk tier (when the strategy uses it); the tiered cache; the
/// upstream gateways (limits shared through Redis when present); the data service.
/// Destroyed in reverse order.
class runtime {
 public:
  /// Builds everything. Throws std::runtime_error with a message naming what failed (an
  /// unusable cache directory, a bad upstream URL); Redis being down is not an error (the
  /// client reconnects in the background).
  runtime(const config::settings& s, const core::clock& clock);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Waits up to `timeout` for Redis to connect (CLI commands that exist to write it).
  /// True without Redis.
  bool wait_for_redis(std::chrono::milliseconds timeout) const;

  /// Applies live settings to every part.
  void reconfigure(const config::settings& s);

  /// Blocks until queued disk writes are on disk (before exit).
  void flush();

  cache::tiered_cache& cache() noexcept { return *cache_; }
  upstream::upstreams& upstreams() noexcept { return *upstreams_; }
  market::data_service& data() noexcept { return *data_; }
  store::redis::client* redis() noexcept { return redis_.get(); }
  store::disk::disk_tier* disk() noexcept { return disk_.get(); }
  const std::string& instance_id() const noexcept { return instance_id_; }

 private:
  std::string instance_id_;
  std::unique_ptr<store::redis::client> redis_;
  std::unique_ptr<store::redis::l2_tier> l2_;
  std::unique_ptr<store::redis::lock_service> locks_;
  std::unique_ptr<store::redis::backplane> bus_;
  std::unique_ptr<store::disk::disk_tier> disk_;
  std::unique_ptr<cache::tiered_cache> cache_;
  std::unique_ptr<upstream::upstreams> upstreams_;
  std::unique_ptr<market::data_service> data_;
};

}  // namespace cryptodash::app
