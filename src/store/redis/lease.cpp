#include "store/redis/lease.h"

#include "store/redis/script.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <random>

namespace cryptodash::store::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Compare-and-extend: KEYS[1] the lease key, ARGV[1] our id, ARGV[2] the lease in ms. Answers
// the holder afterwards. A vanished key is set again: nobody holds it, so this is what SET NX
// would do, without a step-down and a new election in between.
const script& renew_script() {
  static const script s(
      "local cur = redis.call('GET', KEYS[1])\n"
      "if cur == ARGV[1] then\n"
      "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
      "  return cur\n"
      "elseif not cur then\n"
      "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
      "  return ARGV[1]\n"
      "end\n"
      "return cur\n");
  return s;
}

// Compare-and-delete: only the holder removes the key.
const script& release_script() {
  static const script s(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
      "return 0\n");
  return s;
}

milliseconds at_least_1ms(steady::duration d) {
  return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(d));
}

core::result<std::string> holder_from(const reply& r) {
  if (r.type == reply::kind::string) return r.str;
  return make_error_code(core::errc::bad_response);  // an error reply (WRONGTYPE, READONLY…)
}

}  // namespace

struct lease::state {
  state(client& c, std::string k, std::string i, milliseconds period)
      : redis(c),
        key(std::move(k)),
        id(std::move(i)),
        lease_period(period),
        interval(std::max(milliseconds(1), period / 3)),
        step_down_after(period - interval),
        retry(std::max(milliseconds(1), period / 9)),
        op_timeout(std::min(interval, milliseconds(400))) {}

  client& redis;
  const std::string key;
  const std::string id;
  const milliseconds lease_period;
  const milliseconds interval;         // between tries (follower) and renewals (leader)
  const milliseconds step_down_after;  // without a successful renewal: lease − lease/3
  const milliseconds retry;            // after a failed renewal
  const milliseconds op_timeout;       // one try or renewal, all its round trips

  std::atomic<bool> leader{false};
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};

  mutable std::mutex holder_mutex;
  std::string holder;  // guarded by holder_mutex

  // Held while the listener runs and while stop() sets `stopping` from another thread: once
  // stop() has returned, the listener is not called again.
  std::mutex listener_mutex;
  std::function<void(bool)> listener;  // guarded by listener_mutex

  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;  // guarded by done_mutex: the loop ended (and released what it held)

  asio::steady_timer* timer = nullptr;  // the loop's own; client thread only

  static asio::awaitable<void> run(std::shared_ptr<state> self);
  asio::awaitable<core::result<std::string>> renew(milliseconds timeout);
  asio::awaitable<core::result<std::string>> try_acquire();
  asio::awaitable<void> release();
  void set_holder(std::string h);
  void become_leader();
  void step_down(const std::string& why);
  void notify(bool is_leader);  // listener_mutex held
  void finish();

  bool on_client_thread() const { return redis.context().get_executor().running_in_this_thread(); }
};

void lease::state::set_holder(std::string h) {
  std::lock_guard lock(holder_mutex);
  holder = std::move(h);
}

void lease::state::notify(bool is_leader) {
  if (!listener) return;
  try {
    listener(is_leader);
  } catch (const std::exception& e) {
    spdlog::error("leader lease {}: listener failed: {}", key, e.what());
  }
}

void lease::state::become_leader() {
  set_holder(id);
  std::lock_guard lock(listener_mutex);
  if (stopping) return;  // stop() came first: the loop releases the key on its way out
  leader = true;
  spdlog::info("leader lease {}: {} is the leader now", key, id);
  notify(true);
}

void lease::state::step_down(const std::string& why) {
  std::lock_guard lock(listener_mutex);
  if (!leader.exchange(false)) return;
  spdlog::warn("leader lease {}: {} steps down: {}", key, id, why);
  if (!stopping) notify(false);
}

void lease::state::finish() {
  {
    std::lock_guard lock(done_mutex);
    done = true;
  }
  done_cv.notify_all();
}

asio::awaitable<core::result<std::string>> lease::state::renew(milliseconds timeout) {
  std::vector<std::string> keys = {key};
  std::vector<std::string> args = {id, std::to_string(lease_period.count())};
  auto r = co_await renew_script().run(redis, std::move(keys), std::move(args), timeout);
  if (!r) co_return r.error();
  co_return holder_from(*r);
}

// SET NX PX; when someone holds the key, who. Our own id there means we stepped down while our
// key lived on (Redis unreachable for a while, or an answer that came after its deadline): nobody
// else can have taken it, so take it back by renewing.
asio::awaitable<core::result<std::string>> lease::state::try_acquire() {
  const auto deadline = steady::now() + op_timeout;
  const auto left = [&] { return at_least_1ms(deadline - steady::now()); };
  std::vector<std::string> set = {"SET", key, id, "NX", "PX", std::to_string(lease_period.count())};
  auto r = co_await redis.exec(std::move(set), left());
  if (!r) co_return r.error();
  if (r->type == reply::kind::status && r->str == "OK") co_return id;
  if (!r->is_nil()) co_return make_error_code(core::errc::bad_response);
  std::vector<std::string> get = {"GET", key};
  auto g = co_await redis.exec(std::move(get), left());
  if (!g) co_return g.error();
  if (g->is_nil()) co_return std::string();  // expired in between: the next try takes it
  auto seen = holder_from(*g);
  if (!seen || *seen != id) co_return seen;
  auto renewed = co_await renew(left());
  co_return renewed;
}

asio::awaitable<void> lease::state::release() {
  std::vector<std::string> keys = {key};
  std::vector<std::string> args = {id};
  auto r = co_await release_script().run(redis, std::move(keys), std::move(args), op_timeout);
  if (r && r->type == reply::kind::integer && r->integer == 1) {
    spdlog::info("leader lease {}: {} released it", key, id);
  } else if (!r || r->is_error()) {
    spdlog::warn("leader lease {}: {} could not release it; it expires within {} ms", key, id,
                 lease_period.count());
  }
}

asio::awaitable<void> lease::state::run(std::shared_ptr<state> self) {
  state& s = *self;
  asio::steady_timer timer(s.redis.context());
  s.timer = &timer;
  steady::time_point last_ok{};  // when the last successful acquisition or renewal was sent
  bool ever_held = false;
  while (!s.stopping) {
    const auto t0 = steady::now();
    auto next = t0 + s.interval;
    if (s.leader) {
      const auto step_down_at = last_ok + s.step_down_after;
      if (t0 >= step_down_at) {
        s.set_holder({});
        s.step_down(fmt::format("no successful renewal for {} ms", s.step_down_after.count()));
        continue;  // a follower now: try at once
      }
      auto seen = co_await s.renew(std::min(s.op_timeout, at_least_1ms(step_down_at - t0)));
      if (s.stopping) break;
      if (seen && *seen == s.id) {
        last_ok = t0;
      } else if (seen) {
        s.set_holder(*seen);
        s.step_down(fmt::format("{} holds the lease", seen->empty() ? "nobody" : *seen));
      } else if (steady::now() >= step_down_at) {
        s.set_holder({});
        s.step_down(fmt::format("no successful renewal for {} ms (last: {})",
                                s.step_down_after.count(), seen.error().message()));
      } else {
        spdlog::debug("leader lease {}: renewal failed ({}), retrying", s.key,
                      seen.error().message());
        next = std::min(t0 + s.retry, step_down_at);
      }
    } else {
      auto seen = co_await s.try_acquire();
      if (seen && *seen == s.id) {
        ever_held = true;
        last_ok = t0;  // no later than the command that set the expiry was sent
        s.become_leader();
      } else if (seen) {
        s.set_holder(std::move(*seen));
      }  // else unknown: keep what was last seen, try again
    }
    if (s.stopping) break;
    timer.expires_at(next);
    co_await timer.async_wait(use_tuple);
  }
  s.timer = nullptr;
  if (ever_held) co_await s.release();
  s.finish();
}

lease::lease(client& c, std::string key_namespace, std::string instance_id,
             milliseconds lease_period)
    : state_(std::make_shared<state>(c, std::move(key_namespace) + "scheduler:leader",
                                     std::move(instance_id), lease_period)) {}

lease::~lease() {
  stop();
}

void lease::start() {
  auto& s = *state_;
  if (s.started.exchange(true)) return;
  if (s.stopping) return;
  // Tries wait for the next interval; when Redis becomes reachable, try at once instead, so an
  // election after start-up or an outage does not wait up to lease/3 more. (The client keeps
  // the listener for good: hence the weak pointer.)
  s.redis.on_connect([weak = std::weak_ptr<state>(state_)](bool) {
    if (auto self = weak.lock(); self && self->timer) self->timer->cancel();
  });
  asio::co_spawn(s.redis.context(), state::run(state_), asio::detached);
}

void lease::stop() {
  auto& s = *state_;
  const bool on_thread = s.on_client_thread();
  {
    // From the client's thread no listener call can be running concurrently (they all run
    // there), and the listener itself may call stop() while listener_mutex is held.
    std::unique_lock lock(s.listener_mutex, std::defer_lock);
    if (!on_thread) lock.lock();
    s.stopping = true;
    s.leader = false;
  }
  if (!s.started) return;
  asio::post(s.redis.context(), [self = state_] {
    if (self->timer) self->timer->cancel();
  });
  if (on_thread) return;  // waiting would block the loop that releases
  std::unique_lock lock(s.done_mutex);
  s.done_cv.wait_for(lock, std::chrono::seconds(1), [&s] { return s.done; });
}

bool lease::is_leader() const noexcept {
  return state_->leader.load();
}

const std::string& lease::instance_id() const noexcept {
  return state_->id;
}

std::string lease::holder() const {
  std::lock_guard lock(state_->holder_mutex);
  return state_->holder;
}

void lease::on_change(std::function<void(bool leader)> listener) {
  std::lock_guard lock(state_->listener_mutex);
  state_->listener = std::move(listener);
}

std::string make_instance_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", host[0] != '\0' ? host : "host", ::getpid(), rd());
}

}  // namespace cryptodash::store::redis
