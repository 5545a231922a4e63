#include "cache/tiered_cache.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace cryptodash::cache {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// An in-memory tier; can be told to fail.
class memory_tier final : public tier {
 public:
  explicit memory_tier(std::string name) : name_(std::move(name)) {}
  std::string_view name() const noexcept override { return name_; }
  asio::awaitable<core::result<entry_ptr>> get(core::cache_key key) override {
    ++gets;
    if (down) co_return make_error_code(core::errc::unavailable);
    std::lock_guard lock(mutex);
    auto it = data.find(key.str());
    co_return it == data.end() ? entry_ptr() : it->second;
  }
  asio::awaitable<core::result<void>> put(core::cache_key key, entry_ptr e,
                                          core::time_point) override {
    if (down) co_return make_error_code(core::errc::unavailable);
    std::lock_guard lock(mutex);
    data[key.str()] = std::move(e);
    ++puts;
    co_return core::result<void>();
  }
  asio::awaitable<core::result<void>> erase(core::cache_key key) override {
    std::lock_guard lock(mutex);
    data.erase(key.str());
    co_return core::result<void>();
  }
  asio::awaitable<core::result<std::uint64_t>> clear(std::string pattern) override {
    std::lock_guard lock(mutex);
    std::uint64_t n = 0;
    for (auto it = data.begin(); it != data.end();) {
      bool hit = pattern == "*" || (pattern.ends_with('*') &&
                                    std::string_view(it->first).starts_with(
                                        std::string_view(pattern).substr(0, pattern.size() - 1)));
      if (hit) {
        it = data.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    co_return n;
  }
  tier_stats stats() const override { return {}; }
  entry_ptr at(const std::string& k) {
    std::lock_guard lock(mutex);
    auto it = data.find(k);
    return it == data.end() ? nullptr : it->second;
  }

  std::string name_;
  std::mutex mutex;
  std::map<std::string, entry_ptr> data;
  std::atomic<bool> down{false};
  std::atomic<int> gets{0};
  std::atomic<int> puts{0};
};

class recording_bus final : public backplane {
 public:
  void publish(const backplane_event& e) override { sent.push_back(e); }
  void listen(std::function<void(const backplane_event&)> on_event,
              std::function<void()> on_reconnect) override {
    deliver = std::move(on_event);
    reconnect = std::move(on_reconnect);
  }
  std::vector<backplane_event> sent;
  std::function<void(const backplane_event&)> deliver;
  std::function<void()> reconnect;
};

class TieredCache : public ::testing::Test {
 protected:
  tiered_options opts(config::cache_strategy strategy) {
    tiered_options o;
    o.strategy = strategy;
    o.cache = config::defaults_for(config::app_env::development).cache;
    o.cache.ttl.market_seconds = 60;
    o.cache.ttl.stale_seconds = 3600;
    o.cache.fail_safe_throttle_seconds = 30;
    o.instance_id = "me";
    return o;
  }

  // A compute that counts its calls and answers `payload` (or fails with `fail`).
  compute_fn counting(std::string payload, std::atomic<int>& calls,
                      boost::system::error_code fail = {}) {
    return [payload, &calls, fail]() -> asio::awaitable<core::result<cache::computed>> {
      ++calls;
      if (fail) co_return fail;
      co_return payload;
    };
  }

  lookup fetch(tiered_cache& c, const std::string& sym, compute_fn fn) {
    auto f = asio::co_spawn(ioc, c.get_or_compute(*core::cache_key::market(sym), ttl_class::market,
                                                  std::move(fn)),
                            asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  }

  asio::io_context ioc;
  core::manual_clock clock;
};

TEST_F(TieredCache, ComputesOnceThenServesFromL1) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  auto first = fetch(c, "btc", counting("64000", calls));
  ASSERT_TRUE(first.value);
  EXPECT_EQ(first.value->payload, "64000");
  EXPECT_EQ(first.from, source::computed);
  EXPECT_TRUE(first.fresh);
  auto second = fetch(c, "btc", counting("other", calls));
  EXPECT_EQ(second.from, source::l1);
  EXPECT_EQ(second.value->payload, "64000");
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(first.value->fresh_until - first.value->created_at, 60s);
  EXPECT_EQ(first.value->stale_until - first.value->created_at, 3600s);
}

// The hot path looks in L1 with try_fresh and hands its probe to get_or_compute: each request
// counts one L1 hit or miss, whether the key was fresh, missing or stale.
TEST_F(TieredCache, AProbeHandedOnCountsOneL1LookupPerRequest) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  const auto key = *core::cache_key::market("btc");
  std::atomic<int> calls{0};
  auto request = [&](std::string payload) {
    auto probe = c.try_fresh(key);
    if (probe.fresh) return lookup{probe.fresh, source::l1, true, {}};
    auto f = asio::co_spawn(ioc,
                            c.get_or_compute(key, ttl_class::market, counting(payload, calls),
                                             std::move(probe)),
                            asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  };

  auto missed = request("old");  // missing: computed
  EXPECT_EQ(missed.from, source::computed);
  EXPECT_EQ(c.stats().l1.misses, 1U);
  EXPECT_EQ(c.stats().l1.hits, 0U);

  auto hit = request("unused");  // fresh: served by try_fresh
  EXPECT_EQ(hit.value->payload, "old");
  EXPECT_EQ(c.stats().l1.hits, 1U);

  clock.advance(61s);
  auto stale = request("new");  // stale: served, refreshed in the background
  EXPECT_EQ(stale.value->payload, "old");
  EXPECT_FALSE(stale.fresh);
  EXPECT_EQ(calls.load(), 2);
  auto refreshed = request("unused");
  EXPECT_EQ(refreshed.value->payload, "new");
  EXPECT_TRUE(refreshed.fresh);
  EXPECT_EQ(c.stats().l1.hits + c.stats().l1.misses, 4U);
}

// A thousand concurrent requests for a cold key: one compute, one answer for all.
TEST_F(TieredCache, SingleFlightPerKey) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  auto gate = std::make_shared<async_event>();
  compute_fn slow = [&calls, gate]() -> asio::awaitable<core::result<cache::computed>> {
    ++calls;
    co_await gate->async_wait(asio::use_awaitable);
    co_return std::string("v");
  };
  std::vector<std::future<lookup>> results;
  for (int i = 0; i < 1000; ++i) {
    results.push_back(asio::co_spawn(
        ioc, c.get_or_compute(*core::cache_key::market("eth"), ttl_class::market, slow),
        asio::use_future));
  }
  ioc.poll();
  EXPECT_EQ(calls.load(), 1);
  gate->open();
  ioc.run();
  for (auto& f : results) {
    auto l = f.get();
    ASSERT_TRUE(l.value);
    EXPECT_EQ(l.value->payload, "v");
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c.stats().single_flight_joins, 999U);
}

// Readers on several threads: one that missed L1 just as the previous flight ended joins no
// flight, yet must not compute again (the value is in L1 by then); nor may one that saw a stale
// value just as another refresh ended refresh it again. Each thread reads the keys in the same
// order, so that they meet on every key's flight.
class TieredCacheThreads : public TieredCache {
 protected:
  static constexpr int keys = 1000;
  static constexpr int threads = 4;

  // Every thread reads every key once; returns how many reads got "v<n>" for any n.
  int read_everything(tiered_cache& c, std::vector<std::atomic<int>>& calls) {
    std::atomic<int> answered{0};
    auto reader = [&] {
      asio::io_context mine;
      for (int k = 0; k < keys; ++k) {
        compute_fn fn = [&calls, k]() -> asio::awaitable<core::result<cache::computed>> {
          co_return "v" + std::to_string(++calls[k]);
        };
        auto key = *core::cache_key::market("s" + std::to_string(k));
        auto f = asio::co_spawn(mine, c.get_or_compute(key, ttl_class::market, std::move(fn)),
                                asio::use_future);
        mine.restart();
        mine.run();  // also runs a background refresh this read started
        if (auto l = f.get(); l.value && l.value->payload.starts_with("v")) ++answered;
      }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(reader);
    for (auto& t : pool) t.join();
    return answered.load();
  }

  static int computed_more_than(const std::vector<std::atomic<int>>& calls, int times) {
    int n = 0;
    for (const auto& c : calls) n += c.load() > times ? 1 : 0;
    return n;
  }
};

TEST_F(TieredCacheThreads, ReadersOnSeveralThreadsComputeEachColdKeyOnce) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::vector<std::atomic<int>> calls(keys);
  EXPECT_EQ(read_everything(c, calls), keys * threads);
  EXPECT_EQ(computed_more_than(calls, 1), 0);
  EXPECT_EQ(c.stats().computes, static_cast<std::uint64_t>(keys));
}

TEST_F(TieredCacheThreads, ReadersOnSeveralThreadsRefreshEachStaleKeyOnce) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::vector<std::atomic<int>> calls(keys);
  ASSERT_EQ(read_everything(c, calls), keys * threads);
  clock.advance(61s);  // every key stale (fresh 60 s, stale 3600 s)
  EXPECT_EQ(read_everything(c, calls), keys * threads);
  EXPECT_EQ(computed_more_than(calls, 2), 0);  // the first compute and one refresh
  EXPECT_EQ(c.stats().computes, static_cast<std::uint64_t>(2 * keys));
}

// Past fresh_until: the stale value comes back at once and exactly one refresh runs.
TEST_F(TieredCache, StaleWhileRevalidate) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  fetch(c, "btc", counting("old", calls));
  clock.advance(61s);

  auto gate = std::make_shared<async_event>();
  std::atomic<int> refreshes{0};
  compute_fn slow_refresh = [&refreshes, gate]() -> asio::awaitable<core::result<cache::computed>> {
    ++refreshes;
    co_await gate->async_wait(asio::use_awaitable);
    co_return std::string("new");
  };
  std::vector<std::future<lookup>> stale_reads;
  for (int i = 0; i < 50; ++i) {
    stale_reads.push_back(asio::co_spawn(
        ioc, c.get_or_compute(*core::cache_key::market("btc"), ttl_class::market, slow_refresh),
        asio::use_future));
  }
  ioc.restart();
  ioc.poll();
  for (auto& f : stale_reads) {
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready) << "a stale read waited";
    auto l = f.get();
    EXPECT_EQ(l.value->payload, "old");
    EXPECT_FALSE(l.fresh);
  }
  EXPECT_EQ(refreshes.load(), 1);
  gate->open();
  ioc.run();
  auto after = fetch(c, "btc", counting("unused", calls));
  EXPECT_EQ(after.value->payload, "new");
  EXPECT_TRUE(after.fresh);
  EXPECT_EQ(refreshes.load(), 1);
}

// The compute fails: the stale value is served (with the error) until stale_until, computes
// are throttled meanwhile, and past stale_until there is nothing to serve.
TEST_F(TieredCache, FailSafeServesStaleThenGivesUp) {
  auto o = opts(config::cache_strategy::file_backup);
  memory_tier disk("disk");
  tiered_cache c(o, clock, nullptr, &disk, nullptr, nullptr);
  std::atomic<int> calls{0};
  fetch(c, "btc", counting("good", calls));
  ASSERT_TRUE(disk.at("market:btc"));

  auto broken = make_error_code(core::errc::circuit_open);
  std::atomic<int> failing{0};
  clock.advance(61s);
  auto stale = fetch(c, "btc", counting("x", failing, broken));
  ASSERT_TRUE(stale.value);
  EXPECT_EQ(stale.value->payload, "good");
  EXPECT_FALSE(stale.fresh);
  ioc.restart();
  ioc.run();  // the background refresh ran (and failed)
  EXPECT_EQ(failing.load(), 1);

  // L1 drops the entry at its cap (300 s); the disk still has it. Within the throttle no
  // compute is tried; the stale value keeps coming.
  clock.advance(301s);
  auto again = fetch(c, "btc", counting("x", failing, broken));
  EXPECT_EQ(again.value->payload, "good");
  EXPECT_EQ(again.from, source::disk);
  EXPECT_EQ(again.error, core::errc::circuit_open);

  clock.advance(3600s);  // past stale_until
  auto gone = fetch(c, "btc", counting("x", failing, broken));
  EXPECT_FALSE(gone.value);
  EXPECT_EQ(gone.error, core::errc::circuit_open);
}

TEST_F(TieredCache, ThrottlesRetriesOfAFailingCompute) {
  tiered_cache c(opts(config::cache_strategy::l1_only), clock, nullptr, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  auto err = make_error_code(core::errc::upstream_error);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(fetch(c, "doge", counting("x", calls, err)).value);
  EXPECT_EQ(calls.load(), 1);
  clock.advance(31s);
  auto ok = fetch(c, "doge", counting("1.0", calls));
  EXPECT_EQ(ok.value->payload, "1.0");
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(TieredCache, PromotesFromLowerTiers) {
  memory_tier l2("l2");
  memory_tier disk("disk");
  tiered_cache c(opts(config::cache_strategy::all), clock, &l2, &disk, nullptr, nullptr);
  auto e = std::make_shared<entry>();
  e->payload = "from disk";
  e->created_at = clock.now();
  e->fresh_until = clock.now() + 60s;
  e->stale_until = clock.now() + 3600s;
  disk.data["market:sol"] = e;
  std::atomic<int> calls{0};
  auto got = fetch(c, "sol", counting("computed", calls));
  EXPECT_EQ(got.from, source::disk);
  EXPECT_EQ(got.value->payload, "from disk");
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(l2.at("market:sol"), e);  // promoted to L2 as well
  EXPECT_EQ(fetch(c, "sol", counting("computed", calls)).from, source::l1);
}

TEST_F(TieredCache, WritesComputedValuesToEveryTier) {
  memory_tier l2("l2");
  memory_tier disk("disk");
  recording_bus bus;
  tiered_cache c(opts(config::cache_strategy::all), clock, &l2, &disk, nullptr, &bus);
  std::atomic<int> calls{0};
  auto got = fetch(c, "ada", counting("0.5", calls));
  EXPECT_EQ(l2.at("market:ada"), got.value);
  EXPECT_EQ(disk.at("market:ada"), got.value);
  ASSERT_EQ(bus.sent.size(), 1U);
  EXPECT_EQ(bus.sent[0].what, backplane_event::kind::update);
  EXPECT_EQ(bus.sent[0].target, "market:ada");
  EXPECT_EQ(bus.sent[0].origin, "me");
}

// Redis down: the L2 tier fails, the request goes on with L1 and the compute.
TEST_F(TieredCache, ALowerTierThatIsDownIsSkipped) {
  memory_tier l2("l2");
  l2.down = true;
  tiered_cache c(opts(config::cache_strategy::hybrid), clock, &l2, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  auto got = fetch(c, "xrp", counting("0.6", calls));
  EXPECT_EQ(got.value->payload, "0.6");
  EXPECT_EQ(fetch(c, "xrp", counting("x", calls)).from, source::l1);
}

TEST_F(TieredCache, RedisOnlySkipsL1) {
  memory_tier l2("l2");
  tiered_cache c(opts(config::cache_strategy::redis_only), clock, &l2, nullptr, nullptr, nullptr);
  std::atomic<int> calls{0};
  fetch(c, "ltc", counting("90", calls));
  auto again = fetch(c, "ltc", counting("x", calls));
  EXPECT_EQ(again.from, source::l2);
  EXPECT_EQ(c.stats().l1.entry_count, 0U);
}

TEST_F(TieredCache, OtherInstancesEventsInvalidateL1) {
  recording_bus bus;
  memory_tier l2("l2");
  tiered_cache c(opts(config::cache_strategy::hybrid), clock, &l2, nullptr, nullptr, &bus);
  std::atomic<int> calls{0};
  fetch(c, "btc", counting("1", calls));
  fetch(c, "eth", counting("2", calls));
  ASSERT_TRUE(bus.deliver);
  bus.deliver({backplane_event::kind::update, "market:btc", "me"});  // our own: ignored
  EXPECT_EQ(fetch(c, "btc", counting("x", calls)).from, source::l1);
  bus.deliver({backplane_event::kind::update, "market:btc", "other"});
  EXPECT_EQ(fetch(c, "btc", counting("x", calls)).from, source::l2);
  bus.deliver({backplane_event::kind::clear, "market:*", "other"});
  EXPECT_EQ(c.stats().l1.entry_count, 0U);
  fetch(c, "eth", counting("x", calls));
  bus.reconnect();  // events may have been missed: L1 is purged
  EXPECT_EQ(c.stats().l1.entry_count, 0U);
}

TEST_F(TieredCache, DetachesFromTheBusWhenDestroyed) {
  recording_bus bus;
  memory_tier l2("l2");
  {
    tiered_cache c(opts(config::cache_strategy::hybrid), clock, &l2, nullptr, nullptr, &bus);
    ASSERT_TRUE(bus.deliver);
  }
  EXPECT_FALSE(bus.deliver);  // no callback into a destroyed cache
  EXPECT_FALSE(bus.reconnect);
}

TEST_F(TieredCache, ClearsEveryTierByPattern) {
  memory_tier l2("l2");
  memory_tier disk("disk");
  recording_bus bus;
  tiered_cache c(opts(config::cache_strategy::all), clock, &l2, &disk, nullptr, &bus);
  std::atomic<int> calls{0};
  fetch(c, "btc", counting("1", calls));
  auto f = asio::co_spawn(ioc, c.clear("market:*"), asio::use_future);
  ioc.restart();
  ioc.run();
  EXPECT_EQ(f.get(), 1U);
  EXPECT_FALSE(l2.at("market:btc"));
  EXPECT_FALSE(disk.at("market:btc"));
  EXPECT_EQ(bus.sent.back().what, backplane_event::kind::clear);
  EXPECT_EQ(fetch(c, "btc", counting("2", calls)).value->payload, "2");
}

}  // namespace
}  // namespace cryptodash::cache
