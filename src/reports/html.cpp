#include "reports/html.h"

#include "reports/report_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace cryptodash::reports {

namespace {

// ---------- page pieces ----------

// The badge of one input, and the reason line when there is one; empty without a state.
std::string badge_html(const freshness& f) {
  if (f.state == source_state::none) return {};
  const auto title =
      f.fetched.empty() ? std::string() : fmt::format(" title=\"{}\"", html_escape(f.fetched));
  return fmt::format("<span class=\"badge badge-{}\"{}>{}</span>", state_name(f.state), title,
                     html_escape(f.badge));
}

std::string reason_html(const freshness& f) {
  if (f.state == source_state::none || f.reason.empty()) return {};
  return fmt::format("<p class=\"card-reason\">{}</p>", html_escape(f.reason));
}

std::string state_attribute(const freshness& f) {
  if (f.state == source_state::none) return {};
  return fmt::format(" data-state=\"{}\"", state_name(f.state));
}

std::string_view tone_class(change_tone t) {
  switch (t) {
    case change_tone::up: return "chg-up";
    case change_tone::down: return "chg-down";
    case change_tone::flat:
    case change_tone::none: break;
  }
  return "chg-flat";
}

// A figure's value: a change as a coloured chip, any other escaped as it is.
std::string value_html(const figure& f) {
  if (f.tone == change_tone::none) return html_escape(f.value);
  return fmt::format("<span class=\"chg {}\">{}</span>", tone_class(f.tone), html_escape(f.value));
}

// A 0–100 scale with a marker (Fear & Greed, RSI).
std::string meter_html(const figure& f) {
  if (f.meter == meter_kind::none) return {};
  return fmt::format(
      "<div class=\"meter meter-{}\" aria-hidden=\"true\"><span style=\"left:{:.1f}%\"></span>"
      "</div>",
      f.meter == meter_kind::rsi ? "rsi" : "fg", f.meter_at);
}

std::string note_html(const figure& f) {
  if (f.note.empty()) return {};
  switch (f.note_kind) {
    case note_style::label:
      return fmt::format("<span class=\"fg-label\">{}</span>", html_escape(f.note));
    case note_style::zone_over:
    case note_style::zone_under:
    case note_style::zone_neutral:
      return fmt::format("<span class=\"zone zone-{}\">{}</span>",
                         f.note_kind == note_style::zone_over    ? "over"
                         : f.note_kind == note_style::zone_under ? "under"
                                                                 : "neutral",
                         html_escape(f.note));
    case note_style::plain: break;
  }
  return html_escape(f.note);
}

std::string stat_html(const figure& f) {
  const auto sub = note_html(f) + meter_html(f);
  const std::string_view cls = f.size == figure_size::main   ? "stat-main"
                               : f.size == figure_size::wide ? "stat-wide"
                                                             : "";
  return fmt::format("<div class=\"stat{}{}\"><dt>{}</dt><dd class=\"num{}\">{}</dd>{}</div>\n",
                     cls.empty() ? "" : " ", cls, html_escape(f.label),
                     f.missing() ? " is-missing" : "",
                     f.missing() ? std::string(missing_figure) : value_html(f),
                     sub.empty() ? "" : fmt::format("<dd class=\"stat-sub\">{}</dd>", sub));
}

std::string card_html(const figure_group& g) {
  std::string stats;
  for (const auto& f : g.figures) stats += stat_html(f);
  const std::string_view extra = g.kind == group_kind::indicators ? " card-indicators" : "";
  return fmt::format(
      "<section class=\"card{}\"{}>\n<div class=\"card-head\"><h2 class=\"card-label\">{}</h2>"
      "{}</div>\n{}<dl class=\"stats\">\n{}</dl>\n</section>\n",
      extra, state_attribute(g.source), html_escape(g.title), badge_html(g.source),
      reason_html(g.source), stats);
}

// ---------- the price chart ----------

std::string price_chart(const chart_view& chart, language lang) {
  const auto& c = chart.candles;
  const auto a = axes_of(c, lang);
  constexpr double width = 960, left = 16, right = 864, top = 16;
  const double bottom = a.has_volume ? 262 : 312;  // of the price area
  const double vol_top = 272, vol_bottom = 312, axis_y = 334, height = 344;
  auto y = [&](double p) { return top + (a.high - p) / (a.high - a.low) * (bottom - top); };
  const double slot = (right - left) / static_cast<double>(c.size());
  auto x = [&](std::size_t i) { return left + slot * (static_cast<double>(i) + 0.5); };

  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n"
      "<title>{}</title>\n",
      width, height, html_escape(chart.aria), html_escape(chart.meta));

  // Price grid and labels.
  svg += "<g class=\"grid\">\n";
  for (const auto& t : a.prices) {
    svg += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"axis\" x=\"{:.1f}\" y=\"{:.1f}\" dominant-baseline=\"middle\">{}</text>\n",
        left, right, y(t.price), y(t.price), right + 8, y(t.price), t.label);
  }
  svg += "</g>\n";

  // Time labels.
  svg += "<g class=\"times\">\n";
  for (const auto& t : a.times) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"axis{3}\" x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>\n",
        x(t.index), top, a.has_volume ? vol_bottom : bottom, t.day ? " axis-day" : "", axis_y,
        t.label);
  }
  svg += "</g>\n";

  // Volume bars, then one group per candle: wick and body, with its figures as a tooltip.
  const double body = std::clamp(slot * 0.62, 1.0, 24.0);
  if (a.has_volume && a.max_volume > 0) {
    svg += "<g class=\"volume\">\n";
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (!c[i].volume) continue;
      const double h = std::max(0.5, *c[i].volume / a.max_volume * (vol_bottom - vol_top));
      svg += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
          "height=\"{:.1f}\"/>\n",
          c[i].close >= c[i].open ? "up" : "down", x(i) - body / 2, vol_bottom - h, body, h);
    }
    svg += "</g>\n";
  }
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& r = c[i];
    const double y_top = y(std::max(r.open, r.close));
    const double y_bottom = y(std::min(r.open, r.close));
    svg += fmt::format(
        "<g class=\"candle {}\"><title>{} · O {} H {} L {} C {}</title>"
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/></g>\n",
        r.close >= r.open ? "up" : "down", candle_time_text(r.open_ms, lang),
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

std::string chart_panel(const chart_view& chart, language lang) {
  std::string head = fmt::format(
      "<section class=\"panel chart-panel\"{}>\n<div class=\"panel-head\"><div>"
      "<h2 class=\"panel-title\">{}</h2>",
      state_attribute(chart.source), html_escape(chart.title));
  if (!chart.candles.empty()) {
    head += fmt::format("<p class=\"muted small\">{}</p>", html_escape(chart.meta));
  }
  head += fmt::format("</div>{}</div>\n{}", badge_html(chart.source), reason_html(chart.source));
  if (chart.candles.empty()) {
    return head +
           fmt::format("<p class=\"chart-empty\">{}</p>\n</section>\n", html_escape(chart.empty));
  }
  return head + price_chart(chart, lang) + "</section>\n";
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
  auto view = make_report_view(report_json, id, lang);
  if (!view) return view.error();
  const report_view& v = *view;
  const auto& l = labels_of(lang);

  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n"
      "<title>{}</title>\n<style>",
      l.code, html_escape(v.title));
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
      html_escape(v.heading), html_escape(v.timeframe),
      v.created.empty() ? std::string() : fmt::format("<span>{}</span>", html_escape(v.created)),
      html_escape(v.report_no), html_escape(v.price), v.change ? value_html(*v.change) : "");
  if (!v.summary.empty()) {
    page += fmt::format("<p class=\"summary\" aria-label=\"{}\">{}</p>\n", html_escape(l.summary),
                        html_escape(v.summary));
  }
  page += "</section>\n";

  page += chart_panel(v.chart, lang);
  page += "<div class=\"cards\">\n";
  for (const auto& g : v.groups) page += card_html(g);
  page += "</div>\n</main>\n";
  page += fmt::format(
      "<footer class=\"footer\"><span>{}</span><span>cryptodash · {}</span></footer>\n"
      "</body>\n</html>\n",
      html_escape(l.footer), html_escape(v.report_no));
  return page;
}

}  // namespace cryptodash::reports
