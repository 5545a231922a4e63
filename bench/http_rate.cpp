// http_rate: HTTP/1.1 GETs at a fixed rate (open loop, in the manner of wrk2), for latency at a
// given load rather than at saturation.
//
// --connections keep-alive connections share --rate requests per second: each sends one
// request every connections/rate seconds, staggered so that the sends are spread evenly. A
// connection waits for each response before its next request (no pipelining); when a
// response comes late, the next request goes at once, and every latency is measured from the
// time its request was *due*, not sent — so a stall counts for every request it held up
// (no coordinated omission). --threads I/O threads share the connections. After --warmup
// seconds (not counted), requests run for --seconds. Any answer but 200 fails the run.
// The last line is `rate=<achieved req/s> p50_ms=<x> p90_ms=<x> p99_ms=<x> max_ms=<x>`; the
// achieved rate is the measured requests over the time until the last of them was answered,
// so it falls short of --rate when the server cannot keep up.

#include "percentile.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using cryptodash::bench::percentile;

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

struct settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path = "/";
  double rate = 1000;
  int connections = 64;
  int threads = 2;
  double seconds = 10;
  double warmup = 2;
};

// What one I/O thread's connections measured (touched by that thread only).
struct thread_result {
  std::vector<double> latencies_ms;  // requests due inside the measured window
  steady::time_point last_done{};    // when the last of them was answered
  std::string error;                 // the first failure, if any
};

// The value of Content-Length in a response head (lower-case compare), or -1.
long content_length(std::string_view head) {
  std::size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string_view::npos) {
    at += 2;
    constexpr std::string_view name = "content-length:";
    if (head.size() - at < name.size()) break;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      same = static_cast<char>(std::tolower(static_cast<unsigned char>(head[at + i]))) == name[i];
    }
    if (!same) continue;
    std::size_t v = at + name.size();
    while (v < head.size() && head[v] == ' ') ++v;
    long n = -1;
    std::from_chars(head.data() + v, head.data() + head.size(), n);
    return n;
  }
  return -1;
}

// One connection: a request every `interval`, the first due at `first_due`, until `end`.
asio::awaitable<void> connection(const settings& s, thread_result& out, steady::duration interval,
                                 steady::time_point first_due, steady::time_point measure_from,
                                 steady::time_point end) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket sock(ex);
  asio::steady_timer timer(ex);
  try {
    co_await sock.async_connect(tcp::endpoint(asio::ip::make_address(s.host), s.port),
                                asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    const std::string request =
        fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\n\r\n", s.path, s.host, s.port);
    std::string buf;
    std::array<char, 16384> chunk{};
    for (auto due = first_due; due < end; due += interval) {
      if (steady::now() < due) {
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
      }
      co_await asio::async_write(sock, asio::buffer(request), asio::use_awaitable);
      std::size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        const auto n = co_await sock.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buf.append(chunk.data(), n);
      }
      const std::string_view head(buf.data(), head_end + 2);
      if (!head.starts_with("HTTP/1.1 200")) {
        throw std::runtime_error("answered " + std::string(head.substr(0, head.find('\r'))));
      }
      const long length = content_length(head);
      if (length < 0) throw std::runtime_error("a response without Content-Length");
      const std::size_t total = head_end + 4 + static_cast<std::size_t>(length);
      while (buf.size() < total) {
        const auto n = co_await sock.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buf.append(chunk.data(), n);
      }
      buf.erase(0, total);
      if (due >= measure_from) {
        const auto done = steady::now();
        out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(done - due).count());
        out.last_done = std::max(out.last_done, done);
      }
    }
  } catch (const std::exception& e) {
    if (out.error.empty()) out.error = e.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP GETs at a fixed rate; latency percentiles from each request's due time"};
  settings s;
  app.add_option("--host", s.host, "server address (IPv4 or IPv6 literal)");
  app.add_option("--port", s.port)->required()->check(CLI::Range(1, 65535));
  app.add_option("--path", s.path, "request target")->check([](const std::string& p) {
    return p.starts_with('/') ? std::string() : std::string("must start with /");
  });
  app.add_option("--rate", s.rate, "requests per second, all connections together")
      ->required()
      ->check(CLI::Range(1.0, 1e7));
  app.add_option("--connections", s.connections)->check(CLI::Range(1, 10000));
  app.add_option("--threads", s.threads)->check(CLI::Range(1, 64));
  app.add_option("--seconds", s.seconds, "measured time")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", s.warmup, "seconds at the rate before measuring")
      ->check(CLI::Range(0.0, 600.0));
  CLI11_PARSE(app, argc, argv);
  s.threads = std::min(s.threads, s.connections);

  const auto interval = std::chrono::duration_cast<steady::duration>(
      std::chrono::duration<double>(s.connections / s.rate));
  const auto start = steady::now() + std::chrono::milliseconds(100);  // time to connect
  const auto measure_from =
      start + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(s.warmup));
  const auto end = measure_from + std::chrono::duration_cast<steady::duration>(
                                      std::chrono::duration<double>(s.seconds));

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<thread_result> results(static_cast<std::size_t>(s.threads));
  for (int t = 0; t < s.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  for (int c = 0; c < s.connections; ++c) {
    const auto t = static_cast<std::size_t>(c % s.threads);
    // Staggered: connection c's first request is due c/connections of an interval in.
    const auto first_due = start + interval * c / s.connections;
    asio::co_spawn(*contexts[t], connection(s, results[t], interval, first_due, measure_from, end),
                   asio::detached);
  }
  std::vector<std::thread> pool;
  for (auto& ioc : contexts) pool.emplace_back([&io = *ioc] { io.run(); });
  for (auto& th : pool) th.join();

  std::vector<double> all;
  auto last_done = end;  // a server that falls behind stretches the window: a lower rate
  for (auto& r : results) {
    last_done = std::max(last_done, r.last_done);
    if (!r.error.empty()) {
      fmt::print(stderr, "http_rate: {}\n", r.error);
      return 1;
    }
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  std::sort(all.begin(), all.end());
  fmt::print("target rate {:.0f} req/s over {} connections, {} threads, {:.1f} s measured\n",
             s.rate, s.connections, s.threads, s.seconds);
  fmt::print("rate={:.0f} p50_ms={:.3f} p90_ms={:.3f} p99_ms={:.3f} max_ms={:.3f}\n",
             static_cast<double>(all.size()) /
                 std::chrono::duration<double>(last_done - measure_from).count(),
             percentile(all, 50), percentile(all, 90), percentile(all, 99),
             all.empty() ? 0.0 : all.back());
  return 0;
}
