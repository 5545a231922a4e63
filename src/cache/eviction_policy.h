#pragma once

#include "cache/frequency_sketch.h"
#include "cache/policy_node.h"
#include "cache/timer_wheel.h"

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace cryptodash::cache {

enum class policy_kind {
  wtinylfu,  ///< W-TinyLFU: admission window (LRU), TinyLFU filter, segmented LRU main area
  lru,       ///< plain LRU, no admission filter (a baseline for comparisons)
};

/// The decisions of the bounded cache: which entries to keep, which to evict, which expired.
/// Sans-I/O and single-threaded: the concurrent cache feeds it events under its policy lock.
///
/// W-TinyLFU: new entries enter a small LRU window (1 % of the capacity to start with); entries
/// leaving the window become candidates for the main area, a segmented LRU (probation 20 %,
/// protected 80 %); when the cache is over capacity a candidate is admitted only if the
/// frequency sketch rates it more popular than the main area's victim (ties reject it, except
/// for a rare random admit of a warm candidate, which defeats hash-flooding). A hit in probation
/// promotes to protected. The window adapts: after each sample period it moves toward the size
/// at which the window's margin (the more of its oldest quarter's hits and of the refused
/// candidates asked for again) earns as many hits per unit of capacity as the main area's
/// (probation, where its entries go before eviction) — so it grows for recency-heavy
/// workloads, even from a window too small to see any reuse, and shrinks back to 1 % for
/// frequency-heavy ones.
///
/// Removal from the cache's index is the owner's job: the policy calls `evict(node, cause)` for
/// each entry it gives up, after unlinking the node from its own structures.
class eviction_policy {
 public:
  /// `evict` removes the entry from the owner's index and returns whether it was still there
  /// (if not, the owner already removed it and the policy only forgets it).
  using evict_fn = std::function<void(policy_node*, removal_cause)>;

  /// `expected_entries` sizes the frequency sketch (it grows if more entries arrive): the
  /// capacity itself when every entry weighs 1. `seed` seeds the rare random admission (tests
  /// pass one to replay a run; by default each policy draws its own).
  eviction_policy(policy_kind kind, std::uint64_t max_weight, std::uint64_t expected_entries,
                  std::int64_t now_ns, evict_fn evict,
                  std::uint32_t seed = std::random_device{}());

  /// A new entry (not in the policy yet).
  void on_add(policy_node* n);
  /// A read of an entry in the policy.
  void on_access(policy_node* n);
  /// `fresh` replaces `old` (in the policy) in place, keeping its position and frequency.
  void on_replace(policy_node* old, policy_node* fresh);
  /// An entry the owner removed; the policy forgets it (no evict() call).
  void on_remove(policy_node* n);

  /// Evicts entries (calling evict) until the weighted size fits the maximum.
  void evict_if_needed();
  /// Expires entries due by `now_ns` (calling evict with removal_cause::expired).
  void expire(std::int64_t now_ns);
  /// Adapts the window size once a sample period is complete. Call after evict_if_needed().
  void climb();

  std::uint64_t weighted_size() const noexcept { return weighted_; }
  std::uint64_t entries() const noexcept { return entries_; }
  /// Entries with an expiry, waiting in the timer wheel.
  std::uint64_t scheduled() const noexcept { return wheel_.size(); }
  std::uint64_t maximum() const noexcept { return max_; }
  std::uint64_t window_maximum() const noexcept { return window_max_; }
  std::uint64_t protected_maximum() const noexcept { return protected_max_; }
  const frequency_sketch& sketch() const noexcept { return sketch_; }

 private:
  void unlink(policy_node* n);                 // from its deque and the wheel; sizes updated
  void drop(policy_node* n, removal_cause c);  // unlink + evict callback
  void promote(policy_node* n);                // probation → protected, demoting its LRU
  policy_node* evict_from_window();
  void evict_from_main(policy_node* candidate);
  void determine_adjustment();
  void demote_from_protected();
  void increase_window();
  void decrease_window();
  bool admit(const policy_node* candidate, const policy_node* victim);
  std::uint32_t& ghost_slot(std::uint64_t hash) noexcept;
  static std::uint32_t ghost_tag(std::uint64_t hash) noexcept;
  access_deque& deque_of(queue_id q) noexcept;
  bool counting() const noexcept;

  policy_kind kind_;
  std::uint64_t max_;
  std::uint64_t window_max_;
  std::uint64_t protected_max_;
  std::uint64_t weighted_ = 0;
  std::uint64_t entries_ = 0;
  std::uint64_t window_weighted_ = 0;
  std::uint64_t protected_weighted_ = 0;
  access_deque window_;
  access_deque probation_;
  access_deque protected_;
  frequency_sketch sketch_;
  timer_wheel wheel_;
  std::minstd_rand random_;
  // Window adaptation.
  std::uint64_t hits_in_sample_ = 0;
  std::uint64_t misses_in_sample_ = 0;
  std::uint64_t window_tail_hits_in_sample_ = 0;  // in the window's oldest quarter
  std::uint64_t probation_hits_in_sample_ = 0;
  std::uint64_t ghost_hits_in_sample_ = 0;
  // Candidates that admission refused, lately: a direct-mapped table of hash tags (0 = empty),
  // as many as the entries expected. A new key found there would have been a hit in a window
  // that much larger (see determine_adjustment).
  std::vector<std::uint32_t> ghost_;
  std::int64_t adjustment_ = 0;
  evict_fn evict_;
};

}  // namespace cryptodash::cache
