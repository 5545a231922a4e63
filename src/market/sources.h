#pragma once

// How a cached part is reported to people: the `sources` entries of the dashboard summary
// (SPEC section 4) and of market reports, and the text of an upstream error. Sans-I/O.

#include "cache/tiered_cache.h"
#include "core/clock.h"

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>

namespace cryptodash::market {

/// The text of the `error` of a source or of an API error for `ec`: "timeout after 10000 ms"
/// (just "timed out" when `timeout` is zero: not known), "circuit open", "rate limited", …
/// Empty for no error.
std::string describe_error(const boost::system::error_code& ec,
                           std::chrono::milliseconds timeout);

/// Whether a lookup has something to serve: a value that is not a not_found_payload.
bool usable(const cache::lookup& l) noexcept;

/// {"state","age_s","error"} of one part at `now`:
///   - usable and fresh → "fresh", its age in whole seconds (never negative), error null;
///   - usable but stale → "stale", its age, and the error of the failed refresh if any;
///   - otherwise → "unavailable", age null, the lookup's error ("not found" when the value is
///     a not-found payload or the lookup carries no error).
/// `timeout` is the part's provider timeout, named in a timeout's text.
boost::json::object source_status(const cache::lookup& l, core::time_point now,
                                  std::chrono::milliseconds timeout);

}  // namespace cryptodash::market
