// Google Benchmark micro-benchmarks of the L1 engine: get (hit), get (miss), put.

#include "cache/l1_cache.h"
#include "zipf.h"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using namespace cryptodash;
constexpr std::uint64_t entries = 1 << 16;

cache::l1_cache<std::uint64_t, std::uint64_t>& filled_cache() {
  static auto* c = [] {
    auto* l1 = new cache::l1_cache<std::uint64_t, std::uint64_t>({.max_entries = entries});
    auto v = std::make_shared<const std::uint64_t>(1);
    for (std::uint64_t i = 0; i < entries; ++i) l1->put(bench::scramble(i), v);
    l1->cleanup();
    return l1;
  }();
  return *c;
}

void get_hit(benchmark::State& state) {
  auto& l1 = filled_cache();
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    benchmark::DoNotOptimize(l1.get(bench::scramble(i++ & (entries - 1))));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(get_hit)->Threads(1)->Threads(2);

void get_miss(benchmark::State& state) {
  auto& l1 = filled_cache();
  std::uint64_t i = entries + static_cast<std::uint64_t>(state.thread_index()) * (1ULL << 40);
  for (auto _ : state) benchmark::DoNotOptimize(l1.get(bench::scramble(i++)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(get_miss)->Threads(1)->Threads(2);

void put(benchmark::State& state) {
  auto& l1 = filled_cache();
  auto v = std::make_shared<const std::uint64_t>(2);
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 104729;
  for (auto _ : state) l1.put(bench::scramble(i++ & (entries - 1)), v);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(put)->Threads(1)->Threads(2);

void get_hit_string_key(benchmark::State& state) {
  static auto* l1 = [] {
    auto* c = new cache::l1_cache<std::string, std::string>({.max_entries = 4096});
    for (int i = 0; i < 4096; ++i) {
      c->put("market:sym" + std::to_string(i), std::make_shared<const std::string>("payload"));
    }
    c->cleanup();
    return c;
  }();
  std::vector<std::string> keys;
  for (int i = 0; i < 4096; ++i) keys.push_back("market:sym" + std::to_string(i));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(l1->get(keys[i++ & 4095]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(get_hit_string_key);

}  // namespace

BENCHMARK_MAIN();
