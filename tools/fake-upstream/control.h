#pragma once

// Test control of the fake: faults, call counters, the request log, the Binance weight window,
// and the /_fake/ API over them. Single-threaded like the rest of the fake.

#include "common.h"
#include "market.h"

#include <deque>
#include <optional>
#include <variant>

namespace cryptodash::fake {

/// A fault: what to do instead of (or on top of) the normal answer for the requests whose path
/// starts with `path`. When several fields are set, the order of precedence is
/// delay (always first), then hang, reset, status, garbage, wrong_schema.
struct fault {
  std::string path;                ///< "/coingecko" hits the whole provider
  std::optional<unsigned> status;  ///< answer this status instead
  std::vector<std::pair<std::string, std::string>> headers;  ///< added to the answer
  std::optional<std::string> body;  ///< with status; default: the provider's error body
  std::int64_t delay_ms = 0;        ///< answer (normally or with the fault) after this delay
  bool hang = false;                ///< never answer; keep the connection until the client goes
  bool garbage = false;             ///< 200 with bytes that are not JSON
  bool wrong_schema = false;        ///< 200 with valid JSON of the wrong shape
  bool reset = false;               ///< close the connection with a RST, no answer
  std::int64_t times = 0;           ///< requests it still affects; 0 = until cleared

  json::value to_json() const;
};

/// Parses a POST /_fake/faults body; a message saying what is wrong when it is malformed.
std::variant<fault, std::string> parse_fault(std::string_view body);

class control {
 public:
  /// Counts one API call as in flight until destroyed.
  class call {
   public:
    call(control& c, provider p);
    ~call();
    call(const call&) = delete;
    call& operator=(const call&) = delete;

   private:
    control& control_;
    provider provider_;
  };

  /// Counts a call to `path` (of provider `p`, possibly none) that started at `now_ms`.
  [[nodiscard]] call begin(provider p, const std::string& path, std::int64_t now_ms);

  /// Remembers an API request for GET /_fake/requests (the last 1000; bodies up to 64 KiB).
  /// `headers` names must be lower case.
  void log(std::string method, std::string target, json::object headers, std::string body);

  /// The most recently added fault whose path prefixes `path`, consuming one of its `times`.
  std::optional<fault> take_fault(std::string_view path);

  /// Adds `weight` to the Binance request weight of the minute of `now_ms`; returns the
  /// minute's total after it (what X-MBX-USED-WEIGHT-1M reports).
  std::int64_t add_binance_weight(int weight, std::int64_t now_ms);

  /// Answers a request under /_fake (req.sub is the path after "/_fake"). Changes `m` for
  /// PUT /_fake/values.
  reply handle(const api_request& req, market& m);

 private:
  struct provider_stats {
    std::int64_t calls = 0;
    std::int64_t in_flight = 0;
    std::int64_t max_in_flight = 0;
    std::deque<std::int64_t> times_ms;  // the last 10000 call starts
  };
  struct logged_request {
    std::string method;
    std::string target;
    json::object headers;
    std::string body;
  };
  provider_stats& stats(provider p) { return stats_[static_cast<std::size_t>(p)]; }
  json::value calls_json() const;
  json::value requests_json(std::size_t limit) const;
  void reset_counters();

  std::vector<fault> faults_;  // oldest first
  provider_stats stats_[5];    // indexed by provider, none last
  std::int64_t total_ = 0;
  std::map<std::string, std::int64_t> paths_;
  std::deque<logged_request> log_;
  std::int64_t weight_minute_ = -1;
  std::int64_t weight_used_ = 0;
};

}  // namespace cryptodash::fake
