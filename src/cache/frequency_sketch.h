#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cryptodash::cache {

/// The popularity estimate behind TinyLFU admission: a count-min sketch of 4-bit counters with
/// periodic aging, fronted by a doorkeeper.
///
/// - Doorkeeper: a blocked Bloom filter (64 bits and 4 hashes per entry of capacity, each
///   item's bits in one cache line) that absorbs the
///   first occurrence of every item, so the many items seen once never touch the counters; an
///   item's estimate is its counters' minimum plus one if the doorkeeper holds it.
/// - Counters: four per item, all in one 64-byte block (one cache miss per operation), saturating
///   at 15.
/// - Aging: after `10 × capacity` recorded events every counter is halved and the doorkeeper
///   cleared, so past popularity fades.
///
/// Not thread-safe: the cache uses it under its policy lock.
class frequency_sketch {
 public:
  /// Sized for a cache of `capacity` entries (at least 16).
  explicit frequency_sketch(std::size_t capacity = 16);

  /// Grows to suit `capacity` entries if it is sized for fewer; growing forgets all counts.
  void ensure_capacity(std::size_t capacity);
  std::size_t capacity() const noexcept { return capacity_; }

  /// Records one occurrence of the item with this hash.
  void increment(std::uint64_t hash) noexcept;

  /// Estimated occurrences of the item within the current sample, 0..16.
  unsigned frequency(std::uint64_t hash) const noexcept;

  std::size_t sample_size() const noexcept { return sample_size_; }
  /// Events recorded since the last aging (for tests).
  std::size_t events() const noexcept { return events_; }

 private:
  void age() noexcept;
  bool doorkeeper_test_and_set(std::uint64_t hash) noexcept;
  bool doorkeeper_contains(std::uint64_t hash) const noexcept;

  std::vector<std::uint64_t> table_;       // 16 counters per word, 8 words per block
  std::vector<std::uint64_t> doorkeeper_;  // bits
  std::size_t block_mask_ = 0;
  std::size_t door_block_mask_ = 0;  // in 512-bit blocks
  std::size_t capacity_ = 0;
  std::size_t sample_size_ = 0;
  std::size_t events_ = 0;
};

}  // namespace cryptodash::cache
