#pragma once

#include "cache/epoch.h"
#include "cache/eviction_policy.h"
#include "cache/read_buffer.h"
#include "cache/shared_slot.h"
#include "cache/slab_pool.h"
#include "core/clock.h"

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

namespace cryptodash::cache {

/// Counters of an L1 cache; a consistent-enough snapshot (each figure is read separately).
struct l1_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions[removal_cause_count] = {};  ///< indexed by removal_cause
  std::uint64_t entry_count = 0;
  std::uint64_t weighted_size = 0;
  std::uint64_t maximum = 0;  ///< entries, or weight when weighted
};

/// The in-process cache tier: a concurrent, bounded map from keys to immutable shared values.
///
/// - Bounded by entry count, or by weight (e.g. payload bytes) when `options::max_weight` > 0;
///   W-TinyLFU decides what stays (see eviction_policy).
/// - Every entry has its own expiry; an expired entry is never returned, and the timer wheel
///   reclaims it without scanning.
/// - Reads take no lock: the index is a set of shards, each an open-addressing table of tagged
///   pointers that readers probe under an epoch guard. A hit copies the entry's
///   shared_ptr (no copy of the value) and records the read in a lossy striped buffer; the
///   policy replays those reads in batches, under a try-lock, on whichever thread fills a
///   buffer. Writes lock one shard, then queue an event for the policy.
/// - A put of an existing key with the same expiry and weight replaces the value in place
///   (a seqlock over the value pointer, see shared_slot) and counts as an access for the
///   policy, as Caffeine does (a put of the very object held is only that access: nothing to
///   swap, no `replaced` removal); otherwise it installs a new entry in the old one's place. A
///   replaced value is released by the writing thread once no reader can still be copying it
///   (two epochs later; about 64 per thread wait at a time).
/// - A hit hands out a shared_ptr to the stored value. So that hot values are not a shared
///   reference count bounced between cores on every hit, each thread keeps up to 1024 values it
///   reads often referenced through a control block of its own (a direct-mapped table with a
///   second-chance bit, so one-off reads do not push hot values out), and hands those out
///   through it. The price: a thread may keep up to 1024 values alive after the cache dropped
///   them (it never hands them out: each hit is checked against the current entry).
///
/// Thread-safety: every member may be called from any thread. The listener runs on the thread
/// that removed the entry, after the cache's locks are released; it must not block for long,
/// and may call back into the cache.
template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class l1_cache {
 public:
  using value_ptr = std::shared_ptr<const Value>;
  using listener_fn = std::function<void(const Key&, const value_ptr&, removal_cause)>;

  struct options {
    std::uint64_t max_entries = 10000;  ///< the bound when max_weight is 0
    std::uint64_t max_weight = 0;       ///< > 0: bound the sum of put() weights instead
    policy_kind policy = policy_kind::wtinylfu;
    const core::clock* clock = &core::system_clock::instance();
    listener_fn listener;  ///< told of every removal, with its cause
  };

  explicit l1_cache(options opts);
  ~l1_cache();
  l1_cache(const l1_cache&) = delete;
  l1_cache& operator=(const l1_cache&) = delete;

  /// The value for `key`, or nullptr if absent or expired. Never blocks.
  value_ptr get(const Key& key) { return get(key, core::time_point::min()); }
  /// The same, judging expiry at `now` (for callers that already read the clock;
  /// time_point::min() reads the cache's clock, and only if the entry has an expiry).
  value_ptr get(const Key& key, core::time_point now);

  /// The value for `key` as get() finds it, but neither counted in the statistics nor
  /// recorded as an access for the policy: a second look by a caller that already counted its
  /// lookup (e.g. one that missed, then rechecks before computing). Never blocks.
  value_ptr peek(const Key& key, core::time_point now);

  /// Calls `visit(const Value&)` with the value for `key` if present and unexpired, without
  /// taking a reference: the value stays valid only during the call, which must be short and
  /// must not call into this cache. Returns whether it was called. Never blocks.
  template <class Visitor>
  bool visit(const Key& key, Visitor&& visit);

  /// Stores `value` for `key` until `expires_at` (default: never), replacing any entry.
  /// `weight` counts against max_weight (ignored when the bound is by entries; at least 1).
  /// A put of the very value object the entry holds, with its expiry and weight, changes
  /// nothing but counts as an access (no `replaced` removal, as in Caffeine).
  void put(const Key& key, const value_ptr& value,
           core::time_point expires_at = core::time_point::max(), std::uint32_t weight = 1) {
    put_value(key, value, expires_at, weight);
  }
  void put(const Key& key, value_ptr&& value,
           core::time_point expires_at = core::time_point::max(), std::uint32_t weight = 1) {
    put_value(key, std::move(value), expires_at, weight);
  }

  /// Removes `key`; true if it was present.
  bool invalidate(const Key& key);

  /// Removes every entry whose key satisfies `pred`; returns how many. Scans the cache.
  std::size_t invalidate_if(const std::function<bool(const Key&)>& pred);

  /// Removes every entry whose key starts with `prefix` (string-like keys).
  std::size_t invalidate_prefix(std::string_view prefix)
    requires std::is_convertible_v<const Key&, std::string_view>
  {
    return invalidate_if([prefix](const Key& k) {
      return std::string_view(k).substr(0, prefix.size()) == prefix;
    });
  }

  /// Removes everything.
  void clear() {
    invalidate_if([](const Key&) { return true; });
  }

  /// Runs maintenance now: replays reads and writes, expires, evicts, frees. Blocks on the
  /// policy lock. Call it now and then when the cache may be idle, so expired entries go.
  void cleanup() { maintain(lock_mode::block); }

  /// Entries in the index (expired ones not yet reclaimed included).
  std::uint64_t size() const noexcept;
  l1_stats stats() const noexcept;

 private:
  enum class node_state : std::uint8_t { alive, retired, dead };
  enum class lock_mode { try_only, block };

  // The policy's part (policy_node, the first cache line) is written by the policy only; the
  // fields after it, on the next line, are what lookups read.
  struct node : policy_node {
    node(const Key& k, value_ptr v, std::int64_t expires, std::uint32_t w, std::uint64_t h)
        : key(k), value(std::move(v)), expiry_ns(expires) {
      hash = h;
      policy_node::expires_ns = expires;
      weight = w;
    }
    // Fixed once published, but `value` (replaced in place by a put of the same expiry and
    // weight, under the shard lock). What lookups read — key, value, expiry — shares one line
    // for keys of up to 32 bytes (a std::string).
    const Key key;
    shared_slot<Value> value;
    const std::int64_t expiry_ns;  // = policy_node::expires_ns, on the readers' line

    node_state state(std::memory_order order) const noexcept {
      return static_cast<node_state>(owner_state.load(order));
    }
    void set_state(node_state s, std::memory_order order) noexcept {
      owner_state.store(static_cast<std::uint8_t>(s), order);
    }
  };
  static_assert(sizeof(Key) > 32 || sizeof(node) == 128, "an entry is two cache lines");
  static node* owner_of(policy_node* p) noexcept { return static_cast<node*>(p); }

  // An open-addressing table of tagged pointers: (hash >> 48) << 48 | node address.
  struct table {
    std::size_t mask;
    std::size_t used = 0;  // live + tombstones
    std::size_t live = 0;
    std::atomic<std::uint64_t>* slots() noexcept {
      return reinterpret_cast<std::atomic<std::uint64_t>*>(this + 1);
    }
    static table* create(std::size_t capacity);
    static void destroy(void* t) noexcept;
  };
  static constexpr std::uint64_t tombstone = 1;
  static constexpr std::uint64_t pointer_mask = (std::uint64_t{1} << 48) - 1;

  struct alignas(64) shard {
    std::mutex mutex;
    std::atomic<table*> tab{nullptr};
    std::atomic<std::uint64_t> live{0};
  };

  struct write_event {
    enum kind_t : std::uint8_t { add, replace, remove } kind;
    node* a;  // add: the new node; replace: the old one; remove: the removed one
    node* b;  // replace: the new node
  };
  // Events queued by writers, one stripe per thread (as for reads). `batch` is how many a
  // writer lets pile up before it maintains: 1 while it has the policy to itself, doubling (up
  // to 64) while other writers keep it busy, so that heavy concurrent writing pays the fixed
  // cost of maintenance once per batch instead of once per put.
  struct alignas(64) write_stripe {
    std::mutex mutex;
    std::vector<write_event> events;    // guarded by mutex
    std::atomic<std::size_t> size{0};   // events.size(), readable without the mutex
    std::atomic<std::uint32_t> batch{1};
  };

  // A thread's cached reference to a value it read recently (see the class comment).
  struct held_value {
    const void* cache = nullptr;
    const void* entry = nullptr;
    const void* value = nullptr;
    std::shared_ptr<const void> local;  // aliases `value`; its control block is this thread's
    bool recent = false;                // hit since the slot was last contested
  };
  static constexpr std::size_t held_slots = 1024;
  static thread_local std::array<held_value, held_slots> held_;
  value_ptr share(node* n);  // inside the lookup's guard

  struct notification {
    Key key;
    value_ptr value;
    removal_cause cause;
  };

  std::uint64_t hash_of(const Key& key) const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key)) ^ seed_;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
  }
  shard& shard_for(std::uint64_t h) noexcept { return shards_[(h >> 40) & (shard_count - 1)]; }
  std::int64_t now_ns() const noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_->now().time_since_epoch())
        .count();
  }
  static std::int64_t to_ns(core::time_point t) noexcept {
    if (t == core::time_point::max()) return never_expires;
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }

  node* find(shard& s, std::uint64_t h, const Key& key) const noexcept;
  template <class V>  // value_ptr or const value_ptr&
  void put_value(const Key& key, V&& value, core::time_point expires_at, std::uint32_t weight);
  void record_read(node* n, bool hit) noexcept;
  // A put that replaced `n`'s value in place: counted, and an access for the policy.
  void record_update(node* n) noexcept;
  void record_access(read_buffer::stripe& stripe, node* n) noexcept;
  // Replaces the value of the entry for `key` if it has this expiry and weight; false if there
  // is no such entry (the put then installs a new one, and `value` is left as it was).
  template <class V>
  bool update_in_place(const Key& key, std::uint64_t h, V&& value, std::int64_t expires,
                       std::uint32_t weight);
  // Values replaced in place by this thread, with the epoch of their replacement: released
  // once the epoch has moved on twice (no reader can still be adding a reference), checked at
  // each replacement; a full batch advances the epoch. So a thread holds at most about
  // replaced_batch of them (more only while a reader's guard keeps the epoch from moving),
  // and they wait for its next in-place put. At thread exit what is left goes to the global
  // epoch list.
  struct replaced_values {
    std::vector<std::pair<std::shared_ptr<const void>, std::uint64_t>> items;  // epoch order
    ~replaced_values() {
      for (auto& item : items) {
        epoch::retire(new std::shared_ptr<const void>(std::move(item.first)));
      }
    }
  };
  static thread_local replaced_values replaced_;
  static constexpr std::size_t replaced_batch = 64;
  static void retire_value(value_ptr old) noexcept;
  node* insert_locked(shard& s, node* fresh);  // returns the node it replaced, if any
  void remove_slot_locked(shard& s, std::uint64_t h, node* n);
  void rebuild_locked(shard& s, std::size_t capacity);
  // Queues `e` on the caller's stripe; returns that stripe.
  write_stripe& push_event(const write_event& e);
  void after_write(write_stripe& w);

  // Returns -1 if try_only found the lock taken, else how many reads it replayed from stripes
  // other than `mine`.
  long maintain(lock_mode mode, const read_buffer::stripe* mine = nullptr);
  std::size_t maintain_locked(std::vector<notification>& notes, const read_buffer::stripe* mine);
  void apply(const write_event& e);
  void to_limbo(node* n);
  node* make_node(const Key& k, value_ptr v, std::int64_t expires, std::uint32_t w,
                  std::uint64_t h);
  void destroy(node* n) noexcept {
    n->~node();
    pool_.deallocate(n);
  }
  void evict_from_index(policy_node* p, removal_cause cause);
  void notify(std::vector<notification>& notes);

  static constexpr std::size_t shard_count = 64;
  static constexpr std::size_t write_stripes = 16;
  static constexpr std::uint32_t max_write_batch = 64;
  static constexpr std::size_t max_pending_events = 4096;  // per stripe; then writers block
  static constexpr std::int64_t crowded_drain_ns = 100'000;  // see read_buffer

  slab_pool pool_{sizeof(node)};  // node memory, on huge pages
  const core::clock* clock_;
  const bool weighted_;
  const std::uint64_t maximum_;
  const std::uint64_t seed_;
  listener_fn listener_;
  std::unique_ptr<shard[]> shards_;
  read_buffer reads_;
  std::unique_ptr<write_stripe[]> writes_;

  // Set while a thread maintains, so that others skip without touching the mutex's line.
  std::atomic<bool> maintaining_{false};
  std::mutex policy_mutex_;  // guards everything below
  eviction_policy policy_;
  std::vector<node*> unlinked_;  // unlinked during the current maintenance run
  std::vector<std::pair<node*, std::uint64_t>> limbo_;  // unlinked nodes and the epoch after it
  std::uint64_t limbo_checked_ = 0;  // maintenance runs since the last epoch advance
  std::vector<write_event> draining_;
  std::vector<notification>* pending_notes_ = nullptr;  // during maintain_locked
  std::atomic<std::uint64_t> evictions_[removal_cause_count] = {};
  std::atomic<std::uint64_t> weighted_size_{0};
};

}  // namespace cryptodash::cache

#include "cache/l1_cache_impl.h"
