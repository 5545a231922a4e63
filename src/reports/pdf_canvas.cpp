#include "reports/pdf_canvas.h"

#include "core/error.h"

#include <cairo-pdf.h>
#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <numbers>

namespace cryptodash::reports::pdf {

namespace {

using font_options_ptr = std::unique_ptr<cairo_font_options_t, freer<cairo_font_options_destroy>>;
using font_ptr = std::unique_ptr<PangoFontDescription, freer<pango_font_description_free>>;
using attrs_ptr = std::unique_ptr<PangoAttrList, freer<pango_attr_list_unref>>;

// `text` cut to at most max_text_bytes at a character boundary, with "…" when cut.
std::string bounded(std::string_view text) {
  if (text.size() <= max_text_bytes) return std::string(text);
  std::size_t end = max_text_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

// Cairo's output callback: appends to the std::string at `closure`.
cairo_status_t append(void* closure, const unsigned char* data, unsigned int size) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), size);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_NO_MEMORY;
  }
}

// The process's font map: made on the first document (reading fontconfig's font list and
// loading faces: some tens of ms), kept for the later ones, freed at exit (before the leak
// check). A pango font map is not thread-safe: it is used only under render_report_pdf's lock
// (pdf.cpp), which serialises every use of cairo, pango and fontconfig.
PangoFontMap* shared_font_map() {
  struct holder {
    PangoFontMap* map = pango_cairo_font_map_new();
    holder() = default;
    holder(const holder&) = delete;
    holder& operator=(const holder&) = delete;
    ~holder() { g_object_unref(map); }
  };
  static const holder h;
  return h.map;
}

// "2026-11-22T10:30:45Z", the form build_report writes.
bool is_rfc3339_utc(std::string_view s) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != shape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
  }
  return true;
}

}  // namespace

void set_colour(cairo_t* cr, colour c) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r) {
  constexpr double pi = std::numbers::pi;
  r = std::max(0.0, std::min({r, w / 2, h / 2}));
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -pi / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, pi / 2);
  cairo_arc(cr, x + r, y + h - r, r, pi / 2, pi);
  cairo_arc(cr, x + r, y + r, r, pi, 3 * pi / 2);
  cairo_close_path(cr);
}

void fill_rounded(cairo_t* cr, double x, double y, double w, double h, double r, colour c) {
  rounded_rect(cr, x, y, w, h, r);
  set_colour(cr, c);
  cairo_fill(cr);
}

extent size_of(const layout_ptr& l) {
  int w = 0, h = 0;
  pango_layout_get_size(l.get(), &w, &h);
  return {static_cast<double>(w) / PANGO_SCALE, static_cast<double>(h) / PANGO_SCALE};
}

document::document(document_info info) : info_(std::move(info)) {
  surface_.reset(cairo_pdf_surface_create_for_stream(&append, &out_, page_w, page_h));
  const std::string title(info_.title);
  cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "cryptodash");
  // Cairo would stamp the current time: the report's own keeps the bytes a function of the
  // report ("" leaves the date out).
  const std::string created = is_rfc3339_utc(info_.created_at) ? std::string(info_.created_at) : "";
  cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATE_DATE, created.c_str());
  cr_.reset(cairo_create(surface_.get()));
  pango_.reset(pango_font_map_create_context(shared_font_map()));
  pango_cairo_update_context(cr_.get(), pango_.get());
  // Unhinted outlines at fractional positions: the layout is the same at every zoom.
  font_options_ptr options(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(pango_.get(), options.get());
  pango_context_set_round_glyph_positions(pango_.get(), FALSE);
  const std::string language(info_.language);
  pango_context_set_language(pango_.get(), pango_language_from_string(language.c_str()));
}

layout_ptr document::text(std::string_view s, font f, text_box box) const {
  layout_ptr l(pango_layout_new(pango_.get()));
  font_ptr fd(pango_font_description_new());
  pango_font_description_set_family_static(fd.get(), "DejaVu Sans");
  pango_font_description_set_absolute_size(fd.get(), f.size * PANGO_SCALE);
  pango_font_description_set_weight(fd.get(),
                                    f.w == weight::bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(l.get(), fd.get());
  const auto t = bounded(s);
  pango_layout_set_text(l.get(), t.data(), static_cast<int>(t.size()));
  if (box.width > 0) {
    pango_layout_set_width(l.get(), static_cast<int>(box.width * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    if (box.max_lines > 0) {
      pango_layout_set_height(l.get(), -box.max_lines);
      pango_layout_set_ellipsize(l.get(), PANGO_ELLIPSIZE_END);
    }
  }
  if (box.line_spacing > 0) {
    pango_layout_set_line_spacing(l.get(), static_cast<float>(box.line_spacing));
  }
  if (box.letter_spacing > 0) {
    attrs_ptr attrs(pango_attr_list_new());
    pango_attr_list_insert(attrs.get(), pango_attr_letter_spacing_new(
                                            static_cast<int>(box.letter_spacing * PANGO_SCALE)));
    pango_layout_set_attributes(l.get(), attrs.get());
  }
  return l;
}

void document::show(const layout_ptr& l, double left, double top, colour c) const {
  set_colour(cr(), c);
  cairo_move_to(cr(), left, top);
  pango_cairo_show_layout(cr(), l.get());
}

void document::need(double h) {
  if (y + h > body_bottom && y > body_top) new_page();
}

void document::new_page() {
  page_footer();
  cairo_show_page(cr());
  ++page_;
  y = body_top;
}

report_result document::finish() {
  page_footer();
  const auto drawing = cairo_status(cr());
  cr_.reset();
  cairo_surface_finish(surface_.get());
  const auto status =
      drawing != CAIRO_STATUS_SUCCESS ? drawing : cairo_surface_status(surface_.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    return report_error{
        make_error_code(core::errc::io_error),
        fmt::format("cannot draw the report PDF: {}", cairo_status_to_string(status))};
  }
  return std::move(out_);
}

void document::page_footer() {
  cairo_t* c = cr();
  set_colour(c, palette::line);
  cairo_set_line_width(c, 0.6);
  cairo_move_to(c, margin, footer_y - 6);
  cairo_line_to(c, page_w - margin, footer_y - 6);
  cairo_stroke(c);
  const auto number = text(fmt::format(fmt::runtime(info_.page_label), page_), {7.5});
  const double number_w = size_of(number).w;
  show(number, page_w - margin - number_w, footer_y, palette::faint);
  show(text(info_.footer, {7.5}, {.width = content_w - number_w - 20}), margin, footer_y,
       palette::faint);
}

}  // namespace cryptodash::reports::pdf
