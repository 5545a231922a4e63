#include "cache/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace cryptodash::cache {
namespace {

constexpr std::uint64_t reset_mask = 0x7777777777777777ULL;
constexpr std::uint64_t one_mask = 0x1111111111111111ULL;

// A second, independent-looking hash from the first (the cache hash is already well mixed).
constexpr std::uint64_t rehash(std::uint64_t h) noexcept {
  h *= 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

constexpr int door_hashes = 4;

// The doorkeeper is a blocked Bloom filter: an item's bits all lie in one 512-bit block (one
// cache line), found from the high bits of a rehash; the bits within it from 9-bit slices.
struct door_position {
  std::size_t word_base;  // first word of the block
  std::uint64_t bits;     // 4 × 9 bits of in-block positions
};
door_position door_position_of(std::uint64_t hash, std::size_t block_mask) noexcept {
  std::uint64_t h = rehash(hash ^ 0x5bd1e995ULL);
  return {static_cast<std::size_t>((h >> 36) & block_mask) * 8, rehash(h)};
}

}  // namespace

frequency_sketch::frequency_sketch(std::size_t capacity) { ensure_capacity(capacity); }

void frequency_sketch::ensure_capacity(std::size_t capacity) {
  capacity = std::max<std::size_t>(capacity, 16);
  if (capacity <= capacity_) return;
  capacity_ = capacity;
  events_ = 0;
  std::size_t blocks = std::bit_ceil(capacity / 8);
  table_.assign(blocks * 8, 0);
  block_mask_ = blocks - 1;
  // 64 bits (4 hashes) per entry of capacity: the doorkeeper sees up to 10 × capacity distinct
  // items per sample, and false positives measurably hurt admission (at 32 bits, or 3 hashes,
  // some hash seeds cost 4 points of hit ratio on the LIRS `ps` trace).
  std::size_t bits = std::bit_ceil(std::max<std::size_t>(capacity * 64, 1024));
  doorkeeper_.assign(bits / 64, 0);
  door_block_mask_ = bits / 512 - 1;
  sample_size_ = 10 * capacity;
}

bool frequency_sketch::doorkeeper_contains(std::uint64_t hash) const noexcept {
  auto [base, bits] = door_position_of(hash, door_block_mask_);
  for (int i = 0; i < door_hashes; ++i) {
    unsigned bit = static_cast<unsigned>(bits >> (i * 9)) & 511;
    if ((doorkeeper_[base + (bit >> 6)] & (1ULL << (bit & 63))) == 0) return false;
  }
  return true;
}

bool frequency_sketch::doorkeeper_test_and_set(std::uint64_t hash) noexcept {
  auto [base, bits] = door_position_of(hash, door_block_mask_);
  bool present = true;
  for (int i = 0; i < door_hashes; ++i) {
    unsigned bit = static_cast<unsigned>(bits >> (i * 9)) & 511;
    std::uint64_t& word = doorkeeper_[base + (bit >> 6)];
    std::uint64_t mask = 1ULL << (bit & 63);
    if ((word & mask) == 0) {
      present = false;
      word |= mask;
    }
  }
  return present;
}

void frequency_sketch::increment(std::uint64_t hash) noexcept {
  if (++events_ >= sample_size_) age();
  if (!doorkeeper_test_and_set(hash)) return;  // first sighting: the doorkeeper remembers it

  std::size_t block = (hash & block_mask_) * 8;
  std::uint64_t h = rehash(hash);
  for (int i = 0; i < 4; ++i) {
    // Counter i lives in word 2i or 2i+1 of the block, at one of its 16 nibbles.
    std::uint64_t bits = h >> (i * 8);
    std::size_t word = block + (i * 2) + (bits & 1);
    unsigned shift = static_cast<unsigned>((bits >> 1) & 15) * 4;
    if (((table_[word] >> shift) & 0xF) != 0xF) table_[word] += 1ULL << shift;
  }
}

unsigned frequency_sketch::frequency(std::uint64_t hash) const noexcept {
  std::size_t block = (hash & block_mask_) * 8;
  std::uint64_t h = rehash(hash);
  unsigned count = 15;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t bits = h >> (i * 8);
    std::size_t word = block + (i * 2) + (bits & 1);
    unsigned shift = static_cast<unsigned>((bits >> 1) & 15) * 4;
    count = std::min(count, static_cast<unsigned>((table_[word] >> shift) & 0xF));
  }
  return count + (doorkeeper_contains(hash) ? 1 : 0);
}

void frequency_sketch::age() noexcept {
  std::size_t odd = 0;
  for (auto& w : table_) {
    odd += static_cast<std::size_t>(std::popcount(w & one_mask));
    w = (w >> 1) & reset_mask;
  }
  std::fill(doorkeeper_.begin(), doorkeeper_.end(), 0);
  // Halving loses the odd halves; count the events as halved as well.
  events_ = (events_ / 2) - std::min(events_ / 2, odd / 4);
}

}  // namespace cryptodash::cache
