#pragma once

// Checked reading of upstream JSON: a parser whose doubles are exact, and a reader that turns
// "missing", "wrong type", "not finite", "negative" into one errc::bad_response.

#include "core/clock.h"
#include "core/error.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace cryptodash::upstream {

/// Parses one complete JSON document. Numbers with a fraction or an exponent are converted from
/// their text by std::from_chars, so `6.88313e-7` becomes exactly the double the literal
/// 6.88313e-7 names (Boost.JSON 1.81's own conversion is off by an ulp for many inputs);
/// integers stay int64 (or uint64 above INT64_MAX). Empty input, truncated or trailing bytes,
/// HTML, a number outside the range of double: errc::bad_response.
core::result<boost::json::value> parse_json(std::string_view body);

/// The whole of `text` as a finite decimal number ("47174.97000000", "-3.531", "1e-7").
/// Leading or trailing spaces, '+', hex, "nan", "inf", an empty string: errc::bad_response.
core::result<double> parse_decimal(std::string_view text);

/// The whole of `text` as a base-10 integer ("1762560000", "-1"); errc::bad_response otherwise.
core::result<std::int64_t> parse_integer(std::string_view text);

/// Whether a number may be negative. Prices, volumes, market caps and supplies may not.
enum class sign { any, non_negative };

/// Reads typed members of objects and elements of arrays, remembering the first problem instead
/// of returning at each step: a failed read yields a harmless default (0, "", an empty object or
/// array) and sets error() to errc::bad_response. A parser reads everything it needs, then checks
/// ok() once. Numbers are accepted as int64, uint64 or double; `decimal` reads numbers that the
/// upstream sends as strings. Not thread-safe; one per parse.
class json_reader {
 public:
  const boost::json::object& object(const boost::json::value& v);
  const boost::json::object& object(const boost::json::object& o, std::string_view key);
  const boost::json::array& array(const boost::json::value& v);
  const boost::json::array& array(const boost::json::object& o, std::string_view key);
  /// The array `v`, which must have exactly `n` elements.
  const boost::json::array& array(const boost::json::value& v, std::size_t n);

  std::string_view string(const boost::json::value& v);
  std::string_view string(const boost::json::object& o, std::string_view key);
  /// A string member that must not be empty.
  std::string_view name(const boost::json::object& o, std::string_view key);

  double number(const boost::json::value& v, sign s = sign::any);
  double number(const boost::json::object& o, std::string_view key, sign s = sign::any);
  /// The member must be present; JSON null gives nullopt.
  std::optional<double> nullable_number(const boost::json::object& o, std::string_view key,
                                        sign s = sign::any);
  /// An integer that fits in int64 (a JSON number without fraction or exponent).
  std::int64_t integer(const boost::json::value& v);
  std::int64_t integer(const boost::json::object& o, std::string_view key);

  /// A string holding a decimal number (Binance prices, alternative.me values).
  double decimal(const boost::json::value& v, sign s = sign::any);
  double decimal(const boost::json::object& o, std::string_view key, sign s = sign::any);
  /// A string holding an integer (alternative.me timestamps).
  std::int64_t integer_string(const boost::json::object& o, std::string_view key);

  /// Checked conversions of Unix times: before 2009-01-01 or more than a day after `now` fails
  /// (see plausible_time in common.h).
  core::time_point unix_seconds(std::int64_t s, core::time_point now);
  core::time_point unix_millis(std::int64_t ms, core::time_point now);
  /// "2023-01-16T03:29:01.058Z" (UTC, optional fraction), also checked against `now`.
  core::time_point iso8601(std::string_view text, core::time_point now);

  /// Fails with errc::bad_response unless `condition` holds (for cross-field rules).
  void check(bool condition);
  /// Fails with `e` (first failure wins).
  void fail(core::errc e);

  bool ok() const noexcept { return !error_; }
  boost::system::error_code error() const noexcept { return error_; }

 private:
  const boost::json::value* find(const boost::json::object& o, std::string_view key);

  boost::system::error_code error_;
};

}  // namespace cryptodash::upstream
