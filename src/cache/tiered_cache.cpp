#include "cache/tiered_cache.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace cryptodash::cache {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const char* to_string(source s) noexcept {
  switch (s) {
    case source::l1: return "l1";
    case source::l2: return "l2";
    case source::disk: return "disk";
    case source::computed: return "computed";
    case source::none: return "none";
  }
  return "?";
}

struct tiered_cache::flight {
  async_event done;
  lookup result;  // written before done.open(), read after it
  std::mutex mutex;
  lookup stale;   // the best stale value found so far; guarded by mutex

  void offer_stale(const lookup& l) {
    std::lock_guard lock(mutex);
    if (!stale.value || l.value->created_at > stale.value->created_at) stale = l;
  }
  lookup stale_snapshot() {
    std::lock_guard lock(mutex);
    return stale;
  }
};

namespace {

l1_cache<std::string, entry>::options l1_options(const tiered_options& o, const core::clock& c) {
  l1_cache<std::string, entry>::options l1;
  l1.max_entries = static_cast<std::uint64_t>(o.cache.l1.capacity);
  l1.max_weight = static_cast<std::uint64_t>(o.cache.l1.max_bytes);
  l1.clock = &c;
  return l1;
}

}  // namespace

tiered_cache::tiered_cache(tiered_options options, const core::clock& clock, tier* l2, tier* disk,
                           lock_service* locks, backplane* bus)
    : options_(std::move(options)),
      clock_(clock),
      l2_(l2),
      disk_(disk),
      locks_(locks),
      bus_(bus),
      l1_(l1_options(options_, clock)),
      live_(options_.cache) {
  if (bus_ != nullptr && uses_l1()) {
    bus_->listen([this](const backplane_event& e) { on_backplane(e); },
                 [this] {
                   // Events may have been missed while the channel was down: drop what L1
                   // holds rather than risk serving something another instance replaced.
                   auto before = l1_.size();
                   l1_.clear();
                   spdlog::info("cache: backplane back; purged {} L1 entries", before);
                 });
  }
}

tiered_cache::~tiered_cache() {
  // The bus calls back on its own thread with `this`: detach before members go away.
  if (bus_ != nullptr) bus_->listen({}, {});
}

bool tiered_cache::uses_l1() const noexcept {
  return options_.strategy != config::cache_strategy::redis_only;
}
bool tiered_cache::uses_l2() const noexcept {
  auto s = options_.strategy;
  return l2_ != nullptr && (s == config::cache_strategy::redis_only ||
                            s == config::cache_strategy::hybrid ||
                            s == config::cache_strategy::all);
}
bool tiered_cache::uses_disk() const noexcept {
  auto s = options_.strategy;
  return disk_ != nullptr &&
         (s == config::cache_strategy::file_backup || s == config::cache_strategy::all);
}

void tiered_cache::update(const config::cache_settings& cache) {
  std::lock_guard lock(mutex_);
  live_ = cache;
}

std::chrono::seconds tiered_cache::soft_ttl(ttl_class cls) const {
  std::lock_guard lock(mutex_);
  const auto& t = live_.ttl;
  switch (cls) {
    case ttl_class::market: return seconds(t.market_seconds);
    case ttl_class::dashboard: return seconds(t.dashboard_seconds);
    case ttl_class::indicators: return seconds(t.indicators_seconds);
    case ttl_class::tokenomics: return seconds(t.tokenomics_seconds);
    case ttl_class::reports: return seconds(t.reports_seconds);
    case ttl_class::candles: return seconds(t.candles_seconds);
    case ttl_class::not_found: return seconds(t.not_found_seconds);
  }
  return seconds(t.market_seconds);
}

entry_ptr tiered_cache::make_entry(std::string payload, ttl_class cls) const {
  auto now = clock_.now();
  auto fresh = soft_ttl(cls);
  seconds stale;
  {
    std::lock_guard lock(mutex_);
    stale = seconds(live_.ttl.stale_seconds);
  }
  auto e = std::make_shared<entry>();
  e->payload = std::move(payload);
  e->created_at = now;
  e->fresh_until = now + fresh;
  e->stale_until = now + std::max(stale, fresh);
  return e;
}

void tiered_cache::store_l1(const core::cache_key& key, const entry_ptr& e) {
  if (!uses_l1()) return;
  seconds cap;
  {
    std::lock_guard lock(mutex_);
    cap = seconds(live_.l1.ttl_seconds);
  }
  auto expires = std::min(e->stale_until, clock_.now() + cap);
  l1_.put(key.str(), e, expires, static_cast<std::uint32_t>(e->payload.size() + key.str().size()));
}

namespace {

// Writes below L1, in the background: the request does not wait for them.
asio::awaitable<void> write_below(tier* l2, tier* disk, core::cache_key key, entry_ptr e,
                                  core::time_point l2_expires) {
  if (l2 != nullptr) co_await l2->put(key, e, l2_expires);
  if (disk != nullptr) co_await disk->put(key, e, e->stale_until);
}

}  // namespace

void tiered_cache::store_below(const asio::any_io_executor& ex, const core::cache_key& key,
                               const entry_ptr& e, bool l2, bool disk) {
  seconds cap;
  {
    std::lock_guard lock(mutex_);
    cap = seconds(live_.l2.ttl_seconds);
  }
  tier* l2_tier = l2 && uses_l2() ? l2_ : nullptr;
  tier* disk_tier = disk && uses_disk() ? disk_ : nullptr;
  if (l2_tier == nullptr && disk_tier == nullptr) return;
  auto l2_expires = std::min(e->stale_until, clock_.now() + cap);
  // Neither write blocks (the disk tier queues, Redis is a command on its own thread), so they
  // can run on the requester's executor without holding it up.
  asio::co_spawn(ex, write_below(l2_tier, disk_tier, key, e, l2_expires), asio::detached);
}

std::pair<std::shared_ptr<tiered_cache::flight>, bool> tiered_cache::join(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = flights_.try_emplace(key);
  if (inserted) it->second = std::make_shared<flight>();
  return {it->second, inserted};
}

asio::awaitable<lookup> tiered_cache::get_or_compute(core::cache_key key, ttl_class cls,
                                                     compute_fn compute, l1_probe probe) {
  const auto now = clock_.now();
  if (uses_l1()) {
    // After try_fresh the lookup is counted already: look again uncounted, for the current
    // entry (a batch may hand a probe over after awaiting other keys' computes).
    auto e = probe.looked ? l1_.peek(key.str(), now) : l1_.get(key.str(), now);
    if (e && e->usable_at(now)) {
      if (e->fresh_at(now)) co_return lookup{std::move(e), source::l1, true, {}};
      // Stale: serve it now; one background refresh.
      auto [f, leader] = join(key.str());
      if (leader) {
        auto ex = co_await asio::this_coro::executor;
        asio::co_spawn(ex, run_flight(f, key, cls, std::move(compute), e), asio::detached);
      }
      stale_served_.fetch_add(1, std::memory_order_relaxed);
      co_return lookup{e, source::l1, false, {}};
    }
  }

  auto ex = co_await asio::this_coro::executor;
  auto [f, leader] = join(key.str());
  if (leader) {
    asio::co_spawn(ex, run_flight(f, key, cls, std::move(compute), nullptr), asio::detached);
  } else {
    joins_.fetch_add(1, std::memory_order_relaxed);
  }
  milliseconds soft;
  {
    std::lock_guard lock(mutex_);
    soft = milliseconds(live_.compute_soft_timeout_ms);
  }
  asio::steady_timer timer(ex, soft);
  auto first = co_await (f->done.async_wait(use_tuple) || timer.async_wait(use_tuple));
  if (first.index() == 1) {
    // Past the soft timeout: a stale value, if one turned up, beats waiting longer.
    if (auto s = f->stale_snapshot(); s.value) {
      stale_served_.fetch_add(1, std::memory_order_relaxed);
      s.error = make_error_code(core::errc::timeout);
      co_return s;
    }
    co_await f->done.async_wait(use_tuple);  // the flight ends by the hard timeout
  }
  co_return f->result;
}

asio::awaitable<void> tiered_cache::run_flight(std::shared_ptr<flight> f, core::cache_key key,
                                               ttl_class cls, compute_fn compute,
                                               entry_ptr known) {
  auto ex = co_await asio::this_coro::executor;
  lookup out;
  auto finish = [&] {
    f->result = out;
    {
      std::lock_guard lock(mutex_);
      flights_.erase(key.str());
    }
    f->done.open();
  };
  if (known) f->offer_stale(lookup{known, source::l1, false, {}});
  auto now = clock_.now();

  // The flight before this one may have ended between the requester's L1 miss (or stale hit)
  // and its joining: its value is in L1 by now, and computing again would double the upstream
  // call that single-flight exists to share.
  if (uses_l1()) {
    if (auto e = l1_.peek(key.str(), now); e && e->fresh_at(now)) {
      out = lookup{std::move(e), source::l1, true, {}};
      finish();
      co_return;
    }
  }

  // Lower tiers: a fresh value ends the flight; a stale one is kept in case the compute fails.
  bool l2_failed = false;  // then no more Redis round trips for this flight (no lock)
  auto consult = [&](tier* t, source from) -> asio::awaitable<bool> {
    auto got = co_await t->get(key);
    if (!got && from == source::l2) l2_failed = true;
    if (!got || !*got) co_return false;
    const entry_ptr& e = *got;
    if (e->fresh_at(now)) {
      store_l1(key, e);
      if (from == source::disk) store_below(ex, key, e, true, false);
      out = lookup{e, from, true, {}};
      co_return true;
    }
    if (e->usable_at(now)) f->offer_stale(lookup{e, from, false, {}});
    co_return false;
  };
  if (uses_l2() && co_await consult(l2_, source::l2)) {
    finish();
    co_return;
  }
  if (uses_disk() && co_await consult(disk_, source::disk)) {
    finish();
    co_return;
  }

  // Fail-safe throttle: a key whose compute failed recently is not recomputed yet.
  config::cache_settings live;
  {
    std::lock_guard lock(mutex_);
    live = live_;
    auto it = failures_.find(key.str());
    if (it != failures_.end() &&
        now - it->second.at < seconds(live_.fail_safe_throttle_seconds)) {
      out = f->stale_snapshot();
      out.error = it->second.error;
      if (out.value) stale_served_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (out.value || out.error) {
    finish();
    co_return;
  }

  // One compute per cluster: if another instance holds the key's lock, wait for its result.
  std::optional<std::string> token;
  if (locks_ != nullptr && uses_l2() && live.distributed_lock && !l2_failed) {
    auto acquired = co_await locks_->try_acquire(key, milliseconds(live.lock_ttl_ms));
    if (acquired && *acquired) {
      token = **acquired;
    } else if (acquired) {
      auto deadline = std::chrono::steady_clock::now() + milliseconds(live.lock_wait_ms);
      asio::steady_timer poll(ex);
      while (std::chrono::steady_clock::now() < deadline) {
        poll.expires_after(milliseconds(25));
        co_await poll.async_wait(use_tuple);
        now = clock_.now();
        if (co_await consult(l2_, source::l2)) {
          joins_.fetch_add(1, std::memory_order_relaxed);
          finish();
          co_return;
        }
      }
      // The other instance did not deliver in time: compute here.
    }
  }

  computes_.fetch_add(1, std::memory_order_relaxed);
  asio::steady_timer hard(ex, milliseconds(live.compute_hard_timeout_ms));
  auto raced = co_await (compute() || hard.async_wait(use_tuple));
  core::result<computed> produced =
      raced.index() == 0 ? std::move(std::get<0>(raced))
                         : core::result<computed>(make_error_code(core::errc::timeout));
  if (token) co_await locks_->release(key, std::move(*token));

  if (produced) {
    auto e = make_entry(std::move(produced->payload), produced->ttl.value_or(cls));
    store_l1(key, e);
    store_below(ex, key, e, true, true);
    {
      std::lock_guard lock(mutex_);
      failures_.erase(key.str());
    }
    if (bus_ != nullptr) {
      bus_->publish({backplane_event::kind::update, key.str(), options_.instance_id});
    }
    out = lookup{e, source::computed, true, {}};
  } else {
    compute_failures_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      failures_[key.str()] = failure{clock_.now(), produced.error()};
    }
    out = f->stale_snapshot();
    out.error = produced.error();
    if (out.value) stale_served_.fetch_add(1, std::memory_order_relaxed);
  }
  finish();
}

asio::awaitable<lookup> tiered_cache::peek(core::cache_key key) {
  const auto now = clock_.now();
  if (uses_l1()) {
    if (auto e = l1_.get(key.str()); e && e->usable_at(now)) {
      co_return lookup{e, source::l1, e->fresh_at(now), {}};
    }
  }
  auto from_tier = [&](tier* t, source s) -> asio::awaitable<lookup> {
    auto got = co_await t->get(key);
    if (got && *got && (*got)->usable_at(now)) co_return lookup{*got, s, (*got)->fresh_at(now), {}};
    co_return lookup{};
  };
  if (uses_l2()) {
    if (auto l = co_await from_tier(l2_, source::l2); l.value) co_return l;
  }
  if (uses_disk()) {
    if (auto l = co_await from_tier(disk_, source::disk); l.value) co_return l;
  }
  co_return lookup{};
}

asio::awaitable<entry_ptr> tiered_cache::put(core::cache_key key, std::string payload,
                                             ttl_class cls) {
  auto e = make_entry(std::move(payload), cls);
  store_l1(key, e);
  seconds cap;
  {
    std::lock_guard lock(mutex_);
    cap = seconds(live_.l2.ttl_seconds);
  }
  if (uses_l2()) co_await l2_->put(key, e, std::min(e->stale_until, clock_.now() + cap));
  if (uses_disk()) co_await disk_->put(key, e, e->stale_until);
  if (bus_ != nullptr) {
    bus_->publish({backplane_event::kind::update, key.str(), options_.instance_id});
  }
  co_return e;
}

asio::awaitable<std::uint64_t> tiered_cache::clear(std::string pattern) {
  std::uint64_t removed = 0;
  if (uses_l1()) {
    if (pattern == "*") {
      removed = l1_.size();
      l1_.clear();
    } else if (pattern.ends_with('*')) {
      removed = l1_.invalidate_prefix(std::string_view(pattern).substr(0, pattern.size() - 1));
    } else {
      removed = l1_.invalidate(pattern) ? 1 : 0;
    }
  }
  if (uses_l2()) co_await l2_->clear(pattern);
  if (uses_disk()) co_await disk_->clear(pattern);
  {
    std::lock_guard lock(mutex_);
    failures_.clear();
  }
  if (bus_ != nullptr) {
    bus_->publish({backplane_event::kind::clear, pattern, options_.instance_id});
  }
  co_return removed;
}

void tiered_cache::on_backplane(const backplane_event& e) {
  if (e.origin == options_.instance_id) return;
  switch (e.what) {
    case backplane_event::kind::invalidate:
    case backplane_event::kind::update:
      l1_.invalidate(e.target);
      break;
    case backplane_event::kind::clear:
      if (e.target == "*") {
        l1_.clear();
      } else if (e.target.ends_with('*')) {
        l1_.invalidate_prefix(std::string_view(e.target).substr(0, e.target.size() - 1));
      } else {
        l1_.invalidate(e.target);
      }
      break;
  }
}

tiered_stats tiered_cache::stats() const {
  tiered_stats s;
  s.l1 = l1_.stats();
  {
    std::lock_guard lock(mutex_);
    s.l1_ttl_seconds = static_cast<std::uint64_t>(live_.l1.ttl_seconds);
  }
  if (uses_l2()) s.l2 = l2_->stats();
  if (uses_disk()) s.disk = disk_->stats();
  s.computes = computes_.load(std::memory_order_relaxed);
  s.compute_failures = compute_failures_.load(std::memory_order_relaxed);
  s.stale_served = stale_served_.load(std::memory_order_relaxed);
  s.single_flight_joins = joins_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace cryptodash::cache
