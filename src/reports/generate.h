#pragma once

// Generating a report: gather the cached inputs, build the report, store it (issue 9).

#include "core/clock.h"
#include "market/data_service.h"
#include "reports/report.h"
#include "reports/report_cache.h"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <string>

namespace cryptodash::reports {

using generate_result = boost::system::result<report_ptr, report_error>;

/// Writes a new report of `symbol` and `timeframe` created now: its inputs come through the
/// data service's get-or-compute (gather_report_inputs: rate limits, breakers and budgets
/// obeyed; fresh cached parts cost no upstream call), build_report makes the body, and
/// `reports` stores it as the latest. Errors (report_error: code + a sentence for people):
/// invalid_argument for a malformed symbol or timeframe; unavailable when there is no market
/// price; the store's error when it could not be written. Never throws; resumes on the
/// caller's executor. Every argument must outlive the call.
boost::asio::awaitable<generate_result> generate_report(market::data_service& data,
                                                        report_cache& reports,
                                                        const core::clock& clock,
                                                        std::string symbol, std::string timeframe);

}  // namespace cryptodash::reports
