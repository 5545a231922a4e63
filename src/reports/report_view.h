#pragma once

// A stored report read and put into words for one language: what the HTML page (html.h) and
// the PDF (pdf.h) both show, so that they differ only in how they draw it. Pure: text in,
// values out, no I/O and no clock.

#include "reports/report.h"
#include "reports/summary_text.h"

#include <fmt/format.h>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cryptodash::reports {

/// What a missing figure shows, never a number.
inline constexpr std::string_view missing_figure = "—";

/// Every fixed text of a report, in one language; "{}" marks where an argument goes (named in
/// the comment; fill with say()).
struct report_labels {
  std::string_view code, other_code, other_name;
  std::string_view tagline;
  std::string_view title;    // symbol, timeframe
  std::string_view heading;  // symbol
  std::string_view day, week;
  std::string_view created, report_no;  // time; id
  std::string_view pdf, summary;
  std::string_view chart_title;                                     // span
  std::string_view chart_meta;                                      // count, interval
  std::string_view chart_empty, chart_aria;                         // -; symbol
  std::string_view market, period, global, fear_greed, indicators;  // period: span; interval
  std::string_view price, change_24h, market_cap, volume_24h;
  std::string_view change, high, low, volume;
  std::string_view total_market_cap, btc_dominance, eth_dominance, index;
  std::string_view rsi, sma, ema, macd, signal, histogram, bbands, upper, middle, lower;
  std::string_view overbought, oversold, neutral;
  std::string_view fresh, stale, stale_age, unavailable, fetched, reason;  // age; age; reason
  std::string_view second, minute, hour, days;
  std::string_view footer;
  std::string_view page;  // page number (PDF)
};

/// The labels of `lang`; static storage.
const report_labels& labels_of(language lang) noexcept;

/// `pattern` (a report_labels text) with its "{}" filled by `args` in order. Precondition: as
/// many "{}" as arguments (the label tables are checked by the tests).
template <typename... Args>
std::string say(std::string_view pattern, Args&&... args) {
  return fmt::format(fmt::runtime(pattern), std::forward<Args>(args)...);
}

/// `v` as a figure: about four significant digits below 1, two decimals from 1 up
/// ("63,010.70", "0.0001234"); missing_figure when none.
std::string number_text(std::optional<double> v, language lang);

/// The freshness of one input, from the report's `sources` entry.
enum class source_state { none, fresh, stale, unavailable };  // none: no (readable) entry

/// "fresh", "stale", "unavailable"; empty for none.
std::string_view state_name(source_state s) noexcept;

struct freshness {
  source_state state = source_state::none;
  std::string badge;    ///< "Fresh", "Stale · 1 h 10 min", "Unavailable"; empty for none
  std::string fetched;  ///< "Fetched 1 h 10 min ago"; empty when the age is not known
  std::string reason;   ///< "Reason: timeout after 10000 ms" (translated); may be empty
};

enum class figure_size { normal, main, wide };  // main: the card's headline; wide: full row
/// A signed change is drawn as a coloured chip; `none` for every other figure.
enum class change_tone { none, up, down, flat };
/// How the note under a value reads: plain text, a classification ("Greed"), or an RSI zone.
enum class note_style { plain, label, zone_over, zone_under, zone_neutral };
/// A 0–100 scale under the value: the Fear & Greed gradient or the RSI zones.
enum class meter_kind { none, fear_greed, rsi };

/// One figure of a group, formatted for the language.
struct figure {
  std::string label;
  std::string value;  ///< missing_figure when the report has none
  figure_size size = figure_size::normal;
  change_tone tone = change_tone::none;  ///< none whenever the value is missing
  std::string note;                      ///< a line under the value; may be empty
  note_style note_kind = note_style::plain;
  meter_kind meter = meter_kind::none;
  double meter_at = 0;  ///< with a meter: its marker, clamped to 0–100

  bool missing() const noexcept { return value == missing_figure; }
};

enum class group_kind { market, period, global, fear_greed, indicators };

/// A card of figures read from one input, with that input's freshness.
struct figure_group {
  group_kind kind = group_kind::market;
  std::string title;
  freshness source;
  std::vector<figure> figures;
};

/// One candle of the report: `[open_time_ms, open, high, low, close, volume]`, with
/// 0 <= open_ms <= 9999-12-31, finite prices and high >= low.
struct candle_row {
  std::int64_t open_ms = 0;
  double open = 0, high = 0, low = 0, close = 0;
  std::optional<double> volume;
};

/// The most candles a chart draws (the newest); a longer history is cut at the front.
inline constexpr std::size_t max_chart_candles = 1000;

struct chart_view {
  std::string title;                ///< "Price over the past 24 hours"
  std::string meta;                 ///< "24 candles of 1h · UTC"
  std::string empty;                ///< what stands instead of a chart with no candles
  std::string aria;                 ///< "BTC price chart"
  std::string interval;             ///< as the report names it ("1h"); may be empty
  freshness source;                 ///< the candles input
  std::vector<candle_row> candles;  ///< oldest first; rows of another shape left out
};

/// The scales of a chart of at least one candle.
struct chart_axes {
  double low = 0, high = 0;  ///< the price range drawn: the candles' with a margin, low < high
  bool has_volume = false;   ///< some candle has a volume
  double max_volume = 0;     ///< the largest volume (0 when none or all zero)
  struct price_tick {
    double price;
    std::string label;  ///< "64,000" / "64.000"
  };
  struct time_tick {
    std::size_t index;  ///< of the candle it stands under
    std::string label;  ///< "16:00", or the day at midnight UTC ("Nov 22" / "22/11")
    bool day;
  };
  std::vector<price_tick> prices;  ///< round prices within [low, high], at most 20
  std::vector<time_tick> times;    ///< UTC, at most about 7 (every n-th candle otherwise)
};

/// Precondition: `candles` is not empty. No loop is longer than 20 steps, whatever the prices.
chart_axes axes_of(const std::vector<candle_row>& candles, language lang);

/// "Nov 22 10:00" / "22/11 10:00" (UTC).
std::string candle_time_text(std::int64_t open_ms, language lang);

/// Everything a report shows, formatted for `lang`.
struct report_view {
  language lang = language::en;
  std::int64_t id = 0;
  std::string symbol;      ///< in capitals
  std::string title;       ///< "BTC market report — 1 day"
  std::string heading;     ///< "BTC market report"
  std::string timeframe;   ///< "1 day" ("1d" and "1w" are named; other text as it is)
  std::string created;     ///< "Created Nov 22, 2026, 10:30 UTC"; empty when the report has none
  std::string created_at;  ///< the report's own `created_at` text; may be empty
  std::string report_no;   ///< "Report #42"
  std::string price;       ///< "$64,321.50", or missing_figure
  /// The period change shown next to the price ("+2.14%", a change_tone); none when null.
  std::optional<figure> change;
  std::string summary;  ///< the summary in `lang`; may be empty
  chart_view chart;
  /// Market, period, global, Fear & Greed, indicators: always these five, in this order.
  std::vector<figure_group> groups;
};

using report_view_result = boost::system::result<report_view, report_error>;

/// The view of `report_json` (shape: src/reports/README.md) stored under `id`.
///   - Every figure the report holds is formatted for `lang`; a null, missing or non-finite
///     one, or one of another JSON type, is missing_figure — never a made-up number.
///   - Texts from the report (symbol, summary, reasons, classification) are kept as they are:
///     escaping them is the renderer's job.
/// Error (errc::invalid_argument, "cannot render the report page: <why>") when `report_json`
/// is not a JSON object or lacks a non-empty string `symbol` or `timeframe`.
report_view_result make_report_view(std::string_view report_json, std::int64_t id, language lang);

}  // namespace cryptodash::reports
