#pragma once

// The four fake APIs: routes, the headers each provider sends, its error bodies.
// Every handler is a pure function of the request (including its arrival time) and the market.

#include "common.h"
#include "market.h"

namespace cryptodash::fake {

/// Answers `req` for `p` (req.sub is the path after the provider's prefix). Unknown routes → 404.
reply answer(provider p, const api_request& req, const market& m);

reply coingecko(const api_request& req, const market& m);   // coingecko.cpp
reply fear_greed(const api_request& req, const market& m);  // coingecko.cpp
reply taapi(const api_request& req, const market& m);       // exchanges.cpp
reply binance(const api_request& req, const market& m);     // exchanges.cpp

/// The request weight Binance charges for `req` (ping 1, klines 2, ticker/24hr 2/40/80...).
int binance_weight(const api_request& req);

/// Adds the headers `p` sends with every answer (Content-Type, Cache-Control, Server, Date,
/// CDN and request ids...) for a reply of `r.status`; headers already in `r` are kept.
/// `request_no` only varies the made-up ids.
void add_provider_headers(provider p, reply& r, std::int64_t now_ms, std::uint64_t request_no);

/// The body `p` answers an error `status` with when a fault gives none: the captured body
/// where there is one (CoinGecko 429, Binance 418/429/451...), else one in the provider's shape.
std::string error_body(provider p, unsigned status, std::int64_t now_ms);

/// Bytes that are not JSON, for the `garbage` fault.
std::string garbage_body();

/// Turns a valid answer into valid JSON of the wrong shape, for the `wrong_schema` fault: a price
/// becomes negative ("lastPrice":"-47174.97", "current_price":-21109) or an object
/// ({"usd":{"value":...}}), [ms, value] pairs become objects; a body with no price gets its
/// first field renamed. Returns the input unchanged when it is not JSON.
std::string break_schema(const std::string& body);

}  // namespace cryptodash::fake
