#include "reports/summary_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cryptodash::reports {

namespace {

int price_decimals(double usd) {
  if (!(usd > 0) || usd >= 1) return 2;
  return std::clamp(3 - static_cast<int>(std::floor(std::log10(usd))), 2, 12);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// "2.14%" / "2,14%" of the absolute value.
std::string pct(double v, language lang) { return format_number(std::abs(v), 2, lang) + "%"; }

// "+0.12%", "-0.12%", or "0.00%" when it rounds to zero.
std::string signed_pct(double v, language lang) {
  auto text = pct(v, lang);
  if (text.find_first_not_of("0.,%") == std::string::npos) return text;
  return (v < 0 ? "-" : "+") + text;
}

std::string price_range(double low, double high, language lang) {
  const int d = price_decimals(std::min(low, high));
  if (lang == language::en) {
    return fmt::format("${}–${}", format_number(low, d, lang), format_number(high, d, lang));
  }
  return fmt::format("{}–{} USD", format_number(low, d, lang), format_number(high, d, lang));
}

enum class trend { up, down, flat };
enum class range_position { bottom, middle, top };
enum class rsi_zone { oversold, neutral, overbought };

trend trend_of(double change) {
  if (std::abs(change) < flat_threshold_pct) return trend::flat;
  return change > 0 ? trend::up : trend::down;
}

// Thirds of the range; a price outside it (the quote is newer than the last candle) counts
// as the nearer end.
range_position position_of(double price, double low, double high) {
  const double at = (price - low) / (high - low);
  if (at >= 2.0 / 3.0) return range_position::top;
  if (at <= 1.0 / 3.0) return range_position::bottom;
  return range_position::middle;
}

rsi_zone zone_of(double rsi) {
  if (rsi >= rsi_overbought) return rsi_zone::overbought;
  if (rsi <= rsi_oversold) return rsi_zone::oversold;
  return rsi_zone::neutral;
}

std::string first_sentence(const summary_figures& f, language lang) {
  const auto sym = upper(f.symbol);
  const auto price = format_price(f.price_usd, lang);
  if (lang == language::en) {
    if (!f.change_pct) return fmt::format("{} trades at {}.", sym, price);
    switch (trend_of(*f.change_pct)) {
      case trend::up:
        return fmt::format("{} rose {} over the past {} to {}.", sym, pct(*f.change_pct, lang),
                           f.span_en, price);
      case trend::down:
        return fmt::format("{} fell {} over the past {} to {}.", sym, pct(*f.change_pct, lang),
                           f.span_en, price);
      case trend::flat:
        return fmt::format("{} was flat ({}) over the past {} at {}.", sym,
                           signed_pct(*f.change_pct, lang), f.span_en, price);
    }
  }
  if (!f.change_pct) return fmt::format("Giá {} hiện ở mức {}.", sym, price);
  switch (trend_of(*f.change_pct)) {
    case trend::up:
      return fmt::format("Giá {} tăng {} trong {} qua, lên {}.", sym, pct(*f.change_pct, lang),
                         f.span_vi, price);
    case trend::down:
      return fmt::format("Giá {} giảm {} trong {} qua, xuống {}.", sym,
                         pct(*f.change_pct, lang), f.span_vi, price);
    case trend::flat:
      return fmt::format("Giá {} đi ngang ({}) trong {} qua, ở mức {}.", sym,
                         signed_pct(*f.change_pct, lang), f.span_vi, price);
  }
  return {};
}

std::string range_clause(const summary_figures& f, language lang) {
  if (!f.high || !f.low || !(*f.high > *f.low)) return {};
  const auto where = position_of(f.price_usd, *f.low, *f.high);
  const auto range = price_range(*f.low, *f.high, lang);
  if (lang == language::en) {
    const char* at = where == range_position::top      ? "near the top of"
                     : where == range_position::bottom ? "near the bottom of"
                                                       : "in the middle of";
    return fmt::format("It sits {} its range over the past {} ({})", at, f.span_en, range);
  }
  const char* at = where == range_position::top      ? "ở gần đỉnh"
                   : where == range_position::bottom ? "ở gần đáy"
                                                     : "ở giữa";
  return fmt::format("Giá đang {} biên độ {} qua ({})", at, f.span_vi, range);
}

std::string rsi_clause(const summary_figures& f, language lang) {
  if (!f.rsi) return {};
  const auto value = format_number(*f.rsi, 1, lang);
  const auto zone = zone_of(*f.rsi);
  if (lang == language::en) {
    const char* z = zone == rsi_zone::overbought ? "overbought"
                    : zone == rsi_zone::oversold ? "oversold"
                                                 : "neutral";
    return fmt::format("RSI (14) at {} is {}", value, z);
  }
  const char* z = zone == rsi_zone::overbought ? "quá mua"
                  : zone == rsi_zone::oversold ? "quá bán"
                                               : "trung tính";
  return fmt::format("RSI (14) ở mức {}, thuộc vùng {}", value, z);
}

std::string second_sentence(const summary_figures& f, language lang) {
  auto range = range_clause(f, lang);
  auto rsi = rsi_clause(f, lang);
  if (range.empty() && rsi.empty()) return {};
  if (range.empty()) return rsi + ".";
  if (rsi.empty()) return range + ".";
  return range + (lang == language::en ? ", and " : " và ") + rsi + ".";
}

std::string third_sentence(const summary_figures& f, language lang) {
  if (!f.fear_greed_value) return {};
  const auto label = fear_greed_label(f.fear_greed_classification, lang);
  if (lang == language::en) {
    return fmt::format("The Fear & Greed Index reads {} ({}).", *f.fear_greed_value, label);
  }
  return fmt::format("Chỉ số Sợ hãi & Tham lam đạt {} ({}).", *f.fear_greed_value, label);
}

}  // namespace

std::string format_number(double v, int decimals, language lang) {
  if (!std::isfinite(v)) return "n/a";
  auto digits = fmt::format("{:.{}f}", std::abs(v), std::max(0, decimals));
  auto point = digits.find('.');
  std::string whole = digits.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : digits.substr(point + 1);
  const char group = lang == language::en ? ',' : '.';
  const char decimal = lang == language::en ? '.' : ',';
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += group;
    out += whole[i];
  }
  if (!fraction.empty()) out += decimal + fraction;
  const bool zero = digits.find_first_not_of("0.") == std::string::npos;
  return (v < 0 && !zero ? "-" : "") + out;
}

std::string format_price(double usd, language lang) {
  auto number = format_number(usd, price_decimals(usd), lang);
  return lang == language::en ? "$" + number : number + " USD";
}

std::string_view fear_greed_label(std::string_view classification, language lang) noexcept {
  if (lang == language::en) return classification;
  if (classification == "Extreme Fear") return "Sợ hãi tột độ";
  if (classification == "Fear") return "Sợ hãi";
  if (classification == "Neutral") return "Trung lập";
  if (classification == "Greed") return "Tham lam";
  if (classification == "Extreme Greed") return "Tham lam tột độ";
  return classification;
}

std::string summary_text(const summary_figures& f, language lang) {
  std::string out = first_sentence(f, lang);
  for (auto s : {second_sentence(f, lang), third_sentence(f, lang)}) {
    if (!s.empty()) out += " " + s;
  }
  return out;
}

}  // namespace cryptodash::reports
