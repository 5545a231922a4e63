#include "reports/html.h"

#include "core/error.h"
#include "market/payloads.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <vector>

namespace cryptodash::reports {

namespace {

namespace json = boost::json;
using market::json_number;

constexpr std::string_view dash = "—";

// Every fixed text of the page; "{}" marks where an argument goes (named in the comment).
struct labels {
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
};

// clang-format off
constexpr labels en_labels{
    .code = "en", .other_code = "vi", .other_name = "Tiếng Việt",
    .tagline = "Market report",
    .title = "{} market report — {}", .heading = "{} market report",
    .day = "1 day", .week = "1 week",
    .created = "Created {}", .report_no = "Report #{}",
    .pdf = "Download PDF", .summary = "Summary",
    .chart_title = "Price over the past {}", .chart_meta = "{} candles of {} · UTC",
    .chart_empty = "No candles for this period.", .chart_aria = "{} price chart",
    .market = "Market", .period = "Past {}", .global = "Global market",
    .fear_greed = "Fear & Greed index", .indicators = "Technical indicators ({})",
    .price = "Price", .change_24h = "24h change", .market_cap = "Market cap",
    .volume_24h = "24h volume",
    .change = "Change", .high = "High", .low = "Low", .volume = "Volume",
    .total_market_cap = "Total market cap", .btc_dominance = "BTC dominance",
    .eth_dominance = "ETH dominance", .index = "Index",
    .rsi = "RSI (14)", .sma = "SMA (20)", .ema = "EMA (50)", .macd = "MACD (12, 26, 9)",
    .signal = "Signal", .histogram = "Histogram", .bbands = "Bollinger (20, 2)",
    .upper = "Upper", .middle = "Middle", .lower = "Lower",
    .overbought = "Overbought", .oversold = "Oversold", .neutral = "Neutral",
    .fresh = "Fresh", .stale = "Stale", .stale_age = "Stale · {}", .unavailable = "Unavailable",
    .fetched = "Fetched {} ago", .reason = "Reason: {}",
    .second = "s", .minute = "min", .hour = "h", .days = "d",
    .footer = "Data from CoinGecko, alternative.me, Binance and TAAPI.io, served from the "
              "cryptodash cache. Times in UTC."};

constexpr labels vi_labels{
    .code = "vi", .other_code = "en", .other_name = "English",
    .tagline = "Báo cáo thị trường",
    .title = "Báo cáo thị trường {} — {}", .heading = "Báo cáo thị trường {}",
    .day = "1 ngày", .week = "1 tuần",
    .created = "Tạo lúc {}", .report_no = "Báo cáo số {}",
    .pdf = "Tải PDF", .summary = "Tóm tắt",
    .chart_title = "Giá trong {} qua", .chart_meta = "{} nến {} · giờ UTC",
    .chart_empty = "Không có nến cho giai đoạn này.", .chart_aria = "Biểu đồ giá {}",
    .market = "Thị trường", .period = "{} qua", .global = "Thị trường chung",
    .fear_greed = "Chỉ số Sợ hãi & Tham lam", .indicators = "Chỉ báo kỹ thuật ({})",
    .price = "Giá", .change_24h = "Thay đổi 24 giờ", .market_cap = "Vốn hóa",
    .volume_24h = "Khối lượng 24 giờ",
    .change = "Thay đổi", .high = "Cao nhất", .low = "Thấp nhất", .volume = "Khối lượng",
    .total_market_cap = "Tổng vốn hóa", .btc_dominance = "Tỷ trọng BTC",
    .eth_dominance = "Tỷ trọng ETH", .index = "Chỉ số",
    .rsi = "RSI (14)", .sma = "SMA (20)", .ema = "EMA (50)", .macd = "MACD (12, 26, 9)",
    .signal = "Tín hiệu", .histogram = "Histogram", .bbands = "Bollinger (20, 2)",
    .upper = "Trên", .middle = "Giữa", .lower = "Dưới",
    .overbought = "Quá mua", .oversold = "Quá bán", .neutral = "Trung tính",
    .fresh = "Mới", .stale = "Cũ", .stale_age = "Cũ · {}", .unavailable = "Không có dữ liệu",
    .fetched = "Lấy {} trước", .reason = "Lý do: {}",
    .second = "giây", .minute = "phút", .hour = "giờ", .days = "ngày",
    .footer = "Dữ liệu từ CoinGecko, alternative.me, Binance và TAAPI.io, phục vụ từ bộ nhớ "
              "đệm của cryptodash. Giờ theo UTC."};
// clang-format on

const labels& labels_of(language lang) {
  return lang == language::vi ? vi_labels : en_labels;
}

template <typename... Args>
std::string say(std::string_view pattern, Args&&... args) {
  return fmt::format(fmt::runtime(pattern), std::forward<Args>(args)...);
}

// ---------- reading the report ----------

const json::object* object_at(const json::object* o, std::string_view key) {
  const json::value* v = o != nullptr ? o->if_contains(key) : nullptr;
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<double> number_at(const json::object* o, std::string_view key) {
  auto n = json_number(o != nullptr ? o->if_contains(key) : nullptr);
  return n && std::isfinite(*n) ? n : std::nullopt;
}

std::optional<std::string_view> string_at(const json::object* o, std::string_view key) {
  const json::value* v = o != nullptr ? o->if_contains(key) : nullptr;
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// ---------- numbers, times and reasons for people ----------

// Decimals that keep about four significant digits below 1, two from 1 up.
int decimals_for(double v) {
  const double a = std::abs(v);
  if (!(a > 0) || a >= 1) return 2;
  return std::clamp(3 - static_cast<int>(std::floor(std::log10(a))), 2, 12);
}

std::string price_text(std::optional<double> v, language lang) {
  return v ? format_price(*v, lang) : std::string(dash);
}

std::string number_text(std::optional<double> v, language lang) {
  return v ? format_number(*v, decimals_for(*v), lang) : std::string(dash);
}

std::string percent_text(std::optional<double> v, int decimals, language lang) {
  return v ? format_number(*v, decimals, lang) + "%" : std::string(dash);
}

// "+2.14%", "-1.21%", "0.00%".
std::string signed_percent(double v, language lang) {
  auto text = format_number(v, 2, lang) + "%";
  const bool zero = text.find_first_not_of("-0.,%") == std::string::npos;
  return (v > 0 && !zero ? "+" : "") + text;
}

// "$1.27T" / "1,27 nghìn tỷ USD".
std::string usd_compact(std::optional<double> v, language lang) {
  if (!v) return std::string(dash);
  struct unit {
    double size;
    std::string_view en, vi;
  };
  constexpr std::array<unit, 3> units{
      {{1e12, "T", "nghìn tỷ"}, {1e9, "B", "tỷ"}, {1e6, "M", "triệu"}}};
  for (const auto& u : units) {
    if (std::abs(*v) >= u.size) {
      auto n = format_number(*v / u.size, 2, lang);
      return lang == language::en ? fmt::format("${}{}", n, u.en)
                                  : fmt::format("{} {} USD", n, u.vi);
    }
  }
  return format_price(*v, lang);
}

// "12 s", "4 min", "1 h 10 min", "2 d 3 h" (vi: giây, phút, giờ, ngày).
std::string age_text(std::int64_t s, const labels& l) {
  s = std::max<std::int64_t>(0, s);
  if (s < 60) return fmt::format("{} {}", s, l.second);
  if (s < 3600) return fmt::format("{} {}", s / 60, l.minute);
  if (s < 86400) {
    const auto m = s % 3600 / 60;
    return m == 0 ? fmt::format("{} {}", s / 3600, l.hour)
                  : fmt::format("{} {} {} {}", s / 3600, l.hour, m, l.minute);
  }
  const auto h = s % 86400 / 3600;
  return h == 0 ? fmt::format("{} {}", s / 86400, l.days)
                : fmt::format("{} {} {} {}", s / 86400, l.days, h, l.hour);
}

struct civil_time {
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0;
};

civil_time civil_of(std::int64_t unix_s) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_s}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()), static_cast<unsigned>(hms.hours().count()),
          static_cast<unsigned>(hms.minutes().count())};
}

constexpr std::array<std::string_view, 12> months_en{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "Nov 22" / "22/11".
std::string day_text(const civil_time& c, language lang) {
  if (lang == language::en) return fmt::format("{} {}", months_en[c.month - 1], c.day);
  return fmt::format("{:02}/{:02}", c.day, c.month);
}

std::string clock_text(const civil_time& c) {
  return fmt::format("{:02}:{:02}", c.hour, c.minute);
}

// "2026-11-22T10:30:45Z" as en "Nov 22, 2026, 10:30 UTC" / vi "10:30 UTC, ngày 22/11/2026";
// none when the text is not that format.
std::optional<std::string> created_text(std::string_view rfc3339, language lang) {
  auto field = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
    unsigned v = 0;
    const char* first = rfc3339.data() + at;
    auto [end, ec] = std::from_chars(first, first + n, v);
    if (ec != std::errc{} || end != first + n) return std::nullopt;
    return v;
  };
  if (rfc3339.size() < 20 || rfc3339[4] != '-' || rfc3339[7] != '-' || rfc3339[10] != 'T') {
    return std::nullopt;
  }
  auto y = field(0, 4), mo = field(5, 2), d = field(8, 2), h = field(11, 2), mi = field(14, 2);
  if (!y || !mo || !d || !h || !mi || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59) {
    return std::nullopt;
  }
  const civil_time c{static_cast<int>(*y), *mo, *d, *h, *mi};
  if (lang == language::en) {
    return fmt::format("{} {}, {}, {} UTC", months_en[c.month - 1], c.day, c.year, clock_text(c));
  }
  return fmt::format("{} UTC, ngày {:02}/{:02}/{}", clock_text(c), c.day, c.month, c.year);
}

// The fixed reasons of market::describe_error (and the report's own) in Vietnamese; others
// are kept as they are.
std::string reason_vi(std::string_view r) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 13> known{{
      {"timed out", "hết thời gian chờ"},
      {"circuit open", "cầu dao đang mở (nguồn tạm ngưng)"},
      {"rate limited", "bị giới hạn tần suất"},
      {"budget exhausted", "đã hết hạn mức gọi"},
      {"upstream error", "nguồn dữ liệu báo lỗi"},
      {"invalid upstream response", "nguồn trả về dữ liệu không hợp lệ"},
      {"upstream unavailable", "nguồn dữ liệu không khả dụng"},
      {"upstream refused our credentials", "nguồn từ chối thông tin xác thực"},
      {"upstream refused access", "nguồn từ chối truy cập"},
      {"not found", "không tìm thấy"},
      {"upstream answer too large", "câu trả lời từ nguồn quá lớn"},
      {"network error", "lỗi mạng"},
      {"unreadable cached payload", "dữ liệu trong bộ nhớ đệm không đọc được"},
  }};
  for (const auto& [en, vi] : known) {
    if (r == en) return std::string(vi);
  }
  constexpr std::string_view timeout = "timeout after ";
  if (r.starts_with(timeout))
    return fmt::format("hết thời gian chờ sau {}", r.substr(timeout.size()));
  return std::string(r);
}

// A sources error in `lang`: each "; "-separated part, with its "name: " prefix kept
// ("macd: circuit open; bbands: not found").
std::string reason_text(std::string_view r, language lang) {
  if (lang == language::en) return std::string(r);
  std::string out;
  while (!r.empty()) {
    const auto end = r.find("; ");
    auto part = r.substr(0, end);
    r = end == std::string_view::npos ? std::string_view{} : r.substr(end + 2);
    if (!out.empty()) out += "; ";
    const auto colon = part.find(": ");
    if (colon != std::string_view::npos) {
      out += part.substr(0, colon + 2);
      part = part.substr(colon + 2);
    }
    out += reason_vi(part);
  }
  return out;
}

// ---------- page pieces ----------

// The freshness of one input: its badge, and the reason line when there is one.
struct freshness {
  std::string state;   // "fresh" | "stale" | "unavailable"; empty: no sources entry
  std::string badge;   // HTML
  std::string reason;  // HTML, may be empty
};

freshness freshness_of(const json::object* sources, std::string_view key, language lang) {
  const auto& l = labels_of(lang);
  const json::object* s = object_at(sources, key);
  auto state = string_at(s, "state");
  if (!state || (*state != "fresh" && *state != "stale" && *state != "unavailable")) return {};
  freshness f;
  f.state = *state;
  auto age = number_at(s, "age_s");
  auto age_str =
      age ? age_text(static_cast<std::int64_t>(std::clamp(*age, 0.0, 1e12)), l) : std::string(dash);
  std::string text(f.state == "fresh" ? l.fresh : f.state == "stale" ? l.stale : l.unavailable);
  if (f.state == "stale" && age) text = say(l.stale_age, age_str);
  const auto title =
      age ? fmt::format(" title=\"{}\"", html_escape(say(l.fetched, age_str))) : std::string();
  f.badge =
      fmt::format("<span class=\"badge badge-{}\"{}>{}</span>", f.state, title, html_escape(text));
  if (auto e = string_at(s, "error"); e && !e->empty()) {
    f.reason = fmt::format("<p class=\"card-reason\">{}</p>",
                           html_escape(say(l.reason, reason_text(*e, lang))));
  }
  return f;
}

// One figure: `value_html` is already escaped; a missing one is the dash.
std::string stat(std::string_view label, std::string_view value_html,
                 std::string_view sub_html = {}, std::string_view cls = {}) {
  const bool missing = value_html == dash;
  return fmt::format(
      "<div class=\"stat{}{}\"><dt>{}</dt><dd class=\"num{}\">{}</dd>{}</div>\n",
      cls.empty() ? "" : " ", cls, html_escape(label), missing ? " is-missing" : "", value_html,
      sub_html.empty() ? "" : fmt::format("<dd class=\"stat-sub\">{}</dd>", sub_html));
}

std::string change_chip(std::optional<double> v, language lang) {
  if (!v) return std::string(dash);
  const auto text = signed_percent(*v, lang);
  const char* cls = text.starts_with('+')   ? "chg-up"
                    : text.starts_with('-') ? "chg-down"
                                            : "chg-flat";
  return fmt::format("<span class=\"chg {}\">{}</span>", cls, html_escape(text));
}

std::string card(std::string_view title, const freshness& f, std::string_view stats,
                 std::string_view extra_class = {}) {
  return fmt::format(
      "<section class=\"card{}{}\"{}>\n<div class=\"card-head\"><h2 class=\"card-label\">{}</h2>"
      "{}</div>\n{}<dl class=\"stats\">\n{}</dl>\n</section>\n",
      extra_class.empty() ? "" : " ", extra_class,
      f.state.empty() ? std::string() : fmt::format(" data-state=\"{}\"", f.state),
      html_escape(title), f.badge, f.reason, stats);
}

// A 0–100 scale with a marker at `v` (Fear & Greed, RSI).
std::string meter(std::optional<double> v, std::string_view kind) {
  if (!v) return {};
  const double at = std::clamp(*v, 0.0, 100.0);
  return fmt::format(
      "<div class=\"meter meter-{}\" aria-hidden=\"true\"><span style=\"left:{:.1f}%\"></span>"
      "</div>",
      kind, at);
}

// ---------- the price chart ----------

struct candle_row {
  std::int64_t open_ms = 0;
  double open = 0, high = 0, low = 0, close = 0;
  std::optional<double> volume;
};

constexpr double max_time_ms = 253402300799000;  // 9999-12-31T23:59:59Z
constexpr std::size_t max_candles = 1000;        // the newest are drawn

// The report's candles (the newest max_candles); a row of another shape is skipped.
std::vector<candle_row> candles_of(const json::object& report) {
  std::vector<candle_row> out;
  const json::value* v = report.if_contains("candles");
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& row : v->get_array()) {
    if (!row.is_array() || row.get_array().size() < 5) continue;
    const auto& a = row.get_array();
    auto t = json_number(&a[0]), o = json_number(&a[1]), h = json_number(&a[2]),
         lo = json_number(&a[3]), c = json_number(&a[4]);
    if (!t || !o || !h || !lo || !c) continue;
    if (!(*t >= 0 && *t <= max_time_ms)) continue;
    candle_row r{static_cast<std::int64_t>(*t), *o, *h, *lo, *c, std::nullopt};
    if (a.size() > 5) r.volume = json_number(&a[5]);
    if (!std::isfinite(r.open + r.high + r.low + r.close) || r.high < r.low) continue;
    out.push_back(r);
  }
  if (out.size() > max_candles)
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_candles));
  return out;
}

// A round step giving about `target` intervals over `range` (1, 2, 2.5 or 5 × 10^k).
double nice_step(double range, int target) {
  const double raw = range / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

int step_decimals(double step) {
  int d = 0;
  while (d < 12 &&
         std::abs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-6) {
    ++d;
  }
  return d;
}

// Which candles get a time label: those opening on a multiple of the smallest round period
// giving at most 7 labels (UTC), or every n-th one when none falls on it.
std::vector<std::size_t> labelled_candles(const std::vector<candle_row>& c) {
  constexpr std::array<std::int64_t, 9> periods{3600,  7200,  10800,  14400, 21600,
                                                43200, 86400, 172800, 604800};
  const std::int64_t span = (c.back().open_ms - c.front().open_ms) / 1000;
  std::int64_t period = periods.back();
  for (auto p : periods) {
    if (span / p <= 6) {
      period = p;
      break;
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if ((c[i].open_ms / 1000) % period == 0) out.push_back(i);
  }
  if (out.size() >= 2) return out;
  out.clear();
  const std::size_t every = std::max<std::size_t>(1, (c.size() + 5) / 6);
  for (std::size_t i = 0; i < c.size(); i += every) out.push_back(i);
  return out;
}

std::string price_chart(const std::vector<candle_row>& c, std::string_view symbol,
                        std::string_view interval, language lang) {
  const auto& l = labels_of(lang);
  constexpr double width = 960, left = 16, right = 864, top = 16;
  const bool has_volume =
      std::any_of(c.begin(), c.end(), [](const candle_row& r) { return r.volume.has_value(); });
  const double bottom = has_volume ? 262 : 312;  // of the price area
  const double vol_top = 272, vol_bottom = 312, axis_y = 334, height = 344;

  double lo = c.front().low, hi = c.front().high, max_vol = 0;
  for (const auto& r : c) {
    lo = std::min(lo, r.low);
    hi = std::max(hi, r.high);
    if (r.volume) max_vol = std::max(max_vol, *r.volume);
  }
  const double pad = hi > lo ? (hi - lo) * 0.06 : std::max(std::abs(hi) * 0.01, 1e-9);
  lo -= pad;
  hi += pad;
  auto y = [&](double p) { return top + (hi - p) / (hi - lo) * (bottom - top); };
  const double slot = (right - left) / static_cast<double>(c.size());
  auto x = [&](std::size_t i) { return left + slot * (static_cast<double>(i) + 0.5); };

  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n"
      "<title>{}</title>\n",
      width, height, html_escape(say(l.chart_aria, symbol)),
      html_escape(say(l.chart_meta, c.size(), interval)));

  // Price grid and labels.
  const double step = nice_step(hi - lo, 6);
  const int decimals = step_decimals(step);
  svg += "<g class=\"grid\">\n";
  // Counted, not accumulated: a step below the precision of huge prices cannot loop forever.
  const double first = std::ceil(lo / step);
  for (int k = 0; k < 20 && (first + k) * step <= hi; ++k) {
    const double p = (first + k) * step;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"axis\" x=\"{:.1f}\" y=\"{:.1f}\" dominant-baseline=\"middle\">{}</text>\n",
        left, right, y(p), y(p), right + 8, y(p), format_number(p, decimals, lang));
  }
  svg += "</g>\n";

  // Time labels.
  svg += "<g class=\"times\">\n";
  for (auto i : labelled_candles(c)) {
    const auto t = civil_of(c[i].open_ms / 1000);
    const bool midnight = t.hour == 0 && t.minute == 0;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"axis{3}\" x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>\n",
        x(i), top, has_volume ? vol_bottom : bottom, midnight ? " axis-day" : "", axis_y,
        midnight ? day_text(t, lang) : clock_text(t));
  }
  svg += "</g>\n";

  // Volume bars, then one group per candle: wick and body, with its figures as a tooltip.
  const double body = std::clamp(slot * 0.62, 1.0, 24.0);
  if (has_volume && max_vol > 0) {
    svg += "<g class=\"volume\">\n";
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (!c[i].volume) continue;
      const double h = std::max(0.5, *c[i].volume / max_vol * (vol_bottom - vol_top));
      svg += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
          "height=\"{:.1f}\"/>\n",
          c[i].close >= c[i].open ? "up" : "down", x(i) - body / 2, vol_bottom - h, body, h);
    }
    svg += "</g>\n";
  }
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& r = c[i];
    const auto t = civil_of(r.open_ms / 1000);
    const double y_top = y(std::max(r.open, r.close));
    const double y_bottom = y(std::min(r.open, r.close));
    svg += fmt::format(
        "<g class=\"candle {}\"><title>{} {} · O {} H {} L {} C {}</title>"
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/></g>\n",
        r.close >= r.open ? "up" : "down", day_text(t, lang), clock_text(t),
        number_text(r.open, lang), number_text(r.high, lang), number_text(r.low, lang),
        number_text(r.close, lang), x(i), x(i), y(r.high), y(r.low), x(i) - body / 2, y_top, body,
        std::max(1.0, y_bottom - y_top));
  }

  // The last close, marked on the price axis.
  const double last_y = y(c.back().close);
  svg += fmt::format(
      "<g class=\"last\"><line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"18\" rx=\"3\"/>"
      "<text x=\"{:.1f}\" y=\"{:.1f}\" dominant-baseline=\"middle\">{}</text></g>\n",
      left, right, last_y, last_y, right + 2, last_y - 9, width - right - 4, right + 8, last_y,
      number_text(c.back().close, lang));
  svg += "</svg>\n";
  return svg;
}

std::string chart_panel(const json::object& report, std::string_view symbol, std::string_view span,
                        const freshness& f, language lang) {
  const auto& l = labels_of(lang);
  const auto candles = candles_of(report);
  const auto interval = string_at(&report, "candle_interval").value_or("");
  std::string head = fmt::format(
      "<section class=\"panel chart-panel\"{}>\n<div class=\"panel-head\"><div>"
      "<h2 class=\"panel-title\">{}</h2>",
      f.state.empty() ? std::string() : fmt::format(" data-state=\"{}\"", f.state),
      html_escape(say(l.chart_title, span)));
  if (!candles.empty()) {
    head += fmt::format("<p class=\"muted small\">{}</p>",
                        html_escape(say(l.chart_meta, candles.size(), interval)));
  }
  head += fmt::format("</div>{}</div>\n{}", f.badge, f.reason);
  if (candles.empty()) {
    return head +
           fmt::format("<p class=\"chart-empty\">{}</p>\n</section>\n", html_escape(l.chart_empty));
  }
  return head + price_chart(candles, symbol, interval, lang) + "</section>\n";
}

// ---------- the cards ----------

std::string market_card(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  std::string s;
  s += stat(l.price, html_escape(price_text(number_at(&r, "price_usd"), lang)), {}, "stat-main");
  s += stat(l.change_24h, change_chip(number_at(&r, "change_24h_pct"), lang));
  s += stat(l.market_cap, html_escape(usd_compact(number_at(&r, "market_cap_usd"), lang)));
  s += stat(l.volume_24h, html_escape(usd_compact(number_at(&r, "volume_24h_usd"), lang)));
  return card(l.market, freshness_of(sources, "market", lang), s);
}

std::string period_card(const json::object& r, std::string_view symbol, std::string_view span,
                        const freshness& f, language lang) {
  const auto& l = labels_of(lang);
  const auto volume = number_at(&r, "volume");
  std::string s;
  s += stat(l.change, change_chip(number_at(&r, "change_pct"), lang), {}, "stat-main");
  s += stat(l.high, html_escape(price_text(number_at(&r, "high"), lang)));
  s += stat(l.low, html_escape(price_text(number_at(&r, "low"), lang)));
  s += stat(l.volume,
            volume ? html_escape(format_number(*volume, 2, lang) + " " + std::string(symbol))
                   : std::string(dash),
            {}, "stat-wide");
  return card(say(l.period, span), f, s);
}

std::string global_card(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  std::string s;
  s += stat(l.total_market_cap,
            html_escape(usd_compact(number_at(&r, "total_market_cap_usd"), lang)), {}, "stat-main");
  s +=
      stat(l.btc_dominance, html_escape(percent_text(number_at(&r, "btc_dominance_pct"), 1, lang)));
  s +=
      stat(l.eth_dominance, html_escape(percent_text(number_at(&r, "eth_dominance_pct"), 1, lang)));
  return card(l.global, freshness_of(sources, "global", lang), s);
}

std::string fear_greed_card(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  const json::object* fg = object_at(&r, "fear_greed");
  const auto value = number_at(fg, "value");
  const auto cls = string_at(fg, "classification");
  std::string sub;
  if (value && cls) {
    sub = fmt::format("<span class=\"fg-label\">{}</span>",
                      html_escape(fear_greed_label(*cls, lang)));
  }
  sub += meter(value, "fg");
  const auto shown = value ? format_number(*value, 0, lang) : std::string(dash);
  return card(l.fear_greed, freshness_of(sources, "fear_greed", lang),
              stat(l.index, html_escape(shown), sub, "stat-main"));
}

std::string indicators_card(const json::object& r, const json::object* sources,
                            std::string_view interval, language lang) {
  const auto& l = labels_of(lang);
  const json::object* ind = object_at(&r, "indicators");
  std::string s;

  const auto rsi = number_at(ind, "rsi_14");
  std::string rsi_sub;
  if (rsi) {
    const bool over = *rsi >= rsi_overbought, under = *rsi <= rsi_oversold;
    rsi_sub = fmt::format("<span class=\"zone zone-{}\">{}</span>{}",
                          over    ? "over"
                          : under ? "under"
                                  : "neutral",
                          html_escape(over    ? l.overbought
                                      : under ? l.oversold
                                              : l.neutral),
                          meter(rsi, "rsi"));
  }
  s += stat(l.rsi, html_escape(rsi ? format_number(*rsi, 1, lang) : std::string(dash)), rsi_sub);
  s += stat(l.sma, html_escape(price_text(number_at(ind, "sma_20"), lang)));
  s += stat(l.ema, html_escape(price_text(number_at(ind, "ema_50"), lang)));

  const json::object* macd = object_at(ind, "macd");
  const auto signal = number_at(macd, "signal");
  const auto hist = number_at(macd, "histogram");
  std::string macd_sub;
  if (macd) {
    macd_sub = html_escape(fmt::format("{} {} · {} {}", l.signal, number_text(signal, lang),
                                       l.histogram, number_text(hist, lang)));
  }
  s += stat(l.macd, html_escape(number_text(number_at(macd, "macd"), lang)), macd_sub);

  const json::object* bands = object_at(ind, "bbands");
  const auto upper_band = number_at(bands, "upper");
  const auto lower_band = number_at(bands, "lower");
  std::string band_sub;
  if (bands) {
    band_sub = html_escape(fmt::format("{} {} · {} {}", l.upper, price_text(upper_band, lang),
                                       l.lower, price_text(lower_band, lang)));
  }
  s += stat(fmt::format("{} · {}", l.bbands, l.middle),
            html_escape(price_text(number_at(bands, "middle"), lang)), band_sub);

  return card(say(l.indicators, interval), freshness_of(sources, "indicators", lang), s,
              "card-indicators");
}

// ---------- the page ----------

constexpr std::string_view logo_svg =
    "<svg class=\"logo\" viewBox=\"0 0 32 32\" aria-hidden=\"true\">"
    "<rect x=\"1\" y=\"1\" width=\"30\" height=\"30\" rx=\"9\" class=\"logo-bg\"/>"
    "<path d=\"M8 21 L13 15 L17 18 L24 10\" class=\"logo-line\"/>"
    "<circle cx=\"24\" cy=\"10\" r=\"2.2\" class=\"logo-dot\"/></svg>";

// The dashboard's palette and shapes (web/styles.css), reduced to what the page uses.
constexpr std::string_view page_css = R"css(
:root{--bg:#0a0e17;--panel:#111827;--line:rgba(148,163,184,.12);--line-2:rgba(148,163,184,.2);
--text:#e6e9f0;--muted:#8b95a7;--faint:#6b7588;--accent:#818cf8;--accent-2:#6366f1;--teal:#2dd4bf;
--up:#22c55e;--down:#ef4444;--warn:#f59e0b;--radius:14px;
--shadow:0 1px 0 rgba(255,255,255,.03) inset,0 10px 30px -18px rgba(0,0,0,.8);
--font:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;
color-scheme:dark}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;color:var(--text);font-family:var(--font);font-size:14px;line-height:1.45;
background:radial-gradient(1200px 600px at 10% -10%,rgba(99,102,241,.12),transparent 60%),
radial-gradient(900px 500px at 100% 0%,rgba(45,212,191,.07),transparent 60%),var(--bg);
-webkit-font-smoothing:antialiased}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:6px}
.num{font-variant-numeric:tabular-nums}.muted{color:var(--muted)}.small{font-size:12px}
.topbar{display:flex;align-items:center;justify-content:space-between;gap:16px;flex-wrap:wrap;
padding:12px max(24px,calc((100vw - 1200px)/2 + 24px));background:rgba(10,14,23,.78);
border-bottom:1px solid var(--line)}
.brand{display:flex;align-items:center;gap:11px;min-width:0}
.logo{width:32px;height:32px;flex:none}
.logo-bg{fill:#1e1b4b;stroke:rgba(129,140,248,.5);stroke-width:1}
.logo-line{fill:none;stroke:var(--teal);stroke-width:2.6;stroke-linecap:round;stroke-linejoin:round}
.logo-dot{fill:var(--accent)}
.brand-text{display:flex;flex-direction:column}.brand-name{font-weight:700;font-size:16px}
.brand-tag{color:var(--muted);font-size:12px}
.actions{display:flex;gap:10px;flex-wrap:wrap}
.btn{display:inline-flex;align-items:center;min-height:34px;padding:6px 14px;border-radius:9px;
border:1px solid var(--line-2);background:rgba(148,163,184,.06);color:var(--text);font-weight:600;
font-size:13px;white-space:nowrap}
.btn:hover{text-decoration:none;border-color:rgba(129,140,248,.5)}
.btn-primary{background:var(--accent-2);border-color:var(--accent-2);color:#fff}
.content{max-width:1200px;margin:0 auto;padding:20px 24px 8px;display:grid;gap:18px}
.panel,.card{position:relative;min-width:0;border:1px solid var(--line);border-radius:var(--radius);
box-shadow:var(--shadow);background:linear-gradient(180deg,rgba(255,255,255,.022),transparent 45%),var(--panel)}
.panel{padding:20px}
.card{padding:16px 16px 14px;display:flex;flex-direction:column;gap:12px;overflow:hidden}
.card::before{content:"";position:absolute;inset:0 0 auto 0;height:2px;opacity:.55;
background:linear-gradient(90deg,var(--accent-2),transparent 70%)}
.card[data-state="stale"]::before{background:linear-gradient(90deg,var(--warn),transparent 70%)}
.card[data-state="unavailable"]::before{background:linear-gradient(90deg,var(--down),transparent 70%)}
.hero h1{margin:0;font-size:26px;letter-spacing:-.02em}
.hero-head{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;flex-wrap:wrap}
.meta{margin:6px 0 0;color:var(--muted);display:flex;gap:6px 14px;flex-wrap:wrap}
.tf{display:inline-block;padding:1px 8px;border-radius:6px;background:rgba(129,140,248,.14);
color:#c7d2fe;font-weight:650}
.hero-price{display:flex;align-items:center;gap:10px;flex-wrap:wrap}
.hero-price .price{font-size:34px;font-weight:700;letter-spacing:-.02em;line-height:1.1}
.summary{margin:16px 0 0;padding:14px 16px;border-left:3px solid var(--accent-2);border-radius:8px;
background:rgba(99,102,241,.07);font-size:15px;line-height:1.6;max-width:80ch}
.panel-head,.card-head{display:flex;align-items:flex-start;justify-content:space-between;gap:10px}
.panel-head{margin-bottom:12px;flex-wrap:wrap}
.panel-title{margin:0;font-size:15px;font-weight:650}
.panel-head p{margin:2px 0 0}
.card-label{margin:0;padding-top:2px;font-size:12px;font-weight:600;color:var(--muted);
text-transform:uppercase;letter-spacing:.06em;min-width:0;overflow-wrap:anywhere}
.badge{display:inline-flex;align-items:center;gap:5px;padding:2px 8px;border-radius:999px;font-size:11px;
font-weight:600;white-space:nowrap;border:1px solid transparent;flex:none}
.badge::before{content:"";width:6px;height:6px;border-radius:50%;background:currentColor}
.badge-fresh{color:#86efac;background:rgba(34,197,94,.1);border-color:rgba(34,197,94,.25)}
.badge-stale{color:#fcd34d;background:rgba(245,158,11,.1);border-color:rgba(245,158,11,.3)}
.badge-unavailable{color:#fca5a5;background:rgba(239,68,68,.1);border-color:rgba(239,68,68,.3)}
.card-reason{margin:-4px 0 0;font-size:12px;color:#fca5a5;overflow-wrap:anywhere}
.panel .card-reason{margin:0 0 10px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:14px}
.card-indicators{grid-column:1/-1}
.stats{margin:0;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px 14px}
.card-indicators .stats{grid-template-columns:repeat(5,minmax(0,1fr))}
.stat{min-width:0}.stat-main,.stat-wide{grid-column:1/-1}
.stat dt{color:var(--muted);font-size:12px}
.stat dd{margin:2px 0 0;font-size:16px;font-weight:650;overflow-wrap:anywhere}
.stat-main dd.num{font-size:26px;font-weight:700;letter-spacing:-.02em;line-height:1.15}
.card-indicators .stat dd.num{font-size:20px}
.stat dd.stat-sub{font-size:12.5px;font-weight:500;color:var(--muted);display:flex;flex-wrap:wrap;
align-items:center;gap:6px}
.is-missing{color:var(--faint)}
.chg{display:inline-flex;padding:1px 7px;border-radius:6px;font-weight:650;font-variant-numeric:tabular-nums;
white-space:nowrap}
.stat-main .chg,.hero .chg{font-size:18px}
.chg-up{color:#4ade80;background:rgba(34,197,94,.12)}
.chg-down{color:#f87171;background:rgba(239,68,68,.12)}
.chg-flat{color:var(--muted);background:rgba(148,163,184,.1)}
.fg-label,.zone{font-weight:650;color:var(--text)}
.zone-over{color:#f87171}.zone-under{color:#4ade80}
.meter{position:relative;flex:1 0 100%;height:6px;margin-top:6px;border-radius:999px;
background:linear-gradient(90deg,#ef4444,#f97316 25%,#eab308 50%,#84cc16 75%,#22c55e)}
.meter-rsi{background:linear-gradient(90deg,rgba(34,197,94,.55) 30%,rgba(148,163,184,.25) 30% 70%,
rgba(239,68,68,.55) 70%)}
.meter span{position:absolute;top:-4px;width:4px;height:14px;margin-left:-2px;border-radius:2px;
background:var(--text);box-shadow:0 0 0 2px var(--panel)}
.chart{display:block;width:100%;height:auto}
.chart .grid line{stroke:rgba(148,163,184,.1)}
.chart .times line{stroke:rgba(148,163,184,.06)}
.chart .axis{fill:var(--muted);font:12px var(--font);font-variant-numeric:tabular-nums}
.chart .axis-day{fill:var(--text);font-weight:700}
.chart .candle line{stroke-width:1.2}
.chart .up line{stroke:var(--up)}.chart .up rect{fill:var(--up)}
.chart .down line{stroke:var(--down)}.chart .down rect{fill:var(--down)}
.chart .volume rect{opacity:.35}.chart .volume .up{fill:var(--up)}.chart .volume .down{fill:var(--down)}
.chart .last line{stroke:var(--accent);stroke-dasharray:4 4}
.chart .last rect{fill:var(--accent-2)}
.chart .last text{fill:#fff;font:600 12px var(--font);font-variant-numeric:tabular-nums}
.chart-empty{color:var(--muted);padding:40px 0;text-align:center;margin:0}
.footer{max-width:1200px;margin:0 auto;padding:10px 24px 28px;display:flex;justify-content:space-between;
gap:12px;flex-wrap:wrap;color:var(--faint);font-size:12px}
@media (max-width:1000px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}
.card-indicators .stats{grid-template-columns:repeat(3,minmax(0,1fr))}}
@media (max-width:600px){body{font-size:13.5px}.topbar{padding:10px 14px}
.content{padding:14px 12px 4px;gap:12px}.panel{padding:14px 12px}.cards{grid-template-columns:minmax(0,1fr);gap:10px}
.card-indicators .stats{grid-template-columns:repeat(2,minmax(0,1fr))}
.hero h1{font-size:21px}.hero-price .price{font-size:28px}.footer{padding:8px 14px 22px}
.chart .axis{font-size:26px}.chart .last rect,.chart .last text{display:none}
.chart .candle line{stroke-width:2.5}}
@media print{:root{--bg:#fff;--panel:#fff;--text:#111827;--muted:#4b5563;--faint:#6b7280;
--line:#d1d5db;--line-2:#d1d5db;--shadow:none;color-scheme:light}
body{background:#fff;font-size:12px}.actions{display:none}
.topbar{background:none;padding:8px 0}.content{padding:8px 0;max-width:none}
.panel,.card{break-inside:avoid;background:#fff}.summary{background:#f3f4f6}
.badge-fresh{color:#15803d}.badge-stale{color:#b45309}.badge-unavailable,.card-reason{color:#b91c1c}
.chg-up,.zone-under{color:#15803d}.chg-down,.zone-over{color:#b91c1c}.tf{color:#3730a3}
.chart .last text{fill:#fff}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

std::string timeframe_name(std::string_view tf, const labels& l) {
  if (tf == "1d") return std::string(l.day);
  if (tf == "1w") return std::string(l.week);
  return std::string(tf);
}

report_error bad_report(std::string_view why) {
  return report_error{make_error_code(core::errc::invalid_argument),
                      fmt::format("cannot render the report page: {}", why)};
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

report_result render_report_html(std::string_view report_json, std::int64_t id, language lang) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(report_json, ec);
  if (ec) return bad_report(fmt::format("the report is not valid JSON ({})", ec.message()));
  if (!parsed.is_object()) return bad_report("the report is not a JSON object");
  const json::object& r = parsed.get_object();
  const auto symbol_text = string_at(&r, "symbol");
  const auto timeframe = string_at(&r, "timeframe");
  if (!symbol_text || symbol_text->empty()) return bad_report("the report has no symbol");
  if (!timeframe || timeframe->empty()) return bad_report("the report has no timeframe");

  const auto& l = labels_of(lang);
  const auto symbol = upper(*symbol_text);
  const auto period = period_of(*timeframe);
  const std::string span =
      period ? std::string(lang == language::en ? period->span_en : period->span_vi)
             : std::string(*timeframe);
  const auto interval = std::string(string_at(&r, "candle_interval").value_or(""));
  const json::object* sources = object_at(&r, "sources");
  const auto candles_freshness = freshness_of(sources, "candles", lang);

  std::string created;
  if (auto at = string_at(&r, "created_at"))
    created = created_text(*at, lang).value_or(std::string(*at));
  const json::object* summary = object_at(&r, "summary");
  const auto summary_line = string_at(summary, l.code);

  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>",
      l.code, html_escape(say(l.title, symbol, timeframe_name(*timeframe, l))));
  page += page_css;
  page += "</style>\n</head>\n<body>\n";

  page += fmt::format(
      "<header class=\"topbar\">\n<div class=\"brand\">{}<div class=\"brand-text\">"
      "<span class=\"brand-name\">cryptodash</span><span "
      "class=\"brand-tag\">{}</span></div></div>\n"
      "<nav class=\"actions\"><a class=\"btn\" href=\"/crypto_report/{}?lang={}\" hreflang=\"{}\" "
      "lang=\"{}\">{}</a><a class=\"btn btn-primary\" href=\"/crypto_report/{}/pdf?lang={}\">{}</a>"
      "</nav>\n</header>\n<main class=\"content\">\n",
      logo_svg, html_escape(l.tagline), id, l.other_code, l.other_code, l.other_code,
      html_escape(l.other_name), id, l.code, html_escape(l.pdf));

  page += fmt::format(
      "<section class=\"panel hero\">\n<div class=\"hero-head\"><div><h1>{}</h1>"
      "<p class=\"meta\"><span class=\"tf\">{}</span>{}<span>{}</span></p></div>\n"
      "<div class=\"hero-price\"><span class=\"price num\">{}</span>{}</div></div>\n",
      html_escape(say(l.heading, symbol)), html_escape(timeframe_name(*timeframe, l)),
      created.empty() ? std::string()
                      : fmt::format("<span>{}</span>", html_escape(say(l.created, created))),
      html_escape(say(l.report_no, id)), html_escape(price_text(number_at(&r, "price_usd"), lang)),
      number_at(&r, "change_pct") ? change_chip(number_at(&r, "change_pct"), lang) : "");
  if (summary_line && !summary_line->empty()) {
    page += fmt::format("<p class=\"summary\" aria-label=\"{}\">{}</p>\n", html_escape(l.summary),
                        html_escape(*summary_line));
  }
  page += "</section>\n";

  page += chart_panel(r, symbol, span, candles_freshness, lang);
  page += "<div class=\"cards\">\n";
  page += market_card(r, sources, lang);
  page += period_card(r, symbol, span, candles_freshness, lang);
  page += global_card(r, sources, lang);
  page += fear_greed_card(r, sources, lang);
  page += indicators_card(r, sources, interval, lang);
  page += "</div>\n</main>\n";
  page += fmt::format(
      "<footer class=\"footer\"><span>{}</span><span>cryptodash · {}</span></footer>\n"
      "</body>\n</html>\n",
      html_escape(l.footer), html_escape(say(l.report_no, id)));
  return page;
}

}  // namespace cryptodash::reports
