// l1_throughput: operations per second of the L1 engine under T threads.
//
// Keys are drawn from Zipf(S) over K keys, precomputed per thread and scrambled; the cache is
// prefilled; P % of operations are gets, the rest puts. After one second of warm-up the
// operations of the next D seconds are counted. The last line is `ops_per_sec=<n>`.

#include "cache/l1_cache.h"
#include "zipf.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using namespace cryptodash;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t stream_length = 1 << 21;  // per thread; walked round and round

struct alignas(64) worker_result {
  std::uint64_t ops_at_start = 0;
  std::uint64_t ops_at_end = 0;
  std::uint64_t hits = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measure L1 cache throughput"};
  int threads = 2;
  std::uint64_t keys = 32768;
  std::uint64_t capacity = 0;
  double zipf = 0.99;
  int read_pct = 100;
  double seconds = 5;
  app.add_option("--threads", threads)->check(CLI::Range(1, 256));
  app.add_option("--keys", keys)->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  app.add_option("--capacity", capacity, "default: --keys");
  app.add_option("--zipf", zipf)->check(CLI::Range(0.0, 10.0));
  app.add_option("--read-pct", read_pct)->check(CLI::Range(0, 100));
  app.add_option("--seconds", seconds)->check(CLI::Range(0.1, 3600.0));
  bool visit = false;
  app.add_flag("--visit", visit, "read with visit() (no reference taken) instead of get()");
  CLI11_PARSE(app, argc, argv);
  if (capacity == 0) capacity = keys;

  cache::l1_cache<std::uint64_t, std::uint64_t> l1({.max_entries = capacity});

  // Precomputed, scrambled key streams and operation mixes, one per thread.
  bench::zipf_distribution dist(keys, zipf);
  std::vector<std::vector<std::uint64_t>> streams(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    std::mt19937_64 rng(0x5eed + static_cast<std::uint64_t>(t));
    std::uniform_int_distribution<int> pct(0, 99);
    auto& s = streams[static_cast<std::size_t>(t)];
    s.resize(stream_length);
    for (auto& k : s) {
      // The low bit says get (0) or put (1); the rest is the key's rank.
      k = (dist(rng) << 1) | (pct(rng) < read_pct ? 0 : 1);
    }
  }
  // One value object per key, made up front: as in real use, no two keys share one (which
  // would make every hit contend on a single reference count), and puts measure the cache,
  // not the allocator (Caffeine's GetPutBenchmark also puts a value it already has).
  std::vector<std::shared_ptr<const std::uint64_t>> values(keys);
  for (std::uint64_t r = 0; r < keys; ++r) {
    values[r] = std::make_shared<const std::uint64_t>(r);
    l1.put(bench::scramble(r), values[r]);
  }
  l1.cleanup();

  std::atomic<int> phase{0};  // 0 warm-up, 1 measuring, 2 stop
  std::vector<worker_result> results(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const auto& s = streams[static_cast<std::size_t>(t)];

      worker_result& r = results[static_cast<std::size_t>(t)];
      std::uint64_t ops = 0;
      std::uint64_t hits = 0;
      std::uint64_t sink = 0;
      int seen = 0;
      for (std::size_t i = 0;; i = (i + 1) & (stream_length - 1)) {
        std::uint64_t rank = s[i] >> 1;
        std::uint64_t key = bench::scramble(rank);
        if ((s[i] & 1) == 0) {
          if (visit) {
            hits += l1.visit(key, [&](std::uint64_t v) { sink += v; }) ? 1 : 0;
          } else {
            hits += l1.get(key) ? 1 : 0;
          }
        } else {
          l1.put(key, values[rank]);
        }
        if ((++ops & 1023) == 0) {
          int p = phase.load(std::memory_order_relaxed);
          if (p != seen) {
            if (p == 1) r.ops_at_start = ops;
            if (p == 2) break;
            seen = p;
          }
        }
      }
      r.ops_at_end = ops;
      r.hits = hits + (sink & 0);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  phase = 1;
  auto start = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  phase = 2;
  auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  for (auto& th : pool) th.join();

  std::uint64_t ops = 0;
  for (auto& r : results) ops += r.ops_at_end - r.ops_at_start;
  auto st = l1.stats();
  fmt::print("threads={} keys={} capacity={} zipf={} read_pct={} seconds={:.2f}\n", threads, keys,
             capacity, zipf, read_pct, elapsed);
  fmt::print("hit_rate={:.4f} entries={}\n",
             st.hits + st.misses == 0 ? 0.0
                                      : static_cast<double>(st.hits) /
                                            static_cast<double>(st.hits + st.misses),
             st.entry_count);
  fmt::print("ops_per_sec={:.0f}\n", static_cast<double>(ops) / elapsed);
  return 0;
}
