#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cryptodash::reports {

/// Threads for blocking calls (a database driver), so that Asio threads never block: a call is
/// posted to the pool, runs there, and its completion is dispatched to the caller's executor —
/// a coroutine that `co_await`s it resumes on its own executor (its strand, its io_context).
/// Calls run in the order they were posted when there is one thread, concurrently otherwise.
/// Thread-safe. Destruction waits for the calls already posted.
class blocking_pool {
 public:
  /// `threads` ≥ 1. Size it to the blocking resource: the PostgreSQL pool's connections; one or
  /// two for SQLite, whose store runs one call at a time anyway.
  explicit blocking_pool(std::size_t threads) : pool_(threads < 1 ? 1 : threads) {}
  ~blocking_pool() { pool_.join(); }

  /// Waits for the calls already posted, then ends the threads; later calls never run. For
  /// shutdown, before the executors the calls complete on are destroyed. Idempotent.
  void join() { pool_.join(); }
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  /// Runs `f()` on the pool; completes with its result, signature void(R). The caller's
  /// executor (the token's associated executor) counts the call as outstanding work until then,
  /// so its io_context does not run out of work while waiting. `f` must not throw (a store call
  /// reports errors in its result) and cannot be cancelled once posted.
  /// Example: `auto r = co_await pool.async_run([&]() noexcept { return s.count(); },
  /// boost::asio::use_awaitable);`. With GCC 12, name a lambda that init-captures by move before
  /// the co_await (`auto call = [r = std::move(r)]…; co_await pool.async_run(std::move(call), …)`):
  /// as a temporary inside the co_await expression it is miscompiled (async_report_store.cpp).
  template <class F, class Token>
  auto async_run(F f, Token&& token) {
    static_assert(std::is_nothrow_invocable_v<F&>, "the blocking call must be noexcept");
    using result_type = std::invoke_result_t<F&>;
    auto initiate = [this](auto handler, F call) {
      auto home =
          boost::asio::prefer(boost::asio::get_associated_executor(handler, pool_.get_executor()),
                              boost::asio::execution::outstanding_work.tracked);
      boost::asio::post(pool_, [handler = std::move(handler), call = std::move(call),
                                home = std::move(home)]() mutable {
        result_type r = call();
        boost::asio::dispatch(home, boost::asio::append(std::move(handler), std::move(r)));
      });
    };
    return boost::asio::async_initiate<Token, void(result_type)>(initiate, token, std::move(f));
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace cryptodash::reports
