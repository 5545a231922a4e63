#include "reports/report_view.h"

#include "core/error.h"
#include "market/payloads.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace cryptodash::reports {

namespace {

namespace json = boost::json;
using market::json_number;

// clang-format off
constexpr report_labels en_labels{
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
              "cryptodash cache. Times in UTC.",
    .page = "Page {}"};

constexpr report_labels vi_labels{
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
              "đệm của cryptodash. Giờ theo UTC.",
    .page = "Trang {}"};
// clang-format on

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
  return v ? format_price(*v, lang) : std::string(missing_figure);
}

std::string percent_text(std::optional<double> v, int decimals, language lang) {
  return v ? format_number(*v, decimals, lang) + "%" : std::string(missing_figure);
}

// "+2.14%", "-1.21%", "0.00%".
std::string signed_percent(double v, language lang) {
  auto text = format_number(v, 2, lang) + "%";
  const bool zero = text.find_first_not_of("-0.,%") == std::string::npos;
  return (v > 0 && !zero ? "+" : "") + text;
}

// "$1.27T" / "1,27 nghìn tỷ USD".
std::string usd_compact(std::optional<double> v, language lang) {
  if (!v) return std::string(missing_figure);
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
std::string age_text(std::int64_t s, const report_labels& l) {
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
  if (r.starts_with(timeout)) {
    return fmt::format("hết thời gian chờ sau {}", r.substr(timeout.size()));
  }
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

// ---------- the chart ----------

constexpr double max_time_ms = 253402300799000;  // 9999-12-31T23:59:59Z

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
  if (out.size() > max_chart_candles) {
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_chart_candles));
  }
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

std::string timeframe_name(std::string_view tf, const report_labels& l) {
  if (tf == "1d") return std::string(l.day);
  if (tf == "1w") return std::string(l.week);
  return std::string(tf);
}

report_error bad_report(std::string_view why) {
  return report_error{make_error_code(core::errc::invalid_argument),
                      fmt::format("cannot render the report page: {}", why)};
}

}  // namespace

const report_labels& labels_of(language lang) noexcept {
  return lang == language::vi ? vi_labels : en_labels;
}

std::string number_text(std::optional<double> v, language lang) {
  return v ? format_number(*v, decimals_for(*v), lang) : std::string(missing_figure);
}

std::string_view state_name(source_state s) noexcept {
  switch (s) {
    case source_state::fresh: return "fresh";
    case source_state::stale: return "stale";
    case source_state::unavailable: return "unavailable";
    case source_state::none: break;
  }
  return {};
}

std::string candle_time_text(std::int64_t open_ms, language lang) {
  const auto t = civil_of(open_ms / 1000);
  return fmt::format("{} {}", day_text(t, lang), clock_text(t));
}

chart_axes axes_of(const std::vector<candle_row>& c, language lang) {
  chart_axes a;
  a.has_volume =
      std::any_of(c.begin(), c.end(), [](const candle_row& r) { return r.volume.has_value(); });
  double lo = c.front().low, hi = c.front().high;
  for (const auto& r : c) {
    lo = std::min(lo, r.low);
    hi = std::max(hi, r.high);
    if (r.volume) a.max_volume = std::max(a.max_volume, *r.volume);
  }
  const double pad = hi > lo ? (hi - lo) * 0.06 : std::max(std::abs(hi) * 0.01, 1e-9);
  a.low = lo - pad;
  a.high = hi + pad;

  const double step = nice_step(a.high - a.low, 6);
  const int decimals = step_decimals(step);
  // Counted, not accumulated: a step below the precision of huge prices cannot loop forever.
  const double first = std::ceil(a.low / step);
  for (int k = 0; k < 20 && (first + k) * step <= a.high; ++k) {
    const double p = (first + k) * step;
    a.prices.push_back({p, format_number(p, decimals, lang)});
  }
  for (auto i : labelled_candles(c)) {
    const auto t = civil_of(c[i].open_ms / 1000);
    const bool midnight = t.hour == 0 && t.minute == 0;
    a.times.push_back({i, midnight ? day_text(t, lang) : clock_text(t), midnight});
  }
  return a;
}

namespace {

freshness freshness_of(const json::object* sources, std::string_view key, language lang) {
  const auto& l = labels_of(lang);
  const json::object* s = object_at(sources, key);
  const auto state = string_at(s, "state");
  freshness f;
  if (state == "fresh") {
    f.state = source_state::fresh;
  } else if (state == "stale") {
    f.state = source_state::stale;
  } else if (state == "unavailable") {
    f.state = source_state::unavailable;
  } else {
    return f;
  }
  const auto age = number_at(s, "age_s");
  const auto age_str = age ? age_text(static_cast<std::int64_t>(std::clamp(*age, 0.0, 1e12)), l)
                           : std::string(missing_figure);
  f.badge = f.state == source_state::fresh   ? l.fresh
            : f.state == source_state::stale ? l.stale
                                             : l.unavailable;
  if (f.state == source_state::stale && age) f.badge = say(l.stale_age, age_str);
  if (age) f.fetched = say(l.fetched, age_str);
  if (auto e = string_at(s, "error"); e && !e->empty()) {
    f.reason = say(l.reason, reason_text(*e, lang));
  }
  return f;
}

figure plain(std::string label, std::string value, figure_size size = figure_size::normal) {
  figure f;
  f.label = std::move(label);
  f.value = std::move(value);
  f.size = size;
  return f;
}

// A signed change ("+2.14%"), coloured by the sign it shows.
figure change_figure(std::string label, std::optional<double> v, language lang,
                     figure_size size = figure_size::normal) {
  if (!v) return plain(std::move(label), std::string(missing_figure), size);
  auto f = plain(std::move(label), signed_percent(*v, lang), size);
  f.tone = f.value.starts_with('+')   ? change_tone::up
           : f.value.starts_with('-') ? change_tone::down
                                      : change_tone::flat;
  return f;
}

void add_meter(figure& f, meter_kind kind, double v) {
  f.meter = kind;
  f.meter_at = std::clamp(v, 0.0, 100.0);
}

figure_group market_group(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  figure_group g{
      group_kind::market, std::string(l.market), freshness_of(sources, "market", lang), {}};
  g.figures.push_back(
      plain(std::string(l.price), price_text(number_at(&r, "price_usd"), lang), figure_size::main));
  g.figures.push_back(
      change_figure(std::string(l.change_24h), number_at(&r, "change_24h_pct"), lang));
  g.figures.push_back(
      plain(std::string(l.market_cap), usd_compact(number_at(&r, "market_cap_usd"), lang)));
  g.figures.push_back(
      plain(std::string(l.volume_24h), usd_compact(number_at(&r, "volume_24h_usd"), lang)));
  return g;
}

figure_group period_group(const json::object& r, std::string_view symbol, std::string_view span,
                          const freshness& candles, language lang) {
  const auto& l = labels_of(lang);
  figure_group g{group_kind::period, say(l.period, span), candles, {}};
  g.figures.push_back(
      change_figure(std::string(l.change), number_at(&r, "change_pct"), lang, figure_size::main));
  g.figures.push_back(plain(std::string(l.high), price_text(number_at(&r, "high"), lang)));
  g.figures.push_back(plain(std::string(l.low), price_text(number_at(&r, "low"), lang)));
  const auto volume = number_at(&r, "volume");
  g.figures.push_back(plain(std::string(l.volume),
                            volume ? format_number(*volume, 2, lang) + " " + std::string(symbol)
                                   : std::string(missing_figure),
                            figure_size::wide));
  return g;
}

figure_group global_group(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  figure_group g{
      group_kind::global, std::string(l.global), freshness_of(sources, "global", lang), {}};
  g.figures.push_back(plain(std::string(l.total_market_cap),
                            usd_compact(number_at(&r, "total_market_cap_usd"), lang),
                            figure_size::main));
  g.figures.push_back(plain(std::string(l.btc_dominance),
                            percent_text(number_at(&r, "btc_dominance_pct"), 1, lang)));
  g.figures.push_back(plain(std::string(l.eth_dominance),
                            percent_text(number_at(&r, "eth_dominance_pct"), 1, lang)));
  return g;
}

figure_group fear_greed_group(const json::object& r, const json::object* sources, language lang) {
  const auto& l = labels_of(lang);
  const json::object* fg = object_at(&r, "fear_greed");
  const auto value = number_at(fg, "value");
  const auto cls = string_at(fg, "classification");
  auto f = plain(std::string(l.index),
                 value ? format_number(*value, 0, lang) : std::string(missing_figure),
                 figure_size::main);
  if (value && cls) {
    f.note = fear_greed_label(*cls, lang);
    f.note_kind = note_style::label;
  }
  if (value) add_meter(f, meter_kind::fear_greed, *value);
  return {group_kind::fear_greed,
          std::string(l.fear_greed),
          freshness_of(sources, "fear_greed", lang),
          {std::move(f)}};
}

figure_group indicators_group(const json::object& r, const json::object* sources,
                              std::string_view interval, language lang) {
  const auto& l = labels_of(lang);
  const json::object* ind = object_at(&r, "indicators");
  figure_group g{group_kind::indicators,
                 say(l.indicators, interval),
                 freshness_of(sources, "indicators", lang),
                 {}};

  const auto rsi = number_at(ind, "rsi_14");
  auto rsi_figure =
      plain(std::string(l.rsi), rsi ? format_number(*rsi, 1, lang) : std::string(missing_figure));
  if (rsi) {
    const bool over = *rsi >= rsi_overbought, under = *rsi <= rsi_oversold;
    rsi_figure.note = over ? l.overbought : under ? l.oversold : l.neutral;
    rsi_figure.note_kind = over    ? note_style::zone_over
                           : under ? note_style::zone_under
                                   : note_style::zone_neutral;
    add_meter(rsi_figure, meter_kind::rsi, *rsi);
  }
  g.figures.push_back(std::move(rsi_figure));
  g.figures.push_back(plain(std::string(l.sma), price_text(number_at(ind, "sma_20"), lang)));
  g.figures.push_back(plain(std::string(l.ema), price_text(number_at(ind, "ema_50"), lang)));

  const json::object* macd = object_at(ind, "macd");
  auto macd_figure = plain(std::string(l.macd), number_text(number_at(macd, "macd"), lang));
  if (macd) {
    macd_figure.note =
        fmt::format("{} {} · {} {}", l.signal, number_text(number_at(macd, "signal"), lang),
                    l.histogram, number_text(number_at(macd, "histogram"), lang));
  }
  g.figures.push_back(std::move(macd_figure));

  const json::object* bands = object_at(ind, "bbands");
  auto band_figure = plain(fmt::format("{} · {}", l.bbands, l.middle),
                           price_text(number_at(bands, "middle"), lang));
  if (bands) {
    band_figure.note =
        fmt::format("{} {} · {} {}", l.upper, price_text(number_at(bands, "upper"), lang), l.lower,
                    price_text(number_at(bands, "lower"), lang));
  }
  g.figures.push_back(std::move(band_figure));
  return g;
}

}  // namespace

report_view_result make_report_view(std::string_view report_json, std::int64_t id, language lang) {
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
  report_view v;
  v.lang = lang;
  v.id = id;
  v.symbol = upper(*symbol_text);
  v.timeframe = timeframe_name(*timeframe, l);
  v.title = say(l.title, v.symbol, v.timeframe);
  v.heading = say(l.heading, v.symbol);
  if (auto at = string_at(&r, "created_at"); at && !at->empty()) {
    v.created_at = *at;
    v.created = say(l.created, created_text(*at, lang).value_or(std::string(*at)));
  }
  v.report_no = say(l.report_no, id);
  v.price = price_text(number_at(&r, "price_usd"), lang);
  if (const auto change = number_at(&r, "change_pct")) {
    v.change = change_figure(std::string(l.change), change, lang);
  }
  v.summary = string_at(object_at(&r, "summary"), l.code).value_or("");

  const auto period = period_of(*timeframe);
  const std::string span =
      period ? std::string(lang == language::en ? period->span_en : period->span_vi)
             : std::string(*timeframe);
  const json::object* sources = object_at(&r, "sources");
  auto& chart = v.chart;
  chart.interval = string_at(&r, "candle_interval").value_or("");
  chart.source = freshness_of(sources, "candles", lang);
  chart.candles = candles_of(r);
  chart.title = say(l.chart_title, span);
  chart.meta = say(l.chart_meta, chart.candles.size(), chart.interval);
  chart.empty = l.chart_empty;
  chart.aria = say(l.chart_aria, v.symbol);

  v.groups.push_back(market_group(r, sources, lang));
  v.groups.push_back(period_group(r, v.symbol, span, chart.source, lang));
  v.groups.push_back(global_group(r, sources, lang));
  v.groups.push_back(fear_greed_group(r, sources, lang));
  v.groups.push_back(indicators_group(r, sources, chart.interval, lang));
  return v;
}

}  // namespace cryptodash::reports
