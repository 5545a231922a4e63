#include "cache/eviction_policy.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cryptodash::cache {

const char* to_string(removal_cause c) noexcept {
  switch (c) {
    case removal_cause::size: return "size";
    case removal_cause::expired: return "expired";
    case removal_cause::invalidated: return "explicit";
    case removal_cause::replaced: return "replaced";
  }
  return "?";
}

namespace {
constexpr double main_share = 0.99;       // window: 1 % of the capacity at first
constexpr double protected_share = 0.80;  // of the main area
constexpr unsigned warm_candidate = 6;    // see admit()
// Window adaptation (see determine_adjustment): a sample period of 20 × the capacity in
// requests; a step of 3 % of the capacity per unit of log density ratio, at most 30 %; the
// window never below 1 % of the capacity.
constexpr double sample_periods = 2.0;  // × the sketch's sample (10 × capacity)
constexpr double density_gain = 0.03;
constexpr double max_step_share = 0.30;
constexpr double min_window_share = 0.01;
constexpr int transfer_limit = 1000;  // nodes moved between queues per adjustment
constexpr std::uint64_t near_back_share = 4;  // a hit in a queue's last quarter does not move it
constexpr std::uint64_t ghost_limit = 1 << 20;  // refused candidates remembered, at most
}  // namespace

eviction_policy::eviction_policy(policy_kind kind, std::uint64_t max_weight,
                                 std::uint64_t expected_entries, std::int64_t now_ns,
                                 evict_fn evict, std::uint32_t seed)
    : kind_(kind),
      max_(max_weight),
      window_max_(kind == policy_kind::lru
                      ? max_weight
                      : max_weight - static_cast<std::uint64_t>(
                                         static_cast<double>(max_weight) * main_share)),
      protected_max_(static_cast<std::uint64_t>(static_cast<double>(max_weight - window_max_) *
                                                protected_share)),
      sketch_(static_cast<std::size_t>(std::min<std::uint64_t>(expected_entries, 1ULL << 26))),
      wheel_(now_ns),
      random_(seed),
      evict_(std::move(evict)) {
  if (kind_ == policy_kind::wtinylfu) {
    ghost_.resize(std::bit_ceil(std::clamp<std::uint64_t>(expected_entries, 16, ghost_limit)));
  }
}

std::uint32_t& eviction_policy::ghost_slot(std::uint64_t hash) noexcept {
  return ghost_[static_cast<std::size_t>(hash) & (ghost_.size() - 1)];
}

std::uint32_t eviction_policy::ghost_tag(std::uint64_t hash) noexcept {
  return std::max<std::uint32_t>(static_cast<std::uint32_t>(hash >> 32), 1);
}

bool eviction_policy::counting() const noexcept {
  // Like Caffeine, frequencies are recorded only once the cache is half full: the accesses of
  // the initial fill say little about what will compete for room later.
  return kind_ == policy_kind::wtinylfu && weighted_ >= max_ / 2;
}

access_deque& eviction_policy::deque_of(queue_id q) noexcept {
  switch (q) {
    case queue_id::probation: return probation_;
    case queue_id::protected_main: return protected_;
    default: return window_;
  }
}

void eviction_policy::on_add(policy_node* n) {
  // Weighted caches hold an unknown number of entries: grow the sketch (forgetting its
  // counts) when they clearly outnumber what it was sized for. Never for a momentary overshoot.
  if (++entries_ > 2 * sketch_.capacity() && entries_ <= (1ULL << 26)) {
    sketch_.ensure_capacity(static_cast<std::size_t>(entries_) * 2);
  }
  weighted_ += n->weight;
  window_weighted_ += n->weight;
  n->queue = queue_id::window;
  window_.push_back(n);
  wheel_.schedule(n);
  if (counting()) sketch_.increment(n->hash);
  ++misses_in_sample_;
  if (!ghost_.empty()) {
    std::uint32_t& slot = ghost_slot(n->hash);
    if (slot == ghost_tag(n->hash)) {
      ++ghost_hits_in_sample_;
      slot = 0;
    }
  }
}

void eviction_policy::on_access(policy_node* n) {
  if (counting()) sketch_.increment(n->hash);
  ++hits_in_sample_;
  if (n->queue == queue_id::window &&
      !window_.near_back(n, static_cast<std::uint32_t>(window_max_ - window_max_ / 4))) {
    ++window_tail_hits_in_sample_;
  } else if (n->queue == queue_id::probation) {
    ++probation_hits_in_sample_;
  }
  // A node already near the back of its LRU queue stays put: reordering the last quarter of
  // a queue changes no eviction decision soon, and skipping it saves most of the pointer work
  // for hot entries.
  switch (n->queue) {
    case queue_id::window:
      if (!window_.near_back(n, static_cast<std::uint32_t>(window_max_ / near_back_share))) {
        window_.move_to_back(n);
      }
      break;
    case queue_id::probation: promote(n); break;
    case queue_id::protected_main:
      if (!protected_.near_back(n, static_cast<std::uint32_t>(protected_max_ / near_back_share))) {
        protected_.move_to_back(n);
      }
      break;
    case queue_id::none: break;
  }
}

void eviction_policy::promote(policy_node* n) {
  if (n->weight > protected_max_) {
    probation_.move_to_back(n);
    return;
  }
  probation_.remove(n);
  protected_.push_back(n);
  n->queue = queue_id::protected_main;
  protected_weighted_ += n->weight;
  while (protected_weighted_ > protected_max_) {
    policy_node* demoted = protected_.front();
    protected_.remove(demoted);
    protected_weighted_ -= demoted->weight;
    demoted->queue = queue_id::probation;
    probation_.push_back(demoted);
  }
}

void eviction_policy::on_replace(policy_node* old, policy_node* fresh) {
  fresh->queue = old->queue;
  deque_of(old->queue).replace(old, fresh);
  old->queue = queue_id::none;
  wheel_.deschedule(old);
  wheel_.schedule(fresh);
  // Weights may differ; the deque's share follows.
  weighted_ += fresh->weight;
  weighted_ -= old->weight;
  if (fresh->queue == queue_id::window) {
    window_weighted_ += fresh->weight;
    window_weighted_ -= old->weight;
  } else if (fresh->queue == queue_id::protected_main) {
    protected_weighted_ += fresh->weight;
    protected_weighted_ -= old->weight;
  }
  if (counting()) sketch_.increment(fresh->hash);
}

void eviction_policy::unlink(policy_node* n) {
  switch (n->queue) {
    case queue_id::window: window_weighted_ -= n->weight; break;
    case queue_id::protected_main: protected_weighted_ -= n->weight; break;
    default: break;
  }
  if (n->queue != queue_id::none) {
    deque_of(n->queue).remove(n);
    weighted_ -= n->weight;
    --entries_;
    n->queue = queue_id::none;
  }
  wheel_.deschedule(n);
}

void eviction_policy::on_remove(policy_node* n) { unlink(n); }

void eviction_policy::drop(policy_node* n, removal_cause c) {
  unlink(n);
  evict_(n, c);
}

void eviction_policy::expire(std::int64_t now_ns) {
  wheel_.advance(now_ns, [this](policy_node* n) {
    // The wheel has unlinked it already; take it out of its deque too.
    drop(n, removal_cause::expired);
  });
}

void eviction_policy::evict_if_needed() {
  if (weighted_ <= max_) return;
  if (kind_ == policy_kind::lru) {
    while (weighted_ > max_ && !window_.empty()) drop(window_.front(), removal_cause::size);
    return;
  }
  evict_from_main(evict_from_window());
}

// Moves entries past the window's share to the back of probation, where they compete as
// candidates; returns the first (oldest) of them, or nullptr.
policy_node* eviction_policy::evict_from_window() {
  policy_node* first = nullptr;
  while (window_weighted_ > window_max_ && !window_.empty()) {
    policy_node* n = window_.front();
    window_.remove(n);
    window_weighted_ -= n->weight;
    n->queue = queue_id::probation;
    probation_.push_back(n);
    if (first == nullptr) first = n;
  }
  return first;
}

// While over capacity, pits candidates (those just moved from the window, oldest first, then
// the window itself) against the victim (probation's LRU, then protected's, then the window's)
// and evicts the less popular of each pair.
void eviction_policy::evict_from_main(policy_node* candidate) {
  queue_id victim_queue = queue_id::probation;
  queue_id candidate_queue = queue_id::probation;
  policy_node* victim = probation_.front();
  while (weighted_ > max_) {
    if (candidate == nullptr && candidate_queue == queue_id::probation) {
      candidate = window_.front();
      candidate_queue = queue_id::window;
    }
    if (candidate == nullptr && victim == nullptr) {
      if (victim_queue == queue_id::probation) {
        victim_queue = queue_id::protected_main;
        victim = protected_.front();
        continue;
      }
      if (victim_queue == queue_id::protected_main) {
        victim_queue = queue_id::window;
        victim = window_.front();
        continue;
      }
      break;  // nothing left to evict
    }
    if (victim == nullptr) {
      policy_node* evict = candidate;
      candidate = candidate->next;
      drop(evict, removal_cause::size);
      continue;
    }
    if (candidate == nullptr) {
      policy_node* evict = victim;
      victim = victim->next;
      drop(evict, removal_cause::size);
      continue;
    }
    if (candidate == victim) {
      victim = victim->next;
      drop(candidate, removal_cause::size);
      candidate = nullptr;
      continue;
    }
    if (candidate->weight > max_) {  // can never fit
      policy_node* evict = candidate;
      candidate = candidate->next;
      drop(evict, removal_cause::size);
      continue;
    }
    if (admit(candidate, victim)) {
      policy_node* evict = victim;
      victim = victim->next;
      candidate = candidate->next;
      drop(evict, removal_cause::size);
    } else {
      policy_node* evict = candidate;
      candidate = candidate->next;
      ghost_slot(evict->hash) = ghost_tag(evict->hash);
      drop(evict, removal_cause::size);
    }
  }
}

bool eviction_policy::admit(const policy_node* candidate, const policy_node* victim) {
  unsigned victim_freq = sketch_.frequency(victim->hash);
  unsigned candidate_freq = sketch_.frequency(candidate->hash);
  if (candidate_freq > victim_freq) return true;
  if (candidate_freq < warm_candidate) return false;
  // A warm candidate losing to a hot victim is let in now and then (1 in 128), so that an
  // attacker who inflates a victim's frequency cannot lock the cache.
  return (random_() & 127) == 0;
}

void eviction_policy::climb() {
  if (kind_ != policy_kind::wtinylfu) return;
  determine_adjustment();
  demote_from_protected();
  if (adjustment_ > 0) {
    increase_window();
  } else if (adjustment_ < 0) {
    decrease_window();
  }
}

// At the end of each sample period, moves the window toward the size at which a unit of
// capacity is worth as much in the window as in the main area, judged at their margins
// (average densities over whole regions stop a recency-heavy workload's window far too small):
// the window's side against the hits in probation per entry of its share (the main area's
// entries pass through probation before eviction). The window's side is the larger of the
// hits in its oldest quarter per entry of it (the worth of its last entries, seen from inside)
// and the refused candidates asked for again (ghost hits) per slot of the ghost table (what a
// larger window would have kept, seen from outside). Both are needed: a window too small to
// see any reuse has no hits in its oldest quarter; and where hits rise steeply with the window
// (keys reused just beyond its end) the oldest quarter sees a trickle while the ghost sees the
// flood — judged by the trickle alone, the window hovered below that edge for good in about
// one run in thirty of EvictionPolicy.TheWindowGrowsForARecencyHeavyWorkload. The step grows
// with the log of the densities' ratio; both come from the same period, so a change in the
// overall hit rate cancels out. A side with no hits loses to one with hits by the largest step.
void eviction_policy::determine_adjustment() {
  adjustment_ = 0;
  const std::uint64_t requests = hits_in_sample_ + misses_in_sample_;
  if (static_cast<double>(requests) < sample_periods * static_cast<double>(sketch_.sample_size())) {
    return;
  }
  const double max = static_cast<double>(max_);
  const double window = static_cast<double>(window_max_);
  const double probation = std::max(1.0, max - window - static_cast<double>(protected_max_));
  const double main_margin = static_cast<double>(probation_hits_in_sample_) / probation;
  const double beyond_window =
      static_cast<double>(ghost_hits_in_sample_) / static_cast<double>(ghost_.size());
  const double window_margin =
      static_cast<double>(window_tail_hits_in_sample_) / std::max(1.0, window / 4);
  hits_in_sample_ = misses_in_sample_ = 0;
  window_tail_hits_in_sample_ = probation_hits_in_sample_ = ghost_hits_in_sample_ = 0;

  const double window_side = std::max(window_margin, beyond_window);
  double step = 0;
  if (window_side == 0 && main_margin == 0) return;
  if (window_side == 0) {
    step = -max_step_share * max;
  } else if (main_margin == 0) {
    step = max_step_share * max;
  } else {
    double error = std::log(window_side / main_margin);
    step = std::copysign(std::min(max_step_share * max, std::abs(error) * density_gain * max),
                         error);
  }
  double target = std::clamp(window + step, std::max(1.0, min_window_share * max), max - 1);
  adjustment_ = static_cast<std::int64_t>(target - window);
}

void eviction_policy::demote_from_protected() {
  for (int i = 0; i < transfer_limit && protected_weighted_ > protected_max_; ++i) {
    policy_node* demoted = protected_.front();
    if (demoted == nullptr) break;
    protected_.remove(demoted);
    protected_weighted_ -= demoted->weight;
    demoted->queue = queue_id::probation;
    probation_.push_back(demoted);
  }
}

// Grows the window at the expense of the protected area; the main area's oldest entries move
// into the window to use the new room.
void eviction_policy::increase_window() {
  if (protected_max_ == 0) return;
  auto quota = std::min(static_cast<std::uint64_t>(adjustment_), protected_max_);
  protected_max_ -= quota;
  window_max_ += quota;
  demote_from_protected();
  for (int i = 0; i < transfer_limit; ++i) {
    policy_node* n = probation_.front();
    bool from_probation = true;
    if (n == nullptr || quota < n->weight) {
      n = protected_.front();
      from_probation = false;
    }
    if (n == nullptr || quota < n->weight) break;
    quota -= n->weight;
    if (from_probation) {
      probation_.remove(n);
    } else {
      protected_.remove(n);
      protected_weighted_ -= n->weight;
    }
    window_.push_back(n);
    window_weighted_ += n->weight;
    n->queue = queue_id::window;
  }
  // Give back what could not be used.
  protected_max_ += quota;
  window_max_ -= quota;
}

// Shrinks the window (never below 1) in favour of the protected area; the window's oldest
// entries move to probation.
void eviction_policy::decrease_window() {
  if (window_max_ <= 1) return;
  auto quota = std::min(static_cast<std::uint64_t>(-adjustment_), window_max_ - 1);
  protected_max_ += quota;
  window_max_ -= quota;
  for (int i = 0; i < transfer_limit; ++i) {
    policy_node* n = window_.front();
    if (n == nullptr || quota < n->weight) break;
    quota -= n->weight;
    window_.remove(n);
    window_weighted_ -= n->weight;
    probation_.push_back(n);
    n->queue = queue_id::probation;
  }
  protected_max_ -= quota;
  window_max_ += quota;
}

}  // namespace cryptodash::cache
