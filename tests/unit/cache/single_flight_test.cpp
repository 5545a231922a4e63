#include "cache/single_flight.h"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cryptodash::cache {
namespace {

namespace asio = boost::asio;
using flights = single_flight<std::string, int>;

// A run that waits for `gate`, counting how often it started, and returns `value`.
auto gated(async_event& gate, int& started, int value) {
  return [&gate, &started, value]() -> asio::awaitable<core::result<int>> {
    ++started;
    co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return value;
  };
}

// Spawns one run() on `ioc`, its outcome into `out` when it ends.
void spawn_run(asio::io_context& ioc, flights& f, std::string key, async_event& gate,
               int& started, int value, std::optional<flights::outcome>& out) {
  asio::co_spawn(ioc, f.run(std::move(key), gated(gate, started, value)),
                 [&out](std::exception_ptr e, flights::outcome o) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(o);
                 });
}

TEST(SingleFlight, callers_of_one_key_share_one_run) {
  asio::io_context ioc;
  flights f;
  async_event gate;
  int started = 0;
  std::vector<std::optional<flights::outcome>> outs(50);
  for (auto& out : outs) spawn_run(ioc, f, "k", gate, started, 42, out);
  ioc.poll();
  EXPECT_EQ(f.in_flight(), 1u);
  gate.open();
  ioc.run();
  EXPECT_EQ(started, 1);
  int ran = 0;
  for (auto& out : outs) {
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->result);
    EXPECT_EQ(*out->result, 42);
    ran += out->ran ? 1 : 0;
  }
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(f.in_flight(), 0u);

  // The key is free again: a later call runs once more.
  std::optional<flights::outcome> later;
  spawn_run(ioc, f, "k", gate, started, 7, later);
  ioc.restart();
  ioc.run();
  ASSERT_TRUE(later && later->result);
  EXPECT_EQ(*later->result, 7);
  EXPECT_TRUE(later->ran);
  EXPECT_EQ(started, 2);
}

TEST(SingleFlight, past_the_bound_another_key_is_refused_without_running) {
  asio::io_context ioc;
  flights f(2);
  async_event gate;
  int started = 0;
  std::optional<flights::outcome> a, b, c, a_again;
  spawn_run(ioc, f, "a", gate, started, 1, a);
  spawn_run(ioc, f, "b", gate, started, 2, b);
  ioc.poll();
  spawn_run(ioc, f, "c", gate, started, 3, c);
  spawn_run(ioc, f, "a", gate, started, 9, a_again);  // waits: "a" runs already
  ioc.poll();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->result.error(), core::errc::rate_limited);
  EXPECT_FALSE(c->ran);
  EXPECT_FALSE(a_again);
  EXPECT_EQ(started, 2);
  gate.open();
  ioc.run();
  ASSERT_TRUE(a && b && a_again);
  EXPECT_EQ(*a->result, 1);
  EXPECT_EQ(*b->result, 2);
  EXPECT_EQ(*a_again->result, 1);
  EXPECT_FALSE(a_again->ran);
}

TEST(SingleFlight, a_cancelled_waiter_returns_cancelled_and_the_run_goes_on) {
  asio::io_context ioc;
  flights f;
  async_event gate;
  int started = 0;
  std::optional<flights::outcome> leader, waiter;
  spawn_run(ioc, f, "k", gate, started, 5, leader);
  ioc.poll();
  asio::cancellation_signal cancel;
  asio::co_spawn(ioc, f.run("k", gated(gate, started, 6)),
                 asio::bind_cancellation_slot(
                     cancel.slot(), [&waiter](std::exception_ptr e, flights::outcome o) {
                       if (e) std::rethrow_exception(e);
                       waiter = std::move(o);
                     }));
  ioc.poll();
  cancel.emit(asio::cancellation_type::terminal);
  ioc.poll();
  ASSERT_TRUE(waiter);
  EXPECT_EQ(waiter->result.error(), core::errc::cancelled);
  EXPECT_FALSE(leader);
  gate.open();
  ioc.run();
  ASSERT_TRUE(leader && leader->result);
  EXPECT_EQ(*leader->result, 5);
  EXPECT_EQ(started, 1);
}

TEST(SingleFlight, a_leader_destroyed_mid_run_frees_the_key_and_its_waiters_get_cancelled) {
  flights f;
  auto leader_ctx = std::make_unique<asio::io_context>();
  asio::io_context waiter_ctx;
  auto never = [&]() -> asio::awaitable<core::result<int>> {
    asio::steady_timer t(*leader_ctx, std::chrono::hours(1));
    co_await t.async_wait(asio::use_awaitable);
    co_return 1;
  };
  bool leader_ended = false;
  asio::co_spawn(*leader_ctx, f.run("k", never),
                 [&](std::exception_ptr, flights::outcome) { leader_ended = true; });
  leader_ctx->poll();
  async_event unused;
  int started = 0;
  std::optional<flights::outcome> waiter;
  spawn_run(waiter_ctx, f, "k", unused, started, 2, waiter);
  waiter_ctx.poll();
  EXPECT_FALSE(waiter);
  leader_ctx.reset();  // destroys the suspended leader's frames
  waiter_ctx.run();
  EXPECT_FALSE(leader_ended);
  ASSERT_TRUE(waiter);
  EXPECT_EQ(waiter->result.error(), core::errc::cancelled);
  EXPECT_EQ(started, 0);
  EXPECT_EQ(f.in_flight(), 0u);
}

}  // namespace
}  // namespace cryptodash::cache
