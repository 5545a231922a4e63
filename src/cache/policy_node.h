#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

namespace cryptodash::cache {

/// Where a node sits in the eviction policy.
enum class queue_id : std::uint8_t { none, window, probation, protected_main };

/// Why an entry left the cache.
enum class removal_cause : std::uint8_t {
  size,         ///< evicted to stay within the capacity
  expired,      ///< its expiry time passed
  invalidated,  ///< removed on request (invalidate, invalidate_prefix, clear)
  replaced,     ///< a put gave its key a new value
};
inline constexpr int removal_cause_count = 4;
const char* to_string(removal_cause c) noexcept;

inline constexpr std::int64_t never_expires = std::numeric_limits<std::int64_t>::max();

/// The part of a cache entry that the eviction policy and the timer wheel own: the cache's
/// entry type derives from it. It fills one cache line of its own so that policy bookkeeping
/// never dirties the line readers use. The links, `queue`, `scheduled` and `moved_at` are
/// touched only under the policy lock; `hash`, `expires_ns` and `weight` are set before the
/// node is published and never change.
struct alignas(64) policy_node {
  policy_node* prev = nullptr;  // access order (window, probation or protected deque)
  policy_node* next = nullptr;
  policy_node* wheel_prev = nullptr;  // timer wheel bucket
  policy_node* wheel_next = nullptr;
  std::int64_t expires_ns = never_expires;  // since the clock's epoch
  std::uint64_t hash = 0;
  std::uint32_t weight = 1;
  std::uint32_t moved_at = 0;  // the policy's move count when last moved to the back
  queue_id queue = queue_id::none;
  bool scheduled = false;  // in the timer wheel
  // Not the policy's: the owning entry's lifecycle (l1_cache's node_state), kept in this
  // line's spare byte so that what lookups read fits the entry's next line.
  std::atomic<std::uint8_t> owner_state{0};
};
static_assert(sizeof(policy_node) == 64);

/// An intrusive doubly-linked list of policy nodes, LRU at the front, MRU at the back.
class access_deque {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  policy_node* front() const noexcept { return head_; }
  policy_node* back() const noexcept { return tail_; }

  void push_back(policy_node* n) noexcept {
    n->moved_at = ++pushes_;
    n->prev = tail_;
    n->next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = n;
    } else {
      head_ = n;
    }
    tail_ = n;
  }

  void remove(policy_node* n) noexcept {
    if (n->prev != nullptr) {
      n->prev->next = n->next;
    } else {
      head_ = n->next;
    }
    if (n->next != nullptr) {
      n->next->prev = n->prev;
    } else {
      tail_ = n->prev;
    }
    n->prev = n->next = nullptr;
  }

  /// Whether fewer than `distance` nodes were pushed after `n`, i.e. `n` is that close to the
  /// back. Moving such a node to the back would change no eviction decision soon.
  bool near_back(const policy_node* n, std::uint32_t distance) const noexcept {
    return pushes_ - n->moved_at < distance;
  }

  void move_to_back(policy_node* n) noexcept {
    if (tail_ == n) return;
    remove(n);
    push_back(n);
  }

  /// Puts `fresh` where `old` is; `old` leaves the list.
  void replace(policy_node* old, policy_node* fresh) noexcept {
    fresh->prev = old->prev;
    fresh->next = old->next;
    fresh->moved_at = old->moved_at;
    if (old->prev != nullptr) {
      old->prev->next = fresh;
    } else {
      head_ = fresh;
    }
    if (old->next != nullptr) {
      old->next->prev = fresh;
    } else {
      tail_ = fresh;
    }
    old->prev = old->next = nullptr;
  }

 private:
  policy_node* head_ = nullptr;
  policy_node* tail_ = nullptr;
  std::uint32_t pushes_ = 0;  // wraps; only differences are used
};

}  // namespace cryptodash::cache
