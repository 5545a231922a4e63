#include "cache/async_event.h"
#include "cache/entry.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace cryptodash::cache {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

entry sample() {
  core::manual_clock c;
  entry e;
  e.payload = R"({"price":64321.5})";
  e.created_at = c.now();
  e.fresh_until = c.now() + 60s;
  e.stale_until = c.now() + 24h;
  return e;
}

TEST(Entry, RoundTrips) {
  auto e = sample();
  auto back = decode_entry(encode_entry(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->payload, e.payload);
  EXPECT_EQ(back->created_at, e.created_at);
  EXPECT_EQ(back->fresh_until, e.fresh_until);
  EXPECT_EQ(back->stale_until, e.stale_until);
}

TEST(Entry, RoundTripsBinaryAndEmptyPayloads) {
  auto e = sample();
  e.payload = std::string("\0\1\2\xff", 4);
  EXPECT_EQ(decode_entry(encode_entry(e))->payload, e.payload);
  e.payload.clear();
  EXPECT_EQ(decode_entry(encode_entry(e))->payload, "");
}

TEST(Entry, RefusesEveryKindOfDamage) {
  const std::string good = encode_entry(sample());
  auto corrupt = [](std::string bytes) {
    auto r = decode_entry(bytes);
    return !r && r.error() == core::errc::corrupt;
  };
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x40);
    EXPECT_TRUE(corrupt(flipped)) << "flipped byte " << i;
  }
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_TRUE(corrupt(good.substr(0, n))) << "truncated to " << n;
  }
  EXPECT_TRUE(corrupt(good + "x"));
  EXPECT_TRUE(corrupt("not an entry at all"));
  EXPECT_TRUE(corrupt(R"({"json":"from another program"})"));
  std::string other_version = good;
  other_version[3] = 2;
  EXPECT_TRUE(corrupt(other_version));
}

TEST(AsyncEvent, WakesEveryWaiterOnceOpened) {
  asio::io_context ioc;
  async_event ev;
  int woken = 0;
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto [ec] = co_await ev.async_wait(asio::as_tuple(asio::use_awaitable));
          if (!ec) ++woken;
        },
        asio::detached);
  }
  ioc.poll();
  EXPECT_EQ(woken, 0);
  ev.open();
  ioc.poll();
  EXPECT_EQ(woken, 10);
  // Waiting on an open event completes at once.
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await ev.async_wait(asio::use_awaitable);
        ++woken;
      },
      asio::detached);
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(woken, 11);
}

TEST(AsyncEvent, ALosingWaitIsCancelled) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ioc;
  async_event ev;
  int outcome = -1;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer now(ioc, 0ms);
        auto r = co_await (ev.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                           now.async_wait(asio::as_tuple(asio::use_awaitable)));
        outcome = static_cast<int>(r.index());
      },
      asio::detached);
  ioc.run();  // ends: the event's waiter was cancelled, nothing is left
  EXPECT_EQ(outcome, 1);
  ev.open();  // nobody is waiting any more
}

}  // namespace
}  // namespace cryptodash::cache
