#pragma once

// Pieces shared by the fake's routes, state and control API: the reply type, the request as the
// handlers see it, JSON text, time formatting.

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::fake {

namespace json = boost::json;

/// The four APIs the fake serves, each under /<name>.
enum class provider { coingecko, fear_greed, taapi, binance, none };
inline constexpr provider all_providers[] = {provider::coingecko, provider::fear_greed,
                                             provider::taapi, provider::binance};
std::string_view name(provider p);
/// The provider whose prefix starts `path` ("/binance/api/v3/ping" → binance), or none.
provider provider_of(std::string_view path);

/// An answer before it becomes an HTTP message. Header names keep their spelling.
struct reply {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Sets a header, replacing one of the same name (case-insensitive).
  void set(std::string_view name, std::string value);
  const std::string* find(std::string_view name) const;
};

/// A request as the API handlers see it.
struct api_request {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< decoded path without the query, "/coingecko/simple/price"
  std::string sub;     ///< the path after the provider prefix, "/simple/price"
  std::map<std::string, std::string, std::less<>> query;  ///< decoded; first value of a key wins
  std::string body;
  std::int64_t now_ms = 0;  ///< the time the request arrived (unix ms); handlers use no other

  bool has(std::string_view key) const { return query.find(key) != query.end(); }
  std::string_view get(std::string_view key, std::string_view fallback = {}) const;
  /// "true" (any case) → true; anything else, or absent → `fallback` when absent, else false.
  bool flag(std::string_view key, bool fallback = false) const;
};

/// JSON text the way the real APIs write it: numbers in their shortest round-trip form
/// ("67187.3358936566", "21109", "6.88313e-7"), not Boost.JSON's "6.71873358936566E4".
/// Non-finite numbers become null.
std::string to_text(const json::value& v);
std::string number_text(double v);

/// A JSON reply with the given status and no headers yet (add_provider_headers adds the
/// provider's Content-Type and the rest).
reply json_reply(unsigned status, const json::value& body);
/// A reply whose body is already JSON text (a fixture's bytes, kept verbatim).
reply raw_json_reply(unsigned status, std::string body);

/// Decimal string with a fixed number of decimals, Binance style ("47174.97000000").
std::string fixed(double v, int decimals);

std::int64_t unix_ms_now();
/// "2025-01-20T09:11:54.494Z"
std::string iso8601_ms(std::int64_t unix_ms);
/// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string http_date(std::int64_t unix_ms);

/// FNV-1a, for deterministic per-coin phases and jitter.
std::uint64_t hash64(std::string_view s, std::uint64_t seed = 0);
/// A value in [0, 1) derived from `h` (splitmix64).
double unit(std::uint64_t h);
/// A version-4-looking UUID and a hex string, derived from `n` (headers only, not values).
std::string pseudo_uuid(std::uint64_t n);
std::string pseudo_hex(std::uint64_t n, int digits);

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);
std::string upper(std::string_view s);
/// Splits "a,b,,c" on `sep`, dropping empty parts and trimming spaces.
std::vector<std::string> split(std::string_view s, char sep);

}  // namespace cryptodash::fake
