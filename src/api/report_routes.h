#pragma once

#include "api/message.h"
#include "api/router.h"
#include "api/services.h"
#include "core/error.h"
#include "reports/summary_text.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace cryptodash::api {

/// The report routes of SPEC section 4 (issue 9); without `s.reports` they answer 503.
///   GET  /crypto_report?symbol=btc&timeframe=1d — the latest report's page (defaults btc, 1d)
///   GET  /crypto_report/{id}                    — one report's page
///   GET  /crypto_report/{id}/pdf                — its PDF (rendered on s.render_pool)
///   GET  /api/reports?limit=&before_id=&symbol=&timeframe= — the listing, newest first
///   GET  /api/reports/{id}                      — one report as JSON
///   POST /api/reports (admin)                   — store a report written elsewhere
/// Pages and PDFs are in English or Vietnamese: `?lang=en|vi`, else the Accept-Language
/// header (negotiate_language). A malformed id, symbol, timeframe, lang or paging value: 400;
/// an unknown id: 404; the database down: 503. Rendered pages and PDFs of a report are kept
/// (bounded) since reports never change; they carry an ETag and `Vary: Accept-Language`.
void add_report_routes(router& r, services& s);

/// The answer when the page or PDF of report `id` cannot be made: errc::rate_limited (too many
/// renders under way) → 503 `busy` with `Retry-After: 1`; anything else → 500 `render_failed`.
response render_failure(std::int64_t id, const boost::system::error_code& ec, unsigned version);

/// A report id in a path: decimal digits without a leading zero, 1 … INT64_MAX; none for
/// anything else.
std::optional<std::int64_t> parse_report_id(std::string_view text) noexcept;

/// The language of a page: `lang` from the query when given ("en" or "vi", any case; another
/// value is errc::invalid_argument), else the language of `accept_language` (RFC 9110 list with
/// q-values; "vi", "vi-VN" … count as vi, "en-*" as en, "*" as en) that the client prefers,
/// else English.
core::result<reports::language> negotiate_language(std::optional<std::string_view> lang,
                                                   std::string_view accept_language);

}  // namespace cryptodash::api
