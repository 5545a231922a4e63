#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace cryptodash::cache {

/// A one-shot event: async_wait completes once open() has been called (at once if it already
/// was). Waiters may be on any executor and each resumes on its own, with no error; a waiter
/// whose operation is cancelled (e.g. the losing side of `a || b`) completes with
/// operation_aborted. Thread-safe.
class async_event {
 public:
  using handler_type = boost::asio::any_completion_handler<void(boost::system::error_code)>;

  template <class Token>
  auto async_wait(Token&& token) {
    auto initiate = [state = state_](auto handler) {
      // The waiter's own executor (the coroutine's, for awaitables), work-tracked.
      boost::asio::any_io_executor ex = boost::asio::prefer(
          boost::asio::get_associated_executor(handler, boost::asio::system_executor()),
          boost::asio::execution::outstanding_work.tracked);
      auto slot = boost::asio::get_associated_cancellation_slot(handler);
      start(state, handler_type(std::move(handler)), std::move(ex), slot);
    };
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(initiate, token);
  }

  /// Completes every waiter, now and to come.
  void open() {
    std::map<std::uint64_t, waiter> ready;
    {
      std::lock_guard lock(state_->mutex);
      if (state_->open) return;
      state_->open = true;
      ready.swap(state_->waiters);
    }
    for (auto& [id, w] : ready) finish(w, {});
  }

  bool is_open() const {
    std::lock_guard lock(state_->mutex);
    return state_->open;
  }

 private:
  struct waiter {
    handler_type handler;
    boost::asio::any_io_executor work;  // keeps the waiter's context running meanwhile
  };
  struct state {
    std::mutex mutex;
    bool open = false;                          // guarded by mutex
    std::uint64_t next_id = 0;                  // guarded by mutex
    std::map<std::uint64_t, waiter> waiters;    // guarded by mutex
  };

  // Waiters are only ever move-constructed: Boost 1.81's any_completion_handler move
  // assignment recurses without end (it builds a new handler from an lvalue of itself).
  static void start(const std::shared_ptr<state>& s, handler_type handler,
                    boost::asio::any_io_executor ex, boost::asio::cancellation_slot slot) {
    waiter w{std::move(handler), std::move(ex)};
    std::unique_lock lock(s->mutex);
    if (s->open) {
      lock.unlock();
      finish(w, {});
      return;
    }
    const std::uint64_t id = s->next_id++;
    s->waiters.emplace(id, std::move(w));
    // Found by id through a weak reference: a late or repeated cancellation, or one after the
    // event is gone, does nothing.
    if (slot.is_connected()) {
      std::weak_ptr<state> weak = s;
      slot.assign([weak, id](boost::asio::cancellation_type) { cancel(weak, id); });
    }
  }

  static void cancel(const std::weak_ptr<state>& weak, std::uint64_t id) {
    auto s = weak.lock();
    if (!s) return;
    std::optional<waiter> w;
    {
      std::lock_guard lock(s->mutex);
      auto it = s->waiters.find(id);
      if (it == s->waiters.end()) return;  // completed already
      w.emplace(std::move(it->second));
      s->waiters.erase(it);
    }
    finish(*w, boost::asio::error::operation_aborted);
  }

  static void finish(waiter& w, boost::system::error_code ec) {
    auto work = std::move(w.work);
    auto handler = std::make_shared<handler_type>(std::move(w.handler));
    boost::asio::post(work, [handler, ec]() mutable { std::move(*handler)(ec); });
  }

  std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace cryptodash::cache
