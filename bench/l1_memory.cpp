// l1_memory: bytes of memory per entry the L1 engine uses beyond the payload, at N entries.
// Every entry shares one value, so what is measured is the engine's own cost: nodes, index,
// frequency sketch, buffers. Prints `bytes_per_entry=<n>` last.

#include "cache/l1_cache.h"
#include "zipf.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <string>

namespace {

// Resident memory of this process, from /proc/self/statm.
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measure the L1 engine's memory per entry"};
  std::uint64_t entries = 1'000'000;
  app.add_option("--entries", entries)->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  using namespace cryptodash;
  auto value = std::make_shared<const std::uint64_t>(42);
  std::size_t before = resident_bytes();
  {
    cache::l1_cache<std::uint64_t, std::uint64_t> l1({.max_entries = entries});
    for (std::uint64_t i = 0; i < entries; ++i) l1.put(bench::scramble(i), value);
    l1.cleanup();
    std::size_t after = resident_bytes();
    fmt::print("entries={} resident_delta_bytes={}\n", l1.size(), after - before);
    fmt::print("bytes_per_entry={:.1f}\n",
               static_cast<double>(after - before) / static_cast<double>(l1.size()));
  }
  return 0;
}
