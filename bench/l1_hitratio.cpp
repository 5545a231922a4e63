// l1_hitratio: replays a cache trace through the L1 engine, single-threaded, and prints the hit
// ratio. Every event is a get; a miss puts the key. The last line is
// `hit_ratio=<x> events=<n>`.

#include "cache/l1_cache.h"
#include "trace_reader.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

int main(int argc, char** argv) {
  using namespace cryptodash;
  CLI::App app{"Replay a cache trace through the L1 cache and print its hit ratio"};
  std::string trace;
  std::string format;
  std::uint64_t capacity = 0;
  std::string policy = "wtinylfu";
  app.add_option("--trace", trace, "Trace file")->required();
  app.add_option("--format", format, "lirs | cache2k | scarab")->required();
  app.add_option("--capacity", capacity, "Maximum entries")->required()->check(CLI::PositiveNumber);
  app.add_option("--policy", policy, "wtinylfu | lru")->check(CLI::IsMember({"wtinylfu", "lru"}));
  CLI11_PARSE(app, argc, argv);

  try {
    cache::l1_cache<std::int64_t, int> l1(
        {.max_entries = capacity,
         .policy = policy == "lru" ? cache::policy_kind::lru : cache::policy_kind::wtinylfu});
    auto value = std::make_shared<const int>(0);
    std::uint64_t hits = 0;
    auto events = bench::read_trace(trace, bench::parse_trace_format(format), [&](std::int64_t k) {
      if (l1.get(k)) {
        ++hits;
      } else {
        l1.put(k, value);
      }
    });
    double ratio = events == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(events);
    fmt::print("policy={} capacity={}\n", policy, capacity);
    fmt::print("hit_ratio={:.4f} events={}\n", ratio, events);
  } catch (const std::exception& e) {
    fmt::print(stderr, "l1_hitratio: {}\n", e.what());
    return 1;
  }
  return 0;
}
