#pragma once

// Shared helpers for the provider tests: fixtures from tests/fixtures/upstream, canned
// responses, a fixed "now", and the list of every parser (for the status/malformed matrices).

#include "core/clock.h"
#include "core/error.h"
#include "upstream/providers/call.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cryptodash::upstream::testing {

/// 2026-12-01T00:00:00Z: after every timestamp in the fixtures (the latest is 2026-10-07).
inline core::time_point fixed_now() {
  using namespace std::chrono;
  return sys_days(year(2026) / 12 / 1);
}

/// The bytes of tests/fixtures/upstream/<relative>; fails the test (empty result) if missing.
std::string fixture(std::string_view relative);

/// A response with `status`, `body`, and content-type application/json.
call_response response(unsigned status, std::string body);
/// A response with `status` and the bytes of fixture `relative`.
call_response fixture_response(unsigned status, std::string_view relative);

/// `text` with the first occurrence of `from` replaced by `to`; ADD_FAILURE if `from` is absent.
std::string replaced(std::string text, std::string_view from, std::string_view to);

/// One parser, reduced to its error code (success = default error_code).
struct parser_case {
  std::string name;
  std::string provider;         ///< "coingecko", "alternative_me", "taapi", "binance"
  std::string success_fixture;  ///< a fixture it accepts with status 200
  std::function<boost::system::error_code(const call_response&)> run;
};

/// Every parser of the library.
const std::vector<parser_case>& all_parsers();

}  // namespace cryptodash::upstream::testing
