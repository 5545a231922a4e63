#pragma once

#include "cache/tier.h"
#include "cache/tiered_cache.h"
#include "store/redis/client.h"
#include "store/redis/subscriber.h"

#include <chrono>
#include <memory>
#include <string>

namespace cryptodash::store::redis {

/// The L2 tier: entries as encoded envelopes (cache/entry.h) under `<namespace><key>`, with the
/// Redis TTL at the entry's expiry. A value that does not decode (garbage, another program's
/// data, an old format) is deleted and reported as a miss. Reads and writes give up after
/// `max_wait` so that a slow Redis never holds up a request.
class l2_tier final : public cache::tier {
 public:
  l2_tier(client& c, std::string key_namespace, std::chrono::milliseconds max_wait,
          std::chrono::milliseconds admin_timeout);

  std::string_view name() const noexcept override { return "l2"; }
  boost::asio::awaitable<core::result<cache::entry_ptr>> get(core::cache_key key) override;
  boost::asio::awaitable<core::result<void>> put(core::cache_key key, cache::entry_ptr e,
                                                 core::time_point expires_at) override;
  boost::asio::awaitable<core::result<void>> erase(core::cache_key key) override;
  /// SCAN MATCH `<namespace><pattern>` then UNLINK, in batches: other keys are never touched.
  boost::asio::awaitable<core::result<std::uint64_t>> clear(std::string pattern) override;
  cache::tier_stats stats() const override;

  void set_max_wait(std::chrono::milliseconds d) noexcept { max_wait_ms_.store(d.count()); }

 private:
  std::string redis_key(const core::cache_key& key) const { return namespace_ + key.str(); }

  client& client_;
  const std::string namespace_;
  std::atomic<std::int64_t> max_wait_ms_;
  const std::chrono::milliseconds admin_timeout_;
  cache::tier_counters counters_;
};

/// One compute per key per cluster: SET <ns>lock:<key> <token> NX PX <ttl>; released only by
/// its owner (a compare-and-delete script).
class lock_service final : public cache::lock_service {
 public:
  lock_service(client& c, std::string key_namespace, std::chrono::milliseconds max_wait);
  boost::asio::awaitable<core::result<std::optional<std::string>>> try_acquire(
      core::cache_key key, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<void> release(core::cache_key key, std::string token) override;

 private:
  client& client_;
  const std::string namespace_;
  const std::chrono::milliseconds max_wait_;
};

/// Invalidation between instances over the pub/sub channel `<namespace>events`, messages as
/// JSON {"op":"invalidate"|"clear"|"update","target":…,"origin":…}.
class backplane final : public cache::backplane {
 public:
  backplane(client& c, std::string key_namespace);
  ~backplane() override;
  void publish(const cache::backplane_event& e) override;
  void listen(std::function<void(const cache::backplane_event&)> on_event,
              std::function<void()> on_reconnect) override;
  bool subscribed() const noexcept { return sub_ && sub_->subscribed(); }
  bool wait_subscribed(std::chrono::milliseconds timeout) const {
    return sub_ && sub_->wait_subscribed(timeout);
  }

 private:
  client& client_;
  const std::string channel_;
  std::unique_ptr<subscriber> sub_;
};

}  // namespace cryptodash::store::redis
