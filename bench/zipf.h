#pragma once

// Key streams for the throughput benchmarks: Zipf-distributed ranks, scrambled into keys.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace cryptodash::bench {

/// A bijective 64-bit mixer (splitmix64's finalizer): ranks become keys with no visible order.
inline std::uint64_t scramble(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Samples ranks 0..n-1 with P(rank k) proportional to 1 / (k+1)^s.
class zipf_distribution {
 public:
  zipf_distribution(std::uint64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (std::uint64_t k = 0; k < n; ++k) {
      sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
      cdf_[k] = sum;
    }
    for (auto& c : cdf_) c /= sum;
  }
  template <class Rng>
  std::uint64_t operator()(Rng& rng) const {
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    return static_cast<std::uint64_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace cryptodash::bench
