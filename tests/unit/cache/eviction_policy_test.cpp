#include "cache/eviction_policy.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>

namespace cryptodash::cache {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

struct keyed_node : policy_node {
  int key = 0;
};

// A single-threaded model of the cache around the policy: keys → nodes. The policy's random
// admission is seeded, so that every run replays the same decisions.
class PolicyHarness {
 public:
  explicit PolicyHarness(std::uint64_t max, policy_kind kind = policy_kind::wtinylfu,
                         bool climbs = false, std::uint32_t seed = 1)
      : adaptive(climbs),
        policy(
            kind, max, max, 0,
            [this](policy_node* n, removal_cause c) {
              resident.erase(static_cast<keyed_node*>(n)->key);
              causes.push_back(c);
            },
            seed) {}

  // Access `key`; on a miss insert it. Returns whether it was a hit.
  bool access(int key, std::uint32_t weight = 1) {
    if (resident.count(key)) {
      policy.on_access(resident[key]);
      if (adaptive) policy.climb();
      return true;
    }
    auto& n = storage.emplace_back();
    n.hash = mix(static_cast<std::uint64_t>(key));
    n.weight = weight;
    n.key = key;
    resident[key] = &n;
    policy.on_add(&n);
    policy.evict_if_needed();
    if (adaptive) policy.climb();  // as the cache's maintenance does
    return false;
  }

  bool adaptive;
  eviction_policy policy;
  std::deque<keyed_node> storage;
  std::map<int, policy_node*> resident;
  std::vector<removal_cause> causes;
};

TEST(EvictionPolicy, NeverExceedsTheMaximum) {
  PolicyHarness h(100);
  for (int i = 0; i < 10000; ++i) {
    h.access(static_cast<int>(mix(static_cast<std::uint64_t>(i)) % 700));
    ASSERT_LE(h.policy.weighted_size(), 100U);
    ASSERT_EQ(h.resident.size(), h.policy.entries());
  }
  for (auto c : h.causes) EXPECT_EQ(c, removal_cause::size);
}

TEST(EvictionPolicy, SharesOfTheCapacity) {
  PolicyHarness h(1000);
  EXPECT_EQ(h.policy.window_maximum(), 10U);
  EXPECT_EQ(h.policy.protected_maximum(), 792U);
}

// A recency-heavy workload: every key is used three times within a short span, then never
// again. A 1 % window lets each new key go before its second use (admission prefers the
// used-up keys with three uses), so the window must grow to most of the capacity — as LRU.
// Hits rise steeply once the window holds a key until its third use; the rare random
// admissions decide how the window approaches that edge, so several seeds are replayed
// (under seeds 59, 197 and 259 the window once hovered below it with ~5 % hits).
TEST(EvictionPolicy, TheWindowGrowsForARecencyHeavyWorkload) {
  for (std::uint32_t seed : {1U, 59U, 197U, 259U}) {
    SCOPED_TRACE(seed);
    PolicyHarness h(1000, policy_kind::wtinylfu, /*adaptive=*/true, seed);
    int hits = 0;
    int accesses = 0;
    for (int i = 0; i < 200'000; ++i) {
      for (int back : {0, 200, 400}) {
        bool hit = h.access(i - back);
        if (i >= 150'000) {
          hits += hit ? 1 : 0;
          ++accesses;
        }
      }
    }
    EXPECT_GE(h.policy.window_maximum(), 600U);
    // LRU hits the second and third use of every key: 2 in 3.
    EXPECT_GE(static_cast<double>(hits) / accesses, 0.6);
  }
}

// A loop over more keys than fit: LRU never hits, frequency keeps a fixed part. The window
// stays at its smallest.
TEST(EvictionPolicy, TheWindowStaysSmallForAFrequencyHeavyWorkload) {
  PolicyHarness h(1000, policy_kind::wtinylfu, /*adaptive=*/true);
  int hits = 0;
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 1500; ++k) {
      bool hit = h.access(k);
      if (round >= 150) hits += hit ? 1 : 0;
    }
  }
  EXPECT_LE(h.policy.window_maximum(), 50U);
  EXPECT_GE(hits, 50 * 1500 / 2);  // about 1000 of the 1500 keys hit in each round
}

// A hot working set survives a scan of keys seen once: admission refuses them.
TEST(EvictionPolicy, OneHitScanDoesNotFlushTheHotSet) {
  auto warm = [](PolicyHarness& h) {
    for (int round = 0; round < 20; ++round) {
      for (int k = 0; k < 150; ++k) h.access(k);
    }
  };
  auto hot_resident = [](PolicyHarness& h) {
    int n = 0;
    for (int k = 0; k < 150; ++k) n += h.resident.count(k) ? 1 : 0;
    return n;
  };
  PolicyHarness h(200);
  warm(h);
  for (int k = 100000; k < 101000; ++k) h.access(k);  // a scan of five times the capacity
  EXPECT_GE(hot_resident(h), 145);

  // Plain LRU, for contrast, loses all of them.
  PolicyHarness lru(200, policy_kind::lru);
  warm(lru);
  for (int k = 100000; k < 101000; ++k) lru.access(k);
  EXPECT_EQ(hot_resident(lru), 0);
}

// While the hot set stays in use, no scan is long enough to flush it.
TEST(EvictionPolicy, HotSetInUseSurvivesAnEndlessScan) {
  PolicyHarness h(200);
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 150; ++k) h.access(k);
  }
  for (int i = 0; i < 100000; ++i) {
    h.access(200000 + i);
    h.access(i % 150);
  }
  int hot = 0;
  for (int k = 0; k < 150; ++k) hot += h.resident.count(k) ? 1 : 0;
  EXPECT_GE(hot, 145);
}

TEST(EvictionPolicy, NewPopularKeysGetIn) {
  PolicyHarness h(100);
  for (int round = 0; round < 10; ++round) {
    for (int k = 0; k < 100; ++k) h.access(k);
  }
  // The workload shifts to a new set; after a while it is resident.
  for (int round = 0; round < 30; ++round) {
    for (int k = 1000; k < 1080; ++k) h.access(k);
  }
  int resident = 0;
  for (int k = 1000; k < 1080; ++k) resident += h.resident.count(k) ? 1 : 0;
  EXPECT_GE(resident, 75);
}

TEST(EvictionPolicy, WeightsBoundTheTotal) {
  PolicyHarness h(1000);
  for (int i = 0; i < 500; ++i) {
    h.access(i, static_cast<std::uint32_t>(1 + (i * 37) % 90));
    ASSERT_LE(h.policy.weighted_size(), 1000U);
  }
  // An entry heavier than the whole cache cannot stay.
  h.access(99999, 5000);
  EXPECT_EQ(h.resident.count(99999), 0U);
  EXPECT_LE(h.policy.weighted_size(), 1000U);
}

TEST(EvictionPolicy, ReplaceKeepsThePlace) {
  PolicyHarness h(10);
  for (int k = 0; k < 10; ++k) h.access(k);
  keyed_node fresh;
  fresh.hash = h.resident[3]->hash;
  fresh.weight = 1;
  fresh.key = 3;
  auto queue = h.resident[3]->queue;
  h.policy.on_replace(h.resident[3], &fresh);
  EXPECT_EQ(fresh.queue, queue);
  EXPECT_EQ(h.resident[3]->queue, queue_id::none);
  h.resident[3] = &fresh;
  EXPECT_EQ(h.policy.entries(), 10U);
  EXPECT_EQ(h.policy.weighted_size(), 10U);
}

TEST(EvictionPolicy, RemoveForgetsWithoutEvicting) {
  PolicyHarness h(10);
  for (int k = 0; k < 5; ++k) h.access(k);
  h.policy.on_remove(h.resident[2]);
  h.resident.erase(2);
  EXPECT_EQ(h.policy.entries(), 4U);
  EXPECT_TRUE(h.causes.empty());
}

TEST(EvictionPolicy, ExpiresThroughTheWheel) {
  PolicyHarness h(10);
  h.access(1);
  h.access(2);
  // Give node 1 an expiry by re-adding it as a fresh node with a due time.
  keyed_node due;
  due.hash = mix(77);
  due.key = 77;
  due.expires_ns = 5'000'000'000;  // 5 s
  h.resident[77] = &due;
  h.policy.on_add(&due);
  h.policy.expire(3'000'000'000);
  EXPECT_TRUE(h.causes.empty());
  h.policy.expire(7'000'000'000);
  ASSERT_EQ(h.causes.size(), 1U);
  EXPECT_EQ(h.causes[0], removal_cause::expired);
  EXPECT_EQ(h.resident.count(77), 0U);
  EXPECT_EQ(h.policy.entries(), 2U);
}

}  // namespace
}  // namespace cryptodash::cache
