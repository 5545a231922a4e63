#pragma once

#include "reports/blocking_pool.h"
#include "reports/report_store.h"

#include <boost/asio/awaitable.hpp>

namespace cryptodash::reports {

/// report_store for coroutines on Asio threads: each call runs on a blocking_pool and the
/// coroutine resumes on its own executor. Same results as the store's calls. The store and the
/// pool must outlive every call (destroy the pool, which waits for its calls, before the store).
/// Thread-safe.
class async_report_store {
 public:
  async_report_store(report_store& store, blocking_pool& pool) noexcept
      : store_(store), pool_(pool) {}

  boost::asio::awaitable<core::result<int>> migrate();
  boost::asio::awaitable<core::result<std::int64_t>> insert(new_report report);
  boost::asio::awaitable<core::result<std::optional<stored_report>>> get(std::int64_t id);
  boost::asio::awaitable<core::result<std::optional<stored_report>>> latest(std::string symbol,
                                                                            std::string timeframe);
  boost::asio::awaitable<core::result<report_page>> list(page_request page);
  boost::asio::awaitable<core::result<std::int64_t>> count();

  report_store& store() noexcept { return store_; }

 private:
  report_store& store_;
  blocking_pool& pool_;
};

}  // namespace cryptodash::reports
