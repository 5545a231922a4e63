#pragma once

// The HTML page of one stored report (issue 9): what /crypto_report/{id} serves. Pure: text in,
// text out, no I/O and no clock.

#include "reports/report.h"
#include "reports/summary_text.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cryptodash::reports {

/// `text` made safe as HTML element content and as a quoted attribute value: `&`, `<`, `>`,
/// `"` and `'` become character references; every other byte (UTF-8 included) is kept.
std::string html_escape(std::string_view text);

/// A complete, self-contained HTML5 page for the report `report_json` (the body shape of
/// src/reports/README.md) stored under `id`, in `lang`.
///   - Self-contained: one inline <style>, the price chart as inline SVG drawn here from
///     `candles`; no script, no external resource (fits the pages' Content-Security-Policy:
///     scripts from 'self' only, inline styles, images 'self' and data:). Responsive down to
///     375 px wide, printable (light colours on paper).
///   - Every figure the report holds is shown formatted for `lang`; a null or missing one shows
///     "—", never a number. Each group of figures carries its input's freshness badge from
///     `sources` (fresh; stale with its age; unavailable with the reason).
///   - Every text taken from the report is HTML-escaped.
///   - Links: the PDF (/crypto_report/{id}/pdf?lang=…) and the same report in the other
///     language (/crypto_report/{id}?lang=…).
/// Error (errc::invalid_argument, with a message saying what is wrong) when `report_json` is
/// not a JSON object or lacks a string `symbol` or `timeframe`; never a partial page.
report_result render_report_html(std::string_view report_json, std::int64_t id, language lang);

}  // namespace cryptodash::reports
