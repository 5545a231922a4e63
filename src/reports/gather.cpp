#include "reports/gather.h"

#include "core/keys.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>

namespace cryptodash::reports {

using namespace boost::asio::experimental::awaitable_operators;
using part = market::data_service::part;

boost::asio::awaitable<core::result<report_inputs>> gather_report_inputs(
    market::data_service& data, std::string symbol, std::string timeframe) {
  auto sym = core::normalize_symbol(symbol);
  if (!sym) co_return sym.error();
  auto tf = core::normalize_timeframe(timeframe);
  if (!tf) co_return tf.error();
  const auto period = period_of(*tf);
  if (!period) co_return make_error_code(core::errc::invalid_argument);

  report_inputs in;
  in.symbol = *sym;
  in.timeframe = *tf;
  const std::string interval(period->interval);
  in.timeouts.market = data.timeout_of(part::market, in.symbol);
  in.timeouts.candles = data.timeout_of(part::candles, in.symbol);
  in.timeouts.global = data.timeout_of(part::global);
  in.timeouts.fear_greed = data.timeout_of(part::fear_greed);
  // The indicators share one sources entry: the longest of their bounds names a timeout.
  auto indicator_wait = [&](std::string_view name) {
    auto t = data.timeout_of(part::indicator, in.symbol, name);
    in.timeouts.indicators = std::max(in.timeouts.indicators, t);
    return t + market::wait_margin;
  };
  const auto rsi_wait = indicator_wait("rsi");
  const auto sma_wait = indicator_wait("sma");
  const auto ema_wait = indicator_wait("ema");
  const auto macd_wait = indicator_wait("macd");
  const auto bbands_wait = indicator_wait("bbands");
  const auto& t = in.timeouts;
  const auto m = market::wait_margin;

  auto [mkt, cdl, glb, fng, rsi, sma, ema, macd, bbands] = co_await (
      market::within(data.market(in.symbol), t.market + m) &&
      market::within(data.candles(in.symbol, interval), t.candles + m) &&
      market::within(data.global(), t.global + m) &&
      market::within(data.fear_greed(), t.fear_greed + m) &&
      market::within(data.indicator(in.symbol, "rsi", rsi_period, interval), rsi_wait) &&
      market::within(data.indicator(in.symbol, "sma", sma_period, interval), sma_wait) &&
      market::within(data.indicator(in.symbol, "ema", ema_period, interval), ema_wait) &&
      market::within(data.indicator(in.symbol, "macd", macd_fast, interval), macd_wait) &&
      market::within(data.indicator(in.symbol, "bbands", bbands_period, interval), bbands_wait));
  in.market = std::move(mkt);
  in.candles = std::move(cdl);
  in.global = std::move(glb);
  in.fear_greed = std::move(fng);
  in.rsi = std::move(rsi);
  in.sma = std::move(sma);
  in.ema = std::move(ema);
  in.macd = std::move(macd);
  in.bbands = std::move(bbands);
  co_return in;
}

}  // namespace cryptodash::reports
