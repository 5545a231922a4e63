// ws_floor: the least a WebSocket broadcast can take on this machine, with no server in it.
//
// Two processes, as in bench/ws_bench.sh: a sender that accepts --clients loopback TCP
// connections and, for each of --broadcasts rounds, writes one ready-made --bytes WebSocket
// text frame to every connection with a plain send() from --threads threads (what any server
// must do at the least: one send per client); and a receiver that connects from --sources
// addresses (127.0.0.2 …) and reads them as ws_bench does (--readers threads, level-triggered
// epoll, one recv per readiness). A delivery's latency is its receipt time minus the round's
// start, both from CLOCK_MONOTONIC, shared through memory both processes map. So it is the
// floor of ws_bench's figures: the kernel's loopback TCP and the scheduling of two processes
// on the same cores, nothing else. The last line is
// `clients=<n> p50_ms=<x> p99_ms=<x> max_ms=<x> send_cpu_us=<x>` (CPU per send, user + system).

#include "percentile.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using cryptodash::bench::percentile;

using namespace std::chrono_literals;

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// What both processes see (an anonymous shared mapping made before fork).
struct shared_state {
  std::atomic<std::int64_t> round_start_ns{0};
  std::atomic<std::int64_t> received{0};  // deliveries so far, all rounds
  std::atomic<int> connected{0};          // the receiver's connections so far
  std::atomic<bool> failed{false};
  std::atomic<bool> stop{false};
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // the receiver's result, written before it exits
};

// The receiver (child process): connects every client, then reads them until told to stop.
// A delivery is counted when a connection's last byte of a frame (`frame_bytes`) arrives.
int receive(shared_state& sh, const sockaddr_in& server, int clients, int sources, int readers,
            std::size_t frame_bytes) {
  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(clients));
  for (int i = 0; i < clients; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000002U + static_cast<unsigned>(i % sources));
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
      fmt::print(stderr, "ws_floor: connection {}: {}\n", i, std::strerror(errno));
      sh.failed = true;
      return 1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds.push_back(fd);
    sh.connected.fetch_add(1);
  }
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(readers));
  std::vector<std::thread> pool;
  for (int t = 0; t < readers; ++t) {
    pool.emplace_back([&, t] {
      const int ep = ::epoll_create1(EPOLL_CLOEXEC);
      for (std::size_t i = static_cast<std::size_t>(t); i < fds.size();
           i += static_cast<std::size_t>(readers)) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
      }
      std::array<epoll_event, 256> events{};
      std::vector<char> chunk(64 * 1024);
      auto& mine = latencies[static_cast<std::size_t>(t)];
      std::vector<std::size_t> partial(fds.size(), 0);  // bytes of the current frame so far
      while (!sh.stop.load(std::memory_order_relaxed)) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
        for (int k = 0; k < n; ++k) {
          const auto i = events[static_cast<std::size_t>(k)].data.u64;
          const auto got = ::recv(fds[i], chunk.data(), chunk.size(), 0);
          if (got < 0) continue;  // EAGAIN: nothing yet
          if (got == 0) {         // the sender went away: stop watching this connection
            ::epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], nullptr);
            continue;
          }
          partial[i] += static_cast<std::size_t>(got);
          for (; partial[i] >= frame_bytes; partial[i] -= frame_bytes) {
            mine.push_back(static_cast<double>(now_ns() - sh.round_start_ns.load()) / 1e6);
            sh.received.fetch_add(1, std::memory_order_relaxed);
          }
        }
      }
      ::close(ep);
    });
  }
  for (auto& th : pool) th.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  sh.p50_ms = percentile(all, 50);
  sh.p99_ms = percentile(all, 99);
  sh.max_ms = all.empty() ? 0.0 : all.back();
  for (int fd : fds) ::close(fd);
  return 0;
}

double thread_cpu_us() {
  rusage u{};
  ::getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// One unmasked text frame of `bytes` bytes in all (RFC 6455: a 16-bit length past 125).
std::string text_frame(std::size_t bytes) {
  std::string frame;
  const std::size_t payload = bytes > 4 ? bytes - 4 : 0;
  frame.push_back(static_cast<char>(0x81));
  frame.push_back(static_cast<char>(126));
  frame.push_back(static_cast<char>((payload >> 8) & 0xff));
  frame.push_back(static_cast<char>(payload & 0xff));
  frame.append(payload, 'x');
  return frame;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The floor of a WebSocket broadcast on loopback: plain sends, no server"};
  int clients = 10000;
  int sources = 100;
  int broadcasts = 20;
  int threads = 2;
  int readers = 2;
  std::size_t bytes = 650;
  app.add_option("--clients", clients)->check(CLI::Range(1, 1'000'000));
  app.add_option("--sources", sources, "source addresses 127.0.0.2 …")->check(CLI::Range(1, 250));
  app.add_option("--broadcasts", broadcasts)->check(CLI::Range(1, 100'000));
  app.add_option("--threads", threads, "sending threads")->check(CLI::Range(1, 64));
  app.add_option("--readers", readers, "reading threads")->check(CLI::Range(1, 64));
  app.add_option("--bytes", bytes, "frame size (a dashboard_update is about 650)")
      ->check(CLI::Range(130, 65535));
  CLI11_PARSE(app, argc, argv);

  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 4096) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    fmt::print(stderr, "ws_floor: listen: {}\n", std::strerror(errno));
    return 1;
  }
  void* mem = ::mmap(nullptr, sizeof(shared_state), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    fmt::print(stderr, "ws_floor: mmap: {}\n", std::strerror(errno));
    return 1;
  }
  auto& sh = *new (mem) shared_state;
  const pid_t child = ::fork();
  if (child < 0) {
    fmt::print(stderr, "ws_floor: fork: {}\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphan left reading if the sender is killed
    ::close(listener);
    ::_exit(receive(sh, addr, clients, sources, readers, text_frame(bytes).size()));
  }

  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(clients));
  while (static_cast<int>(fds.size()) < clients && !sh.failed) {
    pollfd ready{listener, POLLIN, 0};
    if (::poll(&ready, 1, 100) == 0) continue;  // so that a receiver's failure is seen
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      fmt::print(stderr, "ws_floor: accept: {}\n", std::strerror(errno));
      sh.failed = true;
      break;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fds.push_back(fd);
  }
  while (!sh.failed && sh.connected.load() < clients) std::this_thread::sleep_for(1ms);

  const std::string frame = text_frame(bytes);
  std::atomic<double> send_cpu_us{0};
  bool ok = !sh.failed;
  for (int b = 1; ok && b <= broadcasts; ++b) {
    std::this_thread::sleep_for(100ms);  // a pause; like ws_bench, one round at a time
    sh.round_start_ns = now_ns();
    std::vector<std::thread> senders;
    for (int t = 0; t < threads; ++t) {
      senders.emplace_back([&, t] {
        const double before = thread_cpu_us();
        for (std::size_t i = static_cast<std::size_t>(t); i < fds.size();
             i += static_cast<std::size_t>(threads)) {
          if (::send(fds[i], frame.data(), frame.size(), MSG_NOSIGNAL) !=
              static_cast<ssize_t>(frame.size())) {
            sh.failed = true;  // a round starts once the last was read: one frame always fits
          }
        }
        send_cpu_us.fetch_add(thread_cpu_us() - before);
      });
    }
    for (auto& th : senders) th.join();
    const auto want = static_cast<std::int64_t>(b) * clients;
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (sh.received.load() < want && !sh.failed && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    ok = !sh.failed && sh.received.load() >= want;
  }
  sh.stop = true;
  if (!ok) ::kill(child, SIGKILL);  // it may still be connecting to a listener nobody serves
  int status = 0;
  ::waitpid(child, &status, 0);
  for (int fd : fds) ::close(fd);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fmt::print(stderr, "ws_floor: {} of {} deliveries\n", sh.received.load(),
               static_cast<std::int64_t>(broadcasts) * clients);
    return 1;
  }
  const double deliveries = static_cast<double>(broadcasts) * clients;
  fmt::print("clients={} p50_ms={:.1f} p99_ms={:.1f} max_ms={:.1f} send_cpu_us={:.2f}\n", clients,
             sh.p50_ms, sh.p99_ms, sh.max_ms, send_cpu_us.load() / deliveries);
  return 0;
}
