// The guarded upstream path (src/upstream) against the fake upstream and a real Redis: rate
// limits shared between processes, 429 cool-downs, the circuit breaker, retries, deadlines,
// size bounds, keep-alive, TLS verification and HTTPS_PROXY.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "store/redis/client.h"
#include "store/redis/url.h"
#include "support/connect_proxy.h"
#include "support/fake_upstream.h"
#include "support/process.h"
#include "support/redis_server.h"
#include "upstream/gateway.h"

namespace cryptodash::upstream {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using testing::fake_upstream;

call_request global_request() {
  call_request r;
  r.target = r.log_target = "/global";
  r.endpoint = "global";
  return r;
}

gateway_settings settings_for(const std::string& base) {
  gateway_settings s;
  s.base = *parse_base_url(base);
  s.limits.rate = {100000, 1000};  // out of the way unless a test sets it
  s.max_retries = 0;
  s.timeout = 5s;
  s.retry_base_delay = 20ms;
  s.retry_max_delay = 100ms;
  return s;
}

// Runs `f` (a coroutine) to completion on a fresh io_context and returns its result.
template <class F>
auto run(F f) {
  asio::io_context ioc;
  auto fut = asio::co_spawn(ioc, f(), asio::use_future);
  ioc.run();
  return fut.get();
}

core::result<call_response> call_once(gateway& g, call_request r = global_request(),
                                      std::chrono::milliseconds within = 5s) {
  return run([&]() -> asio::awaitable<core::result<call_response>> {
    co_return co_await g.call(r, steady::now() + within);
  });
}

std::int64_t provider_calls(fake_upstream& fake, const char* provider = "coingecko") {
  return fake.calls().at("providers").at(provider).at("calls").to_number<std::int64_t>();
}

std::vector<std::int64_t> call_times(fake_upstream& fake, const char* provider = "coingecko") {
  std::vector<std::int64_t> out;
  const auto calls = fake.calls();
  for (const auto& t : calls.at("providers").at(provider).at("times_ms").as_array())
    out.push_back(t.to_number<std::int64_t>());
  std::sort(out.begin(), out.end());
  return out;
}

class UpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = http_client::create({});
    ASSERT_TRUE(c);
    http_ = std::move(*c);
  }
  std::unique_ptr<redis_limits> shared_limits(store::redis::client& redis) {
    return std::make_unique<redis_limits>(redis, "cdtest:", core::system_clock::instance());
  }
  std::unique_ptr<store::redis::client> connect(const testing::redis_server& server) {
    store::redis::client_options o;
    o.link.where = *store::redis::parse_url(server.url());
    auto c = std::make_unique<store::redis::client>(o);
    EXPECT_TRUE(c->wait_connected(5s));
    return c;
  }

  fake_upstream fake_;
  std::unique_ptr<http_client> http_;
};

// Issue 5: "With a limit of 6/min and burst 2, 40 concurrent cold requests → the fake sees ≤ 2
// calls at once and ≤ 6 in the minute". Callers willing to wait 16 s: the burst of two goes at
// once, a third 12 s later (leaving the 3 s connect timeout before the deadline); everyone
// else is refused without reaching the fake.
TEST_F(UpstreamTest, FortyConcurrentCallersStayWithinSixPerMinuteBurstTwo) {
  testing::redis_server redis_server;
  auto redis = connect(redis_server);
  auto limits = shared_limits(*redis);
  fake_.set_fault(R"({"path":"/coingecko","delay_ms":300})");
  auto s = settings_for(fake_.base_url("coingecko"));
  s.limits.rate = {6, 2};
  gateway g("coingecko", s, *http_, *limits, core::system_clock::instance());

  asio::io_context ioc;
  int ok = 0, limited = 0, other = 0;
  const auto deadline = steady::now() + 16s;
  for (int i = 0; i < 40; ++i) {
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
      auto r = co_await g.call(global_request(), deadline);
      if (r && r->status == 200) ++ok;
      else if (!r && r.error() == core::errc::rate_limited) ++limited;
      else ++other;
    }, asio::detached);
  }
  ioc.run();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(limited, 37);
  EXPECT_EQ(other, 0);
  const auto calls = fake_.calls().at("providers").at("coingecko");
  EXPECT_EQ(calls.at("calls").to_number<int>(), 3);
  EXPECT_LE(calls.at("max_in_flight").to_number<int>(), 2);
  const auto times = call_times(fake_);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_LT(times[1] - times[0], 200);   // the burst
  EXPECT_GE(times[2] - times[0], 11900);  // then 60 s / (6 - 2 + 1) = 12 s later
}

// "…two processes sharing Redis together stay within it."
TEST_F(UpstreamTest, TwoProcessesSharingRedisShareOneLimit) {
  testing::redis_server redis_server;
  std::vector<std::string> args = {CRYPTODASH_UPSTREAM_HELPER, "burst", "--redis",
                                   redis_server.url(), "--base", fake_.base_url("coingecko"),
                                   "--rate", "6", "--burst", "2", "--callers", "20",
                                   "--deadline-ms", "4000"};
  testing::child_process a(args), b(args);
  ASSERT_EQ(a.wait(20s), 0) << a.err();
  ASSERT_EQ(b.wait(20s), 0) << b.err();
  auto ok_of = [](const std::string& out) {
    const auto at = out.find("ok=");
    return at == std::string::npos ? -1 : std::stoi(out.substr(at + 3));
  };
  EXPECT_EQ(ok_of(a.out()) + ok_of(b.out()), 2) << a.out() << b.out();
  EXPECT_EQ(provider_calls(fake_), 2);
}

// "A 429 with Retry-After: 5 → no call to that provider for 5 s from any process."
TEST_F(UpstreamTest, RetryAfterStopsEveryProcessForItsDuration) {
  testing::redis_server redis_server;
  auto redis = connect(redis_server);
  auto limits = shared_limits(*redis);
  gateway g("coingecko", settings_for(fake_.base_url("coingecko")), *http_, *limits,
            core::system_clock::instance());
  fake_.set_fault(R"({"path":"/coingecko","status":429,"headers":{"Retry-After":"5"},"times":1})");

  auto first = call_once(g);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429u);
  // This instance: refused at once, without a call.
  auto again = call_once(g);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), core::errc::rate_limited);

  // Another instance polls every 200 ms for 7 s.
  testing::child_process other({CRYPTODASH_UPSTREAM_HELPER, "poll", "--redis", redis_server.url(),
                                "--base", fake_.base_url("coingecko"), "--for-ms", "7000",
                                "--every-ms", "200"});
  ASSERT_EQ(other.wait(20s), 0) << other.err();
  std::istringstream lines(other.out());
  std::string line;
  int refused = 0, answered = 0;
  while (std::getline(lines, line)) {
    if (line.ends_with(" rate_limited")) ++refused;
    if (line.ends_with(" 200")) ++answered;
  }
  EXPECT_GT(refused, 10) << other.out();
  EXPECT_GT(answered, 5) << other.out();

  const auto times = call_times(fake_);
  ASSERT_GE(times.size(), 2u);
  EXPECT_GE(times[1] - times[0], 5000) << "a call reached the provider during the cool-down";
  EXPECT_EQ(g.stats().throttled, 1u);
}

// "A provider failing every call → breaker opens after the threshold; only probes reach the
// fake while open; it closes again after the fault clears."
TEST_F(UpstreamTest, BreakerOpensLetsOnlyProbesThroughAndClosesWhenTheFaultClears) {
  local_limits limits(core::system_clock::instance());
  auto s = settings_for(fake_.base_url("coingecko"));
  s.breaker.failure_threshold = 3;
  s.breaker.open_for = 1s;
  s.breaker.half_open_probes = 1;
  gateway g("coingecko", s, *http_, limits, core::system_clock::instance());
  fake_.set_fault(R"({"path":"/coingecko","status":503})");

  int failed = 0, refused = 0;
  const auto until = steady::now() + 2500ms;
  run([&]() -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (steady::now() < until) {
      auto r = co_await g.call(global_request(), steady::now() + 5s);
      if (r && r->status == 503) ++failed;
      if (!r && r.error() == core::errc::circuit_open) ++refused;
      t.expires_after(20ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  });
  // Three to open it, then one probe per second of cool-down (at 1 s and about 2 s).
  EXPECT_GE(failed, 4);
  EXPECT_LE(failed, 5);
  EXPECT_EQ(provider_calls(fake_), failed);
  EXPECT_GT(refused, 50);
  EXPECT_EQ(g.stats().breaker.state, breaker_state::open);
  EXPECT_GE(g.stats().breaker.opened, 2u);

  fake_.clear_faults();
  std::this_thread::sleep_for(1100ms);  // the cool-down, in real time: integration test
  auto probe = call_once(g);
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->status, 200u);
  EXPECT_EQ(g.stats().breaker.state, breaker_state::closed);
  for (int i = 0; i < 5; ++i) {
    auto r = call_once(g);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
  }
}

TEST_F(UpstreamTest, ServerErrorsAreRetriedWithBackoffClientErrorsAreNot) {
  local_limits limits(core::system_clock::instance());
  auto s = settings_for(fake_.base_url("coingecko"));
  s.max_retries = 2;
  gateway g("coingecko", s, *http_, limits, core::system_clock::instance());

  fake_.set_fault(R"({"path":"/coingecko","status":500,"times":2})");
  auto r = call_once(g);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);  // third attempt
  EXPECT_EQ(provider_calls(fake_), 3);
  EXPECT_EQ(g.stats().retries, 2u);

  fake_.reset();
  fake_.set_fault(R"({"path":"/coingecko","status":404})");
  r = call_once(g);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(provider_calls(fake_), 1);

  fake_.reset();
  http_->clear_pool();  // a kept-alive connection would add one transparent retry
  fake_.set_fault(R"({"path":"/coingecko","reset":true})");
  r = call_once(g);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::unavailable);
  EXPECT_EQ(provider_calls(fake_), 3);
}

TEST_F(UpstreamTest, AHangingProviderCostsTheAttemptTimeoutNotMore) {
  local_limits limits(core::system_clock::instance());
  auto s = settings_for(fake_.base_url("coingecko"));
  s.timeout = 300ms;
  gateway g("coingecko", s, *http_, limits, core::system_clock::instance());
  fake_.set_fault(R"({"path":"/coingecko","hang":true})");
  const auto start = steady::now();
  auto r = call_once(g);
  const auto took = steady::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::timeout);
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2s);
}

TEST_F(UpstreamTest, BodiesOverTheBoundAreRefused) {
  local_limits limits(core::system_clock::instance());
  auto s = settings_for(fake_.base_url("coingecko"));
  s.max_response_bytes = 64;
  gateway g("coingecko", s, *http_, limits, core::system_clock::instance());
  auto r = call_once(g);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::too_large);
}

TEST_F(UpstreamTest, KeepAliveReusesTheConnection) {
  local_limits limits(core::system_clock::instance());
  gateway g("coingecko", settings_for(fake_.base_url("coingecko")), *http_, limits,
            core::system_clock::instance());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(call_once(g));
  EXPECT_EQ(http_->stats().connections_opened, 1u);
  EXPECT_EQ(http_->stats().connections_reused, 2u);
}

TEST_F(UpstreamTest, AKeptAliveConnectionThatFailsIsReplacedTransparently) {
  local_limits limits(core::system_clock::instance());
  gateway g("coingecko", settings_for(fake_.base_url("coingecko")), *http_, limits,
            core::system_clock::instance());
  ASSERT_TRUE(call_once(g));
  fake_.set_fault(R"({"path":"/coingecko","reset":true,"times":1})");
  auto r = call_once(g);  // max_retries is 0: the client itself replaced the connection
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(http_->stats().connections_opened, 2u);
  EXPECT_EQ(g.stats().retries, 0u);
}

TEST_F(UpstreamTest, BudgetRefusesCallsOnceSpent) {
  local_limits limits(core::system_clock::instance());
  auto s = settings_for(fake_.base_url("coingecko"));
  s.limits.budget.daily = 2;
  gateway g("coingecko", s, *http_, limits, core::system_clock::instance());
  ASSERT_TRUE(call_once(g));
  ASSERT_TRUE(call_once(g));
  auto r = call_once(g);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::budget_exhausted);
  EXPECT_EQ(provider_calls(fake_), 2);
}

TEST_F(UpstreamTest, SharedBudgetCountsEveryInstance) {
  testing::redis_server redis_server;
  auto redis = connect(redis_server);
  auto l1 = shared_limits(*redis);
  auto l2 = shared_limits(*redis);
  auto s = settings_for(fake_.base_url("coingecko"));
  s.limits.budget.monthly = 3;
  gateway a("coingecko", s, *http_, *l1, core::system_clock::instance());
  gateway b("coingecko", s, *http_, *l2, core::system_clock::instance());
  ASSERT_TRUE(call_once(a));
  ASSERT_TRUE(call_once(b));
  ASSERT_TRUE(call_once(a));
  auto r = call_once(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::budget_exhausted);
  const auto used = run([&]() -> asio::awaitable<budget_usage> { co_return co_await b.usage(); });
  EXPECT_EQ(used.month, 3);
}

TEST_F(UpstreamTest, LimitsFallBackToLocalWhenRedisIsDown) {
  auto redis_server = std::make_unique<testing::redis_server>();
  auto redis = connect(*redis_server);
  auto limits = shared_limits(*redis);
  redis_server->kill();
  auto s = settings_for(fake_.base_url("coingecko"));
  s.limits.rate = {6, 1};
  gateway g("coingecko", s, *http_, *limits, core::system_clock::instance());
  auto r = call_once(g);
  ASSERT_TRUE(r);  // served, limited locally
  EXPECT_EQ(r->status, 200u);
  auto second = call_once(g, global_request(), 4s);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), core::errc::rate_limited);
  EXPECT_GE(limits->fallbacks(), 2u);
}

class UpstreamTlsTest : public ::testing::Test {
 protected:
  testing::temp_dir dir_;
  testing::test_pki pki_ = testing::make_test_pki(dir_.path());

  // A fake serving HTTPS with the test PKI's server certificate (for 127.0.0.1, localhost).
  testing::fake_upstream_options tls_fake(std::vector<std::string> extra = {}) const {
    testing::fake_upstream_options o;
    o.tls_cert = pki_.server_cert;
    o.tls_key = pki_.server_key;
    o.tls_ca = pki_.ca_cert;
    o.extra_args = std::move(extra);
    return o;
  }

  core::result<call_response> get(const std::string& ca, const std::string& base,
                                  std::string proxy = "") {
    http_client_options o;
    o.ca_file = ca;
    o.https_proxy = std::move(proxy);
    o.no_proxy = "";
    auto c = http_client::create(o);
    if (!c) return c.error();
    local_limits limits(core::system_clock::instance());
    gateway g("coingecko", settings_for(base), **c, limits, core::system_clock::instance());
    return call_once(g);
  }
};

TEST_F(UpstreamTlsTest, VerifiesTheChainAndTheHostName) {
  fake_upstream fake(tls_fake());
  const std::string port = std::to_string(fake.port());

  auto good = get(pki_.ca_cert, "https://127.0.0.1:" + port + "/coingecko");
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->status, 200u);
  auto by_name = get(pki_.ca_cert, "https://localhost:" + port + "/coingecko");
  ASSERT_TRUE(by_name) << by_name.error().message();

  auto wrong_ca = get(pki_.other_ca_cert, "https://127.0.0.1:" + port + "/coingecko");
  ASSERT_FALSE(wrong_ca);
  EXPECT_EQ(wrong_ca.error(), core::errc::unavailable);
  auto system_only = get("", "https://127.0.0.1:" + port + "/coingecko");
  ASSERT_FALSE(system_only);
  EXPECT_EQ(system_only.error(), core::errc::unavailable);
  EXPECT_EQ(provider_calls(fake), 2);  // refused ones never sent a request
}

TEST_F(UpstreamTlsTest, RefusesACertificateForAnotherHost) {
  // The certificate names 127.0.0.1 and localhost; this fake listens on 127.0.0.2.
  auto o = tls_fake({"--listen", "127.0.0.2"});
  o.tls_ca.reset();  // the control API (on 127.0.0.1) is not used here
  fake_upstream fake(o);
  auto r = get(pki_.ca_cert, "https://127.0.0.2:" + std::to_string(fake.port()) + "/coingecko");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::unavailable);
}

TEST_F(UpstreamTlsTest, HttpsProxyTunnelsWithConnect) {
  fake_upstream fake(tls_fake());
  testing::connect_proxy proxy;
  const std::string authority = "localhost:" + std::to_string(fake.port());
  auto r = get(pki_.ca_cert, "https://" + authority + "/coingecko", proxy.url());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.last_target(), authority);
}

}  // namespace
}  // namespace cryptodash::upstream
