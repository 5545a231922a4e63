#include "cache/l1_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace cryptodash::cache {
namespace {

using namespace std::chrono_literals;
using string_cache = l1_cache<std::string, std::string>;

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

struct recorded {
  std::mutex mutex;
  std::vector<std::pair<std::string, removal_cause>> events;
  string_cache::listener_fn listener() {
    return [this](const std::string& k, const string_cache::value_ptr&, removal_cause c) {
      std::lock_guard lock(mutex);
      events.emplace_back(k, c);
    };
  }
  int count(removal_cause c) {
    std::lock_guard lock(mutex);
    int n = 0;
    for (auto& e : events) n += e.second == c ? 1 : 0;
    return n;
  }
};

TEST(L1Cache, GetPutAndSharedValues) {
  string_cache c({.max_entries = 100});
  EXPECT_EQ(c.get("market:btc"), nullptr);
  auto v = text("64321.5");
  c.put("market:btc", v);
  auto got = c.get("market:btc");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, "64321.5");
  EXPECT_EQ(got.get(), v.get());  // the same object: no copy of the payload
  auto s = c.stats();
  EXPECT_EQ(s.hits, 1U);
  EXPECT_EQ(s.misses, 1U);
  EXPECT_EQ(s.entry_count, 1U);
}

TEST(L1Cache, PutReplacesAndTellsTheListener) {
  recorded r;
  string_cache c({.max_entries = 100, .listener = r.listener()});
  c.put("k", text("1"));
  c.put("k", text("2"));
  EXPECT_EQ(*c.get("k"), "2");
  EXPECT_EQ(c.size(), 1U);
  EXPECT_EQ(r.count(removal_cause::replaced), 1);
  EXPECT_EQ(c.stats().evictions[static_cast<int>(removal_cause::replaced)], 1U);
}

// A put of an existing key with the same expiry and weight swaps the value in place: readers
// see the new value at once, a reference taken before stays valid, and replaced values are
// released once no reader can still be copying them.
TEST(L1Cache, AnUpdateInPlaceKeepsEarlierReferencesAndReleasesReplacedValues) {
  recorded r;
  string_cache c({.max_entries = 100, .listener = r.listener()});
  c.put("k", text("first"));
  auto held = c.get("k");
  std::weak_ptr<const std::string> first = held;
  std::vector<std::weak_ptr<const std::string>> replaced;
  for (int i = 0; i < 300; ++i) {
    auto v = text("v" + std::to_string(i));
    replaced.push_back(v);
    c.put("k", std::move(v));
    EXPECT_EQ(*c.get("k"), "v" + std::to_string(i));
  }
  EXPECT_EQ(*held, "first");  // still ours
  EXPECT_EQ(c.size(), 1U);
  EXPECT_EQ(r.count(removal_cause::replaced), 300);
  EXPECT_EQ(c.stats().evictions[static_cast<int>(removal_cause::replaced)], 300U);
  held.reset();
  EXPECT_TRUE(first.expired());
  EXPECT_TRUE(replaced.front().expired());  // released by the writing thread, epochs later
  EXPECT_FALSE(replaced.back().expired());  // the current value
  // Another expiry or weight installs a new entry instead; the value is the new one all the same.
  c.put("k", text("timed"), core::time_point::max() - 1h);
  EXPECT_EQ(*c.get("k"), "timed");
  EXPECT_EQ(r.count(removal_cause::replaced), 301);
}

// A put of the very object an entry holds (same expiry and weight) replaces nothing: no
// listener call, no `replaced` count, and the entry keeps its value — but it is an access, so
// keys kept only by such puts stay hot for the policy.
TEST(L1Cache, APutOfTheHeldValueReplacesNothingButIsAnAccess) {
  recorded r;
  string_cache c({.max_entries = 100, .listener = r.listener()});
  auto v = text("same");
  c.put("k", v);
  for (int i = 0; i < 5; ++i) c.put("k", v);
  EXPECT_EQ(c.get("k").get(), v.get());
  EXPECT_EQ(r.count(removal_cause::replaced), 0);
  EXPECT_EQ(c.stats().evictions[static_cast<int>(removal_cause::replaced)], 0U);
  // A new object with the same content is a replacement.
  c.put("k", text("same"));
  EXPECT_EQ(r.count(removal_cause::replaced), 1);

  // Hot keys only ever re-put, then a scan of three times the capacity: the re-puts were
  // counted, so the hot keys stay (were they not, about 500 of them would go).
  l1_cache<std::uint64_t, int> hot({.max_entries = 1000});
  auto one = std::make_shared<const int>(1);
  for (int round = 0; round < 20; ++round) {
    for (std::uint64_t k = 0; k < 800; ++k) hot.put(k, one);
  }
  for (std::uint64_t k = 1'000'000; k < 1'003'000; ++k) hot.put(k, one);
  hot.cleanup();
  int kept = 0;
  for (std::uint64_t k = 0; k < 800; ++k) kept += hot.get(k) ? 1 : 0;
  EXPECT_GE(kept, 780);
}

// A listener that throws on a replacement: the exception reaches the caller, and the
// replaced value is not freed at once (a reader may still be copying it).
TEST(L1Cache, AThrowingListenerDoesNotFreeAReplacedValueEarly) {
  string_cache c({.max_entries = 10,
                  .listener = [](const std::string&, const string_cache::value_ptr&,
                                 removal_cause cause) {
                    if (cause == removal_cause::replaced) throw std::runtime_error("listener");
                  }});
  auto first = text("first");
  std::weak_ptr<const std::string> watch = first;
  c.put("k", std::move(first));
  EXPECT_THROW(c.put("k", text("second")), std::runtime_error);
  EXPECT_FALSE(watch.expired());  // retired, not freed
  EXPECT_EQ(*c.get("k"), "second");
}

// Writers replacing values in place while readers copy and visit them: a reader never sees a
// value of another key (no torn pointer) nor a freed one (ASan), and TSan sees no race.
TEST(L1Cache, ConcurrentUpdatesInPlaceAreNeverTorn) {
  l1_cache<std::uint64_t, std::uint64_t> c({.max_entries = 1000});
  constexpr std::uint64_t keys = 64;
  constexpr std::uint64_t step = 1'000'000;
  for (std::uint64_t k = 0; k < keys; ++k) c.put(k, std::make_shared<const std::uint64_t>(k * step));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<std::uint64_t> seen{0};
  std::vector<std::thread> pool;
  for (int w = 0; w < 2; ++w) {
    pool.emplace_back([&, w] {
      for (std::uint64_t i = 1; i < 40000; ++i) {
        const std::uint64_t k = (i * 7 + static_cast<std::uint64_t>(w)) % keys;
        c.put(k, std::make_shared<const std::uint64_t>(k * step + i % step));
      }
    });
  }
  for (int rd = 0; rd < 2; ++rd) {
    pool.emplace_back([&, rd] {
      std::uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const std::uint64_t k = (i++ * 13) % keys;
        if (rd == 0) {
          auto v = c.get(k);
          if (!v || *v / step != k) ++bad;
        } else {
          bool ok = false;
          c.visit(k, [&](std::uint64_t v) { ok = v / step == k; });
          if (!ok) ++bad;
        }
        ++seen;
      }
    });
  }
  pool[0].join();
  pool[1].join();
  stop = true;
  pool[2].join();
  pool[3].join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(seen.load(), 0U);
  EXPECT_EQ(c.size(), keys);
}

TEST(L1Cache, ExpiryFollowsTheInjectedClock) {
  core::manual_clock clock;
  recorded r;
  string_cache c({.max_entries = 100, .clock = &clock, .listener = r.listener()});
  c.put("short", text("a"), clock.now() + 10s);
  c.put("long", text("b"), clock.now() + 1h);
  c.put("forever", text("c"));
  clock.advance(9s);
  EXPECT_NE(c.get("short"), nullptr);
  clock.advance(2s);
  EXPECT_EQ(c.get("short"), nullptr);  // expired: never returned, even before cleanup
  EXPECT_NE(c.get("long"), nullptr);
  clock.advance(2s);  // the wheel reclaims within about a second of the expiry
  c.cleanup();
  EXPECT_EQ(c.size(), 2U);
  EXPECT_EQ(r.count(removal_cause::expired), 1);
  clock.advance(2h);
  c.cleanup();
  EXPECT_EQ(c.size(), 1U);
  EXPECT_NE(c.get("forever"), nullptr);
  EXPECT_EQ(r.count(removal_cause::expired), 2);
}

TEST(L1Cache, PeekFindsWhatGetFindsWithoutCountingIt) {
  core::manual_clock clock;
  string_cache c({.max_entries = 100, .clock = &clock});
  auto v = text("a");
  c.put("k", v, clock.now() + 10s);
  EXPECT_EQ(c.peek("k", clock.now()).get(), v.get());
  EXPECT_EQ(c.peek("k", core::time_point::min()).get(), v.get());  // reads the cache's clock
  EXPECT_EQ(c.peek("absent", clock.now()), nullptr);
  EXPECT_EQ(c.peek("k", clock.now() + 10s), nullptr);  // expired at that time
  clock.advance(11s);
  EXPECT_EQ(c.peek("k", core::time_point::min()), nullptr);
  auto s = c.stats();
  EXPECT_EQ(s.hits, 0U);
  EXPECT_EQ(s.misses, 0U);
}

TEST(L1Cache, CapacityIsNeverExceededAfterMaintenance) {
  recorded r;
  string_cache c({.max_entries = 500, .listener = r.listener()});
  for (int i = 0; i < 20000; ++i) {
    c.put("market:k" + std::to_string(i), text(std::to_string(i)));
    if (i % 97 == 0) {
      c.cleanup();
      ASSERT_LE(c.size(), 500U);
    }
  }
  c.cleanup();
  EXPECT_LE(c.size(), 500U);
  EXPECT_GE(c.size(), 490U);
  EXPECT_EQ(r.count(removal_cause::size), 20000 - static_cast<int>(c.size()));
}

TEST(L1Cache, WeightedBound) {
  l1_cache<std::string, std::string> c({.max_weight = 10000});
  for (int i = 0; i < 1000; ++i) {
    auto payload = std::string(static_cast<std::size_t>(50 + i % 200), 'x');
    auto weight = static_cast<std::uint32_t>(payload.size());
    c.put("k" + std::to_string(i), text(payload), core::time_point::max(), weight);
  }
  c.cleanup();
  auto s = c.stats();
  EXPECT_LE(s.weighted_size, 10000U);
  EXPECT_GT(s.weighted_size, 9000U);
  EXPECT_EQ(s.maximum, 10000U);
}

TEST(L1Cache, ExplicitInvalidation) {
  recorded r;
  string_cache c({.max_entries = 100, .listener = r.listener()});
  c.put("a", text("1"));
  EXPECT_TRUE(c.invalidate("a"));
  EXPECT_FALSE(c.invalidate("a"));
  EXPECT_EQ(c.get("a"), nullptr);
  EXPECT_EQ(r.count(removal_cause::invalidated), 1);
}

TEST(L1Cache, PrefixInvalidationAndClear) {
  recorded r;
  string_cache c({.max_entries = 1000, .listener = r.listener()});
  for (auto k : {"market:btc", "market:eth", "marketing:x", "candles:btc:1h", "report:btc:1d"}) {
    c.put(k, text(k));
  }
  EXPECT_EQ(c.invalidate_prefix("market:"), 2U);
  EXPECT_EQ(c.get("market:btc"), nullptr);
  EXPECT_EQ(c.get("market:eth"), nullptr);
  EXPECT_NE(c.get("marketing:x"), nullptr);
  EXPECT_NE(c.get("candles:btc:1h"), nullptr);
  c.clear();
  EXPECT_EQ(c.size(), 0U);
  EXPECT_EQ(c.get("report:btc:1d"), nullptr);
  EXPECT_EQ(r.count(removal_cause::invalidated), 5);
}

TEST(L1Cache, EveryCauseIsReported) {
  core::manual_clock clock;
  recorded r;
  string_cache c({.max_entries = 10, .clock = &clock, .listener = r.listener()});
  c.put("x", text("1"));
  c.put("x", text("2"));                         // replaced
  c.invalidate("x");                             // explicit
  c.put("t", text("1"), clock.now() + 1s);
  clock.advance(3s);
  c.cleanup();                                   // expired
  for (int i = 0; i < 50; ++i) c.put("k" + std::to_string(i), text("v"));
  c.cleanup();                                   // size
  EXPECT_EQ(r.count(removal_cause::replaced), 1);
  EXPECT_EQ(r.count(removal_cause::invalidated), 1);
  EXPECT_EQ(r.count(removal_cause::expired), 1);
  EXPECT_EQ(r.count(removal_cause::size), 40);
}

TEST(L1Cache, HotSetSurvivesAScan) {
  l1_cache<std::uint64_t, int> c({.max_entries = 1000});
  auto one = std::make_shared<const int>(1);
  for (int round = 0; round < 20; ++round) {
    for (std::uint64_t k = 0; k < 800; ++k) {
      if (!c.get(k)) c.put(k, one);
    }
  }
  for (std::uint64_t k = 1'000'000; k < 1'003'000; ++k) {  // three times the capacity
    if (!c.get(k)) c.put(k, one);
  }
  c.cleanup();
  int hot = 0;
  for (std::uint64_t k = 0; k < 800; ++k) hot += c.get(k) ? 1 : 0;
  EXPECT_GE(hot, 780);
}

// Many threads reading, writing and removing the same keys: every value read belongs to its
// key, the bound holds, and nothing leaks or crashes (run under ASan and TSan too).
TEST(L1Cache, ConcurrentStress) {
  std::atomic<std::uint64_t> removals{0};
  l1_cache<std::uint64_t, std::uint64_t> c(
      {.max_entries = 2000,
       .listener = [&](const std::uint64_t&, const auto&, removal_cause) { ++removals; }});
  constexpr int threads = 8;
  constexpr int ops = 40000;
  std::atomic<int> bad{0};
  std::atomic<std::uint64_t> reads{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t x = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(t + 1);
      for (int i = 0; i < ops; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::uint64_t key = (x >> 16) % 5000;
        switch (x % 10) {
          case 0:
          case 1:
            c.put(key, std::make_shared<const std::uint64_t>(key * 3));
            break;
          case 2:
            c.invalidate(key);
            break;
          default:
            ++reads;
            if (auto v = c.get(key); v && *v != key * 3) ++bad;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  c.cleanup();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LE(c.size(), 2000U);
  auto s = c.stats();
  EXPECT_EQ(s.hits + s.misses, reads.load());
  EXPECT_GT(s.hits, 0U);
  EXPECT_GT(removals.load(), 0U);
}

}  // namespace
}  // namespace cryptodash::cache
