#include "cache/epoch.h"

#include <cassert>
#include <memory>

namespace cryptodash::cache {
namespace {

// A full fence. ThreadSanitizer does not model fences, so under it an RMW on one shared atomic
// stands in (every fence then synchronises with every other, which TSan can follow).
#if defined(__SANITIZE_THREAD__)
std::atomic<int> fence_stand_in{0};
inline void full_fence() noexcept { fence_stand_in.fetch_add(0, std::memory_order_seq_cst); }
#else
inline void full_fence() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

// One per thread that ever opened a guard. Records are never freed (a thread that exits gives
// its record back for reuse), so the list can be walked without locks.
struct alignas(64) thread_record {
  // 0: quiescent; otherwise (epoch << 1) | 1 — the epoch the thread's outermost guard saw.
  std::atomic<std::uint64_t> state{0};
  std::atomic<bool> in_use{false};
  thread_record* next = nullptr;
  int depth = 0;  // guard nesting, touched by the owning thread only
};

struct retired_object {
  void* object;
  void (*deleter)(void*);
  std::uint64_t epoch;
};

class domain {
 public:
  thread_record* acquire_record() {
    for (auto* r = head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
      bool expected = false;
      if (!r->in_use.load(std::memory_order_relaxed) &&
          r->in_use.compare_exchange_strong(expected, true)) {
        return r;
      }
    }
    auto* r = new thread_record;  // lives for the life of the process
    r->in_use.store(true, std::memory_order_relaxed);
    auto* h = head_.load(std::memory_order_relaxed);
    do {
      r->next = h;
    } while (!head_.compare_exchange_weak(h, r, std::memory_order_release));
    return r;
  }

  void enter(thread_record& r) noexcept {
    if (r.depth++ > 0) return;
    auto e = global_.load(std::memory_order_relaxed);
    // The announcement must be visible before any shared load below (against try_advance's
    // fence and load of it). On x86-64 the locked exchange is itself a full barrier — as
    // crossbeam-epoch relies on too; elsewhere a seq_cst exchange does not order later loads
    // of other locations, so a full fence follows.
    r.state.exchange((e << 1) | 1, std::memory_order_seq_cst);
#if !defined(__x86_64__)
    full_fence();
#endif
  }

  void exit(thread_record& r) noexcept {
    if (--r.depth > 0) return;
    r.state.store(0, std::memory_order_release);
  }

  // Advances the global epoch if every thread inside a guard has seen the current one.
  std::uint64_t try_advance() {
    // Acquire: the value comes from an advance that saw the guards of its epoch closed, so what
    // those guards read happens before whatever the caller frees on the strength of it.
    auto e = global_.load(std::memory_order_acquire);
    full_fence();
    for (auto* r = head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
      auto s = r->state.load(std::memory_order_acquire);
      if ((s & 1) != 0 && (s >> 1) != e) return e;
    }
    if (global_.compare_exchange_strong(e, e + 1, std::memory_order_acq_rel)) return e + 1;
    return e;  // someone else advanced it
  }

  void retire(void* object, void (*deleter)(void*)) {
    // The unlink that preceded this call must be ordered before the epoch we record.
    full_fence();
    auto e = global_.load(std::memory_order_relaxed);
    std::lock_guard lock(retired_mutex_);
    retired_.push_back({object, deleter, e});
    count_.store(retired_.size(), std::memory_order_relaxed);
  }

  std::size_t collect() {
    if (count_.load(std::memory_order_relaxed) == 0) return 0;
    auto e = try_advance();
    std::vector<retired_object> ready;
    {
      std::lock_guard lock(retired_mutex_);
      // An object retired in epoch r can be held only by guards that announced r or earlier;
      // the epoch reaches r + 2 only after every such guard has closed.
      auto keep = retired_.begin();
      for (auto it = retired_.begin(); it != retired_.end(); ++it) {
        if (it->epoch + 2 <= e) {
          ready.push_back(*it);
        } else {
          *keep++ = *it;
        }
      }
      retired_.erase(keep, retired_.end());
      count_.store(retired_.size(), std::memory_order_relaxed);
    }
    for (auto& r : ready) r.deleter(r.object);
    return ready.size();
  }

  std::size_t pending() const { return count_.load(std::memory_order_relaxed); }

  std::uint64_t current() const {
    full_fence();
    return global_.load(std::memory_order_acquire);  // see try_advance
  }

 private:
  std::atomic<std::uint64_t> global_{2};
  std::atomic<thread_record*> head_{nullptr};
  std::mutex retired_mutex_;
  std::vector<retired_object> retired_;  // guarded by retired_mutex_
  std::atomic<std::size_t> count_{0};
};

domain& the_domain() {
  static domain* d = new domain;  // never destroyed: threads may outlive static destruction
  return *d;
}

// The calling thread's record, taken on first use and given back when the thread exits.
struct thread_slot {
  thread_record* record = the_domain().acquire_record();
  ~thread_slot() {
    record->state.store(0, std::memory_order_release);
    record->in_use.store(false, std::memory_order_release);
  }
};

thread_record& my_record() {
  thread_local thread_slot slot;
  return *slot.record;
}

}  // namespace

epoch::guard::guard() noexcept { the_domain().enter(my_record()); }

epoch::guard::~guard() { the_domain().exit(my_record()); }

void epoch::retire(void* object, void (*deleter)(void*)) { the_domain().retire(object, deleter); }

std::size_t epoch::collect() { return the_domain().collect(); }

std::size_t epoch::pending() { return the_domain().pending(); }

std::uint64_t epoch::current() { return the_domain().current(); }

std::uint64_t epoch::advance() { return the_domain().try_advance(); }

void epoch::drain() {
  for (int i = 0; i < 4 && pending() > 0; ++i) collect();
}

}  // namespace cryptodash::cache
