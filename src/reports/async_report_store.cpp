#include "reports/async_report_store.h"

#include <boost/asio/use_awaitable.hpp>

namespace cryptodash::reports {

namespace asio = boost::asio;

// Plain functions that return the operation's awaitable, not coroutines: one frame less, and no
// lambda temporary inside a co_await expression, which GCC 12 miscompiles when the lambda
// init-captures a std::string (the temporary is relocated bytewise into the coroutine frame and
// its destructor frees a bad pointer; reproduced with `co_await pool.async_run([s =
// std::move(s)]() noexcept {...}, use_awaitable)`).

asio::awaitable<core::result<int>> async_report_store::migrate() {
  return pool_.async_run([this]() noexcept { return store_.migrate(); }, asio::use_awaitable);
}

asio::awaitable<core::result<std::int64_t>> async_report_store::insert(new_report report) {
  return pool_.async_run(
      [this, report = std::move(report)]() noexcept { return store_.insert(report); },
      asio::use_awaitable);
}

asio::awaitable<core::result<std::optional<stored_report>>> async_report_store::get(
    std::int64_t id) {
  return pool_.async_run([this, id]() noexcept { return store_.get(id); }, asio::use_awaitable);
}

asio::awaitable<core::result<std::optional<stored_report>>> async_report_store::latest(
    std::string symbol, std::string timeframe) {
  return pool_.async_run(
      [this, symbol = std::move(symbol), timeframe = std::move(timeframe)]() noexcept {
        return store_.latest(symbol, timeframe);
      },
      asio::use_awaitable);
}

asio::awaitable<core::result<report_page>> async_report_store::list(page_request page) {
  return pool_.async_run([this, page = std::move(page)]() noexcept { return store_.list(page); },
                         asio::use_awaitable);
}

asio::awaitable<core::result<std::int64_t>> async_report_store::count() {
  return pool_.async_run([this]() noexcept { return store_.count(); }, asio::use_awaitable);
}

}  // namespace cryptodash::reports
