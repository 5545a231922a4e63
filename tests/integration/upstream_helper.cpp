// A child process for the upstream integration tests: a second instance sharing Redis.
//   upstream_helper burst --redis URL --base URL --rate R --burst B --callers N --deadline-ms D
//       N concurrent calls of GET /global through a gateway whose limits live in Redis.
//       Prints "ok=<n> rate_limited=<m> other=<k>".
//   upstream_helper poll --redis URL --base URL --for-ms D --every-ms E
//       one call every E ms for D ms (rate limit out of the way); prints one line per call:
//       "<unix ms> <status or error name>".

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "store/redis/client.h"
#include "store/redis/url.h"
#include "upstream/gateway.h"

namespace asio = boost::asio;
using namespace cryptodash;
using steady = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const char* name, std::string fallback = {}) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

upstream::call_request global_request() {
  upstream::call_request r;
  r.target = r.log_target = "/global";
  r.endpoint = "global";
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const std::string mode = argv[1];
  store::redis::client_options o;
  o.link.where = *store::redis::parse_url(arg(argc, argv, "--redis"));
  store::redis::client redis(o);
  if (!redis.wait_connected(std::chrono::seconds(5))) return 3;
  upstream::redis_limits limits(redis, "cdtest:", core::system_clock::instance());
  auto http = upstream::http_client::create({});
  if (!http) return 4;

  upstream::gateway_settings s;
  s.base = *upstream::parse_base_url(arg(argc, argv, "--base"));
  s.max_retries = 0;
  s.limits.rate = {std::stod(arg(argc, argv, "--rate", "100000")),
                   std::stoi(arg(argc, argv, "--burst", "1000"))};
  upstream::gateway gw("coingecko", s, **http, limits, core::system_clock::instance());

  asio::io_context ioc;
  if (mode == "burst") {
    const int callers = std::stoi(arg(argc, argv, "--callers"));
    const auto deadline =
        steady::now() + std::chrono::milliseconds(std::stoi(arg(argc, argv, "--deadline-ms")));
    int ok = 0, limited = 0, other = 0;
    for (int i = 0; i < callers; ++i) {
      asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        auto r = co_await gw.call(global_request(), deadline);
        if (r && r->status == 200) ++ok;
        else if (!r && r.error() == core::errc::rate_limited) ++limited;
        else ++other;
      }, asio::detached);
    }
    ioc.run();
    std::printf("ok=%d rate_limited=%d other=%d\n", ok, limited, other);
    return 0;
  }
  if (mode == "poll") {
    const auto until =
        steady::now() + std::chrono::milliseconds(std::stoi(arg(argc, argv, "--for-ms")));
    const auto every = std::chrono::milliseconds(std::stoi(arg(argc, argv, "--every-ms")));
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
      asio::steady_timer t(co_await asio::this_coro::executor);
      while (steady::now() < until) {
        auto r = co_await gw.call(global_request(), steady::now() + std::chrono::seconds(5));
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
        std::printf("%lld %s\n", static_cast<long long>(ms),
                    r ? std::to_string(r->status).c_str()
                      : std::string(core::to_string(static_cast<core::errc>(r.error().value()))).c_str());
        std::fflush(stdout);
        t.expires_after(every);
        co_await t.async_wait(asio::use_awaitable);
      }
    }, asio::detached);
    ioc.run();
    return 0;
  }
  return 2;
}
