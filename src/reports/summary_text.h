#pragma once

// The short generated text of a report, in English and Vietnamese. Pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace cryptodash::reports {

enum class language { en, vi };

/// The figures the text speaks of; a missing one leaves its clause out.
struct summary_figures {
  std::string_view symbol;     ///< as stored ("btc"); written in capitals
  std::string_view span_en;    ///< "24 hours" / "7 days"
  std::string_view span_vi;    ///< "24 giờ" / "7 ngày"
  double price_usd = 0;
  std::optional<double> change_pct;  ///< over the period
  std::optional<double> high, low;   ///< of the period
  std::optional<double> rsi;
  std::optional<int> fear_greed_value;
  std::string_view fear_greed_classification;  ///< as the index names it ("Greed")
};

/// Below this absolute change (in %) the trend is "flat".
inline constexpr double flat_threshold_pct = 0.5;
/// RSI zones: at or above → overbought; at or below → oversold; between → neutral.
inline constexpr double rsi_overbought = 70;
inline constexpr double rsi_oversold = 30;

/// Two or three sentences: the trend with the change and the price; the position in the
/// period's range with the RSI zone; the Fear & Greed reading. E.g.
///   en: "BTC rose 2.14% over the past 24 hours to $64,321.50. …"
///   vi: "Giá BTC tăng 2,14% trong 24 giờ qua, lên 64.321,50 USD. …"
std::string summary_text(const summary_figures& f, language lang);

/// `v` with `decimals` digits after the point and grouped thousands: en "64,321.50",
/// vi "64.321,50". Negative numbers keep their sign.
std::string format_number(double v, int decimals, language lang);

/// A price with as many decimals as it needs: 2 from 1 up, more below (4 significant digits:
/// 0.5 → "0.5000", 0.00001234 → "0.00001234"); en "$64,321.50", vi "64.321,50 USD".
std::string format_price(double usd, language lang);

/// The Fear & Greed classification in `lang` ("Greed" → "Tham lam"); an unknown one as it is.
std::string_view fear_greed_label(std::string_view classification, language lang) noexcept;

}  // namespace cryptodash::reports
