#include "reports/pdf.h"

#include "reports/pdf_canvas.h"
#include "reports/report_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace cryptodash::reports {

namespace {

using namespace pdf;

// ---------- small pieces ----------

struct state_colours {
  colour fg, bg, border, strip;
};

state_colours colours_of(source_state s) {
  switch (s) {
    case source_state::fresh:
      return {palette::up_text, rgb(0x22c55e, .1), rgb(0x22c55e, .3), palette::accent_2};
    case source_state::stale:
      return {palette::warn_text, rgb(0xf59e0b, .1), rgb(0xf59e0b, .35), palette::warn};
    case source_state::unavailable:
      return {palette::down_text, rgb(0xef4444, .1), rgb(0xef4444, .35), palette::down};
    case source_state::none: break;
  }
  return {palette::muted, palette::soft, palette::line, palette::accent_2};
}

// A freshness pill: a dot and the badge text.
struct badge {
  layout_ptr label;
  double w = 0, h = 0;
  state_colours c;
};

std::optional<badge> badge_of(const document& d, const freshness& f) {
  if (f.state == source_state::none) return std::nullopt;
  badge b{d.text(f.badge, {7.5, weight::bold}, {.width = 200}), 0, 0, colours_of(f.state)};
  const auto e = size_of(b.label);
  b.w = e.w + 18;
  b.h = e.h + 4;
  return b;
}

void draw_badge(const document& d, const badge& b, double right, double y) {
  cairo_t* cr = d.cr();
  const double x = right - b.w;
  rounded_rect(cr, x, y, b.w, b.h, b.h / 2);
  set_colour(cr, b.c.bg);
  cairo_fill_preserve(cr);
  set_colour(cr, b.c.border);
  cairo_set_line_width(cr, 0.6);
  cairo_stroke(cr);
  set_colour(cr, b.c.fg);
  cairo_arc(cr, x + 8, y + b.h / 2, 2, 0, 2 * std::numbers::pi);
  cairo_fill(cr);
  d.show(b.label, x + 13, y + 2, b.c.fg);
}

// A change chip: the signed change coloured by its sign on a tint of that colour.
struct chip_colours {
  colour fg, bg;
};

chip_colours chip_of(change_tone t) {
  switch (t) {
    case change_tone::up: return {palette::up_text, rgb(0x22c55e, .14)};
    case change_tone::down: return {palette::down_text, rgb(0xef4444, .14)};
    case change_tone::flat:
    case change_tone::none: break;
  }
  return {palette::muted, rgb(0x94a3b8, .16)};
}

// A 0–100 scale with its marker (Fear & Greed gradient, RSI zones).
void draw_meter(const document& d, meter_kind kind, double at, double x, double y, double w) {
  cairo_t* cr = d.cr();
  constexpr double h = 4;
  using stop = std::pair<double, colour>;
  static constexpr stop fear_greed[] = {{0, rgb(0xef4444)},
                                        {.25, rgb(0xf97316)},
                                        {.5, rgb(0xeab308)},
                                        {.75, rgb(0x84cc16)},
                                        {1, rgb(0x22c55e)}};
  static constexpr stop rsi[] = {{0, rgb(0x22c55e, .55)},  {.3, rgb(0x22c55e, .55)},
                                 {.3, rgb(0x94a3b8, .3)},  {.7, rgb(0x94a3b8, .3)},
                                 {.7, rgb(0xef4444, .55)}, {1, rgb(0xef4444, .55)}};
  pattern_ptr p(cairo_pattern_create_linear(x, 0, x + w, 0));
  for (const auto& [at_stop, c] : kind == meter_kind::fear_greed ? std::span<const stop>(fear_greed)
                                                                 : std::span<const stop>(rsi)) {
    cairo_pattern_add_color_stop_rgba(p.get(), at_stop, c.r, c.g, c.b, c.a);
  }
  rounded_rect(cr, x, y, w, h, h / 2);
  cairo_set_source(cr, p.get());
  cairo_fill(cr);
  const double mx = x + w * std::clamp(at, 0.0, 100.0) / 100;
  rounded_rect(cr, mx - 1.5, y - 3, 3, h + 6, 1);
  set_colour(cr, palette::panel);
  cairo_set_line_width(cr, 1.5);
  cairo_stroke_preserve(cr);
  set_colour(cr, palette::text);
  cairo_fill(cr);
}

// A panel: white, a hairline border, rounded; with `strip`, a 2.5 pt band of that colour
// fading out along its top edge (the HTML cards' ::before).
void draw_panel(const document& d, double x, double y, double w, double h,
                std::optional<colour> strip = std::nullopt) {
  cairo_t* cr = d.cr();
  rounded_rect(cr, x, y, w, h, 8);
  set_colour(cr, palette::panel);
  cairo_fill_preserve(cr);
  if (strip) {
    cairo_save(cr);
    cairo_clip(cr);
    pattern_ptr p(cairo_pattern_create_linear(x, 0, x + w, 0));
    cairo_pattern_add_color_stop_rgba(p.get(), 0, strip->r, strip->g, strip->b, .85);
    cairo_pattern_add_color_stop_rgba(p.get(), .7, strip->r, strip->g, strip->b, 0);
    cairo_set_source(cr, p.get());
    cairo_rectangle(cr, x, y, w, 2.5);
    cairo_fill(cr);
    cairo_restore(cr);
    rounded_rect(cr, x, y, w, h, 8);
  }
  set_colour(cr, palette::line);
  cairo_set_line_width(cr, 0.7);
  cairo_stroke(cr);
}

// ---------- the top of the first page ----------

void draw_logo(cairo_t* cr, double x, double y, double size) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, size / 32, size / 32);
  rounded_rect(cr, 1, 1, 30, 30, 9);
  set_colour(cr, palette::logo_bg);
  cairo_fill_preserve(cr);
  set_colour(cr, rgb(0x818cf8, .5));
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  cairo_move_to(cr, 8, 21);
  cairo_line_to(cr, 13, 15);
  cairo_line_to(cr, 17, 18);
  cairo_line_to(cr, 24, 10);
  set_colour(cr, palette::teal);
  cairo_set_line_width(cr, 2.6);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  cairo_arc(cr, 24, 10, 2.2, 0, 2 * std::numbers::pi);
  set_colour(cr, palette::accent);
  cairo_fill(cr);
  cairo_restore(cr);
}

void brand_bar(document& d, const report_view& v) {
  const auto& l = labels_of(v.lang);
  draw_logo(d.cr(), margin, d.y, 26);
  d.show(d.text("cryptodash", {13, weight::bold}), margin + 34, d.y - 1, palette::text);
  d.show(d.text(l.tagline, {8.5}), margin + 34, d.y + 15, palette::muted);
  d.y += 34;
  set_colour(d.cr(), palette::line);
  cairo_set_line_width(d.cr(), 0.6);
  cairo_move_to(d.cr(), margin, d.y);
  cairo_line_to(d.cr(), page_w - margin, d.y);
  cairo_stroke(d.cr());
  d.y += 12;
}

// The heading, timeframe, creation time and number on the left; the price and change right.
void hero(document& d, const report_view& v) {
  cairo_t* cr = d.cr();
  // The price block takes at most about half the line; the heading has the rest.
  const auto price = d.text(v.price, {20, weight::bold}, {.width = content_w * 0.4});
  const auto price_e = size_of(price);
  layout_ptr change;
  extent change_e;
  if (v.change) {
    change = d.text(v.change->value, {10.5, weight::bold}, {.width = 80});
    change_e = size_of(change);
  }
  const double block_w = price_e.w + (change ? change_e.w + 18 : 0);
  const auto heading =
      d.text(v.heading, {18, weight::bold}, {.width = content_w - block_w - 20, .max_lines = 2});
  const auto heading_e = size_of(heading);

  d.show(heading, margin, d.y, palette::text);
  double px = page_w - margin - block_w;
  d.show(price, px, d.y - 1, palette::text);
  if (change) {
    const auto c = chip_of(v.change->tone);
    const double cx = px + price_e.w + 10, cy = d.y + (price_e.h - change_e.h) / 2 - 1;
    fill_rounded(cr, cx, cy - 1.5, change_e.w + 8, change_e.h + 3, 4, c.bg);
    d.show(change, cx + 4, cy, c.fg);
  }

  // The meta line: a timeframe chip, then the times, each cut to the room left.
  double y = d.y + std::max(heading_e.h, price_e.h) + 6;
  const auto tf = d.text(v.timeframe, {8.5, weight::bold}, {.width = 120});
  const auto tf_e = size_of(tf);
  fill_rounded(cr, margin, y - 1.5, tf_e.w + 10, tf_e.h + 3, 3, rgb(0x818cf8, .16));
  d.show(tf, margin + 5, y, palette::tf_text);
  double x = margin + tf_e.w + 20;
  for (const auto* part : {&v.created, &v.report_no}) {
    if (part->empty() || x > page_w - margin - 40) continue;
    const auto t = d.text(*part, {9}, {.width = page_w - margin - x});
    d.show(t, x, y, palette::muted);
    x += size_of(t).w + 14;
  }
  d.y = y + tf_e.h + 12;
}

// The summary on a soft band with an accent rule, flowing onto further pages when long.
void summary(document& d, const report_view& v) {
  const auto& text = v.summary;
  if (text.empty()) return;
  constexpr double pad_x = 14, pad_y = 10;
  const auto layout = d.text(
      text, {10.5}, {.width = content_w - 2 * pad_x - 3, .max_lines = 0, .line_spacing = 1.35});
  struct line {
    PangoLayoutLine* line;
    double top, bottom, baseline;
  };
  std::vector<line> lines;
  iter_ptr it(pango_layout_get_iter(layout.get()));
  do {
    PangoRectangle r;
    pango_layout_iter_get_line_extents(it.get(), nullptr, &r);
    lines.push_back({pango_layout_iter_get_line_readonly(it.get()),
                     static_cast<double>(r.y) / PANGO_SCALE,
                     static_cast<double>(r.y + r.height) / PANGO_SCALE,
                     static_cast<double>(pango_layout_iter_get_baseline(it.get())) / PANGO_SCALE});
  } while (pango_layout_iter_next_line(it.get()));

  cairo_t* cr = d.cr();
  for (std::size_t i = 0; i < lines.size();) {
    d.need(2 * pad_y +
           std::min(3.0, static_cast<double>(lines.size() - i)) * (lines[i].bottom - lines[i].top));
    std::size_t j = i + 1;
    while (j < lines.size() && lines[j].bottom - lines[i].top + 2 * pad_y <= d.room()) ++j;
    const double h = lines[j - 1].bottom - lines[i].top + 2 * pad_y;
    fill_rounded(cr, margin, d.y, content_w, h, 6, rgb(0x6366f1, .07));
    set_colour(cr, palette::accent_2);
    cairo_rectangle(cr, margin, d.y, 3, h);
    cairo_fill(cr);
    set_colour(cr, palette::text);
    for (std::size_t k = i; k < j; ++k) {
      cairo_move_to(cr, margin + 3 + pad_x, d.y + pad_y + lines[k].baseline - lines[i].top);
      pango_cairo_show_layout_line(cr, lines[k].line);
    }
    d.y += h;
    i = j;
    if (i < lines.size()) d.new_page();
  }
  d.y += 12;
}

// ---------- the price chart ----------

// Candles, volume bars, price and time labels and the last close in the box (x, y, w, h).
void draw_chart(const document& d, const chart_view& chart, language lang, double x, double y,
                double w, double h) {
  cairo_t* cr = d.cr();
  const auto& c = chart.candles;
  const auto a = axes_of(c, lang);

  // The price labels' column is as wide as its widest label, within bounds.
  constexpr font axis{7.5};
  std::vector<layout_ptr> price_labels;
  double label_w = 0;
  for (const auto& t : a.prices) {
    price_labels.push_back(d.text(t.label, axis, {.width = 120}));
    label_w = std::max(label_w, size_of(price_labels.back()).w);
  }
  const auto last = d.text(number_text(c.back().close, lang), {7.5, weight::bold}, {.width = 120});
  label_w = std::clamp(std::max(label_w, size_of(last).w + 8), 30.0, 130.0);

  const double left = x, right = x + w - label_w - 10;
  const double axis_h = 14, vol_h = a.has_volume ? 34 : 0;
  const double top = y + 4, bottom = y + h - axis_h - (a.has_volume ? vol_h + 6 : 0);
  const double vol_bottom = y + h - axis_h;
  // Clamped, so that prices beyond what a double spans still land inside the chart.
  auto py = [&](double p) {
    const double v = top + (a.high - p) / (a.high - a.low) * (bottom - top);
    return std::isfinite(v) ? std::clamp(v, top, bottom) : bottom;
  };
  const double slot = (right - left) / static_cast<double>(c.size());
  auto px = [&](std::size_t i) { return left + slot * (static_cast<double>(i) + 0.5); };

  cairo_save(cr);
  cairo_set_line_width(cr, 0.5);
  for (std::size_t k = 0; k < a.prices.size(); ++k) {
    const double ly = py(a.prices[k].price);
    set_colour(cr, rgb(0x94a3b8, .3));
    cairo_move_to(cr, left, ly);
    cairo_line_to(cr, right, ly);
    cairo_stroke(cr);
    d.show(price_labels[k], right + 8, ly - size_of(price_labels[k]).h / 2, palette::muted);
  }

  // Time labels, each kept inside the chart and clear of the one before.
  double free_x = left;
  for (const auto& t : a.times) {
    const double tx = px(t.index);
    set_colour(cr, rgb(0x94a3b8, .16));
    cairo_move_to(cr, tx, top);
    cairo_line_to(cr, tx, vol_bottom);
    cairo_stroke(cr);
    const auto label = d.text(t.label, {7.5, t.day ? weight::bold : weight::normal});
    const double lw = size_of(label).w;
    const double lx = std::clamp(tx - lw / 2, left, std::max(left, right - lw));
    if (lx < free_x) continue;
    d.show(label, lx, vol_bottom + 3, t.day ? palette::text : palette::muted);
    free_x = lx + lw + 6;
  }

  cairo_rectangle(cr, left, y, right - left, h);
  cairo_clip(cr);
  const double body = std::clamp(slot * 0.62, 0.4, 14.0);
  if (a.has_volume && a.max_volume > 0) {
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (!c[i].volume) continue;
      const double vh = std::clamp(*c[i].volume / a.max_volume * vol_h, 0.4, vol_h);
      set_colour(cr, c[i].close >= c[i].open ? rgb(0x22c55e, .35) : rgb(0xef4444, .35));
      cairo_rectangle(cr, px(i) - body / 2, vol_bottom - vh, body, vh);
      cairo_fill(cr);
    }
  }
  cairo_set_line_width(cr, std::clamp(slot * 0.12, 0.3, 1.0));
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& r = c[i];
    set_colour(cr, r.close >= r.open ? palette::up : palette::down);
    cairo_move_to(cr, px(i), py(r.high));
    cairo_line_to(cr, px(i), py(r.low));
    cairo_stroke(cr);
    const double y_top = py(std::max(r.open, r.close));
    const double y_bottom = py(std::min(r.open, r.close));
    cairo_rectangle(cr, px(i) - body / 2, y_top, body, std::max(0.8, y_bottom - y_top));
    cairo_fill(cr);
  }
  cairo_restore(cr);

  // The last close: a dashed line across, its price on the axis.
  const double ly = py(c.back().close);
  cairo_save(cr);
  const double dash[] = {3, 3};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_set_line_width(cr, 0.7);
  set_colour(cr, palette::accent);
  cairo_move_to(cr, left, ly);
  cairo_line_to(cr, right, ly);
  cairo_stroke(cr);
  cairo_restore(cr);
  const auto last_e = size_of(last);
  fill_rounded(cr, right + 3, ly - last_e.h / 2 - 2, label_w + 5, last_e.h + 4, 2.5,
               palette::accent_2);
  d.show(last, right + 8, ly - last_e.h / 2, palette::panel);
}

void chart_panel(document& d, const report_view& v) {
  const auto& chart = v.chart;
  constexpr double pad = 14, inner = content_w - 2 * pad, chart_h = 165, empty_h = 56;
  const auto b = badge_of(d, chart.source);
  const auto title = d.text(chart.title, {11, weight::bold},
                            {.width = inner - (b ? b->w + 10 : 0), .max_lines = 2});
  const double title_h = size_of(title).h;
  layout_ptr meta;
  if (!chart.candles.empty()) {
    meta = d.text(chart.meta, {8.5}, {.width = inner - (b ? b->w + 10 : 0)});
  }
  const double head_h = std::max(title_h + (meta ? size_of(meta).h + 2 : 0), b ? b->h : 0.0);
  layout_ptr reason;
  if (!chart.source.reason.empty()) {
    reason = d.text(chart.source.reason, {8.5}, {.width = inner, .max_lines = 3});
  }
  const double reason_h = reason ? size_of(reason).h + 6 : 0;
  const double body_h = chart.candles.empty() ? empty_h : chart_h;
  const double h = pad + head_h + reason_h + 10 + body_h + pad;

  d.need(h);
  draw_panel(d, margin, d.y, content_w, h);
  const double x = margin + pad;
  double y = d.y + pad;
  d.show(title, x, y, palette::text);
  if (meta) d.show(meta, x, y + title_h + 2, palette::muted);
  if (b) draw_badge(d, *b, x + inner, y);
  y += head_h;
  if (reason) {
    d.show(reason, x, y + 6, palette::down_text);
    y += reason_h;
  }
  y += 10;
  if (chart.candles.empty()) {
    const auto empty = d.text(chart.empty, {9.5}, {.width = inner, .max_lines = 2});
    const auto e = size_of(empty);
    d.show(empty, x + (inner - e.w) / 2, y + (empty_h - e.h) / 2, palette::muted);
  } else {
    draw_chart(d, chart, v.lang, x, y, inner, chart_h);
  }
  d.y += h + 12;
}

// ---------- the cards ----------

// How a figure sits in its card: its label above its value (headlines, the indicators' grid),
// on one line with the value on the right (the other figures of the small cards), or, when
// that line is too short, with the value right-aligned under its label.
enum class cell_style { stacked, inline_row, stacked_right };

// One figure laid out in a cell of width `w`: label, value (a chip for a change), note, meter.
struct cell {
  const figure* f = nullptr;
  cell_style style = cell_style::stacked;
  layout_ptr label, value, note;
  extent label_e, value_e;
  double h = 0;
};

constexpr double chip_pad = 4;

cell cell_of(const document& d, const figure& f, double w, cell_style style, double value_size,
             double min_size) {
  cell c;
  c.f = &f;
  c.style = style;
  const double chip = f.tone == change_tone::none ? 0 : 2 * chip_pad;
  const bool row = style == cell_style::inline_row;
  c.label = d.text(f.label, {8}, {.width = row ? w * 0.55 : w, .max_lines = 2});
  c.label_e = size_of(c.label);
  // The value on one line if it fits, at a smaller size down to `min_size` if need be;
  // otherwise wrapped onto a second line (a one-line figure then goes under its label).
  const double one_line = size_of(d.text(f.value, {value_size, weight::bold})).w;
  const double room = (row ? w - c.label_e.w - 10 : w) - chip;
  if (one_line > room) {
    value_size = std::max(min_size, value_size * room / one_line * 0.98);
    if (row && size_of(d.text(f.value, {value_size, weight::bold})).w > room) {
      c.style = cell_style::stacked_right;
    }
  }
  c.value = d.text(f.value, {value_size, weight::bold},
                   {.width = c.style == cell_style::inline_row ? room : w - chip, .max_lines = 2});
  c.value_e = size_of(c.value);
  const double value_h = c.value_e.h + (chip > 0 ? 2 : 0);
  c.h = c.style == cell_style::inline_row ? std::max(c.label_e.h, value_h)
                                          : c.label_e.h + 2 + value_h;
  if (!f.note.empty()) {
    const bool plain = f.note_kind == note_style::plain;
    c.note =
        d.text(f.note, {7.5, plain ? weight::normal : weight::bold}, {.width = w, .max_lines = 3});
    c.h += 3 + size_of(c.note).h;
  }
  if (f.meter != meter_kind::none) c.h += 11;
  return c;
}

colour note_colour(note_style s) {
  switch (s) {
    case note_style::label: return palette::text;
    case note_style::zone_over: return palette::down_text;
    case note_style::zone_under: return palette::up_text;
    case note_style::zone_neutral: return palette::text;
    case note_style::plain: break;
  }
  return palette::muted;
}

void draw_cell(const document& d, const cell& c, double x, double y, double w) {
  const figure& f = *c.f;
  const bool row = c.style == cell_style::inline_row;
  const bool right = c.style != cell_style::stacked;
  const double chip = f.tone == change_tone::none ? 0 : 2 * chip_pad;
  d.show(c.label, x, y + (row ? (c.value_e.h - c.label_e.h) / 2 + 1 : 0), palette::muted);
  const double vx = right ? x + w - c.value_e.w - chip : x;
  const double vy = row ? y : y + c.label_e.h + 2;
  if (chip > 0) {
    const auto colours = chip_of(f.tone);
    fill_rounded(d.cr(), vx, vy, c.value_e.w + chip, c.value_e.h + 2, 4, colours.bg);
    d.show(c.value, vx + chip_pad, vy + 1, colours.fg);
  } else {
    d.show(c.value, vx, vy, f.missing() ? palette::faint : palette::text);
  }
  double y_next = vy + c.value_e.h + (chip > 0 ? 2 : 0);
  if (row) y_next = std::max(y_next, y + c.label_e.h);
  if (c.note) {
    d.show(c.note, x, y_next + 3, note_colour(f.note_kind));
    y_next += 3 + size_of(c.note).h;
  }
  if (f.meter != meter_kind::none) draw_meter(d, f.meter, f.meter_at, x, y_next + 6, w);
}

// A card of one group at (x, y), `w` wide; drawn `h` high when `h` > 0. Returns the height it
// needs.
double card(const document& d, const figure_group& g, double x, double y, double w, double h) {
  constexpr double pad = 11, col_gap = 12, row_gap = 8;
  const double inner = w - 2 * pad;
  const auto b = badge_of(d, g.source);
  // The badge right of the title, or under it when it would leave the title too little room.
  const bool badge_below = b && b->w + 6 > inner * 0.5;
  const gchar_ptr title_upper(g_utf8_strup(g.title.data(), static_cast<gssize>(g.title.size())));
  const auto title = d.text(
      title_upper.get(), {7, weight::bold},
      {.width = inner - (b && !badge_below ? b->w + 6 : 0), .max_lines = 2, .letter_spacing = 0.5});
  const double title_h = size_of(title).h;
  const double head_h = badge_below ? title_h + 5 + b->h : std::max(title_h, b ? b->h : 0.0);
  layout_ptr reason;
  if (!g.source.reason.empty()) {
    reason = d.text(g.source.reason, {7.5}, {.width = inner, .max_lines = 4});
  }
  const double reason_h = reason ? size_of(reason).h + 5 : 0;

  // Rows of cells: the headline and the one-line figures each take a row; the indicators
  // fill a grid of three columns.
  const bool grid = g.kind == group_kind::indicators;
  constexpr std::size_t cols = 3;
  const double col_w = (inner - (cols - 1) * col_gap) / cols;
  std::vector<std::vector<cell>> rows;
  for (const auto& f : g.figures) {
    if (f.size == figure_size::main) {
      rows.emplace_back();
      rows.back().push_back(cell_of(d, f, inner, cell_style::stacked, 15, 11));
    } else if (grid) {
      if (rows.empty() || rows.back().size() >= cols) rows.emplace_back();
      rows.back().push_back(cell_of(d, f, col_w, cell_style::stacked, 11.5, 9));
    } else {
      rows.emplace_back();
      rows.back().push_back(cell_of(d, f, inner, cell_style::inline_row, 10, 8.5));
    }
  }
  std::vector<double> row_h;
  double stats_h = 0;
  for (const auto& r : rows) {
    double rh = 0;
    for (const auto& c : r) rh = std::max(rh, c.h);
    row_h.push_back(rh);
    stats_h += rh + row_gap;
  }
  const double need = pad + head_h + reason_h + 10 + stats_h - row_gap + pad;
  if (h <= 0) return need;

  draw_panel(d, x, y, w, h, colours_of(g.source.state).strip);
  d.show(title, x + pad, y + pad + 1, palette::muted);
  if (badge_below) {
    draw_badge(d, *b, x + pad + b->w, y + pad + title_h + 5);
  } else if (b) {
    draw_badge(d, *b, x + w - pad, y + pad);
  }
  double cy = y + pad + head_h;
  if (reason) {
    d.show(reason, x + pad, cy + 5, palette::down_text);
    cy += reason_h;
  }
  cy += 10;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (i > 0 && r.front().style != cell_style::stacked) {  // a hairline between lines
      set_colour(d.cr(), rgb(0xd1d5db, .7));
      cairo_set_line_width(d.cr(), 0.5);
      cairo_move_to(d.cr(), x + pad, cy - row_gap / 2);
      cairo_line_to(d.cr(), x + w - pad, cy - row_gap / 2);
      cairo_stroke(d.cr());
    }
    for (std::size_t k = 0; k < r.size(); ++k) {
      const double cw = r[k].f->size == figure_size::main || !grid ? inner : col_w;
      draw_cell(d, r[k], x + pad + static_cast<double>(k) * (col_w + col_gap), cy, cw);
    }
    cy += row_h[i] + row_gap;
  }
  return need;
}

// Three columns: market, period and global; then Fear & Greed, and the indicators over two.
void cards(document& d, const report_view& v) {
  constexpr double gap = 10, col = (content_w - 2 * gap) / 3;
  const auto& groups = v.groups;
  std::vector<const figure_group*> row;
  int spans = 0;
  auto place = [&] {
    std::vector<double> widths;
    double h = 0;
    for (const auto* g : row) {
      const int span = g->kind == group_kind::indicators ? 2 : 1;
      widths.push_back(span * col + (span - 1) * gap);
      h = std::max(h, card(d, *g, 0, 0, widths.back(), 0));
    }
    d.need(h);
    double x = margin;
    for (std::size_t i = 0; i < row.size(); ++i) {
      card(d, *row[i], x, d.y, widths[i], h);
      x += widths[i] + gap;
    }
    d.y += h + gap;
    row.clear();
    spans = 0;
  };
  for (const auto& g : groups) {
    const int span = g.kind == group_kind::indicators ? 2 : 1;
    if (spans + span > 3) place();
    row.push_back(&g);
    spans += span;
  }
  if (!row.empty()) place();
}

void footer(document& d, const report_view& v) {
  const auto t = d.text(labels_of(v.lang).footer, {8}, {.width = content_w, .max_lines = 0});
  d.need(size_of(t).h + 4);
  d.y += 4;
  d.show(t, margin, d.y, palette::faint);
  d.y += size_of(t).h;
}

}  // namespace

report_result render_report_pdf(std::string_view report_json, std::int64_t id, language lang) {
  auto view = make_report_view(report_json, id, lang);
  if (!view) return view.error();
  const report_view& v = *view;
  const auto& l = labels_of(lang);
  // One document at a time in the process: cairo, pango and fontconfig keep shared state whose
  // thread-safety rests on their own atomics (invisible to ThreadSanitizer, and pango's font
  // map is not thread-safe at all). A document takes ~5 ms, and rendered PDFs are cached by the
  // routes, so the lock costs little. Declared before the document, released after it is gone.
  static std::mutex render_mutex;
  std::lock_guard lock(render_mutex);
  document d({.title = v.title,
              .created_at = v.created_at,
              .language = l.code,
              .footer = fmt::format("cryptodash · {} · {}", v.report_no, v.title),
              .page_label = l.page});
  brand_bar(d, v);
  hero(d, v);
  summary(d, v);
  chart_panel(d, v);
  cards(d, v);
  footer(d, v);
  return d.finish();
}

}  // namespace cryptodash::reports
