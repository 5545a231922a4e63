// A child process for the tier integration tests.
//   tier_helper compute --redis URL --symbol S --counter KEY --delay-ms N
//       one get_or_compute of market:S through L1+L2 with the cross-instance lock; the compute
//       INCRs KEY in Redis, waits N ms and answers "computed-by-<pid>". Prints the payload.
//   tier_helper disk-writer --dir D
//       writes self-checking records to a disk tier in D until killed; prints "writing" once
//       every key has been written.

#include "cache/tiered_cache.h"
#include "store/disk/disk_tier.h"
#include "store/redis/l2_tier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace asio = boost::asio;
using namespace cryptodash;

namespace {

std::string arg(int argc, char** argv, const char* name) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return {};
}

int compute(int argc, char** argv) {
  store::redis::client_options o;
  o.link.where = *store::redis::parse_url(arg(argc, argv, "--redis"));
  store::redis::client redis(o);
  if (!redis.wait_connected(std::chrono::seconds(5))) return 3;
  store::redis::l2_tier l2(redis, "cdtest:", std::chrono::milliseconds(200),
                           std::chrono::milliseconds(1000));
  store::redis::lock_service locks(redis, "cdtest:", std::chrono::milliseconds(200));
  cache::tiered_options opts;
  opts.strategy = config::cache_strategy::hybrid;
  opts.cache = config::defaults_for(config::app_env::development).cache;
  opts.cache.compute_soft_timeout_ms = 5000;
  opts.cache.lock_wait_ms = 3000;
  opts.instance_id = std::to_string(::getpid());
  cache::tiered_cache c(opts, core::system_clock::instance(), &l2, nullptr, &locks, nullptr);

  const std::string counter = arg(argc, argv, "--counter");
  const auto delay = std::chrono::milliseconds(std::stoi(arg(argc, argv, "--delay-ms")));
  asio::io_context ioc;
  cache::compute_fn fn = [&]() -> asio::awaitable<core::result<cache::computed>> {
    std::vector<std::string> incr = {"INCR", counter};
    co_await redis.exec(std::move(incr), std::chrono::milliseconds(500));
    asio::steady_timer t(co_await asio::this_coro::executor, delay);
    co_await t.async_wait(asio::use_awaitable);
    co_return fmt::format("computed-by-{}", ::getpid());
  };
  auto key = *core::cache_key::market(arg(argc, argv, "--symbol"));
  auto f = asio::co_spawn(ioc, c.get_or_compute(key, cache::ttl_class::market, fn),
                          asio::use_future);
  ioc.run();
  auto l = f.get();
  if (!l.value) return 4;
  fmt::print("{} {}\n", l.value->payload, cache::to_string(l.from));
  return 0;
}

int disk_writer(int argc, char** argv) {
  store::disk::disk_options o;
  o.dir = arg(argc, argv, "--dir");
  o.max_bytes = 64ULL << 20;
  o.fsync = config::fsync_policy::never;
  store::disk::disk_tier disk(o);
  asio::io_context ioc;
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  for (std::uint64_t seq = 0;; ++seq) {
    std::string key = "market:k" + std::to_string(seq % 16);
    std::size_t len = 1000 + rng() % 60000;
    char fill = static_cast<char>('a' + seq % 26);
    std::string payload = fmt::format("{};{};{};", key, seq, len) + std::string(len, fill) + ";end";
    auto e = std::make_shared<cache::entry>();
    e->payload = std::move(payload);
    e->created_at = core::system_clock::instance().now();
    e->fresh_until = e->created_at + std::chrono::hours(1);
    e->stale_until = e->created_at + std::chrono::hours(2);
    auto k = *core::cache_key::parse(key);
    auto f = asio::co_spawn(ioc, disk.put(k, e, e->stale_until), asio::use_future);
    ioc.restart();
    ioc.run();
    f.get();
    if (seq % 8 == 0) disk.flush();
    if (seq == 16) {  // every key written at least once: the test may start its kill timer
      fmt::print("writing\n");
      std::fflush(stdout);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string mode = argv[1];
  if (mode == "compute") return compute(argc, argv);
  if (mode == "disk-writer") return disk_writer(argc, argv);
  return 2;
}
