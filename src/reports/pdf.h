#pragma once

// The PDF of one stored report (issue 9): what /crypto_report/{id}/pdf serves. Drawn in
// process with cairo and pango; no file, no network, no clock.

#include "reports/report.h"
#include "reports/summary_text.h"

#include <cstdint>
#include <string_view>

namespace cryptodash::reports {

/// The PDF bytes of the report `report_json` (the body shape of src/reports/README.md) stored
/// under `id`, in `lang`: the same content as render_report_html (report_view.h) — the title
/// with symbol and timeframe, report number and creation time, the summary, the price chart
/// (candlesticks, price and UTC time labels, volume bars), the five groups of figures each with
/// its input's freshness badge (fresh; stale with its age; unavailable with the reason), a
/// missing figure as "—", and the footer.
///   - A4 portrait, vector, in the dashboard's light (printed) palette; DejaVu Sans through
///     fontconfig, embedded as subsets, so Vietnamese text renders and the text is extractable.
///     Title metadata is the report's title; the creation date is the report's `created_at`,
///     so the same report gives the same bytes.
///   - Whatever the text or numbers, everything stays on the page: long texts wrap or are cut
///     with "…" at a bound, a long summary flows onto further pages (each page numbered).
///   - Thread-safe, and serialised: one document at a time in the process (a lock), because
///     cairo, pango and fontconfig share state between threads that pango does not protect.
///     Every cairo and pango object is made per call; the fonts come from one font map of
///     the process, made by the first call (about 10 ms; then about 5 ms a document).
/// Errors: errc::invalid_argument, as render_report_html, when `report_json` is not a JSON
/// object with a non-empty string `symbol` and `timeframe`; errc::io_error when cairo fails
/// (out of memory), never a partial document.
report_result render_report_pdf(std::string_view report_json, std::int64_t id, language lang);

}  // namespace cryptodash::reports
