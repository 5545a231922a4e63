#pragma once

#include "api/router.h"
#include "api/services.h"

namespace cryptodash::api {

/// The market data routes of SPEC section 4, all answered from the cache:
///   GET  /api/crypto/dashboard-summary (and /cached, its legacy alias)
///   POST /api/crypto/dashboard-summary/refresh   admin; server.refresh_rate_limit_per_minute
///   GET  /api/crypto/market/{symbol}
///   GET  /api/crypto/markets?symbols=btc,eth,…   at most 50 symbols
///   GET  /api/crypto/candles/{symbol}?interval=1h&limit=200
///   GET  /api/crypto/indicator/{symbol}/{name}/{period}?interval=1d
///   GET  /api/crypto/tokenomics/{coin_id}
/// Inputs are validated before anything else (400 in the SPEC error shape); a name the
/// upstreams do not know is 404; nothing to serve is 502/503/504 (error_for).
void add_data_routes(router& r, services& s);

/// Parses a query string into decoded (name, value) pairs; errc::invalid_argument if the
/// encoding is malformed. Later duplicates follow earlier ones.
core::result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view q);

}  // namespace cryptodash::api
