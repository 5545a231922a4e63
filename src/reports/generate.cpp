#include "reports/generate.h"

#include "reports/gather.h"

#include <fmt/format.h>

namespace cryptodash::reports {

namespace asio = boost::asio;

asio::awaitable<generate_result> generate_report(market::data_service& data, report_cache& reports,
                                                 const core::clock& clock, std::string symbol,
                                                 std::string timeframe) {
  auto inputs = co_await gather_report_inputs(data, symbol, timeframe);
  if (!inputs) {
    co_return report_error{inputs.error(), fmt::format("cannot make a {} {} report: {}", symbol,
                                                       timeframe, inputs.error().message())};
  }
  const auto now = clock.now();
  auto body = build_report(*inputs, now);
  if (!body) co_return body.error();
  // Named, not a temporary inside the co_await: GCC 12 destroys such temporaries twice.
  new_report report{inputs->symbol, inputs->timeframe, now, std::move(*body)};
  auto stored = co_await reports.insert(std::move(report));
  if (!stored) {
    co_return report_error{stored.error(),
                           fmt::format("cannot store the {} {} report: {}", inputs->symbol,
                                       inputs->timeframe, stored.error().message())};
  }
  co_return std::move(*stored);
}

}  // namespace cryptodash::reports
