#include "store/redis/client.h"
#include "store/redis/subscriber.h"
#include "support/redis_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>

namespace cryptodash::store::redis {
namespace {

using namespace std::chrono_literals;
using testing::redis_server;
namespace asio = boost::asio;

client_options options_for(const std::string& url, const std::string& ca_file = "") {
  client_options o;
  o.link.where = *parse_url(url);
  o.link.tls_ca_file = ca_file;
  o.link.connect_timeout = 1000ms;
  o.reconnect_max_delay = 500ms;
  return o;
}

TEST(RedisClient, RunsCommands) {
  redis_server server;
  client c(options_for(server.url()));
  ASSERT_TRUE(c.wait_connected(5s));
  auto set = c.exec_blocking({"SET", "greeting", "hello"}, 1000ms);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->str, "OK");
  auto get = c.exec_blocking({"GET", "greeting"}, 1000ms);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->str, "hello");
  auto missing = c.exec_blocking({"GET", "nope"}, 1000ms);
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_nil());
  auto wrong = c.exec_blocking({"INCR", "greeting"}, 1000ms);
  ASSERT_TRUE(wrong);  // a Redis error reply is still a reply
  EXPECT_TRUE(wrong->is_error());
  EXPECT_EQ(server.cli({"GET", "greeting"}), "hello");
}

// Many concurrent commands from coroutines on other threads share one connection and each
// gets its own answer.
TEST(RedisClient, PipelinesConcurrentCommandsInOrder) {
  redis_server server;
  client c(options_for(server.url()));
  ASSERT_TRUE(c.wait_connected(5s));
  asio::thread_pool callers(4);
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 2000; ++i) {
    results.push_back(asio::co_spawn(
        callers,
        [&c, i]() -> asio::awaitable<bool> {
          std::string key = "k" + std::to_string(i);
          std::vector<std::string> set = {"SET", key, std::to_string(i * 7)};
          auto s = co_await c.exec(std::move(set), 2000ms);
          if (!s) co_return false;
          std::vector<std::string> get = {"GET", key};
          auto g = co_await c.exec(std::move(get), 2000ms);
          co_return g && g->str == std::to_string(i * 7);
        },
        asio::use_future));
  }
  int ok = 0;
  for (auto& f : results) ok += f.get() ? 1 : 0;
  EXPECT_EQ(ok, 2000);
  EXPECT_GE(c.stats().commands, 4000U);
  callers.join();  // the client holds work on `callers` until each request is released
}

TEST(RedisClient, AuthenticatesAndSelectsTheDatabase) {
  redis_server server({.password = "s3cret"});
  client c(options_for(server.url(5)));
  ASSERT_TRUE(c.wait_connected(5s));
  ASSERT_TRUE(c.exec_blocking({"SET", "in5", "yes"}, 1000ms));
  EXPECT_EQ(server.cli({"-n", "5", "GET", "in5"}), "yes");
  EXPECT_EQ(server.cli({"-n", "0", "EXISTS", "in5"}), "0");

  auto wrong = options_for("redis://:wrong@127.0.0.1:" + std::to_string(server.port()));
  client refused(std::move(wrong));
  EXPECT_FALSE(refused.wait_connected(700ms));
  auto r = refused.exec_blocking({"PING"}, 100ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::unavailable);
}

TEST(RedisClient, SpeaksTlsAndRefusesAWrongCa) {
  redis_server server({.tls = true});
  client good(options_for(server.url(), server.pki().ca_cert.string()));
  ASSERT_TRUE(good.wait_connected(5s));
  ASSERT_TRUE(good.exec_blocking({"SET", "t", "tls"}, 1000ms));
  EXPECT_EQ(good.exec_blocking({"GET", "t"}, 1000ms)->str, "tls");

  client by_name(options_for("rediss://localhost:" + std::to_string(server.port()),
                             server.pki().ca_cert.string()));
  EXPECT_TRUE(by_name.wait_connected(5s));

  client wrong_ca(options_for(server.url(), server.pki().other_ca_cert.string()));
  EXPECT_FALSE(wrong_ca.wait_connected(1500ms));
  client no_ca(options_for(server.url()));  // system store only: the test CA is unknown
  EXPECT_FALSE(no_ca.wait_connected(1500ms));
}

// Redis hung (SIGSTOP): the first commands time out at their own deadline, then the breaker
// opens and commands fail at once; when Redis answers again the client recovers.
TEST(RedisClient, NeverWaitsLongOnAHungRedis) {
  redis_server server;
  auto o = options_for(server.url());
  o.breaker_open = 300ms;
  client c(std::move(o));
  ASSERT_TRUE(c.wait_connected(5s));
  server.pause();
  constexpr auto deadline = 50ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.exec_blocking({"GET", "x"}, deadline);
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_FALSE(r);
    EXPECT_LT(took, deadline + testing::timing_slack) << "command " << i;
  }
  EXPECT_TRUE(c.stats().breaker_open);
  EXPECT_GE(c.stats().rejected, 10U);
  server.resume();
  EXPECT_TRUE(testing::eventually([&] { return bool(c.exec_blocking({"PING"}, 200ms)); }, 5s));
  EXPECT_FALSE(c.stats().breaker_open);
}

// Redis killed: commands fail at once (no waiting) until it is back, then all works again and
// the reconnect listener runs.
TEST(RedisClient, ReconnectsAfterRedisRestarts) {
  redis_server server;
  client c(options_for(server.url()));
  std::atomic<int> reconnects{0};
  c.on_connect([&](bool again) { reconnects += again ? 1 : 0; });
  ASSERT_TRUE(c.wait_connected(5s));
  server.kill();
  ASSERT_TRUE(testing::eventually([&] { return !c.connected(); }, 2s));
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.exec_blocking({"PING"}, 1000ms);
  EXPECT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20ms);
  server.start();
  EXPECT_TRUE(c.wait_connected(5s));
  EXPECT_TRUE(c.exec_blocking({"PING"}, 500ms));
  EXPECT_TRUE(testing::eventually([&] { return reconnects.load() == 1; }, 2s));
}

TEST(RedisSubscriber, ReceivesMessagesAndResubscribesAfterARestart) {
  redis_server server;
  client c(options_for(server.url()));
  ASSERT_TRUE(c.wait_connected(5s));
  std::mutex m;
  std::vector<std::string> got;
  std::atomic<int> resubscribed{0};
  subscriber sub(
      c, {"events"},
      [&](std::string_view channel, std::string_view payload) {
        std::lock_guard lock(m);
        got.push_back(std::string(channel) + ":" + std::string(payload));
      },
      [&] { ++resubscribed; });
  ASSERT_TRUE(sub.wait_subscribed(5s));
  ASSERT_TRUE(c.exec_blocking({"PUBLISH", "events", "one"}, 1000ms));
  ASSERT_TRUE(testing::eventually([&] {
    std::lock_guard lock(m);
    return got.size() == 1;
  }));
  server.kill();
  server.start();
  ASSERT_TRUE(testing::eventually([&] { return sub.subscribed() && resubscribed == 1; }, 5s));
  ASSERT_TRUE(c.wait_connected(5s));
  ASSERT_TRUE(testing::eventually([&] { return bool(c.exec_blocking({"PING"}, 200ms)); }, 5s));
  ASSERT_TRUE(c.exec_blocking({"PUBLISH", "events", "two"}, 1000ms));
  ASSERT_TRUE(testing::eventually([&] {
    std::lock_guard lock(m);
    return got.size() == 2;
  }));
  std::lock_guard lock(m);
  EXPECT_EQ(got[0], "events:one");
  EXPECT_EQ(got[1], "events:two");
}

}  // namespace
}  // namespace cryptodash::store::redis
