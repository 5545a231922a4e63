#pragma once

#include "cache/async_event.h"
#include "core/error.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace cryptodash::cache {

/// One run of an asynchronous operation per key at a time (the report cache's database reads,
/// the report routes' renders): the first caller of run() for a key runs `fn`; callers that
/// come while it runs wait for it and get a copy of its result. A key is free again as soon as
/// its run ends, so a later call runs `fn` again (keep the result in a cache to answer those).
///
/// - At most `max_flights` keys run at once: run() for another key past that bound does not
///   run `fn` and returns errc::rate_limited at once (the caller answers "busy, retry"), so the
///   work queued behind a slow resource stays bounded. Waiters on a running key are not
///   counted.
/// - A waiter whose wait is cancelled returns errc::cancelled; the run goes on for the others.
///   A cancellation of the running caller reaches `fn` (it runs in the caller's coroutine), and
///   whatever `fn` then returns goes to the waiters too; if the running caller's coroutine is
///   destroyed before `fn` returns, its waiters get errc::cancelled. Either way the key is
///   free again. (No caller here cancels a leader: HTTP handlers are not cancelled.)
/// Thread-safe; every caller resumes on its own executor. `Value` must be copyable.
template <class Key, class Value, class Hash = std::hash<Key>>
class single_flight {
 public:
  explicit single_flight(std::size_t max_flights = std::numeric_limits<std::size_t>::max())
      : max_flights_(max_flights) {}
  single_flight(const single_flight&) = delete;
  single_flight& operator=(const single_flight&) = delete;

  struct outcome {
    core::result<Value> result;
    bool ran = false;  ///< this caller ran `fn` (false: it waited for another's, or was refused)
  };

  /// `fn`: a callable returning boost::asio::awaitable<core::result<Value>>, called at most
  /// once, by this caller, while this call's coroutine is suspended in run().
  template <class Fn>
  boost::asio::awaitable<outcome> run(Key key, Fn fn) {
    std::shared_ptr<flight> f;
    bool leader = false;
    {
      std::lock_guard lock(mutex_);
      if (auto it = flights_.find(key); it != flights_.end()) {
        f = it->second;
      } else if (flights_.size() >= max_flights_) {
        co_return outcome{make_error_code(core::errc::rate_limited), false};
      } else {
        f = std::make_shared<flight>();
        flights_.emplace(key, f);
        leader = true;
      }
    }
    if (!leader) {
      auto [ec] = co_await f->done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return outcome{make_error_code(core::errc::cancelled), false};
      co_return outcome{f->result, false};
    }
    // Frees the key and wakes the waiters however this frame ends (a destroyed coroutine too).
    landing done{*this, key, f};
    f->result = co_await fn();
    co_return outcome{f->result, true};
  }

  /// Keys running now.
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  struct flight {
    async_event done;
    core::result<Value> result{make_error_code(core::errc::cancelled)};  // set before done opens
  };

  struct landing {
    single_flight& owner;
    const Key& key;
    std::shared_ptr<flight> f;
    landing(single_flight& o, const Key& k, std::shared_ptr<flight> fl)
        : owner(o), key(k), f(std::move(fl)) {}
    landing(const landing&) = delete;
    landing& operator=(const landing&) = delete;
    ~landing() {
      {
        std::lock_guard lock(owner.mutex_);
        owner.flights_.erase(key);
      }
      f->done.open();
    }
  };

  const std::size_t max_flights_;
  mutable std::mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<flight>, Hash> flights_;  // guarded by mutex_
};

}  // namespace cryptodash::cache
