// tiered_bench: latency and throughput of the tiered cache.
//   --redis URL  a Redis to use (bench/tiered_bench.sh starts one on a free port)
// Prints
//   l2_hit: p50, p99 and max latency, and calls/s, with --callers concurrent callers on
//     --threads threads, every call an L2 hit through get_or_compute (strategy redis_only);
//   l1_hit: ns per get_or_compute that hits L1 and per try_fresh (the non-coroutine shortcut),
//     next to ns per raw L1 get, and the ratios.

#include "cache/tiered_cache.h"
#include "store/redis/l2_tier.h"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace asio = boost::asio;
using namespace cryptodash;
using clock_type = std::chrono::steady_clock;

namespace {

cache::tiered_options options(config::cache_strategy s) {
  cache::tiered_options o;
  o.strategy = s;
  o.cache = config::defaults_for(config::app_env::production).cache;
  o.instance_id = "bench";
  return o;
}

cache::compute_fn never_called() {
  return []() -> asio::awaitable<core::result<cache::computed>> {
    co_return make_error_code(core::errc::unavailable);
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tiered cache latency and throughput"};
  std::string url;
  int callers = 64;
  int threads = 2;
  double seconds = 5;
  int keys = 1000;
  app.add_option("--redis", url)->required();
  app.add_option("--callers", callers);
  app.add_option("--threads", threads);
  app.add_option("--seconds", seconds);
  app.add_option("--keys", keys);
  CLI11_PARSE(app, argc, argv);

  store::redis::client_options ro;
  ro.link.where = *store::redis::parse_url(url);
  store::redis::client redis(ro);
  if (!redis.wait_connected(std::chrono::seconds(5))) {
    fmt::print(stderr, "tiered_bench: cannot reach {}\n", url);
    return 1;
  }
  // The production max wait for Redis is 50 ms; give the benchmark room to see the tail.
  store::redis::l2_tier l2(redis, "cdbench:", std::chrono::milliseconds(1000),
                           std::chrono::milliseconds(5000));

  // --- L2 hits: no L1, so every call reads Redis.
  cache::tiered_cache l2_only(options(config::cache_strategy::redis_only),
                              core::system_clock::instance(), &l2, nullptr, nullptr, nullptr);
  std::vector<core::cache_key> names;
  for (int i = 0; i < keys; ++i) names.push_back(*core::cache_key::market("sym" + std::to_string(i)));
  {
    asio::io_context ioc;
    for (auto& k : names) {
      std::string payload(600, 'x');  // about the size of a market answer
      asio::co_spawn(ioc, l2_only.put(k, payload, cache::ttl_class::market), asio::detached);
    }
    ioc.run();
  }
  std::vector<asio::io_context> contexts(static_cast<std::size_t>(threads));
  std::vector<std::vector<std::int64_t>> samples(static_cast<std::size_t>(callers));
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  auto deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                          std::chrono::duration<double>(seconds));
  for (int c = 0; c < callers; ++c) {
    auto& ioc = contexts[static_cast<std::size_t>(c % threads)];
    asio::co_spawn(
        ioc,
        [&, c]() -> asio::awaitable<void> {
          auto& mine = samples[static_cast<std::size_t>(c)];
          for (std::size_t i = static_cast<std::size_t>(c); clock_type::now() < deadline; ++i) {
            auto t0 = clock_type::now();
            auto l = co_await l2_only.get_or_compute(names[i % names.size()],
                                                     cache::ttl_class::market, never_called());
            mine.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               clock_type::now() - t0)
                               .count());
            if (l.from != cache::source::l2) ++misses;
          }
        },
        asio::detached);
  }
  std::vector<std::thread> pool;
  auto start = clock_type::now();
  for (auto& ioc : contexts) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  std::vector<std::int64_t> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))] / 1e6; };
  fmt::print("l2_hit callers={} threads={} calls={} not_from_l2={}\n", callers, threads,
             all.size(), misses.load());
  fmt::print("l2_hit p50_ms={:.3f} p99_ms={:.3f} max_ms={:.3f} calls_per_sec={:.0f}\n", pct(0.5),
             pct(0.99), all.back() / 1e6, static_cast<double>(all.size()) / elapsed);

  // --- L1 hits through get_or_compute, against raw L1 gets of the same shape.
  cache::tiered_cache with_l1(options(config::cache_strategy::l1_only),
                              core::system_clock::instance(), nullptr, nullptr, nullptr, nullptr);
  {
    asio::io_context ioc;
    for (int i = 0; i < 64; ++i) {
      asio::co_spawn(ioc, with_l1.put(names[static_cast<std::size_t>(i)], std::string(600, 'x'),
                                      cache::ttl_class::market),
                     asio::detached);
    }
    ioc.run();
  }
  constexpr int rounds = 2'000'000;
  double tiered_ns = 0;
  {
    asio::io_context ioc;
    auto f = asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<double> {
          auto fn = never_called();
          auto t0 = clock_type::now();
          std::size_t hits = 0;
          for (int i = 0; i < rounds; ++i) {
            auto l = co_await with_l1.get_or_compute(names[static_cast<std::size_t>(i & 63)],
                                                     cache::ttl_class::market, fn);
            hits += l.from == cache::source::l1 ? 1 : 0;
          }
          auto ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
          co_return hits == rounds ? ns / rounds : -1.0;
        },
        asio::use_future);
    ioc.run();
    tiered_ns = f.get();
  }
  double fast_ns = 0;
  {
    auto t0 = clock_type::now();
    std::size_t fresh = 0;
    for (int i = 0; i < rounds; ++i) {
      fresh += with_l1.try_fresh(names[static_cast<std::size_t>(i & 63)]).fresh ? 1 : 0;
    }
    fast_ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() /
              (fresh == rounds ? rounds : 0);
  }
  cache::l1_cache<std::string, cache::entry> raw({.max_entries = 10000});
  auto e = std::make_shared<const cache::entry>(cache::entry{std::string(600, 'x'), {},
                                                             core::time_point::max(),
                                                             core::time_point::max()});
  for (int i = 0; i < 64; ++i) raw.put(names[static_cast<std::size_t>(i)].str(), e);
  auto t0 = clock_type::now();
  std::size_t hits = 0;
  for (int i = 0; i < rounds; ++i) hits += raw.get(names[static_cast<std::size_t>(i & 63)].str()) ? 1 : 0;
  double raw_ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / rounds;
  fmt::print("l1_hit get_or_compute_ns={:.1f} try_fresh_ns={:.1f} raw_l1_ns={:.1f} "
             "ratio_get_or_compute={:.2f} ratio_try_fresh={:.2f} (hits {})\n",
             tiered_ns, fast_ns, raw_ns, tiered_ns / raw_ns, fast_ns / raw_ns, hits);
  return 0;
}
