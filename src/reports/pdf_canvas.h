#pragma once

// What the report PDF (pdf.cpp) is drawn with: an A4 PDF document that cairo writes into a
// string, text laid out by pango in DejaVu Sans, a cursor that moves down the page and starts
// the next one, and the dashboard's palette as the HTML page prints it. Internal to
// src/reports.

#include "reports/report.h"

#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cryptodash::reports::pdf {

// ---------- owning handles for the C libraries ----------

template <auto Free>
struct freer {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, freer<cairo_surface_destroy>>;
using cairo_ptr = std::unique_ptr<cairo_t, freer<cairo_destroy>>;
using context_ptr = std::unique_ptr<PangoContext, freer<g_object_unref>>;
using layout_ptr = std::unique_ptr<PangoLayout, freer<g_object_unref>>;
using pattern_ptr = std::unique_ptr<cairo_pattern_t, freer<cairo_pattern_destroy>>;
using iter_ptr = std::unique_ptr<PangoLayoutIter, freer<pango_layout_iter_free>>;
using gchar_ptr = std::unique_ptr<gchar, freer<g_free>>;

// ---------- palette and page ----------

struct colour {
  double r = 0, g = 0, b = 0, a = 1;
};

constexpr colour rgb(std::uint32_t hex, double a = 1) {
  return {static_cast<double>((hex >> 16) & 0xff) / 255,
          static_cast<double>((hex >> 8) & 0xff) / 255, static_cast<double>(hex & 0xff) / 255, a};
}

/// The dashboard's palette as the HTML page prints it (html.cpp, `@media print`).
namespace palette {
constexpr colour text = rgb(0x111827), muted = rgb(0x4b5563), faint = rgb(0x6b7280);
constexpr colour line = rgb(0xd1d5db), panel = rgb(0xffffff), soft = rgb(0xf3f4f6);
constexpr colour accent = rgb(0x818cf8), accent_2 = rgb(0x6366f1), teal = rgb(0x2dd4bf);
constexpr colour up = rgb(0x22c55e), down = rgb(0xef4444), warn = rgb(0xf59e0b);
constexpr colour up_text = rgb(0x15803d), down_text = rgb(0xb91c1c), warn_text = rgb(0xb45309);
constexpr colour tf_text = rgb(0x3730a3), logo_bg = rgb(0x1e1b4b);
}  // namespace palette

/// A4 portrait, in points; content goes between the margins, from body_top to body_bottom.
inline constexpr double page_w = 595.276, page_h = 841.890;
inline constexpr double margin = 40, content_w = page_w - 2 * margin;
inline constexpr double body_top = 40, body_bottom = page_h - 56;
inline constexpr double footer_y = page_h - 40;  ///< the page footer's line of text
/// A longer text is cut there, with "…" (a summary this long already fills thirty pages).
inline constexpr std::size_t max_text_bytes = std::size_t{64} * 1024;

void set_colour(cairo_t* cr, colour c);
/// Adds a rectangle with corners of radius `r` (at most half a side) to the path.
void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r);
void fill_rounded(cairo_t* cr, double x, double y, double w, double h, double r, colour c);

// ---------- text ----------

enum class weight { normal, bold };

struct font {
  double size = 10;  ///< points
  weight w = weight::normal;
};

/// Where a text may go: `width` 0 is one line as long as the text; otherwise it wraps at
/// `width` (between words, inside a word too long for a line) and ends with "…" after
/// `max_lines` lines (0: no bound).
struct text_box {
  double width = 0;
  int max_lines = 1;
  double line_spacing = 0;    ///< a factor of the font's; 0: the font's
  double letter_spacing = 0;  ///< points
};

struct extent {
  double w = 0, h = 0;
};

/// The logical size of a laid-out text.
extent size_of(const layout_ptr& l);

// ---------- the document ----------

struct document_info {
  std::string_view title;       ///< the PDF's Title
  std::string_view created_at;  ///< "2026-11-22T10:30:45Z" becomes its CreationDate; else none
  std::string_view language;    ///< "en", "vi": pango's language for shaping
  std::string footer;           ///< left in every page's footer (cut to one line)
  std::string_view page_label;  ///< right in every page's footer: "Page {}"
};

/// One PDF being drawn. Not thread-safe, and not to be made while another document exists
/// (render_report_pdf holds a process-wide lock for the document's whole life): it holds its
/// own cairo and pango contexts, but the fonts come from the process's one pango font map,
/// which is not thread-safe. Every drawing call after a cairo error is a no-op; finish()
/// reports it.
class document {
 public:
  explicit document(document_info info);
  document(const document&) = delete;  // cairo holds the address of out_
  document& operator=(const document&) = delete;

  cairo_t* cr() const noexcept { return cr_.get(); }

  /// `s` (UTF-8, cut to max_text_bytes) laid out in DejaVu Sans at `f`, within `box`.
  layout_ptr text(std::string_view s, font f, text_box box = {}) const;
  /// Draws `l` with its top left corner at (left, top).
  void show(const layout_ptr& l, double left, double top, colour c) const;

  double y = body_top;  ///< where the next block goes
  double room() const noexcept { return body_bottom - y; }
  /// Starts a new page unless `h` more fits below the cursor (or the page is still empty).
  void need(double h);
  /// Ends the page with its footer and starts the next, the cursor at its top.
  void new_page();

  /// Ends the last page and the document: its bytes, or errc::io_error with cairo's reason
  /// (out of memory). Call once; the document is spent after it.
  report_result finish();

 private:
  void page_footer();

  document_info info_;
  std::string out_;
  surface_ptr surface_;
  cairo_ptr cr_;
  context_ptr pango_;
  int page_ = 1;
};

}  // namespace cryptodash::reports::pdf
