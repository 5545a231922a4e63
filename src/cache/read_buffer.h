#pragma once

#include "cache/policy_node.h"
#include "cache/thread_stripe.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <climits>
#include <cstdint>
#include <memory>
#include <thread>

namespace cryptodash::cache {

/// Reads waiting to be replayed into the eviction policy: striped, bounded and lossy, so that
/// recording a read costs one uncontended compare-and-swap and never waits. A full stripe drops
/// the read and asks for a drain; the policy then sees a sample of the reads, which is all
/// frequency and recency need. Each stripe also samples on purpose: while drains are crowded
/// (its own come less than 100 µs apart and find other threads' reads too, or find another
/// thread draining), it records only every `rate`-th read — the rate doubles on each crowded
/// drain, up to 64, and steps back by one otherwise.
/// A lone thread, or a moderately loaded server, is never crowded and loses nothing; many
/// threads at millions of reads a second share the policy's work instead of queuing for it.
///
/// Also carries each stripe's hit, miss and in-place update counters, which live on the same
/// cache line as the stripe's write position: a thread only ever dirties its own stripe.
class read_buffer {
 public:
  static constexpr std::uint32_t slots = 16;

  static constexpr std::uint32_t max_rate = 64;

  struct alignas(64) stripe {
    std::atomic<std::uint32_t> tail{0};  // next slot to write (producers)
    std::atomic<std::uint32_t> countdown{1};  // reads until the next one recorded
    std::atomic<std::uint32_t> rate{1};       // record one read in `rate`
    std::atomic<std::uint64_t> hits{0};
    std::atomic<std::uint64_t> misses{0};
    std::atomic<std::uint64_t> updates{0};  // puts that replaced a value in place
    std::atomic<std::int64_t> drained_at{INT64_MIN / 2};  // steady ns of its last drain
    alignas(64) std::atomic<std::uint32_t> head{0};  // next slot to read (the drain)
    std::atomic<policy_node*> entries[slots] = {};
  };

  enum class offer_result { added, full };

  read_buffer() : count_(std::bit_ceil(std::max(4U, 4 * std::thread::hardware_concurrency()))) {
    if (count_ > 64) count_ = 64;
    stripes_ = std::make_unique<stripe[]>(count_);
  }

  /// The calling thread's stripe.
  stripe& mine() noexcept { return stripes_[thread_stripe() & (count_ - 1)]; }

  /// Whether this read is one the stripe's sampling rate keeps.
  static bool sampled(stripe& s) noexcept {
    std::uint32_t c = s.countdown.load(std::memory_order_relaxed);
    if (c > 1) {
      s.countdown.store(c - 1, std::memory_order_relaxed);
      return false;
    }
    s.countdown.store(s.rate.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return true;
  }

  /// After a drain attempt: `crowded` if other threads are draining too.
  static void adapt(stripe& s, bool crowded) noexcept {
    std::uint32_t r = s.rate.load(std::memory_order_relaxed);
    r = crowded ? std::min(r * 2, max_rate) : std::max(r - 1, 1U);
    s.rate.store(r, std::memory_order_relaxed);
  }

  /// Records a read of `n`. `full` means the stripe had no room (the read was dropped or just
  /// took the last slot): a drain is due.
  static offer_result offer(stripe& s, policy_node* n) noexcept {
    std::uint32_t head = s.head.load(std::memory_order_acquire);
    std::uint32_t tail = s.tail.load(std::memory_order_relaxed);
    std::uint32_t size = tail - head;
    if (size >= slots) return offer_result::full;
    if (s.tail.compare_exchange_weak(tail, tail + 1, std::memory_order_relaxed)) {
      s.entries[tail & (slots - 1)].store(n, std::memory_order_release);
      return size + 1 >= slots ? offer_result::full : offer_result::added;
    }
    return offer_result::added;  // lost a race with another reader of this stripe: dropped
  }

  /// Replays every recorded read into `f(policy_node*)`. One drainer at a time. Returns how
  /// many came from stripes other than `mine` (may be null).
  template <class F>
  std::size_t drain(F&& f, const stripe* mine) {
    std::size_t foreign = 0;
    for (std::uint32_t i = 0; i < count_; ++i) {
      stripe& s = stripes_[i];
      std::uint32_t head = s.head.load(std::memory_order_relaxed);
      std::uint32_t tail = s.tail.load(std::memory_order_acquire);
      while (head != tail) {
        auto& slot = s.entries[head & (slots - 1)];
        policy_node* n = slot.exchange(nullptr, std::memory_order_acquire);
        if (n == nullptr) break;  // reserved, not written yet: next drain
        f(n);
        ++head;
        if (&s != mine) ++foreign;
      }
      s.head.store(head, std::memory_order_release);
    }
    return foreign;
  }

  std::uint64_t hits() const noexcept { return sum(&stripe::hits); }
  std::uint64_t misses() const noexcept { return sum(&stripe::misses); }
  std::uint64_t updates() const noexcept { return sum(&stripe::updates); }

 private:
  std::uint64_t sum(std::atomic<std::uint64_t> stripe::*counter) const noexcept {
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < count_; ++i) {
      total += (stripes_[i].*counter).load(std::memory_order_relaxed);
    }
    return total;
  }

  std::uint32_t count_;
  std::unique_ptr<stripe[]> stripes_;
};

}  // namespace cryptodash::cache
