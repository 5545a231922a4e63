#pragma once

// The plain-data boundary between providers (which know an API's paths and bodies) and the
// transport (which knows sockets, pools, limits and retries). No I/O here.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::upstream {

/// One HTTP call a provider wants made, relative to the provider's base URL.
struct call_request {
  std::string method = "GET";
  /// Path and query appended to the base URL's path, starting with '/' ("/simple/price?ids=…").
  /// Query values are already percent-encoded.
  std::string target;
  /// The same target with secrets replaced by "***": the only form that may be logged.
  std::string log_target;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra request headers
  std::string body;                                          ///< sent when not empty
  int weight = 1;        ///< rate-limit cost (Binance request weight; 1 elsewhere)
  std::string endpoint;  ///< short name for stats and per-endpoint limits: "global", "klines"
};

/// What came back, whatever the status.
struct call_response {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lowercased
  std::string body;

  /// The first header named `name` (give it lowercase), if any.
  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return std::string_view(v);
    return std::nullopt;
  }
};

}  // namespace cryptodash::upstream
