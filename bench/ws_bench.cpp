// ws_bench: many WebSocket clients on a running server's /ws; measures how long a
// dashboard_update broadcast takes from publish to receipt, and the server's memory per
// connection.
//
// Clients connect from --sources loopback addresses (127.0.0.2, 127.0.0.3, …) so that the
// server's per-IP limit and the ephemeral ports of one address are not the bound. Each client
// waits for its snapshot; then the server's RSS (from /proc/<pid>/status) is compared with the
// one before the first connection. Then --broadcasts forced refreshes are posted one after the
// other (admin token), each once every client has the previous one; a client's latency for a
// message is its receipt time minus the message's `timestamp` (the server's publish time, in
// milliseconds: both processes read the same system clock). Connections are made on one Asio
// thread; once every client has its snapshot, --threads reader threads (default 2, as wrk's
// -t2) take the sockets over — a plain level-triggered epoll loop, one recv per readiness — so
// that one client thread reading 10,000 sockets is not what the latency measures. It also prints
// the CPU time (user + system, /proc/<pid>/stat) per delivery of the server and of itself while
// the broadcasts run. The last line is
// `clients=<n> p50_ms=<x> p99_ms=<x> max_ms=<x> bytes_per_connection=<n>`.

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
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using cryptodash::bench::percentile;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// The text of a message's `timestamp` ("2026-12-04T13:20:01.123Z"), or "" if absent.
std::string_view timestamp_text(std::string_view msg) {
  constexpr std::string_view key = R"("timestamp":")";
  const auto at = msg.rfind(key);
  if (at == std::string_view::npos) return {};
  return msg.substr(at + key.size(), 24);
}

// That instant; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view stamp) {
  const std::string text(stamp);
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(ms);
}

bool is_dashboard_update(std::string_view payload) {
  return payload.find(R"("type":"dashboard_update")") != std::string_view::npos;
}

// A server frame at the start of `buf` (unmasked: FIN/opcode, then a 7-bit length or 16 / 64
// bits following). `complete` once all of it is there; `size` = header + payload.
struct frame {
  bool complete = false;
  unsigned opcode = 0;
  std::string_view payload;
  std::size_t size = 0;
};
frame next_frame(std::string_view buf) {
  frame f;
  if (buf.size() < 2) return f;
  const auto b1 = static_cast<unsigned char>(buf[1]);
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7fU;
  if (length >= 126) {
    header += length == 126 ? 2 : 8;
    if (buf.size() < header) return f;
    length = 0;
    for (std::size_t i = 2; i < header; ++i)
      length = (length << 8) | static_cast<unsigned char>(buf[i]);
  }
  if (buf.size() < header + length) return f;
  f.complete = true;
  f.opcode = static_cast<unsigned char>(buf[0]) & 0x0fU;
  f.payload = buf.substr(header, length);
  f.size = header + length;
  return f;
}

// The CPU time (user + system) a process has used so far, from /proc/<pid>/stat; -1 if unknown.
double cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto after_name = text.rfind(')');  // the name may hold spaces
  if (after_name == std::string::npos) return -1;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::int64_t rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// A connected client, handed from the connecting coroutine to a reader thread: its socket and
// what it had read past the snapshot.
struct handed_client {
  int fd = -1;
  std::string pending;
};

// The connection phase runs on one Asio thread; then reader threads (--threads) take the
// sockets over. main() reads the atomics while they run and the rest after joining them.
struct run_state {
  asio::io_context ioc{1};
  std::atomic<int> connected{0};  // got their snapshot
  std::atomic<int> failed{0};     // could not connect or were closed
  std::mutex mutex;               // guards the members below while threads run
  std::vector<handed_client> handed;
  std::string first_error;

  void fail(const std::string& why) {
    std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = why;
    failed.fetch_add(1, std::memory_order_relaxed);
  }
};

// One client's connection, by hand rather than with Beast so that the load generator spends as
// little of the shared CPUs as it can: an upgrade request, then server frames (unmasked,
// RFC 6455) up to the snapshot (a dashboard_update); then the socket goes to a reader thread.
asio::awaitable<void> client(run_state& st, tcp::endpoint server, asio::ip::address source) {
  tcp::socket sock(st.ioc);
  try {
    sock.open(tcp::v4());
    sock.bind(tcp::endpoint(source, 0));
    co_await sock.async_connect(server, asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    static constexpr std::string_view upgrade =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(upgrade), asio::use_awaitable);

    std::string buf;
    std::array<char, 4096> chunk{};
    std::size_t end = 0;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      const auto n = co_await sock.async_read_some(asio::buffer(chunk), asio::use_awaitable);
      buf.append(chunk.data(), n);
    }
    if (!buf.starts_with("HTTP/1.1 101")) throw std::runtime_error(buf.substr(0, buf.find('\r')));
    buf.erase(0, end + 4);
    for (;;) {
      frame f;
      while (!(f = next_frame(buf)).complete) {
        const auto n = co_await sock.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buf.append(chunk.data(), n);
      }
      if (f.opcode == 0x8) throw std::runtime_error("closed by the server");
      const bool snapshot = f.opcode == 0x1 && is_dashboard_update(f.payload);
      buf.erase(0, f.size);
      if (snapshot) break;
    }
    const int fd = sock.release();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    {
      std::lock_guard lock(st.mutex);
      st.handed.push_back({fd, std::move(buf)});
    }
    st.connected.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::exception& e) {
    st.fail(e.what());
  }
}

// One reader thread: its share of the clients on an epoll set (level-triggered), one recv per
// readiness, every complete frame parsed; a dashboard_update's latency is its receipt time
// minus its `timestamp`.
struct alignas(64) reader {
  std::vector<handed_client> clients;
  std::vector<double> latencies_ms;
  std::atomic<std::int64_t> updates{0};
  std::string error;

  void run(run_state& st, const std::atomic<bool>& stop) {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, clients[i].fd, &ev);
    }
    std::array<epoll_event, 256> events{};
    std::vector<char> chunk(64 * 1024);
    std::string last_stamp;  // one broadcast's messages share their timestamp: parse it once
    std::chrono::system_clock::time_point last_time{};
    while (!stop.load(std::memory_order_relaxed)) {
      const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
      for (int k = 0; k < n; ++k) {
        auto& c = clients[events[static_cast<std::size_t>(k)].data.u64];
        const auto got = ::recv(c.fd, chunk.data(), chunk.size(), 0);
        if (got <= 0) {
          if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
          ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          st.fail(got == 0 ? "closed by the server" : std::strerror(errno));
          continue;
        }
        const auto now = std::chrono::system_clock::now();
        c.pending.append(chunk.data(), static_cast<std::size_t>(got));
        std::size_t at = 0;
        for (;;) {
          const frame f = next_frame(std::string_view(c.pending).substr(at));
          if (!f.complete) break;
          at += f.size;
          if (f.opcode == 0x8) {
            st.fail("closed by the server");
            continue;
          }
          if (f.opcode != 0x1 || !is_dashboard_update(f.payload)) continue;
          const auto stamp = timestamp_text(f.payload);
          if (stamp != last_stamp) {
            const auto t = parse_timestamp(stamp);
            if (!t) continue;
            last_stamp = stamp;
            last_time = *t;
          }
          latencies_ms.push_back(
              std::chrono::duration<double, std::milli>(now - last_time).count());
          updates.fetch_add(1, std::memory_order_relaxed);
        }
        c.pending.erase(0, at);
      }
    }
    ::close(ep);
    for (auto& c : clients) ::close(c.fd);
  }
};

// Starts the clients with at most `in_flight` handshakes outstanding at a time.
asio::awaitable<void> launch(run_state& st, tcp::endpoint server, int clients, int sources,
                             int in_flight) {
  asio::steady_timer pause(st.ioc);
  for (int i = 0; i < clients; ++i) {
    while (i - st.connected.load() - st.failed.load() >= in_flight) {
      pause.expires_after(1ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    const auto source = asio::ip::make_address_v4(0x7f000002U + static_cast<unsigned>(i % sources));
    asio::co_spawn(st.ioc, client(st, server, source), asio::detached);
  }
}

int force_refresh(int port, const std::string& token) {
  asio::io_context ioc;
  beast::tcp_stream s(ioc);
  s.expires_after(30s);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::empty_body> req{http::verb::post, "/api/crypto/dashboard-summary/refresh",
                                      11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + token);
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  return res.result_int();
}

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"WebSocket broadcast latency and memory per connection of a running server"};
  int port = 0;
  int clients = 10000;
  int sources = 100;
  int broadcasts = 20;
  int in_flight = 256;
  int server_pid = 0;
  std::string token;
  int threads = 2;
  app.add_option("--port", port, "the server's port on 127.0.0.1")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--clients", clients)->check(CLI::Range(1, 1'000'000));
  app.add_option("--sources", sources, "source addresses 127.0.0.2 …")->check(CLI::Range(1, 250));
  app.add_option("--broadcasts", broadcasts)->check(CLI::Range(1, 100'000));
  app.add_option("--in-flight", in_flight, "handshakes outstanding at once")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--server-pid", server_pid, "for its RSS")
      ->required()
      ->check(CLI::Range(1, 1 << 30));
  app.add_option("--admin-token", token, "to force refreshes")->required();
  app.add_option("--threads", threads, "reader threads once connected")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  run_state st;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(port));
  const auto rss_before = rss_kib(server_pid);
  if (rss_before < 0) {
    fmt::print(stderr, "ws_bench: no process {}\n", server_pid);
    return 1;
  }

  const auto t0 = std::chrono::steady_clock::now();
  asio::co_spawn(st.ioc, launch(st, server, clients, sources, in_flight), asio::detached);
  auto guard = asio::make_work_guard(st.ioc);
  std::thread io([&] { st.ioc.run(); });
  auto finish = [&](int code) {
    guard.reset();
    st.ioc.stop();
    io.join();
    return code;
  };

  const bool all_in = wait_for([&] { return st.connected + st.failed >= clients; }, 300s);
  const double connect_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!all_in || st.failed > 0) {
    fmt::print(stderr, "ws_bench: {} of {} clients connected, {} failed (first error: {})\n",
               st.connected.load(), clients, st.failed.load(), st.first_error);
    return finish(1);
  }
  std::this_thread::sleep_for(500ms);  // let the server settle what it allocated per client
  const auto rss_connected = rss_kib(server_pid);
  fmt::print("{} clients from {} source addresses connected in {:.1f} s\n", clients, sources,
             connect_s);
  fmt::print("server RSS {} KiB before, {} KiB with every client connected\n", rss_before,
             rss_connected);
  finish(0);  // the connection phase is over: its sockets go to the reader threads

  std::vector<std::unique_ptr<reader>> readers;
  for (int t = 0; t < threads; ++t) readers.push_back(std::make_unique<reader>());
  for (std::size_t i = 0; i < st.handed.size(); ++i) {
    readers[i % readers.size()]->clients.push_back(std::move(st.handed[i]));
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  for (auto& r : readers) pool.emplace_back([&st, &stop, &r = *r] { r.run(st, stop); });
  auto updates = [&] {
    std::int64_t n = 0;
    for (auto& r : readers) n += r->updates.load(std::memory_order_relaxed);
    return n;
  };
  auto stop_readers = [&](int code) {
    stop = true;
    for (auto& th : pool) th.join();
    return code;
  };

  const double server_cpu_before = cpu_seconds(server_pid);
  const double own_cpu_before = cpu_seconds(::getpid());
  for (int b = 1; b <= broadcasts; ++b) {
    const int code = force_refresh(port, token);
    if (code != 200) {
      fmt::print(stderr, "ws_bench: forced refresh {} answered {}\n", b, code);
      return stop_readers(1);
    }
    const auto want = static_cast<std::int64_t>(b) * clients;
    if (!wait_for([&] { return updates() >= want || st.failed > 0; }, 30s) || st.failed > 0) {
      std::lock_guard lock(st.mutex);
      fmt::print(stderr, "ws_bench: broadcast {}: {} of {} deliveries, {} clients lost ({})\n", b,
                 updates() - want + clients, clients, st.failed.load(), st.first_error);
      return stop_readers(1);
    }
  }
  const auto rss_after = rss_kib(server_pid);
  const double server_cpu = cpu_seconds(server_pid) - server_cpu_before;
  const double own_cpu = cpu_seconds(::getpid()) - own_cpu_before;
  stop_readers(0);

  std::vector<double> lat;
  for (auto& r : readers) lat.insert(lat.end(), r->latencies_ms.begin(), r->latencies_ms.end());
  std::sort(lat.begin(), lat.end());
  const auto per_connection = (rss_connected - rss_before) * 1024 / clients;
  fmt::print("server RSS {} KiB after {} broadcasts\n", rss_after, broadcasts);
  const double deliveries = static_cast<double>(broadcasts) * clients;
  fmt::print("CPU per delivery while broadcasting: server {:.1f} us, load generator {:.1f} us\n",
             server_cpu * 1e6 / deliveries, own_cpu * 1e6 / deliveries);
  fmt::print("{} deliveries: latency p50 {:.1f} ms, p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms\n",
             lat.size(), percentile(lat, 50), percentile(lat, 90), percentile(lat, 99),
             lat.empty() ? 0.0 : lat.back());
  fmt::print("clients={} p50_ms={:.1f} p99_ms={:.1f} max_ms={:.1f} bytes_per_connection={}\n",
             clients, percentile(lat, 50), percentile(lat, 99), lat.empty() ? 0.0 : lat.back(),
             per_connection);
  return 0;
}
