// The leader lease against a real redis-server: election, hand-over, expiry of a dead leader's
// key, step-down when Redis is gone or hung, no flapping. Leases are short (300–600 ms) so that
// the timing bounds below are the lease's own, with slack for a busy machine.

#include "store/redis/lease.h"
#include "store/redis/client.h"
#include "support/redis_server.h"

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <regex>
#include <thread>
#include <utility>
#include <vector>

namespace cryptodash::store::redis {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
using testing::redis_server;

constexpr const char* kNamespace = "test:";
constexpr const char* kKey = "test:scheduler:leader";
// Scheduling delays on a busy machine, on top of the lease's own bounds.
constexpr milliseconds kSlack = 150ms;

client_options options_for(const redis_server& server) {
  client_options o;
  o.link.where = *parse_url(server.url());
  o.link.connect_timeout = 1000ms;
  o.reconnect_max_delay = 200ms;
  o.breaker_open = 200ms;
  return o;
}

// One instance: its own connection and lease, with every on_change call recorded.
struct instance {
  instance(const redis_server& server, std::string id, milliseconds period)
      : redis(options_for(server)), election(redis, kNamespace, std::move(id), period) {
    election.on_change([this](bool leader) {
      std::lock_guard lock(m);
      changes.emplace_back(leader, steady::now());
    });
  }

  std::vector<bool> change_values() {
    std::lock_guard lock(m);
    std::vector<bool> v;
    for (const auto& c : changes) v.push_back(c.first);
    return v;
  }
  /// Waits for the first change to `leader`; its time.
  std::optional<steady::time_point> wait_change(bool leader, milliseconds timeout) {
    std::optional<steady::time_point> at;
    testing::eventually(
        [&] {
          std::lock_guard lock(m);
          for (const auto& c : changes) {
            if (c.first == leader) {
              at = c.second;
              return true;
            }
          }
          return false;
        },
        timeout);
    return at;
  }

  client redis;
  lease election;
  std::mutex m;
  std::vector<std::pair<bool, steady::time_point>> changes;
};

// Exactly one of a and b is the leader within `timeout`; returns it (null otherwise).
instance* wait_single_leader(instance& a, instance& b, milliseconds timeout) {
  if (!testing::eventually([&] { return a.election.is_leader() || b.election.is_leader(); },
                           timeout)) {
    return nullptr;
  }
  if (a.election.is_leader() && b.election.is_leader()) return nullptr;
  return a.election.is_leader() ? &a : &b;
}

// Samples both for `d`: how many samples did not show exactly `expected_leader` as the leader.
int count_wrong_samples(instance& a, instance& b, instance* expected_leader, milliseconds d) {
  int wrong = 0;
  const auto end = steady::now() + d;
  while (steady::now() < end) {
    const bool ok = a.election.is_leader() == (expected_leader == &a) &&
                    b.election.is_leader() == (expected_leader == &b);
    wrong += ok ? 0 : 1;
    std::this_thread::sleep_for(5ms);
  }
  return wrong;
}

std::string get_key(client& c) {
  auto r = c.exec_blocking({"GET", kKey}, 1000ms);
  if (!r) return "<error>";
  return r->is_nil() ? "<nil>" : r->str;
}

TEST(Lease, MakesDistinctInstanceIds) {
  const std::string a = make_instance_id();
  const std::string b = make_instance_id();
  EXPECT_TRUE(std::regex_match(a, std::regex(R"(.+-\d+-[0-9a-f]{8})"))) << a;
  EXPECT_NE(a, b);
}

// Two instances on one Redis: exactly one becomes the leader and stays it; the other sees its id.
TEST(Lease, TwoInstancesElectExactlyOne) {
  redis_server server;
  instance a(server, "instance-a", 600ms);
  instance b(server, "instance-b", 600ms);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  ASSERT_TRUE(b.redis.wait_connected(5s));
  a.election.start();
  b.election.start();
  instance* leader = wait_single_leader(a, b, 3s);
  ASSERT_NE(leader, nullptr);
  instance* follower = leader == &a ? &b : &a;

  EXPECT_EQ(count_wrong_samples(a, b, leader, 1000ms), 0);
  EXPECT_EQ(get_key(a.redis), leader->election.instance_id());
  EXPECT_EQ(leader->election.holder(), leader->election.instance_id());
  EXPECT_EQ(follower->election.holder(), leader->election.instance_id());
  EXPECT_EQ(leader->change_values(), std::vector<bool>{true});
  EXPECT_TRUE(follower->change_values().empty());
}

// The leader stops: it releases the key, so the other takes over within one try interval
// (lease/3) — well inside the lease period + try interval that an expiry would take.
TEST(Lease, StopHandsOverWithinATryInterval) {
  redis_server server;
  constexpr milliseconds period = 600ms;
  instance a(server, "instance-a", period);
  instance b(server, "instance-b", period);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  ASSERT_TRUE(b.redis.wait_connected(5s));
  a.election.start();
  b.election.start();
  instance* leader = wait_single_leader(a, b, 3s);
  ASSERT_NE(leader, nullptr);
  instance* follower = leader == &a ? &b : &a;
  ASSERT_TRUE(testing::eventually(
      [&] { return follower->election.holder() == leader->election.instance_id(); }, 2s));

  const auto stopped_at = steady::now();
  leader->election.stop();
  EXPECT_FALSE(leader->election.is_leader());
  EXPECT_LT(steady::now() - stopped_at, 1s);  // the bounded wait for the release
  EXPECT_NE(get_key(leader->redis), leader->election.instance_id());  // released before returning

  auto took_over = follower->wait_change(true, 3s);
  ASSERT_TRUE(took_over);
  EXPECT_LE(*took_over - stopped_at, period / 3 + kSlack);
  EXPECT_TRUE(follower->election.is_leader());
  EXPECT_EQ(get_key(a.redis), follower->election.instance_id());
  EXPECT_TRUE(testing::eventually(
      [&] { return follower->election.holder() == follower->election.instance_id(); }, 1s));

  leader->election.stop();  // idempotent
  EXPECT_FALSE(leader->election.is_leader());
  // The stopping instance's listener saw only its election, not the release.
  EXPECT_EQ(leader->change_values(), std::vector<bool>{true});
  EXPECT_EQ(count_wrong_samples(a, b, follower, 500ms), 0);
}

// A leader that died without releasing (its key written directly, 500 ms left): the instance
// takes over once the key has expired — not before — and within one try interval after.
TEST(Lease, TakesOverADeadLeadersKeyOnlyOnceItExpires) {
  redis_server server;
  constexpr milliseconds period = 300ms;
  instance b(server, "instance-b", period);
  ASSERT_TRUE(b.redis.wait_connected(5s));
  const auto written_at = steady::now();
  auto set = b.redis.exec_blocking({"SET", kKey, "dead-instance", "PX", "500"}, 1000ms);
  ASSERT_TRUE(set);
  ASSERT_EQ(set->str, "OK");
  b.election.start();
  EXPECT_TRUE(testing::eventually([&] { return b.election.holder() == "dead-instance"; }, 400ms));
  EXPECT_FALSE(b.election.is_leader());

  auto became = b.wait_change(true, 3s);
  ASSERT_TRUE(became);
  EXPECT_GE(*became - written_at, 500ms);
  EXPECT_LE(*became - written_at, 500ms + period / 3 + kSlack);
  EXPECT_EQ(get_key(b.redis), "instance-b");
  EXPECT_EQ(b.election.holder(), "instance-b");
}

// A key that still holds this instance's own id (it stepped down while Redis was away, but the
// key lived on) is taken back at once instead of waiting for it to expire.
TEST(Lease, TakesBackItsOwnKey) {
  redis_server server;
  instance a(server, "instance-a", 300ms);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  ASSERT_TRUE(a.redis.exec_blocking({"SET", kKey, "instance-a", "PX", "10000"}, 1000ms));
  a.election.start();
  auto became = a.wait_change(true, 2s);
  ASSERT_TRUE(became);
  // Renewed to the lease period, not left at the 10 s it had.
  auto pttl = a.redis.exec_blocking({"PTTL", kKey}, 1000ms);
  ASSERT_TRUE(pttl);
  EXPECT_GT(pttl->integer, 0);
  EXPECT_LE(pttl->integer, 300);
}

// Redis killed: the leader steps down within the lease period (not at the first failed renewal),
// nobody is leader while Redis is away, and once it is back on the same port there is exactly one
// leader again.
TEST(Lease, StepsDownWhenRedisIsGoneAndReelectsWhenItIsBack) {
  redis_server server;
  constexpr milliseconds period = 600ms;
  instance a(server, "instance-a", period);
  instance b(server, "instance-b", period);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  ASSERT_TRUE(b.redis.wait_connected(5s));
  a.election.start();
  b.election.start();
  instance* leader = wait_single_leader(a, b, 3s);
  ASSERT_NE(leader, nullptr);
  std::this_thread::sleep_for(300ms);  // a renewal or two

  const auto killed_at = steady::now();
  server.kill();
  auto stepped_down = leader->wait_change(false, 3s);
  ASSERT_TRUE(stepped_down);
  const auto took = *stepped_down - killed_at;
  // Its last success was at most one renewal interval before the kill, and it holds on for
  // lease − lease/3 after that.
  EXPECT_GE(took, period / 3 - 50ms);
  EXPECT_LE(took, period);
  EXPECT_FALSE(leader->election.is_leader());
  EXPECT_EQ(leader->election.holder(), "");
  EXPECT_EQ(count_wrong_samples(a, b, nullptr, 300ms), 0);

  server.start();
  instance* again = wait_single_leader(a, b, 5s);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(count_wrong_samples(a, b, again, 500ms), 0);
  EXPECT_EQ(get_key(again->redis), again->election.instance_id());
}

// Redis hung (SIGSTOP): renewals time out instead of failing at once; the leader still steps
// down within the lease period, and a leader is elected again once Redis answers.
TEST(Lease, StepsDownWhenRedisHangs) {
  redis_server server;
  constexpr milliseconds period = 600ms;
  instance a(server, "instance-a", period);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  a.election.start();
  ASSERT_TRUE(a.wait_change(true, 3s));
  std::this_thread::sleep_for(300ms);

  const auto paused_at = steady::now();
  server.pause();
  auto stepped_down = a.wait_change(false, 3s);
  server.resume();
  ASSERT_TRUE(stepped_down);
  EXPECT_GE(*stepped_down - paused_at, period / 3 - 50ms);
  EXPECT_LE(*stepped_down - paused_at, period);
  EXPECT_TRUE(testing::eventually([&] { return a.election.is_leader(); }, 5s));
  EXPECT_EQ(a.change_values(), (std::vector<bool>{true, false, true}));
}

// Over several lease periods the leader keeps renewing: no flapping, one on_change call in all,
// the key's expiry pushed forward each time.
TEST(Lease, RenewalKeepsLeadershipWithoutFlapping) {
  redis_server server;
  constexpr milliseconds period = 300ms;
  instance a(server, "instance-a", period);
  instance b(server, "instance-b", period);
  ASSERT_TRUE(a.redis.wait_connected(5s));
  ASSERT_TRUE(b.redis.wait_connected(5s));
  a.election.start();
  b.election.start();
  instance* leader = wait_single_leader(a, b, 3s);
  ASSERT_NE(leader, nullptr);
  instance* follower = leader == &a ? &b : &a;

  EXPECT_EQ(count_wrong_samples(a, b, leader, 6 * period), 0);
  EXPECT_EQ(leader->change_values(), std::vector<bool>{true});
  EXPECT_TRUE(follower->change_values().empty());
  auto pttl = a.redis.exec_blocking({"PTTL", kKey}, 1000ms);
  ASSERT_TRUE(pttl);
  EXPECT_GT(pttl->integer, period.count() / 3);  // renewed within the last interval or so
  EXPECT_EQ(get_key(a.redis), leader->election.instance_id());
}

// Started while Redis is away: elected as soon as the client connects, not at the next try
// (which with this lease would come only 1 s after the first).
TEST(Lease, TriesAsSoonAsRedisIsReachable) {
  redis_server server;
  server.kill();
  instance a(server, "instance-a", 3000ms);
  a.election.start();
  std::this_thread::sleep_for(100ms);
  server.start();
  const auto back_at = steady::now();
  auto became = a.wait_change(true, 5s);
  ASSERT_TRUE(became);
  // Reconnecting takes up to reconnect_max_delay (200 ms) with jitter.
  EXPECT_LE(*became - back_at, 200ms + 2 * kSlack);
}

// Destroying a leading lease (without stop()) releases its key before returning.
TEST(Lease, DestructorReleases) {
  redis_server server;
  client observer(options_for(server));
  ASSERT_TRUE(observer.wait_connected(5s));
  {
    instance a(server, "instance-a", 600ms);
    a.election.start();
    ASSERT_TRUE(a.wait_change(true, 3s));
    EXPECT_EQ(get_key(observer), "instance-a");
  }
  EXPECT_EQ(get_key(observer), "<nil>");
}

}  // namespace
}  // namespace cryptodash::store::redis
