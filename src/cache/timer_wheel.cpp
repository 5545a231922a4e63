#include "cache/timer_wheel.h"

#include <algorithm>

namespace cryptodash::cache {

timer_wheel::timer_wheel(std::int64_t now_ns) noexcept : now_(now_ns) {
  for (auto& level : wheel_) {
    for (auto& sentinel : level) sentinel.wheel_prev = sentinel.wheel_next = &sentinel;
  }
}

void timer_wheel::link(policy_node* n) noexcept {
  // Something already due goes in the current bucket, visited once its tick has passed.
  std::int64_t due = std::max(n->expires_ns, now_);
  std::int64_t delay = due - now_;
  int level = levels - 1;  // the last level takes whatever is further out
  for (int i = 0; i < levels - 1; ++i) {
    if (delay < (std::int64_t{1} << shifts[i + 1])) {
      level = i;
      break;
    }
  }
  auto index = static_cast<std::size_t>((due >> shifts[level]) & (bucket_counts[level] - 1));
  policy_node& sentinel = wheel_[level][index];
  n->wheel_next = &sentinel;
  n->wheel_prev = sentinel.wheel_prev;
  sentinel.wheel_prev->wheel_next = n;
  sentinel.wheel_prev = n;
  n->scheduled = true;
}

void timer_wheel::schedule(policy_node* n) noexcept {
  if (n->scheduled || n->expires_ns == never_expires) return;
  link(n);
  ++size_;
}

void timer_wheel::deschedule(policy_node* n) noexcept {
  if (!n->scheduled) return;
  n->wheel_prev->wheel_next = n->wheel_next;
  n->wheel_next->wheel_prev = n->wheel_prev;
  n->wheel_prev = n->wheel_next = nullptr;
  n->scheduled = false;
  --size_;
}

void timer_wheel::advance(std::int64_t now_ns,
                          const std::function<void(policy_node*)>& on_expired) {
  std::int64_t previous = now_;
  if (now_ns <= previous) return;
  now_ = now_ns;
  for (int level = 0; level < levels; ++level) {
    std::int64_t from = previous >> shifts[level];
    std::int64_t ticks = (now_ns >> shifts[level]) - from;
    if (ticks <= 0) break;  // coarser levels have not moved either
    process(level, from, ticks, on_expired);
  }
}

void timer_wheel::process(int level, std::int64_t from_tick, std::int64_t ticks,
                          const std::function<void(policy_node*)>& on_expired) {
  const std::int64_t count = bucket_counts[level];
  // The buckets time has moved through, from the one it left to the one it entered: nodes in
  // the entered bucket that are not due yet cascade down to finer levels.
  std::int64_t visits = std::min(ticks + 1, count);
  for (std::int64_t i = 0; i < visits; ++i) {
    policy_node& sentinel = wheel_[level][static_cast<std::size_t>((from_tick + i) & (count - 1))];
    if (sentinel.wheel_next == &sentinel) continue;
    // Detach the whole chain first: nodes not yet due may be linked back into this bucket.
    policy_node* n = sentinel.wheel_next;
    sentinel.wheel_prev->wheel_next = nullptr;
    sentinel.wheel_prev = sentinel.wheel_next = &sentinel;
    while (n != nullptr) {
      policy_node* next = n->wheel_next;
      n->wheel_prev = n->wheel_next = nullptr;
      n->scheduled = false;
      if (n->expires_ns <= now_) {
        --size_;
        on_expired(n);
      } else {
        link(n);
      }
      n = next;
    }
  }
}

}  // namespace cryptodash::cache
