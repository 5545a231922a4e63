#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string_view>
#include <type_traits>

namespace cryptodash::core {

/// The project's error conditions, carried in a boost::system::error_code whose category is
/// core::error_category(). Zero is never used: a default-constructed error_code means success.
/// A cache outcome (hit, stale, miss) is not an error and has no value here.
enum class errc {
  invalid_argument = 1,  ///< malformed input: bad symbol, bad setting value, bad request
  not_found,             ///< well-formed, but nothing by that name exists
  timeout,               ///< a deadline passed
  unavailable,           ///< a dependency (Redis, an upstream, the disk) cannot be reached
  rate_limited,          ///< no permit within the caller's deadline
  circuit_open,          ///< a circuit breaker refused the call
  budget_exhausted,      ///< a provider's call budget is used up
  upstream_error,        ///< an upstream answered with an error status
  bad_response,          ///< an upstream answer failed its schema
  corrupt,               ///< a stored entry failed its checksum, version or parse
  unauthorized,          ///< credentials missing or wrong
  forbidden,             ///< the action is disabled
  too_large,             ///< a size bound was exceeded
  cancelled,             ///< the operation was cancelled (shutdown, caller gone)
  io_error,              ///< a local I/O failure (file, socket)
};

/// The category of errc. Its name is "cryptodash"; messages are short English sentences.
const boost::system::error_category& error_category() noexcept;

/// Found by argument-dependent lookup, so `error_code ec = errc::timeout;` works.
boost::system::error_code make_error_code(errc e) noexcept;

/// The snake_case name of `e` ("rate_limited"), used as the `code` of API error bodies.
std::string_view to_string(errc e) noexcept;

/// The return type of fallible calls on the request path: a value or an error_code.
template <class T>
using result = boost::system::result<T, boost::system::error_code>;

}  // namespace cryptodash::core

template <>
struct boost::system::is_error_code_enum<cryptodash::core::errc> : std::true_type {};
