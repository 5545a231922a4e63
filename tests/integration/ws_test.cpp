// The WebSocket hub of `cryptodash serve` against the fake upstream: snapshot on connect,
// broadcast on a forced refresh, market channels, client messages, and a slow client that is
// dropped without slowing the others.

#include "server_fixture.h"
#include "support/fake_upstream.h"
#include "support/redis_server.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace cryptodash::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::ip::tcp;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr const char* admin_token = "ws-admin-31337";

// `args` plus provider rate limits far above what a test calls, so that refreshes never wait
// for tokens (the real limits allow one Fear & Greed call in 2 s).
std::vector<std::string> without_rate_limits(std::vector<std::string> args) {
  for (const char* p : {"coingecko", "fear_greed", "taapi", "binance"}) {
    for (const char* setting : {"rate_per_minute=1000000", "burst=100000"}) {
      args.push_back("--set");
      args.push_back(std::string("upstreams.") + p + "." + setting);
    }
  }
  return args;
}

// The fake's providers and the admin token (forced refreshes).
std::map<std::string, std::string> ws_env(const fake_upstream& fake) {
  auto env = upstream_env(fake);
  env["ADMIN_TOKEN"] = admin_token;
  return env;
}

// A WebSocket client for one test thread. Reads wait at most a given time; a read that timed
// out stays pending and the next call goes on waiting for it (a cancelled read would leave
// the stream unusable).
class ws_client {
 public:
  explicit ws_client(int port, int receive_buffer = 0) : ws_(ioc_) {
    auto& sock = ws_.next_layer();
    sock.open(tcp::v4());
    if (receive_buffer > 0) sock.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    sock.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    ws_.handshake("127.0.0.1", "/ws");
  }

  void send(const std::string& text) { ws_.write(asio::buffer(text)); }

  // The next message within `within`; nullopt on timeout (error = timed_out) or close.
  std::optional<json::value> next(milliseconds within = milliseconds(5000)) {
    if (!reading_) {
      reading_ = true;
      done_ = false;
      ws_.async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
        read_error_ = ec;
        done_ = true;
      });
    }
    ioc_.restart();
    ioc_.run_for(within);
    if (!done_) {
      error = asio::error::timed_out;
      return std::nullopt;
    }
    reading_ = false;
    error = read_error_;
    if (error) return std::nullopt;
    auto v = json::parse(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    return v;
  }

  // The next message of `type` within `within`, skipping others.
  std::optional<json::value> next_of(std::string_view type, milliseconds within) {
    const auto until = steady::now() + within;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(until - steady::now());
      if (left <= milliseconds(0)) return std::nullopt;
      auto m = next(left);
      if (!m) return std::nullopt;
      if (m->at("type").as_string() == type) return m;
    }
  }

  websocket::close_reason close_reason() const { return ws_.reason(); }
  boost::system::error_code error;

 private:
  asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  bool reading_ = false;
  bool done_ = false;
  boost::system::error_code read_error_;
};

int force_refresh(int port) {
  http_connection c(port);
  c.send(std::string("POST /api/crypto/dashboard-summary/refresh HTTP/1.1\r\nHost: x\r\n") +
         "Authorization: Bearer " + admin_token + "\r\nContent-Length: 0\r\n\r\n");
  auto res = c.read_response();
  return res ? res->result_int() : 0;
}

TEST(ws, snapshot_on_connect_then_an_update_within_a_second_of_a_forced_refresh) {
  fake_upstream fake;
  fake.set_values(R"({"coins": {"bitcoin": {"price": 64321.5}}})");
  auto s = start_server({}, ws_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();

  ws_client c(s.port);
  auto snapshot = c.next(milliseconds(5000));
  ASSERT_TRUE(snapshot) << c.error.message();
  EXPECT_EQ(snapshot->at("type").as_string(), "dashboard_update");
  EXPECT_EQ(snapshot->at("data").at("btc_price_usd").to_number<double>(), 64321.5);
  EXPECT_FALSE(snapshot->at("timestamp").as_string().empty());

  fake.set_values(R"({"coins": {"bitcoin": {"price": 70001.25}}})");
  const auto t0 = steady::now();
  ASSERT_EQ(force_refresh(s.port), 200);
  auto update = c.next_of("dashboard_update", milliseconds(1000));
  ASSERT_TRUE(update) << "no dashboard_update within 1 s of the forced refresh";
  EXPECT_LT(steady::now() - t0, milliseconds(1000) + milliseconds(1000));  // refresh + 1 s
  EXPECT_EQ(update->at("data").at("btc_price_usd").to_number<double>(), 70001.25);
}

TEST(ws, subscribers_get_their_market_updates_and_others_do_not) {
  fake_upstream fake;
  auto s = start_server({"--set", "scheduler.enabled=true", "--set",
                         "scheduler.market_interval_seconds=1"},
                        ws_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();

  ws_client watcher(s.port), other(s.port);
  ASSERT_TRUE(watcher.next_of("dashboard_update", milliseconds(5000)));
  ASSERT_TRUE(other.next_of("dashboard_update", milliseconds(5000)));

  watcher.send(R"({"type": "subscribe", "channels": ["market:eth"]})");
  auto ack = watcher.next_of("subscribed", milliseconds(2000));
  ASSERT_TRUE(ack);
  EXPECT_EQ(json::serialize(ack->at("channels")), R"(["market:eth"])");
  auto first = watcher.next_of("market_update", milliseconds(3000));
  ASSERT_TRUE(first) << "no current value on subscribing";
  EXPECT_EQ(first->at("symbol").as_string(), "eth");
  EXPECT_EQ(first->at("data").at("price_usd").to_number<double>(), 3380.52);

  // The scheduler keeps watched symbols fresh and publishes each refresh.
  fake.set_values(R"({"coins": {"ethereum": {"price": 3999.5}}})");
  std::optional<json::value> refreshed;
  const auto until = steady::now() + std::chrono::seconds(6);
  while (steady::now() < until) {
    auto m = watcher.next_of("market_update", milliseconds(6000));
    if (!m) break;
    if (m->at("data").at("price_usd").to_number<double>() == 3999.5) {
      refreshed = m;
      break;
    }
  }
  ASSERT_TRUE(refreshed) << "no market_update with the new price";
  EXPECT_FALSE(other.next_of("market_update", milliseconds(1500)))
      << "a client that did not subscribe got a market_update";

  watcher.send(R"({"type": "unsubscribe", "channels": ["market:eth"]})");
  ASSERT_TRUE(watcher.next_of("unsubscribed", milliseconds(2000)));
  fake.set_values(R"({"coins": {"ethereum": {"price": 4100.0}}})");
  EXPECT_FALSE(watcher.next_of("market_update", milliseconds(2500)))
      << "market_update after unsubscribing";
}

TEST(ws, ping_pong_bad_messages_and_oversized_messages) {
  fake_upstream fake;
  auto s = start_server({}, ws_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  ws_client c(s.port);
  ASSERT_TRUE(c.next_of("dashboard_update", milliseconds(5000)));

  c.send(R"({"type": "ping"})");
  EXPECT_TRUE(c.next_of("pong", milliseconds(2000)));

  for (const char* bad : {"not json", R"({"type": 7})", R"({"type": "dance"})",
                          R"({"type": "subscribe", "channels": ["market:../x"]})",
                          R"({"type": "subscribe", "channels": "market:btc"})"}) {
    c.send(bad);
    auto e = c.next_of("error", milliseconds(2000));
    ASSERT_TRUE(e) << bad;
    EXPECT_FALSE(e->at("error").at("code").as_string().empty()) << bad;
  }
  c.send(R"({"type": "ping"})");
  EXPECT_TRUE(c.next_of("pong", milliseconds(2000))) << "the connection did not survive bad input";

  c.send(std::string(5000, 'x'));  // over the 4 KiB bound
  EXPECT_FALSE(c.next_of("pong", milliseconds(2000)));
  EXPECT_EQ(c.error, websocket::error::closed) << c.error.message();
  EXPECT_EQ(c.close_reason().code, websocket::close_code::too_big);

  auto plain = http_get(s.port, "/ws");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->result_int(), 426);
}

std::int64_t rss_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

TEST(ws, a_client_that_never_reads_is_dropped_and_slows_nobody) {
  fake_upstream fake;
  // 200 forced refreshes: the providers' own limits would make them wait for tokens.
  const auto args = without_rate_limits({"--set", "server.refresh_rate_limit_per_minute=100000",
                                         "--set", "websocket.send_queue_max_messages=8"});
  auto env = ws_env(fake);
#if defined(__SANITIZE_ADDRESS__)
  // ASan parks freed memory in a 256 MB quarantine, which would read as growth here.
  const char* asan = std::getenv("ASAN_OPTIONS");
  env["ASAN_OPTIONS"] = std::string(asan != nullptr ? asan : "") + ":quarantine_size_mb=0";
#endif
  auto s = start_server(args, env);
  ASSERT_NE(s.port, 0) << s.process->err();

  ws_client slow(s.port, /*receive_buffer=*/1024);  // reads nothing from here on
  constexpr int normal_clients = 20;
  constexpr int broadcasts = 200;
  std::vector<std::unique_ptr<ws_client>> normal;
  for (int i = 0; i < normal_clients; ++i) {
    normal.push_back(std::make_unique<ws_client>(s.port));
    ASSERT_TRUE(normal.back()->next_of("dashboard_update", milliseconds(5000)));
  }
  const auto rss_before = rss_kb(s.process->pid());

  std::vector<int> received(normal_clients, 0);
  std::vector<std::thread> readers;
  for (int i = 0; i < normal_clients; ++i) {
    readers.emplace_back([&, i] {
      while (received[i] < broadcasts && normal[i]->next_of("dashboard_update", milliseconds(10000))) {
        ++received[i];
      }
    });
  }
  for (int i = 0; i < broadcasts; ++i) ASSERT_EQ(force_refresh(s.port), 200) << i;
  const auto published = steady::now();
  for (auto& t : readers) t.join();
  EXPECT_LT(steady::now() - published, std::chrono::seconds(5)) << "normal clients lagged";
  for (int i = 0; i < normal_clients; ++i) EXPECT_EQ(received[i], broadcasts) << "client " << i;

  // The slow client is gone within its 2 s close grace; the others stay.
  json::value stats;
  eventually(
      [&] {
        stats = json::parse(http_get(s.port, "/api/cache-stats")->body());
        return stats.at("websocket").at("clients").to_number<int>() == normal_clients;
      },
      std::chrono::seconds(5));
  EXPECT_EQ(stats.at("websocket").at("dropped_slow").to_number<int>(), 1) << stats;
  EXPECT_EQ(stats.at("websocket").at("clients").to_number<int>(), normal_clients) << stats;
  const auto rss_after = rss_kb(s.process->pid());
  EXPECT_LT(rss_after - rss_before, 20 * 1024) << "server memory grew by " << rss_after - rss_before << " KiB";
}

// The scheduler part of a server's /api/cache-stats (null if it did not answer).
json::value scheduler_of(int port) {
  auto res = http_get(port, "/api/cache-stats");
  return res ? json::parse(res->body()).at("scheduler") : json::value(nullptr);
}
bool leads(int port) {
  const auto s = scheduler_of(port);
  return s.is_object() && s.at("leader").as_bool();
}

// Two servers with the scheduler on and a 2 s lease, sharing one Redis.
struct two_instances {
  redis_server redis;
  running_server a, b;

  // Starts both with `args` (after the scheduler and lease settings) and waits until exactly
  // one of them leads; a fatal failure if not.
  void start(const fake_upstream& fake, const std::vector<std::string>& args) {
    auto env = ws_env(fake);
    env["REDIS_URL"] = redis.url();
    std::vector<std::string> all = {"--set", "scheduler.enabled=true", "--set",
                                    "scheduler.lease_seconds=2"};
    all.insert(all.end(), args.begin(), args.end());
    a = start_server(all, env);
    ASSERT_NE(a.port, 0) << a.process->err();
    b = start_server(all, env);
    ASSERT_NE(b.port, 0) << b.process->err();
    ASSERT_TRUE(eventually([&] { return leads(a.port) != leads(b.port); }, std::chrono::seconds(5)))
        << "not exactly one leader";
  }
  running_server& leader() { return leads(a.port) ? a : b; }
  running_server& follower() { return leads(a.port) ? b : a; }
};

// Two instances on one Redis: a refresh on one reaches a WebSocket client of the other; one
// of them leads the background refresh; SIGKILL of the leader hands it to the other within
// one lease period.
TEST(ws, two_instances_share_updates_and_hand_over_the_refresh) {
  fake_upstream fake;
  two_instances pair;
  ASSERT_NO_FATAL_FAILURE(pair.start(fake, {}));
  auto& a = pair.a;
  auto& b = pair.b;

  ws_client on_b(b.port);
  ASSERT_TRUE(on_b.next_of("dashboard_update", milliseconds(5000)));
  fake.set_values(R"({"coins": {"bitcoin": {"price": 71234.5}}})");
  ASSERT_EQ(force_refresh(a.port), 200);
  auto update = on_b.next_of("dashboard_update", milliseconds(2000));
  ASSERT_TRUE(update) << "a refresh on A did not reach B's client";
  EXPECT_EQ(update->at("data").at("btc_price_usd").to_number<double>(), 71234.5);
  EXPECT_FALSE(on_b.next_of("dashboard_update", milliseconds(500))) << "delivered twice";

  auto& leader = pair.leader();
  auto& follower = pair.follower();
  leader.process->signal(SIGKILL);
  const auto killed = steady::now();
  EXPECT_TRUE(eventually([&] { return leads(follower.port); }, std::chrono::seconds(4)))
      << "the follower did not take over";
  EXPECT_LT(steady::now() - killed, std::chrono::seconds(2) + milliseconds(1500));
}

// Two instances on one Redis refresh the dashboard from the upstreams once per interval in
// all, not once per instance: only the lease holder calls.
TEST(ws, two_instances_refresh_the_upstream_once_per_interval) {
  fake_upstream fake;
  two_instances pair;
  ASSERT_NO_FATAL_FAILURE(
      pair.start(fake, without_rate_limits({"--set", "scheduler.dashboard_interval_seconds=2"})));
  const int leader_port = pair.leader().port;
  const int follower_port = pair.follower().port;
  const auto leader_stats = scheduler_of(leader_port);
  std::int64_t interval_s = 0;
  for (const auto& item : leader_stats.at("items").as_array()) {
    if (item.at("name") == "dashboard") interval_s = item.at("interval_s").to_number<std::int64_t>();
  }
  ASSERT_GE(interval_s, 1) << leader_stats;
  const auto follower_refreshes = scheduler_of(follower_port).at("refreshes");

  fake.reset();
  constexpr int window_s = 8;
  std::this_thread::sleep_for(std::chrono::seconds(window_s));
  const auto fng = fake.calls().at("providers").at("fear_greed");
  const auto calls = fng.at("calls").to_number<std::int64_t>();
  const std::int64_t expected = window_s / interval_s;
  EXPECT_GE(calls, expected - 2) << "interval " << interval_s << " s; call times " << fng.at("times_ms")
                                 << "; leader " << scheduler_of(leader_port);
  EXPECT_LE(calls, expected + 1) << "interval " << interval_s << " s: both instances refreshed?";
  EXPECT_EQ(scheduler_of(follower_port).at("refreshes"), follower_refreshes)
      << "the follower refreshed";
}

// A symbol watched only by a follower's client is kept fresh by the leader (the watched sets
// meet in Redis) and its updates reach that client.
TEST(ws, the_leader_refreshes_what_a_followers_clients_watch) {
  fake_upstream fake;
  two_instances pair;
  ASSERT_NO_FATAL_FAILURE(
      pair.start(fake, without_rate_limits({"--set", "scheduler.market_interval_seconds=1"})));
  const int follower = pair.follower().port;

  ws_client watcher(follower);
  ASSERT_TRUE(watcher.next_of("dashboard_update", milliseconds(5000)));
  watcher.send(R"({"type": "subscribe", "channels": ["market:eth"]})");
  ASSERT_TRUE(watcher.next_of("market_update", milliseconds(3000))) << "no current value";

  fake.set_values(R"({"coins": {"ethereum": {"price": 3777.25}}})");
  bool refreshed = false;
  const auto until = steady::now() + std::chrono::seconds(6);
  while (!refreshed && steady::now() < until) {
    auto m = watcher.next_of("market_update", milliseconds(6000));
    if (!m) break;
    refreshed = m->at("data").at("price_usd").to_number<double>() == 3777.25;
  }
  EXPECT_TRUE(refreshed) << "the follower's watched symbol was not refreshed by the leader";
}

}  // namespace
}  // namespace cryptodash::testing
