#include "cache/frequency_sketch.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace cryptodash::cache {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

TEST(FrequencySketch, UnseenItemsAreZero) {
  frequency_sketch s(1024);
  EXPECT_EQ(s.frequency(mix(1)), 0U);
}

TEST(FrequencySketch, FirstSightingIsHeldByTheDoorkeeper) {
  frequency_sketch s(1024);
  s.increment(mix(7));
  EXPECT_EQ(s.frequency(mix(7)), 1U);
  s.increment(mix(7));
  EXPECT_EQ(s.frequency(mix(7)), 2U);
}

TEST(FrequencySketch, CountsSaturate) {
  frequency_sketch s(1024);
  for (int i = 0; i < 100; ++i) s.increment(mix(3));
  EXPECT_EQ(s.frequency(mix(3)), 16U);  // 15 in the counters + 1 from the doorkeeper
}

TEST(FrequencySketch, PopularItemsOutrankRareOnes) {
  frequency_sketch s(4096);
  for (std::uint64_t i = 0; i < 2000; ++i) {
    s.increment(mix(i));  // background noise, once each
    if (i % 4 == 0) s.increment(mix(100000));
  }
  EXPECT_GT(s.frequency(mix(100000)), 10U);
  int rare_high = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) rare_high += s.frequency(mix(i)) > 2 ? 1 : 0;
  EXPECT_LT(rare_high, 40);  // collisions are rare
}

TEST(FrequencySketch, AgesAfterTheSample) {
  frequency_sketch s(64);  // a sample of 640 events
  EXPECT_EQ(s.sample_size(), 640U);
  for (int i = 0; i < 15; ++i) s.increment(mix(1));
  EXPECT_EQ(s.frequency(mix(1)), 15U);
  // Noise up to just before the reset changes nothing for the item…
  std::uint64_t noise = 1000;
  while (s.events() + 1 < s.sample_size()) s.increment(mix(noise++));
  EXPECT_GE(s.frequency(mix(1)), 15U);
  // …the event that completes the sample halves every counter and empties the doorkeeper.
  s.increment(mix(noise++));
  EXPECT_LT(s.events(), s.sample_size() / 2);
  EXPECT_GE(s.frequency(mix(1)), 7U);
  EXPECT_LE(s.frequency(mix(1)), 8U);
}

TEST(FrequencySketch, GrowingForgets) {
  frequency_sketch s(16);
  for (int i = 0; i < 5; ++i) s.increment(mix(9));
  s.ensure_capacity(8);  // smaller: nothing happens
  EXPECT_EQ(s.frequency(mix(9)), 5U);
  s.ensure_capacity(4096);
  EXPECT_EQ(s.capacity(), 4096U);
  EXPECT_EQ(s.frequency(mix(9)), 0U);
}

}  // namespace
}  // namespace cryptodash::cache
