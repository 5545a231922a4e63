#pragma once

// Fetches the parts of a market report through the data service (I/O side of report.h).

#include "core/error.h"
#include "market/data_service.h"
#include "reports/report.h"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace cryptodash::reports {

/// The inputs of a report for `symbol` and `timeframe`, read through the data service's
/// get-or-compute — so every upstream call obeys its rate limit, breaker and budget, and a
/// fresh cached part costs no call. The nine parts (market, candles, global, Fear & Greed, five
/// indicators on the period's candle interval) are fetched concurrently, each waited for at
/// most its provider's timeout plus market::wait_margin: one slow or failing part never
/// delays or blanks the others (it comes back without a value and with errc::timeout).
/// `symbol` and `timeframe` are checked with core::normalize_symbol / normalize_timeframe:
/// errc::invalid_argument when either is malformed. Resumes on the caller's executor; never
/// throws. `data` must outlive the call.
boost::asio::awaitable<core::result<report_inputs>> gather_report_inputs(
    market::data_service& data, std::string symbol, std::string timeframe);

}  // namespace cryptodash::reports
