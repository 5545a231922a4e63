#pragma once

// Helpers every provider shares: the HTTP status rule, building targets with encoded queries
// and a redacted twin for logs, and the plausibility rule for upstream timestamps.

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/call.h"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cryptodash::upstream {

/// The outcome decided by the HTTP status alone, never by the body:
///   2xx → success (the caller parses the body); 404 → errc::not_found;
///   401, 403 → errc::unauthorized; 451 (Binance: restricted location) → errc::forbidden, since
///   no credential would help; 418 (Binance IP ban), 429 → errc::rate_limited;
///   anything else (1xx, 3xx, other 4xx, 5xx, 0) → errc::upstream_error.
core::result<void> check_status(unsigned status);

/// check_status, then parse_json of the body (errc::bad_response if it is not JSON).
core::result<boost::json::value> parse_body(const call_response& r);

/// RFC 3986 percent-encoding of a query value: everything except ALPHA DIGIT - . _ ~ becomes
/// %XX (upper-case hex), so '/', ',', ' ', '[', '"' are all encoded.
std::string percent_encode(std::string_view value);

/// An exchange pair in upper case, "BTC" + separator + "USDT", from our lowercase symbol and
/// quote (validated as core::normalize_symbol does); else errc::invalid_argument.
core::result<std::string> trading_pair(std::string_view symbol, std::string_view quote,
                                       std::string_view separator);

/// Builds a target "/path?k=v&k2=v2" and, alongside, the form that may be logged, in which the
/// values added with add_secret read "***". Keys are written as given (callers pass literals).
class target_builder {
 public:
  /// `path` starts with '/' and is already encoded.
  explicit target_builder(std::string_view path);

  /// Appends `key=<percent_encode(value)>`.
  target_builder& add(std::string_view key, std::string_view value);
  /// Appends `key=value` with `value` already encoded (a list joined by ',').
  target_builder& add_encoded(std::string_view key, std::string_view encoded_value);
  /// Appends `key=<percent_encode(value)>` to the target and `key=***` to the log form.
  target_builder& add_secret(std::string_view key, std::string_view value);

  const std::string& target() const noexcept { return target_; }
  const std::string& log_target() const noexcept { return log_target_; }

  /// A GET call_request with this target, its log form, `endpoint` and `weight`.
  call_request get(std::string_view endpoint, int weight = 1) const;

 private:
  void separator();

  std::string target_;
  std::string log_target_;
  bool has_query_ = false;
};

/// The oldest time an upstream may report: 2009-01-01T00:00:00Z (before any cryptocurrency).
core::time_point earliest_plausible_time() noexcept;

/// Whether an upstream timestamp is plausible: not before 2009-01-01 and at most one day after
/// `now` (clocks drift; a day catches unit mix-ups, such as ms read as s, without flapping).
bool plausible_time(core::time_point t, core::time_point now) noexcept;

/// Unix seconds / milliseconds to a time point if plausible (checked before any conversion, so
/// huge values cannot overflow); nullopt otherwise.
std::optional<core::time_point> plausible_unix_seconds(std::int64_t s,
                                                       core::time_point now) noexcept;
std::optional<core::time_point> plausible_unix_millis(std::int64_t ms,
                                                      core::time_point now) noexcept;

/// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" in UTC (the form CoinGecko uses), with a real calendar
/// date, fields in range and a year in 1970..2200; nullopt for anything else (offsets other
/// than Z, spaces, ...).
std::optional<core::time_point> parse_iso8601(std::string_view text) noexcept;

}  // namespace cryptodash::upstream
