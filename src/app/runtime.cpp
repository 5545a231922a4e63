#include "app/runtime.h"

#include "store/redis/lease.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace cryptodash::app {

using std::chrono::milliseconds;

namespace {

bool uses_redis(config::cache_strategy s) {
  return s == config::cache_strategy::redis_only || s == config::cache_strategy::hybrid ||
         s == config::cache_strategy::all;
}

bool uses_disk(config::cache_strategy s) {
  return s == config::cache_strategy::file_backup || s == config::cache_strategy::all;
}

}  // namespace

runtime::runtime(const config::settings& s, const core::clock& clock)
    : instance_id_(store::redis::make_instance_id()) {
  const auto strategy = s.effective_cache_strategy();
  const auto& l2s = s.cache.l2;
  if (!l2s.url.empty() && uses_redis(strategy)) {
    auto where = store::redis::parse_url(l2s.url.reveal());
    if (!where) throw std::runtime_error("cache.l2.url: not a usable Redis URL");
    store::redis::client_options o;
    o.link.where = std::move(*where);
    o.link.tls_ca_file = l2s.tls_ca_file;
    o.link.connect_timeout = milliseconds(l2s.connect_timeout_ms);
    o.reconnect_max_delay = milliseconds(l2s.reconnect_max_delay_ms);
    redis_ = std::make_unique<store::redis::client>(std::move(o));
    const milliseconds max_wait(l2s.max_wait_ms);
    const milliseconds admin(std::max(l2s.command_timeout_ms, 2000));
    l2_ = std::make_unique<store::redis::l2_tier>(*redis_, l2s.key_namespace, max_wait, admin);
    locks_ = std::make_unique<store::redis::lock_service>(*redis_, l2s.key_namespace, max_wait);
    bus_ = std::make_unique<store::redis::backplane>(*redis_, l2s.key_namespace);
  } else if (uses_redis(strategy)) {
    spdlog::warn("cache.strategy {} uses Redis, but cache.l2.url is empty: L1 only",
                 config::to_string(strategy));
  }
  if (uses_disk(strategy)) {
    store::disk::disk_options d;
    d.dir = s.cache.disk.dir;
    d.max_bytes = static_cast<std::uint64_t>(s.cache.disk.max_bytes);
    d.fsync = s.cache.disk.fsync;
    d.queue_max = static_cast<std::size_t>(s.cache.disk.write_queue_max);
    try {
      disk_ = std::make_unique<store::disk::disk_tier>(std::move(d));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("cache.disk.dir: cannot use \"{}\": {}",
                                           s.cache.disk.dir, e.what()));
    }
  }

  cache::tiered_options opts;
  opts.strategy = strategy;
  opts.cache = s.cache;
  opts.instance_id = instance_id_;
  cache_ = std::make_unique<cache::tiered_cache>(opts, clock, l2_.get(), disk_.get(),
                                                 locks_.get(), bus_.get());

  auto ups = upstream::upstreams::create(s.upstreams, redis_.get(), l2s.key_namespace, clock);
  if (!ups) {
    throw std::runtime_error("upstreams: a base URL, the CA file or the proxy URL is unusable");
  }
  upstreams_ = std::move(*ups);
  data_ = std::make_unique<market::data_service>(*cache_, *upstreams_, clock, s);
}

runtime::~runtime() {
  data_.reset();
  upstreams_.reset();
  cache_.reset();
  if (disk_) disk_->flush();
}

bool runtime::wait_for_redis(milliseconds timeout) const {
  return !redis_ || redis_->wait_connected(timeout);
}

void runtime::reconfigure(const config::settings& s) {
  cache_->update(s.cache);
  if (l2_) l2_->set_max_wait(milliseconds(s.cache.l2.max_wait_ms));
  upstreams_->reconfigure(s.upstreams);
  data_->reconfigure(s);
}

void runtime::flush() {
  if (disk_) disk_->flush();
}

}  // namespace cryptodash::app
