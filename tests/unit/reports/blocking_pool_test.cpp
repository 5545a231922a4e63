#include "reports/blocking_pool.h"

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>

namespace cryptodash::reports {
namespace {

namespace asio = boost::asio;

TEST(blocking_pool, runs_the_call_on_a_pool_thread_and_resumes_on_the_callers_thread) {
  asio::io_context io;
  blocking_pool pool(2);
  std::thread::id home, ran_on, resumed_on;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        home = std::this_thread::get_id();
        auto r = co_await pool.async_run(
            [&]() noexcept {
              ran_on = std::this_thread::get_id();
              return std::string("done");
            },
            asio::use_awaitable);
        resumed_on = std::this_thread::get_id();
        EXPECT_EQ(r, "done");
      },
      asio::detached);
  io.run();  // returns only once the coroutine finished: the call kept the context busy
  EXPECT_NE(ran_on, std::thread::id());
  EXPECT_NE(ran_on, home);
  EXPECT_EQ(resumed_on, home);
}

TEST(blocking_pool, a_coroutine_on_a_strand_resumes_on_its_strand) {
  asio::thread_pool io(2);
  auto strand = asio::make_strand(io);
  blocking_pool pool(2);
  std::atomic<int> off_strand{0};
  std::atomic<int> finished{0};
  constexpr int coroutines = 20;
  for (int i = 0; i < coroutines; ++i) {
    asio::co_spawn(
        strand,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await pool.async_run([i]() noexcept { return i * 2; }, asio::use_awaitable);
          if (!strand.running_in_this_thread()) ++off_strand;
          EXPECT_EQ(r, i * 2);
          ++finished;
        },
        asio::detached);
  }
  io.join();
  EXPECT_EQ(finished.load(), coroutines);
  EXPECT_EQ(off_strand.load(), 0);
}

TEST(blocking_pool, calls_run_concurrently_up_to_the_thread_count) {
  blocking_pool pool(3);
  asio::io_context io;
  std::latch all_running(3);  // each call waits for the other two: only concurrency passes
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    pool.async_run(
        [&]() noexcept {
          all_running.arrive_and_wait();
          return 1;
        },
        asio::bind_executor(io, [&](int v) { done += v; }));
  }
  io.run();
  EXPECT_EQ(done.load(), 3);
}

TEST(blocking_pool, move_only_results_are_handed_over) {
  asio::io_context io;
  blocking_pool pool(1);
  std::unique_ptr<int> got;
  pool.async_run([]() noexcept { return std::make_unique<int>(42); },
                 asio::bind_executor(io, [&](std::unique_ptr<int> p) { got = std::move(p); }));
  io.run();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, 42);
}

}  // namespace
}  // namespace cryptodash::reports
